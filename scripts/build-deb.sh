#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build build/ttyidle_VERSION_ARCH.deb with dpkg-deb alone: no debhelper, no
# source package. The tree is `make install DESTDIR=... PREFIX=/usr`, plus
# what Debian policy asks of a binary package (stripped binary, gzipped man
# pages, copyright and changelog.Debian.gz, conffiles, md5sums) and
# maintainer scripts written the way dh_installsystemd writes them.
#
# Environment:
#   OUT          build directory (default build, build-ARCH for a foreign ARCH)
#   ARCH         x86 or arm64 (default the host's): a foreign one is cross-built
#                (`make ARCH=arm64`, against the sysroot of
#                scripts/fetch-sysroot.sh) and packaged for that Debian arch
#   DEB_VERSION  Debian version, default from git (0~gitYYYYMMDD.HASH-1)
#   DEBFULLNAME, DEBEMAIL  the Maintainer, default the last commit's author
#   LINTIAN      "no" skips lintian; otherwise it runs when installed and
#                any error or warning not explained below fails the build.
#
# Lintian (run with --pedantic -I by hand: `lintian -I --pedantic FILE.deb`)
# leaves these tags, each on purpose; the warnings are suppressed by name:
#   W initial-upload-closes-no-bugs
#     the changelog is generated from git; there is no Debian bug to close.
#   P package-contains-empty-directory etc/ttyidle.conf.d/ (if reported)
#     the drop-in directory is part of the interface (ttyidle.conf(5)); it
#     is shipped empty so that it shows where drop-ins go.
#   I package-supports-alternative-init-but-no-init.d-script
#     the daemon runs under any init (`ttyidle run`), but only a systemd
#     unit is shipped.
#   I spelling-error-in-binary prefered preferred
#     a kernel structure field name (prefered_lft) in the BTF of the
#     embedded BPF object, from vmlinux.h: not ours to spell.
# The binary is built for the package with dpkg-buildflags (stack
# protector, _FORTIFY_SOURCE, relro and bindnow), so the hardening-* tags
# of a plain `make` build do not appear.
set -eu
umask 022
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
SUPPRESS="initial-upload-closes-no-bugs,package-contains-empty-directory"

die() { echo "build-deb: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (apt-get install dpkg)"

host_arch=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
ARCH=${ARCH:-$host_arch}
case $ARCH in
x86 | x86_64 | amd64) ARCH=x86 deb_arch=amd64 multiarch=x86_64-linux-gnu ;;
arm64 | aarch64) ARCH=arm64 deb_arch=arm64 multiarch=aarch64-linux-gnu ;;
*) die "unknown ARCH '$ARCH' (x86, arm64)" ;;
esac
cross=""
if [ "$ARCH" != "$host_arch" ]; then
	cross=aarch64-linux-gnu-
	[ "$ARCH" = arm64 ] || cross=x86_64-linux-gnu-
	SYSROOT=${SYSROOT:-${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/sysroot/$ARCH}
	[ -s "$SYSROOT/.owners" ] ||
		die "no $ARCH sysroot in $SYSROOT: run scripts/fetch-sysroot.sh --arch $ARCH"
	# dpkg-buildflags gives the target's flags (arm64: branch protection too).
	export DEB_HOST_ARCH=$deb_arch
fi
OUT=${OUT:-build${cross:+-$ARCH}}

# The package's own build, with Debian's hardening flags, beside the
# developer's. CPPFLAGS goes into CFLAGS: the Makefile adds to its own, and a
# CPPFLAGS given on the command line would replace them. The Makefile links
# with CFLAGS, so LDFLAGS goes there too.
BOUT="$OUT/deb-build"
if command -v dpkg-buildflags >/dev/null; then
	export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
	flags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
	flags="$flags $(dpkg-buildflags --get LDFLAGS)"
else
	flags="-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Wl,-z,relro -Wl,-z,now"
fi
rm -rf "$BOUT" # flags are not dependencies: build afresh
make -s ARCH="$ARCH" OUT="$BOUT" CFLAGS="$flags" "$BOUT/ttyidle"

# ---- version, maintainer, dates, all from git so that builds repeat --------
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$epoch}
if [ -z "${DEB_VERSION:-}" ]; then
	if tag=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
		# v1.2 -> 1.2; v1.2-3-gabc -> 1.2+git3.abc
		DEB_VERSION=$(echo "${tag#v}" | sed -E 's/-([0-9]+)-g([0-9a-f]+)$/+git\1.\2/')
	else
		DEB_VERSION="0~git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).$commit"
	fi
	if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		DEB_VERSION="$DEB_VERSION+dirty"
	fi
	DEB_VERSION="$DEB_VERSION-1"
fi
echo "$DEB_VERSION" | grep -Eq '^[0-9][A-Za-z0-9.+~]*(-[A-Za-z0-9.+~]+)?$' ||
	die "DEB_VERSION '$DEB_VERSION' is not a Debian version"
if [ -n "${DEBFULLNAME:-}" ] && [ -n "${DEBEMAIL:-}" ]; then
	maint="$DEBFULLNAME <$DEBEMAIL>"
else
	maint=$(git log -1 --format='%an <%ae>' 2>/dev/null || echo "ttyidle maintainers <root@localhost>")
fi
arch=$deb_arch
year=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
deb="$OUT/ttyidle_${DEB_VERSION}_${arch}.deb"

work=$(mktemp -d "$top/$OUT/deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
# dpkg-shlibdeps wants a source tree: debian/control and debian/PACKAGE/
mkdir -p "$work/debian"
: >"$work/debian/control"
pkg="$work/debian/ttyidle"

# ---- the files -------------------------------------------------------------
make -s install ARCH="$ARCH" OUT="$BOUT" DESTDIR="$pkg" PREFIX=/usr >/dev/null
"${cross}strip" --remove-section=.comment --remove-section=.note "$pkg/usr/sbin/ttyidle"
gzip -9n "$pkg/usr/share/man/man8/ttyidle.8" "$pkg/usr/share/man/man5/ttyidle.conf.5"

doc="$pkg/usr/share/doc/ttyidle"
mkdir -p "$doc"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ttyidle
Upstream-Contact: $maint

Files: *
Copyright: $year ttyidle contributors
License: GPL-2

Files: vmlinux/*
Copyright: Linux kernel contributors
Comment: Type definitions generated from the Linux kernel's BTF, compiled
 into the BPF programs embedded in /usr/sbin/ttyidle.
License: GPL-2

License: GPL-2
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License version 2 as published by
 the Free Software Foundation.
 .
 This program is distributed in the hope that it will be useful, but WITHOUT
 ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public License for
 more details.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in "/usr/share/common-licenses/GPL-2".
EOF
cat >"$work/changelog" <<EOF
ttyidle ($DEB_VERSION) unstable; urgency=medium

  * Built from git commit $commit.

 -- $maint  $(date -u -R -d "@$SOURCE_DATE_EPOCH")
EOF
gzip -9nc "$work/changelog" >"$doc/changelog.Debian.gz"

# ---- control -----------------------------------------------------------------
mkdir -p "$pkg/DEBIAN"
if [ -n "$cross" ]; then
	# The target's libraries are not in this host's dpkg database: each
	# NEEDED library's package comes from the sysroot's list, at least at
	# the version the binary was linked against (stricter than
	# dpkg-shlibdeps' symbols files, never looser).
	depends=$(objdump -p "$pkg/usr/sbin/ttyidle" | awk '/NEEDED/ {print $2}' | while read -r lib; do
		hit=$(awk -v a="/lib/$multiarch/$lib" -v b="/usr/lib/$multiarch/$lib" \
			'$1 == a || $1 == b { print $2, $3; exit }' "$SYSROOT/.owners")
		[ -n "$hit" ] || { echo "build-deb: $lib: no package in $SYSROOT/.owners" >&2; exit 1; }
		set -- $hit
		v=${2%-*}
		echo "$1 (>= $v)"
	done | sort -u | paste -sd, | sed 's/,/, /g')
elif command -v dpkg-shlibdeps >/dev/null; then
	depends=$(cd "$work" && dpkg-shlibdeps -O -edebian/ttyidle/usr/sbin/ttyidle 2>/dev/null |
		sed -n 's/^shlibs:Depends=//p')
else
	# Without dpkg-dev: the package of each NEEDED library, unversioned.
	depends=$(objdump -p "$pkg/usr/sbin/ttyidle" | awk '/NEEDED/ {print $2}' | while read -r lib; do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l {print $NF; exit}')
		dpkg -S "$path" 2>/dev/null | sed 's/:.*//;s/:.*//'
	done | sort -u | paste -sd, | sed 's/,/, /g')
fi
[ -n "$depends" ] || die "could not compute Depends for $pkg/usr/sbin/ttyidle"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: ttyidle
Version: $DEB_VERSION
Architecture: $arch
Maintainer: $maint
Installed-Size: $size
Depends: $depends
Section: admin
Priority: optional
Description: end idle login sessions, as the kernel sees each terminal
 ttyidle ends login sessions (ssh, console, container logins) whose terminal
 has been idle for longer than a configured time. BPF programs on the
 kernel's terminal layer record when each terminal last saw input and
 output; the daemon warns on the terminal, then hangs it up or signals the
 session, and writes an audit record for each step.
 .
 The policy can depend on user, group, uid, terminal, login service and
 remote host. The kernel must provide BTF (CONFIG_DEBUG_INFO_BTF) and
 fentry or kprobe support.
EOF
echo /etc/ttyidle.conf >"$pkg/DEBIAN/conffiles"

# Maintainer scripts. The unit is enabled on installation even without a
# running systemd (as dh_installsystemd does: an image built in a chroot
# starts it at its first boot), but started, restarted and stopped only
# when systemd runs. The BPF programs stay attached across upgrades (the new
# daemon adopts them); removal detaches them, as nothing would read them.
cat >"$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
case "$1" in
configure | abort-upgrade | abort-deconfigure | abort-remove)
	# deb-systemd-helper is in init-system-helpers, which is Essential.
	# This only removes masks created by deb-systemd-helper on removal.
	deb-systemd-helper unmask ttyidle.service >/dev/null || true
	# was-enabled defaults to true, so a new installation enables the unit
	if deb-systemd-helper --quiet was-enabled ttyidle.service; then
		deb-systemd-helper enable ttyidle.service >/dev/null || true
	else
		deb-systemd-helper update-state ttyidle.service >/dev/null || true
	fi
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		if [ -n "${2:-}" ]; then action=restart; else action=start; fi
		deb-systemd-invoke "$action" ttyidle.service >/dev/null || true
	fi
	;;
esac
exit 0
EOF
cat >"$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ]; then
	if [ -d /run/systemd/system ]; then
		deb-systemd-invoke stop ttyidle.service >/dev/null || true
	fi
	# with the package gone nothing reads the maps: detach the programs
	ttyidle unload >/dev/null 2>&1 || true
fi
exit 0
EOF
cat >"$pkg/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
case "$1" in
remove)
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
	fi
	deb-systemd-helper mask ttyidle.service >/dev/null || true
	;;
purge)
	deb-systemd-helper purge ttyidle.service >/dev/null || true
	deb-systemd-helper unmask ttyidle.service >/dev/null || true
	# pins a daemon started by hand may have left after the removal
	if [ -d /sys/fs/bpf/ttyidle ]; then
		rm -rf /sys/fs/bpf/ttyidle || true
	fi
	# dpkg removes the conffile; drop-ins an administrator added are theirs
	rmdir /etc/ttyidle.conf.d 2>/dev/null || true
	;;
esac
exit 0
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"
(cd "$pkg" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | LC_ALL=C sort |
	xargs md5sum) >"$pkg/DEBIAN/md5sums"
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "  DEB      $deb"

# ---- lintian -----------------------------------------------------------------
if [ "${LINTIAN:-auto}" != no ] && command -v lintian >/dev/null; then
	# --fail-on: errors and warnings not suppressed above fail the build
	lintian --fail-on error,warning --suppress-tags "$SUPPRESS" --tag-display-limit 0 \
		"$deb" || die "lintian found problems in $deb (see above)"
fi
