# SPDX-License-Identifier: GPL-2.0
# Helpers for VM scenarios: `. /scenarios/lib.sh` at the top of a scenario.
#
# A scenario is /scenarios/NAME.sh run by /init under busybox sh, as root, in
# its own session, cwd /tmp, stdin /dev/null. Exit 0 = PASS; anything else,
# or running past its timeout (120 s, or `# timeout: N` in its first lines),
# = FAIL, and its output is shown on the host. Before each scenario /init
# kills every process, removes everything under /sys/fs/bpf and empties /tmp.
# Environment: TTYIDLE_ATTACH (auto|fentry|kprobe), KERNEL_RELEASE, SCENARIO.
#
# Users: root; alice (uid 1000, group staff); bob (uid 1001, groups bob,
# exempt). `ssh USER@127.0.0.1 CMD` works for all three once start_sshd ran
# (key and known host are set up in /etc/ssh/ssh_config).

# log MSG: a comment line in the scenario's output, stamped with the uptime.
log() {
	read -r _up _ </proc/uptime
	echo "# [$_up] $*"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# assert_eq EXPECTED GOT [WHAT]
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_ne UNEXPECTED GOT [WHAT]
assert_ne() {
	[ "$1" != "$2" ] || fail "${3:-value}: expected anything but '$1'"
}

# assert_match ERE TEXT [WHAT]
assert_match() {
	printf '%s\n' "$2" | grep -Eq -- "$1" ||
		fail "${3:-text}: expected to match /$1/, got: $2"
}

# assert_no_match ERE TEXT [WHAT]
assert_no_match() {
	! printf '%s\n' "$2" | grep -Eq -- "$1" ||
		fail "${3:-text}: expected no match for /$1/, got: $2"
}

# assert_ge MIN GOT [WHAT], assert_le MAX GOT [WHAT]: integers
assert_ge() {
	[ "$2" -ge "$1" ] 2>/dev/null || fail "${3:-value}: expected >= $1, got '$2'"
}

assert_le() {
	[ "$2" -le "$1" ] 2>/dev/null || fail "${3:-value}: expected <= $1, got '$2'"
}

# assert_file_match FILE ERE: some line of FILE matches.
assert_file_match() {
	[ -f "$1" ] || fail "expected file $1 to exist"
	grep -Eq -- "$2" "$1" || {
		echo "--- $1:"
		tail -n 30 "$1"
		fail "$1: expected a line matching /$2/"
	}
}

# assert_ok CMD...: CMD succeeds; its output is shown only if it does not.
assert_ok() {
	_out=$("$@" 2>&1) || {
		_rc=$?
		printf '%s\n' "$_out"
		fail "command failed (exit $_rc): $*"
	}
}

# assert_fails CMD...: CMD exits non-zero.
assert_fails() {
	_out=$("$@" 2>&1) && {
		printf '%s\n' "$_out"
		fail "command unexpectedly succeeded: $*"
	}
	return 0
}

# poll_for SECONDS CMD...: run CMD every 0.1 s until it succeeds (return 0)
# or SECONDS pass (return 1). Bounded polling: test scripts only.
poll_for() {
	_n=$(($1 * 10))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		_n=$((_n - 1))
		sleep 0.1
	done
	return 1
}

# wait_for SECONDS CMD...: like poll_for, but a timeout fails the scenario.
wait_for() {
	_secs=$1
	poll_for "$@" || fail "timed out after ${_secs}s waiting for: $(shift; echo "$*")"
}

# kv KEY TEXT: the value of KEY=value in a line of `key=value` words.
kv() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n1
}

# pids_of NAME: pids whose command name (comm) is NAME (busybox has no pgrep).
pids_of() {
	for _p in /proc/[0-9]*; do
		[ "$(cat "$_p/comm" 2>/dev/null)" = "$1" ] && echo "${_p#/proc/}"
	done
	return 0
}

# ---- sshd -------------------------------------------------------------------

# start_sshd [ARGS...]: start the real sshd on 127.0.0.1:22, log in /tmp/sshd.log.
start_sshd() {
	mkdir -p /run/sshd
	chmod 0755 /run/sshd
	rm -f /run/sshd.pid
	/usr/sbin/sshd -E /tmp/sshd.log "$@" || {
		cat /tmp/sshd.log
		fail "sshd did not start"
	}
	# sshd writes its pid file once it listens.
	poll_for 10 test -s /run/sshd.pid || {
		cat /tmp/sshd.log
		fail "sshd did not write /run/sshd.pid"
	}
}

stop_sshd() {
	[ -s /run/sshd.pid ] && kill "$(cat /run/sshd.pid)" 2>/dev/null
	rm -f /run/sshd.pid
}

# ---- ptyctl in the background -----------------------------------------------
# pty_start NAME [STEP...]: run `ptyctl STEP... serve FIFO` in the background;
# its output goes to /tmp/pty.NAME.out. Then pty_cmd NAME "STEP ARG" runs one
# more step and prints the line(s) it produced, e.g.
#   pty_start a open
#   line=$(pty_info a); dev=$(kv kdev "$line")
#   pty_cmd a 'wm ls\n'
#   pty_stop a

pty_start() {
	_name=$1
	shift
	rm -f "/tmp/pty.$_name.in" "/tmp/pty.$_name.out"
	ptyctl "$@" serve "/tmp/pty.$_name.in" >"/tmp/pty.$_name.out" 2>&1 &
	echo $! >"/tmp/pty.$_name.pid"
	poll_for 10 grep -q '^serve ' "/tmp/pty.$_name.out" || {
		cat "/tmp/pty.$_name.out"
		fail "ptyctl $* did not start"
	}
}

# pty_cmd NAME STEP: fails the scenario if ptyctl reports an error.
pty_cmd() {
	_f=/tmp/pty.$1.out
	_before=$(wc -l <"$_f")
	echo "$2" >"/tmp/pty.$1.in"
	poll_for 60 _pty_moved "$_f" "$_before" || fail "ptyctl $1: no answer to '$2'"
	_new=$(tail -n +"$((_before + 1))" "$_f")
	printf '%s\n' "$_new"
	case $_new in
	*ptyctl:*) fail "ptyctl $1: '$2' failed: $_new" ;;
	esac
}

_pty_moved() {
	[ "$(wc -l <"$1")" -gt "$2" ]
}

# pty_info NAME [ID]: the `pty` line of PTY ID (default: the last opened).
pty_info() {
	if [ -n "${2:-}" ]; then
		grep "^pty id=$2 " "/tmp/pty.$1.out" | tail -n1
	else
		grep '^pty ' "/tmp/pty.$1.out" | tail -n1
	fi
}

# pty_stop NAME: ptyctl closes its PTYs and exits.
pty_stop() {
	echo quit >"/tmp/pty.$1.in"
	_pid=$(cat "/tmp/pty.$1.pid")
	poll_for 10 _gone "$_pid" || kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}

# _gone PID: exited (a zombie not yet reaped counts as gone).
_gone() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}
