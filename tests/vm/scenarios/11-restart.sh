#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# A daemon killed with SIGKILL and started again adopts the pinned programs
# and maps: no idle history is lost, and (where links can be pinned) the
# kernel keeps observing while no daemon runs.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_ttyidle
pty_start a open
line=$(pty_info a)
rdev=$(kv rdev "$line") devpts=$(kv devpts "$line")
# a session owns it: its record is about it for as long as the session lives
quiet pty_cmd a 'spawn cat >/dev/null'
pty_cmd a 'wm abc'
wait_for 10 has_rec "$rdev" "$devpts"
# and a terminal without a session, whose number could be anyone's next
pty_start b open
line_b=$(pty_info b)
rdev_b=$(kv rdev "$line_b")
pty_cmd b 'wm x'
wait_for 10 has_rec "$rdev_b" "$devpts"
before=$(rec_json "$rdev" "$devpts")
first=$(jfield first_ns "$before") in1=$(jfield in_ns "$before")
pinned=yes
grep -q 'cannot pin' "$TTYIDLE_LOG" && pinned=no

kill -KILL "$TTYIDLE_PID"
wait "$TTYIDLE_PID" 2>/dev/null
log "daemon killed; pinned links: $pinned"
assert_ok test -e /sys/fs/bpf/ttyidle/ttys
rec=$(rec_json "$rdev" "$devpts")
assert_eq "$first" "$(jfield first_ns "$rec")" "first_ns survives the kill"
assert_eq "$in1" "$(jfield in_ns "$rec")" "in_ns survives the kill"

pty_cmd a 'wm de'
if [ $pinned = yes ]; then
	rec=$(rec_json "$rdev" "$devpts")
	assert_eq 5 "$(jfield bytes_in "$rec")" "bytes typed while no daemon ran are counted"
	[ "$(jfield in_ns "$rec")" -gt "$in1" ] || fail "in_ns did not move while the daemon was down"
fi

: >"$TTYIDLE_LOG"
start_ttyidle
if [ $pinned = yes ]; then
	assert_file_match "$TTYIDLE_LOG" 'adopted programs in (fentry|kprobe) mode'
	assert_ok has_rec "$rdev_b" "$devpts"
else
	# 5.10 in kprobe mode: the links died with the daemon; the maps did not.
	# A record nothing observed may be about a terminal released since and
	# its number reused: only one whose session lives is kept.
	assert_file_match "$TTYIDLE_LOG" 'attached programs in kprobe mode'
	assert_file_match "$TTYIDLE_LOG" 'dropped 1 terminal records kept while nothing observed them'
	assert_fails has_rec "$rdev_b" "$devpts"
fi
assert_file_match "$TTYIDLE_LOG" 'tracking [1-9][0-9]* terminals'
rec=$(rec_json "$rdev" "$devpts")
assert_eq "$first" "$(jfield first_ns "$rec")" "first_ns after restart"
pty_cmd a 'wm f'
rec=$(rec_json "$rdev" "$devpts")
[ "$(jfield in_ns "$rec")" -gt "$in1" ] || fail "in_ns does not move after restart"

# kretprobe_events: our lines of tracefs kprobe_events
kretprobe_events() {
	grep -s ttyidle /sys/kernel/tracing/kprobe_events || true
}
! grep -q 'programs in kprobe mode' "$TTYIDLE_LOG" || [ -n "$(kretprobe_events)" ] ||
	fail "kprobe mode without its tracefs kretprobe"

log "unload removes every pin and detaches"
stop_ttyidle
if [ $pinned = no ]; then
	assert_eq "" "$(kretprobe_events)" "tracefs kretprobes after the daemon that held the links exited"
fi
assert_ok ttyidle unload
assert_fails test -e /sys/fs/bpf/ttyidle
[ -z "$(bpftool link list 2>/dev/null | grep -E 'tty_write|n_tty_read')" ] ||
	fail "links still attached after unload: $(bpftool link list)"
assert_eq "" "$(kretprobe_events)" "tracefs kretprobes after unload"

log "a ring buffer pinned with another size (an older version's) is replaced, not refused"
# events_size: max_entries of the pinned ring buffer
events_size() {
	bpftool map show pinned /sys/fs/bpf/ttyidle/events | sed -n 's/.*max_entries \([0-9]*\).*/\1/p'
}
mkdir -p /sys/fs/bpf/ttyidle
assert_ok bpftool map create /sys/fs/bpf/ttyidle/events type ringbuf key 0 value 0 \
	entries 262144 name events
start_ttyidle
assert_eq 1048576 "$(events_size)" "ring buffer's size"
pty_cmd a 'wm g'
wait_for 10 has_rec "$rdev" "$devpts"
stop_ttyidle
assert_ok ttyidle unload
assert_fails test -e /sys/fs/bpf/ttyidle
[ -z "$(bpftool link list 2>/dev/null | grep -E 'tty_write|n_tty_read')" ] ||
	fail "links still attached after unload: $(bpftool link list)"
pty_stop a
exit 0
