"""Start, stop, crash and re-cable the two lab VMs.

Layout of one node (PCI slots are fixed so that the guest's names are too):
  slot 3  access NIC       user-mode networking, restrict=on, SSH forwarded on 127.0.0.1
  slot 4  service NIC      UDP socket pair over 127.0.0.1 with the peer (the servers' LAN)
  slot 5  replication NIC  UDP socket pair over 127.0.0.1 with the peer (the direct cable)
  slot 6  root disk        qcow2 overlay on the shared, read-only base image
  slot 7  spare disk       raw, sparse (layouts "extra-disk" and "lvm")
The access NIC also carries the lab's backup server: QEMU's guestfwd turns a
connection from a VM to 10.0.2.100:22 into a fresh `sshd -i` on the host, an
OpenSSH that serves SFTP only, into .lab/backup-server/root, for the lab's key
only. It listens on no port: the host still talks to nothing but 127.0.0.1.
UDP socket netdevs are connectionless: either VM can be killed and started
again without the other noticing anything but a dead link.
"""

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import time

from . import cable, image

NODES = {
    "node1": {"index": 1, "service": "172.30.0.11/24", "replication": "10.77.0.1/24"},
    "node2": {"index": 2, "service": "172.30.0.12/24", "replication": "10.77.0.2/24"},
}
LAYOUTS = ("extra-disk", "unallocated", "lvm")
BACKUP_ADDRESS = "10.0.2.100"
BOOT_TIMEOUT = int(os.environ.get("HAPAIR_LAB_BOOT_TIMEOUT", "180"))
MEMORY_MB = int(os.environ.get("HAPAIR_LAB_MEMORY", "1024"))
SPARE_BYTES = 1024 * 1024 * 1024
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=6"]


def mac(kind, index):
    return "52:54:00:%s:00:%02x" % ({"access": "a0", "service": "5e", "replication": "d0"}[kind], index)


def free_ports(kinds):
    """One free port on 127.0.0.1 per kind given; all distinct (sockets held until all are chosen)."""
    held = []
    try:
        for kind in kinds:
            s = socket.socket(socket.AF_INET, kind)
            held.append(s)
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in held]
    finally:
        for s in held:
            s.close()


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


class LabError(SystemExit):
    def __init__(self, msg):
        super().__init__("labctl: " + msg)


class Lab(object):
    def __init__(self, top):
        self.top = top
        self.dir = os.path.join(top, ".lab")
        self.state_path = os.path.join(self.dir, "state.json")
        self.key = os.path.join(self.dir, "ssh", "id_ed25519")
        self.inventory = os.path.join(self.dir, "inventory.yml")

    # ---- state -------------------------------------------------------------
    def load(self):
        if not os.path.exists(self.state_path):
            return None
        with open(self.state_path) as f:
            return json.load(f)

    def save(self, state):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=2, sort_keys=True)
        os.rename(tmp, self.state_path)

    def require(self):
        state = self.load()
        if state is None:
            raise LabError("the lab is not up; run 'labctl up' (or 'make lab')")
        return state

    def node_dir(self, name):
        return os.path.join(self.dir, name)

    def pid(self, name):
        try:
            with open(os.path.join(self.node_dir(name), "qemu.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def running(self, name):
        pid = self.pid(name)
        return pid is not None and pid_alive(pid)

    # ---- accelerator ---------------------------------------------------------
    def choose_accel(self, img):
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

    # ---- one VM ----------------------------------------------------------------
    def argv(self, name, state):
        node = NODES[name]
        d = self.node_dir(name)
        img = state["image"]
        ports = state["ports"][name]
        peer = [n for n in NODES if n != name][0]
        peer_ports = state["ports"][peer]
        accel = state["accel"]
        argv = [
            "qemu-system-x86_64", "-name", name, "-nodefaults", "-machine", "pc", "-accel", accel,
            "-cpu", "host" if accel == "kvm" else "max", "-smp", "1", "-m", str(MEMORY_MB),
            "-kernel", os.path.join(img, "vmlinuz"), "-initrd", os.path.join(img, "initrd.img"),
            "-append", image.CMDLINE,
            "-display", "none", "-serial", "file:" + os.path.join(d, "console.log"),
            "-qmp", "unix:%s,server=on,wait=off" % os.path.join(d, "qmp.sock"),
            "-pidfile", os.path.join(d, "qemu.pid"), "-daemonize",
            "-fw_cfg", "name=opt/hapair/hostname,string=" + name,
            "-fw_cfg", "name=opt/hapair/service_address,string=" + node["service"],
            "-fw_cfg", "name=opt/hapair/authorized_keys,file=" + self.key + ".pub",
            "-netdev", "user,id=access,restrict=on,net=10.0.2.0/24,"
                       "hostfwd=tcp:127.0.0.1:%d-10.0.2.15:22,hostfwd=tcp:127.0.0.1:%d-10.0.2.15:5432,"
                       "hostfwd=tcp:127.0.0.1:%d-10.0.2.15:8080,"
                       "guestfwd=tcp:%s:22-cmd:/usr/sbin/sshd -i -f %s"
                       % (ports["ssh"], ports["postgres"], ports["http"],
                          BACKUP_ADDRESS, os.path.join(self.backup_dir, "sshd_config")),
            "-device", "virtio-net-pci,id=nic-access,netdev=access,mac=%s,addr=0x3" % mac("access", node["index"]),
        ]
        for kind in ("service", "replication"):
            argv += ["-netdev", "socket,id=%s,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d"
                     % (kind, peer_ports[kind], ports[kind]),
                     "-device", "virtio-net-pci,id=%s,netdev=%s,mac=%s,addr=0x%x"
                     % (cable.nic_id(kind), kind, mac(kind, node["index"]), cable.SLOTS[kind])]
        argv += ["-drive", "file=%s,format=qcow2,if=none,id=root,cache=writeback,discard=unmap"
                 % os.path.join(d, "root.qcow2"),
                 "-device", "virtio-blk-pci,drive=root,serial=hapair-root,addr=0x6"]
        if state["layout"] in ("extra-disk", "lvm"):
            argv += ["-drive", "file=%s,format=raw,if=none,id=spare,cache=writeback"
                     % os.path.join(d, "spare.raw"),
                     "-device", "virtio-blk-pci,drive=spare,serial=hapair-spare,addr=0x7"]
        return argv

    def launch(self, name, state):
        d = self.node_dir(name)
        for stale in ("qemu.pid", "qmp.sock"):
            if os.path.exists(os.path.join(d, stale)):
                os.remove(os.path.join(d, stale))
        with open(os.path.join(d, "console.log"), "a") as f:
            f.write("\n=== labctl: start %s ===\n" % time.strftime("%Y-%m-%d %H:%M:%S"))
        res = subprocess.run(self.argv(name, state), capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise LabError("QEMU for %s did not start: %s" % (name, res.stderr.strip()))
        return time.time()

    def ssh_argv(self, name, state, extra=()):
        return (["ssh"] + SSH_OPTS + ["-i", self.key, "-p", str(state["ports"][name]["ssh"])]
                + list(extra) + ["root@127.0.0.1"])

    def ssh_ok(self, name, state):
        res = subprocess.run(self.ssh_argv(name, state, ["-o", "ConnectTimeout=5"]) + ["true"],
                             capture_output=True, timeout=30, check=False)
        return res.returncode == 0

    def wait_ssh(self, names, state, started, say):
        """Wait until every node in `names` answers SSH; return seconds per node."""
        pending = dict((n, started[n]) for n in names)
        took = {}
        deadline = time.time() + BOOT_TIMEOUT
        while pending:
            for name in list(pending):
                if not self.running(name):
                    raise LabError("%s's QEMU died while booting; see %s"
                                   % (name, os.path.join(self.node_dir(name), "console.log")))
                try:
                    ok = self.ssh_ok(name, state)
                except subprocess.TimeoutExpired:
                    ok = False
                if ok:
                    took[name] = round(time.time() - pending.pop(name), 1)
                    say("%s: SSH up after %.0f s" % (name, took[name]))
            if pending and time.time() > deadline:
                raise LabError("%s did not answer SSH within %d s (accelerator %s); see %s/<node>/console.log"
                               % (", ".join(sorted(pending)), BOOT_TIMEOUT, state["accel"], self.dir))
            if pending:
                time.sleep(2)
        return took

    def stop_pid(self, name, hard):
        pid = self.pid(name)
        if pid is None or not pid_alive(pid):
            return False
        if not hard:
            try:
                self.qmp(name, "quit")
            except (OSError, LabError):
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
        raise LabError("QEMU pid %d of %s does not die" % (pid, name))

    # ---- QMP ---------------------------------------------------------------------
    def qmp(self, node, command, arguments=None):
        path = os.path.join(self.node_dir(node), "qmp.sock")
        if not self.running(node):
            raise LabError("%s is not running" % node)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(path)
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
                    raise LabError("QMP %s on %s: %s" % (command, node, reply["error"].get("desc")))
            return reply["return"]

    # ---- commands --------------------------------------------------------------------
    def up(self, layout, say):
        if layout not in LAYOUTS:
            raise LabError("unknown layout %r (choose from %s)" % (layout, ", ".join(LAYOUTS)))
        state = self.load()
        if state is not None:
            if all(self.running(n) for n in NODES):
                if state["layout"] != layout:
                    raise LabError("the lab is already up with layout %s; 'labctl down' first" % state["layout"])
                say("the lab is already up (layout %s); nothing to do" % state["layout"])
                return state
            raise LabError("the lab is partly up (%s); 'labctl start NODE' or 'labctl down' first"
                           % ", ".join("%s %s" % (n, "running" if self.running(n) else "stopped") for n in NODES))
        img = image.ensure_image(say)
        os.makedirs(os.path.dirname(self.key), exist_ok=True)
        if not os.path.exists(self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hapair-lab", "-f", self.key],
                           check=True)
        self.make_backup_server()
        accel, reason = self.choose_accel(img)
        say("accelerator: %s (%s)" % (accel, reason))
        base = image.ensure_partitioned_image(SPARE_BYTES, say) if layout == "unallocated" \
            else os.path.join(img, "rootfs.raw")
        state = {
            "layout": layout, "accel": accel, "accel_reason": reason, "image": img, "link": "up",
            "ports": self.allocate_ports(),
            "secret": secrets.token_hex(24), "backup_password": secrets.token_hex(16), "boot_seconds": {},
        }
        for name in NODES:
            d = self.node_dir(name)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base,
                            os.path.join(d, "root.qcow2")], check=True)
            if layout in ("extra-disk", "lvm"):
                with open(os.path.join(d, "spare.raw"), "wb") as f:
                    f.truncate(SPARE_BYTES)
        self.save(state)
        started = {}
        try:
            for name in NODES:
                started[name] = self.launch(name, state)
            state["boot_seconds"] = self.wait_ssh(list(NODES), state, started, say)
        except BaseException:
            say("labctl: the lab did not come up; stopping what was started")
            self.down(lambda *_: None)
            raise
        self.save(state)
        self.write_inventory(state)
        with open(os.path.join(self.dir, "last-run.json"), "w") as f:
            json.dump({"accel": accel, "accel_reason": reason, "layout": layout,
                       "boot_seconds": state["boot_seconds"], "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                      f, indent=2, sort_keys=True)
        return state

    @property
    def backup_dir(self):
        return os.path.join(self.dir, "backup-server")

    def make_backup_server(self):
        """Keys, an empty repository directory and the sshd_config of the lab's SFTP backup server."""
        d = self.backup_dir
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "root"))
        for key in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hapair-lab-backup",
                            "-f", os.path.join(d, key)], check=True)
        shutil.copy(os.path.join(d, "client_key.pub"), os.path.join(d, "authorized_keys"))
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        user = pwd.getpwuid(os.geteuid()).pw_name
        with open(os.path.join(d, "sshd_config"), "w") as f:
            f.write("\n".join([
                "# The lab's backup server, started by QEMU (guestfwd) as `sshd -i` per connection.",
                "HostKey %s" % os.path.join(d, "host_key"),
                "AuthorizedKeysFile %s" % os.path.join(d, "authorized_keys"),
                "AllowUsers %s" % user,
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "PermitTTY no",
                "Subsystem sftp internal-sftp",
                "ForceCommand internal-sftp -d %s" % os.path.join(d, "root"),
                "LogLevel VERBOSE",
                "",
            ]))

    def backup_inventory_vars(self, state):
        d = self.backup_dir
        with open(os.path.join(d, "host_key.pub")) as f:
            host_key = " ".join(f.read().split()[:2])
        user = pwd.getpwuid(os.geteuid()).pw_name
        return [
            "        hapair_backup_repository: \"sftp:%s@%s:r0\"" % (user, BACKUP_ADDRESS),
            "        hapair_backup_password: \"%s\"" % state["backup_password"],
            "        hapair_backup_ssh_private_key: \"{{ lookup('ansible.builtin.file', '%s') }}\""
            % os.path.join(d, "client_key"),
            "        hapair_backup_ssh_known_hosts: [\"%s %s\"]" % (BACKUP_ADDRESS, host_key),
        ]

    def last_run(self):
        """How the lab last came up (kept after 'down'), for CI's closing line."""
        path = os.path.join(self.dir, "last-run.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    @staticmethod
    def allocate_ports():
        names = ("ssh", "postgres", "http", "service", "replication")
        kinds = [socket.SOCK_STREAM] * 3 + [socket.SOCK_DGRAM] * 2
        numbers = free_ports(kinds * len(NODES))
        return dict((node, dict(zip(names, numbers[i * len(names):(i + 1) * len(names)])))
                    for i, node in enumerate(sorted(NODES)))

    def down(self, say):
        cable.stop(self)
        stopped = [n for n in NODES if self.stop_pid(n, hard=False)]
        for name in NODES:
            shutil.rmtree(self.node_dir(name), ignore_errors=True)
        for path in (self.state_path, self.inventory):
            if os.path.exists(path):
                os.remove(path)
        say("stopped %s; the lab is down" % (", ".join(stopped) if stopped else "nothing"))

    def kill(self, name, say):
        self.require()
        if not self.stop_pid(name, hard=True):
            raise LabError("%s is not running" % name)
        say("%s killed (QEMU SIGKILL: as if the power went)" % name)

    def start(self, name, say):
        state = self.require()
        if self.running(name):
            say("%s is already running" % name)
            return
        t0 = self.launch(name, state)
        if state["link"] == "down":
            self.qmp(name, "set_link", {"name": "replication", "up": False})
        took = self.wait_ssh([name], state, {name: t0}, say)
        state["boot_seconds"].update(took)
        self.save(state)

    def replace_disk(self, name, say):
        """A new, blank spare disk for a stopped node (the old one failed or was wiped)."""
        state = self.require()
        if state["layout"] not in ("extra-disk", "lvm"):
            raise LabError("layout %s has no spare disk to replace" % state["layout"])
        if self.running(name):
            raise LabError("%s is running: 'labctl kill %s' (or shut it down) before replacing its disk" % (name, name))
        path = os.path.join(self.node_dir(name), "spare.raw")
        os.remove(path)
        with open(path, "wb") as f:
            f.truncate(SPARE_BYTES)
        say("%s: new blank spare disk (%d MiB)" % (name, SPARE_BYTES // 2 ** 20))

    def link(self, updown, say):
        state = self.require()
        if updown == "down":  # first the state: the cable keeper leaves an unplugged link alone
            state["link"] = updown
            self.save(state)
        for name in NODES:
            if self.running(name):
                self.qmp(name, "set_link", {"name": "replication", "up": updown == "up"})
        state["link"] = updown
        self.save(state)
        say("replication link %s" % updown)

    def link_check(self, heal, say):
        """Does the replication link carry traffic both ways? If not, gather what tells a
        QEMU-side stall (host UDP socket queues filling) from a guest-side one (NIC
        counters, kernel messages), and with `heal` give both VMs new replication NICs.

        Returns a dict: ok, healed, and per node what was seen."""
        state = self.require()
        report = {"ok": True, "healed": False, "nodes": {}, "keeper": cable.log_rows(self)[-3:],
                  "keeper_running": cable.running(self)}
        if state["link"] == "down":
            report["note"] = "the replication link is unplugged on purpose (labctl link down); not checked"
            return report

        seen = self.ping_probe(state)
        report["nodes"] = seen
        down = sorted(name for name, n in seen.items() if not n["running"])
        if down:  # a stopped VM is not a dead cable
            report["note"] = "%s not running; the cable is not checked" % ", ".join(down)
            return report
        bare = sorted(name for name, n in seen.items() if n.get("ping") == "unconfigured")
        if bare:  # before provisioning: the link has no addresses to ping yet
            report["note"] = "no address on the replication NIC of %s yet; not checked" % ", ".join(bare)
            return report
        report["ok"] = all(n.get("ping") == "ok" for n in seen.values() if n["running"])
        if report["ok"] or not heal:
            return report
        report.update(self.revive_replication(state, say))
        # kept across 'down' like last-run.json: CI's closing line counts them
        with open(self.replugs_path, "a") as f:
            f.write(json.dumps(dict(report, at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))) + "\n")
        return report

    def ping_probe(self, state, names=None, reuse=False):
        """Per node: ping the peer over the replication link from inside the VM, the NIC's
        counters, DRBD/NETDEV kernel messages, the host's UDP queue of its socket netdev.
        ping is ok, fail, unconfigured (no address yet) or "ssh failed" (the VM does not answer).
        `reuse` keeps one SSH connection per VM open between calls (the cable keeper's probe
        then costs the emulated CPU no new key exchange)."""
        seen = {}
        for name in names or sorted(NODES):
            peer = [n for n in NODES if n != name][0]
            peer_ip = NODES[peer]["replication"].split("/")[0]
            script = (
                "nic=$(ip -o link | awk -F': ' 'tolower($0) ~ /%s/ {print $2; exit}'); "
                "if ip -4 -o addr show dev $nic | grep -q inet; then "
                "ping -c 3 -i 0.3 -W 1 -q %s >/dev/null 2>&1 && echo PING=ok || echo PING=fail; "
                "else echo PING=unconfigured; fi; "
                "echo NIC=$nic; cat /sys/class/net/$nic/statistics/{rx_packets,tx_packets,rx_dropped,tx_dropped} "
                "| tr '\\n' ' ' | sed 's/^/COUNTERS=/'; echo; "
                "dmesg | grep -E 'NETDEV WATCHDOG|transmit queue|PingAck|shut down by peer|[Tt]imeout' | tail -n 3 "
                "| sed 's/^/KERNEL=/'" % (mac("replication", NODES[name]["index"]), peer_ip))
            node = {"running": self.running(name)}
            if node["running"]:
                try:
                    mux = ["-o", "ControlMaster=auto", "-o", "ControlPersist=60", "-o", "ControlPath=%s"
                           % os.path.join(self.dir, "ssh", "mux-%d" % state["ports"][name]["ssh"])] if reuse else []
                    res = subprocess.run(self.ssh_argv(name, state, mux) + [script], capture_output=True,
                                         text=True, timeout=60, check=False)
                    for line in res.stdout.splitlines():
                        key, dummy, value = line.partition("=")
                        if key == "KERNEL":
                            node.setdefault("kernel", []).append(value)
                        elif key in ("PING", "NIC", "COUNTERS"):
                            node[key.lower()] = value.strip()
                    node.setdefault("ping", "ssh failed")
                except subprocess.TimeoutExpired:
                    node["ping"] = "ssh failed"
                node["host_udp_queue"] = self.udp_queue(state["ports"][name]["replication"])
            seen[name] = node
        return seen

    def revive_replication(self, state, say):
        """Give both VMs a new replication NIC (a replug, set_link off/on, never revived a dead
        one in this lab) and put back DRBD's network configuration where the unplug made DRBD
        drop it. Returns healed and what was seen after."""
        say("labctl: the replication link carries no traffic; replacing the replication NIC of both VMs")
        since = time.time()
        for name in NODES:
            if self.running(name):
                self.replace_nic(name, "replication")
        time.sleep(8)
        out = {"after_nic_replacement": self.ping_probe(state)}
        out["healed"] = all(n.get("ping") == "ok" for n in out["after_nic_replacement"].values() if n["running"])
        out["drbd_readjusted"] = [n for n in NODES if self.running(n) and self.readjust_drbd(n, state, since)]
        return out

    def replace_nic(self, name, kind):
        """Unplug a VM's NIC and its netdev, plug fresh ones: same MAC, same slot, same ports
        (the guest sees a NIC replaced; its network configuration matches it again by MAC)."""
        state = self.require()
        peer = [n for n in NODES if n != name][0]
        nic = cable.nic_id(kind)
        self.qmp(name, "device_del", {"id": nic})
        deadline = time.time() + 30
        while any(d.get("name") == nic for d in self.qmp(name, "qom-list", {"path": "/machine/peripheral"})):
            if time.time() > deadline:
                raise LabError("%s: the guest did not release %s within 30 s" % (name, nic))
            time.sleep(0.5)
        self.qmp(name, "netdev_del", {"id": kind})
        self.qmp(name, "netdev_add", {"type": "socket", "id": kind,
                                      "udp": "127.0.0.1:%d" % state["ports"][peer][kind],
                                      "localaddr": "127.0.0.1:%d" % state["ports"][name][kind]})
        self.qmp(name, "device_add", {"driver": "virtio-net-pci", "id": nic, "netdev": kind,
                                      "mac": mac(kind, NODES[name]["index"]), "addr": "0x%x" % cable.SLOTS[kind]})

    def readjust_drbd(self, name, state, since):
        """A replication NIC unplugged while DRBD was connecting takes its address along: DRBD
        8.4 then fails to bind ("bind before connect failed, err = -99") and drops its network
        configuration (StandAlone) for good. On real hardware the address never vanishes, so
        the lab puts back what its NIC replacement took: `drbdadm adjust all`, only on a node
        whose kernel logged that failure since `since`. True when it did."""
        script = ("journalctl -k --since @%d --no-pager | grep -q 'bind before connect failed' || exit 0; "
                  "for i in $(seq 30); do ip -4 -o addr | grep -q ' %s/' && break; sleep 1; done; "
                  "drbdadm adjust all && echo READJUSTED" % (int(since), NODES[name]["replication"].split("/")[0]))
        try:
            res = subprocess.run(self.ssh_argv(name, state) + [script], capture_output=True, text=True,
                                 timeout=60, check=False)
        except subprocess.TimeoutExpired:
            return False
        return "READJUSTED" in res.stdout

    @property
    def replugs_path(self):
        return os.path.join(self.dir, "link-replugs.jsonl")

    def replugs(self):
        """The replugs of a dead cable since the file was last removed: (count, healed)."""
        if not os.path.exists(self.replugs_path):
            return 0, 0
        with open(self.replugs_path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        return len(rows), sum(1 for r in rows if r.get("healed"))

    @staticmethod
    def udp_queue(port):
        """Recv-Q and Send-Q of the host's UDP socket of one QEMU netdev (ss), or None.
        A Recv-Q that stays full means QEMU stopped reading its socket."""
        res = subprocess.run(["ss", "-u", "-a", "-n", "-H", "sport = :%d" % port], capture_output=True,
                             text=True, check=False)
        fields = res.stdout.split()
        if res.returncode != 0 or len(fields) < 3:
            return None
        return {"recv_q": int(fields[1]), "send_q": int(fields[2])}

    def hmp(self, name, command):
        self.require()
        return self.qmp(name, "human-monitor-command", {"command-line": command})

    def status(self):
        state = self.load()
        if state is None:
            return {"up": False}
        nodes = {}
        for name in NODES:
            running = self.running(name)
            try:
                ssh = running and self.ssh_ok(name, state)
            except subprocess.TimeoutExpired:
                ssh = False
            nodes[name] = {"running": running, "ssh": ssh, "ssh_port": state["ports"][name]["ssh"],
                           "http_port": state["ports"][name]["http"],
                           "postgres_port": state["ports"][name]["postgres"],
                           "pid": self.pid(name), "boot_seconds": state["boot_seconds"].get(name)}
        return {"up": all(n["running"] for n in nodes.values()), "layout": state["layout"],
                "accel": state["accel"], "accel_reason": state["accel_reason"],
                "replication_link": state["link"], "inventory": self.inventory, "nodes": nodes}

    def write_inventory(self, state):
        spare = {"extra-disk": ("/dev/disk/by-id/virtio-hapair-spare", "whole_disk"),
                 "lvm": ("/dev/disk/by-id/virtio-hapair-spare", "whole_disk"),
                 "unallocated": ("/dev/disk/by-id/virtio-hapair-root", "free_space")}[state["layout"]]
        lines = [
            "# Generated by tests/lab/labctl for the local lab (layout %s); rewritten at every 'labctl up'." % state["layout"],
            "all:",
            "  vars:",
            "    ansible_host: 127.0.0.1",
            "    ansible_user: root",
            "    ansible_ssh_private_key_file: %s" % self.key,
            # one SSH connection per VM, shared by ansible, testinfra (which adds ControlMaster but
            # no ControlPath: without one every command paid a key exchange, ~1.5 s on TCG) and the
            # cable keeper's probe (the same mux-PORT path)
            "    ansible_ssh_common_args: %s -o ControlPath=%s" % (
                " ".join(SSH_OPTS), os.path.join(self.dir, "ssh", "mux-%p")),
            "    ansible_python_interpreter: /usr/bin/python3",
            "    ansible_pipelining: true",
            "  children:",
            "    hapair_cluster:",
            "      vars:",
            "        hapair_lab: true",
            "        hapair_initial_primary: node1",
            "        hapair_shared_secret: \"%s\"" % state["secret"],
            "        hapair_services: [hapair-demo.service]",
            "        hapair_service_ip: 172.30.0.10/24",
        ] + self.backup_inventory_vars(state) + (["        hapair_spare_lvm: true"] if state["layout"] == "lvm" else []) + [
            "      hosts:",
        ]
        for name, node in sorted(NODES.items()):
            lines += [
                "        %s:" % name,
                "          ansible_port: %d" % state["ports"][name]["ssh"],
                "          hapair_lab_postgres_port: %d" % state["ports"][name]["postgres"],
                "          hapair_lab_http_port: %d" % state["ports"][name]["http"],
                "          hapair_service_mac: \"%s\"" % mac("service", node["index"]),
                "          hapair_service_address: %s" % node["service"],
                "          hapair_replication_mac: \"%s\"" % mac("replication", node["index"]),
                "          hapair_replication_address: %s" % node["replication"],
                "          hapair_spare_disk: %s" % spare[0],
                "          hapair_spare_mode: %s" % spare[1],
            ]
        with open(self.inventory, "w") as f:
            f.write("\n".join(lines) + "\n")
