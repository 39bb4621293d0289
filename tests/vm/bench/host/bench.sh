#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [--arch x86|arm64] [--kernels "5.10 6.1 6.12 sid"] [--out FILE] [--scenarios GLOB]
#          [--jobs N]: `make bench` (`make bench ARCH=arm64`: arm64 6.12).
#
# Boots each kernel once under QEMU (tests/vm/run.sh --bench, fentry mode; the
# hot-path benchmark switches modes itself), runs tests/vm/bench/*.sh in it,
# prints one set of tables per kernel and writes the same figures, with the
# date, the host's CPU and the kernel list, to FILE (default
# tests/vm/bench/RESULTS.md). Figures are reported, never asserted: the exit
# status is non-zero only when a benchmark could not measure. GLOB picks
# benchmarks by name (e.g. '50*'; then write elsewhere with --out), N is how
# many VMs run at once (default 2). --arch arm64 boots Debian's arm64 kernels
# (tests/vm/run.sh --arch arm64), default 6.12 only (fentry on arm64 needs
# 6.4), writes tests/vm/bench/RESULTS-arm64.md and runs one VM at a time.
#
# Inside the VM a benchmark prints TABLE/COLS/ROW/NOTE/GOAL lines (see
# tests/vm/bench/benchlib.inc); run.sh --verbose passes them on, indented,
# and we keep its report in build/vm/bench-run.out.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
VMB=$ROOT/build/vm
CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
ARCH=x86
KERNELS=""
OUT=""
GLOB='*'
JOBS=""

while [[ $# -gt 0 ]]; do
	case $1 in
	--arch) ARCH=${2:?--arch needs x86 or arm64}; shift ;;
	--kernels) KERNELS=${2:?--kernels needs a list}; shift ;;
	--out) OUT=${2:?--out needs a file}; shift ;;
	--scenarios) GLOB=${2:?--scenarios needs a pattern}; shift ;;
	--jobs) JOBS=${2:?--jobs needs a number}; shift ;;
	-h | --help)
		sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench: unknown argument '$1' (see --help)" >&2
		exit 2
		;;
	esac
	shift
done

case $ARCH in
x86)
	KPFX="" QEMU=qemu-system-x86_64
	KERNELS=${KERNELS:-5.10 6.1 6.12 sid} OUT=${OUT:-$ROOT/tests/vm/bench/RESULTS.md}
	JOBS=${JOBS:-2}
	;;
arm64)
	KPFX=arm64- QEMU=qemu-system-aarch64
	KERNELS=${KERNELS:-6.12} OUT=${OUT:-$ROOT/tests/vm/bench/RESULTS-arm64.md}
	JOBS=${JOBS:-1}
	;;
*)
	echo "bench: unknown --arch '$ARCH' (x86, arm64)" >&2
	exit 2
	;;
esac
# run.sh names the kernels so in its report
LABELS=$(for k in $KERNELS; do printf '%s ' "$KPFX$k"; done)

mkdir -p "$VMB"
start=$(date +%s)
echo "bench: kernels $KERNELS; one VM per kernel, QEMU TCG, $JOBS at a time."
echo "bench: figures 1, 2, 5 (peer comparison, enforcement under load) run on 6.1 only;"
echo "bench: figures 3, 4, 6 (hot-path overhead, daemon cost, a hostile user's load) run on"
echo "bench: every kernel."
"$ROOT/tests/vm/run.sh" --arch "$ARCH" --bench --attach fentry --verbose --kernels "$KERNELS" \
	--scenarios "$GLOB" --jobs "$JOBS" >"$VMB/bench-run.out" 2>&1
rc=$?
# run.sh's own lines, without the benchmarks' raw output (that is below, as tables)
grep -v '^    ' "$VMB/bench-run.out"
wall=$(($(date +%s) - start))

# ---- tables -------------------------------------------------------------------
# render md|text < lines: TABLE/COLS/ROW/NOTE lines of one kernel -> tables.
render() {
	awk -v md="$1" '
	function flush(   i, j, w, line, sep) {
		if (!nrows) return
		for (j = 1; j <= ncol; j++) width[j] = 0
		for (i = 1; i <= nrows; i++)
			for (j = 1; j <= ncol; j++)
				if (length(cell[i, j]) > width[j]) width[j] = length(cell[i, j])
		if (md) print "### " title "\n"
		else print "  " title
		for (i = 1; i <= nrows; i++) {
			line = md ? "|" : "   "
			for (j = 1; j <= ncol; j++) {
				if (md) line = line " " cell[i, j] " |"
				else if (j < ncol) line = line sprintf(" %-*s |", width[j], cell[i, j])
				else line = line " " cell[i, j]
			}
			print line
			if (i == 1) {
				sep = md ? "|" : "   "
				for (j = 1; j <= ncol; j++) {
					w = width[j] + 2
					s = ""
					while (length(s) < (md ? 3 : w)) s = s "-"
					sep = sep (md ? s "|" : s (j < ncol ? "+" : ""))
				}
				print sep
			}
		}
		print ""
		nrows = 0
	}
	function add(text,   n, parts, j) {
		n = split(text, parts, / \| /)
		nrows++
		if (n > ncol) ncol = n
		for (j = 1; j <= n; j++) {
			gsub(/^ +| +$/, "", parts[j])
			cell[nrows, j] = parts[j]
		}
	}
	/^TABLE / { flush(); sub(/^TABLE [^ ]+ /, ""); title = $0; ncol = 0; next }
	/^COLS / { sub(/^COLS /, ""); add($0); next }
	/^ROW / { sub(/^ROW /, ""); add($0); next }
	/^NOTE / { flush(); sub(/^NOTE /, ""); print (md ? "" : "  ") "Note: " $0 "\n"; next }
	END { flush() }'
}

# lines KERNEL: the benchmark lines of that kernel's VM, from run.sh's report
# (each script's output, indented under its `vm KERNEL/MODE NAME: PASS` line),
# which run.sh wrote as soon as the VM ended: the serial logs in build/vm are
# shared with any other run.sh and may be gone by now.
lines() {
	awk -v k="$1" '/^vm / { split($2, a, "/"); cur = a[1]; next }
		/^    / && cur == k { print substr($0, 5) }' "$VMB/bench-run.out" |
		grep -E '^(TABLE|COLS|ROW|NOTE|GOAL) '
}

release() {
	cat "$CACHE/kernels/$1/release" 2>/dev/null || echo "$1"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
ncpu=$(nproc)
host_os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
qemu=$($QEMU --version | head -n1)
date=$(date -u '+%Y-%m-%d %H:%M UTC')
rels=$(for k in $LABELS; do printf '%s, ' "$(release "$k")"; done | sed 's/, $//')
machine="$cpu, $ncpu cores, $host_os; guests: $qemu, TCG (no KVM), 1 vCPU and 1024 MB each,"
machine="$machine $JOBS at a time"

echo
echo "bench: results ($date; host: $machine)"
echo "bench: absolute times are those of an emulated CPU, not real hardware; compare ratios."
for k in $LABELS; do
	echo
	echo "== kernel $(release "$k") =="
	lines "$k" | render 0
done
echo "Goals:"
for k in $LABELS; do
	lines "$k" | sed -n "s/^GOAL \([^ ]*\) \([a-z]*\) \(.*\)/  $(release "$k"): \2: \3/p"
done

{
	echo "# ttyidle benchmarks"
	echo
	echo "Written by \`make bench\` (tests/vm/bench/host/bench.sh) on $date," \
		"in $((wall / 60)) min $((wall % 60)) s."
	echo
	echo "* Machine: $machine."
	echo "* Kernels: $rels."
	echo "* Absolute times are those of a CPU emulated by QEMU TCG, many times slower than"
	echo "  the host and uneven; compare ratios and orders of magnitude, not milliseconds."
	echo "* Every comparison was measured inside one VM boot. Figures 1, 2 and 5 (peer"
	echo "  comparison, enforcement under load) ran on 6.1 (Debian 12's kernel) only,"
	echo "  figures 3, 4 and 6 (hot-path overhead, daemon cost, a hostile user's load) on"
	echo "  every kernel."
	[ "$GLOB" = '*' ] || echo "* Benchmarks run: those matching '$GLOB' only."
	echo "* Reported, not asserted: a missed goal does not fail \`make bench\`."
	echo
	echo "## Goals"
	echo
	echo "| kernel | goal | result |"
	echo "|---|---|---|"
	for k in $LABELS; do
		lines "$k" | sed -n "s/^GOAL \([^ ]*\) \([a-z]*\) \(.*\)/| $(release "$k") | \3 | \2 |/p"
	done
	echo
	for k in $LABELS; do
		echo "## Kernel $(release "$k")"
		echo
		lines "$k" | render 1
	done
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo
echo "bench: wrote ${OUT#"$ROOT"/}; total wall time $((wall / 60)) min $((wall % 60)) s"
exit "$rc"
