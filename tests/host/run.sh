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
check run-missing-value 2 "^ttyidle: run: option '--config' needs a value \(see \`ttyidle run --help\`\)$" -- "$T" run --config
check check-config-missing-value 2 "^ttyidle: check-config: option '-d' needs a value" -- "$T" check-config -d
check run-missing-config 1 '^ttyidle: run: /no/such/file: no such file$' -- "$T" run --config /no/such/file
check run-missing-config-dir 1 '^ttyidle: run: /typo: no such directory$' -- "$T" run --config '' --config-dir /typo
check check-config-missing-file 1 '^ttyidle: check-config: /no/such/file: no such file$' -- "$T" check-config /no/such/file
check explain-missing-config 1 '^ttyidle: explain: /no/such/file: no such file$' -- "$T" explain --user root --config /no/such/file
check run-extra-arg 2 "^ttyidle: run: unexpected argument 'now'" -- "$T" run now
check status-no-pins 1 '^ttyidle: status: nothing pinned under /sys/fs/bpf/ttyidle' -- "$T" status
check status-bad-flag 2 "^ttyidle: status: unknown option '-x'" -- "$T" status -x
check unload-check-alone 2 '^ttyidle: unload: --check goes with --if-incompatible$' -- "$T" unload --check
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
	sh -c 'd=$(mktemp -d) && printf "[global]\nidle-timeout = soon\n" > $d/bad.conf && exec "$0" run --config $d/bad.conf --config-dir ""' "$T"
lock=$(mktemp -d)
check second-instance 1 '^ttyidle: run: another ttyidle is already running \(pid [0-9]+' -- \
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none /run && mkdir /run/ttyidle && echo 4242 > /run/ttyidle/lock && flock /run/ttyidle/lock -c "exec $0 run"' "$T"
rmdir "$lock"
if "$T" --version | grep -qE '^ttyidle [0-9a-z.-]+'; then pass=$((pass + 1)); echo "ok   version";
else fail=$((fail + 1)); echo "FAIL version"; fi
if "$T" --help | grep -q '^Usage: ttyidle'; then pass=$((pass + 1)); echo "ok   help";
else fail=$((fail + 1)); echo "FAIL help"; fi

# README's status sample against what `status` prints: maps of this build's
# layout (sizes from the BPF object's BTF) pinned in a private bpffs, one
# terminal record in `ttys`, and the real `ttyidle status`. The header must
# be the README's, byte for byte; the rows of both must fit the columns.
btf_size() { bpftool btf dump file "$top/build/ttyidle.bpf.o" format raw |
	sed -n "s/^\[[0-9]*\] STRUCT '$1' size=\([0-9]*\) .*/\1/p"; }
zeros() { local i; for ((i = 0; i < $1; i++)); do printf '0 '; done; }
le32() { printf '%d %d %d %d ' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
rec_sz=$(btf_size tty_rec) key_sz=$(btf_size tty_key) ctl_sz=$(btf_size ttyidle_ctl)
armed_sz=$(btf_size armed) stats_sz=$(btf_size ttyidle_stats)
abi=$(sed -n 's/^#define TTYIDLE_ABI \([0-9]*\).*/\1/p' "$top/bpf/ttyidle.h")
# pts/7 (index at byte 64, kind PTY at byte 120: struct tty_rec in bpf/ttyidle.h)
rec="$(zeros 64)$(le32 7)$(zeros 52)1 $(zeros $((rec_sz - 121)))"
fake_maps="mount --make-rprivate / && mount -t bpf bpf /sys/fs/bpf && mkdir /sys/fs/bpf/ttyidle &&
	cd /sys/fs/bpf/ttyidle &&
	bpftool map create ctl type array key 4 value $ctl_sz entries 1 name ctl &&
	bpftool map update pinned ctl key 0 0 0 0 value $(le32 "$abi")$(zeros $((ctl_sz - 4))) &&
	bpftool map create ttys type hash key $key_sz value $rec_sz entries 16 name ttys &&
	bpftool map update pinned ttys key $(le32 $((136 << 20 | 7)))$(le32 99) value $rec &&
	bpftool map create armed type hash key $key_sz value $armed_sz entries 16 name armed &&
	bpftool map create events type ringbuf key 0 value 0 entries 4096 name events &&
	bpftool map create stats type array key 4 value $stats_sz entries 1 name stats &&"
conf=$(mktemp) # empty: the built-in policy
sample=$(sed -n '/^<!-- status-sample/,/^<!-- \/status-sample -->/p' "$top/README.md" |
	sed -n '/^USER /,/^```/p' | sed '$d')
# the columns of print_table (user/cli/cmd_status.c): left-aligned ones
# start with text, right-aligned ones (IDLE-IN, IDLE-OUT) end with it
row_re='^[^ ].{9} [^ ].{7} [^ ].{15} [^ ].{5} .{7}[^ ] .{7}[^ ] [^ ].{11} [^ ].{6} [^ ]'
if [ -z "$rec_sz" ] || [ -z "$abi" ] || [ -z "$sample" ]; then
	fail=$((fail + 1)); echo "FAIL readme-status: no struct sizes, ABI or README sample (between <!-- status-sample --> markers)"
elif ! out=$(unshare -m sh -c "$fake_maps"' exec "$0" status --config "$1" --config-dir ""' "$T" "$conf" 2>&1); then
	fail=$((fail + 1)); echo "FAIL readme-status: status on fake maps failed:"; printf '%s\n' "$out" | sed 's/^/       /'
else
	bad=
	[ "$(head -n1 <<<"$out")" = "$(head -n1 <<<"$sample")" ] ||
		bad="header differs: status '$(head -n1 <<<"$out")', README '$(head -n1 <<<"$sample")'"
	[ "$(grep -c '' <<<"$out")" = 2 ] && grep -Eq "$row_re" <<<"$(sed -n 2p <<<"$out")" ||
		bad="${bad:+$bad; }status's row does not fit the columns: $(sed -n 2p <<<"$out")"
	while IFS= read -r l; do
		grep -Eq "$row_re" <<<"$l" || bad="${bad:+$bad; }README row does not fit the columns: '$l'"
	done < <(tail -n +2 <<<"$sample")
	if [ -z "$bad" ]; then pass=$((pass + 1)); echo "ok   readme-status"
	else fail=$((fail + 1)); echo "FAIL readme-status: $bad"; printf '%s\n' "$out" | sed 's/^/       /'; fi
fi
# and the JSON of the same maps is JSON (jq is strict about UTF-8 and syntax)
if out=$(unshare -m sh -c "$fake_maps"' exec "$0" status --json --config "$1" --config-dir ""' "$T" "$conf" 2>&1) &&
	jq -e '.terminals[0].tty == "pts/7" and .terminals[0].dev == "136:7" and .terminals[0].devpts == "0:99" and .runs_skipped == 0' <<<"$out" >/dev/null; then
	pass=$((pass + 1)); echo "ok   status-json"
	status_json=$out
else
	fail=$((fail + 1)); echo "FAIL status-json:"; printf '%s\n' "$out" | sed 's/^/       /'
	status_json=
fi
rm -f "$conf"

# jsonq (tests/vm/progs/jsonq.c), which the VM scenarios read the status with:
# it picks the right terminal, also past strings holding what fooled sed
# ("},{", quotes, escapes), and refuses what is not JSON with exit 2
jqd=$(mktemp -d)
J=$jqd/jsonq
if ! cc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$J" "$top/tests/vm/progs/jsonq.c" 2>"$jqd/cc.err"; then
	fail=$((fail + 1)); echo "FAIL jsonq-build:"; sed 's/^/       /' "$jqd/cc.err"
else
	printf '%s\n' '{"terminals":[{"tty":"pts/1","devpts":"0:99","user":"bob","leader_cmd":"x\"},{\"tty\":\"pts/7\",\"devpts\":\"0:99\",\"user\":\"eve\"}"},' \
		'{"tty":"pts/7","devpts":"0:22","user":null},' \
		'{"tty":"pts/7","devpts":"0:99","user":"alice","leader_cmd":"sh \"\u001b[2J\ufffd\\\""}],"runs_skipped":null}' >"$jqd/hostile.json"
	got=$("$J" terminals tty=pts/7 devpts=0:99 <"$jqd/hostile.json" | "$J" get user leader_cmd)
	want=$'alice\nsh "\e[2J\xef\xbf\xbd\\"'
	got2=${status_json:+$("$J" terminals dev=136:7 devpts=0:99 <<<"$status_json" | "$J" get tty)}
	got2=$got2/$("$J" count user:string <"$jqd/hostile.json")/$("$J" get runs_skipped <"$jqd/hostile.json")
	if [ "$got" = "$want" ] && [ "$got2" = "${status_json:+pts/7}/2/null" ]; then
		pass=$((pass + 1)); echo "ok   jsonq-select"
	else
		fail=$((fail + 1)); echo "FAIL jsonq-select: got $(printf %q "$got") and '$got2'," \
			"want $(printf %q "$want") and '${status_json:+pts/7}/2/null'"
	fi
	printf '{"terminals":[{"tty":"pts/\377"}]}\n' >"$jqd/bad-utf8.json"
	check jsonq-bad-utf8 2 '^jsonq: invalid UTF-8 at byte 26$' -- sh -c 'exec "$0" terminals <"$1"' "$J" "$jqd/bad-utf8.json"
	printf '{"terminals":[{"tty":"pts/1"},]}\n' >"$jqd/comma.json"
	check jsonq-trailing-comma 2 "^jsonq: expected a value, found '\]' at byte 30$" -- sh -c 'exec "$0" terminals <"$1"' "$J" "$jqd/comma.json"
	head -c 100 "$jqd/hostile.json" >"$jqd/cut.json"
	check jsonq-truncated 2 '^jsonq: truncated input: unterminated string at byte 100$' -- sh -c 'exec "$0" count <"$1"' "$J" "$jqd/cut.json"
fi
rm -rf "$jqd"

echo "host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
