#!/bin/sh
# Regenerate vmlinux/<arch>/vmlinux.h from a kernel's BTF. One header serves
# every kernel through CO-RE; regenerate only to use types newer kernels add.
# Usage: scripts/gen-vmlinux.sh [--arch x86|arm64] [FILE]
#   FILE is raw BTF (default /sys/kernel/btf/vmlinux, the running kernel's),
#   an ELF vmlinux, or a kernel image of --arch (arm64: Debian's vmlinuz, an
#   Image, gzip'd or not, whose BTF blob is found by its header and cut out).
#   For an arch other than the host's, FILE is needed, e.g.
#   scripts/fetch-kernels.sh --arch arm64 sid &&
#   scripts/gen-vmlinux.sh --arch arm64 ~/.cache/ttyidle/kernels/arm64-sid/vmlinuz
# vmlinux/README keeps one line per arch saying where each header came from.
set -eu
die() { echo "gen-vmlinux: $*" >&2; exit 1; }
host=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
arch=$host
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || die "--arch needs x86 or arm64"; arch=$2; shift ;;
	--arch=*) arch=${1#--arch=} ;;
	-h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
case $arch in
x86 | x86_64 | amd64) arch=x86 ;;
arm64 | aarch64) arch=arm64 ;;
*) die "unknown --arch '$arch' (x86, arm64)" ;;
esac
[ $# -le 1 ] || die "one FILE at most (got $#)"
if [ $# = 0 ]; then
	[ "$arch" = "$host" ] ||
		die "--arch $arch is not the host's ($host): give its kernel image as FILE"
	btf=/sys/kernel/btf/vmlinux
else
	btf=$1
fi
given=$btf
[ -r "$btf" ] || die "cannot read $btf"
command -v bpftool >/dev/null || die "bpftool not found (apt-get install bpftool)"
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

magic=$(od -An -tx1 -N4 "$btf" | tr -d ' \n')
src=$btf
case $magic in
9feb01*) ;; # raw BTF
7f454c46) ;; # ELF vmlinux: bpftool reads its .BTF section
*)
	img=$btf
	if [ "${magic%????}" = 1f8b ]; then
		gzip -dc "$btf" >"$tmp/Image" || die "$btf: gzip data that does not decompress"
		img=$tmp/Image
	fi
	# arm64 Image header: "ARM\x64" at 0x38.
	if [ "$(od -An -tx1 -j56 -N4 "$img" | tr -d ' \n')" != 41524d64 ]; then
		die "$btf: neither BTF, ELF, nor an arm64 Image (x86 bzImage: use an ELF vmlinux or raw BTF)"
	fi
	[ "$arch" = arm64 ] || die "$btf is an arm64 Image, not a $arch kernel"
	# The BTF blob: magic 0xeB9F (little endian), version 1, flags 0,
	# hdr_len 24, type_off 0; then type_len, str_off (== type_len), str_len.
	found=""
	for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00\x00\x00\x00\x00' "$img" |
		cut -d: -f1); do
		# shellcheck disable=SC2046
		set -- $(od -An -tu4 -j $((off + 12)) -N12 "$img")
		[ $# = 3 ] && [ "$1" = "$2" ] && [ "$1" -gt 0 ] && [ "$3" -gt 0 ] || continue
		[ -z "$found" ] || die "$btf: more than one BTF header (at $found and $off)"
		found=$off
		size=$((24 + $2 + $3))
	done
	[ -n "$found" ] || die "$btf: no BTF blob found (kernel built without CONFIG_DEBUG_INFO_BTF?)"
	tail -c +$((found + 1)) "$img" | head -c "$size" >"$tmp/btf"
	src="$btf (BTF at offset $found of the Image, $size bytes)"
	btf=$tmp/btf
	;;
esac

mkdir -p "$top/vmlinux/$arch"
bpftool btf dump file "$btf" format c >"$top/vmlinux/$arch/vmlinux.h.tmp" ||
	die "bpftool could not dump the BTF of $src"
mv "$top/vmlinux/$arch/vmlinux.h.tmp" "$top/vmlinux/$arch/vmlinux.h"

# Where it came from: a kernel from scripts/fetch-kernels.sh has its package
# and release beside it; else the running kernel.
dir=$(dirname "$given")
if [ "$given" != /sys/kernel/btf/vmlinux ] && [ -f "$dir/package" ] && [ -f "$dir/release" ]; then
	from="Debian package $(cat "$dir/package") ($(cat "$dir/release"))"
	src="its vmlinuz${src#"$given"}"
elif [ "$src" = /sys/kernel/btf/vmlinux ]; then
	from="Linux $(uname -r) ($(uname -m))"
else
	from="a file given by hand"
fi
line="$arch vmlinux.h: bpftool btf dump of $src from $from; regenerate with scripts/gen-vmlinux.sh"
{
	grep -v "^$arch vmlinux.h: " "$top/vmlinux/README" 2>/dev/null || true
	echo "$line"
} | sort >"$top/vmlinux/README.tmp"
mv "$top/vmlinux/README.tmp" "$top/vmlinux/README"
echo "gen-vmlinux: $line"
