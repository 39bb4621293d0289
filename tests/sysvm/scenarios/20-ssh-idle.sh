#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# A real `ssh -tt alice@127.0.0.1` (sshd with UsePAM yes, a logind session,
# a utmp record) left idle is warned on its terminal and ended on time by
# the packaged service; a tmux server alice started in it survives (scope =
# login; logind's KillUserProcesses=no, Debian's default: see 60-logind).
# Each record is found in the journal by its MESSAGE_ID, from
# ttyidle.service, with every field of its text as a journal field of the
# same value.
. /sysvm/lib.sh

wait_for 20 is_active
ssh_login a alice
loginctl list-sessions --no-legend
who
sess=$(loginctl list-sessions --no-legend | awk '$3 == "alice" { print $1 }' | tail -n1)
[ -n "$sess" ] || fail "alice's ssh login has no logind session"
assert_eq sshd "$(loginctl show-session -P Service "$sess")" "logind session's service"
who | grep -q '^alice ' || fail "no utmp record for alice"
type_line a "tmux new-session -d -s keep 'sleep 100000'; echo TM""UX-OK"
pty_cmd a 'expect TMUX-OK' >/dev/null
t_typed=$(uptime_ms)
type_line a "echo IDLE""-FROM-HERE"
pty_cmd a 'expect IDLE-FROM-HERE' >/dev/null
t_seen=$(uptime_ms)
runuser -u alice -- tmux has-session -t keep || fail "tmux session did not start"

# idle-timeout 8s, warn-before 3s (10-install)
pty_cmd a 'expect will be ended in' >/dev/null || fail "no warning on the terminal"
t_warn=$(uptime_ms)
log "warned $((t_warn - t_seen)) ms after the last input"
exit_at a 20
at=$AT
late_hi=$((at - t_typed - 8000)) late_lo=$((at - t_seen - 8000))
note "ssh client exited ${late_lo}..${late_hi} ms after the deadline"
assert_ge -200 "$late_hi" "not ended before the deadline"
assert_le 2500 "$late_lo" "ended within 2.5 s of the deadline (ms)"
wait_for 10 session_closed "$sess"
log "logind session $sess: $(loginctl show-session -P State "$sess" 2>&1)"
runuser -u alice -- tmux has-session -t keep || fail "alice's tmux server did not survive"
log "tmux survived: $(pgrep -u alice -a tmux)"

# records, by MESSAGE_ID, from the unit
check_rec() { # NAME MESSAGE_ID PRIORITY REQUIRED-FIELDS...
	local name=$1 mid=$2 prio=$3 f msg ex k v
	shift 3
	wait_for 10 has_journal MESSAGE_ID="$mid" USER=alice _SYSTEMD_UNIT=ttyidle.service
	ex=$(journalctl -q --no-pager -o export -n 1 MESSAGE_ID="$mid" USER=alice _SYSTEMD_UNIT=ttyidle.service | tr -d '\000')
	msg=$(printf '%s\n' "$ex" | sed -n 's/^MESSAGE=//p')
	log "$name: $msg"
	for f in "$@"; do
		printf '%s\n' "$ex" | grep -q "^$f=" || fail "$name record lacks field $f"
	done
	# every KEY=value of the text (bare values) is a journal field too
	for kvp in $(printf '%s\n' "$msg" | grep -oE '(^| )[A-Z_]+=[^ "]+' ); do
		k=${kvp%%=*} v=${kvp#*=}
		printf '%s\n' "$ex" | grep -qxF "$k=$v" || fail "$name: journal field $k is not '$v'"
	done
	assert_eq "$prio" "$(printf '%s\n' "$ex" | sed -n 's/^PRIORITY=//p')" "$name PRIORITY"
	assert_eq ttyidle "$(printf '%s\n' "$ex" | sed -n 's/^SYSLOG_IDENTIFIER=//p')" "$name SYSLOG_IDENTIFIER"
}
# every field, and the ids that join it with logind's and the audit log's
base="EVENT USER UID TTY SESSION LEADER SERVICE REMOTE REMOTE_SRC LOGIND_SESSION AUDIT_SESSION LOGINUID CLOCK RULE ACTION"
# priorities: warn and terminate notice (5), ended info (6)
check_rec warn $MID_WARN 5 $base OUTCOME
check_rec terminate $MID_TERMINATE 5 $base IDLE_SEC OUTCOME
check_rec ended $MID_ENDED 6 EVENT USER UID TTY SESSION LOGIND_SESSION AUDIT_SESSION LOGINUID
assert_eq sshd "$(jfield SERVICE MESSAGE_ID=$MID_TERMINATE USER=alice)" "SERVICE"
assert_eq 127.0.0.1 "$(jfield REMOTE MESSAGE_ID=$MID_TERMINATE USER=alice)" "REMOTE"
runuser -u alice -- tmux kill-server
exit 0
