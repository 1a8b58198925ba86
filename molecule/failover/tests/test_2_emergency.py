"""Emergencies: the link is cut while the Primary writes (fencing), and a split brain made
on purpose. node1 starts as Primary. The crash of the Primary under write load followed by
promote.yml and rejoin.yml is round 2 of the proof in test_1_operations.py."""

from hapair_lab.checks import drbd_state, node, playbook, wait_for

UNIT = "hapair-demo.service"


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
        assert rc != 0 and "Outdated" in out, out[-4000:]
        assert drbd_state(node("node2"))["role"] == "Secondary"
    finally:
        lab("link", "up")
        if not lab.status()["nodes"]["node1"]["running"]:
            lab("start", "node1")
    rc, out, dummy = playbook("make_primary.yml", "hapair_target=node1")
    assert rc == 0, out[-4000:]
    wait_for(lambda: in_sync("node2"), 180, "node2 to resync from node1 after the link came back")


def test_split_brain_is_detected_explained_and_healed(lab):
    lab("link", "down")
    try:
        wait_for(lambda: drbd_state(node("node2")).get("connection") != "Connected", 60, "the link cut to show")
        # Both sides write while apart: node1 as Primary, node2 forced (an operator's mistake).
        node("node1").check_output("echo survivor > /srv/hapair/split-survivor && sync")
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
    assert "discarded" in out
    wait_for(lambda: in_sync("node2"), 180, "node2 to resync from the survivor")
    assert node("node1").file("/srv/hapair/split-survivor").exists
    rc, out, dummy = playbook("status.yml")
    assert rc == 0 and "verdict: healthy" in out, out[-3000:]
