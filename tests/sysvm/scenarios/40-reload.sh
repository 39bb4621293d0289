#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# once-per-run
# `systemctl reload ttyidle` with a good drop-in applies it; with a bad one
# it fails (exit status not 0), the daemon keeps running (same PID) and the
# policy in force stays the old one: a login left idle is still ended at the
# old idle-timeout, not the bad file's.
. /sysvm/lib.sh

wait_for 10 is_active
pid=$(prop MainPID)
policy 10-sysvm.conf <<'CONF'
[global]
idle-timeout = 8s
warn-before = 3s
CONF
systemctl reload ttyidle.service || flaw "reload of a good configuration failed"
reloaded() { journalctl -q --no-pager -o cat -u ttyidle.service _PID="$pid" | grep -q 'configuration reloaded'; }
wait_for 10 reloaded
# a bad drop-in: an unknown key, and a timeout that would end sessions later
policy 20-bad.conf <<'CONF'
[global]
idle-timeout = 1h
no-such-key = 1
CONF
since=$(date '+%Y-%m-%d %H:%M:%S')
if systemctl reload ttyidle.service; then
	flaw "systemctl reload of a bad configuration succeeded (exit 0)"
else
	log "systemctl reload failed, as it should"
fi
sleep 1
journalctl -q --no-pager -o cat -u ttyidle.service --since "$since"
is_active || flaw "service not active after the bad reload"
assert_eq "$pid" "$(prop MainPID)" "daemon kept running"
journalctl -q --no-pager -o cat -u ttyidle.service --since "$since" | grep -q 'no-such-key' ||
	flaw "the journal does not say what is wrong (no-such-key)"
# the old policy (8 s) still ends an idle login
ssh_login b bob
t_typed=$(uptime_ms)
type_line b "echo IDLE""-FROM-HERE"
pty_cmd b 'expect IDLE-FROM-HERE' >/dev/null
t_seen=$(uptime_ms)
exit_at b 20
at=$AT
note "after the bad reload, bob's idle login ended $((at - t_seen - 8000))..$((at - t_typed - 8000)) ms after the old policy's deadline"
[ $((at - t_typed - 8000)) -ge -200 ] || flaw "ended before the old deadline"
[ $((at - t_seen - 8000)) -le 2500 ] || flaw "not ended within 2.5 s of the old deadline"
rm -f /etc/ttyidle.conf.d/20-bad.conf
systemctl reload ttyidle.service || flaw "reload after removing the bad drop-in failed"
finish
