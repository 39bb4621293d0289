#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# dpkg -P after the removal leaves no pins, no configuration, no unit state
# and none of the package's files. The test's own drop-ins (the
# administrator's files, which purge leaves alone) go first.
. /sysvm/lib.sh

rm -rf /etc/ttyidle.conf.d/10-sysvm.conf /etc/systemd/system/ttyidle.service.d
dpkg -P ttyidle || fail "dpkg -P failed"
systemctl daemon-reload
dpkg-query -W ttyidle 2>/dev/null && fail "dpkg still knows ttyidle"
[ ! -e /sys/fs/bpf/ttyidle ] || fail "pins left"
left=""
while read -r f; do
	[ -d "$f" ] && continue # shared directories (/usr, /etc, ...)
	[ -e "$f" ] || [ -L "$f" ] && left+=" $f"
done </tmp/ttyidle.files
for f in /etc/ttyidle.conf /etc/ttyidle.conf.d /run/ttyidle \
	/etc/systemd/system/multi-user.target.wants/ttyidle.service \
	/var/lib/systemd/deb-systemd-helper-enabled/ttyidle.service \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/ttyidle.service \
	/var/lib/systemd/deb-systemd-helper-masked/ttyidle.service \
	/etc/systemd/system/ttyidle.service; do
	[ -e "$f" ] || [ -L "$f" ] && left+=" $f"
done
[ -z "$left" ] || fail "left after purge:$left"
systemctl list-unit-files --no-legend ttyidle.service | grep -q ttyidle && fail "unit file still known"
pgrep -x ttyidle && fail "a ttyidle process is left"
exit 0
