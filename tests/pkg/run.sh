#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packaging checks: the man pages lint clean, `make install`/`make uninstall`
# put and remove exactly the expected files, the unit passes
# systemd-analyze, the version follows `git describe` (and falls back in a
# clone without tags), scripts/build-deb.sh builds the .deb and its -dbgsym
# through dpkg-buildpackage and lintian --pedantic finds nothing, the .deb
# has the expected contents and control data, and (as root, on a host where
# systemd is not running and ttyidle is not installed) a real dpkg install,
# two upgrades (pins of another layout removed, pins of this one kept),
# remove and purge leave the system as it was. Ends with "pkg: N passed, N
# failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
OUT=${OUT:-build}
pass=0 fail=0 skipped=0
tmp=$(mktemp -d)
installed_here="" nspid=""
cleanup() {
	# never leave the package installed, even when stopped half way
	if [ -n "$installed_here" ] && [ -n "$nspid" ] && dpkg-query -W ttyidle >/dev/null 2>&1; then
		ns dpkg --purge ttyidle >/dev/null 2>&1
	fi
	[ -z "$nspid" ] || kill "$nspid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# output into a closed pipe (| head) must not stop us between install and purge
trap '' PIPE

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/       /'; }
skip() { skipped=$((skipped + 1)); echo "skip $1"; }
# check NAME COMMAND...: passes when the command succeeds; shows its output if not
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
# same_text NAME EXPECTED ACTUAL
same_text() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected:" "$2" "got:" "$3"; fi
}
# Files, links and directories under $1, relative, one per line, with a type mark.
tree() {
	(cd "$1" && find . -mindepth 1 \( -type d -printf '%P/\n' \) -o -printf '%P\n' | LC_ALL=C sort)
}

unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
unitdir=${unitdir:-/lib/systemd/system}
unitdir=${unitdir#/}

# ---- man pages ---------------------------------------------------------------
if command -v mandoc >/dev/null; then
	check man-lint make -s man-lint
else
	skip "man-lint: mandoc not installed"
fi

# ---- make install / uninstall ------------------------------------------------
d=$tmp/usr-prefix
make -s install DESTDIR="$d" PREFIX=/usr >"$tmp/install.out" 2>&1 ||
	bad "install-runs" "$(cat "$tmp/install.out")"
want="etc/
etc/ttyidle.conf
etc/ttyidle.conf.d/
$(echo "$unitdir" | awk -F/ '{p=""; for (i = 1; i <= NF; i++) {p = p $i "/"; print p}}')
$unitdir/ttyidle.service
usr/
usr/lib/
usr/lib/systemd/
usr/lib/systemd/catalog/
usr/lib/systemd/catalog/ttyidle.catalog
usr/sbin/
usr/sbin/ttyidle
usr/share/
usr/share/man/
usr/share/man/man5/
usr/share/man/man5/ttyidle.conf.5
usr/share/man/man8/
usr/share/man/man8/ttyidle.8"
same_text install-layout "$(echo "$want" | LC_ALL=C sort -u)" "$(tree "$d")"
same_text install-modes "755 644 644 644 644" \
	"$(stat -c %a "$d/usr/sbin/ttyidle" "$d/etc/ttyidle.conf" "$d/$unitdir/ttyidle.service" \
		"$d/usr/share/man/man8/ttyidle.8" "$d/usr/share/man/man5/ttyidle.conf.5" | paste -sd' ')"
check install-binary-is-the-build cmp "$OUT/ttyidle" "$d/usr/sbin/ttyidle"
check install-config-is-the-sample cmp scripts/ttyidle.conf "$d/etc/ttyidle.conf"
same_text install-unit-execstart 'ExecStart=/usr/sbin/ttyidle run $TTYIDLE_OPTIONS' \
	"$(grep '^ExecStart=' "$d/$unitdir/ttyidle.service")"

# the same installed twice is fine, and keeps the (edited) configuration
echo "# edited" >>"$d/etc/ttyidle.conf"
cp "$d/etc/ttyidle.conf" "$tmp/edited.conf"
make -s install DESTDIR="$d" PREFIX=/usr >"$tmp/install2.out" 2>&1
if cmp -s "$tmp/edited.conf" "$d/etc/ttyidle.conf" && grep -q 'KEEP .*ttyidle.conf' "$tmp/install2.out"; then
	ok install-keeps-existing-config
else
	bad install-keeps-existing-config "$(cat "$tmp/install2.out")"
fi

# uninstall: an edited configuration and a non-empty drop-in directory stay
touch "$d/etc/ttyidle.conf.d/10-local.conf"
make -s uninstall DESTDIR="$d" PREFIX=/usr >"$tmp/uninstall.out" 2>&1
same_text uninstall-keeps-edited-config "etc/ttyidle.conf
etc/ttyidle.conf.d/10-local.conf" "$(cd "$d" && find . -type f -printf '%P\n' | LC_ALL=C sort)"
grep -q 'KEEP .*ttyidle.conf (edited' "$tmp/uninstall.out" && ok uninstall-says-what-it-keeps ||
	bad uninstall-says-what-it-keeps "$(cat "$tmp/uninstall.out")"

# uninstall right after install leaves no file and no drop-in directory
d=$tmp/clean
make -s install DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
make -s uninstall DESTDIR="$d" PREFIX=/usr >"$tmp/uninstall2.out" 2>&1
same_text uninstall-leaves-no-file "" "$(cd "$d" && find . ! -type d)"
[ ! -e "$d/etc/ttyidle.conf.d" ] && ok uninstall-removes-empty-dropin-dir ||
	bad uninstall-removes-empty-dropin-dir

# default PREFIX: /usr/local, but the configuration still in /etc
d=$tmp/local
make -s install DESTDIR="$d" >/dev/null 2>&1
if [ -x "$d/usr/local/sbin/ttyidle" ] && [ -f "$d/usr/local/share/man/man8/ttyidle.8" ] &&
	[ -f "$d/etc/ttyidle.conf" ] &&
	grep -qx 'ExecStart=/usr/local/sbin/ttyidle run $TTYIDLE_OPTIONS' "$d/$unitdir/ttyidle.service" &&
	grep -qx 'ExecReload=/usr/local/sbin/ttyidle run --check $TTYIDLE_OPTIONS' "$d/$unitdir/ttyidle.service"; then
	ok install-default-prefix
else
	bad install-default-prefix "$(tree "$d")"
fi
out=$(make -s install DESTDIR="$tmp/bad" sysconfdir=/usr/local/etc 2>&1)
if [ $? -ne 0 ] && [[ $out == *"ttyidle reads /etc/ttyidle.conf"* ]] && [ ! -e "$tmp/bad" ]; then
	ok install-refuses-other-sysconfdir
else
	bad install-refuses-other-sysconfdir "$out"
fi

# ---- the unit ----------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	d=$tmp/usr-prefix
	make -s install DESTDIR="$d" PREFIX=/usr >/dev/null 2>&1
	mkdir -p "$tmp/unit"
	# verify checks that ExecStart= (and ExecReload=) exist, and that Documentation= man pages do
	sed "s|^\(Exec[A-Za-z]*\)=/usr/sbin/ttyidle|\1=$d/usr/sbin/ttyidle|" \
		"$d/$unitdir/ttyidle.service" >"$tmp/unit/ttyidle.service"
	out=$(MANPATH="$d/usr/share/man" systemd-analyze verify "$tmp/unit/ttyidle.service" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then ok unit-verify; else bad unit-verify "$out"; fi
	out=$(systemd-analyze security --offline=yes --threshold=30 "$tmp/unit/ttyidle.service" 2>&1)
	rc=$?
	level=$(echo "$out" | sed -n 's/.*Overall exposure level for ttyidle.service: \([0-9.]*\).*/\1/p')
	if [ $rc -eq 0 ] && [ -n "$level" ]; then
		ok "unit-security: exposure $level (at most 3.0)"
	else
		bad unit-security "$(echo "$out" | grep -E '✗|Overall')"
	fi
else
	skip "unit-verify: systemd-analyze not installed (apt-get install systemd)"
fi

# ---- version -----------------------------------------------------------------
# scripts/version.sh: the package's version and `ttyidle --version`'s
ver_re='^[0-9]+\.[0-9]+\.[0-9]+(\+git[0-9]+\.g[0-9a-f]+)?(\+dirty)?$'
version=$(scripts/version.sh 2>/dev/null)
if [[ $version =~ $ver_re ]]; then ok "version: $version"; else bad version "'$version' does not match $ver_re"; fi
# a clone without tags falls back to 0.0.0+gitN.gHASH, and says so
if git rev-parse --git-dir >/dev/null 2>&1; then
	git clone -q --no-tags --no-local "$top" "$tmp/notags" 2>/dev/null
	v=$("$tmp/notags/scripts/version.sh" 2>"$tmp/notags.err")
	want="0.0.0+git$(git -C "$tmp/notags" rev-list --count HEAD).g$(git -C "$tmp/notags" rev-parse --short HEAD)"
	if [ "$v" = "$want" ] && grep -q 'no v\* tag' "$tmp/notags.err"; then
		ok "version-without-tags: $v"
	else
		bad version-without-tags "expected $want, got '$v'" "$(cat "$tmp/notags.err")"
	fi
	rm -rf "$tmp/notags"
fi

# ---- the journal catalog -------------------------------------------------------
# systemd's own parser reads the installed catalog, and every MESSAGE_ID the
# daemon sends (user/daemon/audit.c) has its entry
if command -v journalctl >/dev/null; then
	d=$tmp/usr-prefix
	ids=$(grep -o '"[0-9a-f]\{32\}"' user/daemon/audit.c | tr -d '"' | LC_ALL=C sort)
	if out=$(journalctl --root="$d" --update-catalog 2>&1) &&
		out=$(journalctl --root="$d" --list-catalog 2>&1); then
		listed=$(echo "$out" | awk '$2 == "ttyidle:" {print $1}' | LC_ALL=C sort)
		[ "$(echo "$ids" | grep -c .)" -ge 6 ] && same_text catalog-has-every-message-id "$ids" "$listed" ||
			bad catalog-has-every-message-id "no MESSAGE_IDs found in user/daemon/audit.c"
	else
		bad catalog-parses "$out"
	fi
	rm -rf "$d/var"
else
	skip "catalog: journalctl not installed"
fi

# ---- the .deb ----------------------------------------------------------------
rm -f "$OUT"/ttyidle_*.deb "$OUT"/ttyidle-dbgsym_*.deb
t0=$(date +%s)
if OUT=$OUT scripts/build-deb.sh >"$tmp/deb.out" 2>&1; then
	ok "build-deb: dpkg-buildpackage $(($(date +%s) - t0)) s$(command -v lintian >/dev/null && echo ', lintian --pedantic clean')"
else
	bad build-deb "$(tail -n 30 "$tmp/deb.out")"
fi
arch=$(dpkg --print-architecture)
deb=$(ls "$OUT"/ttyidle_*_"$arch".deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	bad deb-exists
	echo "pkg: $pass passed, $fail failed"
	exit 1
fi
ver=$(dpkg-deb -f "$deb" Version)
same_text deb-version-is-git-describe "$version" "$ver"
same_text deb-file-name "$OUT/ttyidle_${ver}_${arch}.deb" "$deb"
same_text deb-control-basics "ttyidle $arch admin optional bpftool" \
	"$(dpkg-deb -f "$deb" Package Architecture Section Priority Suggests | sed 's/^[^:]*: //' | paste -sd' ')"
changes=$OUT/deb-src/ttyidle_${ver}_${arch}.changes
check deb-built-by-dpkg-buildpackage sh -c "[ -s '$changes' ] && [ -s '$OUT/deb-src/ttyidle_${ver}_${arch}.buildinfo' ] &&
	grep -q 'dh_installsystemd' '$OUT/deb-src/build.log'"

contents=$(dpkg-deb -c "$deb")
news=""
grep -q '^ttyidle (' "$OUT/deb-src/ttyidle-$ver/debian/NEWS" 2>/dev/null &&
	news="./usr/share/doc/ttyidle/NEWS.Debian.gz"
want="./
./etc/
./etc/ttyidle.conf
./etc/ttyidle.conf.d/
$(echo "$unitdir" | awk -F/ '{p="./"; for (i = 1; i <= NF; i++) {p = p $i "/"; print p}}')
./$unitdir/ttyidle.service
./usr/
./usr/lib/
./usr/lib/systemd/
./usr/lib/systemd/catalog/
./usr/lib/systemd/catalog/ttyidle.catalog
./usr/sbin/
./usr/sbin/ttyidle
./usr/share/
./usr/share/doc/
./usr/share/doc/ttyidle/
./usr/share/doc/ttyidle/README.Debian
./usr/share/doc/ttyidle/changelog.gz
./usr/share/doc/ttyidle/copyright
$news
./usr/share/lintian/
./usr/share/lintian/overrides/
./usr/share/lintian/overrides/ttyidle
./usr/share/man/
./usr/share/man/man5/
./usr/share/man/man5/ttyidle.conf.5.gz
./usr/share/man/man8/
./usr/share/man/man8/ttyidle.8.gz"
same_text deb-contents "$(echo "$want" | grep -v '^$' | LC_ALL=C sort -u)" \
	"$(echo "$contents" | awk '{print $6}' | LC_ALL=C sort)"
same_text deb-owned-by-root "" "$(echo "$contents" | awk '$2 != "root/root"')"
same_text deb-modes "" "$(echo "$contents" | awk '
	$6 ~ /\/$/ { if ($1 != "drwxr-xr-x") print; next }
	$6 == "./usr/sbin/ttyidle" { if ($1 != "-rwxr-xr-x") print; next }
	{ if ($1 != "-rw-r--r--") print }')"

x=$tmp/x
mkdir -p "$x"
dpkg-deb -R "$deb" "$x"
same_text deb-conffiles "/etc/ttyidle.conf" "$(cat "$x/DEBIAN/conffiles")"
check deb-md5sums sh -c "cd '$x' && md5sum --quiet -c DEBIAN/md5sums"
# dh_md5sums leaves the conffiles out: dpkg keeps their sums itself
same_text deb-md5sums-cover-every-file "$(cd "$x" && find . -type f ! -path './DEBIAN/*' ! -path ./etc/ttyidle.conf -printf '%P\n' | LC_ALL=C sort)" \
	"$(awk '{print $2}' "$x/DEBIAN/md5sums" | LC_ALL=C sort)"
for s in postinst prerm postrm; do
	check "deb-$s-syntax" sh -n "$x/DEBIAN/$s"
done
check deb-binary-stripped sh -c "! readelf -S '$x/usr/sbin/ttyidle' | grep -Eq '\.symtab|\.debug_'"
check deb-binary-hardened sh -c "readelf -d '$x/usr/sbin/ttyidle' | grep -q 'BIND_NOW' &&
	readelf -lW '$x/usr/sbin/ttyidle' | grep -q GNU_RELRO &&
	readelf -h '$x/usr/sbin/ttyidle' | grep -q 'DYN (Position-Independent' &&
	readelf -sW --dyn-syms '$x/usr/sbin/ttyidle' | grep -q '__stack_chk_fail' &&
	readelf -sW --dyn-syms '$x/usr/sbin/ttyidle' | grep -q '_chk@'"
# the debug symbols: a -dbgsym package holding the binary's build-id file
dbg="$OUT/ttyidle-dbgsym_${ver}_${arch}.deb"
bid=$(readelf -n "$x/usr/sbin/ttyidle" | sed -n 's/.*Build ID: *//p')
dpkg-deb -c "$dbg" >"$tmp/dbgsym.list" 2>&1
if [ -f "$dbg" ] && [ -n "$bid" ] &&
	grep -q "usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug$" "$tmp/dbgsym.list"; then
	ok "deb-dbgsym: $(basename "$dbg") has the debug file of build id $bid"
else
	bad deb-dbgsym "no $dbg with usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug" "$(ls "$OUT")"
fi
check deb-man-gzip gzip -t "$x/usr/share/man/man8/ttyidle.8.gz" "$x/usr/share/man/man5/ttyidle.conf.5.gz"
check deb-man-is-ours sh -c "zcat '$x/usr/share/man/man8/ttyidle.8.gz' | cmp - scripts/man/ttyidle.8"
check deb-config-is-the-sample cmp scripts/ttyidle.conf "$x/etc/ttyidle.conf"
check deb-copyright-dep5 sh -c "head -n 1 '$x/usr/share/doc/ttyidle/copyright' |
	grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' &&
	grep -qx 'License: GPL-2' '$x/usr/share/doc/ttyidle/copyright'"
if command -v dpkg-parsechangelog >/dev/null; then
	zcat "$x/usr/share/doc/ttyidle/changelog.gz" >"$tmp/changelog"
	same_text deb-changelog-version "$ver" "$(dpkg-parsechangelog -l "$tmp/changelog" -S Version 2>&1)"
	# the releases' entries stay under a snapshot's (with the tags present)
	if [ "$ver" != "${ver%%+git*}" ] && [ -n "$news" ]; then
		check deb-changelog-keeps-releases grep -q '^ttyidle (0\.9\.0) ' "$tmp/changelog"
	fi
fi
# Depends: one package per library the binary needs
deps=$(dpkg-deb -f "$deb" Depends)
needed=$(objdump -p "$x/usr/sbin/ttyidle" | awk '/NEEDED/ {print $2}' | LC_ALL=C sort | paste -sd' ')
miss=""
for lib in $needed; do
	case $lib in
	libbpf.so.1) p=libbpf1 ;;
	libc.so.6) p=libc6 ;;
	libsystemd.so.0) p=libsystemd0 ;;
	libelf.so.1) p=libelf1 ;;
	libz.so.1) p=zlib1g ;;
	*) p="?$lib" ;;
	esac
	[[ ", $deps," == *", $p "* || ", $deps," == *", $p,"* ]] || miss="$miss $p"
done
if [ -z "$miss" ]; then ok "deb-depends: $deps"; else bad deb-depends "Depends: $deps" "NEEDED: $needed" "missing:$miss"; fi

# The maintainer scripts read and remove pins under /sys/fs/bpf/ttyidle: dpkg
# runs in a mount namespace with a bpffs of its own, so that the host's pins
# (a daemon on this host, another test) neither change the checks nor are
# touched. A process kept asleep there holds it; `ns CMD` runs CMD in it.
nspid=""
ns_start() {
	unshare -m --propagation private sh -c 'mount -t bpf bpf /sys/fs/bpf && echo ready && exec sleep 3600' \
		>"$tmp/ns.out" 2>&1 &
	nspid=$!
	local _
	for _ in $(seq 50); do
		grep -q ready "$tmp/ns.out" 2>/dev/null && return 0
		kill -0 "$nspid" 2>/dev/null || break
		sleep 0.1
	done
	nspid=""
	return 1
}
ns() { nsenter -t "$nspid" -m --wd="$PWD" -- "$@"; }

# The same package as a later version, for the upgrade checks: only the
# version differs, which is what the maintainer scripts see of an upgrade.
# repack VERSION: prints the .deb's path
repack() {
	local r=$tmp/repack-$1
	rm -rf "$r"
	cp -a "$x" "$r"
	sed -i "s/^Version: .*/Version: $1/" "$r/DEBIAN/control"
	dpkg-deb --root-owner-group -Zxz --build "$r" "$tmp/ttyidle_$1.deb" >/dev/null && echo "$tmp/ttyidle_$1.deb"
}
# Pins as a daemon leaves them. pins_of LAYOUT: the ctl map of this
# version's size with that layout number in it, and the other maps this
# version reads (empty: any map passes for them); pins_of old: a ctl map
# of another size, as an older layout had.
ctl_size=$(bpftool btf dump file "$OUT/ttyidle.bpf.o" format raw 2>/dev/null |
	sed -n "s/.*STRUCT 'ttyidle_ctl' size=\([0-9]*\).*/\1/p")
abi=$(sed -n 's/^#define TTYIDLE_ABI \([0-9]*\).*/\1/p' bpf/ttyidle.h)
pins_of() {
	local m bytes
	ns mkdir -p /sys/fs/bpf/ttyidle || return 1
	if [ "$1" = old ]; then
		ns bpftool map create /sys/fs/bpf/ttyidle/ctl type array key 4 value 4 entries 1 name ctl
		return
	fi
	bytes="$1 0 0 0$(printf ' 0%.0s' $(seq 5 "$ctl_size"))"
	ns bpftool map create /sys/fs/bpf/ttyidle/ctl type array key 4 value "$ctl_size" entries 1 name ctl &&
		ns bpftool map update pinned /sys/fs/bpf/ttyidle/ctl key 0 0 0 0 value $bytes || return 1
	for m in ttys armed events stats; do
		ns bpftool map create /sys/fs/bpf/ttyidle/$m type array key 4 value 4 entries 1 name $m || return 1
	done
}

# ---- a real install, upgrade, removal and purge ------------------------------
snapshot() { find /etc /usr /var/lib/systemd -xdev 2>/dev/null | LC_ALL=C sort; }
if [ "$(id -u)" != 0 ]; then
	skip "dpkg-install: not root"
elif [ -d /run/systemd/system ]; then
	skip "dpkg-install: systemd is running here; installing would start the daemon"
elif dpkg-query -W -f='${Status}' ttyidle 2>/dev/null | grep -q 'installed'; then
	skip "dpkg-install: ttyidle is already installed on this host"
elif [ -e /usr/sbin/ttyidle ] || [ -e /etc/ttyidle.conf ]; then
	skip "dpkg-install: /usr/sbin/ttyidle or /etc/ttyidle.conf exists"
elif ! ns_start; then
	skip "dpkg-install: cannot make a mount namespace with its own bpffs: $(cat "$tmp/ns.out")"
else
	snapshot >"$tmp/before"
	installed_here=yes
	# merged /usr: what the package puts in /lib lands in /usr/lib
	libdir=$(readlink -f /lib)
	if ns dpkg -i "$deb" >"$tmp/dpkg.out" 2>&1; then ok dpkg-install; else bad dpkg-install "$(cat "$tmp/dpkg.out")"; fi
	# a first installation says what it enforces
	check dpkg-install-says-the-policy grep -q 'root.s included, with no input for 15 minutes' "$tmp/dpkg.out"
	snapshot >"$tmp/installed"
	added=$(LC_ALL=C comm -13 "$tmp/before" "$tmp/installed" | grep -v '^/var/lib/dpkg/')
	# the package's files, and the unit enabled the way deb-systemd-helper does it
	want=$( (dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$'
		echo /etc/systemd/system/multi-user.target.wants/ttyidle.service
		echo /var/lib/systemd/deb-systemd-helper-enabled/ttyidle.service.dsh-also
		echo /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/ttyidle.service
	) | sed "s|^/lib\$|$libdir|; s|^/lib/|$libdir/|" | LC_ALL=C sort -u | LC_ALL=C comm -23 - "$tmp/before")
	# directories that already existed are not "added"
	same_text dpkg-install-adds-exactly "$want" "$added"
	same_text dpkg-installed-version "$ver" "$(dpkg-query -W -f='${Version}' ttyidle 2>&1)"
	same_text dpkg-installed-binary-version "ttyidle $ver" "$(/usr/sbin/ttyidle --version 2>&1)"
	check dpkg-installed-config-loads /usr/sbin/ttyidle check-config
	if command -v man >/dev/null; then
		check dpkg-installed-man man -w ttyidle.conf
	fi

	# upgrades: pins of another layout are removed, pins of this one kept
	if [ -z "$ctl_size" ] || [ -z "$abi" ]; then
		bad dpkg-upgrade "cannot read struct ttyidle_ctl's size from $OUT/ttyidle.bpf.o or TTYIDLE_ABI from bpf/ttyidle.h"
	elif ! pins_of old >"$tmp/pins.out" 2>&1; then
		skip "dpkg-upgrade-*: cannot create BPF maps here: $(head -n 1 "$tmp/pins.out")"
		ns rm -rf /sys/fs/bpf/ttyidle
	else
		up1=$(repack "$ver+up1")
		if ns dpkg -i "$up1" >"$tmp/dpkg.out" 2>&1 &&
			[ "$(dpkg-query -W -f='${Version}' ttyidle)" = "$ver+up1" ]; then
			ok dpkg-upgrade
		else
			bad dpkg-upgrade "$(cat "$tmp/dpkg.out")"
		fi
		if ! ns test -e /sys/fs/bpf/ttyidle &&
			grep -q 'removed 1 pins of another layout under /sys/fs/bpf/ttyidle (maps pinned under /sys/fs/bpf/ttyidle have layout 0, this ttyidle reads' "$tmp/dpkg.out"; then
			ok dpkg-upgrade-removes-pins-of-another-layout
		else
			bad dpkg-upgrade-removes-pins-of-another-layout "$(cat "$tmp/dpkg.out")" "$(ns ls /sys/fs/bpf/ttyidle 2>&1)"
		fi
		ns rm -rf /sys/fs/bpf/ttyidle
		pins_of "$abi" >"$tmp/pins.out" 2>&1 || bad pins-of-this-layout "$(cat "$tmp/pins.out")"
		up2=$(repack "$ver+up2")
		ns dpkg -i "$up2" >"$tmp/dpkg.out" 2>&1 || bad dpkg-upgrade-again "$(cat "$tmp/dpkg.out")"
		same_text dpkg-upgrade-keeps-pins-of-this-layout "armed ctl events stats ttys" \
			"$(ns ls /sys/fs/bpf/ttyidle 2>&1 | paste -sd' ')$(grep 'ttyidle:' "$tmp/dpkg.out")"
		ns rm -rf /sys/fs/bpf/ttyidle
		# the next checks compare with the package as built
		ns dpkg -i "$deb" >"$tmp/dpkg.out" 2>&1 || bad dpkg-downgrade "$(cat "$tmp/dpkg.out")"
	fi

	# pins a daemon would have made (a real BPF map), detached on removal
	ns mkdir /sys/fs/bpf/ttyidle 2>/dev/null &&
		ns bpftool map create /sys/fs/bpf/ttyidle/ctl type array key 4 value 4 entries 1 name ctl 2>/dev/null
	pinned=$(ns test -e /sys/fs/bpf/ttyidle/ctl && echo yes)
	echo "# local" >>/etc/ttyidle.conf
	if ns dpkg -r ttyidle >"$tmp/dpkg.out" 2>&1; then ok dpkg-remove; else bad dpkg-remove "$(cat "$tmp/dpkg.out")"; fi
	if [ "$pinned" = yes ]; then
		! ns test -e /sys/fs/bpf/ttyidle && ok dpkg-remove-unloads-pins || bad dpkg-remove-unloads-pins "$(ns ls -la /sys/fs/bpf/ttyidle)"
	else
		skip "dpkg-remove-unloads-pins: cannot create a BPF map here"
	fi
	snapshot >"$tmp/removed"
	# left after a removal, as with any dh_installsystemd package: the
	# conffile and the enablement (which purge removes)
	same_text dpkg-remove-keeps-config "/etc/systemd/system/multi-user.target.wants/ttyidle.service
/etc/ttyidle.conf
/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/ttyidle.service
/var/lib/systemd/deb-systemd-helper-enabled/ttyidle.service.dsh-also" \
		"$(LC_ALL=C comm -13 "$tmp/before" "$tmp/removed" | grep -v '^/var/lib/dpkg/' |
			grep -v '^/var/lib/systemd/deb-systemd-helper-\(enabled\|masked\)$' |
			grep -v '^/etc/systemd/system/multi-user.target.wants$' |
			grep -v '^/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants$')"
	# pins made again after the removal go at purge
	ns mkdir /sys/fs/bpf/ttyidle 2>/dev/null &&
		ns bpftool map create /sys/fs/bpf/ttyidle/ctl type array key 4 value 4 entries 1 name ctl 2>/dev/null
	pinned=$(ns test -e /sys/fs/bpf/ttyidle/ctl && echo yes)
	if ns dpkg --purge ttyidle >"$tmp/dpkg.out" 2>&1; then ok dpkg-purge; else bad dpkg-purge "$(cat "$tmp/dpkg.out")"; fi
	if [ "$pinned" = yes ]; then
		! ns test -e /sys/fs/bpf/ttyidle && ok dpkg-purge-removes-pins || bad dpkg-purge-removes-pins
	fi
	snapshot >"$tmp/purged"
	diff=$(diff "$tmp/before" "$tmp/purged" | grep '^[<>]' | grep -v ' /var/lib/dpkg/')
	same_text dpkg-purge-leaves-nothing "" "$diff"
	dpkg-query -W -f='${Status}' ttyidle 2>/dev/null | grep -q 'installed' &&
		bad dpkg-purge-forgets-package || ok dpkg-purge-forgets-package
fi

echo "pkg: $pass passed, $fail failed${skipped:+, $skipped skipped}"
[ "$fail" -eq 0 ]
