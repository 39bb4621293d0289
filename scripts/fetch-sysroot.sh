#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-sysroot.sh [--refresh] [--arch arm64]: a Debian bookworm sysroot for
# cross builds and the foreign-arch test VM, from Debian's packages.
#
# Lands in ${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/sysroot/ARCH/: the packages
# below and everything they depend on (first alternatives, no recommends),
# each extracted with dpkg-deb -x (nothing is configured, no maintainer script
# runs). Absolute symlinks are made relative so that they stay inside it.
#   .packages  name=version of every package in it, written last: a sysroot
#              without it, or made for another package list, is made again
#   .owners    "PATH PACKAGE VERSION" of each shared library, for
#              scripts/build-deb.sh's Depends
# A cached sysroot is used as is, without network; --refresh re-resolves the
# packages and rebuilds it only if a version changed.
#
# The package architecture is given to a private apt state (under the cache
# dir, scripts/apt-private.inc): the host's /etc/apt and dpkg architectures
# are neither read nor changed.
set -euo pipefail

CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
MIRROR=${TTYIDLE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${TTYIDLE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
SUITES=bookworm,bookworm-security

# For `make ARCH=...`: the libraries the daemon links, and libc6-dev for
# --sysroot. For the test VM (tests/vm/mkinitramfs.sh): its programs.
BUILD_PKGS="libc6-dev libbpf-dev libelf-dev zlib1g-dev libsystemd-dev"
VM_PKGS="busybox-static openssh-server openssh-client tmux bpftool autolog procps
libutempter0 libgcc-s1 libc-bin"

die() {
	echo "fetch-sysroot: $*" >&2
	exit 1
}

# shellcheck source=scripts/apt-private.inc
. "$(dirname "$0")/apt-private.inc"

REFRESH=0
ARCH=arm64
while [[ $# -gt 0 ]]; do
	case $1 in
	--refresh) REFRESH=1 ;;
	--arch) ARCH=${2:-}; [[ $# -ge 2 ]] || die "--arch needs arm64"; shift ;;
	--arch=*) ARCH=${1#--arch=} ;;
	-h | --help)
		sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done
case $ARCH in
arm64 | aarch64) ARCH=arm64 DEB_ARCH=arm64 MULTIARCH=aarch64-linux-gnu ;;
*) die "unknown --arch '$ARCH' (arm64)" ;;
esac
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
	die "needs apt-get and dpkg-deb (a Debian host)"
fi
[[ -r $KEYRING ]] || die "missing $KEYRING (apt-get install debian-archive-keyring)"

ROOT=$CACHE/sysroot/$ARCH
STATE=bookworm-$ARCH
# What was asked for: a sysroot made for another list is made again.
WANT="suites=$SUITES packages=$(echo "$BUILD_PKGS $VM_PKGS" | tr -s ' \n' ' ')"

if [[ $REFRESH == 0 && -s $ROOT/.packages && $(head -n1 "$ROOT/.packages") == "$WANT" ]]; then
	echo "sysroot $ARCH: cached ($(($(wc -l <"$ROOT/.packages") - 1)) packages)"
	exit 0
fi

apt_state "$STATE" "$SUITES"
# The install apt would do on an empty system: every package and version.
mkdir -p "$CACHE/sysroot"
status=$CACHE/apt/$STATE/empty-status
: >"$status"
# shellcheck disable=SC2046,SC2086
sim=$(apt-get $(apt_opts "$STATE") -o Dir::State::status="$status" \
	-o Dir::State::extended_states="$CACHE/apt/$STATE/extended_states" \
	-o APT::Install-Recommends=false -o APT::Install-Suggests=false \
	-s install $BUILD_PKGS $VM_PKGS 2>&1) ||
	die "cannot resolve the $ARCH packages in '$SUITES': $(grep -m1 '^E:' <<<"$sim" || tail -n1 <<<"$sim")"
pkgs=$(sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' <<<"$sim" | LC_ALL=C sort)
[[ -n $pkgs ]] || die "apt resolved no package for '$BUILD_PKGS $VM_PKGS'"
if [[ -s $ROOT/.packages && $(cat "$ROOT/.packages") == "$WANT"$'\n'"$pkgs" ]]; then
	echo "sysroot $ARCH: up to date ($(wc -l <<<"$pkgs") packages)"
	exit 0
fi

echo "sysroot $ARCH: downloading $(wc -l <<<"$pkgs") packages"
tmp=$(mktemp -d "$CACHE/sysroot/.$ARCH.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/debs" "$tmp/root"
# apt-get download checks each package against the signed index's hash.
# shellcheck disable=SC2046,SC2086
(cd "$tmp/debs" && apt-get $(apt_opts "$STATE") download $pkgs >../download.log 2>&1) ||
	die "download failed: $(grep -m1 -E '^(E|Err):' "$tmp/download.log" || tail -n1 "$tmp/download.log")"
: >"$tmp/owners"
for deb in "$tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root" || die "cannot extract $(basename "$deb")"
	read -r name version < <(dpkg-deb -f "$deb" Package Version | cut -d' ' -f2 | paste -sd' ')
	dpkg-deb -c "$deb" | awk -v p="$name" -v v="$version" \
		'{ f = $6; sub(/^\./, "", f) } f ~ /\/lib\/.*\.so(\.[0-9]+)*$/ { print f, p, v }' \
		>>"$tmp/owners"
done
# Absolute symlinks (libz.so -> /lib/...) would point into the host.
while IFS= read -r l; do
	t=$(readlink "$l")
	ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp/root$t")" "$l"
done < <(find "$tmp/root" -type l -lname '/*')
[[ -e $tmp/root/usr/lib/$MULTIARCH/libbpf.so || -e $tmp/root/lib/$MULTIARCH/libbpf.so ]] ||
	die "no libbpf.so for $MULTIARCH in the extracted packages"
mv "$tmp/owners" "$tmp/root/.owners"
printf '%s\n%s\n' "$WANT" "$pkgs" >"$tmp/root/.packages.new"
rm -rf "$ROOT"
mv "$tmp/root" "$ROOT"
mv "$ROOT/.packages.new" "$ROOT/.packages"
echo "sysroot $ARCH: $ROOT ($(wc -l <<<"$pkgs") packages, $(du -sh "$ROOT" | cut -f1))"
