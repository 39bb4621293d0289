#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# A terminal stopped with Ctrl-S cannot stall the daemon. alice types ^S (the
# session's PTY stops output) and then a key, whose echo leaves her shell
# blocked writing to the stopped terminal, holding its write lock. Her
# warning is not delivered ("would block") instead of hanging the daemon, and
# her session is still hung up on time; meanwhile bob's session, with a
# deadline a second later, is warned on his terminal and ended on time too.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

# _writing PID: PID sleeps in a terminal write.
_writing() {
	grep -q n_tty_write "/proc/$1/stack" 2>/dev/null
}

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
CONF
ssh_logins a:alice b:bob
quiet pty_cmd a 'timeout 300'
quiet pty_cmd a rm
type_keys b ' '
type_keys a '\x13'
type_seen a alice x
stopped_ms=$(uptime_ms)
# a warning while the other one logged in does not count
audit_rotate
got=$(pty_cmd a rm)
log "after ^S and x: $got"
assert_eq 'read-master id=0 n=0 data=' "$got" "echo on a stopped terminal"
sleep_until_ms $((stopped_ms + 1000))
type_seen b bob ' '
ra=$(urec alice) rb=$(urec bob)
log "$ra"
log "$rb"
la=$(jfield session "$ra") lb=$(jfield session "$rb")
deadline_a=$(($(in_ms "$ra") + 6000))
deadline_b=$(($(in_ms "$rb") + 6000))
log "deadlines: alice at $deadline_a ms, bob at $deadline_b ms"
[ "$deadline_b" -gt "$deadline_a" ] || fail "bob's deadline should come after alice's"
wait_for 5 _writing "$la"
log "alice's shell is blocked in: $(grep -o 'n_tty_write' /proc/"$la"/stack | head -n1)"

log "alice: the warning would block; the daemon moves on"
wait_for 10 has_audit warn alice
w=$(audit_line warn alice)
log "$w"
assert_match "SESSION=$la .*CLOCK=input RULE=global ACTION=hangup OUTCOME=\"not delivered \\(would block\\)\"" "$w" "warn record"
quiet pty_cmd a 'timeout 20000'
ended_within a "$deadline_a" 12
t=$(audit_line terminate alice)
log "$t"
assert_match "SESSION=$la .*ACTION=hangup OUTCOME=\"terminal hung up;" "$t" "terminate record"

log "bob: warned and ended on time all the same"
wait_for 5 has_audit warn bob
w=$(audit_line warn bob)
log "$w"
assert_match "SESSION=$lb .*OUTCOME=delivered" "$w" "bob's warn record"
quiet pty_cmd b 'expect will be ended in'
ended_within b "$deadline_b" 12
assert_match "SESSION=$lb .*OUTCOME=\"terminal hung up;" "$(audit_line terminate bob)" "bob's terminate record"
wait_for 5 no_user_procs alice
wait_for 5 no_user_procs bob
assert_ok kill -0 "$TTYIDLE_PID"
stop_ttyidle
exit 0
