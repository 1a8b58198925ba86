"""Operating the pair: status, the proof rounds (switchover, crash + promote + rejoin), the two-step
manual failover, and the refusals that keep data safe. node1 starts as Primary."""

import json
import os
import subprocess
import sys

from hapair_lab.checks import (BIN, INVENTORY, PLAYBOOKS, TOP, UNIT, adhoc, address, assert_serves_only_on, drbd_state,
                               hostvars, node, operation_lock, outcome, playbook, primary_and_secondary, wait_for,
                               write_stale_lock)
HOLD = "/run/hapair-test-hold"
DROPIN = "/run/systemd/system/%s.d" % UNIT


def test_status_healthy_table_and_json(tmp_path):
    path = tmp_path / "pair.json"
    rc, out, dummy = playbook("status.yml", "hapair_status_json=%s" % path)
    assert rc == 0, out[-3000:]
    assert "verdict: healthy" in out
    assert "holds the pair" not in out   # no operation runs: status names none (the stale lock's control)
    report = json.loads(path.read_text())
    assert report["operations"] == []
    assert (report["verdict"], report["primary"], report["secondary"]) == ("healthy", "node1", "node2")
    assert any(line.startswith("node1") and "Primary" in line for line in report["table"])


def test_proof_rounds_lose_no_acknowledged_record(tmp_path):
    """CI's short `make proof`: its code, two rounds, no fault matrix. Round 1 is a switchover
    node1 -> node2 under the demo writer, round 2 a crash of node2 + promote.yml of node1 +
    rejoin.yml of node2: each asserts 0 acknowledged records lost (counted per writer), the data
    set's checksums, the application, mount and service IP on the new Primary only, status healthy
    after. First of all the negative control: the switchover's real log with the old writer's last
    15 records taken out must count exactly 15 lost."""
    env = dict(os.environ, PROOF_ROUNDS="2", PROOF_FAULTS="0", PROOF_STALE_CONTROL="0", PROOF_OUT=str(tmp_path))
    res = subprocess.run([sys.executable, os.path.join(TOP, "proof", "proof.py")],
                         env=env, capture_output=True, text=True, timeout=2400, check=False)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert [(c["expected_lost"], c["reported_lost"], c["ok"]) for c in results["controls"]] == [(15, 15, True)]
    assert [(r["fault"], r["from"], r["to"]) for r in results["rounds"]] == \
        [("switchover", "node1", "node2"), ("crash", "node2", "node1")]
    for row in results["rounds"]:
        assert row["acknowledged"] > 0 and row["lost"] == 0, row
        assert row["data_ok"] and row["healthy"] and row["serves_only_on_new_primary"], row
    os.makedirs(os.path.join(TOP, "tests", "output", "figures"), exist_ok=True)
    with open(os.path.join(TOP, "tests", "output", "figures", "proof-ci.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
    assert_serves_only_on("node1")


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
    # --check judges the pair, says what it would do and changes nothing; the same view then
    # sees the real switchover (the control that it can see a change at all)
    before = who_holds_what()
    rc, out, dummy = playbook("failover.yml", options=("--check",))
    assert rc == 0, outcome(out)
    steps = ["--check: the switchover is safe now and would run these steps; nothing was changed.",
             "node2: stop the application units (hapair-demo.service)", "node2: release the service IP",
             "node2: unmount the mirror", "node2: become Secondary", "node1: become Primary",
             "node1: mount the mirror", "node1: take the service IP (with gratuitous ARP)",
             "node1: start the application units (hapair-demo.service)"]
    assert [s for s in steps if '"%s"' % s not in out] == [], outcome(out)
    assert who_holds_what() == before
    rc, out, dummy = playbook("failover.yml", "hapair_target=node1")
    assert rc == 0, out[-3000:]
    assert primary_and_secondary() == ("node1", "node2")
    assert who_holds_what() != before


def who_holds_what():
    """Per node: DRBD role, the application unit, the mount, the service IP, an operation lock."""
    view = {}
    for name in ("node1", "node2"):
        host = node(name)
        ip = address(hostvars(host)["hapair_service_ip"])
        view[name] = (drbd_state(host).get("role"), host.service(UNIT).is_running,
                      host.mount_point("/srv/hapair").exists, ip in host.check_output("ip -4 -o addr show"),
                      operation_lock(name))
    return view


def test_one_operation_at_a_time_and_a_stale_lock_is_named_never_broken():
    """Two operators: the second run refuses at once while the first switches over, and the first
    ends as if alone. Then the lock a killed run left: refused as stale, released only when named."""
    assert primary_and_secondary() == ("node1", "node2")
    # the first run's demotion waits (at most 60 s) in the application's stop until the second run
    # has been refused, so that the second run meets the first for sure
    old = node("node1")
    old.check_output("touch %s && mkdir -p %s && printf '[Service]\\nExecStop=/usr/bin/timeout 60 /bin/sh -c "
                     "\"while [ -e %s ]; do sleep 1; done\"\\n' > %s/hold.conf && systemctl daemon-reload",
                     HOLD, DROPIN, HOLD, DROPIN)
    first = subprocess.Popen(
        [os.path.join(BIN, "ansible-playbook"), "-i", INVENTORY, os.path.join(PLAYBOOKS, "failover.yml")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections")))
    try:
        held = wait_for(lambda: operation_lock("node2"), 180, "the switchover to hold the lock on both nodes")
        assert held["operation"] == "switchover (failover.yml)" and held["pid"] == first.pid
        rc, out, dummy = playbook("make_secondary.yml")
        assert rc != 0
        assert "Another operation holds the pair on node1: switchover (failover.yml), run %s" % held["run_id"] in out, \
            outcome(out)
        assert "That run is still going on this controller (process %d)" % first.pid in out and \
            "Nothing was changed" in out, outcome(out)
        assert first.poll() is None, "the first run ended before the second one was refused"
        old.check_output("rm -f %s", HOLD)
        said = first.communicate(timeout=600)[0]
    finally:
        old.run("rm -rf %s %s && systemctl daemon-reload", HOLD, DROPIN)
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, outcome(said)
    assert primary_and_secondary() == ("node2", "node1")
    assert_serves_only_on("node2")
    assert operation_lock("node1") is None and operation_lock("node2") is None

    stale = write_stale_lock("node2", "switchover (failover.yml)")
    rc, out, dummy = playbook("failover.yml", "hapair_target=node1")
    assert rc != 0
    assert "Another operation holds the pair on node2: switchover (failover.yml), run %s" % stale in out and \
        "the lock is STALE" in out and "rerun with -e hapair_force_release_lock=%s" % stale in out, outcome(out)
    assert primary_and_secondary() == ("node2", "node1") and operation_lock("node2")["run_id"] == stale
    # status.yml names the stale lock and how to release it (it takes no lock, so it runs)
    rc, out, dummy = playbook("status.yml")
    assert "An operation holds the pair on node2: switchover (failover.yml), run %s" % stale in out and \
        "the lock is STALE" in out and "hapair_force_release_lock=%s" % stale in out, outcome(out)
    rc, out, dummy = playbook("failover.yml", "hapair_target=node1", "hapair_force_release_lock=%s" % stale)
    assert rc == 0, outcome(out)
    assert primary_and_secondary() == ("node1", "node2")
    assert operation_lock("node1") is None and operation_lock("node2") is None


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
    assert "node1 is reachable and still Primary: promoting node2 now would make a split brain by hand" in out \
        and "Nothing was changed" in out, out[-3000:]
    assert unchanged_pair() == before


def test_demotion_refused_while_the_filesystem_is_in_use():
    before = unchanged_pair()
    rc, out = adhoc("node1", "hapair.cluster.drbd_role", "resource=r0 state=secondary")
    assert rc != 0
    # the refusal's own words: the module's result names /srv/hapair whatever made it fail
    assert "refusing to demote r0: /dev/drbd1 is mounted on /srv/hapair" in out and "never unmounts" in out, \
        out[-3000:]
    assert unchanged_pair() == before


def test_a_process_the_switchover_does_not_stop_refuses_it_before_anything_stops():
    """An operator's shell under the mount point: failover.yml refuses naming it while the application
    still runs on the Primary (found only at the unmount, the refusal was an outage). A holder that
    appears after that check (here started by the application's own stop) fails the unmount: the
    demotion puts back what it stopped."""
    assert primary_and_secondary() == ("node1", "node2")
    old = node("node1")
    shell = "hapair-test-shell"   # a unit of its own, as a shell in a login session has its scope
    old.check_output("systemd-run --unit=%s -p WorkingDirectory=/srv/hapair /bin/sleep 300", shell)
    try:
        pid = wait_for(lambda: int(old.check_output("systemctl show -p MainPID --value %s", shell) or 0), 30,
                       "the holder to start")
        rc, out, dummy = playbook("failover.yml")
        assert rc != 0
        assert "refusing to make node1 Secondary: /srv/hapair on node1 is in use by sleep (pid %s, user root, in %s.service)" \
            % (pid, shell) in out and "Nothing was stopped" in out, outcome(out)
        assert primary_and_secondary() == ("node1", "node2")
        assert_serves_only_on("node1")
    finally:
        old.run("systemctl stop %s", shell)

    late = "hapair-test-late-holder"
    old.check_output("mkdir -p %s && printf '[Service]\\nExecStopPost=/usr/bin/systemd-run --unit=%s "
                     "-p WorkingDirectory=/srv/hapair /bin/sleep 300\\n' > %s/late.conf && systemctl daemon-reload",
                     DROPIN, late, DROPIN)
    try:
        # the target waits for node1's half until hapair_switchover_timeout: a short one for this test
        rc, out, dummy = playbook("failover.yml", "hapair_switchover_timeout=20")
        assert rc != 0
        assert "Making node1 Secondary failed at 'unmount /srv/hapair': umount /srv/hapair failed" in out and \
            "In use by sleep" in out and \
            "Put back: the service IP is back, the application runs again. node1 is Primary now." in out, outcome(out)
        assert primary_and_secondary() == ("node1", "node2")
        assert_serves_only_on("node1")
    finally:
        old.run("systemctl stop %s; rm -rf %s && systemctl daemon-reload", late, DROPIN)
    assert operation_lock("node1") is None and operation_lock("node2") is None


def test_a_switchover_whose_promotion_fails_gives_the_role_back():
    """The target cannot start the application (a drop-in whose ExecStartPre fails): make_primary undoes what
    it did there (Secondary again, unmounted, no service IP) and the old Primary takes the role back, so the
    failed switchover leaves the pair serving from where it was, and says so. (A runtime mask would not do:
    the lab's unit lives in /etc/systemd/system, which outranks /run.)"""
    assert primary_and_secondary() == ("node1", "node2")
    target = node("node2")
    target.check_output("mkdir -p %s && printf '[Service]\\nExecStartPre=/bin/false\\n' > %s/fail-start.conf && "
                        "systemctl daemon-reload", DROPIN, DROPIN)
    # the fault is in place where the promotion will meet it
    assert "ExecStartPre=/bin/false" in target.check_output("systemctl cat %s", UNIT)
    try:
        rc, out, dummy = playbook("failover.yml")
        assert rc != 0
        assert "The switchover to node2 failed: Making node2 Primary failed at 'start the application " \
               "(hapair-demo.service)'" in out and "node1 is the Primary again" in out, outcome(out)
        assert "Put back: stopped the application, released the service IP, unmounted the mirror, Secondary again." \
            in out, outcome(out)
    finally:
        target.run("rm -rf %s && systemctl daemon-reload", DROPIN)
    assert primary_and_secondary() == ("node1", "node2")
    assert_serves_only_on("node1")
    assert operation_lock("node1") is None and operation_lock("node2") is None
