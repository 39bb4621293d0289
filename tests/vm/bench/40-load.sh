#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 900
# Figure 5, Debian 12's kernel only: enforcement under load. 10,000 open
# terminals, 1,000 of them sessions (a tiny setsid child each), all 1,000
# typed into in one burst, so that they all come due in the same second; how
# long after its deadline each session is gone (the child reaped by ptybench,
# the way sshd sees its shell end).
# shellcheck disable=SC1091,SC2046 # sourced from the image; set -- $(...) splits on purpose
. /scenarios/lib.sh
. /scenarios/ttyidle.inc
. /bench/benchlib.inc

TERMS=10000
SESSIONS=1000
IDLE=30 # seconds
WARN=5
BG=15   # seconds of background measured before the burst

if ! peer_kernel; then
	echo "figure 5 runs on the $PEER_KERNEL kernel only (this is $KERNEL_RELEASE)"
	exit 0
fi
big_limits
write_conf /tmp/t.conf <<CONF
[global]
scope = all
idle-timeout = ${IDLE}s
warn-before = ${WARN}s
CONF
rm -f "$METRICS"
start_ttyidle --config /tmp/t.conf --config-dir '' --metrics "$METRICS"
ptybench mass "$TERMS" --sessions "$SESSIONS" --ctl /tmp/mass.ctl --log /tmp/mass.log \
	>/tmp/mass.err 2>&1 &
mass=$!
poll_for 900 grep -q '^ready' /tmp/mass.log || {
	cat /tmp/mass.err
	fail "ptybench mass did not get ready"
}
ready_ms=$(uptime_ms)
wait_tracked "$TERMS" 60
# The terminals without a session: once past the shortest lead (idle-timeout -
# warn-before) after their one keystroke, what do they cost a daemon that has
# nothing to do with them? The window must hold nothing else: the sessions are
# typed into once, 5 s before the lead, so the daemon's next look at them
# (when their old warning time comes, it finds the keystroke and moves on)
# falls after the window; the metric writes in it are counted and taken off.
LEAD=$((IDLE - WARN))
poke_sessions() {
	_acks=$(grep -c '^ack poke' /tmp/mass.log)
	echo poke >/tmp/mass.ctl
	poll_for 60 count_is $((_acks + 1)) grep '^ack poke' /tmp/mass.log || fail "ptybench did not poke"
}
# metric_writes_until MS: how many times the daemon rewrote $METRICS until MS
metric_writes_until() {
	_mw_n=0
	_mw_prev=$(metrics_inode)
	while [ "$(uptime_ms)" -lt "$1" ]; do
		sleep 0.2
		_mw_cur=$(metrics_inode)
		if [ -n "$_mw_cur" ] && [ "$_mw_cur" != "$_mw_prev" ]; then
			_mw_n=$((_mw_n + 1))
			_mw_prev=$_mw_cur
		fi
	done
	echo "$_mw_n"
}
tracked_ms=$(uptime_ms)
poke_sessions
[ "$tracked_ms" -lt $((ready_ms + (LEAD - 5) * 1000)) ] ||
	log "tracking took $((tracked_ms - ready_ms)) ms: the sessions' schedule is off"
sleep_until_ms $((ready_ms + (LEAD - 5) * 1000))
poke_sessions
poked_ms=$(uptime_ms)
win0=$(($(uptime_ms) + 2000))
[ "$win0" -gt $((ready_ms + (LEAD + 2) * 1000)) ] || win0=$((ready_ms + (LEAD + 2) * 1000))
sleep_until_ms "$win0"
c0=$(vol_switches "$TTYIDLE_PID")
b0=$(cpu_ticks "$TTYIDLE_PID")
e0=$(metric ttyidle_events_received_total)
writes=$(metric_writes_until $((win0 + BG * 1000)))
c1=$(vol_switches "$TTYIDLE_PID")
b1=$(cpu_ticks "$TTYIDLE_PID")
e1=$(metric ttyidle_events_received_total)
[ $(($(uptime_ms) - poked_ms)) -lt $((LEAD * 1000)) ] ||
	log "window ran into the sessions' next look: the quiet figure includes them"
poke_sessions
log "background: ctx $c0->$c1 ticks $b0->$b1 events $e0->$e1 metric writes $writes in ${BG}s"
# One walk over /proc/*/stat, as the daemon does to find a session's processes.
walk=$(ptybench walk 5)
log "$walk"
log "$TERMS terminals tracked; poking the $SESSIONS sessions"
t0=$(cpu_ticks "$TTYIDLE_PID")
acks=$(grep -c '^ack poke' /tmp/mass.log)
echo poke >/tmp/mass.ctl
poll_for 60 count_is $((acks + 1)) grep '^ack poke' /tmp/mass.log || fail "ptybench did not poke"
poll_for $((IDLE + 480)) count_is "$SESSIONS" grep '^end ' /tmp/mass.log
t1=$(cpu_ticks "$TTYIDLE_PID")
ended=$(grep -c '^end ' /tmp/mass.log)
log "$ended of $SESSIONS sessions ended; daemon used $((t1 - t0)) ticks meanwhile"

# lateness of each end against its own keystroke + idle-timeout
awk -v idle="$IDLE" '
	/^poked / { split($2, a, "="); split($3, b, "="); due[a[2]] = b[2] + idle * 1000 }
	/^end / { split($2, a, "="); split($3, b, "="); print b[2] - due[a[2]] }
' /tmp/mass.log >/tmp/late
set -- $(stats </tmp/late)
# the last burst: from its first keystroke to its last
poke_span=$(awk '/^poked / { split($3, b, "="); if ($2 == "i=0") lo = b[2]; hi = b[2] }
	END { print hi - lo }' /tmp/mass.log)
table load "Enforcement under load: $SESSIONS sessions among $TERMS terminals" \
	"due in the same second"
cols "sessions ended | first end after due (ms) | median (ms) | last end after due (ms) |" \
	"daemon CPU-s from due to last end"
row "$ended of $SESSIONS | $2 | $3 | $4 |" \
	"$(awk -v t="$((t1 - t0))" 'BEGIN { printf "%.2f", t / 100 }')"
quiet=$((c1 - c0 - writes))
row_bg="$((TERMS - SESSIONS)) terminals without a session, idle past the lead, before the burst:"
note "load: $row_bg $(awk -v c="$quiet" -v t="$((b1 - b0))" -v s="$BG" \
	'BEGIN { printf "%.2f daemon wake-ups/s beyond metric writes, %.1f%% of one core", c / s, t / s }')" \
	"(${BG} s window, $writes metric writes and $((e1 - e0)) ring buffer events in it)."
note "load: the daemon spent $(awk -v t="$((t1 - t0))" -v n="$ended" \
	'BEGIN { printf "%.0f", n ? t * 10 / n : 0 }') ms of CPU per session ended; one walk over" \
	"/proc/PID/stat of all $(kv procs "$walk") processes (how the daemon finds a session's" \
	"members, for the warning, the hangup and each check that it is gone) costs" \
	"$(kv ms_per_walk "$walk") ms (ptybench walk)."
note "load: scope = all, idle-timeout ${IDLE}s, warn-before ${WARN}s;" \
	"the $SESSIONS keystrokes took" \
	"${poke_span} ms to type; due = each session's own keystroke + ${IDLE}s; end = ptybench reaped" \
	"the session's process (SIGHUP from the hangup)."
bg_wk=$(awk -v c="$quiet" -v s="$BG" 'BEGIN { printf "%.2f", c / s }')
what="zero wake-ups when nothing happens, $((TERMS - SESSIONS)) idle terminals without a session"
if [ "$quiet" -le 0 ]; then
	goal quiet-nosession met "$what: none beyond the metric writes in ${BG}s (they are armed" \
		"and wait for their next use)"
else
	goal quiet-nosession missed "$what: $bg_wk/s beyond the metric writes ($quiet in ${BG}s," \
		"$((e1 - e0)) ring buffer events)"
fi
echo quit >/tmp/mass.ctl
poll_for 120 grep -q '^quit' /tmp/mass.log
wait "$mass"
stop_ttyidle
ttyidle unload >/dev/null 2>&1
exit 0
