#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# On a real kernel: one clear line and a non-zero exit for a kernel without
# BTF, bpffs not mounted, and a second instance.
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
exit 0
