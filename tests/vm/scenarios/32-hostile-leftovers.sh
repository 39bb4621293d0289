#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 130
# Hostile user, processes that outlive the terminal (issue "No user can escape
# enforcement", point 8). action = hangup, signal-delays = 2s 2s.
#   h  alice leaves three background jobs that hold no fd on the terminal and
#      ignore SIGHUP (busybox has no nohup: a subshell with `trap '' HUP` does
#      what nohup does), one of them SIGTERM too, then idles.
#   k  alice leaves one such job, is warned, and her login shell dies during
#      the warning (she kills it herself), so the terminal is released early
#      while the job lives on in her session.
#   j  the same, but her job keeps the terminal open (its fds are on it), so
#      the terminal is never released: the daemon finds the leader gone at
#      the deadline and must end what remains of the session all the same.
# Either way the hangup alone ends nothing that matters and the terminal goes
# away: escalation must go on (SIGTERM, SIGKILL) until no process of the
# session remains, the records must say so, and EVENT=ended (in particular
# "terminal released") must come only once no process of the session is left.
# h's login is ended on time (not before last input + 9 s, at most 2 s
# after); the leftovers of either are dead within the signal delays + 3 s of
# the deadline, and not ended before it. Processes of bob and root elsewhere
# get no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 9s
warn-before = 5s
signal-delays = 2s 2s
CONF
bystander_start bob bob
bystander_start root root
ssh_logins h:alice k:alice j:alice
tty_h=$(remote_tty h) tty_k=$(remote_tty k) tty_j=$(remote_tty j)
log "terminals: h $tty_h, k $tty_k, j $tty_j"

log "background jobs that ignore SIGHUP and hold no fd on the terminal"
type_keys h "(trap '' HUP; exec sleep 1001) </dev/null >/dev/null 2>&1 & sh -c 'trap \"\" HUP; exec sleep 1002' </dev/null >/dev/null 2>&1 & sh -c 'trap \"\" HUP TERM; exec sleep 1003' </dev/null >/dev/null 2>&1 & echo JO\"\"BS=\$\$=\\n"
jobs_h=$(pty_cmd h 'expect JOBS=')
type_keys k "(trap '' HUP; exec sleep 1004) </dev/null >/dev/null 2>&1 & echo JO\"\"BS=\$\$=\\n"
jobs_k=$(pty_cmd k 'expect JOBS=')
type_keys j "(trap '' HUP; exec sleep 1006) & echo JO\"\"BS=\$\$=\\n"
jobs_j=$(pty_cmd j 'expect JOBS=')
sid_h=$(printf '%s\n' "$jobs_h" | sed -n 's/.*JOBS=\([0-9]*\)=.*/\1/p' | tail -n1)
sid_k=$(printf '%s\n' "$jobs_k" | sed -n 's/.*JOBS=\([0-9]*\)=.*/\1/p' | tail -n1)
sid_j=$(printf '%s\n' "$jobs_j" | sed -n 's/.*JOBS=\([0-9]*\)=.*/\1/p' | tail -n1)
snap=$(status_objs)
rh=$(tty_rec "$tty_h" "$snap") rk=$(tty_rec "$tty_k" "$snap") rj=$(tty_rec "$tty_j" "$snap")
need_rec "$tty_h" "$rh"
need_rec "$tty_k" "$rk"
need_rec "$tty_j" "$rj"
log "h: $rh"
log "k: $rk"
assert_eq "$sid_h" "$(jfield session "$rh")" "session of $tty_h"
assert_eq "$sid_k" "$(jfield session "$rk")" "session of $tty_k"
assert_eq "$sid_j" "$(jfield session "$rj")" "session of $tty_j"
deadline_h=$(($(in_ms "$rh") + 9000)) deadline_k=$(($(in_ms "$rk") + 9000))
deadline_j=$(($(in_ms "$rj") + 9000))
wait_for 5 count_is 4 session_pids "$sid_h"
wait_for 5 count_is 2 session_pids "$sid_k"
wait_for 5 count_is 2 session_pids "$sid_j"
left_h=$(session_pids "$sid_h" | grep -vx "$sid_h" | tr '\n' ' ')
left_k=$(session_pids "$sid_k" | grep -vx "$sid_k" | tr '\n' ' ')
left_j=$(session_pids "$sid_j" | grep -vx "$sid_j" | tr '\n' ' ')
log "h: session $sid_h, leftovers-to-be: $(describe_pids $left_h)"
log "k: session $sid_k, leftovers-to-be: $(describe_pids $left_k)"

warned() {
	[ -n "$(tty_audit warn "$1")" ]
}
for x in k j; do
	eval "tty=\$tty_$x sid=\$sid_$x deadline=\$deadline_$x left=\$left_$x"
	log "$x: warned, then alice kills her own login shell"
	wait_for 10 warned "$tty"
	[ "$(uptime_ms)" -lt $((deadline - 300)) ] ||
		fail "setup: $x's warning came too late to kill the leader during it: $(tty_records "$tty")"
	su -s /bin/sh alice -c "kill -KILL $sid"
	wait_for 5 _gone "$sid"
	log "$x: leader $sid gone $((deadline - $(uptime_ms))) ms before the deadline; left: $(describe_pids $left)"
done

# Watch both sessions until their leftovers are gone and EVENT=ended is
# there (or 10 s past the later deadline: SIGKILL is due 4 s after it, the
# report 2 s later). Per session X, /tmp/lo.X.* note when the leftovers were
# all gone (gone), when a terminate record was first seen (term), and the
# first EVENT=ended seen while a leftover still ran (viol).
until=$((deadline_h > deadline_k ? deadline_h + 10000 : deadline_k + 10000))
until=$((deadline_j + 10000 > until ? deadline_j + 10000 : until))
rm -f /tmp/lo.*
while [ "$(uptime_ms)" -lt "$until" ]; do
	done_all=1
	for x in h k j; do
		eval "tty=\$tty_$x left=\$left_$x"
		# the log first, then the processes: a record seen before a
		# process that still runs was written while it ran
		e=$(tty_audit ended "$tty")
		[ -e /tmp/lo.$x.term ] || [ -z "$(tty_audit terminate "$tty")" ] || uptime_ms >/tmp/lo.$x.term
		alive_now=$(describe_pids $left)
		if [ -n "$alive_now" ]; then
			done_all=0
			[ -n "$e" ] && [ ! -e /tmp/lo.$x.viol ] &&
				echo "$e -- while $alive_now still ran" >/tmp/lo.$x.viol
		else
			[ -e /tmp/lo.$x.gone ] || uptime_ms >/tmp/lo.$x.gone
			[ -n "$e" ] || done_all=0
		fi
	done
	[ $done_all = 1 ] && break
	sleep 0.1
done

# leftovers X SID DEADLINE LEFT: the session's leftovers were ended, and said so.
leftovers() {
	eval "tty=\$tty_$1"
	if [ -e /tmp/lo.$1.viol ]; then
		tty_records "$tty"
		fail "$1: EVENT=ended on $tty while processes of session $2 still ran: $(cat /tmp/lo.$1.viol)"
	fi
	[ -e /tmp/lo.$1.gone ] || {
		tty_records "$tty"
		fail "$1: processes of session $2 still alive $(($(uptime_ms) - $3)) ms after the deadline: $(describe_pids $4)"
	}
	g=$(cat /tmp/lo.$1.gone)
	log "$1: leftovers gone $((g - $3)) ms after the deadline"
	assert_le 7000 $((g - $3)) "$1: ms from the deadline until the leftovers were gone"
	[ -e /tmp/lo.$1.term ] || {
		tty_records "$tty"
		fail "$1: no terminate record for $tty"
	}
	assert_ge -100 $(($(cat /tmp/lo.$1.term) - $3)) "$1: terminate record in ms after the deadline (not before)"
	steps=$(grep -E "EVENT=(terminate|escalate) USER=alice UID=1000 TTY=$tty SESSION=$2 " "$TTYIDLE_LOG")
	log "$steps"
	assert_match 'OUTCOME="[^"]*SIG(HUP|TERM|KILL) sent to [1-9][0-9]* process' "$steps" "$1: a step that reached the leftovers"
	e=$(tty_audit ended "$tty")
	[ -n "$e" ] || {
		tty_records "$tty"
		fail "$1: no EVENT=ended record for $tty once its session was empty"
	}
	log "$e"
	assert_match "SESSION=$2 " "$e" "$1: ended record"
}

soft h-ended ended_by h "$deadline_h" "$tty_h"
soft h-leftovers leftovers h "$sid_h" "$deadline_h" "$left_h"
soft k-leftovers leftovers k "$sid_k" "$deadline_k" "$left_k"
soft j-leftovers leftovers j "$sid_j" "$deadline_j" "$left_j"
# sigkilled X: the job ignoring SIGTERM too needed the SIGKILL step
sigkilled() {
	eval "tty=\$tty_$1"
	k=$(grep -E "EVENT=escalate USER=alice UID=1000 TTY=$tty .*OUTCOME=\"SIGKILL sent to [1-9]" "$TTYIDLE_LOG")
	[ -n "$k" ] || fail "$1: no EVENT=escalate record of a SIGKILL step on $tty"
}
soft h-sigkill sigkilled h
bystanders_check
soft_end
stop_ttyidle
exit 0
