"""The lab's two networks: a network namespace of its own with one Linux bridge per network.

  namespace  hapair-<hash of the checkout's path>   (two checkouts never share one)
  bridges    br-service    the servers' LAN (node addresses, the service IP)
             br-repl       the direct replication link
  ports      n<i>-service, n<i>-repl               one persistent tap per VM and network

The taps are created inside the namespace, so nothing of the lab appears in the host's
network namespace and the host has no address on these networks: the VMs reach each
other and nothing else. QEMU runs in the host namespace (its user-mode access NIC forwards
SSH on the host's 127.0.0.1); it gets each tap as an open file descriptor that labctl
opened from inside the namespace (open_tap), so a VM that is killed and started again
finds its port on the bridge as it left it, shaping and a pulled link included.

Fault verbs act here, on the bridge ports, never inside the product: `link` (port down/up),
`shape` (tc on both VMs' ports of the replication bridge).
"""

import ctypes
import errno
import fcntl
import hashlib
import os
import struct
import subprocess
import time

NETWORKS = {"service": "br-service", "replication": "br-repl"}
# The replication link carries jumbo frames, as a direct 10GbE link does (the product's
# replication_link role proves a 9000-byte frame passes end to end); the LAN does not.
MTU = {"service": 1500, "replication": 9000}
SUFFIX = {"service": "service", "replication": "repl"}

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
# seconds a tap may stay held by a QEMU that was just killed (open_tap)
TAP_RELEASE_WAIT = 15
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000


class NetError(Exception):
    pass


def namespace_name(top):
    """hapair-<8 hex>: derived from the checkout's real path, so two checkouts never collide."""
    return "hapair-" + hashlib.sha256(os.path.realpath(top).encode()).hexdigest()[:8]


def tap_name(index, kind):
    return "n%d-%s" % (index, SUFFIX[kind])


def _ip(ns, *args, check=True):
    res = subprocess.run(["ip", "-n", ns] + list(args), capture_output=True, text=True, check=False)
    if check and res.returncode != 0:
        raise NetError("ip -n %s %s: %s" % (ns, " ".join(args), res.stderr.strip()))
    return res


def exists(ns):
    return os.path.exists(os.path.join("/run/netns", ns))


def create(ns, indexes):
    """The namespace, its bridges and one tap per VM and network; all ports up."""
    if exists(ns):
        destroy(ns)
    res = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise NetError("cannot create the lab's network namespace %s (needs root): %s" % (ns, res.stderr.strip()))
    _ip(ns, "link", "set", "lo", "up")
    # no IPv6 link-local addresses either: the namespace holds no address but loopback's
    for key in ("all", "default"):
        subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % key],
                       capture_output=True, check=False)
    for kind, bridge in sorted(NETWORKS.items()):
        # no STP, no forwarding delay: a port is forwarding the moment it comes up
        _ip(ns, "link", "add", bridge, "mtu", str(MTU[kind]), "type", "bridge", "stp_state", "0",
            "forward_delay", "0")
        _ip(ns, "link", "set", bridge, "up")
        for index in indexes:
            tap = tap_name(index, kind)
            _ip(ns, "tuntap", "add", "dev", tap, "mode", "tap", "vnet_hdr")
            _ip(ns, "link", "set", tap, "mtu", str(MTU[kind]), "master", bridge)
            _ip(ns, "link", "set", tap, "up")


def destroy(ns):
    """Removes the namespace and everything in it (bridges, taps, qdiscs)."""
    if not exists(ns):
        return False
    for tap in _ip(ns, "-o", "link", "show", "type", "tun", check=False).stdout.splitlines():
        name = tap.split(":")[1].strip().split("@")[0]
        _ip(ns, "link", "del", name, check=False)
    subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
    return True


_libc = None


def _setns(fd):
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise NetError("setns: %s" % os.strerror(err))


def open_tap(ns, tap):
    """An inheritable file descriptor on the tap `tap` of namespace `ns`, for QEMU's
    `-netdev tap,fd=N`. The tun socket belongs to the namespace it was opened in; this
    process steps into the lab's namespace for the open and back out at once."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(os.path.join("/run/netns", ns), os.O_RDONLY)
    try:
        _setns(target)
        try:
            fd = os.open("/dev/net/tun", os.O_RDWR)
        finally:
            _setns(own)
    finally:
        os.close(target)
        os.close(own)
    # Right after `labctl kill`, the dead QEMU's taps are released one by one, up to a second or
    # more apart (seen: n1-repl detached at 19:24:10, n1-service at 19:24:11, and the start in
    # between failed). A tap still held answers EBUSY: wait for it, a bounded while, then say so.
    deadline = time.time() + TAP_RELEASE_WAIT
    while True:
        try:
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
            break
        except OSError as e:
            if e.errno == errno.EBUSY and time.time() < deadline:
                time.sleep(0.2)
                continue
            os.close(fd)
            raise NetError("cannot attach to tap %s in namespace %s: %s%s" % (
                tap, ns, e, " (still held %d s after its QEMU was gone)" % TAP_RELEASE_WAIT
                if e.errno == errno.EBUSY else ""))
    os.set_inheritable(fd, True)
    return fd


def set_port(ns, tap, up):
    _ip(ns, "link", "set", tap, "up" if up else "down")


def port_counters(ns):
    """{port: {rx_packets, tx_packets, rx_dropped, tx_dropped, state}} of every bridge port
    (rx is what the VM sent, tx what it was given)."""
    out = {}
    for name in _ports(ns):
        base = "/sys/class/net/%s" % name
        row = {"state": _read_in(ns, base + "/operstate")}
        for key in ("rx_packets", "tx_packets", "rx_dropped", "tx_dropped"):
            row[key] = _read_in(ns, "%s/statistics/%s" % (base, key))
        out[name] = row
    return out


def _ports(ns):
    lines = _ip(ns, "-o", "link", "show", "type", "tun", check=False).stdout.splitlines()
    return sorted(line.split(":")[1].strip().split("@")[0] for line in lines)


def _read_in(ns, path):
    # /sys/class/net shows the reader's namespace: read it from inside the lab's
    res = subprocess.run(["ip", "netns", "exec", ns, "cat", path], capture_output=True, text=True, check=False)
    value = res.stdout.strip()
    return int(value) if value.isdigit() else value or None


# ---- shaping ------------------------------------------------------------------
def host_has_netem(ns):
    """Some host kernels are built without sch_netem (this machine's is); probe with a throwaway qdisc."""
    probe = "hp-netem-probe"
    _ip(ns, "tuntap", "add", "dev", probe, "mode", "tap", check=False)
    res = subprocess.run(["tc", "-n", ns, "qdisc", "add", "dev", probe, "root", "netem", "delay", "1ms"],
                         capture_output=True, text=True, check=False)
    _ip(ns, "link", "del", probe, check=False)
    return res.returncode == 0


def netem_args(delay_ms=None, loss_pct=None, rate=None):
    """netem's arguments for a shaped link; [] when nothing is asked of netem."""
    args = []
    if delay_ms:
        args += ["delay", "%gms" % delay_ms]
    if loss_pct:
        args += ["loss", "%g%%" % loss_pct]
    if rate:
        args += ["rate", rate]
    if args:
        args += ["limit", "10000"]
    return args


def tbf_args(rate):
    """A token bucket at `rate` (tc syntax: 100mbit, 10mbit, ...) with a burst of one jumbo frame
    or more and a queue of at most 100 ms at that rate."""
    return ["tbf", "rate", rate, "burst", "64kb", "latency", "100ms"]


def shape_port(ns, tap, qdisc_args):
    """Replace the root qdisc of a bridge port (its egress: toward the VM) by `qdisc_args`,
    or remove any shaping when it is empty."""
    if not qdisc_args:
        subprocess.run(["tc", "-n", ns, "qdisc", "del", "dev", tap, "root"], capture_output=True, check=False)
        return
    res = subprocess.run(["tc", "-n", ns, "qdisc", "replace", "dev", tap, "root"] + qdisc_args,
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise NetError("tc on %s: %s" % (tap, res.stderr.strip()))


def qdisc(ns, tap):
    res = subprocess.run(["tc", "-n", ns, "qdisc", "show", "dev", tap, "root"], capture_output=True, text=True,
                         check=False)
    return res.stdout.strip()
