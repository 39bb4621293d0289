#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bundle.sh BIN OUT: the OCI runtime bundle the VM bed's container scenario
# runs with crun (tests/vm/scenarios/40-container-form.sh): the image that
# scripts/container/build-image.sh makes of BIN, unpacked by umoci (another
# OCI implementation reads it, not ours), and the runtime configuration of
# the DaemonSet (tests/container/ds2oci.py), at /oci/bundle in the VM.
# Rebuilt only when an input changed (OUT.inputs holds their digest).
set -euo pipefail
die() {
	echo "bundle: $*" >&2
	exit 1
}
[[ $# == 2 ]] || die "usage: bundle.sh BIN OUT"
BIN=$(realpath "$1")
OUT=$(realpath -m "$2")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
for c in umoci /usr/bin/python3; do
	command -v "$c" >/dev/null || die "$c not found (apt-get install umoci python3-yaml)"
done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || die "python3 has no yaml module (apt-get install python3-yaml)"

digest=$(cat "$BIN" scripts/container/build-image.sh scripts/container/ttyidle-daemonset.yaml \
	scripts/ttyidle.conf LICENSE tests/container/ds2oci.py "$0" | sha256sum | cut -d' ' -f1)
if [[ -f $OUT/config.json && -f $OUT.inputs && $(cat "$OUT.inputs") == "$digest" ]]; then
	exit 0
fi
echo "  BUNDLE   $OUT"
rm -rf "$OUT" "$OUT.oci" "$OUT.inputs"
scripts/container/build-image.sh --bin "$BIN" --out "$OUT.oci" >/dev/null
tag=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"])' "$OUT.oci/index.json")
umoci unpack --image "$OUT.oci:$tag" "$OUT" >/dev/null 2>&1 ||
	die "umoci could not unpack $OUT.oci:$tag"
rm -f "$OUT/config.json" "$OUT"/*.mtree "$OUT/umoci.json"
tests/container/ds2oci.py scripts/container/ttyidle-daemonset.yaml "$OUT.oci" "$OUT" /oci/bundle
rm -rf "$OUT.oci"
echo "$digest" >"$OUT.inputs"
