#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# Hardening sysctls of a container host (README, "Hardened hosts"):
# kernel.unprivileged_bpf_disabled=1, kernel.perf_event_paranoid=3 and Yama's
# kernel.yama.ptrace_scope=3 (no ptrace at all; it cannot be lowered again
# until reboot, so this runs last). The daemon, started again from scratch
# under them (programs unloaded), attaches in this VM's mode, resolves an ssh
# login (its master's holder is read through /proc/PID/exe, which needs
# PTRACE_MODE_READ, not the attach Yama restricts), warns it and ends it
# within 2 s of its deadline.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

set_sysctl() { # NAME VALUE: set, and read back (a knob this kernel lacks is logged)
	_p=/proc/sys/$(echo "$1" | tr . /)
	if [ ! -e "$_p" ]; then
		log "$1: not on this kernel"
		return 0
	fi
	echo "$2" >"$_p" || fail "cannot set $1 to $2"
	assert_eq "$2" "$(cat "$_p")" "$1"
	log "$1 = $2"
}

quiet ttyidle unload
set_sysctl kernel.unprivileged_bpf_disabled 1
set_sysctl kernel.perf_event_paranoid 3
set_sysctl kernel.yama.ptrace_scope 3

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
CONF
ssh_login c alice
wait_for 10 has_urec alice
rec=$(urec alice)
log "$rec"
assert_eq master "$(jfield login "$rec")" "login evidence (sshd serves the master)"
assert_eq sshd "$(jfield service "$rec")" "service"
last_in_ms=$(in_ms "$rec")
pty_cmd c 'expect will be ended in' >/dev/null
ended_within c $((last_in_ms + 6000)) 15
t=$(audit_line terminate alice)
log "$t"
assert_match 'SERVICE=sshd .*ACTION=hangup OUTCOME="terminal hung up; ' "$t" "terminate record"
stop_ttyidle
exit 0
