#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkimage.sh [EXTRA-PACKAGE...]: build (or find cached) the systemd host image
# of the second VM bed (tests/sysvm), and print its path.
#
# The image is a Debian bookworm system made by mmdebstrap from Debian's
# packages alone: systemd as PID 1 (systemd-sysv), dbus, logind
# (libpam-systemd), journald, sshd (UsePAM yes, Debian's default), the ssh
# client, tmux, procps, plus EXTRA-PACKAGEs (run.sh passes the Depends of
# the .deb under test, so dpkg -i finds them without network). Users alice
# and bob (uid 1000, 1001) log in with an ssh key that root holds; the
# serial getty is masked (results travel on ttyS1, see run.sh); journald
# keeps its journal in memory; networking is lo only.
#
# It is written as an uncompressed newc cpio, booted as the kernel's
# initramfs: Debian's kernels build virtio, ext4 and 9p as modules, which
# the kernel cache does not hold (scripts/fetch-kernels.sh), while an
# initramfs needs nothing but the built-in tmpfs. systemd runs from it as a
# normal system (there is no /etc/initrd-release).
#
# Cached as ${TTYIDLE_CACHE:-~/.cache/ttyidle}/sysvm/KEY/rootfs.cpio, KEY a
# digest of this script, the package list and the mirror; never in the
# repository. The machine's apt sources are neither read nor changed:
# mmdebstrap runs apt with its own sources list. Needs root (mmdebstrap's
# root mode, chroot) and mmdebstrap.
set -euo pipefail

CACHE=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
MIRROR=${TTYIDLE_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${TTYIDLE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm

die() {
	echo "sysvm-mkimage: $*" >&2
	exit 1
}

PACKAGES="systemd systemd-sysv dbus libpam-systemd openssh-server openssh-client tmux procps
 kmod iproute2 util-linux"
for p in "$@"; do
	[[ $p =~ ^[a-z0-9][a-z0-9.+-]*$ ]] || die "bad package name '$p'"
done
# shellcheck disable=SC2086 # the list is split on purpose
PACKAGES=$(printf '%s\n' $PACKAGES "$@" | LC_ALL=C sort -u | paste -sd' ')

key=$( (cat "$0"; echo "$PACKAGES $MIRROR $SECURITY_MIRROR $SUITE") | sha256sum | cut -c1-16)
dir=$CACHE/sysvm/$key
if [[ -s $dir/rootfs.cpio && -s $dir/done ]]; then
	echo "$dir/rootfs.cpio"
	exit 0
fi
[[ $(id -u) == 0 ]] || die "needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing (apt-get install mmdebstrap)"
command -v cpio >/dev/null || die "cpio missing (apt-get install cpio)"

mkdir -p "$CACHE/sysvm"
tmp=$(mktemp -d "$CACHE/sysvm/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
t0=$(date +%s)
echo "sysvm-mkimage: building $SUITE image $key (${PACKAGES// /,})" >&2
# Documentation, man pages and translations are left out: smaller image,
# faster to load into the VM's memory.
mmdebstrap --variant=minbase --include="${PACKAGES// /,}" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--aptopt='Acquire::Retries "3"' \
	"$SUITE" "$root" \
	"deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" \
	"deb $SECURITY_MIRROR $SUITE-security main" >"$tmp/mmdebstrap.log" 2>&1 ||
	die "mmdebstrap failed: $(tail -n 5 "$tmp/mmdebstrap.log")"

# ---- configuration ----------------------------------------------------------
echo sysvm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 sysvm\n::1 localhost\n' >"$root/etc/hosts"
: >"$root/etc/machine-id" # systemd makes one at boot (a fresh one per VM)
chroot "$root" passwd -d root >/dev/null
for u in alice:1000 bob:1001; do
	chroot "$root" useradd -m -u "${u#*:}" -s /bin/bash "${u%:*}"
done
# root's key, authorized for every user; root logs in as alice/bob with it
mkdir -p "$root/root/.ssh"
ssh-keygen -q -t ed25519 -N '' -C sysvm -f "$root/root/.ssh/id_ed25519"
printf 'StrictHostKeyChecking no\nUserKnownHostsFile /dev/null\nLogLevel ERROR\n' \
	>"$root/root/.ssh/config"
for u in alice bob; do
	install -d -m 700 -o "$(chroot "$root" id -u $u)" -g "$(chroot "$root" id -g $u)" \
		"$root/home/$u/.ssh"
	install -m 600 -o "$(chroot "$root" id -u $u)" -g "$(chroot "$root" id -g $u)" \
		"$root/root/.ssh/id_ed25519.pub" "$root/home/$u/.ssh/authorized_keys"
done
# sshd: Debian's own configuration (UsePAM yes, pam_systemd via
# common-session, utmp by sshd), said explicitly; no DNS lookups.
cat >"$root/etc/ssh/sshd_config.d/sysvm.conf" <<'EOF'
UsePAM yes
UseDNS no
EOF
grep -q '^UsePAM yes' "$root/etc/ssh/sshd_config" || die "Debian's sshd_config lost UsePAM yes"
mkdir -p "$root/etc/systemd/journald.conf.d" "$root/etc/systemd/system.conf.d"
printf '[Journal]\nStorage=volatile\nForwardToConsole=no\n' \
	>"$root/etc/systemd/journald.conf.d/sysvm.conf"
# shorter stop timeouts: a hung unit must not eat the VM's time
printf '[Manager]\nDefaultTimeoutStopSec=15s\nShowStatus=no\n' \
	>"$root/etc/systemd/system.conf.d/sysvm.conf"
# No serial getty (the console is for the kernel), nothing needing devices
# that are not there, no timers starting apt or man-db work mid-test.
for u in serial-getty@ttyS0.service serial-getty@ttyS1.service getty@tty1.service \
	proc-sys-fs-binfmt_misc.automount systemd-timesyncd.service apt-daily.timer \
	apt-daily-upgrade.timer man-db.timer dpkg-db-backup.timer e2scrub_all.timer \
	fstrim.timer systemd-tmpfiles-clean.timer systemd-firstboot.service \
	systemd-remount-fs.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# The test runner: a unit started at boot that runs /sysvm/boot.sh, which
# the per-run cpio (run.sh) brings.
cat >"$root/etc/systemd/system/sysvm-test.service" <<'EOF'
[Unit]
Description=sysvm test runner
After=multi-user.target ssh.service systemd-logind.service
ConditionPathExists=/sysvm/boot.sh

[Service]
Type=oneshot
ExecStart=/bin/sh /sysvm/boot.sh
StandardOutput=journal+console
TimeoutStartSec=infinity
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../sysvm-test.service "$root/etc/systemd/system/multi-user.target.wants/"
# lo is brought up by systemd itself; no other network
rm -f "$root/etc/apt/sources.list" # the image never fetches anything
mkdir -p "$root/etc/apt/sources.list.d"
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages
# /init for the kernel: systemd itself
ln -sf /lib/systemd/systemd "$root/init"

# shellcheck disable=SC2016
chroot "$root" dpkg-query -W -f='${Package}=${Version}\n' >"$tmp/packages"
(cd "$root" && find . -print | LC_ALL=C sort | cpio -o -H newc --quiet) >"$tmp/rootfs.cpio"
rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp/rootfs.cpio" "$tmp/packages" "$dir/"
echo "$(($(date +%s) - t0))" >"$dir/build-seconds"
echo "$PACKAGES" >"$dir/done"
echo "sysvm-mkimage: $dir/rootfs.cpio ($(du -m "$dir/rootfs.cpio" | cut -f1) MB," \
	"$(cat "$dir/build-seconds") s)" >&2
echo "$dir/rootfs.cpio"
