# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: GPL-2.0
# Helpers for tests/sysvm/scenarios/*.sh (bash, as root, in the systemd host
# VM). The daemon is only ever driven through systemctl and dpkg, and read
# through journalctl (and `ttyidle status`, its documented read-only view).
set -u

# MESSAGE_IDs of the records (user/daemon/audit.c: never change)
MID_WARN=5b4c1a7e2d9f4e61a3c0b8d7f2e9a104
MID_TERMINATE=c3a9e1f07b5d4c28916e2a4d8b7f0c55
MID_ENDED=2d7f4b9c6e1a4385a0c9d3e7f1b2c846

log() { echo "$*"; }
# note: a measurement, shown by run.sh even when the scenario passes
note() { echo "note: $*"; }
fail() {
	echo "FAIL: $*"
	exit 1
}
assert_eq() { [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"; }
assert_match() { [[ $2 =~ $1 ]] || fail "$3: '$2' does not match /$1/"; }
assert_le() { [ "$2" -le "$1" ] || fail "$3: $2 > $1"; }
assert_ge() { [ "$2" -ge "$1" ] || fail "$3: $2 < $1"; }

# poll_for SECONDS CMD...: CMD succeeds within SECONDS (tried every 0.2 s).
poll_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}
wait_for() {
	local s=$1
	shift
	poll_for "$s" "$@" || fail "not within ${s}s: $*"
}

# uptime_ms: CLOCK_BOOTTIME in ms (ptyctl's exit times use the same clock)
uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# ---- the service, through systemctl --------------------------------------------
prop() { systemctl show -P "$1" ttyidle.service; }
is_active() { [ "$(systemctl is-active ttyidle.service)" = active ]; }

# policy FILE: a drop-in of /etc/ttyidle.conf.d from stdin
policy() {
	mkdir -p /etc/ttyidle.conf.d
	cat >"/etc/ttyidle.conf.d/$1"
}

# attach_dropin: the shipped unit, only `--attach MODE` added to its ExecStart
attach_dropin() {
	mkdir -p /etc/systemd/system/ttyidle.service.d
	printf '[Service]\nExecStart=\nExecStart=/usr/sbin/ttyidle run --attach=%s\n' \
		"$SYSVM_ATTACH" >/etc/systemd/system/ttyidle.service.d/50-sysvm-attach.conf
	systemctl daemon-reload
}

# jcount ARGS...: how many journal entries match (journalctl matches)
jcount() { journalctl -q --no-pager -o cat "$@" | wc -l; }
# jlast FIELD ARGS...: FIELD of the last entry matching
jfield() {
	local f=$1
	shift
	journalctl -q --no-pager -o export -n 1 "$@" | tr -d '\000' | sed -n "s/^$f=//p"
}
has_journal() { [ "$(jcount "$@")" -gt 0 ]; }

# ---- terminals: ssh logins driven by ptyctl (tests/vm/progs/ptyctl.c) -----------
pty_start() {
	local n=$1
	shift
	rm -f "/tmp/pty.$n.in" "/tmp/pty.$n.out"
	ptyctl "$@" serve "/tmp/pty.$n.in" >"/tmp/pty.$n.out" 2>&1 &
	echo $! >"/tmp/pty.$n.pid"
	poll_for 10 grep -q '^serve ' "/tmp/pty.$n.out" || {
		cat "/tmp/pty.$n.out"
		fail "ptyctl $* did not start"
	}
}
_pty_moved() { [ "$(wc -l <"$1")" -gt "$2" ]; }
pty_cmd() {
	local f=/tmp/pty.$1.out before new
	before=$(wc -l <"$f")
	echo "$2" >"/tmp/pty.$1.in"
	poll_for 90 _pty_moved "$f" "$before" || fail "ptyctl $1: no answer to '$2'"
	new=$(tail -n +"$((before + 1))" "$f")
	printf '%s\n' "$new"
	case $new in *ptyctl:*) fail "ptyctl $1: '$2' failed: $new" ;; esac
}
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n1; }

# ssh_login NAME USER: a real `ssh -tt USER@127.0.0.1` on a PTY, through
# sshd, PAM and logind; returns once the remote shell answered.
ssh_login() {
	pty_start "$1" open timeout 60000
	pty_cmd "$1" "spawn ssh -tt $2@127.0.0.1" >/dev/null
	pty_cmd "$1" 'wm echo RE""ADY\n' >/dev/null
	pty_cmd "$1" 'expect READY' >/dev/null
}
type_line() { pty_cmd "$1" "wm $2\\n" >/dev/null; }
# exit_at NAME SECONDS: the ssh client exits within SECONDS (or the scenario
# fails); sets AT to when it exited (CLOCK_BOOTTIME ms, noted by ptyctl as it
# happened). Not a command substitution: its failure must end the scenario.
exit_at() {
	local x
	AT=""
	pty_cmd "$1" "timeout $(($2 * 1000))" >/dev/null
	x=$(pty_cmd "$1" reap) || {
		echo "$x"
		fail "ssh client $1 did not exit within $2 s"
	}
	log "$x"
	AT=$(kv ms "$x")
	[[ $AT =~ ^[0-9]+$ ]] || fail "ssh client $1: no exit time in '$x'"
}
pty_stop() {
	echo quit >"/tmp/pty.$1.in" 2>/dev/null
	kill "$(cat "/tmp/pty.$1.pid")" 2>/dev/null
	wait "$(cat "/tmp/pty.$1.pid")" 2>/dev/null
	true
}
user_procs() { pgrep -u "$1" -c 2>/dev/null || echo 0; }
# session_closed ID: logind session ID is gone or closing (processes left in
# its scope, like a tmux server, keep it listed as closing)
session_closed() {
	local st
	st=$(loginctl show-session -P State "$1" 2>/dev/null) || return 0
	[ "$st" = closing ]
}

# flaw MSG: a failed check that lets the scenario go on (to show the rest);
# `finish` then exits non-zero.
FLAWS=0
flaw() {
	echo "FAIL: $*"
	FLAWS=$((FLAWS + 1))
}
finish() { exit $((FLAWS > 0)); }

# mono_of MATCH...: __MONOTONIC_TIMESTAMP (us) of the last journal entry matching
mono_of() { journalctl -q --no-pager -o export -n 1 "$@" | tr -d '\000' | sed -n 's/^__MONOTONIC_TIMESTAMP=//p'; }
