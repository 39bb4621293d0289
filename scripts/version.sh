#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print ttyidle's version, from `git describe` against the v* release tags:
#   on the tag v0.9.0                      0.9.0
#   12 commits after it, at abcdef1        0.9.0+git12.gabcdef1
#   no v* tag in the clone (a shallow or   0.0.0+git37.gabcdef1 (37 commits,
#   tagless clone)                         a note on stderr says so)
#   outside a git checkout                 0.0.0+unknown (and a note)
# and "+dirty" after it when tracked files have uncommitted changes.
# Every form is a valid Debian version that
# sorts after the tag it follows. The Makefile passes it to the daemon
# (`ttyidle --version`); scripts/build-deb.sh writes it into
# debian/changelog, and the package's build takes it back from there.
set -eu
cd "$(dirname "$0")/.."
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "version.sh: not a git checkout: version 0.0.0+unknown" >&2
	echo 0.0.0+unknown
	exit 0
fi
if d=$(git describe --tags --long --match 'v[0-9]*' 2>/dev/null); then
	# v0.9.0-12-gabcdef1 -> 0.9.0+git12.gabcdef1; v0.9.0-0-g... -> 0.9.0
	v=$(echo "${d#v}" | sed -E 's/-0-g[0-9a-f]+$//; s/-([0-9]+)-(g[0-9a-f]+)$/+git\1.\2/')
else
	echo "version.sh: no v* tag in this clone (git fetch --tags): version 0.0.0+gitN.gHASH" >&2
	v="0.0.0+git$(git rev-list --count HEAD).g$(git rev-parse --short HEAD)"
fi
git update-index -q --refresh >/dev/null 2>&1 || true
if ! git diff-index --quiet HEAD -- 2>/dev/null; then
	v="$v+dirty"
fi
echo "$v"
