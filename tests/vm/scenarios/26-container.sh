#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# A session in a container-like sandbox: its own PID and mount namespaces and
# its own devpts instance, where a second sshd (port 2222) gives alice pts/0.
# The ssh client connecting to it runs on the host's pts/0: same device
# number, another devpts instance. The daemon tells the two apart: the
# sandboxed session is reported and warned on its own terminal (the warning
# arrives through the sandbox's PTY and sshd), and ended by host PIDs on time,
# while the client's terminal, same name and number, is left alone.
# The daemon attaches only once the sandbox, its devpts instance and alice's
# login exist, and her shell has moved to /dev/tty: no PTY is opened or
# closed in that instance afterwards and nothing uses a node of it, so in
# fentry mode the instance is known only because the loader opened its ptmx
# through /proc/PID/root (ptsfs in ttyidle.bpf.c).
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 7s
warn-before = 3s
CONF
ttyidle unload >/dev/null 2>&1
sandbox_start
sandbox=$SANDBOX_PID
sshd2=$(pids_of sshd)
log "sandbox: unshare $sandbox, sshd $sshd2 ($(grep NSpid /proc/"$sshd2"/status))"

pty_start c open timeout 20000
client=$(pty_info c)
log "client terminal: $client"
assert_eq 136:0 "$(kv rdev "$client")" "the client's terminal"
host_devpts=$(kv devpts "$client")
quiet pty_cmd c 'spawn ssh -tt -p 2222 -o HostKeyAlias=127.0.0.1 alice@127.0.0.1'
client_sid=$(sed -n 's/^spawn .*sid=\([0-9]*\).*/\1/p' /tmp/pty.c.out)
quiet pty_cmd c 'wm echo RE""ADY $(tty)\n'
quiet pty_cmd c 'expect READY /dev/pts/0'
quiet pty_cmd c 'wm exec sh -i <>/dev/tty >&0 2>&0\n'
start_ttyidle --config "$TTYIDLE_CONF" --config-dir ''
quiet pty_cmd c 'wm echo ST""ILL\n'
quiet pty_cmd c 'expect STILL'

log "what status reports"
wait_for 10 has_urec alice
r=$(urec alice)
log "$r"
assert_eq pts/0 "$(jfield tty "$r")" "tty"
assert_eq 136:0 "$(jfield dev "$r")" "dev"
devpts=$(jfield devpts "$r")
assert_ne "$host_devpts" "$devpts" "devpts instance of the sandboxed terminal"
assert_eq sshd "$(jfield service "$r")" "service"
assert_eq sh "$(jfield leader_cmd "$r")" "leader"
# the sandbox's utmp record is about another devpts instance's pts/0, and
# SSH_CONNECTION is the user's to set: no remote host is claimed
assert_eq null "$(jfield remote "$r")" "remote"
assert_eq master "$(jfield login "$r")" "login evidence (a root sshd serves the master)"
assert_eq global "$(jfield rule "$r")" "rule"
assert_eq active "$(jfield state "$r")" "state"
leader=$(jfield session "$r")
pidns=$(readlink /proc/"$leader"/ns/pid | tr -dc 0-9)
assert_eq "pidns:$pidns" "$(jfield container "$r")" \
	"container (no runtime cgroup: named by its PID namespace)"
nspid=$(awk '/^NSpid:/ { print $2, $3 }' /proc/"$leader"/status)
log "session leader: host pid $leader, NSpid $nspid"
assert_match "^$leader [0-9]+$" "$nspid" "leader's pids (host, sandbox)"
h=$(trec pts/0 "$host_devpts")
log "client's terminal: $h"
assert_eq root "$(jfield user "$h")" "user of the client's terminal"
assert_eq "$client_sid" "$(jfield session "$h")" "session of the client's terminal"
assert_eq out-of-scope "$(jfield state "$h")" "state of the client's terminal"
deadline=$(($(in_ms "$r") + 7000))

log "warned on the sandboxed terminal"
wait_for 10 has_audit warn alice
w=$(audit_line warn alice)
log "$w"
assert_match "EVENT=warn USER=alice UID=1000 TTY=pts/0 SESSION=$leader LEADER=sh SERVICE=sshd .*CONTAINER=pidns:$pidns .*RULE=global ACTION=hangup OUTCOME=delivered" "$w" "warn record"
# ONLCR of the sandbox's PTY turns the warning's \r\n into \r\r\n: it came
# through there (sshd read it off that master), not straight onto the
# client's pts/0. Being the daemon's own, it moved no activity clock: the
# last output read counted is from before the warning was written.
quiet pty_cmd c 'expect \r\r\n*** ttyidle: alice, this session on pts/0'
r2=$(rec_json 136:0 "$devpts")
assert_le $((deadline - 3000)) $(($(jfield out_read_ns "$r2") / 1000000)) \
	"last counted output read (ms), against the warning time"

log "ended by host pid"
ended_within c "$deadline" 12
t=$(audit_line terminate alice)
log "$t"
assert_match "EVENT=terminate USER=alice UID=1000 TTY=pts/0 SESSION=$leader .*ACTION=hangup OUTCOME=\"terminal hung up;" "$t" "terminate record"
wait_for 5 no_user_procs alice
assert_eq 0 "$(grep -c "SESSION=$client_sid " "$TTYIDLE_LOG")" "records about the client's session"
assert_ok alive "$sshd2"
assert_ok has_rec 136:0 "$host_devpts"
kill "$sandbox" "$sshd2" 2>/dev/null
stop_ttyidle
exit 0
