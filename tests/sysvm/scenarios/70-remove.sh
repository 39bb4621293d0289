#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# dpkg -r stops the service and detaches the programs (no pins are left);
# the configuration stays (conffiles) until purge.
. /sysvm/lib.sh

wait_for 10 is_active
dpkg -L ttyidle >/tmp/ttyidle.files
dpkg -r ttyidle || fail "dpkg -r failed"
assert_eq inactive "$(systemctl is-active ttyidle.service)" "service after remove"
pgrep -x ttyidle && fail "a ttyidle process is left"
[ ! -e /sys/fs/bpf/ttyidle ] || fail "pins left after remove: $(ls /sys/fs/bpf/ttyidle)"
[ ! -e /usr/sbin/ttyidle ] || fail "/usr/sbin/ttyidle left"
[ -f /etc/ttyidle.conf ] || fail "conffile /etc/ttyidle.conf removed before purge"
assert_eq rc "$(dpkg-query -W -f='${db:Status-Abbrev}' ttyidle | cut -c1-2)" "dpkg state"
exit 0
