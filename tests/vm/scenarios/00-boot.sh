#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# The VM itself works: BTF, bpffs, bpftool, PTYs, real sshd/ssh, tmux.
. /scenarios/lib.sh

log "kernel $KERNEL_RELEASE, attach mode $TTYIDLE_ATTACH"
[ -s /sys/kernel/btf/vmlinux ] || fail "/sys/kernel/btf/vmlinux missing (kernel without BTF?)"
assert_match ' /sys/fs/bpf bpf ' "$(cat /proc/mounts)" "bpffs mount"
assert_ok bpftool prog list
# BTF magic 0xeb9f, little endian. (Dumping all of vmlinux's BTF with bpftool
# takes seconds under TCG, and 5.10 does not list it in `bpftool btf list`.)
assert_eq "9f eb" "$(od -An -tx1 -N2 /sys/kernel/btf/vmlinux | tr -s ' ' | sed 's/^ //')" \
	"BTF magic of /sys/kernel/btf/vmlinux"
assert_ok test -x /usr/sbin/ttyidle
# The loader resolves every library of the daemon (it is not run here).
case $(uname -m) in
aarch64) ldso=/lib/ld-linux-aarch64.so.1 ;;
*) ldso=/lib64/ld-linux-x86-64.so.2 ;;
esac
assert_ok "$ldso" --list /usr/sbin/ttyidle

log "ptyctl: a PTY in /dev/pts and two with the same index in new devpts instances"
out=$(ptyctl open wm 'x\n' rs ws 'y\n' rm close open --newinstance open --newinstance 2>&1) ||
	fail "ptyctl: $out"
printf '%s\n' "$out"
assert_match '^read-slave id=0 n=2 data=x\\n$' "$out" "slave read of master write"
assert_match '^read-master id=0 n=[0-9]+ data=.*y\\r\\n' "$out" "master read of slave write"
l1=$(printf '%s\n' "$out" | grep '^pty id=1 ')
l2=$(printf '%s\n' "$out" | grep '^pty id=2 ')
assert_eq "$(kv index "$l1")" "$(kv index "$l2")" "index of PTYs in two new instances"
assert_ne "$(kv devpts "$l1")" "$(kv devpts "$l2")" "devpts of the two instances"
dev=$(stat -c '%d' /dev/pts/ptmx)
l0=$(printf '%s\n' "$out" | grep '^pty id=0 ')
assert_eq "$dev" "$(kv kdevpts "$l0")" "kdevpts of /dev/pts (stat -c %d)"

log "ptyctl spawn: a session with the slave as controlling terminal"
# A child of the session leader prints its session id (field 6 of stat) and tty.
# shellcheck disable=SC2016 # expanded by the spawned shell
cmd='sh -c '\''set -- $(cat /proc/$$/stat); echo SID=$6 TTY=$(tty) END'\'
out=$(ptyctl open spawn "$cmd" expect 'END' reap 2>&1) || fail "ptyctl spawn: $out"
printf '%s\n' "$out"
sid=$(kv sid "$(printf '%s\n' "$out" | grep '^spawn ')")
idx=$(kv index "$(printf '%s\n' "$out" | grep '^pty ')")
assert_match "SID=$sid\\\\x20TTY=/dev/pts/$idx\\\\x20END" "$out" \
	"session and tty of the spawned shell"

log "sshd"
assert_ok /usr/sbin/sshd -t
start_sshd
out=$(ssh -tt alice@127.0.0.1 'echo hi; id' 2>&1) || {
	printf '%s\n' "$out"
	cat /tmp/sshd.log
	fail "ssh alice@127.0.0.1 failed"
}
printf '%s\n' "$out"
assert_match '^hi' "$out" "ssh -tt output"
assert_match 'uid=1000\(alice\) gid=50\(staff\)' "$out" "alice's id"
out=$(ssh bob@127.0.0.1 id 2>&1)
assert_match 'uid=1001\(bob\).*groups=.*exempt' "$out" "bob's groups"
# sshd recorded the login in utmp/wtmp (needs /var/run -> /run).
assert_ok test -s /var/log/wtmp
stop_sshd

log "tmux"
assert_ok tmux -u new-session -d -s t0 'sleep 30'
assert_ok tmux has-session -t t0
assert_match '^/dev/pts/' "$(tmux display -p -t t0 '#{pane_tty}')" "tmux pane tty"
tmux kill-server
exit 0
