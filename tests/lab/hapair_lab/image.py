"""Build (once) and cache the Debian 12 base image the lab VMs boot from.

The image is a raw ext4 filesystem with no partition table or bootloader:
QEMU boots its kernel directly. Everything the roles need is installed at
build time because the VMs have no route out. The cache key is a hash of the
recipe below, so changing a package list or a boot file rebuilds it.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

SUITE = "bookworm"
ROOT_LABEL = "hapair-root"
ROOT_FS_SIZE = "3G"

# Every package a role, a test or a benchmark will use on the nodes.
PACKAGES = [
    # boot and access
    "linux-image-amd64", "systemd-sysv", "udev", "kmod", "dbus", "openssh-server",
    "python3", "python3-apt", "sudo",
    # network
    "iproute2", "iputils-ping", "ethtool", "nftables", "iperf3", "netcat-openbsd",
    # disks and the mirror
    "drbd-utils", "xfsprogs", "e2fsprogs", "parted", "gdisk", "lvm2", "fio",
    # time, backups, the example application, tools
    "chrony", "restic", "postgresql", "rsync", "jq", "procps", "psmisc", "lsof",
]

# EL7's interpreters (issue 16): the host's pyenv builds of CPython 2.7 and 3.6, copied into
# the image at /opt/python/<X.Y> with nothing else changed, so that a scenario can run its
# nodes on them (labctl up --python). They link against the same Debian 12 libraries; the
# builds' RUNPATH names the host's pyenv prefix, so ld.so.conf.d points at their lib/.
PYTHONS = {"2.7": "2.7.18", "3.6": "3.6.15"}
PYTHON_PREFIX = "/opt/python"
# Left out of the copy: the interpreters' own test suites, static libraries, GUI and IDE
# modules, and whatever the host installed into site-packages (pip, setuptools).
PYTHON_SKIP = ["test", "tests", "idlelib", "lib-tk", "tkinter", "turtledemo", "ensurepip",
               "site-packages", "include", "share", "pkgconfig", "*.a", "*.pyo", "_tkinter*.so"]

# Units that must not start on their own in the lab: the roles decide.
DISABLED_UNITS = [
    "postgresql.service", "apt-daily.timer", "apt-daily-upgrade.timer",
    "e2scrub_all.timer", "e2scrub_reap.service", "fstrim.timer", "man-db.timer",
]

DEMO_APP = r"""#!/usr/bin/python3
# The lab's application: appends numbered, fsynced records to the mirror and
# answers HTTP GET with "<host> <seq> <writer> <wseq>" (the last record whose
# fsync returned). Each run is a writer of its own (host and start time in ms)
# that numbers its records wseq 1, 2, ...; a record line is
# "<seq> <host> <time> <writer> <wseq>". A client told wseq N of writer W may
# expect W's records 1..N on whichever node is Primary next
# (tests/lab/hapair_lab/ledger.py); seq goes on from the highest in the copy.
import os, signal, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, HTTPServer

path = os.path.join(sys.argv[1], "demo", "records.log")
rate = float(os.environ.get("HAPAIR_DEMO_RATE", "20"))
os.makedirs(os.path.dirname(path), exist_ok=True)
host = socket.gethostname()
writer = "%s-%d" % (host, int(time.time() * 1000))
acked = 0
wacked = 0
if os.path.exists(path):
    with open(path, "rb") as f:
        for line in f:
            fields = line.split()
            if fields and fields[0].isdigit():
                acked = max(acked, int(fields[0]))


def write():
    global acked, wacked
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    while True:
        seq, wseq = acked + 1, wacked + 1
        os.write(fd, ("%d %s %.3f %s %d\n" % (seq, host, time.time(), writer, wseq)).encode())
        os.fsync(fd)
        acked, wacked = seq, wseq
        time.sleep(1.0 / rate)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("%s %d %s %d\n" % (host, acked, writer, wacked)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
threading.Thread(target=write, daemon=True).start()
HTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
"""

FILES = {
    "/etc/fstab": "LABEL=%s / ext4 defaults,noatime,errors=remount-ro 0 1\n" % ROOT_LABEL,
    "/etc/hostname": "hapair-lab\n",
    "/etc/hosts": "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
    "/etc/resolv.conf": "",
    # The access NIC (PCI slot 3) is only for SSH forwarded by QEMU on the
    # host's loopback: a static address, no gateway, no DNS. Nothing inside
    # the VM can reach anything through it but the forwarded connections.
    "/etc/systemd/network/10-access.network": (
        "[Match]\nPath=pci-0000:00:03.0\n\n"
        "[Network]\nAddress=10.0.2.15/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
    ),
    "/etc/initramfs-tools/conf.d/resume": "RESUME=none\n",
    "/etc/ld.so.conf.d/hapair-lab-python.conf": "".join(
        "%s/%s/lib\n" % (PYTHON_PREFIX, short) for short in sorted(PYTHONS)),
    # The lab's stand-in for the application (GreenArrow in the seed): it
    # appends a fsynced line a second to the mirror and answers HTTP on 8080
    # (forwarded to the host's loopback), so a probe outside the VMs sees
    # which node serves and when the service is gone.
    "/etc/systemd/system/hapair-demo.service": (
        "[Unit]\nDescription=hapair lab demo application (writes to the mirror)\n"
        "ConditionPathIsMountPoint=/srv/hapair\n\n"
        "[Service]\nExecStart=/usr/bin/python3 /usr/local/bin/hapair-demo /srv/hapair\n"
        "Restart=on-failure\n"
    ),
    "/usr/local/bin/hapair-demo": DEMO_APP,

    "/etc/ssh/sshd_config.d/hapair-lab.conf": (
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\nUseDNS no\n"
    ),
    "/etc/systemd/system/hapair-lab-identity.service": (
        "[Unit]\n"
        "Description=hapair lab: take this VM's identity from QEMU fw_cfg\n"
        "DefaultDependencies=no\n"
        "After=systemd-remount-fs.service systemd-modules-load.service\n"
        "Before=network-pre.target systemd-networkd.service ssh.service\n"
        "Wants=network-pre.target\n\n"
        "[Service]\nType=oneshot\nRemainAfterExit=yes\n"
        "ExecStart=/usr/local/sbin/hapair-lab-identity\n\n"
        "[Install]\nWantedBy=sysinit.target\n"
    ),
    # Runs at every boot; idempotent. What a hosting provider would have set
    # up: host name, root's SSH key, and the service network address.
    "/usr/local/sbin/hapair-lab-identity": r"""#!/bin/sh
set -u
modprobe qemu_fw_cfg 2>/dev/null || true
cfg=/sys/firmware/qemu_fw_cfg/by_name/opt/hapair
get() { [ -r "$cfg/$1/raw" ] && cat "$cfg/$1/raw"; }
name=$(get hostname) || exit 0
echo "$name" > /etc/hostname
hostname "$name"
grep -q " $name\$" /etc/hosts || echo "127.0.1.1 $name" >> /etc/hosts
# The lab's key goes to authorized_keys2, so that authorized_keys stays the
# roles' own (the mirror role authorizes the peer's fencing key there).
install -d -m 0700 /root/.ssh
get authorized_keys > /root/.ssh/authorized_keys2.new && mv /root/.ssh/authorized_keys2.new /root/.ssh/authorized_keys2
chmod 0600 /root/.ssh/authorized_keys2
addr=$(get service_address)
if [ -n "$addr" ]; then
  printf '[Match]\nPath=pci-0000:00:04.0\n\n[Network]\nAddress=%s\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n' "$addr" \
    > /etc/systemd/network/20-service.network
fi
[ -e /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A
""",
}

SETUP_SCRIPT = r"""
set -e
export DEBIAN_FRONTEND=noninteractive
chmod 0755 /usr/local/sbin/hapair-lab-identity
passwd -l root
rm -f /etc/ssh/ssh_host_*
systemctl enable systemd-networkd.service ssh.service hapair-lab-identity.service
systemctl disable %(disabled)s || true
systemctl mask systemd-networkd-wait-online.service
ldconfig
update-initramfs -u -k all
apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/*.log /tmp/*
: > /etc/machine-id
""" % {"disabled": " ".join(DISABLED_UNITS)}

CMDLINE = "root=LABEL=%s rw console=ttyS0 quiet net.ifnames=1 mitigations=off" % ROOT_LABEL


def cache_root():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hapair-lab")


def recipe_hash():
    h = hashlib.sha256()
    pythons = " ".join("%s=%s" % item for item in sorted(PYTHONS.items()))
    for part in [SUITE, ROOT_LABEL, ROOT_FS_SIZE, " ".join(PACKAGES), " ".join(DISABLED_UNITS), SETUP_SCRIPT,
                 pythons, PYTHON_PREFIX, " ".join(PYTHON_SKIP)]:
        h.update(part.encode() + b"\0")
    for path in sorted(FILES):
        h.update(path.encode() + b"\0" + FILES[path].encode() + b"\0")
    return h.hexdigest()[:16]


def image_dir():
    return os.path.join(cache_root(), recipe_hash())


def host_mirror():
    """The Debian mirror this host's apt already uses (overridable)."""
    if os.environ.get("HAPAIR_LAB_MIRROR"):
        return os.environ["HAPAIR_LAB_MIRROR"]
    texts = []
    for path in ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]:
        if os.path.exists(path):
            with open(path) as f:
                texts.append(f.read())
    for text in texts:
        for block in text.split("\n\n"):
            uris = re.search(r"^URIs:\s*(\S+)", block, re.M)
            if uris and re.search(r"^Suites:.*\b%s\b" % SUITE, block, re.M) and "security" not in uris.group(1):
                return uris.group(1)
        m = re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+%s\s" % SUITE, text, re.M)
        if m:
            return m.group(1)
    raise SystemExit("labctl: cannot find a Debian mirror in this host's apt sources; set HAPAIR_LAB_MIRROR")


def host_python_builds():
    """{"2.7": "/root/.pyenv/versions/2.7.18", ...}: the host builds the image copies."""
    root = os.environ.get("PYENV_ROOT") or os.path.join(os.path.expanduser("~"), ".pyenv")
    builds = {short: os.path.join(root, "versions", full) for short, full in PYTHONS.items()}
    missing = ["Python %s (%s)" % (PYTHONS[short], path) for short, path in sorted(builds.items())
               if not os.access(os.path.join(path, "bin", "python" + short), os.X_OK)]
    if missing:
        raise SystemExit("labctl: the lab image carries EL7's interpreters copied from this host's pyenv builds; "
                         "missing: %s. Build them with 'pyenv install' or set PYENV_ROOT." % ", ".join(missing))
    return builds


def copy_pythons(root, log):
    for short, src in sorted(host_python_builds().items()):
        dest = root + "%s/%s" % (PYTHON_PREFIX, short)
        log.write("+ copy %s -> %s\n" % (src, dest))
        shutil.copytree(src, dest, symlinks=True, ignore=shutil.ignore_patterns(*PYTHON_SKIP))


def _run(cmd, log):
    log.write("+ %s\n" % " ".join(cmd))
    log.flush()
    subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)


def ensure_image(say=print):
    """Return the directory holding rootfs.raw, vmlinuz and initrd.img."""
    out = image_dir()
    if os.path.exists(os.path.join(out, "ready")):
        return out
    host_python_builds()
    for tool in ("debootstrap", "mkfs.ext4", "chroot"):
        if not shutil.which(tool):
            raise SystemExit("labctl: %s is missing; run 'make lab' (it installs the host packages)" % tool)
    work = out + ".build"
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    root = os.path.join(work, "root")
    log_path = os.path.join(work, "build.log")
    started = time.time()
    say("building the lab image %s (debootstrap %s; a few minutes, log: %s)" % (recipe_hash(), SUITE, log_path))
    with open(log_path, "w") as log:
        _run(["debootstrap", "--variant=minbase", "--include=" + ",".join(PACKAGES),
              SUITE, root, host_mirror()], log)
        for path, content in FILES.items():
            target = root + path
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as f:
                f.write(content)
        copy_pythons(root, log)
        _run(["chroot", root, "/bin/sh", "-c", SETUP_SCRIPT], log)
        kernels = sorted(n for n in os.listdir(os.path.join(root, "boot")) if n.startswith("vmlinuz-"))
        if not kernels:
            raise SystemExit("labctl: the image has no kernel; see %s" % log_path)
        version = kernels[-1][len("vmlinuz-"):]
        shutil.copy(os.path.join(root, "boot", "vmlinuz-" + version), os.path.join(work, "vmlinuz"))
        shutil.copy(os.path.join(root, "boot", "initrd.img-" + version), os.path.join(work, "initrd.img"))
        _run(["mkfs.ext4", "-q", "-F", "-L", ROOT_LABEL, "-d", root,
              os.path.join(work, "rootfs.raw"), ROOT_FS_SIZE], log)
    shutil.rmtree(root)
    with open(os.path.join(work, "build-seconds"), "w") as f:
        f.write("%.0f\n" % (time.time() - started))
    open(os.path.join(work, "ready"), "w").close()
    shutil.rmtree(out, ignore_errors=True)
    os.rename(work, out)
    # Older recipes' images are dead weight (about 1 GB each).
    for name in os.listdir(cache_root()):
        path = os.path.join(cache_root(), name)
        if path != out and os.path.isdir(path) and not name.endswith(".build"):
            shutil.rmtree(path, ignore_errors=True)
    say("lab image built in %.0f s" % (time.time() - started))
    return out


def ensure_partitioned_image(unallocated_bytes, say=print):
    """The seed's other layout: one disk, a root partition, the rest unallocated.

    Made from the same root filesystem: a GPT disk whose first partition is
    rootfs.raw, followed by `unallocated_bytes` of free space.
    """
    src_dir = ensure_image(say)
    name = "disk-gpt-%d.raw" % unallocated_bytes
    out = os.path.join(src_dir, name)
    if os.path.exists(out):
        return out
    rootfs = os.path.join(src_dir, "rootfs.raw")
    mib = 1024 * 1024
    root_size = os.path.getsize(rootfs)
    total = mib + root_size + unallocated_bytes + mib
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.truncate(total)
    script = "label: gpt\nstart=2048, size=%d, type=linux, name=root\n" % (root_size // 512)
    subprocess.run(["sfdisk", "--quiet", tmp], input=script.encode(), check=True)
    subprocess.run(["dd", "if=" + rootfs, "of=" + tmp, "bs=1M", "seek=1", "conv=notrunc,sparse",
                    "status=none"], check=True)
    os.rename(tmp, out)
    return out


if __name__ == "__main__":
    sys.stdout.write(ensure_image() + "\n")
