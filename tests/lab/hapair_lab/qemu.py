"""One lab VM as a QEMU process: its command line, start, stop, and the QMP monitor.

Layout of one node (PCI slots are fixed so that the guest's names are too):
  slot 3  access NIC       user-mode networking, restrict=on, SSH forwarded on 127.0.0.1
  slot 4  service NIC      tap on the lab namespace's br-service (the servers' LAN)
  slot 5  replication NIC  tap on the lab namespace's br-repl (the point-to-point link)
  slot 6  root disk        qcow2 overlay on the shared, read-only base image
  slot 7  spare disk       raw, sparse (layouts "extra-disk" and "lvm")
The access NIC also carries the lab's backup server: QEMU's guestfwd turns a
connection from a VM to 10.0.2.100:22 into a fresh `sshd -i` on the host, an
OpenSSH that serves SFTP only (backup_server.py). It listens on no port.
"""

import json
import os
import signal
import socket
import subprocess
import time

from . import image

MEMORY_MB = int(os.environ.get("HAPAIR_LAB_MEMORY", "1024"))
BACKUP_ADDRESS = "10.0.2.100"
SLOTS = {"service": 4, "replication": 5}


class QemuError(Exception):
    pass


def all_cpus():
    """Let the VM run on every CPU. labctl may be started by a process pinned to one CPU:
    mitogen's strategy (molecule's create step) pins the subprocesses it starts to all CPUs but
    the one its multiplexer has, which on a 2-CPU machine left both VMs sharing one core and
    booting in 85 s instead of 35."""
    try:
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    except OSError:
        pass   # a cgroup cpuset narrower than cpu_count(): keep what we were given


def mac(kind, index):
    return "52:54:00:%s:00:%02x" % ({"access": "a0", "service": "5e", "replication": "d0"}[kind], index)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); look at its state.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def choose_accel(img):
    """KVM only where the CPU offers it and a stock kernel really boots on it."""
    forced = os.environ.get("HAPAIR_LAB_ACCEL")
    if forced in ("kvm", "tcg"):
        return forced, "forced by HAPAIR_LAB_ACCEL"
    with open("/proc/cpuinfo") as f:
        flags = f.read()
    if " vmx" not in flags and " svm" not in flags:
        return "tcg", "the CPU has no vmx/svm flag (/dev/kvm here is a nested hypervisor that cannot boot a stock kernel)"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "/dev/kvm is not usable"
    # Smoke boot: the kernel must reach its "cannot mount root" panic.
    try:
        out = subprocess.run(
            ["qemu-system-x86_64", "-accel", "kvm", "-m", "256", "-display", "none", "-no-reboot",
             "-serial", "stdio", "-kernel", os.path.join(img, "vmlinuz"),
             "-append", "console=ttyS0 panic=-1 root=/dev/nonexistent"],
            capture_output=True, timeout=60, check=False).stdout
    except subprocess.TimeoutExpired:
        return "tcg", "a smoke boot under KVM hung"
    if b"Kernel panic" in out or b"VFS" in out:
        return "kvm", "smoke boot under KVM succeeded"
    return "tcg", "a smoke boot under KVM failed"


class Vm(object):
    """The QEMU process of one node; `d` is its directory under .lab/."""

    def __init__(self, name, index, d):
        self.name = name
        self.index = index
        self.d = d

    @property
    def pid_path(self):
        return os.path.join(self.d, "qemu.pid")

    def pid(self):
        try:
            with open(self.pid_path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def running(self):
        pid = self.pid()
        return pid is not None and pid_alive(pid)

    def argv(self, state, tap_fds, sshd_config, authorized_key, service_address):
        """QEMU's command line; `tap_fds` maps service/replication to open tap descriptors."""
        img = state["image"]
        ports = state["ports"][self.name]
        accel = state["accel"]
        argv = [
            "qemu-system-x86_64", "-name", self.name, "-nodefaults", "-machine", "pc", "-accel", accel,
            "-cpu", "host" if accel == "kvm" else "max", "-smp", "1", "-m", str(MEMORY_MB),
            "-kernel", os.path.join(img, "vmlinuz"), "-initrd", os.path.join(img, "initrd.img"),
            "-append", image.CMDLINE,
            "-display", "none", "-serial", "file:" + os.path.join(self.d, "console.log"),
            "-qmp", "unix:%s,server=on,wait=off" % os.path.join(self.d, "qmp.sock"),
            "-pidfile", self.pid_path, "-daemonize",
            "-fw_cfg", "name=opt/hapair/hostname,string=" + self.name,
            "-fw_cfg", "name=opt/hapair/service_address,string=" + service_address,
            "-fw_cfg", "name=opt/hapair/authorized_keys,file=" + authorized_key,
            "-netdev", "user,id=access,restrict=on,net=10.0.2.0/24,"
                       "hostfwd=tcp:127.0.0.1:%d-10.0.2.15:22,hostfwd=tcp:127.0.0.1:%d-10.0.2.15:5432,"
                       "hostfwd=tcp:127.0.0.1:%d-10.0.2.15:8080,"
                       "guestfwd=tcp:%s:22-cmd:/usr/sbin/sshd -i -f %s"
                       % (ports["ssh"], ports["postgres"], ports["http"], BACKUP_ADDRESS, sshd_config),
            "-device", "virtio-net-pci,id=nic-access,netdev=access,mac=%s,addr=0x3" % mac("access", self.index),
        ]
        for kind in ("service", "replication"):
            argv += ["-netdev", "tap,id=%s,fd=%d,vhost=off" % (kind, tap_fds[kind]),
                     "-device", "virtio-net-pci,id=nic-%s,netdev=%s,mac=%s,addr=0x%x"
                     % (kind, kind, mac(kind, self.index), SLOTS[kind])]
        argv += ["-drive", "file=%s,format=qcow2,if=none,id=root,cache=writeback,discard=unmap"
                 % os.path.join(self.d, "root.qcow2"),
                 "-device", "virtio-blk-pci,drive=root,serial=hapair-root,addr=0x6"]
        if state["layout"] in ("extra-disk", "lvm"):
            argv += ["-drive", "file=%s,format=raw,if=none,id=spare,cache=writeback"
                     % os.path.join(self.d, "spare.raw"),
                     "-device", "virtio-blk-pci,drive=spare,serial=hapair-spare,addr=0x7"]
        return argv

    def launch(self, argv, tap_fds):
        """Start QEMU (it daemonizes once set up); the tap descriptors are handed over and closed here."""
        for stale in ("qemu.pid", "qmp.sock"):
            if os.path.exists(os.path.join(self.d, stale)):
                os.remove(os.path.join(self.d, stale))
        with open(os.path.join(self.d, "console.log"), "a") as f:
            f.write("\n=== labctl: start %s ===\n" % time.strftime("%Y-%m-%d %H:%M:%S"))
        try:
            res = subprocess.run(argv, capture_output=True, text=True, check=False, pass_fds=list(tap_fds.values()),
                                 preexec_fn=all_cpus)
        finally:
            for fd in tap_fds.values():
                os.close(fd)
        if res.returncode != 0:
            raise QemuError("QEMU for %s did not start: %s" % (self.name, res.stderr.strip()))
        return time.time()

    def stop(self, hard):
        """Quit (or SIGKILL with `hard`, a power loss); False when it was not running."""
        pid = self.pid()
        if pid is None or not pid_alive(pid):
            return False
        if not hard:
            try:
                self.qmp("quit")
            except (OSError, QemuError):
                os.kill(pid, signal.SIGTERM)
            for dummy in range(100):
                if not pid_alive(pid):
                    return True
                time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        for dummy in range(100):
            if not pid_alive(pid):
                return True
            time.sleep(0.1)
        raise QemuError("QEMU pid %d of %s does not die" % (pid, self.name))

    def qmp(self, command, arguments=None):
        if not self.running():
            raise QemuError("%s is not running" % self.name)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(os.path.join(self.d, "qmp.sock"))
            f = s.makefile("rw")
            json.loads(f.readline())  # greeting
            for msg in ({"execute": "qmp_capabilities"}, {"execute": command, "arguments": arguments or {}}):
                f.write(json.dumps(msg) + "\n")
                f.flush()
                while True:
                    reply = json.loads(f.readline())
                    if "return" in reply or "error" in reply:
                        break
                if "error" in reply:
                    raise QemuError("QMP %s on %s: %s" % (command, self.name, reply["error"].get("desc")))
            return reply["return"]
