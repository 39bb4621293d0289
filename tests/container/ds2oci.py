#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ds2oci.py: the OCI runtime configuration (config.json) that a node's
kubelet and containerd give the DaemonSet's container, for running the image
with crun in the VM bed: the same process (the image's entrypoint, the
manifest's args with $(VAR) expanded from its env), user, capabilities,
no_new_privs, read-only root, namespaces (the node's PID namespace with
hostPID), masked and read-only /proc paths, and the manifest's volumes as
bind mounts of the same host paths in the same order.

Not reproduced, on purpose: cgroup limits (crun runs with
--cgroup-manager=disabled in the VM), the runtime's seccomp profile
(RuntimeDefault: containerd's allows bpf(2) and perf_event_open(2) to a
holder of CAP_SYS_ADMIN), AppArmor (none in the VM), /etc/hosts and
/etc/resolv.conf (the daemon has no network).

usage: ds2oci.py MANIFEST IMAGE_LAYOUT BUNDLE BUNDLE_IN_VM
  IMAGE_LAYOUT is the OCI image layout of build-image.sh (its one image).
  Writes BUNDLE/config.json; BUNDLE/configmaps/<name>/<key> from each
  ConfigMap the pod mounts (the source of that volume is
  BUNDLE_IN_VM/configmaps/<name>, where a test may put its own policy
  instead); and BUNDLE/hostpaths, a line "TYPE PATH" per hostPath volume,
  for the VM to check or create as kubelet does before it starts the pod.
"""
import json
import os
import re
import sys

import yaml

# containerd's default capabilities (oci.defaultUnixCaps); "drop: [ALL]" empties them
DEFAULT_CAPS = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
                "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
                "AUDIT_WRITE"]
MASKED = ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
          "/proc/scsi", "/sys/devices/virtual/powercap"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
PROPAGATION = {None: "rprivate", "None": "rprivate", "HostToContainer": "rslave",
               "Bidirectional": "rshared"}


def die(msg):
    sys.stderr.write(f"ds2oci: {msg}\n")
    sys.exit(1)


def image_config(layout):
    """The image configuration of the one image in an OCI layout directory."""
    def blob(digest):
        with open(os.path.join(layout, "blobs", *digest.split(":", 1))) as f:
            return json.load(f)
    with open(os.path.join(layout, "index.json")) as f:
        [m] = json.load(f)["manifests"]
    return blob(blob(m["digest"])["config"]["digest"])


def docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def expand(s, env):
    # kubelet's $(VAR) expansion; $$ is a literal $
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), s)


def main():
    if len(sys.argv) != 5:
        die("usage: ds2oci.py MANIFEST IMAGE_LAYOUT BUNDLE BUNDLE_IN_VM")
    manifest, layout, bundle, vm_bundle = sys.argv[1:]
    hostpaths = []
    objs = docs(manifest)
    ds = [o for o in objs if o.get("kind") == "DaemonSet"]
    if len(ds) != 1:
        die(f"{manifest}: expected one DaemonSet, found {len(ds)}")
    cms = {o["metadata"]["name"]: o for o in objs if o.get("kind") == "ConfigMap"}
    pod = ds[0]["spec"]["template"]["spec"]
    if len(pod["containers"]) != 1:
        die(f"{manifest}: expected one container")
    c = pod["containers"][0]
    sc = c.get("securityContext", {})
    if sc.get("privileged"):
        die(f"{manifest}: privileged containers are not what this bed tests")
    img = image_config(layout)["config"]

    env = dict(e.split("=", 1) for e in img.get("Env", []))
    for e in c.get("env", []):
        if "value" not in e:
            die(f"{manifest}: env {e.get('name')}: only plain values are supported")
        env[e["name"]] = expand(str(e["value"]), env)
    entry = c.get("command") or img.get("Entrypoint") or []
    args = c.get("args") if "args" in c else (img.get("Cmd") or [])
    argv = [expand(a, env) for a in entry] + [expand(a, env) for a in args]

    caps = [] if "ALL" in sc.get("capabilities", {}).get("drop", []) else list(DEFAULT_CAPS)
    caps = [x for x in caps if x not in sc.get("capabilities", {}).get("drop", [])]
    caps += [x for x in sc.get("capabilities", {}).get("add", []) if x not in caps]
    caps = ["CAP_" + x for x in caps]

    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
    ]
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        v = vols.get(m["name"])
        if v is None:
            die(f"{manifest}: volumeMount {m['name']} has no volume")
        opts = ["rbind", PROPAGATION.get(m.get("mountPropagation"), "rprivate")]
        if m.get("readOnly"):
            opts.append("ro")
        if "hostPath" in v:
            src = v["hostPath"]["path"]
            hostpaths.append(f"{v['hostPath'].get('type') or '-'} {src}")
        elif "configMap" in v:
            name = v["configMap"]["name"]
            if name not in cms:
                die(f"{manifest}: volume {m['name']}: no ConfigMap {name} in the manifest")
            d = os.path.join(bundle, "configmaps", name)
            os.makedirs(d, mode=0o755, exist_ok=True)
            for k, text in cms[name].get("data", {}).items():
                with open(os.path.join(d, k), "w") as f:
                    f.write(text)
            src = os.path.join(vm_bundle, "configmaps", name)
        elif "emptyDir" in v:
            mounts.append({"destination": m["mountPath"], "type": "tmpfs", "source": "tmpfs",
                           "options": ["nosuid", "nodev", "mode=755"]})
            continue
        else:
            die(f"{manifest}: volume {m['name']}: only hostPath, configMap and emptyDir")
        mounts.append({"destination": m["mountPath"], "type": "bind", "source": src,
                       "options": opts})

    ns = [{"type": "mount"}, {"type": "cgroup"}]
    if not pod.get("hostPID"):
        ns.append({"type": "pid"})
    if not pod.get("hostIPC"):
        ns.append({"type": "ipc"})
    if not pod.get("hostNetwork"):
        ns += [{"type": "network"}, {"type": "uts"}]

    spec = {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": int(sc.get("runAsUser", 0)), "gid": int(sc.get("runAsGroup", 0))},
            "args": argv,
            "env": [f"{k}={v}" for k, v in env.items()],
            "cwd": img.get("WorkingDir") or "/",
            "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
            "noNewPrivileges": not sc.get("allowPrivilegeEscalation", True),
        },
        "root": {"path": "rootfs", "readonly": bool(sc.get("readOnlyRootFilesystem"))},
        "hostname": "ttyidle",
        "mounts": mounts,
        "linux": {"namespaces": ns, "maskedPaths": MASKED, "readonlyPaths": READONLY},
    }
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(spec, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(bundle, "hostpaths"), "w") as f:
        f.write("".join(h + "\n" for h in hostpaths))


if __name__ == "__main__":
    main()
