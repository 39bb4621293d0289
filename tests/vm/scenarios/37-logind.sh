#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Logins only logind records (issue "No user can escape enforcement", point
# 2): a terminal served by a root program that is no login service (a
# console server, machinectl), with no utmp record, is a login when the
# leader's logind session says it is one on that very terminal. Root plays
# logind here (this image has no systemd): a cgroup v2 session scope, which
# only root can put processes in, and logind's record of the session in
# /run/systemd/sessions. alice's shell on terminal c is warned and ended on
# time, its records name the remote host logind gives; her shell on terminal
# d, in the same logind session but on another terminal (as a tmux pane
# started from a login is), is not a login and survives. bob gets no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
CONF
bystander_start bob bob

cg=/sys/fs/cgroup
mounted=
if ! grep -q " $cg cgroup2 " /proc/mounts; then
	mount -t cgroup2 cgroup2 "$cg" || fail "cannot mount cgroup2 on $cg"
	mounted=1
fi
scope=$cg/user.slice/user-1000.slice/session-9.scope
mkdir -p "$scope"
cleanup_logind() {
	for p in $(cat "$scope/cgroup.procs" 2>/dev/null); do
		echo "$p" >"$cg/cgroup.procs" 2>/dev/null
	done
	rmdir "$scope" "$cg/user.slice/user-1000.slice" "$cg/user.slice" 2>/dev/null
	[ -z "$mounted" ] || umount "$cg"
	rm -rf /run/systemd
}

# two terminals served by root's ptyctl, each in logind's session 9 (what
# the session's processes start inherits the scope)
pty_start c open timeout 30000
pty_start d open timeout 30000
info_c=$(pty_info c) info_d=$(pty_info d)
tty_c=$(kv path "$info_c" | sed 's,^/dev/,,') tty_d=$(kv path "$info_d" | sed 's,^/dev/,,')
log "terminals: c $tty_c, d $tty_d"
echo "$(kv pid "$info_c")" >"$scope/cgroup.procs"
echo "$(kv pid "$info_d")" >"$scope/cgroup.procs"
# logind's record of session 9: a login on c, from 192.0.2.55
mkdir -p /run/systemd/sessions
chmod 0755 /run/systemd /run/systemd/sessions
cat >/run/systemd/sessions/9 <<REC
# This is private data. Do not parse.
UID=1000
USER=alice
ACTIVE=1
STATE=active
REMOTE=1
TYPE=tty
CLASS=user
SCOPE=session-9.scope
TTY=$tty_c
REMOTE_HOST=192.0.2.55
SERVICE=login
LEADER=$(kv pid "$info_c")
REC
chmod 0644 /run/systemd/sessions/9

for n in c d; do
	quiet pty_cmd "$n" 'spawn su -s /bin/sh alice'
	quiet pty_cmd "$n" 'wm echo RE""ADY\n'
	quiet pty_cmd "$n" 'expect READY'
done
sid_c=$(sed -n 's/^spawn .*sid=\([0-9]*\).*/\1/p' /tmp/pty.c.out)
log "alice's shell on c: session $sid_c, cgroup $(cat /proc/"$sid_c"/cgroup)"

rc=$(tty_rec "$tty_c") rd=$(tty_rec "$tty_d")
need_rec "$tty_c" "$rc"
need_rec "$tty_d" "$rd"
log "c: $rc"
log "d: $rd"
# nothing is read from /proc before a terminal could come due: ask when it
# is, then read the facts the daemon found
deadline=$(($(in_ms "$rc") + 6000))
sleep 4.5
rc=$(tty_rec "$tty_c") rd=$(tty_rec "$tty_d")
log "c, warned: $rc"
log "d, then: $rd"
assert_eq alice "$(jfield user "$rc")" "user of c"
assert_eq logind "$(jfield login "$rc")" "login evidence of c"
assert_eq login "$(jfield service "$rc")" "service of c (logind's SERVICE=login)"
assert_eq 192.0.2.55 "$(jfield remote "$rc")" "remote host of c"
assert_eq global "$(jfield rule "$rc")" "rule of c"
assert_eq none "$(jfield login "$rd")" "login evidence of d (another terminal of the session)"
assert_eq null "$(jfield rule "$rd")" "rule of d"

soft c-ended ended_by c "$deadline" "$tty_c"
w=$(tty_audit warn "$tty_c")
t=$(tty_audit terminate "$tty_c")
log "$t"
[ -n "$w" ] || fail "no warn record for $tty_c"
assert_match 'SERVICE=login REMOTE=192.0.2.55 REMOTE_SRC=logind LOGIND_SESSION=9 ' "$t" "terminate record of $tty_c"
assert_match 'ACTION=hangup OUTCOME="terminal hung up; ' "$t" "terminate record of $tty_c"
# d: no record, still answering
assert_eq 0 "$(tty_audit_count warn "$tty_d")" "warn records of $tty_d"
check_alive d
bystanders_check
pty_stop d
pty_stop c
cleanup_logind
soft_end
stop_ttyidle
exit 0
