#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Usage: run.sh SECONDS BIN...
# Run each libFuzzer binary for SECONDS, seeded from tests/fuzz/corpus/NAME
# (if present) and, for fuzz_config*, the configuration corpus in
# tests/config/{good,bad}. Prints one line per binary with the executions
# and seconds; on a crash, leak, timeout or failed check, prints the end of
# the fuzzer's log, keeps the reproducer next to the binary, and fails.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SECONDS BIN..." >&2
	exit 2
fi
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
status=0
passed=0
failed=0

for bin in "$@"; do
	name=$(basename "$bin")
	work=$(mktemp -d) || exit 2
	log=$work/log
	mkdir "$work/corpus"
	seeds=
	[ -d "$here/corpus/$name" ] && seeds="$seeds $here/corpus/$name"
	case $name in
	fuzz_config*) seeds="$seeds $top/tests/config/good $top/tests/config/bad" ;;
	esac
	dict=
	[ -f "$here/$name.dict" ] && dict="-dict=$here/$name.dict"
	artifacts=$(cd "$(dirname "$bin")" && pwd)/artifacts-$name
	mkdir -p "$artifacts"

	start=$(date +%s)
	# shellcheck disable=SC2086 # seeds and dict are word lists on purpose
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$artifacts/" $dict "$work/corpus" $seeds >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		tail -n 60 "$log"
		echo "$name: FAILED (exit $rc) after ${execs:-?} execs in $took s; reproducer in $artifacts/"
		status=1
		failed=$((failed + 1))
	else
		echo "$name: ${execs:-?} execs in $took s, no crash"
		passed=$((passed + 1))
		rmdir "$artifacts" 2>/dev/null
	fi
	rm -rf "$work"
done
# one target run without a crash counts as one passed test
echo "fuzz: $passed passed, $failed failed"
exit $status
