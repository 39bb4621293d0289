#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# dpkg -i of the project's .deb enables and starts ttyidle.service; being a
# Type=notify unit, `active` means the daemon said READY=1 (programs
# attached, policy loaded). The attach mode is forced by a drop-in on the
# shipped unit (only ExecStart gets --attach); the sandbox is the shipped one.
. /sysvm/lib.sh

policy 10-sysvm.conf <<'CONF'
[global]
idle-timeout = 8s
warn-before = 3s
CONF
attach_dropin
dpkg -i /sysvm/new.deb || fail "dpkg -i failed"
dpkg-query -W -f='${Package} ${Version} ${Status}\n' ttyidle
wait_for 30 is_active
assert_eq notify "$(prop Type)" "Type"
assert_eq enabled "$(systemctl is-enabled ttyidle.service)" "enabled at installation"
assert_eq running "$(prop SubState)" "SubState"
log "StatusText: $(prop StatusText)"
assert_match "$SYSVM_ATTACH mode" "$(prop StatusText)" "status text names the attach mode"
pid=$(prop MainPID)
assert_eq /usr/sbin/ttyidle "$(readlink /proc/$pid/exe)" "main process"
# the shipped sandbox is in force: capabilities and filesystem
caps=$(grep CapBnd /proc/$pid/status)
log "$caps"
assert_eq "0x0000000000280022" "$(awk '/CapBnd/ {print "0x" $2}' /proc/$pid/status)" \
	"bounding set SYS_ADMIN KILL SYS_PTRACE DAC_OVERRIDE"
assert_eq yes "$(prop PrivateNetwork)" "PrivateNetwork"
assert_eq strict "$(prop ProtectSystem)" "ProtectSystem"
journalctl -q --no-pager -o cat -u ttyidle.service | head -n 20
has_journal -u ttyidle.service MESSAGE="attached programs in $SYSVM_ATTACH mode; maps pinned under /sys/fs/bpf/ttyidle" ||
	fail "no 'attached programs in $SYSVM_ATTACH mode' in the journal"
[ -d /sys/fs/bpf/ttyidle ] || fail "no pins under /sys/fs/bpf/ttyidle"
ls /sys/fs/bpf/ttyidle
note "started in $(systemctl show -P ExecMainStartTimestampMonotonic ttyidle.service) us after boot, ready at $(systemctl show -P ActiveEnterTimestampMonotonic ttyidle.service) us"
exit 0
