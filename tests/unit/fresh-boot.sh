#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make unit` as on a machine that booted two minutes ago: a CI machine can be
# that fresh, and no test may depend on the host's uptime (times such as
# "now - 1 hour" on CLOCK_BOOTTIME go below zero there). A time namespace
# moves CLOCK_BOOTTIME and CLOCK_MONOTONIC back for make and the tests only.
set -u
cd "$(dirname "$0")/../.."
up=$(cut -d. -f1 /proc/uptime)
off=$((up - 120))
if [ "$off" -le 0 ]; then
	echo "fresh-boot: up ${up}s already: plain make unit"
	exec make -s unit
fi
if ! unshare --time true 2>/dev/null; then
	echo "fresh-boot: no time namespaces here (unshare --time): plain make unit" >&2
	exec make -s unit
fi
echo "fresh-boot: make unit with the clocks moved back ${off}s (up 120s)"
exec unshare --time --boottime -"$off" --monotonic -"$off" make -s unit
