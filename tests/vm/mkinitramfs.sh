#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT: build the test VM's initramfs (gzip'd newc cpio) at OUT.
#
# Contents: busybox-static with its applets, build/ttyidle, bpftool, ptyctl,
# ptybench, the host's sshd/ssh/ssh-keygen/tmux/autolog with their libraries,
# users root, alice and bob with an ssh key, terminfo, the C.UTF-8 locale,
# tests/vm/init as /init, tests/vm/scenarios/* as /scenarios and
# tests/vm/bench/* as /bench.
#
# Rebuilt only when an input changed (OUT.inputs holds their digest). The ssh
# keys are made once under build/vm/keys. Environment: TTYIDLE_BIN (default
# build/ttyidle), CC (default cc).
set -euo pipefail

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

[[ $# == 1 ]] || die "usage: mkinitramfs.sh OUT"
OUT=$(realpath -m "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VMB=$ROOT/build/vm
TTYIDLE_BIN=${TTYIDLE_BIN:-$ROOT/build/ttyidle}
CC=${CC:-cc}
MULTIARCH=x86_64-linux-gnu

# Host programs copied with their libraries: "source-path image-path".
PROGRAMS="
/usr/sbin/sshd /usr/sbin/sshd
/usr/bin/ssh /usr/bin/ssh
/usr/bin/ssh-keygen /usr/bin/ssh-keygen
/usr/bin/tmux /usr/bin/tmux
/usr/sbin/bpftool /usr/sbin/bpftool
/usr/lib/$MULTIARCH/utempter/utempter /usr/lib/$MULTIARCH/utempter/utempter
$TTYIDLE_BIN /usr/sbin/ttyidle
/usr/sbin/autolog /usr/sbin/autolog
/usr/bin/ps /usr/lib/procps/ps
"
# Loaded with dlopen (pthread_cancel unwinding), so ldd cannot see it.
EXTRA_LIBS="/lib/$MULTIARCH/libgcc_s.so.1"
TERMINFO="xterm xterm-256color screen screen-256color tmux tmux-256color linux vt100 vt220 dumb"
BUSYBOX=/bin/busybox

[[ -x $TTYIDLE_BIN ]] || die "$TTYIDLE_BIN missing: run 'make' first"
for p in $BUSYBOX /usr/sbin/sshd /usr/bin/tmux /usr/sbin/bpftool /usr/sbin/autolog cpio \
	ssh-keygen; do
	command -v "$p" >/dev/null || die "$p missing (apt-get install busybox-static" \
		"openssh-server openssh-client tmux bpftool autolog cpio)"
done
$BUSYBOX --list-full >/dev/null 2>&1 || die "$BUSYBOX cannot list its applets (need busybox-static)"
mkdir -p "$VMB/keys" "$(dirname "$OUT")"

# ---- ptyctl, ptybench: static, so they run before anything else is in place -
PTYCTL=$VMB/ptyctl
PTYBENCH=$VMB/ptybench
for prog in ptyctl ptybench; do
	if [[ ! -x $VMB/$prog || $HERE/progs/$prog.c -nt $VMB/$prog ||
		$HERE/progs/ptyutil.h -nt $VMB/$prog ]]; then
		echo "  CC       $VMB/$prog"
		$CC -static -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$VMB/$prog.tmp" \
			"$HERE/progs/$prog.c" || die "building $prog failed"
		mv "$VMB/$prog.tmp" "$VMB/$prog"
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

declare -A LIBS=()
while read -r src _; do
	[[ -n $src ]] || continue
	[[ -e $src ]] || die "$src missing"
	for l in $(libs_of "$src"); do
		LIBS[$l]=1
	done
done <<<"$PROGRAMS"
for l in $EXTRA_LIBS; do
	LIBS[$l]=1
done

terminfo_files=()
for t in $TERMINFO; do
	f=$(find /lib/terminfo /usr/share/terminfo /etc/terminfo -name "$t" 2>/dev/null | head -n1)
	[[ -n $f ]] || die "terminfo entry $t missing (apt-get install ncurses-base ncurses-term)"
	terminfo_files+=("$f")
done
LOCALE=/usr/lib/locale/C.utf8
[[ -d $LOCALE ]] || die "$LOCALE missing (part of libc-bin)"

inputs() {
	printf '%s\n' "$0" "$HERE/init" "$PTYCTL" "$PTYBENCH" "$BUSYBOX" "${!LIBS[@]}" \
		"${terminfo_files[@]}"
	awk 'NF { print $1 }' <<<"$PROGRAMS"
	find "$HERE/scenarios" "$HERE/bench" "$LOCALE" "$VMB/keys" -type f 2>/dev/null
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
for a in $($BUSYBOX --list-full); do
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
	copy_file "$l" "$l"
done
install -m 0755 "$PTYCTL" usr/bin/ptyctl
install -m 0755 "$PTYBENCH" usr/bin/ptybench
for f in "${terminfo_files[@]}"; do
	copy_file "$f" "/usr/share/terminfo/${f#*/terminfo/}"
done
mkdir -p usr/lib/locale
cp -r "$LOCALE" usr/lib/locale/
install -m 0755 "$HERE/init" init
cp -r "$HERE"/scenarios/. scenarios/
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
