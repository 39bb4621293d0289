#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 1100
# Figure 4, every kernel: the daemon's cost with 1,000 and 10,000 open
# terminals, each with a utmp record, as many of them sessions (a tiny setsid
# child holding the slave) as the VM's memory allows (a session costs about
# 60-80 kB of kernel memory on top of the PTY's 30 kB: in 1 GB about half of
# 10,000), first idle, then every terminal active (one keystroke) once a
# second. Windows start and end right after the daemon rewrote its metrics
# file, so they hold exactly two of its 15 s metric writes. Next to it,
# autolog's cost for one pass over the same utmp sessions.
# shellcheck disable=SC1091,SC2046 # sourced from the image; set -- $(...) splits on purpose
. /scenarios/lib.sh
. /scenarios/ttyidle.inc
. /bench/benchlib.inc

SIZES="1000 10000"
WINDOW_WRITES=2 # metric periods per window (15 s each)

big_limits
write_conf /tmp/t.conf <<'CONF'
[global]
scope = all
CONF
mkdir -p /var/lib/autolog
# The same policy as ttyidle's default (15 min, 60 s); autolog polls every
# `idle` minutes, so one pass is its whole cost per poll period.
cat >/tmp/autolog.conf <<'CONF'
idle=15 grace=60 nomail
nolostkill
ps=/usr/lib/procps/ps axo user:32,pid,tty
CONF

# sessions_for N: how many of N terminals can be sessions in the memory left,
# counting 30 kB per PTY and 80 kB per session, 150 MB spare; whole thousands.
sessions_for() {
	_sf=$(awk -v n="$1" '/^MemAvailable:/ { k = ($2 - 153600 - n * 30) / 80
		k = int(k / 1000) * 1000; if (k > n) k = n; if (k < 0) k = 0; print k }' /proc/meminfo)
	echo "$_sf"
}

# snap PREFIX: the daemon's counters now, as shell variables PREFIX_ms, _ticks,
# _vol (voluntary context switches: it went to sleep and was woken), _all
# (voluntary + involuntary) and _ev (ring buffer events received).
snap() {
	eval "$1_ms=$(uptime_ms) $1_ticks=$(cpu_ticks "$TTYIDLE_PID")"
	eval "$(awk -v p="$1" '/^voluntary_ctxt_switches:/ { v = $2 }
		/^nonvoluntary_ctxt_switches:/ { n = $2 }
		END { printf "%s_vol=%d %s_all=%d\n", p, v, p, v + n }' "/proc/$TTYIDLE_PID/status")"
	eval "$1_ev=$(metric ttyidle_events_received_total)"
}

bpf_runtime() { # sum of run_time_ns of ttyidle's hot-path programs
	bpf_progs | awk '$1 ~ /^(fexit|fentry|kprobe|kretprobe)_/ && $1 !~ /release/ { s += $2 } END { printf "%d\n", s }'
}

# window N ACTIVITY: one measured window, printed as a row.
# shellcheck disable=SC2154 # a_* and b_* come from snap
window() {
	metrics_wait 1
	b0=$(bpf_runtime)
	snap a
	metrics_wait "$WINDOW_WRITES"
	snap b
	b1=$(bpf_runtime)
	secs=$(awk -v a="$a_ms" -v b="$b_ms" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
	vol=$((b_vol - a_vol))
	all=$((b_all - a_all))
	ticks=$((b_ticks - a_ticks))
	per_s() { # COUNT -> per second over the window
		awk -v c="$1" -v s="$secs" 'BEGIN { printf "%.3f", c / s }'
	}
	cpu=$(awk -v t="$ticks" -v s="$secs" 'BEGIN { printf "%.3f", t / 100 / s * 60 }')
	core=$(awk -v t="$ticks" -v s="$secs" 'BEGIN { printf "%.2f%%", t / s }')
	bpf=$(awk -v n="$((b1 - b0))" -v s="$secs" 'BEGIN { printf "%.2f%%", n / s / 1e7 }')
	log "window $1 $2: ${secs}s switches vol $a_vol->$b_vol all $a_all->$b_all" \
		"ticks $a_ticks->$b_ticks events $a_ev->$b_ev bpf_ns $b0->$b1"
	case $2 in
	idle) what="none" ;;
	active) what="1 keystroke/s each" ;;
	esac
	echo "$1 | $k | $what | $secs | $(per_s "$all") | $(per_s "$vol") |" \
		"$(per_s $((vol - WINDOW_WRITES))) | $cpu | $core | $(per_s $((b_ev - a_ev))) | $bpf" \
		>>/tmp/scale.rows
	# voluntary wake-ups beyond the metric writes: the "between deadlines" figure
	echo "$1 $2 $((vol - WINDOW_WRITES)) $ticks $secs $((all - vol)) $bpf" >>/tmp/scale.raw
}

for n in $SIZES; do
	ttyidle unload >/dev/null 2>&1
	: >"$TTYIDLE_LOG"
	rm -f "$METRICS"
	start_ttyidle --config /tmp/t.conf --config-dir '' --metrics "$METRICS"
	wait_for 30 test -s "$METRICS"
	t0=$(cpu_ticks "$TTYIDLE_PID")
	ms0=$(uptime_ms)
	rm -f /tmp/mass.log /tmp/mass.ctl
	k=$(sessions_for "$n")
	ptybench mass "$n" --sessions "$k" --utmp b --users 100 --ctl /tmp/mass.ctl \
		--log /tmp/mass.log >/tmp/mass.err 2>&1 &
	mass=$!
	poll_for 900 grep -q '^ready' /tmp/mass.log || {
		cat /tmp/mass.err
		fail "ptybench mass $n did not get ready"
	}
	ms1=$(uptime_ms)
	settle "$TTYIDLE_PID" 2 || fail "daemon never went quiet with $n terminals"
	ms2=$(($(uptime_ms) - 2000)) # its last CPU tick was up to 2 s before
	t1=$(cpu_ticks "$TTYIDLE_PID")
	# every terminal tracked (events lost to a full ring buffer are made up by a map walk)
	wait_tracked "$n" 20
	log "$n terminals: set up in $(((ms1 - ms0) / 1000))s; daemon took them on with" \
		"$((t1 - t0)) ticks; free: $(free -m | awk '/^Mem:/ { print $3 "MB used, " $4 "MB free" }')"
	echo "$n | $(awk -v t="$((t1 - t0))" 'BEGIN { printf "%.2f", t / 100 }') |" \
		"$(awk -v a="$ms0" -v b="$ms2" 'BEGIN { printf "%.0f", (b - a) / 1000 }')" >>/tmp/scale.start

	window "$n" idle
	echo "active 1000" >/tmp/mass.ctl
	sysctl -w kernel.bpf_stats_enabled=1 >/dev/null
	window "$n" active
	sysctl -w kernel.bpf_stats_enabled=0 >/dev/null
	echo "active 0" >/tmp/mass.ctl
	echo "$n | $k | $(vm_kb "$TTYIDLE_PID" VmHWM) | $(bpf_memlock_kb) |" \
		"$(metric ttyidle_events_lost_total)" >>/tmp/scale.mem

	rm -f /var/lib/autolog/autolog.data
	a=$(ptybench cpu autolog -o -f /tmp/autolog.conf -l /dev/null) || fail "autolog pass failed"
	log "autolog pass over $n utmp sessions: $a"
	echo "$n | $(awk -v u="$(kv user_ms "$a")" -v s="$(kv sys_ms "$a")" \
		'BEGIN { printf "%.2f", (u + s) / 1000 }') | $(kv maxrss_kb "$a")" >>/tmp/scale.autolog

	echo quit >/tmp/mass.ctl
	poll_for 300 grep -q '^quit' /tmp/mass.log || fail "ptybench mass $n did not quit"
	wait "$mass"
	stop_ttyidle
done
ttyidle unload >/dev/null 2>&1

table scale "Daemon cost (scope = all, idle-timeout 15min, warn-before 60s)"
cols "terminals | sessions | activity | window s | context switches/s | of them wake-ups/s" \
	"(voluntary) | wake-ups/s beyond metric writes | CPU-s per min | % of one core |" \
	"ring buffer events/s | BPF programs' CPU"
while read -r l; do row "$l"; done </tmp/scale.rows
table scalemem "Daemon memory and start-up"
cols "terminals | sessions | peak RSS kB (VmHWM) | BPF map memory kB (memlock) |" \
	"ring buffer events lost | CPU-s to take the terminals on | s from first open to quiet"
while read -r l; do
	n=${l%% *}
	s=$(grep "^$n |" /tmp/scale.start | cut -d'|' -f2,3)
	row "$l |$s"
done </tmp/scale.mem
table autolog "autolog 0.42, one pass over the same utmp sessions (it polls every idle minutes)"
cols "terminals | CPU-s per pass | peak RSS kB | CPU-s per min at idle=1 | at idle=15"
while read -r n _ cpu _ rss; do
	row "$n | $cpu | $rss | $cpu | $(awk -v c="$cpu" 'BEGIN { printf "%.3f", c / 15 }')"
done </tmp/scale.autolog
note "scale: context switches of the daemon from /proc/PID/status; the voluntary ones are its" \
	"wake-ups (it slept in epoll_wait and something woke it), the involuntary ones are" \
	"preemptions while it ran (the emulated CPU is shared with the terminals' writer);" \
	"its metrics file (--metrics) is rewritten every 15 s, $WINDOW_WRITES of those per window." \
	"BPF programs' CPU: the hot-path programs' run_time_ns (bpf_stats on) over the window."

# Each window on its own: a sum could hide one window's extra wake-ups
# behind another's missing metric write.
idle_bad=$(awk '$2 == "idle" && $3 > 0 { n++ } END { print n + 0 }' /tmp/scale.raw)
active_bad=$(awk '$2 == "active" && $3 > 0 { n++ } END { print n + 0 }' /tmp/scale.raw)
idle_max=$(awk '$2 == "idle" && $3 > m { m = $3 } END { print m + 0 }' /tmp/scale.raw)
what="zero wake-ups between deadlines when nothing happens"
if [ "$idle_bad" = 0 ] && [ "$active_bad" = 0 ]; then
	goal quiet met "$what: no wake-up beyond the metric writes in any idle window; raised bar:" \
		"none either in any window where every terminal types once a second"
elif [ "$idle_bad" = 0 ]; then
	goal quiet met "$what: no wake-up beyond the metric writes in any idle window"
else
	goal quiet missed "$what: $idle_bad idle window(s) with wake-ups beyond the metric writes," \
		"up to $idle_max"
fi
set -- $(awk '$1 == 10000 && $2 == "active" { printf "%.2f %s", $4 / $5, $7 }' /tmp/scale.raw)
pct=$1 bpf=$2
what="under 1% of one core with 10,000 terminals active once a second"
text="$what: the daemon $pct% (the BPF programs' own CPU in the same window, spent in the"
text="$text kernel on the terminals' behalf: $bpf)"
if awk -v p="$pct" 'BEGIN { exit !(p < 0.1) }'; then
	goal cpu10k met "$text; raised bar: 0.1%"
elif awk -v p="$pct" 'BEGIN { exit !(p < 1) }'; then
	goal cpu10k met "$text"
else
	goal cpu10k missed "$text"
fi
exit 0
