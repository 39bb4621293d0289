#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# action = signal escalates: alice's shell and a background job ignore SIGHUP
# and SIGTERM, so at the deadline the session gets SIGHUP, signal-delays
# later SIGTERM, then SIGKILL, which ends it; every step is an audit record
# counting the processes it reached, spaced by the configured delays. A
# process alice moved into a session of its own (setsid) is not part of the
# idle session and is left running.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
action = signal
signal-delays = 2s 2s
CONF
ssh_login c alice
type_keys c "trap '' HUP TERM; sleep 1000 & setsid sleep 999 & echo JO\"\"BS\\n"
quiet pty_cmd c 'expect JOBS'
r=$(urec alice)
log "$r"
leader=$(jfield session "$r")
deadline=$(($(in_ms "$r") + 6000))
wait_for 5 count_is 2 pids_of sleep
for p in $(user_procs alice); do
	sid=$(awk '{ print $6 }' /proc/"$p"/stat)
	log "alice's pid $p: $(cat /proc/"$p"/comm), session $sid"
	[ "$(cat /proc/"$p"/comm)" = sleep ] && [ "$sid" != "$leader" ] && outsider=$p
done
[ -n "$outsider" ] || fail "setsid sleep did not leave the session"

log "warned, then escalated step by step"
wait_for 10 has_audit warn alice
assert_match 'ACTION=signal OUTCOME=delivered' "$(audit_line warn alice)" "warn record"
wait_for 10 has_audit terminate alice
t_hup=$(uptime_ms)
wait_for 5 has_audit escalate alice
t_term=$(uptime_ms)
poll_for 5 audit_count_is 2 escalate alice
t_kill=$(uptime_ms)
grep "USER=alice " "$TTYIDLE_LOG" | while read -r l; do log "$l"; done
log "steps seen $((t_hup - deadline)) ms after the deadline, then after $((t_term - t_hup)) and $((t_kill - t_term)) ms"
assert_eq 2 "$(audit_count escalate alice)" "escalate records"
assert_ge -100 $((t_hup - deadline)) "SIGHUP step after the deadline (ms)"
assert_le 2000 $((t_hup - deadline)) "SIGHUP step after the deadline (ms)"
# (seen by polling the log: each step may be seen up to a few 100 ms late)
# upper bounds are sanity only: the test sees each step by polling the log, late on a loaded host
assert_ge 1400 $((t_term - t_hup)) "ms from SIGHUP to SIGTERM"
assert_le 4500 $((t_term - t_hup)) "ms from SIGHUP to SIGTERM"
assert_ge 1400 $((t_kill - t_term)) "ms from SIGTERM to SIGKILL"
assert_le 4500 $((t_kill - t_term)) "ms from SIGTERM to SIGKILL"
assert_ge 3500 $((t_kill - t_hup)) "ms from SIGHUP to SIGKILL"
assert_le 7000 $((t_kill - t_hup)) "ms from SIGHUP to SIGKILL"
pre="EVENT=[a-z]+ USER=alice UID=1000 TTY=pts/[0-9]+ SESSION=$leader LEADER=sh SERVICE=sshd .*IDLE_SEC=6 CLOCK=input RULE=global ACTION=signal"
assert_match "$pre OUTCOME=\"SIGHUP sent to 2 processes\"" "$(audit_line terminate alice)" "SIGHUP step"
esc=$(grep 'EVENT=escalate USER=alice ' "$TTYIDLE_LOG")
assert_match "$pre OUTCOME=\"SIGTERM sent to 2 processes\"" "$(echo "$esc" | head -n1)" "SIGTERM step"
assert_match "$pre OUTCOME=\"SIGKILL sent to 2 processes\"" "$(echo "$esc" | tail -n1)" "SIGKILL step"

log "ended by SIGKILL; the process outside the session is left"
wait_exit c 10
wait_for 5 has_audit ended alice
assert_match "$pre OUTCOME=\"(terminal released|ended [0-9.]+s after the deadline)\"" "$(audit_line ended alice)" "ended record"
wait_for 5 session_empty "$leader"
assert_ok alive "$outsider"
no_audit survivor alice
stop_ttyidle
exit 0
