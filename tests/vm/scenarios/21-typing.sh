#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Typing keeps a session alive: an ssh login that gets a keystroke every 2 s
# for longer than its idle limit is never warned. Left idle it is warned, and
# one keystroke during the warning cancels the pending hangup at once: the
# cancel record names the clock and the process that wrote the keystroke
# (sshd), and the session is still there past the deadline it was warned of.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

# Records carry the leader's audit session and login uid, for joining with
# the audit log only. This image's sshd has no pam_loginuid, so this script
# sets its own (unset, so any process may: why they decide nothing), and
# sshd and the login inherit them.
asid=
if [ -e /proc/$$/loginuid ]; then
	echo 1000 >/proc/$$/loginuid || fail "cannot set this script's loginuid"
	asid=$(cat /proc/$$/sessionid)
	log "audit session $asid, loginuid $(cat /proc/$$/loginuid)"
else
	log "no /proc/PID/loginuid (kernel without CONFIG_AUDIT): records carry no audit ids"
fi

start_enforcing <<'CONF'
[global]
idle-timeout = 8s
warn-before = 4s
CONF
ssh_login c alice
wait_for 10 has_urec alice
rec=$(urec alice)
log "$rec"
leader=$(jfield session "$rec")
assert_eq global "$(jfield rule "$rec")" "rule"
assert_eq input "$(jfield clock "$rec")" "clock"

log "a keystroke every 2 s for 12 s (the limit is 8 s)"
start_ms=$(uptime_ms)
i=0
while [ $i -lt 6 ]; do
	sleep_until_ms $((start_ms + i * 2000))
	type_keys c " "
	i=$((i + 1))
done
sleep_until_ms $((start_ms + 12000))
no_audit warn alice
rec=$(urec alice)
log "$rec"
assert_eq active "$(jfield state "$rec")" "state after typing"
idle=$(($(uptime_ms) - $(in_ms "$rec")))
# about 2 s; loaded hosts stretch it, but below the 4 s warning point it still proves the typing counted
assert_le 3900 "$idle" "ms since the last keystroke reached the session"
assert_ok alive "$leader"

log "idle into the warning"
quiet pty_cmd c 'expect will be ended in'
wait_for 5 has_audit warn alice
rec=$(urec alice)
deadline=$(($(in_ms "$rec") + 8000))
writer=$(jfield writer_pid "$rec")
log "$(audit_line warn alice)"
assert_match 'CLOCK=input RULE=global ACTION=hangup OUTCOME=delivered' "$(audit_line warn alice)"

log "one keystroke cancels"
key_ms=$(uptime_ms)
type_keys c " "
wait_for 5 has_audit cancel alice
took=$(($(uptime_ms) - key_ms))
c=$(audit_line cancel alice)
log "$c (seen ${took} ms after the keystroke)"
assert_match "EVENT=cancel USER=alice UID=1000 TTY=pts/[0-9]+ SESSION=$leader .*CLOCK=input RULE=global ACTION=hangup OUTCOME=\"cancelled by input from pid $writer \\(sshd\\)\"" "$c" "cancel record"
if [ -n "$asid" ]; then
	assert_match " AUDIT_SESSION=$asid LOGINUID=1000 IDLE_SEC=" "$c" "audit ids in the cancel record"
	assert_eq "$asid" "$(cat /proc/"$leader"/sessionid)" "the leader's audit session"
else
	assert_no_match "AUDIT_SESSION=|LOGINUID=" "$c" "cancel record without audit ids"
fi
# the timer path would wait out the rest of the warning (4 s); this includes
# the harness's own polling, which a loaded CI host stretches
assert_le 3000 "$took" "ms from keystroke to cancel"
# seen before the deadline even with the harness's polling in it: not the timer's doing
[ $((key_ms + took)) -lt "$deadline" ] || fail "the cancel was seen only after the deadline"
assert_eq 1 "$(audit_count cancel alice)" "cancel records"
[ "$key_ms" -lt "$deadline" ] || fail "the keystroke came after the deadline"

log "past the deadline that was warned of"
sleep_until_ms $((deadline + 1500))
no_audit terminate alice
assert_ok alive "$leader"
check_alive c
rec=$(urec alice)
assert_eq active "$(jfield state "$rec")" "state after the cancel"
stop_ttyidle
exit 0
