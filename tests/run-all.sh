#!/bin/bash
# `make test`: every suite, then one closing line summing them all.
# Each suite prints its own "N passed, N failed" line last; this script adds
# them up so CI reads one verdict, and fails if any suite failed or broke.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
total_pass=0 total_fail=0 broken=()

# tally NAME RC: add the last "N passed, N failed" line of NAME's log.
tally() {
	local name=$1 rc=$2 log="build/test-$1.log" line p f
	line=$(grep -aE '^[[:alnum:]_-]*:? ?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
		total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	fi
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		broken+=("$name (exit $rc)")
		[ -z "$line" ] && total_fail=$((total_fail + 1))
	fi
}

run_suite() {
	local name=$1
	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "build/test-$name.log"
	tally "$name" "${PIPESTATUS[0]}"
}

# start_suite NAME CMD...: run a suite beside the next ones (two single-VM
# suites share the two cores as the x86 matrix's two jobs do); its output is
# shown, and counted, by finish_suite NAME.
declare -A bg=()
start_suite() {
	local name=$1
	shift
	echo "=== $name: $* (in the background, shown when it ends)"
	(
		"$@" >"build/test-$name.log" 2>&1
		echo $? >"build/test-$name.rc"
	) &
	bg[$name]=$!
}

finish_suite() {
	wait "${bg[$1]}"
	echo "=== $1 (ran in the background)"
	cat "build/test-$1.log"
	tally "$1" "$(cat "build/test-$1.rc" 2>/dev/null || echo 1)"
}

mkdir -p build
run_suite unit make -s unit
run_suite unit-fresh-boot tests/unit/fresh-boot.sh
run_suite fuzz make -s fuzz FUZZ_SECONDS=45
run_suite host tests/host/run.sh
run_suite format sh -c 'make -s format-check && echo "format: 1 passed, 0 failed" || echo "format: 0 passed, 1 failed"'
run_suite man sh -c 'make -s man-lint && echo "man: 2 passed, 0 failed" || echo "man: 0 passed, 2 failed"'
run_suite pkg tests/pkg/run.sh
run_suite container tests/container/run.sh
run_suite vm tests/vm/run.sh
# a hardened container host's kernel (Talos' default): the whole scenario
# suite on 6.1 booted with lockdown=confidentiality, in fentry mode, the only
# mode that can run there (12-errors checks kprobe mode is refused, saying why)
start_suite vm-lockdown tests/vm/run.sh --kernels 6.1 --attach fentry --append lockdown=confidentiality --jobs 1
# arm64: the whole scenario suite on one kernel in fentry mode (the full
# matrix: tests/vm/run.sh --arch arm64 --jobs 1; README.md, arm64)
run_suite vm-arm64 tests/vm/run.sh --arch arm64 --kernels 6.12 --attach fentry --jobs 1
finish_suite vm-lockdown
# the packaged service on a Debian host with systemd as PID 1 (tests/sysvm)
run_suite sysvm tests/sysvm/run.sh --kernels "6.1 sid" --attach "fentry kprobe" --jobs 2

echo
echo "=== summary"
for b in "${broken[@]}"; do echo "suite failed: $b"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
