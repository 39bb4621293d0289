#!/bin/sh
# Regenerate vmlinux/<arch>/vmlinux.h from a kernel's BTF. One header serves
# every kernel through CO-RE; regenerate only to use types newer kernels add.
# Usage: scripts/gen-vmlinux.sh [BTF_FILE] (default /sys/kernel/btf/vmlinux)
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
arch=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
top=$(cd "$(dirname "$0")/.." && pwd)
[ -r "$btf" ] || { echo "gen-vmlinux: cannot read $btf" >&2; exit 1; }
mkdir -p "$top/vmlinux/$arch"
bpftool btf dump file "$btf" format c > "$top/vmlinux/$arch/vmlinux.h.tmp"
mv "$top/vmlinux/$arch/vmlinux.h.tmp" "$top/vmlinux/$arch/vmlinux.h"
echo "$arch vmlinux.h: bpftool btf dump of $btf from Linux $(uname -r) ($(uname -m)); regenerate with scripts/gen-vmlinux.sh" > "$top/vmlinux/README"
