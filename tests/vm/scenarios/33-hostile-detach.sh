#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Hostile user, sessions and terminals of her own (issue "No user can escape
# enforcement", point 8).
#   d  alice detaches background work the allowed ways: `setsid sh -c ...`
#      and a detached tmux session, then idles. The work runs on outside her
#      login (like tmux, it is not the idle login) and survives untouched; the
#      idle login itself is ended on time.
#   n  alice's login shell gives up its controlling terminal (TIOCNOTTY, by
#      exec'ing ptyctl's notty step), then becomes `sleep` while a `cat` of
#      hers keeps the terminal open and reads it. The terminal has no session
#      any more, but it is still her idle login: it is hung up on time and the
#      ssh client exits. A root process that merely holds her terminal open
#      (not in her session) gets no signal.
# On time: not before last input + idle-timeout, at most 2 s after. Processes
# of bob and root elsewhere get no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
signal-delays = 2s 2s
CONF
bystander_start bob bob
bystander_start root root
ssh_logins d:alice n:alice
tty_d=$(remote_tty d) tty_n=$(remote_tty n)
log "terminals: d $tty_d, n $tty_n"
bystander_start roottty root "/dev/$tty_n"

log "d: detached work"
type_keys d "setsid sh -c 'exec sleep 1005' </dev/null >/dev/null 2>&1 & tmux new -d -s bg 'echo PANE; exec sleep 1006'; echo DE\"\"TACHED\\n"
quiet pty_cmd d 'expect DETACHED'
log "n: the login shell drops its terminal; a cat keeps reading it"
# (an asynchronous list's stdin is /dev/null unless redirected: fd 3 keeps the terminal)
type_keys n "exec ptyctl notty exec 'exec 3<&0; cat <&3 >/dev/null 3<&- & exec sleep 1007'\\n"
quiet pty_cmd n 'expect exec pid='
snap=$(status_objs)
rd=$(tty_rec "$tty_d" "$snap") rn=$(tty_rec "$tty_n" "$snap")
need_rec "$tty_d" "$rd"
need_rec "$tty_n" "$rn"
log "d: $rd"
log "n: $rn"
deadline_d=$(($(in_ms "$rd") + 6000)) deadline_n=$(($(in_ms "$rn") + 6000))
sid_d=$(jfield session "$rd") sid_n=$(jfield session "$rn")
assert_eq 0 "$(awk '{ print $7 }' "/proc/$sid_n/stat")" "controlling terminal of alice's leader $sid_n after TIOCNOTTY"
cat_runs() {
	[ -n "$(pids_of cat)" ]
}
wait_for 5 cat_runs
members_n=$(session_pids "$sid_n" | tr '\n' ' ')
log "n: session $sid_n: $(describe_pids $members_n)"

for p in /proc/[0-9]*; do
	case $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) in
	'sleep 1005 ') outsider=${p#/proc/} ;;
	'sleep 1006 ') pane=${p#/proc/} ;;
	esac
done
server=$(pids_of 'tmux: server')
[ -n "$outsider" ] || fail "no setsid'd sleep"
[ -n "$pane" ] || fail "no sleep in the tmux pane"
[ -n "$server" ] || fail "no tmux server"
log "d: outside the login: setsid'd sleep $outsider (session $(proc_sid "$outsider")), tmux server $server, pane $pane (session $(proc_sid "$pane"))"
assert_ne "$sid_d" "$(proc_sid "$outsider")" "session of the setsid'd sleep"
poll_for 10 has_urec alice multiplexer || fail "no record of the tmux pane: $(status_objs)"
rp=$(urec alice multiplexer)
log "pane: $rp"
assert_eq out-of-scope "$(jfield state "$rp")" "state of the tmux pane"
tty_p=$(jfield tty "$rp")

# ended NAME TTY DEADLINE: warned, ended on time by a hangup
ended() {
	ended_by "$1" "$3" "$2"
	[ -n "$(tty_audit warn "$2")" ] || fail "$1: no warn record for $2"
	t=$(tty_audit terminate "$2")
	log "$t"
	assert_match 'ACTION=hangup OUTCOME="terminal hung up; ' "$t" "$1: terminate record of $2"
}

# emptied SID DEADLINE: no process of the session is left 7 s after the deadline
emptied() {
	# shellcheck disable=SC2046 # the pids are words
	poll_until $(($2 + 7000)) count_is 0 session_pids "$1" ||
		fail "session $1 still has $(describe_pids $(session_pids "$1"))$(($(uptime_ms) - $2)) ms after its deadline"
}

soft d-ended ended d "$tty_d" "$deadline_d"
soft n-ended ended n "$tty_n" "$deadline_n"
soft n-emptied emptied "$sid_n" "$deadline_n"

log "d: the detached work survives"
# detached DESC PID: still runs
detached() {
	alive "$2" || fail "$1 (pid $2) was ended"
}
soft d-setsid detached "setsid'd sleep" "$outsider"
soft d-tmux-server detached "tmux server" "$server"
soft d-tmux-pane detached "tmux pane" "$pane"
soft d-pane-records assert_eq 0 "$(grep -c "TTY=$tty_p " "$TTYIDLE_LOG")" "records about the tmux pane $tty_p"
bystanders_check
soft_end
stop_ttyidle
exit 0
