#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# Programs blocked inside a terminal read or write do not blind the daemon.
# 12 programs block writing to terminals nobody drains (like output stuck on
# a stopped terminal or a slow link) and 12 block reading (like every shell
# waiting at its prompt). Keystrokes on another terminal must still be
# recorded as input, and a program reading them as input-read: otherwise
# active users would be taken for idle ones and disconnected. (kprobe mode:
# a kretprobe has few instances, max(10, 2 x CPUs) or, without
# CONFIG_PREEMPTION, one per CPU, and each blocked call holds one.)
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_ttyidle --config '' --config-dir ''
pty_start w open open open open open open open open open open open open \
	open open open open open open open open open open open open
i=0
while [ $i -lt 24 ]; do
	quiet pty_cmd w "select $i"
	if [ $i -lt 12 ]; then
		quiet pty_cmd w 'spawn yes'
	else
		quiet pty_cmd w 'spawn cat'
	fi
	i=$((i + 1))
done
# a writer blocks once the PTY's buffers are full; a reader at once
wait_for 20 count_is 12 _blocked yes
wait_for 20 count_is 12 _blocked cat

log "a terminal in use next to them"
pty_start t open
line=$(pty_info t)
rdev=$(kv rdev "$line") devpts=$(kv devpts "$line")
quiet pty_cmd t 'spawn cat'
quiet pty_cmd t 'wm abc\n'
# the echo, then cat's own copy: cat has read the line and written it back,
# so status reads the maps after those bookings. (A map syscall takes the
# kernel's per-CPU BPF guard for its length; preempted holding it, as on
# sid's PREEMPT_LAZY, it can make kprobe programs on that CPU skip runs,
# which runs_skipped counts: one sid/kprobe run lost a read that way or
# another, see _why.)
quiet pty_cmd t 'expect abc\r\nabc'
wait_for 5 has_rec "$rdev" "$devpts"
# the echo can come before cat's read returns (fexit books it then): wait for it
_read_booked() {
	[ "$(jfield in_read_ns "$(rec_json "$rdev" "$devpts")")" -ge 1 ] 2>/dev/null
}
poll_for 10 _read_booked || true
r=$(rec_json "$rdev" "$devpts")
log "$r"
in1=$(jfield in_ns "$r") inr1=$(jfield in_read_ns "$r")
# what the next engineer needs when a read goes unbooked: were runs of the
# programs skipped, or did cat not read?
_why() {
	log "runs skipped, events lost: $(ttyidle status --json | jsonq get runs_skipped events_lost | tr '\n' ' ')"
	bpftool prog show | grep -E 'name|misses' | while read -r l; do log "$l"; done
	cat /sys/kernel/tracing/kprobe_profile 2>/dev/null | while read -r l; do log "kprobe_profile: $l"; done
}
[ "${inr1:-0}" -ge 1 ] 2>/dev/null || _why
assert_ge 1 "$in1" "in_ns after keystrokes"
assert_ge 1 "$inr1" "in_read_ns after cat read them"
sleep 0.5
quiet pty_cmd t 'wm defg\n'
quiet pty_cmd t 'expect defg\r\ndefg'
sleep 0.5
r=$(rec_json "$rdev" "$devpts")
log "$r"
[ "$(jfield in_ns "$r")" -gt "$in1" ] || fail "second keystrokes not recorded as input"
[ "$(jfield in_read_ns "$r")" -gt "$inr1" ] || {
	_why
	fail "second read not recorded as input-read"
}
assert_eq 9 "$(jfield bytes_in "$r")" "bytes_in (abc\\n defg\\n)"
pty_stop t
pty_stop w
stop_ttyidle
exit 0
