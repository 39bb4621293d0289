#!/bin/bash
# `make demo`: boot a Debian kernel under QEMU (no KVM, no host tracing needed)
# with real sshd, and show a login being warned and ended, and the audit
# record it left. Needs the packages scripts/setup.sh installs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernel=${DEMO_KERNEL:-6.1}
cache=${TTYIDLE_CACHE:-$HOME/.cache/ttyidle}
scripts/fetch-kernels.sh "$kernel" >/dev/null
mkdir -p build/vm
tests/vm/mkinitramfs.sh build/vm/demo.cpio.gz >/dev/null
echo "booting Debian kernel $(cat "$cache/kernels/$kernel/release") under QEMU TCG ..."
timeout --foreground 300 qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 \
	-nodefaults -no-user-config -display none -no-reboot -serial stdio \
	-kernel "$cache/kernels/$kernel/vmlinuz" -initrd build/vm/demo.cpio.gz \
	-append "console=ttyS0 panic=-1 quiet ttyidle.demo=1 ttyidle.attach=auto" </dev/null |
	sed -un 's/^@@DEMO //p'
