#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# A real `ssh -tt` login left idle is warned on its terminal, then hung up:
# sshd closes the connection, the shell is gone, within 2 s of the deadline,
# and every step left an audit record.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 8s
warn-before = 4s
CONF
ssh_login c alice
wait_for 10 has_urec alice
rec=$(urec alice)
log "$rec"
assert_eq sshd "$(jfield writer_comm "$rec" | sed 's/-session//')" "master writer"
last_in_ms=$(in_ms "$rec")

log "warning on the terminal"
pty_cmd c 'expect will be ended in'
wait_for 5 has_audit warn alice
w=$(audit_line warn alice)
log "$w"
assert_match 'TTY=pts/[0-9]+ SESSION=[0-9]+ .*SERVICE=sshd .*REMOTE=127.0.0.1 .*CLOCK=input RULE=global ACTION=hangup OUTCOME=delivered' "$w" "warn record"

log "ended"
ended_within c $((last_in_ms + 8000)) 15
wait_for 5 no_user_procs alice
t=$(audit_line terminate alice)
log "$t"
assert_match 'IDLE_SEC=[0-9]+ CLOCK=input RULE=global ACTION=hangup OUTCOME="terminal hung up; SIGHUP sent to [0-9]+ processes"' "$t" "terminate record"
wait_for 5 has_audit ended alice
stop_ttyidle
exit 0
