#!/bin/bash
# Host checks: what `ttyidle` says on a machine like ours, where the kernel
# refuses tracing, and for every bad invocation. Each check is one real
# command with its exit status and its exact stderr judged.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$top/build/ttyidle
pass=0 fail=0

check() { # name expected_rc stderr_regex -- command...
	local name=$1 want_rc=$2 re=$3 out rc lines
	shift 4
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s' "$out" | grep -c '')
	if [ "$rc" = "$want_rc" ] && [ "$lines" -eq 1 ] && [[ $out =~ $re ]]; then
		pass=$((pass + 1))
		echo "ok   $name: $out"
	else
		fail=$((fail + 1))
		echo "FAIL $name: rc=$rc (want $want_rc), $lines lines (want 1), stderr:"
		printf '%s\n' "$out" | sed 's/^/       /'
	fi
}

[ -x "$T" ] || { echo "host: $T not built"; echo "0 passed, 1 failed"; exit 1; }

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null

# our machines: no fentry (EPERM), no kprobes; the error must say both
if [ -d /sys/kernel/tracing/events/kprobes ] || [ -e /sys/kernel/debug/tracing/kprobe_events ]; then
	echo "skip run-refused: this host has kprobes, so 'run' would really attach"
elif [ "$(readlink /proc/self/ns/pid)" != "pid:[4026531836]" ]; then
	# a CI container: `run` stops at its PID-namespace check (tested below)
	# before it could try the kernel
	echo "skip run-refused: not in the host's PID namespace, so 'run' never reaches the kernel"
else
	check run-refused 1 '^ttyidle: run: neither fentry nor kprobes usable on this kernel: fentry: .*; kprobe: .*$' -- "$T" run
	check run-refused-kprobe 1 '^ttyidle: run: neither fentry nor kprobes usable.*fentry: not tried; kprobe: ' -- "$T" run --attach=kprobe
	[ ! -e /sys/fs/bpf/ttyidle ] && { pass=$((pass + 1)); echo "ok   run-refused-leaves-no-pins"; } ||
		{ fail=$((fail + 1)); echo "FAIL run-refused-leaves-no-pins: /sys/fs/bpf/ttyidle remains"; }
fi
check no-command 2 '^ttyidle: no command given' -- "$T"
check unknown-command 2 "^ttyidle: unknown command 'frob'" -- "$T" frob
check unknown-global-flag 2 "^ttyidle: unknown option '--frob'" -- "$T" --frob status
check unknown-run-flag 2 "^ttyidle: run: unknown option '--frob'" -- "$T" run --frob
check bad-attach 2 "^ttyidle: run: --attach 'bogus' is not one of auto, fentry, kprobe$" -- "$T" run --attach=bogus
check bad-attach-env 2 "^ttyidle: run: TTYIDLE_ATTACH='x' is not one of" -- env TTYIDLE_ATTACH=x "$T" run
check run-extra-arg 2 "^ttyidle: run: unexpected argument 'now'" -- "$T" run now
check status-no-pins 1 '^ttyidle: status: nothing pinned under /sys/fs/bpf/ttyidle' -- "$T" status
check status-bad-flag 2 "^ttyidle: status: unknown option '-x'" -- "$T" status -x
check not-root 1 '^ttyidle: run: missing capabilities .*CAP_SYS_ADMIN.* \(run as root\)$' -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$T" run
check no-bpffs 1 '^ttyidle: run: bpffs not mounted at /sys/fs/bpf' -- \
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /sys/fs/bpf && exec "$0" run' "$T"
check no-btf 1 '^ttyidle: run: kernel has no BTF \(/sys/kernel/btf/vmlinux: No such file or directory\)' -- \
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /sys/kernel/btf && exec "$0" run' "$T"
# pins of another map layout (a `ctl` of layout 1, 32 bytes): refused by name,
# and left in place
old_layout='mount --make-rprivate / && mount -t bpf bpf /sys/fs/bpf && mkdir /sys/fs/bpf/ttyidle &&
	bpftool map create /sys/fs/bpf/ttyidle/ctl type array key 4 value 32 entries 1 name ctl &&
	bpftool map update pinned /sys/fs/bpf/ttyidle/ctl key 0 0 0 0 value 1 0 0 0 0 0 0 0 \
		0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 &&'
check old-layout-status 1 '^ttyidle: status: maps pinned under /sys/fs/bpf/ttyidle have layout 1, this ttyidle reads [0-9]+: run `ttyidle unload` first$' -- \
	unshare -m sh -c "$old_layout"' exec "$0" status' "$T"
if [ "$(readlink /proc/self/ns/pid)" = "pid:[4026531836]" ]; then
	check old-layout-run-keeps-pins 1 '^ttyidle: run: .*ttyidle unload' -- \
		unshare -m sh -c "$old_layout"' "$0" run; rc=$?; [ -e /sys/fs/bpf/ttyidle/ctl ] || echo "ctl pin removed" >&2; exit $rc' "$T"
else
	echo "skip old-layout-run-keeps-pins: not in the host's PID namespace, so 'run' never reaches the pins"
fi
check pid-namespace 1 "^ttyidle: run: must run in the host's PID namespace" -- \
	unshare -p -f --mount-proc "$T" run
check bad-config 1 '^ttyidle: run: /[^:]*/bad.conf:2:16: ' -- \
	sh -c 'd=$(mktemp -d) && printf "[global]\nidle-timeout = soon\n" > $d/bad.conf && exec "$0" run --config $d/bad.conf --config-dir $d/none' "$T"
lock=$(mktemp -d)
check second-instance 1 '^ttyidle: run: another ttyidle is already running \(pid [0-9]+' -- \
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /run && mkdir /run/ttyidle && echo 4242 > /run/ttyidle/lock && flock /run/ttyidle/lock -c "exec $0 run"' "$T"
rmdir "$lock"
if "$T" --version | grep -qE '^ttyidle [0-9a-z.-]+'; then pass=$((pass + 1)); echo "ok   version";
else fail=$((fail + 1)); echo "FAIL version"; fi
if "$T" --help | grep -q '^Usage: ttyidle'; then pass=$((pass + 1)); echo "ok   help";
else fail=$((fail + 1)); echo "FAIL help"; fi

echo "host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
