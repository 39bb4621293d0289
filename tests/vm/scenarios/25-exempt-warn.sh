#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Rules that do not end sessions. bob, in group exempt, falls under an
# `action = exempt` rule: no record of any kind, still alive past the limit.
# alice falls under an `action = warn` rule (audit mode): at the warning time
# and at the deadline the audit log says what would have happened
# (ACTION=warn, "not written", "not enforced"), but nothing is written on her
# terminal and nothing is ended; a keystroke afterwards is logged as cancel.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s

[rule exempt]
group = exempt
action = exempt

[rule audit]
user = alice
action = warn
CONF
ssh_logins b:bob a:alice
wait_for 5 has_urec bob
wait_for 5 has_urec alice
rb=$(urec bob) ra=$(urec alice)
log "$rb"
log "$ra"
assert_eq exempt "$(jfield rule "$rb")" "bob's rule"
assert_eq exempt "$(jfield state "$rb")" "bob's state"
assert_eq audit "$(jfield rule "$ra")" "alice's rule"
lb=$(jfield session "$rb") la=$(jfield session "$ra")
deadline_b=$(($(in_ms "$rb") + 6000))
deadline_a=$(($(in_ms "$ra") + 6000))
quiet pty_cmd a 'timeout 300'
quiet pty_cmd a rm

log "alice: the warning is logged, not written"
wait_for 10 has_audit warn alice
w=$(audit_line warn alice)
log "$w"
assert_match "EVENT=warn USER=alice UID=1000 TTY=pts/[0-9]+ SESSION=$la .*CLOCK=input RULE=audit ACTION=warn OUTCOME=\"not written \\(audit mode\\)\"" "$w" "warn record"

log "alice: the deadline is logged, nothing is enforced"
wait_for 10 has_audit terminate alice
late=$(($(uptime_ms) - deadline_a))
t=$(audit_line terminate alice)
log "$t (seen ${late} ms after the deadline)"
assert_match "EVENT=terminate USER=alice UID=1000 TTY=pts/[0-9]+ SESSION=$la .*IDLE_SEC=6 CLOCK=input RULE=audit ACTION=warn OUTCOME=\"not enforced \\(audit mode\\)\"" "$t" "terminate record"
assert_ge -100 "$late" "lateness (not before the deadline)"
assert_le 2000 "$late" "lateness (ms)"
sleep 1
assert_eq expired "$(jfield state "$(urec alice)")" "alice's state"
got=$(pty_cmd a rm)
log "$got"
assert_eq 'read-master id=0 n=0 data=' "$got" "what reached alice's terminal"
assert_ok alive "$la"
assert_eq 1 "$(audit_count terminate alice)" "terminate records"
no_audit escalate alice
no_audit ended alice
quiet pty_cmd a 'timeout 20000'
check_alive a
wait_for 5 has_audit cancel alice
log "$(audit_line cancel alice)"
assert_match 'RULE=audit ACTION=warn OUTCOME="cancelled by input from pid [0-9]+ \(sshd\)"' "$(audit_line cancel alice)" "cancel record"

log "bob: exempt, no records, alive past the limit"
sleep_until_ms $((deadline_b + 1000))
assert_eq 0 "$(grep -c 'USER=bob ' "$TTYIDLE_LOG")" "records about bob"
assert_ok alive "$lb"
check_alive b
stop_ttyidle
exit 0
