#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the systemd host VM as sysvm-test.service (made by mkimage.sh),
# once the system reached multi-user.target: each /sysvm/scenarios/*.sh in
# order, as root, each under a time limit (`# timeout: N` header, default
# 120 s). Results on ttyS1 for tests/sysvm/run.sh:
#   @@BOOT SECONDS            CLOCK_BOOTTIME when the runner started
#   @@OUT NAME | LINE         the scenario's output
#   @@RESULT NAME PASS|FAIL|SKIP SECONDS
#   @@DONE
# then the VM powers off.
exec >/dev/ttyS1 2>&1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
echo "@@BOOT $(cut -d' ' -f1 /proc/uptime)"
attach=$(sed -n 's/.*sysvm\.attach=\([a-z]*\).*/\1/p' /proc/cmdline)
# sysvm.once=0: leave out the scenarios marked `# once-per-run` (systemd,
# journald and logind around the daemon; run.sh runs them in its first VM)
once=$(sed -n 's/.*sysvm\.once=\([01]\).*/\1/p' /proc/cmdline)
export SYSVM_ATTACH="${attach:-auto}" PATH="/sysvm:$PATH"
for f in /sysvm/scenarios/*.sh; do
	n=$(basename "$f" .sh)
	if [ "$once" = 0 ] && grep -q '^# once-per-run' "$f"; then
		echo "@@RESULT $n SKIP 0"
		continue
	fi
	t=$(sed -n '1,10s/^# *timeout: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n1)
	s0=$(cut -d' ' -f1 /proc/uptime)
	timeout -k 5 "${t:-120}" bash "$f" >"/tmp/sysvm.$n.out" 2>&1
	rc=$?
	s1=$(cut -d' ' -f1 /proc/uptime)
	[ $rc = 124 ] && echo "timed out after ${t:-120}s" >>"/tmp/sysvm.$n.out"
	sed "s/^/@@OUT $n | /" "/tmp/sysvm.$n.out"
	if [ $rc = 0 ]; then r=PASS; else r=FAIL; fi
	echo "@@RESULT $n $r $(awk -v a="$s1" -v b="$s0" 'BEGIN { printf "%.1f", a - b }')"
done
echo "@@DONE"
sync
systemctl poweroff -f -f
