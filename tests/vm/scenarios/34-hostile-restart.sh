#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 150
# Hostile timing: the daemon restarts while a login is in its warning (issue
# "No user can escape enforcement", point 8; alice may time her idleness
# against a package upgrade, a reload gone wrong, a crash). The warning
# given stands: the session still ends at its original deadline (last input
# + idle-timeout, at most 2 s late, never before), with no second warning,
# which would also move the deadline to one warn-before after it. Once with
# a clean stop (SIGTERM, as `systemctl restart` does), once with SIGKILL.
# Then (c) it restarts after the hangup, while a job of alice's that ignores
# SIGHUP and SIGTERM (and holds no fd on the terminal, so the terminal is
# released) waits for the escalation: the new daemon carries it on from the
# `ending` map, so the job is SIGKILLed at the time the first daemon had set
# (deadline + 3 s + 3 s), not started over and not forgotten.
# Processes of bob and root elsewhere get no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 10s
warn-before = 6s
signal-delays = 3s 3s
CONF
bystander_start bob bob
bystander_start root root

warned() {
	[ -n "$(tty_audit warn "$1")" ]
}

# restart_in_warning NAME SIGNAL: log in as alice on ptyctl NAME, wait for
# the warning, let 3 s of it pass, stop the daemon with SIGNAL, start it
# again; the login must end at its first deadline, warned once.
restart_in_warning() {
	# only this part's records count (the terminal may be the last one's)
	audit_rotate
	ssh_login "$1" alice
	tty=$(remote_tty "$1")
	r=$(tty_rec "$tty")
	log "$1: $r"
	deadline=$(($(in_ms "$r") + 10000))
	wait_for 10 warned "$tty"
	log "$1: warned $((deadline - $(uptime_ms))) ms before the deadline: $(tty_audit warn "$tty" | sed 's/.*EVENT=/EVENT=/')"
	# 3 s into the 6 s warning: a second warning now would move the end
	# 3 s past the deadline; the daemon is back well before it
	sleep 3
	kill "-$2" "$TTYIDLE_PID"
	wait "$TTYIDLE_PID" 2>/dev/null
	log "$1: daemon stopped with SIG$2"
	start_ttyidle --config "$TTYIDLE_CONF" --config-dir ''
	log "$1: daemon running again, $((deadline - $(uptime_ms))) ms before the deadline"
	soft "$1-ended" ended_by "$1" "$deadline" "$tty"
	n=$(tty_audit_count warn "$tty")
	[ "$n" = 1 ] || {
		tty_records "$tty"
		echo "FAIL: $1: $n warn records for $tty: the restarted daemon warned again"
		SOFT_FAILED="$SOFT_FAILED $1-warned-once"
	}
	soft "$1-terminated" assert_match 'ACTION=hangup OUTCOME="terminal hung up; ' \
		"$(tty_audit terminate "$tty")" "$1: terminate record of $tty"
}

restart_in_warning a TERM
restart_in_warning b KILL

# restart_in_ending NAME: as above, but the daemon is killed just after the
# hangup, while alice's stubborn job waits for SIGKILL.
restart_in_ending() {
	audit_rotate
	ssh_login "$1" alice
	tty=$(remote_tty "$1")
	type_keys "$1" "sh -c 'trap \"\" HUP TERM; exec sleep 1005' </dev/null >/dev/null 2>&1 & echo JO\"\"BS=\$\$=\\n"
	sid=$(pty_cmd "$1" 'expect JOBS=' | sed -n 's/.*JOBS=\([0-9]*\)=.*/\1/p' | tail -n1)
	r=$(tty_rec "$tty")
	need_rec "$tty" "$r"
	deadline=$(($(in_ms "$r") + 10000))
	wait_for 5 count_is 2 session_pids "$sid"
	job=$(session_pids "$sid" | grep -vx "$sid" | tr '\n' ' ')
	log "$1: session $sid on $tty, job $(describe_pids $job)"
	wait_for 20 has_terminate "$tty"
	kill -KILL "$TTYIDLE_PID"
	wait "$TTYIDLE_PID" 2>/dev/null
	log "$1: daemon killed $(($(uptime_ms) - deadline)) ms after the deadline (hung up: $(tty_audit terminate "$tty" | sed 's/.*OUTCOME=/OUTCOME=/'))"
	start_ttyidle --config "$TTYIDLE_CONF" --config-dir ''
	grep -q 'taking over 1 endings under way' "$TTYIDLE_LOG" ||
		fail "$1: the restarted daemon took over no ending: $(tail -n 5 "$TTYIDLE_LOG")"
	poll_until $((deadline + 9000)) _no_pids $job
	gone=$(uptime_ms)
	left=$(describe_pids $job)
	[ -z "$left" ] || {
		tty_records "$tty"
		fail "$1: alice's job still alive $((gone - deadline)) ms after the deadline: $left"
	}
	log "$1: job gone $((gone - deadline)) ms after the deadline"
	# SIGKILL is due 6 s after the hangup: not before (it ignores SIGTERM)
	assert_ge 5500 $((gone - deadline)) "$1: ms from the deadline until the job was gone"
	assert_le 8000 $((gone - deadline)) "$1: ms from the deadline until the job was gone"
	assert_eq 1 "$(tty_audit_count warn "$tty")" "$1: warn records of $tty"
	assert_eq 1 "$(tty_audit_count terminate "$tty")" "$1: terminate records of $tty"
	assert_match 'OUTCOME="SIGKILL sent to 1 processes"' "$(tty_audit escalate "$tty")" \
		"$1: the last escalate record of $tty"
	wait_for 5 has_ended "$tty"
	log "$1: $(tty_audit ended "$tty" | sed 's/.*OUTCOME=/OUTCOME=/')"
}
has_terminate() {
	[ -n "$(tty_audit terminate "$1")" ]
}
has_ended() {
	[ -n "$(tty_audit ended "$1")" ]
}
_no_pids() {
	[ -z "$(describe_pids "$@")" ]
}
soft c-ending restart_in_ending c
bystanders_check
soft_end
stop_ttyidle
exit 0
