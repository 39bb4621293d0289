#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Hostile timing: the daemon restarts while a login is in its warning (issue
# "No user can escape enforcement", point 8; alice may time her idleness
# against a package upgrade, a reload gone wrong, a crash). The warning
# given stands: the session still ends at its original deadline (last input
# + idle-timeout, at most 2 s late, never before), with no second warning,
# which would also move the deadline to one warn-before after it. Once with
# a clean stop (SIGTERM, as `systemctl restart` does), once with SIGKILL.
# Processes of bob and root elsewhere get no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 10s
warn-before = 6s
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
	start_ttyidle --config "$TTYIDLE_CONF" --config-dir /tmp/none
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
bystanders_check
soft_end
stop_ttyidle
exit 0
