#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [--arch x86|arm64] [--kernels "5.10 6.1 6.12 sid"] [--attach "fentry kprobe"]
#        [--scenarios GLOB] [--skip GLOB] [--bench] [--verbose] [--jobs N]
#        [--append "KERNEL ARGS"]
#
# Boots each Debian kernel x attach mode under QEMU with the test initramfs and
# runs tests/vm/scenarios/*.sh (or tests/vm/bench/*.sh with --bench) inside.
# Prints `vm KERNEL/MODE SCENARIO: PASS|FAIL` per scenario and closes with
# `N passed, N failed`; exits non-zero on any failure. Console logs:
# build/vm/KERNEL-MODE.log. GLOB is a sh pattern on scenario names (no .sh);
# --skip leaves out those it matches.
# --verbose shows passing scenarios' output too. --arch arm64 boots Debian's
# arm64 kernels (KERNEL reads arm64-6.1 etc.) under qemu-system-aarch64 with
# an image of Debian's arm64 programs and `make ARCH=arm64`'s daemon; arm64
# 5.10 and 6.1 cannot attach fentry to kernel functions (6.4 can), so their
# default mode is kprobe only.
# --append adds arguments to every kernel's command line (for example
# "lockdown=confidentiality"); results and logs are then labelled
# KERNEL+ARGS ("vm 6.1+lockdown=confidentiality/fentry ...").
# Environment: TTYIDLE_CACHE (kernel cache), TTYIDLE_VM_SECONDS (override the
# per-VM wall-clock limit), TTYIDLE_BIN (daemon to put in the image, default
# build/ttyidle, or build-arm64/ttyidle for arm64).
#
# Notes for the next engineer (why things are the way they are):
# - TCG, not KVM: the kernels under test must run BPF tracing programs, which
#   the CI host's own kernel refuses, and there is no /dev/kvm. TCG is slow at
#   crypto (every ssh connection costs ~1-2 s of key exchange) but boots a
#   Debian kernel to /init in ~3 s. `-cpu max` gives the guest RDRAND, so the
#   CRNG is ready at once and sshd/ssh-keygen never block on getrandom().
# - arm64: `-M virt -cpu max` gives the guest FEAT_RNG (RNDR), which seeds the
#   CRNG the same way; pauth-impdef=on swaps the architected pointer
#   authentication cipher (QARMA, very slow to emulate) for QEMU's own
#   hash; the console is the virt board's PL011, ttyAMA0.
# - One VM per (kernel, mode), all scenarios in it one after another: a boot is
#   the expensive part. /init resets state between scenarios (kills every
#   process, unpins /sys/fs/bpf/*, empties /tmp and utmp), so scenarios stay
#   independent without paying for a boot each.
# - At most 2 VMs at once with -smp 1 each: the host has 2 cores and TCG runs
#   one vCPU per host thread; more VMs only slow each other down and turn
#   timing-sensitive scenarios flaky.
# - Results travel on the serial console (@@ lines, see tests/vm/init). /init
#   lowers the console loglevel after boot so printk cannot split a result
#   line; a failing scenario gets the guest's dmesg appended to its output.
# - The VM's wall-clock limit is derived from the scenarios' own timeouts
#   (`# timeout: N` header, default 120 s), capped, so a hung kernel cannot
#   stall CI; a VM that never prints @@DONE counts as one failure.
# - Kernels are cached outside the repo (scripts/fetch-kernels.sh); the
#   initramfs is rebuilt only when one of its inputs changes.
# - Every kernel config needed is built in today; if a later kernel moves
#   something to a module, list it in NEED_MODULES in scripts/fetch-kernels.sh:
#   its .ko files are then appended to the initramfs here and loaded by /init.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VMB=$ROOT/build/vm
CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
ARCH=x86
KERNELS="5.10 6.1 6.12 sid"
MODES=""
GLOB='*'
SKIP=''
DIR=scenarios
VERBOSE=0
APPEND=''
SUFFIX=''
JOBS=2
MEM=1024
BOOT_ALLOWANCE=90 # seconds for QEMU start, kernel boot and /init setup
MAX_VM_SECONDS=1800

die() {
	echo "vm: $*" >&2
	exit 2
}

fsub() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--arch) ARCH=${2:?--arch needs x86 or arm64}; shift ;;
	--kernels) KERNELS=${2:?--kernels needs a list}; shift ;;
	--attach) MODES=${2:?--attach needs a list}; shift ;;
	--scenarios) GLOB=${2:?--scenarios needs a pattern}; shift ;;
	--skip) SKIP=${2:?--skip needs a pattern}; shift ;;
	--bench) DIR=bench ;;
	--verbose) VERBOSE=1 ;;
	--jobs) JOBS=${2:?--jobs needs a number}; shift ;;
	--append)
		APPEND=${2?--append needs kernel arguments}
		shift
		[[ $APPEND =~ ^[A-Za-z0-9_.,=:+-]+( [A-Za-z0-9_.,=:+-]+)*$ ]] ||
			die "--append '$APPEND': only words of A-Z a-z 0-9 _ . , = : + - separated by single spaces"
		SUFFIX=+${APPEND// /+}
		;;
	-h | --help)
		sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
case $ARCH in
x86)
	KPFX="" QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 CONSOLE=ttyS0
	QEMU_ARGS=(-cpu max)
	TTYIDLE_BIN=${TTYIDLE_BIN:-$ROOT/build/ttyidle}
	INITRD=$VMB/initramfs.cpio.gz
	;;
arm64)
	KPFX=arm64- QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm CONSOLE=ttyAMA0
	QEMU_ARGS=(-M virt -cpu max,pauth-impdef=on)
	TTYIDLE_BIN=${TTYIDLE_BIN:-$ROOT/build-arm64/ttyidle}
	INITRD=$VMB/initramfs-arm64.cpio.gz
	;;
*) die "unknown --arch '$ARCH' (x86, arm64)" ;;
esac
export TTYIDLE_BIN
for m in ${MODES:-fentry kprobe}; do
	case $m in
	auto | fentry | kprobe) ;;
	*) die "unknown attach mode '$m' (auto, fentry, kprobe)" ;;
	esac
done
[[ $GLOB != *[[:space:]]* ]] || die "--scenarios pattern cannot contain spaces"
[[ $SKIP != *[[:space:]]* ]] || die "--skip pattern cannot contain spaces"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs needs a positive number"
[[ -x $TTYIDLE_BIN ]] ||
	die "${TTYIDLE_BIN#"$ROOT"/} missing: run 'make${KPFX:+ ARCH=$ARCH}' first"
command -v $QEMU >/dev/null || die "$QEMU missing (apt-get install $QEMU_PKG)"

# ---- what to run ------------------------------------------------------------
SRC=$ROOT/tests/vm/$DIR
if [[ $DIR == bench && -z $(ls -A "$SRC" 2>/dev/null) ]]; then
	mkdir -p "$SRC"
	echo "Benchmarks for 'make bench' (tests/vm/run.sh --bench): *.sh here run in the" \
		"test VM like ../scenarios/*.sh, same protocol and helpers (. /scenarios/lib.sh)." \
		>"$SRC/README"
fi
names=()
vm_seconds=$BOOT_ALLOWANCE
LC_COLLATE=C # the order busybox sh runs them in, in the VM
for f in "$SRC"/*.sh; do
	[[ -f $f ]] || continue
	n=$(basename "$f" .sh)
	[[ $n == lib ]] && continue
	# shellcheck disable=SC2053
	[[ $n == $GLOB ]] || continue
	# shellcheck disable=SC2053
	[[ -z $SKIP || $n != $SKIP ]] || continue
	a=$(sed -n '1,20s/^# *arch: *\([a-z0-9]*\).*/\1/p' "$f" | head -n1)
	[[ -z $a || $a == "$ARCH" ]] || continue # "# arch: x86": that one only
	t=$(sed -n '1,20s/^# *timeout: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n1)
	vm_seconds=$((vm_seconds + ${t:-120}))
	names+=("$n")
done
if [[ ${#names[@]} == 0 ]]; then
	echo "vm: no script in tests/vm/$DIR matches '$GLOB'"
	echo "0 passed, 0 failed"
	exit 0
fi
((vm_seconds <= MAX_VM_SECONDS)) || vm_seconds=$MAX_VM_SECONDS
vm_seconds=${TTYIDLE_VM_SECONDS:-$vm_seconds}

# ---- kernels and image --------------------------------------------------------
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$ROOT/scripts/fetch-kernels.sh" --arch "$ARCH" $KERNELS || die "fetching kernels failed"
t1=$(date +%s.%N)
"$ROOT/tests/vm/mkinitramfs.sh" --arch "$ARCH" "$INITRD" || die "building the initramfs failed"
t2=$(date +%s.%N)
printf 'vm: kernels ready in %.1fs, initramfs in %.1fs; %d script(s), VM limit %ds\n' \
	"$(fsub "$t1" "$t0")" "$(fsub "$t2" "$t1")" "${#names[@]}" "$vm_seconds"

# Per-kernel modules (see NEED_MODULES) ride in a second cpio appended to the
# image; the kernel unpacks concatenated archives in order.
initrd_for() {
	local k=$1 rel mods=$CACHE/kernels/$1/modules out
	[[ -f $mods/order ]] || { echo "$INITRD"; return; }
	rel=$(cat "$CACHE/kernels/$k/release")
	out=$VMB/initramfs-$k.cpio.gz
	if [[ ! -s $out || $mods/order -nt $out || $INITRD -nt $out ]]; then
		local tmp
		tmp=$(mktemp -d)
		mkdir -p "$tmp/usr/lib/modules/$rel"
		cp "$mods"/* "$tmp/usr/lib/modules/$rel/"
		(cd "$tmp" && find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip) \
			>"$out.mods"
		cat "$INITRD" "$out.mods" >"$out"
		rm -rf "$tmp" "$out.mods"
	fi
	echo "$out"
}

# ---- one VM -------------------------------------------------------------------
run_vm() {
	local k=$1 m=$2 log=$VMB/$1$SUFFIX-$2.log start append
	append="console=$CONSOLE panic=-1 ttyidle.attach=$m ttyidle.dir=$DIR ttyidle.scenarios=$GLOB"
	[[ -n $APPEND ]] && append+=" $APPEND"
	[[ $VERBOSE == 1 ]] && append+=" ttyidle.verbose=1"
	[[ -n $SKIP ]] && append+=" ttyidle.skip=$SKIP"
	local try
	: >"$log.qemu"
	for try in 1 2; do
		start=$(date +%s.%N)
		# SIGTERM lets QEMU exit cleanly (and bash print no "Killed" job notice);
		# --foreground keeps QEMU in our process group, for cleanup().
		timeout --foreground -k 10 "$vm_seconds" $QEMU -accel tcg "${QEMU_ARGS[@]}" -smp 1 \
			-m "$MEM" -nodefaults -no-user-config -display none -no-reboot \
			-serial "file:$log" -kernel "$CACHE/kernels/$k/vmlinuz" \
			-initrd "$(initrd_for "$k")" -append "$append" </dev/null >>"$log.qemu" 2>&1
		echo "qemu exit $? after $(fsub "$(date +%s.%N)" "$start")s" >>"$log.qemu"
		# Seen once under heavy host load: the guest ran all scenarios but
		# not one line of /init (not even @@BOOT, printed before any of our
		# code runs) reached the serial file. That is the test bed, not a
		# result: boot once more, keeping the first log. Anything else,
		# including a VM that printed @@BOOT and then hung, is reported.
		grep -aq '^@@BOOT' "$log" && break
		[[ $try == 1 ]] && mv "$log" "$log.first" &&
			echo "no output from /init at all: booting again (first log: $log.first)" >>"$log.qemu"
	done
}

PASSED=0
FAILED=0

report() {
	local k=$1 m=$2 log=$VMB/$1$SUFFIX-$2.log rel n r s line boot="" total=0 wall finished=0
	declare -A res=() secs=()
	rel=$(cat "$CACHE/kernels/$k/release" 2>/dev/null)
	tr -d '\r' <"$log" >"$log.txt" 2>/dev/null
	while IFS= read -r line; do
		case $line in
		"@@BOOT "*) boot=${line#@@BOOT } ;;
		"@@RESULT "*)
			read -r _ n r <<<"$line"
			res[$n]=$r
			;;
		"@@TIME "*)
			read -r _ n s <<<"$line"
			secs[$n]=$s
			total=$(awk -v a="$total" -v b="$s" 'BEGIN { print a + b }')
			;;
		"@@DONE"*) finished=1 ;;
		esac
	done < <(grep -a '^@@' "$log.txt")
	for n in "${names[@]}"; do
		case ${res[$n]:-} in
		PASS)
			echo "vm $k$SUFFIX/$m $n: PASS (${secs[$n]:-?}s)"
			PASSED=$((PASSED + 1))
			;;
		FAIL)
			echo "vm $k$SUFFIX/$m $n: FAIL (${secs[$n]:-?}s)"
			grep -a "^@@OUT $n | " "$log.txt" | sed "s/^@@OUT $n | /    /"
			FAILED=$((FAILED + 1))
			;;
		*)
			if [[ $finished == 1 ]]; then
				echo "vm $k$SUFFIX/$m $n: FAIL (no result reported)"
				FAILED=$((FAILED + 1))
			else
				echo "vm $k$SUFFIX/$m $n: NOT RUN"
			fi
			;;
		esac
		[[ $VERBOSE == 1 && ${res[$n]:-} == PASS ]] &&
			grep -a "^@@OUT $n | " "$log.txt" | sed "s/^@@OUT $n | /    /"
	done
	wall=$(sed -n 's/^qemu exit .* after \(.*\)s$/\1/p' "$log.qemu" 2>/dev/null)
	if [[ $finished != 1 ]]; then
		echo "vm $k$SUFFIX/$m: FAIL: kernel $k ($rel) never reported @@DONE" \
			"(crash, hang or ${vm_seconds}s limit); log: ${log#"$ROOT"/}"
		tail -n 25 "$log.txt" | sed 's/^/    /'
		sed 's/^/    qemu: /' "$log.qemu"
		FAILED=$((FAILED + 1))
	fi
	printf 'vm %s/%s: kernel %s, boot %ss, scenarios %ss, wall %.1fs\n' "$k$SUFFIX" "$m" "$rel" \
		"${boot:-?}" "$total" "${wall:-0}"
	cat "$log.qemu" >>"$log"
	rm -f "$log.txt" "$log.qemu"
}

# ---- the matrix, at most JOBS VMs at a time -----------------------------------
declare -A JOB=()
cleanup() {
	local p
	for p in "${!JOB[@]}"; do
		kill -- -"$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
set -m # each VM job in its own process group, so cleanup() reaches qemu too

reap_one() {
	local pid
	wait -n -p pid
	[[ -n ${pid:-} && -n ${JOB[$pid]:-} ]] || return 0
	# shellcheck disable=SC2086
	report ${JOB[$pid]}
	unset "JOB[$pid]"
}

for k in $KERNELS; do
	# On arm64, fentry/fexit on kernel functions needs ftrace direct calls
	# (Linux 6.4): 5.10 has no BPF trampoline, 6.1's refuses kernel
	# functions (ENOTSUPP, seen on Debian's 6.1.0-57-arm64). Both run
	# kprobe mode only unless --attach says otherwise.
	modes=${MODES:-fentry kprobe}
	[[ -n $MODES || $ARCH != arm64 || ($k != 5.10 && $k != 6.1) ]] || modes=kprobe
	k=$KPFX$k # the cache directory's name, and the name in reports
	for m in $modes; do
		while ((${#JOB[@]} >= JOBS)); do
			reap_one
		done
		run_vm "$k" "$m" &
		JOB[$!]="$k $m"
	done
done
while ((${#JOB[@]} > 0)); do
	reap_one
done
echo "$PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]
