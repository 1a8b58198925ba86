"""The node command `hapair` with no controller in the loop: a full switchover and an emergency
promotion typed over SSH on the nodes (no playbook), checked with the same outcomes as the
playbook tests. node1 starts and ends as Primary."""

import json

import pytest

from hapair_lab.checks import (assert_serves_only_on, drbd_state, node, primary_and_secondary, wait_for)

HAPAIR = "/usr/local/sbin/hapair"


def hapair(name, *args):
    """Run the node command on a node over SSH: (exit code, what it printed)."""
    res = node(name).run(" ".join([HAPAIR] + list(args)))
    return res.rc, res.stdout + res.stderr


def in_sync(name):
    s = drbd_state(node(name))
    return s if (s.get("connection"), s.get("disk"), s.get("peer_disk")) == ("Connected", "UpToDate", "UpToDate") else None


@pytest.fixture(autouse=True)
def node1_primary_in_sync():
    wait_for(lambda: in_sync("node2"), 240, "the pair to be connected and in sync before this test")
    assert primary_and_secondary() == ("node1", "node2")


def test_status_on_a_node_is_the_table_and_verdict_of_status_yml():
    rc, out = hapair("node2", "status")
    assert rc == 0, out
    lines = out.splitlines()
    assert lines[1].split() == ["node1", "Primary", "Connected", "UpToDate/UpToDate", "-", "?", "?", "?"], out
    assert lines[2].split() == ["node2", "Secondary", "Connected", "UpToDate/UpToDate", "-", "no", "-", "no"], out
    assert lines[3] == "verdict: healthy", out
    rc, out = hapair("node1", "status", "--json")
    data = json.loads(out)
    assert (rc, data["verdict"], data["primary"], data["nodes"]["node1"]["services_running"]) == (
        0, "healthy", "node1", ["hapair-demo.service"]), out


def test_a_switchover_typed_on_the_nodes():
    # control: the target refuses while the other node is still Primary, and nothing changes
    rc, out = hapair("node2", "make-primary")
    assert rc == 1 and "node1 is reachable and still Primary" in out and \
        "Run `hapair make-secondary` on node1 first. Nothing was changed." in out, out
    assert_serves_only_on("node1")

    rc, out = hapair("node1", "make-secondary")
    assert rc == 0 and "done: become Secondary (drbdadm secondary r0)" in out, out
    rc, out = hapair("node2", "make-primary")
    assert rc == 0 and "done: start the application (hapair-demo.service)" in out, out
    assert primary_and_secondary() == ("node2", "node1")
    assert_serves_only_on("node2")
    rc, out = hapair("node2", "make-primary")   # a second run changes nothing
    assert (rc, out.strip()) == (0, "nothing to do: node2 is Primary"), out

    rc, out = hapair("node2", "make-secondary")
    assert rc == 0, out
    rc, out = hapair("node1", "make-primary")
    assert rc == 0, out
    assert_serves_only_on("node1")


def test_an_emergency_promotion_and_the_rejoin_typed_on_the_nodes(lab):
    lab("kill", "node1")
    try:
        # DRBD on node2 notices the dead peer after its ping timeouts
        wait_for(lambda: drbd_state(node("node2")).get("connection") not in ("Connected", None), 60,
                 "node2 to notice that node1 is gone")
        rc, out = hapair("node2", "make-primary")
        assert rc == 1 and "An emergency promotion may lose the last writes of the old Primary. Confirm with --yes" \
            in out, out
        assert drbd_state(node("node2"))["role"] == "Secondary"
        rc, out = hapair("node2", "status")
        assert rc == 1 and "node1  UNREACHABLE" in out, out   # control: status is not healthy without the peer
        rc, out = hapair("node2", "make-primary", "--yes")
        assert rc == 0 and "node2 was never fenced" in out and "done: become Primary" in out, out
        assert node("node2").service("hapair-demo.service").is_running
    finally:
        if not lab.status()["nodes"]["node1"]["running"]:
            lab("start", "node1")
    # node1 boots as Secondary, runs nothing and mounts nothing; it rejoins as Secondary
    rc, out = hapair("node1", "rejoin")
    assert rc == 0 and "node1 is connected to node2" in out, out
    rc, out = hapair("node2", "rejoin")   # on the Primary: reconnects only, never discards
    assert rc == 0, out
    wait_for(lambda: in_sync("node1"), 240, "node1 to resync from node2")
    assert_serves_only_on("node2")
    assert hapair("node2", "make-secondary")[0] == 0 and hapair("node1", "make-primary")[0] == 0
    assert_serves_only_on("node1")
