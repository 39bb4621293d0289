#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# once-per-run
# The unit has a watchdog (WatchdogSec=, the daemon's loop sends
# WATCHDOG=1): a daemon whose loop stops (SIGSTOP) is killed by systemd
# and restarted (Restart=on-failure), and enforces again.
. /sysvm/lib.sh

wait_for 10 is_active
wd=$(prop WatchdogUSec)
log "WatchdogUSec=$wd RestartUSec=$(prop RestartUSec)"
case $wd in
0 | "" | infinity) fail "the unit sets no WatchdogSec= (WatchdogUSec=$wd)" ;;
esac
pid=$(prop MainPID) n0=$(prop NRestarts)
t0=$(uptime_ms)
systemctl kill --kill-who=main -s SIGSTOP ttyidle.service
restarted() { [ "$(prop NRestarts)" -gt "$n0" ] && is_active && [ "$(prop MainPID)" != "$pid" ]; }
wait_for 100 restarted
note "stopped loop restarted after $(($(uptime_ms) - t0)) ms (WatchdogSec $wd)"
has_journal -u ttyidle.service MESSAGE="ttyidle.service: Watchdog timeout (limit $wd)!" ||
	journalctl -q --no-pager -o cat -u ttyidle.service | grep -qi watchdog ||
	fail "no watchdog message from systemd"
exit 0
