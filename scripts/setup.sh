#!/bin/sh
# Install every build and test dependency from Debian's packages, then build.
# Safe to run again. Nothing here starts a service on the host: sshd, tmux and
# autolog are only copied into the test VM's image. The arm64 cross build and
# VM (`make ARCH=arm64`, tests/vm/run.sh --arch arm64) need the cross
# compiler and qemu-system-aarch64 from here, and an arm64 sysroot of
# Debian's packages that scripts/fetch-sysroot.sh puts in the cache (the
# host's apt sources and dpkg architectures are left alone).
set -eu
cd "$(dirname "$0")/.."
pkgs="make clang llvm gcc libc6-dev libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
      libcmocka-dev qemu-system-x86 busybox-static cpio gzip xz-utils zstd
      openssh-server openssh-client tmux autolog mandoc libclang-rt-14-dev
      debian-archive-keyring ca-certificates libsystemd-dev systemd lintian dpkg-dev debhelper
      binutils util-linux clang-format jq gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-arm crun umoci python3-yaml mmdebstrap"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "setup: need root to install:$missing" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	# policy-rc.d keeps sshd/autolog from starting on hosts with an init system
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
make -s
scripts/fetch-promtool.sh >/dev/null
scripts/fetch-sysroot.sh --arch arm64
make -s ARCH=arm64
