"""The two-VM lab as a whole: its state under .lab/, bringing it up and down, its status.

The pieces live by concern: qemu.py (one VM's process and monitor), net.py (the lab's
network namespace, bridges and taps), access.py (SSH and the inventory), backup_server.py
(the SFTP backup server), faults.py (what a test may do to the lab: crash, cut, shape).
"""

import json
import os
import secrets
import shutil
import subprocess
import time

from . import access, backup_server, image, net
from .qemu import QemuError, Vm, choose_accel, mac

NODES = {
    "node1": {"index": 1, "service": "172.30.0.11/24", "replication": "10.77.0.1/24"},
    "node2": {"index": 2, "service": "172.30.0.12/24", "replication": "10.77.0.2/24"},
}
LAYOUTS = ("extra-disk", "unallocated", "lvm")
# Which Python Ansible runs on the nodes: Debian's own, or one of EL7's copied into the image.
NODE_PYTHONS = ("system",) + tuple(sorted(image.PYTHONS))
FENCING_POLICIES = ("continue", "freeze")
BOOT_TIMEOUT = int(os.environ.get("HAPAIR_LAB_BOOT_TIMEOUT", "180"))
SPARE_BYTES = 1024 * 1024 * 1024


class LabError(SystemExit):
    def __init__(self, msg):
        super().__init__("labctl: " + msg)


def peer_of(name):
    return [n for n in NODES if n != name][0]


class Lab(object):
    def __init__(self, top):
        self.top = top
        self.dir = os.path.join(top, ".lab")
        self.state_path = os.path.join(self.dir, "state.json")
        self.key = os.path.join(self.dir, "ssh", "id_ed25519")
        self.inventory = os.path.join(self.dir, "inventory.yml")
        self.backup_dir = os.path.join(self.dir, "backup-server")
        self.ns = net.namespace_name(top)

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

    def vm(self, name):
        return Vm(name, NODES[name]["index"], os.path.join(self.dir, name))

    def running(self, name):
        return self.vm(name).running()

    def ssh_argv(self, name, state, extra=()):
        return access.ssh_argv(self.key, state["ports"][name]["ssh"], extra)

    def ssh(self, name, state, script, timeout=60):
        """Run a shell script on a node over the shared connection: (rc, stdout)."""
        mux = ["-o", "ControlMaster=auto", "-o", "ControlPersist=60",
               "-o", "ControlPath=" + access.mux_path(self.dir)]
        try:
            res = subprocess.run(self.ssh_argv(name, state, mux) + [script], capture_output=True, text=True,
                                 timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return 255, ""
        return res.returncode, res.stdout

    # ---- one VM ----------------------------------------------------------------
    def launch(self, name, state):
        """Boot one node's QEMU with its two taps from the lab's namespace; the start time."""
        index = NODES[name]["index"]
        fds = dict((kind, net.open_tap(self.ns, net.tap_name(index, kind))) for kind in net.NETWORKS)
        vm = self.vm(name)
        argv = vm.argv(state, fds, backup_server.sshd_config(self.backup_dir), self.key + ".pub",
                       NODES[name]["service"])
        try:
            return vm.launch(argv, fds)
        except QemuError as e:
            raise LabError(str(e))

    def wait_ssh(self, started, state, say):
        try:
            return access.wait_ssh(started, self.key, state["ports"], self.running, BOOT_TIMEOUT, say)
        except RuntimeError as e:
            raise LabError("%s (accelerator %s); see %s/<node>/console.log%s"
                           % (e, state["accel"], self.dir, "".join(self.console_tail(n) for n in sorted(started))))

    def console_tail(self, name, lines=30):
        """The end of a node's console, for an error that would otherwise only say it did not boot."""
        try:
            with open(os.path.join(self.dir, name, "console.log"), errors="replace") as f:
                tail = f.read().splitlines()[-lines:]
        except OSError as e:
            return "\n--- %s console: %s" % (name, e)
        return "\n--- the last %d lines of %s's console ---\n%s" % (len(tail), name, "\n".join(tail))

    # ---- commands --------------------------------------------------------------------
    def up(self, layout, say, fencing_policy="continue", python="system", monitoring_interval=30):
        if layout not in LAYOUTS:
            raise LabError("unknown layout %r (choose from %s)" % (layout, ", ".join(LAYOUTS)))
        if fencing_policy not in FENCING_POLICIES:
            raise LabError("unknown fencing policy %r (choose from %s)" % (fencing_policy, ", ".join(FENCING_POLICIES)))
        try:
            pythons = access.node_pythons(python, NODES)
        except ValueError as e:
            raise LabError(str(e))
        unknown = sorted(set(pythons.values()) - set(NODE_PYTHONS))
        if unknown:
            raise LabError("unknown node Python %s (choose from %s, or one per node: 2.7,3.6)"
                           % (", ".join(unknown), ", ".join(NODE_PYTHONS)))
        state = self.load()
        if state is not None:
            if all(self.running(n) for n in NODES):
                was = (state["layout"], state.get("fencing_policy", "continue"), state.get("python", "system"))
                if was != (layout, fencing_policy, python):
                    raise LabError("the lab is already up with layout %s, fencing policy %s, node Python %s; "
                                   "'labctl down' first" % was)
                say("the lab is already up (layout %s); nothing to do" % state["layout"])
                return state
            raise LabError("the lab is partly up (%s); 'labctl start NODE' or 'labctl down' first"
                           % ", ".join("%s %s" % (n, "running" if self.running(n) else "stopped") for n in NODES))
        img = image.ensure_image(say)
        os.makedirs(os.path.dirname(self.key), exist_ok=True)
        if not os.path.exists(self.key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hapair-lab", "-f", self.key],
                           check=True)
        backup_server.make(self.backup_dir)
        accel, reason = choose_accel(img)
        say("accelerator: %s (%s)" % (accel, reason))
        base = image.ensure_partitioned_image(SPARE_BYTES, say) if layout == "unallocated" \
            else os.path.join(img, "rootfs.raw")
        state = {
            "layout": layout, "fencing_policy": fencing_policy, "python": python,
            "monitoring_interval": monitoring_interval,
            "accel": accel, "accel_reason": reason, "image": img, "link": "up", "shape": None,
            "namespace": self.ns, "ports": access.allocate_ports(NODES),
            "secret": secrets.token_hex(24), "backup_password": secrets.token_hex(16), "boot_seconds": {},
        }
        for name in NODES:
            d = os.path.join(self.dir, name)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", base,
                            os.path.join(d, "root.qcow2")], check=True)
            if layout in ("extra-disk", "lvm"):
                with open(os.path.join(d, "spare.raw"), "wb") as f:
                    f.truncate(SPARE_BYTES)
        try:
            net.create(self.ns, [n["index"] for n in NODES.values()])
        except net.NetError as e:
            raise LabError(str(e))
        say("networks: namespace %s, bridges %s" % (self.ns, ", ".join(sorted(net.NETWORKS.values()))))
        self.save(state)
        started = {}
        try:
            for name in NODES:
                started[name] = self.launch(name, state)
            state["boot_seconds"] = self.wait_ssh(started, state, say)
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

    def down(self, say):
        stopped = [n for n in NODES if self.vm(n).stop(hard=False)]
        removed = net.destroy(self.ns)
        for name in NODES:
            shutil.rmtree(os.path.join(self.dir, name), ignore_errors=True)
        for path in (self.state_path, self.inventory):
            if os.path.exists(path):
                os.remove(path)
        say("stopped %s%s; the lab is down" % (", ".join(stopped) if stopped else "nothing",
                                               "; namespace %s removed" % self.ns if removed else ""))

    def last_run(self):
        """How the lab last came up (kept after 'down'), for CI's closing line."""
        path = os.path.join(self.dir, "last-run.json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def status(self):
        state = self.load()
        if state is None:
            return {"up": False}
        nodes = {}
        for name in NODES:
            running = self.running(name)
            nodes[name] = {"running": running,
                           "ssh": running and access.ssh_ok(self.key, state["ports"][name]["ssh"]),
                           "ssh_port": state["ports"][name]["ssh"],
                           "http_port": state["ports"][name]["http"],
                           "postgres_port": state["ports"][name]["postgres"],
                           "pid": self.vm(name).pid(), "boot_seconds": state["boot_seconds"].get(name)}
        return {"up": all(n["running"] for n in nodes.values()), "layout": state["layout"],
                "accel": state["accel"], "accel_reason": state["accel_reason"], "namespace": self.ns,
                "replication_link": state["link"], "shape": state.get("shape"),
                "inventory": self.inventory, "nodes": nodes}

    def write_inventory(self, state):
        macs = dict((name, dict((kind, mac(kind, node["index"])) for kind in ("service", "replication")))
                    for name, node in NODES.items())
        lines = access.inventory_lines(state["layout"], self.key, self.dir, state["secret"], NODES, state["ports"],
                                       macs, backup_server.inventory_vars(self.backup_dir, state["backup_password"]),
                                       state.get("fencing_policy", "continue"), state.get("python", "system"),
                                       state.get("monitoring_interval", 30))
        with open(self.inventory, "w") as f:
            f.write("\n".join(lines) + "\n")
