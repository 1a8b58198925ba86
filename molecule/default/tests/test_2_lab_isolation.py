"""The lab's own promise: a VM reaches its peer and nothing else, and the lab's networks live in
a namespace of their own with no address the host could talk through."""

import json
import os
import subprocess

import pytest

from hapair_lab.checks import TOP, address, hostvars, node

# TEST-NET-1 (RFC 5737): documentation addresses, routed nowhere; and the user-mode network's
# own gateway, which restrict=on must keep from reaching the host.
UNREACHABLE = [("192.0.2.1", 80), ("10.0.2.2", 22)]


def connects(host, ip, port):
    return "CONNECTED" in host.run("timeout 5 bash -c %s && echo CONNECTED", "exec 3<>/dev/tcp/%s/%d" % (ip, port)).stdout


def test_the_probe_sees_a_connection_that_exists(host):
    """The control: the same probe to the peer's SSH over the service network connects."""
    me = host.backend.get_hostname()
    peer = node("node2" if me == "node1" else "node1")
    assert connects(host, address(hostvars(peer)["hapair_service_address"]), 22)


@pytest.mark.parametrize("target", UNREACHABLE, ids=["%s:%d" % t for t in UNREACHABLE])
def test_a_vm_reaches_no_outside_address(host, target):
    assert not connects(host, *target), "%s reached %s:%d" % (host.backend.get_hostname(), target[0], target[1])


def test_a_vm_reaches_its_peer_on_both_lab_networks(host):
    me = host.backend.get_hostname()
    peer = node("node2" if me == "node1" else "node1")
    for var in ("hapair_service_address", "hapair_replication_address"):
        ip = address(hostvars(peer)[var])
        assert host.run("ping -c 1 -W 3 %s", ip).rc == 0, "%s cannot reach %s (%s)" % (me, ip, var)


def test_the_lab_networks_are_in_the_labs_namespace_without_addresses(lab):
    ns = lab.status()["namespace"]
    assert ns.startswith("hapair-")
    links = json.loads(subprocess.run(["ip", "-n", ns, "-j", "addr", "show"], capture_output=True, text=True,
                                      check=True).stdout)
    names = sorted(link["ifname"] for link in links)
    assert names == ["br-repl", "br-service", "lo", "n1-repl", "n1-service", "n2-repl", "n2-service"]
    addresses = [a["local"] for link in links for a in link.get("addr_info", []) if link["ifname"] != "lo"]
    assert addresses == [], "the lab's bridges or ports carry addresses: %s" % addresses
    routes = subprocess.run(["ip", "-n", ns, "route", "show"], capture_output=True, text=True, check=True).stdout
    assert routes.strip() == ""
    host_links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    assert "n1-repl" not in host_links and "br-repl" not in host_links


def qemu_pid(name):
    with open(os.path.join(TOP, ".lab", name, "qemu.pid")) as f:
        return int(f.read().strip())


def test_the_vms_may_use_every_cpu():
    """Whatever started labctl (molecule's create step runs it under mitogen's strategy, which pins
    its subprocesses to one CPU of two), each VM's QEMU may run on every CPU of the host: two VMs
    sharing one core boot and run at half speed, and every timing of the lab would lie."""
    every = set(range(os.cpu_count()))
    seen = dict((name, os.sched_getaffinity(qemu_pid(name))) for name in ("node1", "node2"))
    assert seen == {"node1": every, "node2": every}, seen
