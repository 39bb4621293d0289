#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 150
# Hostile user, many terminals (issue "No user can escape enforcement",
# point 8): alice opens PTYs of her own as fast as she can, in waves of 1000
# (200 of them with a session each, all of them used once), each wave closed
# after about a second, from a detached job that outlives her login, while
# her own ssh login and bob's idle. The flood must not delay them: both are
# warned and ended on time (not before last input + idle-timeout, at most 2 s
# after). The daemon survives the flood, and processes of bob and root
# elsewhere get no signal. The daemon's records are timed as they reach its
# log, so that a late end says which step was late.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

TTYIDLE_STAMPS=/tmp/ttyidle.stamps
start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
CONF
bystander_start bob bob
bystander_start root root
ssh_logins a:alice b:bob
tty_a=$(remote_tty a) tty_b=$(remote_tty b)
log "terminals: alice $tty_a, bob $tty_b"

log "alice floods the machine with terminals"
# each wave is closed a second after it is ready (on a loaded TCG host opening
# 1000 PTYs can take seconds, and a wave killed before it is ready floods nothing)
cat >/tmp/flood.sh <<'SH'
waves() {
	n=$(grep -c '^ready ' /tmp/flood.log 2>/dev/null)
	echo "${n:-0}"
}
i=0
while [ $i -lt 12 ]; do
	n0=$(waves)
	ptybench mass 1000 --sessions 200 --log /tmp/flood.log &
	p=$!
	j=0
	while [ "$(waves)" -le "$n0" ] && [ $j -lt 300 ]; do
		sleep 0.1
		j=$((j + 1))
	done
	sleep 1
	kill $p
	wait $p
	i=$((i + 1))
done
echo END >>/tmp/flood.log
SH
chmod 755 /tmp/flood.sh
type_keys a "setsid sh /tmp/flood.sh </dev/null >/dev/null 2>&1 & echo FL\"\"OOD\\n"
quiet pty_cmd a 'expect FLOOD'
# the deadlines count from input typed once the flood runs (its first wave can
# take seconds on a loaded TCG host), so that it surrounds both of them; until
# then both users type a space a second (leading spaces of the command line
# below), or a slow start would let their logins come due before it
_flood_ready() {
	grep -q '^ready ' /tmp/flood.log 2>/dev/null
}
i=0
until _flood_ready; do
	[ $i -lt 60 ] || fail "the flood did not start: $(cat /tmp/flood.log 2>&1)"
	type_keys a "\\x20"
	type_keys b "\\x20"
	sleep 1
	i=$((i + 1))
done
for c in a b; do
	type_keys "$c" "echo A\"\"GAIN\\n"
	quiet pty_cmd "$c" 'expect AGAIN'
done
snap=$(status_objs)
ra=$(tty_rec "$tty_a" "$snap") rb=$(tty_rec "$tty_b" "$snap")
need_rec "$tty_a" "$ra"
need_rec "$tty_b" "$rb"
log "alice: $ra"
log "bob:   $rb"
deadline_a=$(($(in_ms "$ra") + 6000)) deadline_b=$(($(in_ms "$rb") + 6000))

# ended NAME TTY DEADLINE: warned, ended on time by a hangup; the daemon's
# own records timed as they reached its log (warn, terminate, ended), so that
# a late client says which step was late
ended() {
	_late=0
	(ended_by "$1" "$3" "$2") || _late=1
	for _ev in warn terminate ended; do
		_t=$(stamp_ms $_ev "$2")
		[ -n "$_t" ] || fail "$1: no $_ev record for $2"
		log "$1 ($2): $_ev record $((_t - $3)) ms after the deadline"
		if [ $_ev = terminate ]; then _hup=$((_t - $3)); fi
	done
	if [ "$_hup" -lt -100 ] || [ "$_hup" -gt 2000 ]; then
		log "$1: terminate record $_hup ms after the deadline, expected -100..2000"
		_late=1
	fi
	if [ "$_late" = 1 ]; then
		log "$1: the daemon's log from 4.6 s before to 2 s after the deadline (ms):"
		awk -v lo=$(($3 - 4600)) -v hi=$(($3 + 2000)) -v d="$3" \
			'$1 >= lo && $1 <= hi && !/first seen|released/ { $1 = $1 - d; print }' \
			"$TTYIDLE_STAMPS" | cut -c1-160 | while read -r l; do log "  $l"; done
		fail "$1: not ended on time"
	fi
	t=$(tty_audit terminate "$2")
	log "$t"
	assert_match 'ACTION=hangup OUTCOME="terminal hung up; ' "$t" "$1: terminate record of $2"
}

soft bob-ended ended b "$tty_b" "$deadline_b"
soft alice-ended ended a "$tty_a" "$deadline_a"

# the flood really ran around both deadlines: waves opened before and after
# (the waves are about a second apart: wait for the first after the later one)
_last_wave() {
	sed -n 's/^ready .* t=\([0-9]*\)$/\1/p' /tmp/flood.log | tail -n1
}
_wave_after() {
	_lw=$(_last_wave)
	[ -n "$_lw" ] && [ "$_lw" -ge "$1" ]
}
late=$((deadline_a > deadline_b ? deadline_a : deadline_b))
poll_for 30 _wave_after "$late" || true
waves=$(grep -c '^ready ' /tmp/flood.log 2>/dev/null)
log "flood: $waves waves so far: $(sed -n 's/^ready n=\([0-9]*\) sessions=\([0-9]*\) .* t=\([0-9]*\)$/\1+\2@\3/p' /tmp/flood.log | tr '\n' ' ')"
first=$(sed -n 's/^ready .* t=\([0-9]*\)$/\1/p' /tmp/flood.log | head -n1)
last=$(sed -n 's/^ready .* t=\([0-9]*\)$/\1/p' /tmp/flood.log | tail -n1)
[ -n "$first" ] || fail "the flood did not run: $(cat /tmp/flood.log 2>&1)"
early=$((deadline_a < deadline_b ? deadline_a : deadline_b))
assert_le $((early - 2000)) "$first" "first flood wave (ms), before the earlier warning"
assert_ge "$late" "$last" "last flood wave so far (ms), after the later deadline"
assert_ok alive "$TTYIDLE_PID"
bystanders_check
soft_end
stop_ttyidle
exit 0
