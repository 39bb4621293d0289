#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-image.sh [--deb FILE | --bin FILE] [--out DIR]: the container image of ttyidle, as
# an OCI image layout (DIR, default build/oci; its tag is the package's
# version, with ~ + : as _),
# for the DaemonSet of scripts/container/ttyidle-daemonset.yaml. Push it with
#   skopeo copy oci:build/oci:TAG docker://REGISTRY/ttyidle:TAG
#
# The image holds the package's own files (the daemon, its default
# configuration, its copyright) and, from the Debian packages installed on
# this host, exactly the shared libraries the daemon loads (its ELF
# interpreter and DT_NEEDED closure) with each package's copyright: no shell,
# no package manager. /etc/passwd and /etc/group are symbolic links into
# /host/etc, where the DaemonSet mounts the node's /etc. The packages and
# versions it took are in the image's labels.
#
# Reproducible: the same .deb and the same host packages give the same
# bytes, hence the same digest (every time stamp is SOURCE_DATE_EPOCH, the
# package's build date; owners are 0; entries are sorted; gzip stores no
# name or time). tests/container/run.sh builds it twice and compares.
#
# Environment: OUT/DEB as the options; without --deb the package is built
# first (scripts/build-deb.sh). --bin FILE takes a daemon built from this tree
# (`make`) with the tree's scripts/ttyidle.conf and LICENSE instead of a
# package: the VM bed's image (tests/container/bundle.sh), tagged with the
# daemon's own version.
set -euo pipefail
umask 022
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

die() {
	echo "build-image: $*" >&2
	exit 1
}

DEB=${DEB:-}
BIN=""
OUT=${OUT:-build/oci}
while [[ $# -gt 0 ]]; do
	case $1 in
	--deb)
		[[ $# -ge 2 && -n $2 ]] || die "--deb needs a .deb file"
		DEB=$2
		shift 2
		;;
	--bin)
		[[ $# -ge 2 && -n $2 ]] || die "--bin needs the daemon's executable"
		BIN=$2
		shift 2
		;;
	--out)
		[[ $# -ge 2 && -n $2 ]] || die "--out needs a directory"
		OUT=$2
		shift 2
		;;
	-h | --help)
		sed -n '3,5p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument '$1' (--deb FILE, --bin FILE, --out DIR)" ;;
	esac
done

[[ $(uname -m) == x86_64 ]] || die "builds the amd64 image on an amd64 host only (this is $(uname -m))"
MULTIARCH=x86_64-linux-gnu
for c in dpkg-deb dpkg-query readelf tar gzip sha256sum python3; do
	command -v "$c" >/dev/null || die "$c not found (scripts/setup.sh installs what is needed)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ttyidle-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg root=$work/root
mkdir -p "$pkg" "$root"
if [[ -n $BIN ]]; then
	[[ -z $DEB ]] || die "--deb and --bin: one or the other"
	[[ -x $BIN ]] || die "$BIN: no such executable (run make)"
	version=$("$BIN" --version | awk '{ print $2; exit }')
	[[ -n $version ]] || die "$BIN --version printed no version"
	epoch=$(git log -1 --format=%ct 2>/dev/null) || die "--bin needs a git checkout (build date)"
	deb_sha=none
	install -D -m 0755 "$BIN" "$pkg/usr/sbin/ttyidle"
	install -D -m 0644 scripts/ttyidle.conf "$pkg/etc/ttyidle.conf"
	install -D -m 0644 LICENSE "$pkg/usr/share/doc/ttyidle/copyright"
else
	if [[ -z $DEB ]]; then
		scripts/build-deb.sh >&2 || die "building the package failed"
		DEB=$(ls -t build/ttyidle_*_amd64.deb 2>/dev/null | head -n1)
		[[ -n $DEB ]] || die "scripts/build-deb.sh left no build/ttyidle_*_amd64.deb"
	fi
	[[ -f $DEB ]] || die "$DEB: no such package file"
	dpkg-deb -f "$DEB" Package 2>/dev/null | grep -qx ttyidle || die "$DEB: not a ttyidle package"
	arch=$(dpkg-deb -f "$DEB" Architecture)
	[[ $arch == amd64 ]] || die "$DEB: architecture $arch, expected amd64"
	version=$(dpkg-deb -f "$DEB" Version)
	# the package's build date: its files' mtime (dpkg-deb clamps them to SOURCE_DATE_EPOCH)
	epoch=$(dpkg-deb --fsys-tarfile "$DEB" | tar -tv --full-time ./usr/sbin/ttyidle |
		awk '{ print $4 "T" $5 }' | xargs -I{} date -u -d {} +%s) ||
		die "$DEB: no ./usr/sbin/ttyidle"
	deb_sha=$(sha256sum <"$DEB" | cut -d' ' -f1)
	dpkg-deb -x "$DEB" "$pkg"
fi
# an OCI tag is [A-Za-z0-9_.-]: Debian's ~ + : become _
tag=$(printf '%s' "$version" | tr -c 'A-Za-z0-9_.-' _)
export SOURCE_DATE_EPOCH=$epoch


# ---- the root file system -----------------------------------------------------
cd "$root"
mkdir -p usr/sbin usr/lib/$MULTIARCH usr/lib64 etc/ttyidle.conf.d proc sys dev run/ttyidle \
	tmp host/etc var/lib/node-exporter/textfile usr/share/doc
ln -s usr/lib lib
ln -s usr/lib64 lib64
ln -s usr/sbin sbin
ln -s ../run var/run # glibc's utmp path is /var/run/utmp
chmod 1777 tmp
install -m 0755 "$pkg/usr/sbin/ttyidle" usr/sbin/ttyidle
install -m 0644 "$pkg/etc/ttyidle.conf" etc/ttyidle.conf
install -D -m 0644 "$pkg/usr/share/doc/ttyidle/copyright" usr/share/doc/ttyidle/copyright
ln -s /host/etc/passwd etc/passwd
ln -s /host/etc/group etc/group
printf 'passwd: files\ngroup: files\nshadow: files\n' >etc/nsswitch.conf
chmod 0644 etc/nsswitch.conf

# The interpreter and DT_NEEDED closure, found where this host's loader
# finds them, each file by its own name (a library's soname link is
# replaced by the file it names).
declare -A LIBS=() OWNERS=()
need() { # ELF
	local f=$1 n d p interp
	interp=$(readelf -lW "$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [[ -n $interp && -z ${LIBS[$interp]:-} ]]; then
		LIBS[$interp]=/usr/lib64/${interp##*/}
		interp_name=${interp##*/}
	fi
	for n in $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		p=""
		for d in /lib/$MULTIARCH /usr/lib/$MULTIARCH; do
			[[ -e $d/$n ]] && p=$d/$n && break
		done
		[[ -n $p ]] || die "$f needs $n, not found in /lib/$MULTIARCH or /usr/lib/$MULTIARCH"
		[[ -n ${LIBS[$p]:-} ]] && continue
		# libc names the interpreter too: one copy, where PT_INTERP says
		[[ $n == "${interp_name:-}" ]] && continue
		LIBS[$p]=/usr/lib/$MULTIARCH/$n
		need "$p"
	done
}
need usr/sbin/ttyidle
for src in "${!LIBS[@]}"; do
	dst=${LIBS[$src]}
	cp -L "$src" ".$dst"
	chmod 0644 ".$dst"
	# dpkg -S names the owner by the path dpkg installed (usr-merge: either)
	o=$(dpkg-query -S "$src" 2>/dev/null || dpkg-query -S "$(realpath "$src")" 2>/dev/null ||
		dpkg-query -S "/usr$src" 2>/dev/null || true)
	o=${o%%:*}
	o=${o%%,*}
	[[ -n $o ]] || die "$src: no Debian package owns it"
	OWNERS[$o]=1
done
chmod 0755 usr/lib64/ld-linux-x86-64.so.2
pkgs=""
for o in $(printf '%s\n' "${!OWNERS[@]}" | LC_ALL=C sort); do
	v=$(dpkg-query -W -f='${Version}' "$o:amd64" 2>/dev/null || dpkg-query -W -f='${Version}' "$o")
	pkgs="$pkgs${pkgs:+ }$o=$v"
	[[ -f /usr/share/doc/$o/copyright ]] ||
		die "/usr/share/doc/$o/copyright missing (reinstall $o): the image must carry it"
	install -D -m 0644 "/usr/share/doc/$o/copyright" "usr/share/doc/$o/copyright"
done
find . -type d -exec chmod 0755 {} +
chmod 1777 tmp
cd "$top"

# ---- layer, config, manifest, index ---------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT/blobs/sha256"
tar -C "$root" --sort=name --format=posix --numeric-owner --owner=0 --group=0 \
	--mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime \
	--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
	-cf "$work/layer.tar" .
gzip -n -9 -c "$work/layer.tar" >"$work/layer.tar.gz"
OCI_OUT=$OUT VERSION=$version TAG=$tag PKGS=$pkgs DEB_SHA=$deb_sha \
	python3 - "$work/layer.tar" "$work/layer.tar.gz" <<'PY'
import hashlib, json, os, sys, time

out, version, tag = os.environ["OCI_OUT"], os.environ["VERSION"], os.environ["TAG"]
epoch = int(os.environ["SOURCE_DATE_EPOCH"])
created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))

def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)

def js(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()

tar = open(sys.argv[1], "rb").read()
layer_digest, layer_size = blob(open(sys.argv[2], "rb").read())
labels = {
    "org.opencontainers.image.title": "ttyidle",
    "org.opencontainers.image.description": "End idle login sessions, from what the kernel sees on each terminal",
    "org.opencontainers.image.version": version,
    "org.opencontainers.image.licenses": "GPL-2.0-only",
    "org.opencontainers.image.created": created,
    "io.github.ttyidle.package-sha256": os.environ["DEB_SHA"],
    "io.github.ttyidle.debian-packages": os.environ["PKGS"],
}
config = {
    "architecture": "amd64",
    "os": "linux",
    "created": created,
    "config": {
        "User": "0:0",
        "Entrypoint": ["/usr/sbin/ttyidle"],
        "Cmd": ["run"],
        "Env": ["PATH=/usr/sbin:/usr/bin"],
        "WorkingDir": "/",
        "StopSignal": "SIGTERM",
        "Labels": labels,
    },
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
    "history": [{"created": created, "created_by": "scripts/container/build-image.sh"}],
}
config_digest, config_size = blob(js(config))
manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
               "digest": config_digest, "size": config_size},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": layer_digest, "size": layer_size}],
    "annotations": {"org.opencontainers.image.version": version,
                    "org.opencontainers.image.created": created},
}
manifest_digest, manifest_size = blob(js(manifest))
index = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "digest": manifest_digest, "size": manifest_size,
                   "platform": {"architecture": "amd64", "os": "linux"},
                   "annotations": {"org.opencontainers.image.ref.name": tag}}],
}
open(os.path.join(out, "index.json"), "wb").write(js(index))
open(os.path.join(out, "oci-layout"), "wb").write(js({"imageLayoutVersion": "1.0.0"}))
print(f"image: {out} tag {tag} manifest {manifest_digest} layer {layer_size} bytes")
PY
