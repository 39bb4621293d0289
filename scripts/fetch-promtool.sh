#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fetch-promtool.sh: promtool, to check and unit-test the alert rules
# (scripts/container/ttyidle-alerts.yaml), taken out of Debian's prometheus
# package into the cache; the package itself is not installed (it would start
# a Prometheus server). Prints the path of promtool.
set -eu
CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/promtool
die() {
	echo "fetch-promtool: $*" >&2
	exit 1
}
if [ ! -x "$CACHE/usr/bin/promtool" ]; then
	mkdir -p "$CACHE"
	(cd "$CACHE" && rm -f prometheus_*.deb &&
		apt-get download -q prometheus >download.log 2>&1) ||
		die "apt-get download prometheus failed: $(tail -n1 "$CACHE/download.log")"
	dpkg-deb --fsys-tarfile "$CACHE"/prometheus_*.deb | tar -C "$CACHE" -x ./usr/bin/promtool ||
		die "no promtool in $(ls "$CACHE"/prometheus_*.deb)"
	rm -f "$CACHE"/prometheus_*.deb
fi
echo "$CACHE/usr/bin/promtool"
