#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernels.sh [--refresh] [NAME...]: download Debian kernels for the VM tests.
#
# NAME is one of 5.10 6.1 6.12 sid (default: all). Each lands in
# ${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/kernels/NAME/:
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
NEED_CONFIG="CONFIG_BPF_SYSCALL CONFIG_DEBUG_INFO_BTF CONFIG_BPF_EVENTS CONFIG_KPROBES
CONFIG_UNIX98_PTYS CONFIG_SERIAL_8250_CONSOLE CONFIG_DEVTMPFS CONFIG_BLK_DEV_INITRD
CONFIG_RD_GZIP CONFIG_TMPFS CONFIG_UNIX CONFIG_INET CONFIG_NAMESPACES"

die() {
	echo "fetch-kernels: $*" >&2
	exit 1
}

# NAME -> "apt-state suites metapackage release-prefix"
kernel_spec() {
	case $1 in
	5.10) echo "bullseye bullseye,bullseye-security linux-image-amd64 5.10." ;;
	6.1) echo "bookworm bookworm,bookworm-security linux-image-amd64 6.1." ;;
	6.12) echo "bookworm bookworm,bookworm-security linux-image-6.12-amd64 6.12." ;;
	sid) echo "sid sid linux-image-amd64 -" ;;
	*) return 1 ;;
	esac
}

apt_opts() {
	local st=$CACHE/apt/$1
	echo "-q -o Dir::Etc::SourceList=$st/sources.list -o Dir::Etc::SourceParts=/dev/null" \
		"-o Dir::State::Lists=$st/lists -o Dir::Cache::archives=$st/archives" \
		"-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=" \
		"-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null" \
		"-o APT::Sandbox::User=$(id -un)"
}

# Private apt state for one set of suites, updated at most once per run.
declare -A UPDATED=()
apt_state() {
	local st=$CACHE/apt/$1 suites=$2 s
	[[ -n ${UPDATED[$1]:-} ]] && return 0
	mkdir -p "$st/lists/partial" "$st/archives/partial"
	: >"$st/sources.list.new"
	for s in ${suites//,/ }; do
		if [[ $s == *-security ]]; then
			echo "deb [signed-by=$KEYRING] $SECURITY_MIRROR $s main"
		else
			echo "deb [signed-by=$KEYRING] $MIRROR $s main"
		fi >>"$st/sources.list.new"
	done
	mv "$st/sources.list.new" "$st/sources.list"
	# shellcheck disable=SC2046
	if ! apt-get $(apt_opts "$1") update >"$st/update.log" 2>&1; then
		die "apt-get update failed for suites '$suites':" \
			"$(grep -m1 -E '^(E|W|Err):' "$st/update.log" || tail -n1 "$st/update.log")"
	fi
	if grep -qE '^(W|E): ' "$st/update.log"; then
		die "suites '$suites' not fully reachable: $(grep -m1 -E '^(W|E): ' "$st/update.log")"
	fi
	UPDATED[$1]=1
}

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
	# same vmlinuz bits for our purpose (no secure boot under QEMU).
	for p in "$img" "$img-unsigned" ""; do
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

cache_ok() {
	local dir=$1
	[[ -f $dir/SHA256SUMS && -s $dir/vmlinuz && -s $dir/release ]] || return 1
	# Made for another module list: fetch again.
	[[ $(cat "$dir/need_modules" 2>/dev/null) == "$NEED_MODULES" ]] || return 1
	(cd "$dir" && sha256sum --quiet --strict -c SHA256SUMS >/dev/null 2>&1)
}

check_config() {
	local name=$1 cfg=$2 opt missing=""
	for opt in $NEED_CONFIG; do
		grep -q "^$opt=y" "$cfg" || missing+=" $opt"
	done
	[[ -z $missing ]] || die "kernel $name lacks built-in:$missing (add to NEED_MODULES?)"
}

fetch_one() {
	local name=$1 spec state suites meta prefix dir pkgs tmp deb rel f cfg
	spec=$(kernel_spec "$name") || die "unknown kernel name '$name' (known: $ALL_NAMES)"
	read -r state suites meta prefix <<<"$spec"
	dir=$CACHE/kernels/$name

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
	# shellcheck disable=SC2046,SC2086
	(cd "$tmp" && apt-get $(apt_opts "$state") download $pkgs >download.log 2>&1) ||
		die "download of $pkgs failed: $(tail -n1 "$tmp/download.log")"
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
names=()
for a in "$@"; do
	case $a in
	--refresh) REFRESH=1 ;;
	-h | --help)
		sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	-*) die "unknown option '$a'" ;;
	*) names+=("$a") ;;
	esac
done
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
