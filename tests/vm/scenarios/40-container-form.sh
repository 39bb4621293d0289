#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 150
# arch: x86
# The container-host form (issue "Hardened container hosts", point 4): the
# daemon of the project's OCI image (scripts/container/build-image.sh),
# unpacked by umoci and run by crun with the runtime configuration a node
# gives the DaemonSet of scripts/container/ttyidle-daemonset.yaml
# (tests/container/ds2oci.py: its own mount, network, UTS and IPC
# namespaces, the node's PID namespace, exactly the manifest's host paths
# and capabilities, a read-only root, no_new_privs), its policy from the
# ConfigMap's volume. It ends alice's idle ssh login on the host and bob's
# idle login inside a container (own PID and mount namespaces and devpts
# instance, as in 26-container), names that container in its records
# (its stderr: the pod's log), and leaves bob's busy host login and bob's
# bystander processes alone.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

B=/oci/bundle
[ -f $B/config.json ] || fail "no OCI bundle in this image (tests/container/bundle.sh)"
ttyidle unload >/dev/null 2>&1

# kubelet's part before the pod starts: the hostPath volumes' types
while read -r type path; do
	case $type in
	Directory) [ -d "$path" ] || fail "hostPath $path (Directory): no such directory" ;;
	DirectoryOrCreate) mkdir -p "$path" ;;
	File) [ -f "$path" ] || fail "hostPath $path (File): no such file" ;;
	FileOrCreate) [ -e "$path" ] || install -m 0644 /dev/null "$path" ;;
	-) ;;
	*) fail "hostPath $path: type $type not handled here" ;;
	esac
done <$B/hostpaths
# the ConfigMap's contents: this test's policy instead of the shipped one
cm=$B/configmaps/ttyidle-policy
rm -f $cm/*.conf
cat >$cm/50-cluster.conf <<'CONF'
[global]
idle-timeout = 8s
warn-before = 3s
CONF
write_conf "$TTYIDLE_CONF" <$cm/50-cluster.conf # for `ttyidle status` on the host
# the operator's override of the manifest's TTYIDLE_ATTACH=auto
sed -i "s/--attach=auto/--attach=$TTYIDLE_ATTACH/; s/TTYIDLE_ATTACH=auto/TTYIDLE_ATTACH=$TTYIDLE_ATTACH/" \
	$B/config.json
# crun takes the cgroup hierarchy's mode from /sys/fs/cgroup
cg=/sys/fs/cgroup
cg_mounted=
if ! grep -q " $cg cgroup2 " /proc/mounts; then
	mount -t cgroup2 cgroup2 $cg || fail "cannot mount cgroup2 on $cg"
	cg_mounted=1
fi

start_sshd
bystander_start bob bob
sandbox_start
sandbox=$SANDBOX_PID
log "the daemon, from the image, as the DaemonSet runs it"
crun --cgroup-manager=disabled run --no-pivot -b $B ttyidle >>"$TTYIDLE_LOG" 2>&1 &
crun_pid=$!
cleanup_crun() {
	crun kill ttyidle TERM 2>/dev/null
	wait $crun_pid 2>/dev/null
	crun delete -f ttyidle 2>/dev/null
	kill "$sandbox" 2>/dev/null
	[ -z "$cg_mounted" ] || umount $cg 2>/dev/null
}
poll_for 60 grep -Eq 'ttyidle: (attached|adopted) programs|ttyidle: run:' "$TTYIDLE_LOG"
grep -Eq 'ttyidle: (attached|adopted) programs' "$TTYIDLE_LOG" || {
	cat "$TTYIDLE_LOG"
	cleanup_crun
	fail "the containerised daemon did not attach"
}
if [ "$TTYIDLE_ATTACH" != auto ]; then
	assert_file_match "$TTYIDLE_LOG" "programs in $TTYIDLE_ATTACH mode"
fi
pid=$(crun state ttyidle | sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p')
[ -n "$pid" ] && alive "$pid" || fail "crun state names no running daemon: $(crun state ttyidle)"
log "daemon: pid $pid, $(tr '\0' ' ' </proc/"$pid"/cmdline)"
assert_eq /usr/sbin/ttyidle "$(readlink /proc/"$pid"/exe)" "the daemon's executable (its own root)"
for n in mnt net uts ipc; do
	assert_ne "$(readlink /proc/self/ns/$n)" "$(readlink /proc/"$pid"/ns/$n)" "$n namespace (the pod's own)"
done
assert_eq "$(readlink /proc/self/ns/pid)" "$(readlink /proc/"$pid"/ns/pid)" "PID namespace (hostPID)"
st=/proc/$pid/status
# the manifest's: SYS_RESOURCE (24), SYS_ADMIN (21), SYS_PTRACE (19), KILL (5),
# DAC_OVERRIDE (1)
assert_eq 0000000001280022 "$(awk '/^CapBnd:/ { print $2 }' $st)" "bounding set"
eff=$(awk '/^CapEff:/ { print $2 }' $st)
assert_eq 0 $((0x$eff & ~0x1280022)) "effective capabilities outside the manifest's (CapEff $eff)"
assert_eq 1 "$(awk '/^NoNewPrivs:/ { print $2 }' $st)" "no_new_privs (allowPrivilegeEscalation: false)"
assert_eq 0 "$(awk '/^Uid:/ { print $3 }' $st)" "effective uid"
assert_fails test -e /proc/"$pid"/root/bin/sh # no shell in the image
assert_fails touch /proc/"$pid"/root/usr/sbin/x # read-only root
assert_ok test -d /sys/fs/bpf/ttyidle # pinned in the node's bpffs

# alice's login last: its deadline is read off `ttyidle status` before it passes
ssh_spawn d "-tt -p 2222 -o HostKeyAlias=127.0.0.1 bob@127.0.0.1"
leader=$(for p in $(pids_of sh); do
	[ "$(stat -c %U /proc/"$p")" = bob ] &&
		[ "$(readlink /proc/"$p"/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] && echo "$p"
done | head -n1)
[ -n "$leader" ] || fail "bob's shell in the container not found"
pidns=$(readlink /proc/"$leader"/ns/pid | tr -dc 0-9)
_crec() {
	status_json | jsonq terminals -1 user=bob container:string
}
_has_crec() {
	[ -n "$(_crec)" ]
}
poll_for 15 _has_crec || fail "bob's container login is not in ttyidle status"
deadline_d=$(($(in_ms "$(_crec)") + 8000))
ssh_login e bob
typer_start e 2 # bob at work on the host
ssh_login c alice

log "alice's idle host login: warned and ended"
poll_for 15 has_urec alice || {
	status_json
	cat "$TTYIDLE_LOG"
	cleanup_crun
	fail "alice's login is not in ttyidle status"
}
rec=$(urec alice)
deadline=$(($(in_ms "$rec") + 8000))
quiet pty_cmd c 'expect will be ended in'
w=$(audit_line warn alice)
log "$w"
assert_match "EVENT=warn USER=alice UID=1000 TTY=pts/[0-9]+ .*SERVICE=sshd REMOTE=127.0.0.1 .*RULE=global ACTION=hangup OUTCOME=delivered" "$w" "warn record (host login)"
assert_no_match "CONTAINER=" "$w" "a host login names no container"

log "bob's idle login in the container: warned and ended"
quiet pty_cmd d 'expect will be ended in'
wb=$(grep "EVENT=warn USER=bob " "$TTYIDLE_LOG" | tail -n1)
log "$wb"
assert_match "EVENT=warn USER=bob UID=1001 TTY=pts/0 SESSION=$leader .*SERVICE=sshd .*CONTAINER=pidns:$pidns .*OUTCOME=delivered" "$wb" "warn record (container login)"

ended_within c "$deadline" 15
wait_for 5 has_audit terminate alice
t=$(audit_line terminate alice)
log "$t"
assert_match 'EVENT=terminate USER=alice .*ACTION=hangup OUTCOME="terminal hung up;' "$t" "terminate record (host login)"
ended_within d "$deadline_d" 15
wait_for 5 grep -q "EVENT=terminate USER=bob .*CONTAINER=pidns:$pidns" "$TTYIDLE_LOG"
log "$(grep "EVENT=terminate USER=bob " "$TTYIDLE_LOG" | tail -n1)"
wait_for 5 no_user_procs alice

log "everything else left alone"
typer_stop
type_keys e 'echo ST""ILL\n'
quiet pty_cmd e 'expect STILL'
assert_eq 0 "$(grep 'EVENT=warn USER=bob ' "$TTYIDLE_LOG" | grep -vc "CONTAINER=pidns:$pidns")" \
	"warnings for bob's busy host login"
bystanders_check
alive "$pid" || fail "the daemon died"
cleanup_crun
exit 0
