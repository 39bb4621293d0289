#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--kernels "6.1 sid"] [--attach "fentry kprobe"] [--scenarios GLOB]
#        [--deb FILE] [--old-deb FILE] [--jobs N]
#
# The systemd host bed: boots a Debian bookworm system with systemd as PID 1
# (tests/sysvm/mkimage.sh) under QEMU on the cached Debian kernels, once per
# (kernel, attach mode), installs the project's .deb there with dpkg and runs
# tests/sysvm/scenarios/*.sh in order as root, through systemctl and
# journalctl only. Prints `sysvm KERNEL/MODE SCENARIO: PASS|FAIL` and ends
# with `sysvm: N passed, N failed`. Logs: build/sysvm/KERNEL-MODE.{console,log}.
#
# --deb (or TTYIDLE_DEB): the package under test; default: built by the
# tree's package command, `make deb` (build/ttyidle_*_amd64.deb).
# --old-deb (or TTYIDLE_OLD_DEB): the previous version the upgrade scenario
# starts from; default: scripts/build-deb.sh of commit $OLD_REF (before the
# pinned map `ending` was added: another pinned layout), built once into
# the cache (sysvm/old-deb/COMMIT/).
#
# Why it is built so:
# - The image is a cpio loaded as the initramfs and systemd runs from it:
#   Debian's kernels have virtio-blk, ext4 and 9p as modules, which the
#   kernel cache does not keep. A second, small cpio appended to it per run
#   brings /sysvm (the .debs, scenarios, ptyctl); the kernel unpacks both.
#   Each boot starts from the same pristine image: nothing persists.
# - Results go to a second serial port (ttyS1), the kernel's console to the
#   first, so no printk can split a result line.
# - One VM per (kernel, mode); the scenarios build on each other (install,
#   ..., remove, purge, then upgrade), as on a real host. Those whose header
#   says `# once-per-run` test the daemon's dealings with systemd, journald
#   and logind, not its BPF side: they run in the first VM only (reported as
#   such in the others), to keep the bed within CI's time.
# - -smp 1 per VM; --jobs N (default 1) VMs at a time: make test runs two,
#   one per core of the CI host, as the other VM beds do.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/sysvm
OUTD=$ROOT/build/sysvm
CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
KERNELS="6.1 sid"
MODES="fentry kprobe"
GLOB='*'
DEB=${TTYIDLE_DEB:-}
OLD_DEB=${TTYIDLE_OLD_DEB:-}
# 85e568a added the pinned map `ending`; its parent is the previous layout.
OLD_REF=${TTYIDLE_OLD_REF:-85e568a^}
MEM=1536
VM_SECONDS=${TTYIDLE_SYSVM_SECONDS:-600}
JOBS=1

die() {
	echo "sysvm: $*" >&2
	echo "sysvm: 0 passed, 1 failed"
	exit 2
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--kernels) KERNELS=${2:?--kernels needs a list}; shift ;;
	--attach) MODES=${2:?--attach needs a list}; shift ;;
	--scenarios) GLOB=${2:?--scenarios needs a pattern}; shift ;;
	--deb) DEB=${2:?--deb needs a file}; shift ;;
	--old-deb) OLD_DEB=${2:?--old-deb needs a file}; shift ;;
	--jobs) JOBS=${2:?--jobs needs a number}; shift ;;
	-h | --help)
		sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
for m in $MODES; do
	case $m in fentry | kprobe | auto) ;; *) die "unknown attach mode '$m'" ;; esac
done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs '$JOBS': expected a positive number"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
mkdir -p "$OUTD"

fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

# ---- the packages -------------------------------------------------------------
t0=$(date +%s.%N)
if [[ -z $DEB ]]; then
	# the README's package command; lintian is the pkg suite's business
	rm -f "$ROOT"/build/ttyidle_*_amd64.deb
	(cd "$ROOT" && LINTIAN=no make -s deb) >"$OUTD/build-deb.log" 2>&1 ||
		die "make deb failed: $(tail -n 3 "$OUTD/build-deb.log")"
	# shellcheck disable=SC2012
	DEB=$(ls -t "$ROOT"/build/ttyidle_*_amd64.deb 2>/dev/null | head -n1)
	[[ -n $DEB ]] || die "make deb made no build/ttyidle_*_amd64.deb (see $OUTD/build-deb.log)"
fi
[[ -f $DEB ]] || die "no package '$DEB'"
DEB=$(realpath "$DEB")

# old_deb: scripts/build-deb.sh of OLD_REF, from `git archive`, cached by commit.
if [[ -z $OLD_DEB ]]; then
	commit=$(git -C "$ROOT" rev-parse --verify -q "$OLD_REF^{commit}") ||
		die "cannot resolve OLD_REF '$OLD_REF' (a shallow clone? set TTYIDLE_OLD_DEB)"
	od=$CACHE/sysvm/old-deb/$commit
	if ! ls "$od"/ttyidle_*.deb >/dev/null 2>&1; then
		tmp=$(mktemp -d "$CACHE/sysvm/.old.XXXXXX") || die "mktemp"
		git -C "$ROOT" archive "$commit" | tar -x -C "$tmp" || die "git archive $commit"
		if ! (cd "$tmp" && DEB_VERSION="0~~old.${commit:0:12}-1" LINTIAN=no \
			SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct "$commit") \
			scripts/build-deb.sh) >"$OUTD/build-old-deb.log" 2>&1; then
			rm -rf "$tmp"
			die "building the previous package ($commit) failed: $(tail -n 3 "$OUTD/build-old-deb.log")"
		fi
		mkdir -p "$od"
		mv "$tmp"/build/ttyidle_*.deb "$od/"
		rm -rf "$tmp"
	fi
	# shellcheck disable=SC2012
	OLD_DEB=$(ls "$od"/ttyidle_*.deb | head -n1)
fi
[[ -f $OLD_DEB ]] || die "no previous package '$OLD_DEB'"
OLD_DEB=$(realpath "$OLD_DEB")
t1=$(date +%s.%N)

# ---- the image: Debian's packages, plus what both .debs depend on ------------
deps() {
	dpkg-deb -f "$1" Depends | tr ',|' '\n\n' | sed -n 's/^ *\([a-z0-9][a-z0-9.+-]*\).*/\1/p'
}
# shellcheck disable=SC2046
IMAGE=$("$HERE/mkimage.sh" $( (deps "$DEB"; deps "$OLD_DEB") | sort -u)) ||
	die "building the image failed"
t2=$(date +%s.%N)

# ---- ptyctl (static, from the VM bed's sources) and the per-run cpio ----------
PTYCTL=$OUTD/ptyctl
PSRC=$ROOT/tests/vm/progs
if [[ ! -x $PTYCTL || $PSRC/ptyctl.c -nt $PTYCTL || $PSRC/ptyutil.h -nt $PTYCTL ]]; then
	${CC:-cc} -static -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$PTYCTL" "$PSRC/ptyctl.c" ||
		die "building ptyctl failed"
fi
names=()
for f in "$HERE"/scenarios/[0-9]*.sh; do
	n=$(basename "$f" .sh)
	# shellcheck disable=SC2053
	[[ $n == $GLOB ]] && names+=("$n")
done
[[ ${#names[@]} -gt 0 ]] || die "no scenario matches '$GLOB'"
stage=$OUTD/stage
rm -rf "$stage"
mkdir -p "$stage/sysvm/scenarios"
cp "$DEB" "$stage/sysvm/new.deb"
cp "$OLD_DEB" "$stage/sysvm/old.deb"
cp "$PTYCTL" "$stage/sysvm/ptyctl"
cp "$HERE/boot.sh" "$HERE/lib.sh" "$stage/sysvm/"
for n in "${names[@]}"; do cp "$HERE/scenarios/$n.sh" "$stage/sysvm/scenarios/"; done
(cd "$stage" && find sysvm -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$OUTD/run.cpio"
cat "$IMAGE" "$OUTD/run.cpio" >"$OUTD/initrd.cpio"
t3=$(date +%s.%N)
printf 'sysvm: packages %ss, image %ss (%s), run files %ss; %d scenario(s)\n' \
	"$(fsub "$t1" "$t0")" "$(fsub "$t2" "$t1")" "${IMAGE#"$CACHE"/}" "$(fsub "$t3" "$t2")" \
	"${#names[@]}"
printf 'sysvm: new %s, old %s\n' "$(basename "$DEB")" "$(basename "$OLD_DEB")"

# ---- one VM per (kernel, mode) --------------------------------------------------
# vm_one K M ONCE: boot, run, and write what to print to $OUTD/K-M.report and
# "PASSED FAILED" to $OUTD/K-M.counts.
vm_one() {
	local k=$1 m=$2 once=$3 log=$OUTD/$1-$2.log con=$OUTD/$1-$2.console
	local rep=$OUTD/$1-$2.report start rc wall boot="?" finished=0 line n r sec pass=0 fail=0
	local -A res=() secs=()
	rm -f "$log" "$con" "$rep" "$OUTD/$k-$m.counts"
	start=$(date +%s.%N)
	timeout --foreground -k 10 "$VM_SECONDS" qemu-system-x86_64 -accel tcg -cpu max \
		-smp 1 -m $MEM -nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$con" -serial "file:$log" \
		-kernel "$CACHE/kernels/$k/vmlinuz" -initrd "$OUTD/initrd.cpio" \
		-append "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init sysvm.attach=$m sysvm.once=$once systemd.show_status=0" \
		</dev/null >"$log.qemu" 2>&1
	rc=$?
	wall=$(fsub "$(date +%s.%N)" "$start")
	while IFS= read -r line; do
		case $line in
		"@@BOOT "*) boot=${line#@@BOOT } ;;
		"@@RESULT "*) read -r _ n r sec <<<"$line"; res[$n]=$r secs[$n]=$sec ;;
		"@@DONE"*) finished=1 ;;
		esac
	done < <(tr -d '\r' <"$log" 2>/dev/null | grep -a '^@@')
	{
		for n in "${names[@]}"; do
			case ${res[$n]:-} in
			PASS)
				echo "sysvm $k/$m $n: PASS (${secs[$n]}s)"
				tr -d '\r' <"$log" | grep -a "^@@OUT $n | note: " | sed "s/^@@OUT $n | /    /"
				pass=$((pass + 1))
				;;
			FAIL)
				echo "sysvm $k/$m $n: FAIL (${secs[$n]}s)"
				tr -d '\r' <"$log" | grep -a "^@@OUT $n | " | sed "s/^@@OUT $n | /    /"
				fail=$((fail + 1))
				;;
			SKIP) echo "sysvm $k/$m $n: once per run, run in $first" ;;
			*) echo "sysvm $k/$m $n: FAIL (no result)"; fail=$((fail + 1)) ;;
			esac
		done
		if [[ $finished != 1 ]]; then
			echo "sysvm $k/$m: FAIL: no @@DONE (qemu exit $rc after ${wall}s; limit ${VM_SECONDS}s)"
			tail -n 30 "$con" | sed 's/^/    console: /'
			fail=$((fail + 1))
		fi
		echo "sysvm $k/$m: kernel $(cat "$CACHE/kernels/$k/release"), boot to runner ${boot}s, wall ${wall}s"
	} >"$rep"
	echo "$pass $fail" >"$OUTD/$k-$m.counts"
}

# each VM job in its own process group (set -m below, as tests/vm/run.sh
# does), so that stopping the bed reaches timeout's qemu too
cleanup() {
	local p
	for p in $(jobs -p); do
		kill -- -"$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PASSED=0 FAILED=0
"$ROOT/scripts/fetch-kernels.sh" $KERNELS >/dev/null || die "fetching kernels failed"
set -m
# the first VM runs the once-per-run scenarios too, so it starts first
once=1 first="" order=()
for k in $KERNELS; do
	for m in $MODES; do
		first=${first:-$k/$m}
		order+=("$k $m")
		while [[ $(jobs -pr | wc -l) -ge $JOBS ]]; do
			wait -n
		done
		vm_one "$k" "$m" "$once" &
		once=0
	done
done
wait
for km in "${order[@]}"; do
	read -r k m <<<"$km"
	cat "$OUTD/$k-$m.report" 2>/dev/null || echo "sysvm $k/$m: FAIL: no report"
	read -r p f <"$OUTD/$k-$m.counts" 2>/dev/null || { p=0 f=1; }
	PASSED=$((PASSED + p)) FAILED=$((FAILED + f))
done
printf 'sysvm: %ss in all\n' "$(fsub "$(date +%s.%N)" "$t0")"
echo "sysvm: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
