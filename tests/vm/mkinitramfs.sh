#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh [--arch x86|arm64] OUT: build the test VM's initramfs (gzip'd
# newc cpio) at OUT.
#
# Contents: busybox-static with its applets, build/ttyidle, bpftool, ptyctl,
# ptybench, jsonq, sshd/ssh/ssh-keygen/tmux/autolog/ps/utempter with their
# libraries, users root, alice and bob with an ssh key, terminfo, the C.UTF-8
# locale, tests/vm/init as /init, tests/vm/scenarios/* as /scenarios and
# tests/vm/bench/* as /bench. x86 (the default) takes the host's programs;
# arm64 takes Debian's arm64 builds from the sysroot of
# scripts/fetch-sysroot.sh, whose libraries are found by their DT_NEEDED
# entries (readelf: nothing foreign is run), and the daemon of
# `make ARCH=arm64` (build-arm64/ttyidle).
#
# Rebuilt only when an input changed (OUT.inputs holds their digest). The ssh
# keys are made once under build/vm/keys. Environment: TTYIDLE_BIN (default
# build/ttyidle or build-arm64/ttyidle), CC (default cc or
# aarch64-linux-gnu-gcc), TTYIDLE_CACHE (where the sysroot is).
set -euo pipefail

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

ARCH=x86
if [[ ${1:-} == --arch ]]; then
	ARCH=${2:-}
	shift 2 || die "--arch needs x86 or arm64"
fi
[[ $# == 1 ]] || die "usage: mkinitramfs.sh [--arch x86|arm64] OUT"
OUT=$(realpath -m "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VMB=$ROOT/build/vm
case $ARCH in
x86)
	SYSROOT="" MULTIARCH=x86_64-linux-gnu PROGS=$VMB
	TTYIDLE_BIN=${TTYIDLE_BIN:-$ROOT/build/ttyidle}
	CC=${CC:-cc}
	;;
arm64)
	SYSROOT=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}/sysroot/arm64
	MULTIARCH=aarch64-linux-gnu PROGS=$VMB/arm64
	TTYIDLE_BIN=${TTYIDLE_BIN:-$ROOT/build-arm64/ttyidle}
	CC=${CC:-aarch64-linux-gnu-gcc}
	[[ -s $SYSROOT/.packages ]] ||
		die "no arm64 sysroot in $SYSROOT: run scripts/fetch-sysroot.sh --arch arm64"
	command -v readelf >/dev/null || die "readelf missing (apt-get install binutils)"
	;;
*) die "unknown --arch '$ARCH' (x86, arm64)" ;;
esac

# sysroot_path PATH: where the target's PATH is on this host (the host itself
# for x86; in the sysroot, whose packages are not usr-merged, for arm64).
sysroot_path() {
	local p=$1
	if [[ -z $SYSROOT ]]; then
		echo "$p"
	elif [[ -e $SYSROOT$p ]]; then
		echo "$SYSROOT$p"
	elif [[ $p == /usr/* && -e $SYSROOT${p#/usr} ]]; then
		echo "$SYSROOT${p#/usr}"
	else
		echo "$SYSROOT$p"
	fi
}

# Target programs copied with their libraries: "source-path image-path".
PROGRAMS="
$(sysroot_path /usr/sbin/sshd) /usr/sbin/sshd
$(sysroot_path /usr/bin/ssh) /usr/bin/ssh
$(sysroot_path /usr/bin/ssh-keygen) /usr/bin/ssh-keygen
$(sysroot_path /usr/bin/tmux) /usr/bin/tmux
$(sysroot_path /usr/sbin/bpftool) /usr/sbin/bpftool
$(sysroot_path /usr/lib/$MULTIARCH/utempter/utempter) /usr/lib/$MULTIARCH/utempter/utempter
$TTYIDLE_BIN /usr/sbin/ttyidle
$(sysroot_path /usr/sbin/autolog) /usr/sbin/autolog
$(sysroot_path /usr/bin/ps) /usr/lib/procps/ps
"
# x86: crun, and the image's runtime bundle for the container scenario
# (tests/container/bundle.sh): the daemon run as the DaemonSet runs it.
BUNDLE=""
if [[ -z $SYSROOT ]]; then
	PROGRAMS+="/usr/bin/crun /usr/bin/crun
"
	BUNDLE=$VMB/oci-bundle
	"$ROOT/tests/container/bundle.sh" "$TTYIDLE_BIN" "$BUNDLE" || die "building the OCI bundle failed"
fi
# Loaded with dlopen (pthread_cancel unwinding), so ldd cannot see it.
EXTRA_LIBS="/lib/$MULTIARCH/libgcc_s.so.1"
TERMINFO="xterm xterm-256color screen screen-256color tmux tmux-256color linux vt100 vt220 dumb"
BUSYBOX=$(sysroot_path /bin/busybox)

[[ -x $TTYIDLE_BIN ]] || die "$TTYIDLE_BIN missing: run 'make${SYSROOT:+ ARCH=$ARCH}' first"
if [[ -z $SYSROOT ]]; then
	for p in $BUSYBOX /usr/sbin/sshd /usr/bin/tmux /usr/sbin/bpftool /usr/sbin/autolog cpio \
		ssh-keygen /usr/bin/crun; do
		command -v "$p" >/dev/null || die "$p missing (apt-get install busybox-static" \
			"openssh-server openssh-client tmux bpftool autolog cpio crun)"
	done
	$BUSYBOX --list-full >/dev/null 2>&1 || die "$BUSYBOX cannot list its applets (need busybox-static)"
	APPLETS=$($BUSYBOX --list-full)
else
	for p in cpio ssh-keygen /bin/busybox; do
		command -v "$p" >/dev/null || die "$p missing on the host (apt-get install cpio" \
			"openssh-client busybox-static)"
	done
	while read -r src _; do
		[[ -z $src || -e $src ]] || die "$src missing from the sysroot (scripts/fetch-sysroot.sh --refresh)"
	done <<<"$PROGRAMS"
	# The foreign busybox cannot run here to list its applets: the host's
	# busybox-static of the same Debian version has the same configuration.
	hv=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || true)
	grep -qx "busybox-static=$hv" "$SYSROOT/.packages" ||
		die "host busybox-static ${hv:-(none)} is not the sysroot's" \
			"($(grep '^busybox-static=' "$SYSROOT/.packages")): its applet list may differ"
	APPLETS=$(/bin/busybox --list-full)
fi
mkdir -p "$VMB/keys" "$PROGS" "$(dirname "$OUT")"

# ---- ptyctl, ptybench, jsonq: static, so they run with no libraries ---------
PTYCTL=$PROGS/ptyctl
PTYBENCH=$PROGS/ptybench
JSONQ=$PROGS/jsonq
for prog in ptyctl ptybench jsonq; do
	if [[ ! -x $PROGS/$prog || $HERE/progs/$prog.c -nt $PROGS/$prog ||
		$HERE/progs/ptyutil.h -nt $PROGS/$prog ]]; then
		echo "  CC       $PROGS/$prog"
		$CC -static -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$PROGS/$prog.tmp" \
			"$HERE/progs/$prog.c" || die "building $prog failed"
		mv "$PROGS/$prog.tmp" "$PROGS/$prog"
	fi
done

# ---- ssh keys: generated once, kept across image builds ---------------------
for k in ssh_host_ed25519_key id_ed25519; do
	if [[ ! -s $VMB/keys/$k ]]; then
		rm -f "$VMB/keys/$k" "$VMB/keys/$k.pub"
		ssh-keygen -q -t ed25519 -N '' -C "ttyidle-vm-$k" -f "$VMB/keys/$k"
	fi
done

# ---- inputs and their digest ------------------------------------------------
libs_of() {
	# Static binaries make ldd fail; they need nothing.
	ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' ||
		true
}

# LIBS: host path -> path in the image.
declare -A LIBS=()
# sysroot_libs FILE: FILE's interpreter and DT_NEEDED libraries, and theirs,
# looked up in the sysroot's multiarch directories, into LIBS.
sysroot_libs() {
	local f=$1 n d found interp
	interp=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [[ -n $interp && -z ${LIBS[$(sysroot_path "$interp")]:-} ]]; then
		[[ -e $(sysroot_path "$interp") ]] || die "$f: interpreter $interp not in the sysroot"
		LIBS[$(sysroot_path "$interp")]=$interp
	fi
	for n in $(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		found=""
		for d in /lib/$MULTIARCH /usr/lib/$MULTIARCH /lib /usr/lib; do
			if [[ -e $SYSROOT$d/$n ]]; then
				found=$d/$n
				break
			fi
		done
		[[ -n $found ]] || die "$f needs $n, which is not in the sysroot $SYSROOT"
		[[ -n ${LIBS[$SYSROOT$found]:-} ]] && continue
		LIBS[$SYSROOT$found]=$found
		sysroot_libs "$SYSROOT$found"
	done
}

while read -r src _; do
	[[ -n $src ]] || continue
	[[ -e $src ]] || die "$src missing"
	if [[ -n $SYSROOT ]]; then
		sysroot_libs "$src"
		continue
	fi
	for l in $(libs_of "$src"); do
		LIBS[$l]=$l
	done
done <<<"$PROGRAMS"
for l in $EXTRA_LIBS; do
	LIBS[$(sysroot_path "$l")]=$l
done

terminfo_files=()
for t in $TERMINFO; do
	f=$(find /lib/terminfo /usr/share/terminfo /etc/terminfo -name "$t" 2>/dev/null | head -n1)
	[[ -n $f ]] || die "terminfo entry $t missing (apt-get install ncurses-base ncurses-term)"
	terminfo_files+=("$f")
done
LOCALE=$(sysroot_path /usr/lib/locale/C.utf8)
[[ -d $LOCALE ]] || die "$LOCALE missing (part of libc-bin)"

inputs() {
	printf '%s\n' "$0" "$HERE/init" "$PTYCTL" "$PTYBENCH" "$JSONQ" "$BUSYBOX" "${!LIBS[@]}" \
		"${terminfo_files[@]}"
	awk 'NF { print $1 }' <<<"$PROGRAMS"
	find "$HERE/scenarios" "$HERE/bench" "$LOCALE" "$VMB/keys" -type f 2>/dev/null
	[[ -z $BUNDLE ]] || echo "$BUNDLE.inputs"
}
digest=$( (
	inputs | LC_ALL=C sort -u | xargs -d '\n' sha256sum
	echo "$TTYIDLE_BIN"
) | sha256sum | cut -d' ' -f1)
if [[ -s $OUT && -f $OUT.inputs && $(cat "$OUT.inputs") == "$digest" ]]; then
	echo "  INITRD   $OUT (up to date)"
	exit 0
fi
echo "  INITRD   $OUT"

# ---- stage the root ---------------------------------------------------------
STAGE=$VMB/initramfs.root
[[ -z $SYSROOT ]] || STAGE=$VMB/initramfs-$ARCH.root
rm -rf "$STAGE"
mkdir -p "$STAGE"
chmod 0755 "$STAGE" # the image root becomes / : sshd refuses a group/world-writable /
cd "$STAGE"
mkdir -p usr/bin usr/sbin usr/lib usr/lib64 dev proc sys run tmp etc/ssh root/.ssh \
	home/alice/.ssh home/bob/.ssh var/log var/empty scenarios bench
ln -s usr/bin bin
ln -s usr/sbin sbin
ln -s usr/lib lib
ln -s usr/lib64 lib64
ln -s ../run var/run # sshd writes utmp records through /var/run
chmod 1777 tmp
chmod 0700 root root/.ssh
chmod 0755 home/alice home/bob

install -m 0755 "$BUSYBOX" usr/bin/busybox
for a in $APPLETS; do
	[[ $a == linuxrc ]] && continue
	mkdir -p "$(dirname "$a")"
	[[ -e $a || -L $a ]] || ln -s /usr/bin/busybox "$a"
done

copy_file() { # SRC DEST-IN-IMAGE
	mkdir -p "$STAGE$(dirname "$2")"
	rm -f "$STAGE$2"
	cp -L "$1" "$STAGE$2"
}
while read -r src dst; do
	[[ -n $src ]] && copy_file "$src" "$dst"
done <<<"$PROGRAMS"
for l in "${!LIBS[@]}"; do
	copy_file "$l" "${LIBS[$l]}"
done
install -m 0755 "$PTYCTL" usr/bin/ptyctl
install -m 0755 "$PTYBENCH" usr/bin/ptybench
install -m 0755 "$JSONQ" usr/bin/jsonq
for f in "${terminfo_files[@]}"; do
	copy_file "$f" "/usr/share/terminfo/${f#*/terminfo/}"
done
mkdir -p usr/lib/locale
cp -r "$LOCALE" usr/lib/locale/
install -m 0755 "$HERE/init" init
cp -r "$HERE"/scenarios/. scenarios/
# a scenario headed "# arch: x86" runs on that architecture only
for f in scenarios/*.sh; do
	a=$(sed -n '1,20s/^# *arch: *\([a-z0-9]*\).*/\1/p' "$f" | head -n1)
	[[ -z $a || $a == "$ARCH" ]] || rm -f "$f"
done
if [[ -n $BUNDLE ]]; then
	mkdir -p oci
	cp -a "$BUNDLE" oci/bundle
fi
if compgen -G "$HERE/bench/*" >/dev/null; then
	cp -r "$HERE"/bench/. bench/
fi

# ---- users ------------------------------------------------------------------
cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sshd:x:100:65534::/run/sshd:/usr/sbin/nologin
alice:x:1000:50:Alice:/home/alice:/bin/sh
bob:x:1001:1001:Bob:/home/bob:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >etc/group <<'EOF'
root:x:0:
daemon:x:1:
tty:x:5:
utmp:x:43:
staff:x:50:alice
bob:x:1001:
exempt:x:1002:bob
nogroup:x:65534:
EOF
# "*": no password, but not locked ("!"), so public keys work without PAM.
awk -F: '{ print $1 ":*:19000:0:99999:7:::" }' etc/passwd >etc/shadow
chmod 0600 etc/shadow
cat >etc/nsswitch.conf <<'EOF'
passwd: files
group: files
shadow: files
hosts: files
EOF
cat >etc/hosts <<'EOF'
127.0.0.1 localhost ttyidle-vm
::1 localhost ip6-localhost
EOF
echo ttyidle-vm >etc/hostname
printf '/bin/sh\n/bin/ash\n' >etc/shells
cat >etc/profile <<'EOF'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8
[ -n "$TERM" ] || export TERM=xterm
EOF

# ---- ssh --------------------------------------------------------------------
install -m 0600 "$VMB/keys/ssh_host_ed25519_key" etc/ssh/
install -m 0644 "$VMB/keys/ssh_host_ed25519_key.pub" etc/ssh/
install -m 0600 "$VMB/keys/id_ed25519" root/.ssh/
install -m 0644 "$VMB/keys/id_ed25519.pub" root/.ssh/
for h in root home/alice home/bob; do
	install -m 0600 "$VMB/keys/id_ed25519.pub" "$h/.ssh/authorized_keys"
	chmod 0700 "$h/.ssh"
done
echo "127.0.0.1,localhost,::1 $(cut -d' ' -f1,2 "$VMB/keys/ssh_host_ed25519_key.pub")" \
	>etc/ssh/ssh_known_hosts
cat >etc/ssh/sshd_config <<'EOF'
# Test sshd: loopback only, public keys only, no PAM.
ListenAddress 127.0.0.1
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
StrictModes yes
PrintMotd no
PrintLastLog no
X11Forwarding no
AcceptEnv LANG LC_*
MaxStartups 64
MaxSessions 64
LoginGraceTime 30
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
cat >etc/ssh/ssh_config <<'EOF'
Host *
	StrictHostKeyChecking yes
	GlobalKnownHostsFile /etc/ssh/ssh_known_hosts
	UserKnownHostsFile /dev/null
	BatchMode yes
	LogLevel ERROR
	ConnectTimeout 30
	SendEnv LANG
EOF

# ---- pack -------------------------------------------------------------------
find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$digest" >"$OUT.inputs"
echo "  INITRD   $OUT: $(du -h "$OUT" | cut -f1)"
