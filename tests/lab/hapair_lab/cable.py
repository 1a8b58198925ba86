"""Keep the lab's socket cables alive: the cable keeper.

The service network and the replication link are QEMU UDP socket netdevs. QEMU 7.2
(Debian 12) has two ways of silently stopping to read such a socket for good:
- a datagram of length 0 is taken for "end of connection" (net/socket.c,
  net_socket_send_dgram): the netdev stops reading and never starts again;
- a packet that the guest's virtio-net ring has no room for is queued and the
  socket is not read until the guest kicks the ring; a missed kick waits forever.
Either way the VM's socket fills up on the host (its Recv-Q grows, the kernel drops
the rest) while the guest sees a dead cable. Neither is the product's doing, and a
CI run that meets one fails for nothing (two CI runs failed on a dead replication
cable; their logs did not show which way it died).

The keeper watches, from the host and without entering the VMs, the receive queue of
every VM's socket netdev in /proc/net/udp. A queue that holds data and does not shrink
for STALL_SECONDS while the guest's NIC is up (virtio DRIVER_OK, a receive ring in use
with buffers offered) and QEMU delivers nothing into that ring means QEMU stopped
reading. The keeper then
  1. flushes: `set_link NAME on` on a link that is already up changes nothing the guest
     sees but makes virtio-net deliver its queued packets (heals a missed kick);
  2. if the queue still does not move, replaces the NIC: device_del, netdev_del,
     netdev_add, device_add with the same MAC and PCI slot (heals a dead socket; the
     guest sees its NIC unplugged and plugged back, its network configuration matches
     it again by MAC, DRBD reconnects).
A stall inside a guest (its driver stops sending) leaves no socket queue on the host. It
was seen on the lab (session 6) under a full resync and after a crashed VM came back: both
queues empty, the heavy sender's NIC sends nothing, pings fail both ways until the NICs
are replaced. Such a link goes quiet, which the host sees without entering the VMs: DRBD
talks at least every 10 s on a live link (its pings, or its connection attempts), so a VM
whose replication NIC has received nothing for QUIET_SECONDS (the receive ring's used
index, read over QMP; QuietDetector) has the link probed at once, and a failed probe is
repeated PROBE_RETRY_SECONDS later; besides, the probe runs every PROBE_SECONDS. Two
failed rounds in a row, with both VMs answering SSH and both NICs configured, and the
keeper gives both VMs new replication NICs (a new NIC is a new driver instance in the
guest too; a replug, set_link off/on, never revived one) and puts back DRBD's network
configuration where the unplugged NIC's address made DRBD drop it (Lab.readjust_drbd).
Every action is one JSON line in .lab/cable-keeper.jsonl, kept across 'labctl down',
and counted in CI's closing line (labctl last-run). A replication link unplugged on
purpose (labctl link down) is left alone.
"""

import json
import os
import signal
import subprocess
import sys
import time

STALL_SECONDS = 8
PROBE_SECONDS = 60        # how often the replication link is pinged from inside the VMs anyway
PROBE_RETRY_SECONDS = 3   # a failed probe is confirmed this soon
QUIET_SECONDS = 15        # a replication NIC that received nothing this long gets the probe at once
SETTLE_SECONDS = 90       # a VM started less than this ago is still booting
POLL_SECONDS = 1.0
KINDS = ("service", "replication")
SLOTS = {"service": 4, "replication": 5}
DRIVER_OK = 4             # virtio status bit: the guest's driver is running


def parse_proc_net_udp(text):
    """{port: rx_queue bytes} of the sockets bound to 127.0.0.1 in /proc/net/udp text."""
    queues = {}
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5 or ":" not in fields[1]:
            continue
        addr, port = fields[1].split(":")
        if addr != "0100007F":
            continue
        queues[int(port, 16)] = int(fields[4].split(":")[1], 16)
    return queues


class StallDetector(object):
    """Decides from successive Recv-Q readings of one socket whether its reader stopped.

    Stalled: the queue held data at every reading for `seconds` and never shrank.
    A reader that reads at all makes the queue shrink between two readings."""

    def __init__(self, seconds=STALL_SECONDS):
        self.seconds = seconds
        self.since = None
        self.last = 0

    def feed(self, now, queue):
        if queue == 0 or queue < self.last:
            self.since = None
        elif self.since is None:
            self.since = now
        self.last = queue
        return self.since is not None and now - self.since >= self.seconds

    def reset(self):
        self.since = None
        self.last = 0


class QuietDetector(object):
    """Decides from successive readings of a NIC's receive ring whether it went quiet.

    Quiet: the reading (the ring's used index) has not changed for `seconds`. Fires once
    per quiet spell; any change starts a new one."""

    def __init__(self, seconds=QUIET_SECONDS):
        self.seconds = seconds
        self.last = None
        self.since = None
        self.fired = False

    def feed(self, now, reading):
        if reading != self.last or self.since is None:
            self.last, self.since, self.fired = reading, now, False
            return False
        if not self.fired and now - self.since >= self.seconds:
            self.fired = True
            return True
        return False

    def reset(self):
        self.last = self.since = None
        self.fired = False


def started_at(pid):
    """Seconds since the epoch at which process `pid` started (from /proc), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return time.time() - uptime + ticks / float(os.sysconf("SC_CLK_TCK"))


def nic_id(kind):
    return "nic-" + kind


class Keeper(object):
    def __init__(self, lab):
        self.lab = lab
        self.detectors = {}
        self.quiet = {}
        self.next_probe = 0
        self.failed_probes = 0

    @property
    def log_path(self):
        return os.path.join(self.lab.dir, "cable-keeper.jsonl")

    def log(self, row):
        row = dict(row, at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        with open(self.log_path, "a") as f:
            f.write(json.dumps(row, sort_keys=True) + "\n")

    def queues(self):
        with open("/proc/net/udp") as f:
            return parse_proc_net_udp(f.read())

    def driver_ok(self, node, kind):
        status = self.lab.qmp(node, "x-query-virtio-status",
                              {"path": "/machine/peripheral/%s/virtio-backend" % nic_id(kind)})
        return bool(status.get("status", {}).get("statuses")) and \
            any("DRIVER_OK" in s for s in status["status"]["statuses"])

    def rx_ring(self, node, kind):
        """The guest's receive ring as QEMU sees it: buffers offered vs taken (evidence)."""
        try:
            q = self.lab.qmp(node, "x-query-virtio-queue-status",
                             {"path": "/machine/peripheral/%s/virtio-backend" % nic_id(kind), "queue": 0})
            return {"last_avail_idx": q.get("last-avail-idx"), "shadow_avail_idx": q.get("shadow-avail-idx"),
                    "used_idx": q.get("used-idx")}
        except (Exception, SystemExit) as e:  # labctl's LabError is a SystemExit
            return {"error": str(e)}

    def settled(self, node, now):
        """The VM runs and started more than SETTLE_SECONDS ago (a booting guest is left alone)."""
        pid = self.lab.pid(node)
        t0 = started_at(pid) if pid and self.lab.running(node) else None
        return t0 is not None and now - t0 >= SETTLE_SECONDS

    def watch_once(self, state, now):
        queues = self.queues()
        for node in state["ports"]:
            settled = self.settled(node, now)
            for kind in KINDS:
                det = self.detectors.setdefault((node, kind), StallDetector())
                if not settled or (kind == "replication" and state["link"] == "down"):
                    det.reset()
                    continue
                port = state["ports"][node][kind]
                if det.feed(now, queues.get(port, 0)):
                    det.reset()
                    self.repair(node, kind, port, queues.get(port, 0))

    def quiet_once(self, state, now):
        """Probe the replication link at once when a VM has received nothing over it for a while
        (the receive ring's used index stands still: the peer's NIC sends nothing)."""
        for node in state["ports"]:
            det = self.quiet.setdefault(node, QuietDetector())
            if not self.settled(node, now) or state["link"] == "down":
                det.reset()
                continue
            if det.feed(now, self.delivered(node, "replication")):
                self.next_probe = min(self.next_probe, now)

    def delivered(self, node, kind):
        """How many buffers QEMU has filled in the guest's receive ring so far (wraps at 2**16)."""
        return self.rx_ring(node, kind).get("used_idx")

    def reading(self, node, kind, seconds):
        """Does QEMU deliver anything to the guest within `seconds`? The ring's used index
        moves with every packet delivered; a busy but healthy link moves it all the time."""
        before = self.delivered(node, kind)
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(0.5)
            if self.delivered(node, kind) != before:
                return True
        return False

    def repair(self, node, kind, port, queue):
        row = {"node": node, "link": kind, "recv_q": queue}
        try:
            if not self.driver_ok(node, kind):
                return  # the guest is (re)booting: nothing reads the ring yet, rightly
            if self.reading(node, kind, 2):
                return  # a full queue, but a reader: a busy link, not a dead one
            ring = row["rx_ring"] = self.rx_ring(node, kind)
            if not ring.get("used_idx") and not ring.get("last_avail_idx"):
                return  # a ring never used since the device was reset: the guest is still booting
            self.lab.qmp(node, "set_link", {"name": kind, "up": True})
            if self.reading(node, kind, 3) or self.queues().get(port, 0) == 0:
                self.log(dict(row, action="flush", healed=True))
                return
            if ring.get("shadow_avail_idx") == ring.get("last_avail_idx"):
                return  # the guest offers no receive buffers (interface down, guest stuck): not a cable fault
            since = time.time()
            self.lab.replace_nic(node, kind)
            time.sleep(5)
            healed = self.queues().get(port, 0) < queue or self.reading(node, kind, 10)
            if kind == "replication":
                row["drbd_readjusted"] = self.lab.readjust_drbd(node, self.lab.load(), since)
            self.log(dict(row, action="nic-replaced", healed=healed))
        except (Exception, SystemExit) as e:  # labctl's LabError is a SystemExit
            self.log(dict(row, action="repair-failed", healed=False, error=str(e)))

    def probe_once(self, state, now):
        """Ping over the replication link from inside the VMs; revive it after two dead rounds."""
        if now < self.next_probe:
            return
        self.next_probe = now + PROBE_SECONDS
        if state["link"] == "down" or not all(self.settled(n, now) for n in state["ports"]):
            self.failed_probes = 0
            return
        seen = self.lab.ping_probe(state, ["node1"], reuse=True)
        if seen["node1"].get("ping") == "fail":
            seen = self.lab.ping_probe(state, reuse=True)
        pings = [n.get("ping") for n in seen.values()]
        if "fail" not in pings or any(p in ("unconfigured", "ssh failed") for p in pings):
            self.failed_probes = 0  # carries traffic, or a VM is busy rebooting: not a cable fault
            return
        self.failed_probes += 1
        if self.failed_probes < 2:
            self.next_probe = now + PROBE_RETRY_SECONDS
            return
        if self.lab.load().get("link") == "down":
            return
        self.failed_probes = 0
        out = self.lab.revive_replication(state, lambda msg: None)
        self.log({"action": "nic-replaced", "link": "replication", "node": "both", "healed": out["healed"],
                  "seen": seen, "after": out["after_nic_replacement"],
                  "drbd_readjusted": out["drbd_readjusted"]})

    def run(self):
        while True:
            state = self.lab.load()
            if state is None:
                return 0
            try:
                self.watch_once(state, time.time())
                self.quiet_once(state, time.time())
                self.probe_once(state, time.time())
            except (Exception, SystemExit) as e:  # keep watching (labctl's LabError is a SystemExit)
                self.log({"action": "error", "error": "%s: %s" % (type(e).__name__, e)})
                time.sleep(5)
            time.sleep(POLL_SECONDS)


def pid_path(lab):
    return os.path.join(lab.dir, "cable-keeper.pid")


def start(lab, labctl):
    """Start the keeper in the background (once per lab)."""
    stop(lab)
    with open(os.path.join(lab.dir, "cable-keeper.out"), "a") as out:
        proc = subprocess.Popen([sys.executable, labctl, "cable-keeper"], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=out, start_new_session=True, close_fds=True)
    with open(pid_path(lab), "w") as f:
        f.write("%d\n" % proc.pid)


def running(lab):
    try:
        with open(pid_path(lab)) as f:
            os.kill(int(f.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def stop(lab):
    try:
        with open(pid_path(lab)) as f:
            pid = int(f.read().strip())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        pass
    if os.path.exists(pid_path(lab)):
        os.remove(pid_path(lab))


def log_rows(lab):
    path = os.path.join(lab.dir, "cable-keeper.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def actions(lab):
    """What the keeper did since the log was last removed: (repairs, healed)."""
    repairs = [r for r in log_rows(lab) if r.get("action") in ("flush", "replug", "nic-replaced", "repair-failed")]
    return len(repairs), sum(1 for r in repairs if r.get("healed"))
