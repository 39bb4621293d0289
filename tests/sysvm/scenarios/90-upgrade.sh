#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
# Upgrade from the previous package (run.sh: --old-deb, by default the
# package of the commit before the pinned map `ending` was added, so the
# pins it leaves are another layout): a login that went idle under the old
# daemon is ended on time by the new one, which adopts the old pins. The gap
# is the time from the old daemon's exit to the new one's READY=1, from the
# journal's monotonic timestamps; the BPF programs stay attached through it.
. /sysvm/lib.sh

# after 80-purge the host has no ttyidle; purge whatever a partial run left
if dpkg-query -W ttyidle >/dev/null 2>&1; then
	dpkg -P ttyidle >/dev/null || fail "purge of the installed package failed"
fi
[ ! -d /sys/fs/bpf/ttyidle ] || fail "pins left before installing the old package"
old=$(dpkg-deb -f /sysvm/old.deb Version) new=$(dpkg-deb -f /sysvm/new.deb Version)
log "old $old, new $new"
dpkg --compare-versions "$old" lt "$new" || fail "old version $old is not older than $new"
policy 10-sysvm.conf <<'CONF'
[global]
idle-timeout = 30s
warn-before = 5s
CONF
attach_dropin
dpkg -i /sysvm/old.deb >/dev/null || fail "dpkg -i old failed"
wait_for 30 is_active
oldpid=$(prop MainPID)
log "old pins: $(ls /sys/fs/bpf/ttyidle | tr '\n' ' ')"
[ ! -e /sys/fs/bpf/ttyidle/ending ] || fail "the old package already pins 'ending': not another layout"

ssh_login u alice
t_typed=$(uptime_ms)
type_line u "echo IDLE""-FROM-HERE"
pty_cmd u 'expect IDLE-FROM-HERE' >/dev/null
t_seen=$(uptime_ms)
u0=$(uptime_ms)
dpkg -i /sysvm/new.deb >/tmp/upgrade.out 2>&1 || { cat /tmp/upgrade.out; fail "upgrade failed"; }
u1=$(uptime_ms)
log "dpkg -i (upgrade) took $((u1 - u0)) ms"
[ $((u1 - t_seen)) -lt 28000 ] || fail "the upgrade took longer than the idle-timeout allows: inconclusive"
assert_eq "$new" "$(dpkg-query -W -f='${Version}' ttyidle)" "installed version"
wait_for 30 is_active
newpid=$(prop MainPID)
[ "$newpid" != "$oldpid" ] || fail "the daemon was not restarted by the upgrade"
log "new pins: $(ls /sys/fs/bpf/ttyidle | tr '\n' ' ')"
journalctl -q --no-pager -o short-monotonic -u ttyidle.service _PID="$newpid" | head -n 5
# The new daemon adopts pinned programs of its own set, and replaces the
# links of another set (a different layout) with its own, keeping the maps:
# the terminals the old one tracked stay tracked either way.
how=$(journalctl -q --no-pager -o cat -u ttyidle.service _PID="$newpid" |
	sed -n "s/^\(adopted\|attached\) programs in $SYSVM_ATTACH mode.*/\1/p")
[ -n "$how" ] || flaw "the new daemon did not start in $SYSVM_ATTACH mode"
tracked=$(journalctl -q --no-pager -o cat -u ttyidle.service _PID="$newpid" |
	sed -n 's/^policy: .*tracking \([0-9]*\) terminals.*/\1/p')
note "new daemon: $how programs in $SYSVM_ATTACH mode over the old pins, tracking ${tracked:-?} terminals"
[ "${tracked:-0}" -ge 1 ] || flaw "the new daemon tracks none of the old daemon's terminals"
t_exit=$(mono_of -u ttyidle.service _PID="$oldpid")
t_ready=$(systemctl show -P ActiveEnterTimestampMonotonic ttyidle.service)
note "upgrade gap: old daemon's last entry to new daemon ready $(((t_ready - t_exit) / 1000)) ms"

# the login idle since before the upgrade is still ended on time
exit_at u 60
at=$AT
note "login idle across the upgrade ended $((at - t_seen - 30000))..$((at - t_typed - 30000)) ms after its deadline"
[ $((at - t_typed - 30000)) -ge -200 ] || flaw "ended before its deadline"
[ $((at - t_seen - 30000)) -le 2500 ] || flaw "not ended within 2.5 s of its deadline"
has_journal MESSAGE_ID=$MID_TERMINATE USER=alice _PID="$newpid" || flaw "no terminate record from the new daemon"
finish
