"""Operating the pair: status, switchover both ways under write load, the two-step
manual failover, and the refusals that keep data safe. node1 starts as Primary."""

import json
import time

from hapair_lab.checks import adhoc, drbd_state, hostvars, address, node, playbook, records_missing, wait_for
from hapair_lab.probe import Probe

DATA = "/srv/hapair/data"
UNIT = "hapair-demo.service"


def http_ports(lab):
    return dict((n, v["http_port"]) for n, v in lab.status()["nodes"].items())


def write_dataset(host):
    host.check_output("mkdir -p %s && for i in $(seq 1 16); do head -c 262144 /dev/urandom > %s/f$i; done && sync",
                      DATA, DATA)
    return checksums(host)


def checksums(host):
    return host.check_output("cd %s && sha256sum f*", DATA)


def primary_and_secondary():
    roles = dict((n, drbd_state(node(n)).get("role")) for n in ("node1", "node2"))
    primary = [n for n, r in roles.items() if r == "Primary"]
    assert len(primary) == 1, roles
    return primary[0], [n for n in roles if n != primary[0]][0]


def assert_serves_only_on(name):
    other = "node2" if name == "node1" else "node1"
    p, s = node(name), node(other)
    ip = address(hostvars(p)["hapair_service_ip"])
    assert p.service(UNIT).is_running and not s.service(UNIT).is_running
    assert ip in p.check_output("ip -4 -o addr show") and ip not in s.check_output("ip -4 -o addr show")
    assert p.mount_point("/srv/hapair").exists and not s.mount_point("/srv/hapair").exists


def test_status_healthy_table_and_json(tmp_path):
    path = tmp_path / "pair.json"
    rc, out, dummy = playbook("status.yml", "hapair_status_json=%s" % path)
    assert rc == 0, out[-3000:]
    assert "verdict: healthy" in out
    report = json.loads(path.read_text())
    assert (report["verdict"], report["primary"], report["secondary"]) == ("healthy", "node1", "node2")
    assert any(line.startswith("node1") and "Primary" in line for line in report["table"])


def test_switchover_there_and_back_loses_no_acknowledged_record(lab):
    before = write_dataset(node("node1"))
    for target in ("node2", "node1"):
        source = "node1" if target == "node2" else "node2"
        probe = Probe(http_ports(lab))
        probe.start()
        wait_for(lambda: probe.answers, 30, "the probe to see the application", interval=1)
        started = time.time()
        rc, out, seconds = playbook("failover.yml", "hapair_target=%s" % target)
        wait_for(lambda: any(a[1] == target for a in probe.answers if a[0] > started), 60,
                 "%s to serve" % target, interval=1)
        time.sleep(2)
        probe.stop()
        assert rc == 0, out[-4000:]
        assert primary_and_secondary() == (target, source)
        assert_serves_only_on(target)
        assert checksums(node(target)) == before
        acked = probe.max_acked()
        assert acked > 0
        assert records_missing(node(target), acked) == [], "acknowledged records lost in the switchover"
        rc, out, dummy = playbook("status.yml")
        assert rc == 0 and "verdict: healthy" in out, out[-3000:]


def test_two_step_manual_failover_and_safe_reruns():
    rc, out, dummy = playbook("make_secondary.yml")
    assert rc == 0, out[-3000:]
    assert drbd_state(node("node1"))["role"] == "Secondary"
    rc, out, dummy = playbook("make_secondary.yml", "hapair_node=node1")  # re-run after success: harmless
    assert rc == 0, out[-3000:]
    rc, out, dummy = playbook("make_primary.yml", "hapair_target=node2")
    assert rc == 0, out[-3000:]
    rc, out, dummy = playbook("make_primary.yml", "hapair_target=node2")
    assert rc == 0, out[-3000:]
    assert primary_and_secondary() == ("node2", "node1")
    assert_serves_only_on("node2")
    rc, out, dummy = playbook("failover.yml", "hapair_target=node1")
    assert rc == 0, out[-3000:]
    assert primary_and_secondary() == ("node1", "node2")


def unchanged_pair():
    return (primary_and_secondary(), node("node1").service(UNIT).is_running,
            node("node2").service(UNIT).is_running)


def test_failover_refused_while_resync_runs():
    before = unchanged_pair()
    secondary = node("node2")
    secondary.check_output("drbdadm invalidate r0 && drbdadm pause-sync r0")
    try:
        wait_for(lambda: drbd_state(secondary).get("replication", "").startswith("PausedSync"), 30, "a paused resync")
        rc, out, dummy = playbook("failover.yml")
        assert rc != 0
        assert "refused, nothing was changed" in out and "resync" in out.lower(), out[-3000:]
        assert unchanged_pair() == before
    finally:
        secondary.run("drbdadm resume-sync r0")
    wait_for(lambda: drbd_state(secondary).get("disk") == "UpToDate", 300, "the resync to finish")


def test_promotion_refused_while_peer_is_primary_and_connected():
    before = unchanged_pair()
    rc, out, dummy = playbook("make_primary.yml", "hapair_target=node2")
    assert rc != 0
    assert "Primary" in out and "connected" in out, out[-3000:]
    assert unchanged_pair() == before


def test_demotion_refused_while_the_filesystem_is_in_use():
    before = unchanged_pair()
    rc, out = adhoc("node1", "hapair.cluster.drbd_role", "resource=r0 state=secondary")
    assert rc != 0
    assert "/srv/hapair" in out, out[-3000:]
    assert unchanged_pair() == before


def test_unknown_or_missing_node_names_are_refused():
    before = unchanged_pair()
    rc, out, dummy = playbook("failover.yml", "hapair_target=node9")
    assert rc != 0 and "node9" in out, out[-3000:]
    rc, out, dummy = playbook("make_primary.yml")
    assert rc != 0 and "hapair_target" in out, out[-3000:]
    rc, out, dummy = playbook("make_secondary.yml", "hapair_node=node9")
    assert rc != 0 and "node9" in out, out[-3000:]
    assert unchanged_pair() == before
