#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the Debian packages the Debian way: stage a source tree, put
# scripts/debian in it as debian/, run `dpkg-buildpackage -us -uc -b` there,
# then lintian --pedantic. Results, in $OUT:
#   ttyidle_VERSION_ARCH.deb, ttyidle-dbgsym_VERSION_ARCH.deb (the binary's
#   debug symbols, made by dh_strip), and under deb-src/ the staged tree
#   ttyidle-VERSION/ with the .changes and .buildinfo beside it.
#
# The staged tree holds the files git tracks, as they are in the working
# tree (uncommitted edits included; untracked files not), or, outside a git
# checkout, every file but build output. VERSION is scripts/version.sh's:
# 0.9.0 on the tag v0.9.0, 0.9.0+git12.gabcdef1 twelve commits later,
# 0.0.0+gitN.gHASH in a clone without tags, "+dirty" after it when tracked
# files are edited. The package is native ("3.0 (native)": debian/ lives
# upstream), so the package's version is that version, and `ttyidle
# --version` prints it. When it is not the version of debian/changelog's
# first entry (the last release), an entry for it is added on top in the
# staged copy, dated at the last commit so that builds repeat.
#
# Environment:
#   ARCH         x86 (amd64) or arm64 (default the host's). A foreign arm64 is
#                cross-built with `dpkg-buildpackage -aarm64 -d` (the -d: the
#                arm64 build dependencies are in the sysroot of
#                scripts/fetch-sysroot.sh, not in this host's dpkg database);
#                debian/rules then calls `make ARCH=arm64` and reads Depends
#                from the sysroot.
#   OUT          output directory (default build, build-ARCH for a foreign ARCH)
#   DEB_VERSION  use this version instead of scripts/version.sh's
#   LINTIAN      "no" skips lintian; otherwise any tag it prints at
#                --pedantic that scripts/debian/ttyidle.lintian-overrides
#                does not explain fails the build.
set -eu
umask 022
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

die() { echo "build-deb: $*" >&2; exit 1; }
for t in dpkg-buildpackage dh; do
	command -v $t >/dev/null || die "$t not found (apt-get install dpkg-dev debhelper; or scripts/setup.sh)"
done

host_arch=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
ARCH=${ARCH:-$host_arch}
case $ARCH in
x86 | x86_64 | amd64) ARCH=x86 deb_arch=amd64 ;;
arm64 | aarch64) ARCH=arm64 deb_arch=arm64 ;;
*) die "unknown ARCH '$ARCH' (x86, arm64)" ;;
esac
cross=""
if [ "$ARCH" != "$host_arch" ]; then
	cross="-a$deb_arch -d"
	SYSROOT=${SYSROOT:-${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/sysroot/$ARCH}
	[ -s "$SYSROOT/.owners" ] ||
		die "no $ARCH sysroot in $SYSROOT: run scripts/fetch-sysroot.sh --arch $ARCH"
	export SYSROOT
fi
OUT=${OUT:-build${cross:+-$ARCH}}

# ---- version ---------------------------------------------------------------
version=${DEB_VERSION:-$(scripts/version.sh)}
echo "$version" | grep -Eq '^[0-9][A-Za-z0-9.+~]*$' ||
	die "version '$version' is not a Debian native version (digits first, then [A-Za-z0-9.+~])"

# ---- stage -----------------------------------------------------------------
mkdir -p "$OUT"
src="$OUT/deb-src"
stage="$src/ttyidle-$version"
rm -rf "$src"
mkdir -p "$stage"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# tracked files as they are now; one deleted but not committed is left out
	git ls-files -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$stage"
	epoch=$(git log -1 --format=%ct)
else
	tar --exclude='./build' --exclude='./build-*' -cf - . | tar -xf - -C "$stage"
	epoch=$(date +%s)
fi
cp -a scripts/debian "$stage/debian"

first=$(dpkg-parsechangelog -l "$stage/debian/changelog" -S Version)
if [ "$first" != "$version" ]; then
	maint=$(sed -n 's/^Maintainer: //p' "$stage/debian/control")
	commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo "(not a git checkout)")
	if dpkg --compare-versions "$version" gt "$first"; then
		what="Snapshot of git commit $commit, after $first."
		history="$stage/debian/changelog"
	else
		# 0.0.0+gitN.gHASH: a clone without the release tags. Its version
		# sorts before the releases, so the releases' entries are left out
		# of this build's changelog rather than shown out of order.
		echo "build-deb: $version is a snapshot without release tags (git fetch --tags):" \
			"its changelog leaves out the release entries (from $first on)" >&2
		what="Snapshot of git commit $commit, built without release tags."
		history=/dev/null
	fi
	{
		echo "ttyidle ($version) UNRELEASED; urgency=medium"
		echo
		echo "  * $what"
		echo
		echo " -- $maint  $(date -u -R -d "@$epoch")"
		[ "$history" = /dev/null ] || { echo; cat "$history"; }
	} >"$stage/debian/changelog.new"
	mv "$stage/debian/changelog.new" "$stage/debian/changelog"
	# NEWS entries must name versions of the changelog
	[ "$history" != /dev/null ] || rm -f "$stage/debian/NEWS"
fi

# ---- build -----------------------------------------------------------------
echo "  DPKG-BUILDPACKAGE $stage ($deb_arch)"
# shellcheck disable=SC2086
(cd "$stage" && dpkg-buildpackage -us -uc -b $cross) >"$src/build.log" 2>&1 ||
	die "dpkg-buildpackage failed; the last lines of $src/build.log:
$(tail -n 25 "$src/build.log")"
deb="$OUT/ttyidle_${version}_$deb_arch.deb"
dbg="$OUT/ttyidle-dbgsym_${version}_$deb_arch.deb"
rm -f "$OUT"/ttyidle_*_"$deb_arch".deb "$OUT"/ttyidle-dbgsym_*_"$deb_arch".deb
cp "$src/${deb##*/}" "$deb"
cp "$src/${dbg##*/}" "$dbg"
echo "  DEB      $deb"
echo "  DEB      $dbg"

# ---- lintian -----------------------------------------------------------------
if [ "${LINTIAN:-auto}" != no ] && command -v lintian >/dev/null; then
	changes="$src/ttyidle_${version}_$deb_arch.changes"
	lintian --pedantic --display-info --fail-on error,warning,info,pedantic \
		--tag-display-limit 0 "$changes" ||
		die "lintian --pedantic reported tags for $changes (above)"
	echo "  LINTIAN  clean at --pedantic: $changes"
fi
