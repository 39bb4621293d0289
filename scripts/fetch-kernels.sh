#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernels.sh [--refresh] [--arch x86|arm64] [NAME...]: download Debian kernels
# for the VM tests.
#
# NAME is one of 5.10 6.1 6.12 sid (default: all). --arch picks Debian's amd64
# (x86, the default) or arm64 kernels. Each lands in
# ${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/kernels/NAME/ (x86) or kernels/arm64-NAME/:
#   vmlinuz  config  release (uname -r)  package (name=version)  modules/ (only
#   the .ko files listed in NEED_MODULES, if any are modules in that kernel)
#   need_modules  SHA256SUMS (written last: a kernel without it, or whose files do not match
#   it, is fetched again).
# A cached kernel is used as is, without network; --refresh re-resolves the
# package and downloads it only if the version changed.
#
# Package names are resolved at run time from each suite's metapackage, through
# a private apt state under the cache dir: the machine's /etc/apt is never
# read for sources nor modified.
set -euo pipefail

CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
MIRROR=${TTYIDLE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${TTYIDLE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
ALL_NAMES="5.10 6.1 6.12 sid"

# Kernel features the tests need that Debian may build as modules; the VM's
# /init loads whatever of these is present in /lib/modules. Empty today: every
# Debian config checked (5.10 .. 7.x) has BPF, BTF, devpts, 8250 console,
# tmpfs, unix and inet sockets built in.
NEED_MODULES=""

# Config options that must be =y; checked after download so that a kernel that
# cannot run the tests fails here with its name rather than in a silent VM.
# The console is the 8250 UART on x86 (ttyS0) and the PL011 of QEMU's virt
# machine on arm64 (ttyAMA0).
NEED_CONFIG="CONFIG_BPF_SYSCALL CONFIG_DEBUG_INFO_BTF CONFIG_BPF_EVENTS CONFIG_KPROBES
CONFIG_UNIX98_PTYS CONFIG_DEVTMPFS CONFIG_BLK_DEV_INITRD
CONFIG_RD_GZIP CONFIG_TMPFS CONFIG_UNIX CONFIG_INET CONFIG_NAMESPACES"
NEED_CONFIG_x86="CONFIG_SERIAL_8250_CONSOLE"
NEED_CONFIG_arm64="CONFIG_SERIAL_AMBA_PL011_CONSOLE"

die() {
	echo "fetch-kernels: $*" >&2
	exit 1
}

# NAME -> "apt-state suites metapackage release-prefix", for $DEB_ARCH. The
# x86 apt states keep their old names (bookworm, ...), arm64's get a suffix.
kernel_spec() {
	local a=$DEB_ARCH sfx=""
	[[ $a == amd64 ]] || sfx=-$a
	case $1 in
	5.10) echo "bullseye$sfx bullseye,bullseye-security linux-image-$a 5.10." ;;
	6.1) echo "bookworm$sfx bookworm,bookworm-security linux-image-$a 6.1." ;;
	6.12) echo "bookworm$sfx bookworm,bookworm-security linux-image-6.12-$a 6.12." ;;
	sid) echo "sid$sfx sid linux-image-$a -" ;;
	*) return 1 ;;
	esac
}

# The cache directory of kernel NAME for $ARCH.
kernel_dir() {
	if [[ $ARCH == x86 ]]; then
		echo "$CACHE/kernels/$1"
	else
		echo "$CACHE/kernels/$ARCH-$1"
	fi
}

# apt_opts, apt_state: the private apt state (DEB_ARCH given, the host's
# dpkg architectures do not matter).
# shellcheck source=scripts/apt-private.inc
. "$(dirname "$0")/apt-private.inc"

candidate() {
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$1") policy "$2" 2>/dev/null | sed -n 's/^ *Candidate: //p' |
		grep -v '^(none)$' || true
}

# First alternative of each Depends entry of the candidate of $2.
depends() {
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$1") show --no-all-versions "$2" 2>/dev/null |
		sed -n 's/^Depends: //p' | tr ',' '\n' | sed -n 's/^ *\([^ |]*\).*/\1/p'
}

# Print "package=version" for each package holding the kernel behind
# metapackage $2: the image package, and, since Debian split it (7.x), the
# linux-binary-* (vmlinuz) and linux-base-* (config) packages it depends on.
resolve() {
	local state=$1 meta=$2 img="" ver p
	img=$(depends "$state" "$meta" | grep -m1 '^linux-image-' || true)
	[[ -n $img ]] || die "cannot resolve metapackage $meta in suites of '$state'"
	# The metapackage points at the signed image; the unsigned one has the
	# same vmlinuz bits for our purpose (no secure boot under QEMU). On arm64
	# the unsigned one comes first: the mirror's signed 5.10 arm64 image was
	# seen listed in the index but missing from the pool.
	local order="$img $img-unsigned"
	[[ $DEB_ARCH == amd64 ]] || order="$img-unsigned $img"
	for p in $order ""; do
		[[ -n $p ]] || die "no downloadable package for $img (from $meta, suites '$state')"
		ver=$(candidate "$state" "$p")
		[[ -z $ver ]] || break
	done
	echo "$p=$ver"
	for p in $(depends "$state" "$p" | grep -E '^linux-(binary|base)-'); do
		ver=$(candidate "$state" "$p")
		[[ -n $ver ]] || die "no downloadable package for $p (suites '$state')"
		echo "$p=$ver"
	done
	if [[ -n $NEED_MODULES ]]; then
		for p in $(depends "$state" "$img" | grep -E '^linux-modules-'); do
			echo "$p=$(candidate "$state" "$p")"
		done
	fi
}

# download STATE PKGS DIR: the packages' .deb files into DIR (log: DIR/download.log).
download() {
	# shellcheck disable=SC2046,SC2086
	(cd "$3" && apt-get $(apt_opts "$1") download $2 >download.log 2>&1)
}

cache_ok() {
	local dir=$1
	[[ -f $dir/SHA256SUMS && -s $dir/vmlinuz && -s $dir/release ]] || return 1
	# Made for another module list: fetch again.
	[[ $(cat "$dir/need_modules" 2>/dev/null) == "$NEED_MODULES" ]] || return 1
	(cd "$dir" && sha256sum --quiet --strict -c SHA256SUMS >/dev/null 2>&1)
}

check_config() {
	local name=$1 cfg=$2 opt missing=""
	local arch_opts=NEED_CONFIG_$ARCH
	for opt in $NEED_CONFIG ${!arch_opts}; do
		grep -q "^$opt=y" "$cfg" || missing+=" $opt"
	done
	[[ -z $missing ]] || die "$ARCH kernel $name lacks built-in:$missing (add to NEED_MODULES?)"
}

fetch_one() {
	local name=$1 spec state suites meta prefix dir pkgs tmp deb rel f cfg
	spec=$(kernel_spec "$name") || die "unknown kernel name '$name' (known: $ALL_NAMES)"
	read -r state suites meta prefix <<<"$spec"
	dir=$(kernel_dir "$name")
	[[ $ARCH == x86 ]] || name=$ARCH-$name # in messages

	if cache_ok "$dir" && [[ $REFRESH == 0 ]]; then
		echo "kernel $name: cached $(cat "$dir/release")"
		return 0
	fi
	apt_state "$state" "$suites"
	pkgs=$(resolve "$state" "$meta") || exit 1
	pkgs=${pkgs//$'\n'/ }
	if cache_ok "$dir" && [[ $(cat "$dir/package" 2>/dev/null) == "$pkgs" ]]; then
		echo "kernel $name: up to date $(cat "$dir/release")"
		return 0
	fi

	echo "kernel $name: downloading $pkgs"
	tmp=$(mktemp -d "$CACHE/kernels/.$name.XXXXXX")
	TMP_DIR=$tmp
	trap 'rm -rf "$TMP_DIR"' EXIT
	mkdir "$tmp/x" "$tmp/out"
	# apt-get download checks each package against the signed index's hash.
	if ! download "$state" "$pkgs" "$tmp" && [[ $suites == *-security* ]]; then
		# Seen on a mirror: bullseye-security's arm64 kernel listed in the
		# signed index but absent from the pool (404). The suite's own
		# kernel is of the same series: say so and use it.
		echo "kernel $name: $(tail -n1 "$tmp/download.log");" \
			"trying ${suites%%,*} without its security suite"
		suites=${suites%%,*} state=$state-nosec
		apt_state "$state" "$suites"
		pkgs=$(resolve "$state" "$meta") || exit 1
		pkgs=${pkgs//$'\n'/ }
		rm -f "$tmp"/*.deb
		echo "kernel $name: downloading $pkgs"
		download "$state" "$pkgs" "$tmp"
	fi || die "download of $pkgs failed: $(tail -n1 "$tmp/download.log")"
	for deb in "$tmp"/*.deb; do
		if [[ -n $NEED_MODULES ]]; then
			dpkg-deb -x "$deb" "$tmp/x"
		else
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" --exclude='*.ko*'
		fi
	done
	# Up to 6.x: /boot/vmlinuz-REL and /boot/config-REL; from 7.x:
	# /usr/lib/modules/REL/{vmlinuz,config}.
	f=$(find "$tmp/x" -path '*/boot/vmlinuz-*' -o -path '*/lib/modules/*/vmlinuz' | head -n1)
	[[ -n $f ]] || die "no vmlinuz in $pkgs"
	if [[ $f == */boot/vmlinuz-* ]]; then
		rel=${f##*/vmlinuz-}
		cfg=${f%/*}/config-$rel
	else
		rel=$(basename "$(dirname "$f")")
		cfg=${f%/*}/config
	fi
	[[ $prefix == - || $rel == "$prefix"* ]] ||
		die "kernel $name resolved to release $rel, expected $prefix*"
	[[ -f $cfg ]] || die "no kernel config for $rel in $pkgs"
	cp "$f" "$tmp/out/vmlinuz"
	cp "$cfg" "$tmp/out/config"
	check_config "$name" "$tmp/out/config"
	if [[ -n $NEED_MODULES ]]; then
		extract_modules "$tmp" "$rel" || die "kernel $name: module extraction failed"
	fi
	echo "$rel" >"$tmp/out/release"
	echo "$pkgs" >"$tmp/out/package"
	echo "$NEED_MODULES" >"$tmp/out/need_modules"
	(cd "$tmp/out" && find . -type f -printf '%P\n' | sort | xargs sha256sum >"$tmp/sums") &&
		mv "$tmp/sums" "$tmp/out/SHA256SUMS"
	rm -rf "$dir"
	mv "$tmp/out" "$dir"
	rm -rf "$tmp"
	trap - EXIT
	echo "kernel $name: $rel"
}

# Copy NEED_MODULES (by module name) and what they depend on, decompressed,
# from the packages extracted in $1/x into $1/out/modules/, with a load-order
# file `order` (dependencies first) for the VM's /init.
extract_modules() {
	local tmp=$1 rel=$2 base mdir f n m
	for base in "$tmp/x" "$tmp/x/usr"; do
		mdir=$base/lib/modules/$rel
		[[ -d $mdir/kernel ]] && break
	done
	[[ -d $mdir/kernel ]] || { echo "no modules for $rel in the packages" >&2; return 1; }
	declare -gA KO=()
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		KO[${n//-/_}]=$f
	done < <(find "$mdir/kernel" -name '*.ko*')
	mkdir -p "$tmp/out/modules"
	SEEN=""
	for m in $NEED_MODULES; do
		add_module "${m//-/_}" "$mdir" "$tmp/out/modules" || return 1
	done
}

# add_module NAME MODDIR OUTDIR: its dependencies first, then itself. The
# packages ship no modules.dep (their postinst runs depmod), so dependencies
# come from the module's own .modinfo "depends=" string.
add_module() {
	local n=$1 f out=$3/$1.ko d
	[[ " $SEEN " == *" $n "* ]] && return 0
	SEEN+=" $n"
	f=${KO[$n]:-}
	if [[ -z $f ]]; then
		grep -qE "/${n//_/[_-]}\.ko$" "$2/modules.builtin" 2>/dev/null && return 0
		echo "module $n not found" >&2
		return 1
	fi
	case $f in
	*.xz) xz -dc "$f" >"$out" ;;
	*.zst) zstd -qdc "$f" >"$out" ;;
	*.gz) gzip -dc "$f" >"$out" ;;
	*) cp "$f" "$out" ;;
	esac || return 1
	for d in $(tr '\0' '\n' <"$out" | sed -n 's/^depends=//p' | tr ',' ' '); do
		add_module "${d//-/_}" "$2" "$3" || return 1
	done
	echo "$n.ko" >>"$3/order"
}

REFRESH=0
ARCH=x86
names=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--refresh) REFRESH=1 ;;
	--arch) ARCH=${2:-}; [[ $# -ge 2 ]] || die "--arch needs x86 or arm64"; shift ;;
	--arch=*) ARCH=${1#--arch=} ;;
	-h | --help)
		sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option '$1'" ;;
	*) names+=("$1") ;;
	esac
	shift
done
case $ARCH in
x86 | amd64 | x86_64) ARCH=x86 DEB_ARCH=amd64 ;;
arm64 | aarch64) ARCH=arm64 DEB_ARCH=arm64 ;;
*) die "unknown --arch '$ARCH' (x86, arm64)" ;;
esac
[[ ${#names[@]} -gt 0 ]] || read -ra names <<<"$ALL_NAMES"
for n in "${names[@]}"; do
	kernel_spec "$n" >/dev/null || die "unknown kernel name '$n' (known: $ALL_NAMES)"
done
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
	die "needs apt-get and dpkg-deb (a Debian host)"
fi
[[ -r $KEYRING ]] || die "missing $KEYRING (apt-get install debian-archive-keyring)"
mkdir -p "$CACHE/kernels"
for n in "${names[@]}"; do
	fetch_one "$n"
done
