#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# What the service manager sees (sd_notify(3), as the unit's Type=notify and
# WatchdogSec= use it; this image has no systemd, so ptyctl plays its
# notification socket): READY=1 with a STATUS= once attached; WATCHDOG=1
# from the loop's own timer, at half of WATCHDOG_USEC; STATUS= kept current
# with the terminals tracked; a reload is RELOADING=1 then READY=1; a bad
# configuration is refused by `run --check` (the unit's ExecReload= check)
# and, sent SIGHUP anyway, keeps the policy in force, which STATUS= says
# until a good reload clears it. A WATCHDOG_PID naming another process
# means no watchdog for this one.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

N=/tmp/notify.out
ptyctl notify-listen /tmp/notify.sock >"$N" 2>&1 &
npid=$!
poll_for 10 grep -q '^notify-listen ' "$N" || fail "notify-listen did not start: $(cat "$N")"
notes() { grep '^notify ' "$N"; }
note_count() { notes | grep -c -- "$1"; }
count_ge() { [ "$(note_count "$2")" -ge "$1" ]; }

write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 1h
CONF
start_sshd
export NOTIFY_SOCKET=/tmp/notify.sock WATCHDOG_USEC=2000000
start_ttyidle --config "$TTYIDLE_CONF" --config-dir ''
wait_for 5 count_ge 1 'READY=1'
r=$(notes | grep -m1 'READY=1')
log "$r"
assert_match "data=READY=1\|STATUS=0 rules, (fentry|kprobe) mode; [0-9]+ terminals tracked, 0 warned$" "$r" \
	"first READY=1"

log "WATCHDOG=1 every second (half of 2 s) while the loop turns"
t0=$(uptime_ms)
n0=$(note_count 'data=WATCHDOG=1$')
sleep 4
n1=$(note_count 'data=WATCHDOG=1$')
log "$((n1 - n0)) WATCHDOG=1 in $(($(uptime_ms) - t0)) ms"
assert_ge 3 $((n1 - n0)) "WATCHDOG=1 in 4 s"
assert_le 6 $((n1 - n0)) "WATCHDOG=1 in 4 s"
log "a stopped loop sends none"
kill -STOP "$TTYIDLE_PID"
n0=$(note_count 'data=WATCHDOG=1$')
sleep 2.5
n1=$(note_count 'data=WATCHDOG=1$')
kill -CONT "$TTYIDLE_PID"
assert_eq 0 $((n1 - n0)) "WATCHDOG=1 while stopped"

log "STATUS= follows the terminals tracked"
ssh_login c alice
wait_for 10 has_urec alice
wait_for 5 sh -c "grep '^notify ' $N | grep -Eq 'STATUS=0 rules, [a-z]+ mode; [1-9][0-9]* terminals tracked'"
log "$(notes | grep 'STATUS=' | tail -n 1)"

log "a bad configuration: the reload check refuses it, the daemon keeps its policy"
write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = soon
CONF
out=$(ttyidle run --check --config "$TTYIDLE_CONF" --config-dir '' 2>&1)
rc=$?
assert_eq 1 "$rc" "run --check on a bad file"
assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines of run --check's error ($out)"
assert_match "^ttyidle: run: $TTYIDLE_CONF:2:16: " "$out" "run --check's error"
n0=$(note_count 'READY=1')
kill -HUP "$TTYIDLE_PID"
wait_for 5 count_ge $((n0 + 1)) 'READY=1'
r=$(notes | grep 'READY=1' | tail -n 1)
log "$r"
assert_match "data=READY=1\|STATUS=last reload FAILED \($TTYIDLE_CONF:2:16: .*\), previous policy in force; 0 rules" \
	"$r" "READY=1 after a failed reload"
assert_match 'data=RELOADING=1\|MONOTONIC_USEC=[0-9]+$' "$(notes | grep RELOADING=1 | tail -n 1)" "RELOADING=1"
grep -q "reload failed, keeping the policy in force: $TTYIDLE_CONF:2:16" "$TTYIDLE_LOG" ||
	fail "no log line for the failed reload"
sleep 1.5
assert_match 'FAILED' "$(notes | grep 'STATUS=' | tail -n 1)" "STATUS= after the next tick"

log "a good reload clears it"
write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 2h
CONF
ttyidle run --check --config "$TTYIDLE_CONF" --config-dir '' || fail "run --check on a good file"
n0=$(note_count 'READY=1')
kill -HUP "$TTYIDLE_PID"
wait_for 5 count_ge $((n0 + 1)) 'READY=1'
r=$(notes | grep 'READY=1' | tail -n 1)
log "$r"
assert_match "data=READY=1\|STATUS=0 rules, (fentry|kprobe) mode; [1-9][0-9]* terminals tracked, 0 warned$" "$r" \
	"READY=1 after a good reload"
sleep 1.5
assert_no_match 'FAILED' "$(notes | grep 'STATUS=' | tail -n 1)" "STATUS= after a good reload"
stop_ttyidle

log "WATCHDOG_PID of another process: no watchdog"
n0=$(note_count 'data=WATCHDOG=1$')
export WATCHDOG_PID=1
start_ttyidle --config "$TTYIDLE_CONF" --config-dir ''
sleep 3
assert_eq "$n0" "$(note_count 'data=WATCHDOG=1$')" "WATCHDOG=1 with another WATCHDOG_PID"
stop_ttyidle
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
kill "$npid"
exit 0
