#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# tmux inside an ssh session: the session's terminal only sees tmux redraw
# (output), so the ssh session is warned and hung up on time. The tmux server
# and its pane are out of scope (multiplexer) and survive untouched, and a
# new ssh login reattaches to the same tmux session and detaches cleanly.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
CONF
ssh_login c alice
type_keys c 'tmux -u new -s w\n'
quiet pty_cmd c 'expect [w]'
poll_for 10 has_urec alice multiplexer || fail "no record of the tmux pane: $(status_objs)"
rs=$(urec alice sshd) rp=$(urec alice multiplexer)
log "ssh terminal: $rs"
log "tmux pane:    $rp"
assert_eq out-of-scope "$(jfield state "$rp")" "state of the pane"
assert_eq global "$(jfield rule "$rs")" "rule of the ssh terminal"
pane_tty=$(jfield tty "$rp")
pane_leader=$(jfield session "$rp")
deadline=$(($(in_ms "$rs") + 6000))
server=$(pids_of 'tmux: server')
[ -n "$server" ] || fail "no tmux server process"
log "tmux server pid $server, pane $pane_tty (shell $pane_leader)"

log "the ssh session ends at its deadline"
wait_for 10 has_audit warn alice
ended_within c "$deadline" 15
t=$(audit_line terminate alice)
log "$t"
assert_match "TTY=$(jfield tty "$rs") SESSION=$(jfield session "$rs") .*SERVICE=sshd .*ACTION=hangup OUTCOME=\"terminal hung up;" "$t" "terminate record"
assert_eq 1 "$(audit_count terminate alice)" "terminate records"
[ -n "$pane_tty" ] || fail "the pane's terminal is unknown"
assert_eq 0 "$(grep -c "TTY=$pane_tty " "$TTYIDLE_LOG")" "records about the pane"

log "the tmux server and its pane survive"
assert_ok alive "$server"
assert_ok alive "$pane_leader"
assert_eq out-of-scope "$(jfield state "$(urec alice multiplexer)")" "state of the pane"

log "a new login reattaches"
pty_start d open timeout 20000
quiet pty_cmd d 'spawn ssh -tt alice@127.0.0.1 tmux -u attach -t w'
quiet pty_cmd d 'expect [w]'
type_keys d 'echo RE""ATTACHED $(tty)\n'
quiet pty_cmd d "expect REATTACHED /dev/$pane_tty"
type_keys d '\x02d'
quiet pty_cmd d 'expect detached'
x=$(pty_cmd d reap)
log "$x"
assert_match '^exit id=0 status=0 ms=[0-9]+$' "$x" "ssh after detaching"
assert_ok alive "$server"
assert_ok alive "$pane_leader"
stop_ttyidle
exit 0
