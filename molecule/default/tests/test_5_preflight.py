"""Preflight (playbooks/preflight.yml, and provision.yml's first play): every unmet
requirement of both nodes in one run, read-only.

On the provisioned lab it passes with the two expected warnings (a virtual NIC reports
no speed; emulated round trips are above 1 ms). Then one inventory breaks five checks at
once, on both nodes, and the run must name every one of them and change nothing.
"""

import json
import re

import pytest
import yaml

from hapair_lab.checks import INVENTORY, node, playbook

from test_4_bad_input import fingerprint, pair_hosts, pair_vars

CHECKS = ["os_supported", "python", "controller_ansible", "privilege", "selinux", "firewall", "memory", "cpus",
          "spare_disk", "replication_nic", "peer_replication", "peer_service", "fencing", "time_sync", "hostname",
          "peer_name"]


def load(path):
    with open(path) as f:
        return json.load(f)


def test_preflight_passes_on_the_lab_with_the_expected_warnings(tmp_path):
    out_json = str(tmp_path / "preflight.json")
    rc, out, dummy = playbook("preflight.yml", "hapair_preflight_json=%s" % out_json)
    assert rc == 0, out[-3000:]
    changed = re.findall(r"changed=(\d+)", out)  # one per host in the recap
    assert len(changed) >= 2 and set(changed) == {"0"}, out[-2000:]
    res = load(out_json)
    for name in ("node1", "node2"):
        checks = [c["check"] for c in res["nodes"][name]]
        assert checks == CHECKS, checks  # each check once per node
        status = dict((c["check"], c["status"]) for c in res["nodes"][name])
        assert "fail" not in status.values(), res["nodes"][name]
        assert status["replication_nic"] == "warn"  # virtio reports no link speed
        assert status["spare_disk"] == "pass"
        # the dry run of the peer's forced command, on a provisioned pair
        detail = dict((c["check"], c["detail"]) for c in res["nodes"][name])["fencing"]
        assert status["fencing"] == "pass" and detail.startswith("fencing path to 172.30.0.") and \
            "would outdate r0 here" in detail, detail
        assert "WARN" in out
    assert [c["check"] for c in res["pair"]] == ["clock"]


@pytest.fixture
def loop_disks():
    """A 100 MiB blank disk on node1 (too small) and a 600 MiB one holding xfs on node2."""
    made = {}
    for name, size, prepare in (("node1", "100M", None), ("node2", "600M", "mkfs.xfs -q %s")):
        host = node(name)
        img = "/root/preflight-%s.img" % name
        dev = host.check_output("truncate -s %s %s && losetup -f --show %s", size, img, img).strip()
        if prepare:
            host.check_output(prepare % dev)
        made[name] = (host, dev, img)
    yield dict((n, v[1]) for n, v in made.items())
    for host, dev, img in made.values():
        host.run("losetup -d %s; rm -f %s", dev, img)


def test_preflight_lists_every_failure_of_both_nodes_and_changes_nothing(tmp_path, loop_disks):
    inv = yaml.safe_load(open(INVENTORY))
    hosts = pair_hosts(inv)
    pair_vars(inv)["hapair_preflight_supported_os"] = ["Debian-11"]  # "unsupported OS", faked
    hosts["node1"]["hapair_replication_mac"] = "52:54:00:d0:00:99"    # no such NIC
    hosts["node1"]["hapair_spare_disk"] = loop_disks["node1"]         # too small
    hosts["node1"]["hapair_spare_label"] = "hapair-preflight-test"
    hosts["node2"]["hapair_spare_disk"] = loop_disks["node2"]         # holds a filesystem
    hosts["node2"]["hapair_spare_label"] = "hapair-preflight-test"
    for name in ("node1", "node2"):
        hosts[name]["hapair_spare_mode"] = "whole_disk"               # the loop disks, not the OS disk's free space
    hosts["node2"]["hapair_service_address"] = "172.30.0.99/24"       # the peer is not there
    path = str(tmp_path / "inventory.yml")
    with open(path, "w") as f:
        yaml.safe_dump(inv, f)
    probe = ["md5sum %s" % loop_disks[n] for n in ("node1", "node2")]
    before = fingerprint({"node1": [probe[0]], "node2": [probe[1]]})

    out_json = str(tmp_path / "preflight.json")
    rc, out, dummy = playbook("preflight.yml", "hapair_preflight_json=%s" % out_json, inventory=path)
    assert rc != 0
    res = load(out_json)
    failed = dict((n, sorted(c["check"] for c in res["nodes"][n] if c["status"] == "fail")) for n in res["nodes"])
    for check in ("os_supported", "replication_nic", "spare_disk"):
        assert check in failed["node1"], failed
    for check in ("os_supported", "spare_disk", "peer_service"):
        assert check in failed["node2"], failed
    assert "peer_service" in failed["node1"], failed  # node1 cannot reach node2 at 172.30.0.99
    # All of them in the one message, not just the first.
    message = out[out.index("Preflight found"):]
    for name, checks in failed.items():
        for check in checks:
            assert "%s %s" % (name, check) in message or ("%s: %s" % (name, check)) in message, (name, check, message)

    # provision.yml runs the same preflight first and stops there.
    rc, out, dummy = playbook("provision.yml", inventory=path)
    assert rc != 0 and "Preflight found" in out
    assert "Provision the pair" not in out
    assert before == fingerprint({"node1": [probe[0]], "node2": [probe[1]]})
