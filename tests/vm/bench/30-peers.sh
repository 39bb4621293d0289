#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
# Figures 1 and 2, Debian 12's kernel only: ttyidle next to autolog and to
# OpenSSH's ChannelTimeout, all three enforcing at once in the same boot, each
# on users of its own (autolog: al01-al14 on sshd port 22; ChannelTimeout:
# ct01-ct14 on a second sshd, port 2222; ttyidle: ti01-ti14 on port 22).
# Sessions 01-10 of each system stop typing at staggered times (3 s apart);
# sessions 11-14 try one trick each to stay alive. Every session is a real
# `ssh -tt` client on a PTY of its own, driven and drained by `ptybench drive`,
# which logs the time of every keystroke and of every client's exit
# (CLOCK_BOOTTIME): lateness = client exit - (last keystroke + the system's limit).
# shellcheck disable=SC1091,SC2046 # sourced from the image; set -- $(...) splits on purpose
. /scenarios/lib.sh
. /scenarios/ttyidle.inc
. /bench/benchlib.inc

G=10           # grace / warning, seconds
STAGGER=3      # seconds between the precision sessions' last keystrokes
NPREC=10       # precision sessions per system
TRICKS="loop touch alive tmux"
SYSTEMS="al ct ti"
DRV=/tmp/drv.ctl
DLOG=/tmp/drv.log

if ! peer_kernel; then
	echo "figures 1 and 2 run on the $PEER_KERNEL kernel only (this is $KERNEL_RELEASE)"
	exit 0
fi

limit_s() { # SYSTEM -> seconds from the last keystroke to the due time
	case $1 in
	al) echo $((60 + G)) ;; # idle=1 (minute) + grace
	ct) echo 60 ;;          # ChannelTimeout session:*=60s
	ti) echo $((60 + G)) ;; # idle-timeout 1min+G, warn-before G
	esac
}

sysname() {
	case $1 in
	al) echo "autolog idle=1 grace=$G" ;;
	ct) echo "sshd ChannelTimeout session:*=60s" ;;
	ti) echo "ttyidle idle-timeout $((60 + G))s warn-before ${G}s" ;;
	esac
}

# ---- users: 14 per system, a group per system -------------------------------
uid=3000
for s in $SYSTEMS; do
	gid=$((uid + 900))
	echo "${s}g:x:$gid:" >>/etc/group
	for i in $(seq -w 1 14); do
		u=$s$i
		echo "$u:x:$uid:$gid::/home/$u:/bin/sh" >>/etc/passwd
		echo "$u:*:19000:0:99999:7:::" >>/etc/shadow
		mkdir -p "/home/$u/.ssh"
		cp /root/.ssh/id_ed25519.pub "/home/$u/.ssh/authorized_keys"
		chmod 0700 "/home/$u/.ssh"
		chmod 0600 "/home/$u/.ssh/authorized_keys"
		chown -R "$uid:$gid" "/home/$u"
		uid=$((uid + 1))
	done
done

# ---- the three systems ----------------------------------------------------------
start_sshd
sed -e 's/^Port 22$/Port 2222/' -e 's|^PidFile .*|PidFile /run/sshd-ct.pid|' \
	/etc/ssh/sshd_config >/tmp/sshd_ct.conf
echo "ChannelTimeout session:*=60s" >>/tmp/sshd_ct.conf
# the same host key, known under the port too
sed -n 's/^127.0.0.1,localhost,::1 /[127.0.0.1]:2222 /p' /etc/ssh/ssh_known_hosts >/tmp/kh
cat /tmp/kh >>/etc/ssh/ssh_known_hosts
/usr/sbin/sshd -f /tmp/sshd_ct.conf -E /tmp/sshd-ct.log || fail "second sshd did not start"
poll_for 10 test -s /run/sshd-ct.pid || fail "second sshd did not write its pid file"

write_conf /tmp/t.conf <<CONF
[global]
action = exempt

[rule bench]
group = tig
idle-timeout = $((60 + G))s
warn-before = ${G}s
action = hangup
CONF
start_ttyidle --config /tmp/t.conf --config-dir ''

# nolostkill: autolog's default kills every process of a uid 500-60000 that
# has no utmp record, ours included; procps ps: autolog parses its columns.
cat >/tmp/autolog.conf <<CONF
name=^al[0-9] idle=1 grace=$G nomail
nolostkill
ps=/usr/lib/procps/ps axo user:32,pid,tty
CONF
: >/tmp/autolog.log
autolog -f /tmp/autolog.conf -l /tmp/autolog.log || fail "autolog did not start"
wait_for 10 test -n "$(pids_of autolog)"
log "autolog pid $(pids_of autolog)"

# ---- sessions -----------------------------------------------------------------
: >"$DLOG"
ptybench drive "$DRV" "$DLOG" 2>/tmp/drv.err &
DRV_PID=$!
wait_for 10 grep -q '^drive ' "$DLOG"
drv() {
	# a FIFO with no reader would block us for good
	kill -0 "$DRV_PID" 2>/dev/null || fail "ptybench drive died: $(cat /tmp/drv.err)"
	echo "$*" >"$DRV"
}

# keepalive IDS: a keystroke into each, so that nobody goes idle before the
# measured phase (logging everyone in takes longer than the limits).
keepalive() {
	for _k in "$@"; do
		drv "type $_k :\\n"
	done
}

client() { # SYSTEM NN -> ssh command line
	_o=""
	[ "$1" = ct ] && _o="-p 2222"
	[ "$2" = 13 ] && _o="$_o -o ServerAliveInterval=5"
	echo "ssh -tt $_o $1$2@127.0.0.1"
}

ids=""
for i in $(seq -w 1 14); do
	for s in $SYSTEMS; do
		ids="$ids $s$i"
	done
done
n=0
logged=""
for id in $ids; do
	drv "spawn $id $(client "${id%??}" "${id#??}")"
	drv "expect $id READY"
	drv "type $id echo RE\"\"ADY\\n"
	n=$((n + 1))
	# a few logins at a time: each costs a key exchange on the one emulated CPU
	logged="$logged $id"
	if [ $((n % 6)) = 0 ]; then
		poll_for 120 count_is "$n" grep '^seen ' "$DLOG" ||
			fail "only $(grep -c '^seen ' "$DLOG") of $n logins answered"
		# shellcheck disable=SC2086 # a list of ids
		keepalive $logged
	fi
done
poll_for 120 count_is "$n" grep '^seen ' "$DLOG" ||
	fail "only $(grep -c '^seen ' "$DLOG") of $n logins answered"
log "$n sessions logged in"
if grep -q '^exit ' "$DLOG"; then
	grep '^exit ' "$DLOG"
	fail "a client exited before the measured phase"
fi
# shellcheck disable=SC2086 # a list of ids
keepalive $ids
sleep 2
grep -q 'ti01' /run/utmp || log "warning: sshd wrote no utmp record for ti01"

# ---- the idle phase -------------------------------------------------------------
# Precision sessions: session NN's last keystroke at T0 + (NN-1)*STAGGER.
for i in $(seq 1 "$NPREC"); do
	nn=$(printf '%02d' "$i")
	for s in $SYSTEMS; do
		drv "type $s$nn :\\n"
	done
	[ "$i" = "$NPREC" ] || sleep "$STAGGER"
done
# Tricks: started (their last keystroke) right after. ptybench unescapes \\ and \n.
# shellcheck disable=SC2016 # typed into the remote shell as they are
for s in $SYSTEMS; do
	drv "type ${s}11 "'while :; do echo tick; sleep 10; done\n'
	drv "type ${s}12 "'t=$(tty); while :; do touch -a $t; sleep 10; done\n'
	drv "type ${s}13 "':\n'
	drv "type ${s}14 "'tmux -u new -s x \\; set status-interval 1 \\; set status-right %H:%M:%S\n'
done
t_tricks=$(uptime_ms)
log "all typing done; waiting for the systems"

# Done when every precision session ended, the tricks are 150 s past due, and
# autolog logged nothing for 70 s, a poll period and its grace (it logs every
# warning and every logout); at most 500 s after the tricks. autolog spends
# about 21 s on each user it logs out, one after the other: its last trick
# user comes about 440 s after the tricks.
last_due=$((t_tricks + (60 + G) * 1000))
deadline=$((t_tricks + 500 * 1000))
al_lines=-1
al_quiet_since=$(uptime_ms)
while :; do
	now=$(uptime_ms)
	ended=0
	for s in $SYSTEMS; do
		for i in $(seq -w 1 "$NPREC"); do
			grep -q "^exit $s$i " "$DLOG" && ended=$((ended + 1))
		done
	done
	l=$(wc -l </tmp/autolog.log)
	if [ "$l" != "$al_lines" ]; then
		al_lines=$l
		al_quiet_since=$now
	fi
	[ "$ended" = $((NPREC * 3)) ] && [ "$now" -ge $((last_due + 150 * 1000)) ] &&
		[ "$now" -ge $((al_quiet_since + 70 * 1000)) ] && break
	[ "$now" -ge "$deadline" ] && break
	sleep 2
done
log "observation ends: $ended of $((NPREC * 3)) precision sessions ended"

# ---- figures ------------------------------------------------------------------------
# typed_ms ID: the last keystroke into ID; exit_ms ID: its client's exit (empty: alive).
typed_ms() {
	awk -v id="$1" '$1 == "typed" && $2 == id { split($3, a, "="); t = a[2] } END { print t }' "$DLOG"
}
exit_ms() {
	awk -v id="$1" '$1 == "exit" && $2 == id { split($3, a, "="); print a[2] }' "$DLOG"
}

table precision "Enforcement precision: ms late after the due time (last keystroke + limit)," \
	"$NPREC ssh sessions each"
cols "system | due after last keystroke | n | ended | min | median | max"
for s in $SYSTEMS; do
	lim=$(($(limit_s "$s") * 1000))
	: >"/tmp/late.$s"
	for i in $(seq -w 1 "$NPREC"); do
		e=$(exit_ms "$s$i")
		[ -n "$e" ] && echo $((e - $(typed_ms "$s$i") - lim)) >>"/tmp/late.$s"
	done
	set -- $(stats <"/tmp/late.$s")
	row "$(sysname "$s") | $(limit_s "$s")s | $NPREC | $1 | $2 | $3 | $4"
	[ "$s" = ti ] && ti_n=$1 ti_min=$2 ti_max=$4
	log "$s lateness ms: $(tr '\n' ' ' <"/tmp/late.$s")"
done

table tricks "Who keeps an idle session alive (ended: seconds after due; kept: alive at the end)"
cols "trick | $(for s in $SYSTEMS; do printf '%s | ' "$(sysname "$s")"; done | sed 's/ | $//')"
k=11
ti_ended=0
for t in $TRICKS; do
	case $t in
	loop) what="a loop printing a line every 10 s" ;;
	touch) what="touch -a on its own tty every 10 s" ;;
	alive) what="client ServerAliveInterval=5" ;;
	tmux) what="attached tmux, clock in the status line every 1 s" ;;
	esac
	cells=""
	for s in $SYSTEMS; do
		e=$(exit_ms "$s$k")
		if [ -n "$e" ]; then
			c="ended ($(awk -v d="$((e - $(typed_ms "$s$k") - $(limit_s "$s") * 1000))" \
				'BEGIN { printf "%+.1fs", d / 1000 }'))"
		else
			c="kept ($(awk -v d="$(($(uptime_ms) - $(typed_ms "$s$k") - $(limit_s "$s") * 1000))" \
				'BEGIN { printf "%.0fs past due", d / 1000 }'))"
		fi
		cells="$cells | $c"
		[ "$s" = ti ] && [ -n "$e" ] && ti_ended=$((ti_ended + 1))
	done
	row "$what$cells"
	k=$((k + 1))
done
note "peers: all three systems ran at the same time in one boot, on separate users; due =" \
	"the session's last keystroke (logged by the driver as it wrote it) + the system's limit;" \
	"end = the ssh client's exit. autolog polls every idle minute(s), counts idle time in whole" \
	"minutes from the tty's atime (8 s granularity), works per user, and spends 23 s" \
	"(SIGHUP, sleep 20, SIGKILL, sleep 3) on each user it logs out, one after another."
note "peers: sshd tracks channel activity in whole seconds, so ChannelTimeout may end a session" \
	"up to 1 s before the due time."

# The issue's goal: every session ended within 1 s of due, and (ours) none
# before it; 100 ms of slack below for the driver's own clock reads.
what="ttyidle ends every idle ssh session within 1 s of its due time, none before it"
if [ "${ti_n:-0}" = "$NPREC" ] && [ "$ti_min" -ge -100 ] && [ "$ti_max" -le 1000 ]; then
	bar=""
	if [ "$ti_max" -lt 250 ]; then
		bar="; raised bar: within 250 ms"
	elif [ "$ti_max" -lt 500 ]; then
		bar="; raised bar: within 500 ms"
	fi
	goal precision met "$what: $ti_n of $NPREC, ${ti_min}..${ti_max} ms after due$bar"
else
	goal precision missed "$what: ${ti_n:-0} of $NPREC ended, ${ti_min:-?}..${ti_max:-?} ms" \
		"after due"
fi
if [ "$ti_ended" = 4 ]; then
	goal tricks met "no keep-alive trick keeps a ttyidle session: 4 of 4 ended"
else
	goal tricks missed "no keep-alive trick keeps a ttyidle session: $ti_ended of 4 ended"
fi
log "autolog log: $(grep -c . /tmp/autolog.log) lines"

drv quit
stop_ttyidle
exit 0
