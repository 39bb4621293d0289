#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 480
# Figure 6, every kernel: bounded cost per hostile user (issue "No user can
# escape enforcement", point 4). alice opens PTYs as fast as she can, each
# with a session whose environment is 6 MB (`ptybench hostile`, run by her
# through su, detached), keeping the newest $KEEP open; meanwhile bob's idle
# ssh logins must still be ended within 1 s of their due time. Bob logs in
# $NBOB times (real ssh clients on PTYs of their own, `ptybench drive`), then
# types one last keystroke into each, $STAGGER s apart; lateness = the client's
# exit - (the keystroke's arrival on bob's terminal, the record's in_ns that
# the daemon counts from + idle-timeout). Three cases, a daemon each: no load
# (the baseline), alice's load under scope = login (her PTYs are no login,
# out of scope), and under scope = all (her sessions come due too: warned
# and hung up, while bob's come due; the worst case). Root's own terminals
# (the ssh clients') are exempt, so that only bob's side ends his logins.
# shellcheck disable=SC1091,SC2046 # sourced from the image; set -- $(...) splits on purpose
. /scenarios/lib.sh
. /scenarios/ttyidle.inc
. /bench/benchlib.inc

IDLE=20     # seconds
WARN=5      # seconds
NBOB=5      # bob's logins
STAGGER=2   # seconds between their last keystrokes
KEEP=2000   # alice's PTYs kept open
ENV=6000000 # bytes of environment per session of alice
WARMUP=40   # seconds of load before bob's last keystrokes: her PTYs come due all along the window
DRV=/tmp/drv.ctl
DLOG=/tmp/drv.log
HLOG=/tmp/hostile.log

big_limits
start_sshd

drv() {
	kill -0 "$DRV_PID" 2>/dev/null || fail "ptybench drive died: $(cat /tmp/drv.err)"
	echo "$*" >"$DRV"
}

# keepalive: a keystroke into each of bob's logins, so that none goes idle early.
keepalive() {
	for _i in $(seq 1 "$NBOB"); do
		drv "type b$_i :\\n"
	done
}

# field NAME LINE: the value of NAME=value in a log line.
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# opened_at MS: PTYs alice had opened by MS (her last tick line at or before it).
opened_at() {
	awk -v t="$1" '$1 == "tick" { split($2, o, "="); split($4, m, "=")
		if (m[2] <= t) n = o[2] } END { print n + 0 }' "$HLOG"
}

# exit_of ID: when bob's client ID exited (empty: still logged in).
exit_of() {
	awk -v id="$1" '$1 == "exit" && $2 == id { split($3, a, "="); print a[2] }' "$DLOG"
}

typed_of() {
	awk -v id="$1" '$1 == "typed" && $2 == id { split($3, a, "="); t = a[2] } END { print t }' "$DLOG"
}

# shellcheck disable=SC2317 # called through poll_until
all_exited() {
	[ "$(grep -c '^exit ' "$DLOG")" -ge "$NBOB" ]
}

# one_case LOAD SCOPE: a daemon under that scope, bob's logins, alice's load
# (yes|no); prints the table row and leaves the lateness in /tmp/late.LOAD-SCOPE.
one_case() {
	load=$1 scope=$2
	tag=$load-$scope
	write_conf /tmp/t.conf <<CONF
[global]
scope = $scope
idle-timeout = ${IDLE}s
warn-before = ${WARN}s

[rule root]
user = root
action = exempt
CONF
	: >"$TTYIDLE_LOG"
	start_ttyidle --config /tmp/t.conf --config-dir ''
	rm -f "$DRV" "$DLOG" /tmp/tty.b* "$HLOG"
	: >"$DLOG"
	ptybench drive "$DRV" "$DLOG" 2>/tmp/drv.err &
	DRV_PID=$!
	wait_for 10 grep -q '^drive ' "$DLOG"
	for i in $(seq 1 "$NBOB"); do
		drv "spawn b$i ssh -tt bob@127.0.0.1"
		drv "expect b$i READY"
		drv "type b$i tty >/tmp/tty.b$i; echo RE\"\"ADY\\n"
		poll_for 60 count_is "$i" grep '^seen ' "$DLOG" ||
			fail "bob's login $i did not answer: $(cat "$DLOG")"
	done
	keepalive
	hpid=""
	if [ "$load" = yes ]; then
		# her limits: room for the masters (su keeps them); the session's
		# stack limit ptybench raises itself, for the big environment
		(
			# shellcheck disable=SC3045 # busybox sh has it
			ulimit -n $((KEEP + 64))
			exec setsid su -s /bin/sh alice -c \
				"exec ptybench hostile 600 --keep $KEEP --env $ENV --log $HLOG"
		) </dev/null >/tmp/hostile.err 2>&1 &
		poll_for 20 grep -q '^hostile ' "$HLOG" ||
			fail "ptybench hostile did not start: $(cat /tmp/hostile.err)"
		hpid=$(field pid "$(grep '^hostile ' "$HLOG")")
		h0=$(uptime_ms)
		k=0
		while [ $(($(uptime_ms) - h0)) -lt $((WARMUP * 1000)) ]; do
			sleep 1
			k=$((k + 1))
			[ $((k % 8)) = 0 ] && keepalive
			grep -q '^tick ' "$HLOG" || [ "$k" -lt 10 ] ||
				fail "ptybench hostile does not tick: $(cat /tmp/hostile.err)"
		done
		alive "$hpid" || fail "ptybench hostile died: $(cat /tmp/hostile.err)"
	fi
	lines0=$(wc -l <"$TTYIDLE_LOG")
	w0=$(uptime_ms)
	c0=$(cpu_ticks "$TTYIDLE_PID")
	for i in $(seq 1 "$NBOB"); do
		drv "type b$i :\\n"
		[ "$i" = "$NBOB" ] || sleep "$STAGGER"
	done
	sleep 1
	# due: each terminal's own last input, as the daemon sees it
	: >"/tmp/due.$tag"
	for i in $(seq 1 "$NBOB"); do
		t=$(cat "/tmp/tty.b$i" 2>/dev/null)
		in=""
		[ -n "$t" ] && in=$(tty_in_ms "$t")
		if [ -z "$in" ]; then
			log "bob's login $i ($t): no record in the map; due counted from the keystroke"
			in=$(typed_of "b$i")
		fi
		echo "b$i $((in + IDLE * 1000)) $t $(typed_of "b$i")" >>"/tmp/due.$tag"
	done
	last_due=$(awk '{ if ($2 > m) m = $2 } END { print m }' "/tmp/due.$tag")
	poll_until $((last_due + 15000)) all_exited
	w1=$(uptime_ms)
	c1=$(cpu_ticks "$TTYIDLE_PID")
	lines1=$(wc -l <"$TTYIDLE_LOG")
	if [ -n "$hpid" ]; then
		kill "$hpid" 2>/dev/null
		open_end=$(awk '$1 == "tick" { split($3, o, "="); n = o[2] } END { print n + 0 }' "$HLOG")
		opened=$(($(opened_at "$w1") - $(opened_at "$w0")))
		# between the ticks that bracket what was counted
		span=$(awk -v s="$w0" -v e="$w1" '$1 == "tick" { split($4, m, "="); t = m[2]
			if (t <= s && t > a) a = t; if (t <= e && t > b) b = t }
			END { print b - a }' "$HLOG")
	fi
	: >"/tmp/late.$tag"
	while read -r id due t typed; do
		e=$(exit_of "$id")
		[ -n "$e" ] && echo $((e - due)) >>"/tmp/late.$tag"
		log "$tag: bob $id ($t) typed $typed due $due exit ${e:-none} late $([ -n "$e" ] &&
			echo $((e - due)))"
	done <"/tmp/due.$tag"
	set -- $(stats <"/tmp/late.$tag")
	n=$1 lmin=$2 lmed=$3 lmax=$4
	secs=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
	cpu=$(awk -v t="$((c1 - c0))" -v a="$w0" -v b="$w1" \
		'BEGIN { printf "%.1f%%", (b > a ? 100 * t * 10 / (b - a) : 0) }')
	warned=$(tail -n +"$((lines0 + 1))" "$TTYIDLE_LOG" | head -n "$((lines1 - lines0))" |
		grep -c 'EVENT=warn USER=alice ')
	ended=$(tail -n +"$((lines0 + 1))" "$TTYIDLE_LOG" | head -n "$((lines1 - lines0))" |
		grep -c 'EVENT=terminate USER=alice ')
	if [ -n "$hpid" ]; then
		rate=$(awk -v n="$opened" -v s="$span" 'BEGIN { printf "%.1f", (s > 0 ? n * 1000 / s : 0) }')
		perpty=$(awk -v t="$((c1 - c0))" -v n="$opened" \
			'BEGIN { if (n > 0) printf "%.2f", t * 10 / n; else print "-" }')
		what="PTYs, ${ENV%000000} MB environment each, newest $KEEP kept"
		row "$what | $scope | $n of $NBOB | $lmin | $lmed | $lmax | $rate | $open_end |" \
			"$warned / $ended | $secs | $cpu | $perpty"
		log "$tag: alice opened $opened PTYs in ${span} ms of ticks; $open_end open at the end;" \
			"daemon: $((c1 - c0)) ticks, $((lines1 - lines0)) log lines in the window"
	else
		row "none (baseline) | $scope | $n of $NBOB | $lmin | $lmed | $lmax | - | - | - | $secs |" \
			"$cpu | -"
	fi
	eval "n_$load$scope=\$n max_$load$scope=\$lmax min_$load$scope=\$lmin"
	# tear down: alice's flood (her sessions die with their masters), bob's clients
	if [ -n "$hpid" ]; then
		poll_for 60 _gone "$hpid" || kill -KILL "$hpid" 2>/dev/null
		poll_for 120 uid_procs_are 0 1000 || log "alice still has $(uid_procs 1000) processes"
	fi
	drv quit
	wait "$DRV_PID" 2>/dev/null
	poll_for 30 uid_procs_are 0 1001 || log "bob still has $(uid_procs 1001) processes"
	stop_ttyidle
}

table hostile "Bounded cost per hostile user: bob's idle ssh logins ended while alice opens PTYs" \
	"(idle-timeout ${IDLE}s, warn-before ${WARN}s)"
cols "alice's load | scope | bob's logins ended | ms after due: min | median | max |" \
	"alice's PTYs opened/s | alice's PTYs open at the end | alice's sessions warned / ended" \
	"by ttyidle | window s | daemon CPU, % of one core | daemon CPU ms per PTY of alice"
one_case no login
one_case yes login
one_case yes all
note "hostile: bob logged in $NBOB times over ssh (real clients, as root, on PTYs of their own)" \
	"and typed a last keystroke into each, ${STAGGER} s apart; due = that keystroke's arrival on" \
	"bob's terminal (the in_ns the daemon counts from, read from the map) + ${IDLE}s; end = the" \
	"ssh client's exit. The window runs from the first of those keystrokes to the last end;" \
	"rate, CPU and alice's sessions warned/ended are counted in it. alice's load started" \
	"${WARMUP} s before the window (each of her PTYs can come due ${IDLE}-${WARN} s after its" \
	"byte, so they do all along it): \`ptybench hostile\` as" \
	"alice (su, detached), each PTY a session whose leader execs with a ${ENV}-byte environment" \
	"(its pages released after the exec, so that thousands fit in the VM; /proc/PID/environ" \
	"still spans the ${ENV} bytes), one byte written into each master; the newest $KEEP stay open."
note "hostile: under scope = login, alice's PTYs (served by her own program) are out of scope:" \
	"each costs the daemon the events of its first use and of its release, and one look at its" \
	"owner if it is still open shortly before it could first come due; under scope = all they are in" \
	"scope and end like bob's logins. Root's terminals (the ssh clients') are exempt in all" \
	"three cases. CPU ms per PTY: the daemon's CPU in the window over the PTYs alice opened in it."
what="bob's idle ssh logins ended within 1 s of due while alice opens PTYs as fast as she can"
detail="scope = login: ${n_yeslogin:-0} of $NBOB, ${min_yeslogin:-?}..${max_yeslogin:-?} ms after due;"
detail="$detail scope = all: ${n_yesall:-0} of $NBOB, ${min_yesall:-?}..${max_yesall:-?} ms"
detail="$detail (without her load: ${min_nologin:-?}..${max_nologin:-?} ms)"
ok=1
for c in yeslogin yesall; do
	eval "cn=\${n_$c:-0} cmin=\${min_$c:--999999} cmax=\${max_$c:-999999}"
	# shellcheck disable=SC2154 # set by the eval above
	{ [ "$cn" = "$NBOB" ] && [ "$cmin" -ge -100 ] && [ "$cmax" -le 1000 ]; } || ok=0
done
if [ "$ok" = 1 ]; then
	goal hostile met "$what: $detail"
else
	goal hostile missed "$what: $detail"
fi
ttyidle unload >/dev/null 2>&1
exit 0
