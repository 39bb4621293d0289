#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# A login found already past its deadline (here: idle while no daemon ran)
# is never ended at once: it is warned first and ended one warn-before later,
# and `status` shows that later deadline.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

# the first daemon only observes: nothing comes due while it runs
write_conf /tmp/long.conf <<'CONF'
[global]
idle-timeout = 1h
CONF
write_conf /tmp/t.conf <<'CONF'
[global]
idle-timeout = 6s
warn-before = 5s
CONF
start_sshd
start_ttyidle --config /tmp/long.conf --config-dir ''
ssh_login c alice
wait_for 10 has_urec alice
stop_ttyidle
last=$(in_ms "$(urec alice)")
[ "$last" -gt 0 ] || fail "no input recorded for alice"
log "daemon stopped; the login idles past its deadline"
sleep_until_ms $((last + 9000))
audit_rotate

t_start=$(uptime_ms)
start_ttyidle --config /tmp/t.conf --config-dir ''
t0=$(uptime_ms)
wait_for 5 has_audit warn alice
w=$(audit_line warn alice)
log "$w"
assert_match 'IDLE_SEC=(9|[1-9][0-9]) CLOCK=input RULE=global ACTION=hangup OUTCOME=delivered' "$w" "late warning"
quiet pty_cmd c 'expect will be ended in'

# status shows the daemon's deadline (warning + lead), not the policy's past one
t_s=$(uptime_ms)
r=$(urec alice)
due=$(awk -v t="$t_s" -v l="$(jfield left_sec "$r")" 'BEGIN { printf "%d", t + l * 1000 }')
log "status: state $(jfield state "$r"), left $(jfield left_sec "$r") s"
assert_ge $((t_start + 5000 - 1000)) "$due" "status's deadline (ms)"
assert_le $((t0 + 5000 + 2000)) "$due" "status's deadline (ms)"

log "the full lead is given"
sleep_until_ms $((t_start + 4000))
no_audit terminate alice
[ -n "$(user_procs alice)" ] || fail "alice's session ended before the warning lead was over"

# the warning went out between t_start and t0: the end is due one lead later
end=$(exit_ms c 8)
[ -n "$end" ] || fail "no exit time for the client"
log "client exited $((end - t_start - 5000))..$((end - t0 - 5000)) ms after restart + lead"
assert_ge $((t_start + 5000 - 100)) "$end" "not before the lead was over (ms)"
assert_le 2000 $((end - t0 - 5000)) "lateness (ms)"
wait_for 5 has_audit terminate alice
wait_for 5 no_user_procs alice
stop_ttyidle
exit 0
