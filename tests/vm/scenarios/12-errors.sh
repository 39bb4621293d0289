#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# On a real kernel: one clear line and a non-zero exit for a kernel without
# BTF, bpffs not mounted, a second instance, and, on a kernel booted with
# lockdown=confidentiality (tests/vm/run.sh --append), kprobe mode.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

one_line_error() { # ERE CMD...
	_re=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	[ "$_rc" -ne 0 ] || fail "expected a non-zero exit from: $*"
	assert_eq 1 "$(printf '%s\n' "$_out" | wc -l)" "lines of error output ($_out)"
	assert_match "$_re" "$_out" "error line"
}

one_line_error '^ttyidle: run: kernel has no BTF \(/sys/kernel/btf/vmlinux' \
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec ttyidle run'
one_line_error '^ttyidle: run: bpffs not mounted at /sys/fs/bpf' \
	unshare -m sh -c 'umount /sys/fs/bpf && exec ttyidle run'
assert_fails test -e /sys/fs/bpf/ttyidle
start_ttyidle
one_line_error '^ttyidle: run: another ttyidle is already running \(pid [0-9]+' ttyidle run
stop_ttyidle

grep -q ' /sys/kernel/security ' /proc/mounts ||
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
lockdown=$(cat /sys/kernel/security/lockdown 2>/dev/null)
log "lockdown: ${lockdown:-(no lockdown LSM)}"
# a bed booted to be locked down must be (else it would test nothing)
case $(cat /proc/cmdline) in
*lockdown=confidentiality*) assert_match '\[confidentiality\]' "$lockdown" "lockdown in force" ;;
esac
case $lockdown in
*"[confidentiality]"*)
	quiet ttyidle unload
	one_line_error "^ttyidle: run: kernel lockdown is 'confidentiality' \(/sys/kernel/security/lockdown\): it refuses kprobes and BPF reads of kernel memory, so only fentry mode can run here \(fentry: not tried; kprobe: .*\); .* else boot with lockdown=integrity\$" \
		ttyidle run --attach kprobe
	assert_fails test -e /sys/fs/bpf/ttyidle/ctl
	;;
esac
exit 0
