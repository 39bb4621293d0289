#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run cmocka unit test binaries, stream their output, and end with one line
# "N passed, N failed" summed over all of them. Exits non-zero on any
# failure. A binary that dies before cmocka counts its tests (crash,
# sanitizer report), or exits non-zero after they all passed (leaks), adds
# one failure.
set -u

passed=0
failed=0
for bin in "$@"; do
	log=$(mktemp) || exit 2
	rcf=$(mktemp) || exit 2
	# POSIX sh has no PIPESTATUS: keep the binary's status in a file.
	{ "$bin" 2>&1; echo $? >"$rcf"; } | tee "$log"
	rc=$(cat "$rcf")
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test(s)\..*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s).*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	total=$(sed -n 's/^\[==========\] \([0-9][0-9]*\) test(s) run\..*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	rm -f "$log" "$rcf"
	if [ "$total" -eq 0 ] || [ $((p + f)) -lt "$total" ]; then
		# Died before its summary: every test not reported passed is lost.
		lost=$((total - p - f))
		[ "$lost" -lt 1 ] && lost=1
		echo "run.sh: $bin did not finish its tests" >&2
		f=$((f + lost))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# All tests passed but the binary failed (e.g. LeakSanitizer at exit).
		echo "run.sh: $bin exited with status $rc" >&2
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
