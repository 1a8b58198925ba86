"""Emergencies: the link is cut while the Primary writes (fencing, under this scenario's
hapair_fencing_policy=freeze), the peer dies while the Primary writes, and a split brain made
on purpose. node1 starts as Primary. The crash of the Primary under write load followed by
promote.yml and rejoin.yml is round 2 of the proof in test_2_operations.py."""

import json
import time

import pytest

from hapair_lab.checks import drbd_state, node, playbook, wait_for


def in_sync(name):
    s = drbd_state(node(name))
    return s if (s.get("connection"), s.get("disk"), s.get("peer_disk")) == ("Connected", "UpToDate", "UpToDate") else None


def test_link_cut_outdates_the_secondary_and_guards_promotion(lab):
    lab("link", "down")
    try:
        # The Primary keeps writing (the application runs); its fence-peer handler
        # reaches node2 over the service network and marks its copy Outdated.
        s = wait_for(lambda: drbd_state(node("node2")).get("disk") == "Outdated" and drbd_state(node("node2")),
                     90, "node2 to be outdated by the Primary's fence-peer handler")
        assert s["role"] == "Secondary"
        assert drbd_state(node("node1"))["role"] == "Primary"
        lab("kill", "node1")
        rc, out, dummy = playbook("promote.yml", "hapair_target=node2", "hapair_confirm_data_loss=yes")
        assert rc != 0 and "refusing to make node2 Primary: local disk is Outdated: the peer fenced this node" in out, \
            out[-4000:]
        # the override is named as the operator types it into a playbook run
        assert "add -e hapair_force_stale_promotion=true if the peer is lost for good" in out, out[-4000:]
        # said before the refusal: who fenced node2's copy, and when
        assert "node2 was fenced: node1's fencing marked it Outdated at" in out, out[-4000:]
        assert drbd_state(node("node2"))["role"] == "Secondary"
    finally:
        lab("link", "up")
        if not lab.status()["nodes"]["node1"]["running"]:
            lab("start", "node1")
    rc, out, dummy = playbook("make_primary.yml", "hapair_target=node1")
    assert rc == 0, out[-4000:]
    wait_for(lambda: in_sync("node2"), 180, "node2 to resync from node1 after the link came back")


def fencing_records(name, since=0):
    """The fence-peer handler's records on a node from epoch ``since`` on (its own clock). By time,
    not by count: a node killed soon after a record can show the log's unwritten end as NULs."""
    text = node(name).run("cat /var/lib/hapair/fencing.log 2>/dev/null").stdout.replace("\x00", "")
    return [line for line in text.splitlines() if line.split()[:1] and line.split()[0].isdigit()
            and int(line.split()[0]) >= since]


def clock(name):
    return int(node(name).check_output("date +%s"))


@pytest.fixture(autouse=True)
def pair_in_sync_at_start():
    """Each emergency starts from a connected pair in sync; a test that left it otherwise fails the
    next one here, saying so, instead of in the middle of its faults (nothing is repaired)."""
    state = wait_for(lambda: in_sync("node2"), 240, "the pair to be connected and in sync before this test")
    assert state["role"] == "Secondary" and drbd_state(node("node1"))["role"] == "Primary", state


def test_broken_fencing_is_reported_as_broken_never_as_a_dead_peer(lab, tmp_path):
    """node2 no longer accepts node1's fencing key (removed from its authorized_keys, as a
    mistaken cleanup would): cutting the link must leave node1's record, its log and status.yml
    saying the fencing path is broken, node2 not Outdated, and never "peer unreachable"."""
    n1, n2 = node("node1"), node("node2")
    assert "outdate-self" in n2.check_output("cat /root/.ssh/authorized_keys")
    since = clock("node1")
    n2.check_output("cp -p /root/.ssh/authorized_keys /root/.ssh/authorized_keys.hapair-test")
    try:
        # grep -v exits 1 when nothing is left (the lab's own key is in authorized_keys2)
        n2.check_output("{ grep -v outdate-self /root/.ssh/authorized_keys.hapair-test || true; } "
                        "> /root/.ssh/authorized_keys")
        # found before any link is lost: preflight.yml (provision.yml's first play) proves the path
        rc, out, dummy = playbook("preflight.yml")
        assert rc != 0 and "node1: fencing: this node cannot fence node2" in out \
            and "Permission denied" in out, out[-4000:]
        lab("link", "down")
        try:
            records = wait_for(lambda: fencing_records("node1", since), 90, "node1's fence-peer handler to run")
            assert records[-1].split()[2] == "broken", records
            assert "Permission denied" in records[-1]
            journal = n1.check_output("journalctl -t hapair --no-pager -n 20")
            assert "FENCING BROKEN (not a dead peer)" in journal, journal
            assert drbd_state(n2)["disk"] == "UpToDate", "node2 was outdated although fencing failed?"
            path = tmp_path / "pair.json"
            rc, out, dummy = playbook("status.yml", "hapair_status_json=%s" % path)
            assert rc != 0, out[-3000:]
            reasons = " ".join(json.loads(path.read_text())["reasons"])
            assert "node2 not fenced since" in reasons and "the fencing path of node1 is broken" in reasons \
                and "not a dead peer" in reasons, reasons
            # An operator about to promote node2 is told its copy was never fenced (refused here:
            # node1 is alive and Primary, and nothing is confirmed), and nothing changes.
            rc, out, dummy = playbook("promote.yml", "hapair_target=node2")
            assert rc != 0 and "node2 was never fenced: nothing marked its copy Outdated after it lost node1" in out \
                and "node2 last saw node1 as Primary at" in out, out[-4000:]
            assert drbd_state(n2)["role"] == "Secondary"
        finally:
            lab("link", "up")
    finally:
        n2.check_output("mv /root/.ssh/authorized_keys.hapair-test /root/.ssh/authorized_keys")
    wait_for(lambda: in_sync("node2"), 180, "node2 to reconnect and resync")


def test_freeze_suspends_writes_until_the_peer_is_fenced_or_an_operator_resumes(lab, tmp_path):
    """hapair_fencing_policy=freeze. The link is cut with node2 alive: node1's writes wait until
    node2 is marked Outdated, then go on. node2 dies: node1's writes stay suspended, status says
    so, resume_writes.yml refuses without the confirmation and changes nothing, and resumes them
    with it. node2 comes back and resyncs as Secondary."""
    n1 = node("node1")
    assert "resource-and-stonith" in n1.check_output("drbdsetup show r0")
    since = n1.check_output("date '+%Y-%m-%d %H:%M:%S'")
    lab("link", "down")
    try:
        wait_for(lambda: drbd_state(node("node2")).get("disk") == "Outdated", 90, "node2 to be outdated by node1")
        wait_for(lambda: drbd_state(n1).get("suspended") == "no", 30, "node1's writes to resume, node2 being Outdated")
        kernel = n1.check_output("journalctl -k --since %s --no-pager -o cat", since)
        assert "susp( 0 -> 1 )" in kernel and "susp( 1 -> 0 )" in kernel, kernel[-3000:]   # frozen, then resumed
        assert n1.run("timeout 30 dd if=/dev/zero of=/srv/hapair/freeze-probe bs=4k count=1 oflag=direct").rc == 0
    finally:
        lab("link", "up")
    wait_for(lambda: in_sync("node2"), 180, "node2 to resync after the link came back")

    from_epoch = clock("node1")
    done = "/run/hapair-freeze-write.done"
    lab("kill", "node2")
    try:
        records = wait_for(lambda: fencing_records("node1", from_epoch), 90, "node1's handler to give up on node2")
        assert records[-1].split()[2] == "unreachable" and "writes stay suspended" in records[-1], records
        assert drbd_state(n1)["suspended"] not in (None, "no")
        # a write issued now waits (in the background: a suspended write cannot be interrupted)
        n1.check_output("rm -f %s; (dd if=/dev/zero of=/srv/hapair/freeze-probe bs=4k count=1 oflag=direct "
                        "conv=notrunc && touch %s) >/dev/null 2>&1 &", done, done)
        time.sleep(5)
        assert not n1.file(done).exists, "a write went through while node1 was frozen"
        path = tmp_path / "pair.json"
        rc, out, dummy = playbook("status.yml", "hapair_status_json=%s" % path)
        reasons = " ".join(json.loads(path.read_text())["reasons"])
        assert rc != 0 and "writes are suspended on Primary node1 (hapair_fencing_policy=freeze)" in reasons, reasons
        rc, out, dummy = playbook("resume_writes.yml")
        assert rc != 0 and "Writes on Primary node1 are suspended because node2 could not be marked Outdated" in out \
            and "found the peer unreachable" in out and "-e hapair_confirm_peer_stale=yes" in out, out[-4000:]
        assert drbd_state(n1)["suspended"] not in (None, "no") and not n1.file(done).exists   # nothing changed
        rc, out, dummy = playbook("resume_writes.yml", "hapair_confirm_peer_stale=yes")
        assert rc == 0, out[-4000:]
        wait_for(lambda: n1.file(done).exists, 30, "the suspended write to complete")
        assert drbd_state(n1)["suspended"] == "no"
    finally:
        if not lab.status()["nodes"]["node2"]["running"]:
            lab("start", "node2")
    wait_for(lambda: in_sync("node2"), 240, "node2 to boot, reconnect and resync as Secondary")
    n1.check_output("rm -f /srv/hapair/freeze-probe %s", done)


def test_split_brain_is_detected_explained_and_healed(lab):
    lab("link", "down")
    try:
        wait_for(lambda: drbd_state(node("node2")).get("connection") != "Connected", 60, "the link cut to show")
        # Both sides write while apart: node1 as Primary, node2 forced (an operator's mistake).
        # bounded: writes that a fencing freeze suspended must fail the test, not hang the suite
        node("node1").check_output("timeout 60 sh -c 'echo survivor > /srv/hapair/split-survivor && sync'")
        node("node2").check_output("drbdadm primary --force r0 && mkdir -p /mnt/victim && mount /dev/drbd1 /mnt/victim"
                                   " && echo victim > /mnt/victim/split-victim && sync && umount /mnt/victim")
    finally:
        lab("link", "up")
    wait_for(lambda: drbd_state(node("node2")).get("connection") == "StandAlone"
             or drbd_state(node("node1")).get("connection") == "StandAlone", 90, "DRBD to detect the split brain")
    rc, out, dummy = playbook("status.yml")
    assert rc != 0 and ("split-brain" in out or "two-primaries" in out), out[-3000:]
    before = (drbd_state(node("node1")), drbd_state(node("node2")))
    rc, out, dummy = playbook("rejoin.yml")
    assert rc != 0 and "hapair_split_brain_victim" in out, out[-3000:]
    assert (drbd_state(node("node1")), drbd_state(node("node2"))) == before
    rc, out, dummy = playbook("rejoin.yml", "hapair_split_brain_victim=node2")
    assert rc == 0, out[-4000:]
    assert "node2 discarded its changes since the split" in out  # not the task title "... discarded"
    wait_for(lambda: in_sync("node2"), 180, "node2 to resync from the survivor")
    assert node("node1").file("/srv/hapair/split-survivor").exists
    rc, out, dummy = playbook("status.yml")
    assert rc == 0 and "verdict: healthy" in out, out[-3000:]


def test_a_refused_handshake_is_not_called_a_split_brain(lab):
    """Tried as a new user would: the shared secret changed on one node only. DRBD refuses the
    handshake and gives up (StandAlone) with nothing diverged: status must say so in DRBD's
    words, and must not send the operator to the split-brain procedure, which discards data."""
    res = "/etc/drbd.d/r0.res"
    n1, n2 = node("node1"), node("node2")
    n2.check_output("cp -p %s /root/r0.res.before && sed -i 's/shared-secret \"[^\"]*\"/shared-secret \"not-the-same\"/' %s"
                    " && drbdadm adjust r0", res, res)
    try:
        # the running connection keeps going (seen on the lab); the secrets meet at the next handshake
        lab("link", "down")
        try:
            wait_for(lambda: drbd_state(n1).get("connection") != "Connected", 90, "the cut to show")
        finally:
            lab("link", "up")
        wait_for(lambda: drbd_state(n1).get("connection") == "StandAlone" and drbd_state(n2).get("connection")
                 == "StandAlone", 120, "both nodes to give up on the handshake")
        rc, out, dummy = playbook("status.yml")
        # ansible-core 2.16's callback prints the message JSON-escaped (\"), 2.19's as is
        out = out.replace('\\"', '"')
        assert rc != 0 and "verdict: degraded" in out and "split-brain" not in out, out[-3000:]
        for name in ("node1", "node2"):
            assert '%s is StandAlone (kernel log: "drbd r0: Authentication of peer failed' % name in out, out[-3000:]
        assert "different shared secrets" in out and "No data diverged" in out, out[-3000:]
    finally:
        n2.check_output("mv /root/r0.res.before %s && drbdadm adjust r0", res)
        n1.check_output("drbdadm adjust r0")   # a StandAlone node connects again once told to
    wait_for(lambda: in_sync("node2"), 120, "the pair to reconnect with one secret")
    rc, out, dummy = playbook("status.yml")
    assert rc == 0 and "verdict: healthy" in out, out[-3000:]
