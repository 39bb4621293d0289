#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Output is not input: two ssh sessions each run a loop that prints a line
# every second. alice's falls under [global] (activity = input) and is
# warned and hung up on time although her terminal never stops printing;
# bob's falls under a rule with activity = input+output and is kept well past
# the point where an input-only limit would have ended it.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 8s
warn-before = 3s

[rule watchers]
user = bob
activity = input+output
CONF
ssh_logins a:alice b:bob
for n in a b; do
	type_keys $n 'while :; do echo t""ick; sleep 1; done\n'
	quiet pty_cmd $n 'expect tick'
done
# from here on: a warning while the other one logged in does not count
audit_rotate
ra=$(urec alice) rb=$(urec bob)
log "$ra"
log "$rb"
assert_eq global "$(jfield rule "$ra")" "alice's rule"
assert_eq watchers "$(jfield rule "$rb")" "bob's rule"
la=$(jfield session "$ra") lb=$(jfield session "$rb")
deadline_a=$(($(in_ms "$ra") + 8000))
deadline_b=$(($(in_ms "$rb") + 8000))

log "alice: warned while her loop keeps printing"
wait_for 15 has_audit warn alice
ra=$(urec alice)
log "$ra"
assert_eq warn-due "$(jfield state "$ra")" "alice's state"
out_idle=$(jfield idle_out_sec "$ra")
assert_le 1 "${out_idle%%.*}" "alice's seconds since output"
assert_match 'CLOCK=input RULE=global ACTION=hangup OUTCOME=delivered' "$(audit_line warn alice)"

log "alice: hung up at her input deadline"
ended_within a "$deadline_a" 15
t=$(audit_line terminate alice)
log "$t"
assert_match "SESSION=$la .*CLOCK=input RULE=global ACTION=hangup OUTCOME=\"terminal hung up; SIGHUP sent to [0-9]+ processes\"" "$t" "terminate record"
wait_for 5 no_user_procs alice

log "bob: kept by his output past his input deadline"
sleep_until_ms $((deadline_b + 2000))
rb=$(urec bob)
log "$rb"
assert_eq active "$(jfield state "$rb")" "bob's state"
assert_eq output "$(jfield clock "$rb")" "bob's activity clock"
idle_in=$(jfield idle_in_sec "$rb")
assert_ge 10 "${idle_in%%.*}" "bob's seconds since input"
no_audit warn bob
no_audit terminate bob
assert_eq 0 "$(grep -c 'EVENT=terminate USER=bob ' "$TTYIDLE_LOG.old")" "bob's terminate records"
assert_ok alive "$lb"
quiet pty_cmd b 'expect tick'
stop_ttyidle
exit 0
