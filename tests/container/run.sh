#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The container-host form, checked on this host (the VM bed's
# 40-container-form runs it): the OCI image built from the package is a
# valid layout that another implementation (umoci) unpacks, builds to the
# same digest twice, holds exactly the daemon, the libraries it loads and
# their copyrights, and runs; the DaemonSet asks for what the packaged unit
# has and nothing more; its ConfigMap's policy loads; the alert rules pass
# `promtool check rules` and their unit tests. Ends with
# "container: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/       /'; }
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else bad "$name" "$out"; fi
}
PY=/usr/bin/python3
MANIFEST=scripts/container/ttyidle-daemonset.yaml

# ---- the image, from the package ---------------------------------------------
version=$(scripts/version.sh)
deb=build/ttyidle_${version}_amd64.deb
if [ ! -f "$deb" ]; then
	scripts/build-deb.sh >"$tmp/deb.out" 2>&1 || bad "package build" "$(tail -n 20 "$tmp/deb.out")"
fi
tag=$(printf '%s' "$version" | tr -c 'A-Za-z0-9_.-' _)
if out=$(scripts/container/build-image.sh --deb "$deb" --out "$tmp/oci1" 2>&1); then
	ok "image built: $out"
else
	bad "image built" "$out"
fi
scripts/container/build-image.sh --deb "$deb" --out "$tmp/oci2" >/dev/null 2>&1
check "image reproducible: a second build is byte for byte the same" diff -r "$tmp/oci1" "$tmp/oci2"

# every blob is named by its digest; the config's diff_id is the layer's
# uncompressed digest; the index names the tag
check "image layout: digests, sizes, media types, tag" $PY - "$tmp/oci1" "$tag" <<'PY'
import gzip, hashlib, json, os, sys
d, tag = sys.argv[1], sys.argv[2]
assert json.load(open(f"{d}/oci-layout")) == {"imageLayoutVersion": "1.0.0"}
for b in os.listdir(f"{d}/blobs/sha256"):
    assert hashlib.sha256(open(f"{d}/blobs/sha256/{b}", "rb").read()).hexdigest() == b, b
def blob(desc, mt):
    assert desc["mediaType"] == mt, desc
    data = open(f"{d}/blobs/sha256/{desc['digest'][7:]}", "rb").read()
    assert len(data) == desc["size"], desc
    return data
idx = json.load(open(f"{d}/index.json"))
[m] = idx["manifests"]
assert m["annotations"]["org.opencontainers.image.ref.name"] == tag, m
man = json.loads(blob(m, "application/vnd.oci.image.manifest.v1+json"))
cfg = json.loads(blob(man["config"], "application/vnd.oci.image.config.v1+json"))
[layer] = man["layers"]
raw = gzip.decompress(blob(layer, "application/vnd.oci.image.layer.v1.tar+gzip"))
assert cfg["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(raw).hexdigest()], cfg["rootfs"]
assert cfg["config"]["Entrypoint"] == ["/usr/sbin/ttyidle"], cfg["config"]
assert cfg["config"]["User"] == "0:0", cfg["config"]
PY

if out=$(umoci unpack --image "$tmp/oci1:$tag" "$tmp/bundle" 2>&1); then
	ok "umoci unpacks the image"
else
	bad "umoci unpacks the image" "$out"
fi
R=$tmp/bundle/rootfs
# the checks below read the unpacked tree: without it, none of them may pass
[ -x "$R/usr/sbin/ttyidle" ] || R=$tmp/not-unpacked
v=$(chroot "$R" /usr/sbin/ttyidle --version 2>&1)
if [ "$v" = "ttyidle $version" ]; then ok "the image's daemon runs: $v"; else bad "the image's daemon runs" "$v"; fi
check "the image's daemon is the package's" cmp "$R/usr/sbin/ttyidle" \
	<(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/sbin/ttyidle)
# nothing but the daemon, its loader and libraries, /etc's links, copyrights
extra=$(cd "$R" 2>&1 && find . \( -type f -o -type l \) | LC_ALL=C sort | grep -Ev \
	'^\./(usr/sbin/ttyidle|usr/lib64/ld-linux-x86-64\.so\.2|usr/lib/x86_64-linux-gnu/lib[a-z0-9_-]+\.so\.[0-9]+|usr/share/doc/[a-z0-9.+-]+/copyright|etc/(passwd|group|nsswitch\.conf|ttyidle\.conf)|lib|lib64|sbin|var/run)$')
if [ -z "$extra" ]; then ok "image holds only the daemon, its libraries and their copyrights"; else bad "image contents" "$extra"; fi
check "no shell in the image" test ! -e "$R/bin/sh" -a ! -e "$R/usr/bin/sh"
labels=$(PYTHONPATH=tests/container $PY -c 'import ds2oci, sys
print(ds2oci.image_config(sys.argv[1])["config"]["Labels"]["io.github.ttyidle.debian-packages"])' "$tmp/oci1")
missing=""
for p in $labels; do
	[ -f "$R/usr/share/doc/${p%%=*}/copyright" ] || missing="$missing ${p%%=*}"
done
if [ -n "$labels" ] && [ -z "$missing" ]; then
	ok "a copyright for each Debian package in the image ($(echo "$labels" | wc -w))"
else
	bad "copyrights" "packages: $labels" "missing:$missing"
fi

# ---- the DaemonSet --------------------------------------------------------------
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' scripts/ttyidle.service)
check "DaemonSet: not privileged, host PID namespace, the unit's capabilities (+SYS_RESOURCE), read-only root" \
	$PY - "$MANIFEST" "$unit_caps" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
[ds] = [d for d in docs if d["kind"] == "DaemonSet"]
pod = ds["spec"]["template"]["spec"]
[c] = pod["containers"]
sc = c["securityContext"]
assert pod["hostPID"] is True
assert not pod.get("hostNetwork") and not pod.get("hostIPC"), "no host network or IPC"
assert sc["privileged"] is False and sc["allowPrivilegeEscalation"] is False
assert sc["readOnlyRootFilesystem"] is True and sc["runAsUser"] == 0
assert sc["capabilities"]["drop"] == ["ALL"], sc["capabilities"]
unit = sorted(x.replace("CAP_", "") for x in sys.argv[2].split())
want = sorted(unit + ["SYS_RESOURCE"])
assert sorted(sc["capabilities"]["add"]) == want, (sc["capabilities"]["add"], want)
assert sc["seccompProfile"]["type"] == "RuntimeDefault"
assert pod["automountServiceAccountToken"] is False
vols = {v["name"]: v for v in pod["volumes"]}
mounts = c["volumeMounts"]
assert {m["name"] for m in mounts} == set(vols), "every volume mounted, every mount a volume"
hp = {v["hostPath"]["path"] for v in vols.values() if "hostPath" in v}
assert hp == {"/sys/fs/bpf", "/sys/kernel/btf", "/sys/kernel/tracing", "/dev/pts", "/run/utmp",
              "/run/systemd/sessions", "/etc", "/run/ttyidle",
              "/var/lib/node-exporter/textfile"}, hp
ro = {m["mountPath"] for m in mounts if m.get("readOnly")}
assert {"/sys/kernel/btf", "/run/utmp", "/run/systemd/sessions", "/host/etc",
        "/etc/ttyidle.conf.d"} <= ro, ro
PY
# the args name options the daemon has
args=$($PY -c 'import sys,yaml
d=[x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"]=="DaemonSet"][0]
print(" ".join(a for a in d["spec"]["template"]["spec"]["containers"][0]["args"] if a.startswith("--")))' "$MANIFEST")
help=$(chroot "$R" /usr/sbin/ttyidle run --help 2>&1)
missing=""
for a in $args; do
	case $help in *"${a%%=*}"*) ;; *) missing="$missing $a" ;; esac
done
if [ -z "$missing" ]; then ok "DaemonSet args are options of ttyidle run:$args"; else bad "unknown options:$missing"; fi
# the ConfigMap's policy, as the daemon in the pod loads it: the image's
# /etc/ttyidle.conf, the ConfigMap as /etc/ttyidle.conf.d, the node's users
$PY - "$MANIFEST" "$tmp/cm" <<'PY'
import os, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
[cm] = [d for d in docs if d["kind"] == "ConfigMap"]
os.makedirs(sys.argv[2])
for k, v in cm["data"].items():
    open(os.path.join(sys.argv[2], k), "w").write(v)
PY
chmod 0755 "$tmp/cm"
if out=$(unshare -m --propagation private sh -c "
	mount --bind /etc '$R/host/etc' && mount --bind '$tmp/cm' '$R/etc/ttyidle.conf.d' &&
	chroot '$R' /usr/sbin/ttyidle check-config" 2>&1); then
	ok "the ConfigMap's policy loads in the image: $(echo "$out" | grep -m1 -i 'idle-timeout\|hangup' | tr -s ' ')"
else
	bad "the ConfigMap's policy loads in the image" "$out"
fi

# ---- the runtime configuration the VM bed runs ------------------------------------
mkdir -p "$tmp/ds"
check "ds2oci: the pod's runtime configuration" $PY tests/container/ds2oci.py "$MANIFEST" "$tmp/oci1" "$tmp/ds" /oci/bundle
check "ds2oci: capabilities, namespaces, read-only root, host paths" $PY - "$tmp/ds" <<'PY'
import json, sys
c = json.load(open(sys.argv[1] + "/config.json"))
caps = c["process"]["capabilities"]
assert sorted(caps["bounding"]) == sorted(["CAP_SYS_ADMIN", "CAP_KILL", "CAP_SYS_PTRACE",
                                           "CAP_DAC_OVERRIDE", "CAP_SYS_RESOURCE"]), caps
assert caps["bounding"] == caps["effective"] == caps["permitted"]
ns = {n["type"] for n in c["linux"]["namespaces"]}
assert "pid" not in ns and {"mount", "network", "ipc", "uts"} <= ns, ns
assert c["root"]["readonly"] is True and c["process"]["noNewPrivileges"] is True
assert c["process"]["args"][:2] == ["/usr/sbin/ttyidle", "run"], c["process"]["args"]
binds = {m["destination"]: m for m in c["mounts"] if m["type"] == "bind"}
assert binds["/host/etc"]["source"] == "/etc" and "ro" in binds["/host/etc"]["options"]
assert binds["/etc/ttyidle.conf.d"]["source"] == "/oci/bundle/configmaps/ttyidle-policy"
PY

# ---- alert rules ------------------------------------------------------------------
if promtool=$(scripts/fetch-promtool.sh 2>"$tmp/pt.err"); then
	check "promtool check rules" "$promtool" check rules scripts/container/ttyidle-alerts.yaml
	check "promtool test rules (tests/container/alerts_test.yaml)" \
		sh -c "cd tests/container && '$promtool' test rules alerts_test.yaml"
else
	bad "promtool" "$(cat "$tmp/pt.err")"
fi

echo "container: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
