"""What a test may do to the lab, never to the product: crash and start a VM, replace its
disk, pull the replication link, make the link slow or lossy. And, when a link looks dead,
the evidence (link_report), never a repair.

The link is cut on both ends: QMP set_link (the guest's NIC loses its carrier, as with a
pulled plug) and the bridge port in the lab's namespace (no frame passes, whatever the
guest does; it stays so across a crash and restart of the VM).

Shaping (`labctl link shape`) acts on both VMs' ports of the replication bridge, so both
directions are shaped and --delay is one-way (the round trip is twice it). Rate limits are
tbf qdiscs in the namespace. Delay and loss need netem: in the namespace when the host's
kernel has it; this machine's kernel is built without sch_netem, so there netem goes on
the replication NIC of each guest (a qdisc on the NIC, nothing of DRBD's), and is put back
when a shaped VM is started again.
"""

import os
import time

from . import net
from .lab import NODES, SPARE_BYTES, LabError, peer_of
from .qemu import mac


def kill(lab, name, say):
    lab.require()
    if not lab.vm(name).stop(hard=True):
        raise LabError("%s is not running" % name)
    say("%s killed (QEMU SIGKILL: as if the power went)" % name)


def start(lab, name, say):
    state = lab.require()
    if lab.running(name):
        say("%s is already running" % name)
        return
    t0 = lab.launch(name, state)
    if state["link"] == "down":
        lab.vm(name).qmp("set_link", {"name": "replication", "up": False})
    took = lab.wait_ssh({name: t0}, state, say)
    state["boot_seconds"].update(took)
    lab.save(state)
    if (state.get("shape") or {}).get("guest"):
        _shape_guest(lab, state, [name], state["shape"]["guest"])


def replace_disk(lab, name, say):
    """A new, blank spare disk for a stopped node (the old one failed or was wiped)."""
    state = lab.require()
    if state["layout"] not in ("extra-disk", "lvm"):
        raise LabError("layout %s has no spare disk to replace" % state["layout"])
    if lab.running(name):
        raise LabError("%s is running: 'labctl kill %s' (or shut it down) before replacing its disk" % (name, name))
    path = os.path.join(lab.dir, name, "spare.raw")
    os.remove(path)
    with open(path, "wb") as f:
        f.truncate(SPARE_BYTES)
    say("%s: new blank spare disk (%d MiB)" % (name, os.path.getsize(path) // 2 ** 20))


def link(lab, updown, say):
    """Pull (down) or plug back (up) the replication link, both ends."""
    state = lab.require()
    up = updown == "up"
    for name, node in sorted(NODES.items()):
        tap = net.tap_name(node["index"], "replication")
        if up:
            net.set_port(lab.ns, tap, True)
        if lab.running(name):
            lab.vm(name).qmp("set_link", {"name": "replication", "up": up})
        if not up:
            net.set_port(lab.ns, tap, False)
    state["link"] = updown
    lab.save(state)
    say("replication link %s" % updown)


def shape(lab, delay_ms, rate, loss_pct, say):
    """Shape the replication link (both directions); all None clears it."""
    state = lab.require()
    for name, value in (("--delay", delay_ms), ("--loss", loss_pct)):
        if value is not None and value < 0:
            raise LabError("%s must not be negative" % name)
    if loss_pct is not None and loss_pct >= 100:
        raise LabError("--loss %g%% is a cut link: use 'labctl link down'" % loss_pct)
    clear = not (delay_ms or rate or loss_pct)
    taps = [net.tap_name(n["index"], "replication") for n in NODES.values()]
    host_netem = not clear and bool(delay_ms or loss_pct) and net.host_has_netem(lab.ns)
    host_args = net.netem_args(delay_ms, loss_pct, rate) if host_netem else (net.tbf_args(rate) if rate else [])
    guest_args = [] if host_netem or clear else net.netem_args(delay_ms, loss_pct)
    for tap in taps:
        net.shape_port(lab.ns, tap, host_args)
    _shape_guest(lab, state, sorted(NODES), guest_args)
    state["shape"] = None if clear else {"delay_ms": delay_ms, "rate": rate, "loss_pct": loss_pct,
                                         "namespace": host_args, "guest": guest_args}
    lab.save(state)
    if clear:
        say("replication link: shaping cleared")
    else:
        say("replication link shaped: %s%s" % (
            "namespace ports: %s" % " ".join(host_args) if host_args else "",
            "%sguest NICs: netem %s (the host kernel has no sch_netem)"
            % ("; " if host_args else "", " ".join(guest_args)) if guest_args else ""))


def _guest_nic(index):
    """Shell: the name of the guest's replication NIC, found by its MAC."""
    return "$(ip -o link | awk -F': ' 'tolower($0) ~ /%s/ {print $2; exit}')" % mac("replication", index)


def _shape_guest(lab, state, names, netem_args):
    for name in names:
        if not lab.running(name):
            continue
        nic = _guest_nic(NODES[name]["index"])
        if netem_args:
            script = "tc qdisc replace dev %s root netem %s" % (nic, " ".join(netem_args))
        else:
            script = "tc qdisc del dev %s root 2>/dev/null; true" % nic
        rc, out = lab.ssh(name, state, script)
        if rc != 0:
            raise LabError("%s: shaping its replication NIC failed (rc %d): %s" % (name, rc, out.strip()))


def link_report(lab):
    """Does the replication link carry traffic both ways? Pings from inside each VM, the guest
    NIC's counters, kernel messages, and the bridge ports' counters in the namespace: the
    evidence a failed run prints. Nothing is repaired here."""
    state = lab.require()
    report = {"ok": True, "nodes": {}, "bridge_ports": net.port_counters(lab.ns), "shape": state.get("shape")}
    if state["link"] == "down":
        report["note"] = "the replication link is unplugged on purpose (labctl link down); not checked"
        return report
    for name in sorted(NODES):
        peer_ip = NODES[peer_of(name)]["replication"].split("/")[0]
        node = {"running": lab.running(name)}
        if node["running"]:
            nic = _guest_nic(NODES[name]["index"])
            script = (
                "nic=%s; "
                "if ip -4 -o addr show dev $nic | grep -q inet; then "
                "ping -c 3 -i 0.3 -W 1 -q %s >/dev/null 2>&1 && echo PING=ok || echo PING=fail; "
                "else echo PING=unconfigured; fi; "
                "echo NIC=$nic; cat /sys/class/net/$nic/statistics/{rx_packets,tx_packets,rx_dropped,tx_dropped} "
                "| tr '\\n' ' ' | sed 's/^/COUNTERS=/'; echo; "
                "dmesg | grep -E 'NETDEV WATCHDOG|transmit queue|PingAck|shut down by peer|[Tt]imeout' | tail -n 3 "
                "| sed 's/^/KERNEL=/'" % (nic, peer_ip))
            rc, out = lab.ssh(name, state, script)
            for line in out.splitlines():
                key, dummy, value = line.partition("=")
                if key == "KERNEL":
                    node.setdefault("kernel", []).append(value)
                elif key in ("PING", "NIC", "COUNTERS"):
                    node[key.lower()] = value.strip()
            node.setdefault("ping", "ssh failed")
        report["nodes"][name] = node
    down = sorted(n for n, v in report["nodes"].items() if not v["running"])
    bare = sorted(n for n, v in report["nodes"].items() if v.get("ping") == "unconfigured")
    if down:
        report["note"] = "%s not running; the link is not checked" % ", ".join(down)
    elif bare:
        report["note"] = "no address on the replication NIC of %s yet; not checked" % ", ".join(bare)
    else:
        report["ok"] = all(v.get("ping") == "ok" for v in report["nodes"].values())
    report["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return report
