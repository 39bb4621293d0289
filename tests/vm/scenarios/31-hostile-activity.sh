#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# Hostile user, activity (issue "No user can escape enforcement", point 8):
# under a rule counting more than input, the daemon's own warning must not
# count as activity. Its bytes are not the session's output, but sshd reads
# them off the master (output-read) and the ssh client prints them; if that
# counted, every warning would cancel itself and the session would live
# forever, warned and cancelled in turn. alice's login falls under
# `activity = all`, bob's under `activity = input+output-read`; after logging
# in neither does anything. Each is warned once, never cancelled, and ended
# on time: not before its last activity (of the clocks its rule counts) +
# idle-timeout, at most 2 s after. Processes of bob and root elsewhere get no
# signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s

[rule all]
user = alice
activity = all

[rule outread]
user = bob
activity = input+output-read
CONF
bystander_start bob bob
bystander_start root root
ssh_logins a:alice b:bob
tty_a=$(remote_tty a) tty_b=$(remote_tty b)
# the prompt after the last command is output too: let it be read
sleep 1
snap=$(status_objs)
ra=$(tty_rec "$tty_a" "$snap") rb=$(tty_rec "$tty_b" "$snap")
need_rec "$tty_a" "$ra"
need_rec "$tty_b" "$rb"
log "alice: $ra"
log "bob:   $rb"
assert_eq all "$(jfield rule "$ra")" "alice's rule"
assert_eq outread "$(jfield rule "$rb")" "bob's rule"
deadline_a=$(($(last_ms "$ra" in_ns in_read_ns out_ns out_read_ns) + 6000))
deadline_b=$(($(last_ms "$rb" in_ns out_read_ns) + 6000))

# ended NAME USER TTY DEADLINE: warned once, never cancelled, ended on time.
ended() {
	ended_by "$1" "$4" "$3"
	assert_eq 1 "$(tty_audit_count warn "$3")" "$2: warn records of $3"
	t=$(tty_audit terminate "$3")
	log "$t"
	assert_match 'ACTION=hangup OUTCOME="terminal hung up; ' "$t" "$2: terminate record of $3"
}

# not_cancelled USER TTY: no cancel record; the warning was not taken for activity.
not_cancelled() {
	c=$(tty_audit_count cancel "$2")
	[ "$c" = 0 ] ||
		fail "$1: $c EVENT=cancel records on $2, nobody typed or printed anything: $(tty_audit cancel "$2" | sed 's/.*OUTCOME=/OUTCOME=/')"
}

soft alice-ended ended a alice "$tty_a" "$deadline_a"
soft bob-ended ended b bob "$tty_b" "$deadline_b"
soft alice-cancel not_cancelled alice "$tty_a"
soft bob-cancel not_cancelled bob "$tty_b"
bystanders_check
soft_end
stop_ttyidle
exit 0
