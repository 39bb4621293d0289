#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# What the Debian package's maintainer scripts rely on (scripts/debian):
# the daemon says at start which policy it enforces (with no configuration:
# the default, root included), and `unload --if-incompatible` keeps the pins
# of this version's layout, which a restarted daemon takes up again, and
# removes those of another layout, after which a daemon attaches afresh
# instead of refusing them.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_ttyidle --config '' --config-dir ''
assert_eq "ttyidle: policy in force: scope = login; sessions no rule matches: hang up after 15min idle (activity: input), warning 1min before; nobody is exempt unless a rule says so, root included" \
	"$(grep 'policy in force' "$TTYIDLE_LOG")" "the policy line at start"

log "pins of this version's layout stay (checked while the daemon runs, removed with it stopped)"
out=$(ttyidle unload --if-incompatible --check 2>&1)
assert_eq "0 pins under /sys/fs/bpf/ttyidle are of this version's layout: kept" "$? $out" "--check"
stop_ttyidle
out=$(ttyidle unload --if-incompatible 2>&1)
assert_eq "0 pins under /sys/fs/bpf/ttyidle are of this version's layout: kept" "$? $out" "unload --if-incompatible"
assert_ok test -e /sys/fs/bpf/ttyidle/ctl
start_ttyidle --config '' --config-dir ''
stop_ttyidle

log "pins of another layout: ctl says layout 1"
size=$(bpftool map show pinned /sys/fs/bpf/ttyidle/ctl | sed -n 's/.* value \([0-9]*\)B.*/\1/p')
# shellcheck disable=SC2046 # one word per byte
assert_ok bpftool map update pinned /sys/fs/bpf/ttyidle/ctl key 0 0 0 0 value 1 $(seq 2 "$size" | sed 's/.*/0/')
out=$(ttyidle unload --if-incompatible --check 2>&1)
assert_match '^3 pins under /sys/fs/bpf/ttyidle would be removed: maps pinned under /sys/fs/bpf/ttyidle have layout 1, this ttyidle reads [0-9]+$' \
	"$? $out" "--check"
assert_ok test -e /sys/fs/bpf/ttyidle/ctl
out=$(ttyidle unload --if-incompatible 2>&1)
assert_match '^0 removed [0-9]+ pins of another layout under /sys/fs/bpf/ttyidle \(maps pinned under /sys/fs/bpf/ttyidle have layout 1, this ttyidle reads [0-9]+\); programs detached$' \
	"$? $out" "unload --if-incompatible"
assert_fails test -e /sys/fs/bpf/ttyidle
start_ttyidle --config '' --config-dir ''
assert_ok _own_log_has 'ttyidle: attached programs'
stop_ttyidle
