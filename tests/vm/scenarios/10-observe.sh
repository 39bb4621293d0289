#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# What the kernel sees on a PTY lands on one record per terminal: keystrokes
# written to the master are input, program output is output, master-side
# reads and writes are booked on the slave's record, two PTYs with the same
# index in two devpts instances are two records, and a closed PTY's record goes.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_ttyidle

log "one PTY: input, consumed input, output, drained output"
pty_start a open
line=$(pty_info a)
rdev=$(kv rdev "$line") devpts=$(kv devpts "$line") pid=$(kv pid "$line")
pty_cmd a 'wm abc\n'
pty_cmd a 'rs'
pty_cmd a 'ws hello\n'
pty_cmd a 'rm'
wait_for 10 has_rec "$rdev" "$devpts"
rec=$(rec_json "$rdev" "$devpts")
log "$rec"
assert_eq 1 "$(rec_count "$rdev" "$devpts")" "records for $rdev in devpts $devpts"
assert_eq 4 "$(jfield bytes_in "$rec")" "bytes_in (abc\\n written into the master)"
assert_eq 6 "$(jfield bytes_out "$rec")" "bytes_out (hello\\n written to the slave)"
assert_eq pty "$(jfield kind "$rec")" "kind"
assert_eq "pts/$(kv index "$line")" "$(jfield tty "$rec")" "tty name"
assert_eq ptyctl "$(jfield writer_comm "$rec")" "writer of the master"
assert_eq "$pid" "$(jfield writer_pid "$rec")" "writer pid"
in=$(jfield in_ns "$rec") inr=$(jfield in_read_ns "$rec")
out=$(jfield out_ns "$rec") outr=$(jfield out_read_ns "$rec")
# each clock ticked, in the order the test moved the bytes
assert_ge 1 "$in" "in_ns"
[ "$in" -lt "$inr" ] || fail "in_ns $in should precede in_read_ns $inr"
[ "$inr" -lt "$out" ] || fail "in_read_ns $inr should precede out_ns $out"
[ "$out" -lt "$outr" ] || fail "out_ns $out should precede out_read_ns $outr"

log "bpftool shows named fields"
dump=$(bpftool map dump pinned /sys/fs/bpf/ttyidle/ttys)
assert_match '"in_bytes": 4' "$dump" "bpftool map dump"
assert_match '"writer_comm": "ptyctl"' "$dump" "bpftool map dump"
assert_match '"devpts": ' "$dump" "bpftool map dump key"

log "two PTYs with the same index in two devpts instances"
pty_start b open --newinstance open --newinstance
l0=$(pty_info b 0) l1=$(pty_info b 1)
assert_eq "$(kv rdev "$l0")" "$(kv rdev "$l1")" "same device number"
pty_cmd b 'select 0'
pty_cmd b 'wm x'
pty_cmd b 'select 1'
pty_cmd b 'wm yy'
wait_for 10 has_rec "$(kv rdev "$l0")" "$(kv devpts "$l0")"
wait_for 10 has_rec "$(kv rdev "$l1")" "$(kv devpts "$l1")"
r0=$(rec_json "$(kv rdev "$l0")" "$(kv devpts "$l0")")
r1=$(rec_json "$(kv rdev "$l1")" "$(kv devpts "$l1")")
assert_eq 1 "$(jfield bytes_in "$r0")" "bytes_in of the first instance's PTY"
assert_eq 2 "$(jfield bytes_in "$r1")" "bytes_in of the second instance's PTY"

log "closing releases the records"
pty_stop a
wait_for 10 no_rec "$rdev" "$devpts"
pty_stop b
wait_for 10 no_rec "$(kv rdev "$l1")" "$(kv devpts "$l1")"
assert_file_match "$TTYIDLE_LOG" "terminal dev $rdev devpts $devpts released"
stop_ttyidle
exit 0
