"""Faults on the provisioned pair, in order: the lab's own controls first (link cut,
crash and restart), then a reboot of both nodes. Each test leaves the pair connected and in sync.
A reboot of the Secondary alone is not a test of its own: the crash of the Secondary covers its
rejoin, and the reboot of both nodes the clean shutdown and the boot (each reboot under emulation
costs over a minute of the lab).

node1 is Primary when this file starts (test_1_provisioned checked it).
"""

import json
import re
import subprocess

from hapair_lab.checks import address, drbd_state, hostvars, node, playbook, wait_for

PRIMARY, SECONDARY = "node1", "node2"


def in_sync(name):
    s = drbd_state(node(name))
    return s if (s.get("connection"), s.get("disk"), s.get("peer_disk")) == ("Connected", "UpToDate", "UpToDate") else None


def boot_id(lab, name):
    try:
        res = lab("ssh", name, "cat /proc/sys/kernel/random/boot_id", check=False, timeout=30)
    except subprocess.TimeoutExpired:
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def reboot(lab, names):
    before = dict((n, boot_id(lab, n)) for n in names)
    for n in names:
        try:
            lab("ssh", n, "systemctl reboot", check=False, timeout=30)
        except subprocess.TimeoutExpired:
            pass
    for n in names:
        wait_for(lambda n=n: boot_id(lab, n) not in (None, before[n]), 300, "%s to boot again" % n, interval=5)


def ping_link(src, dst):
    peer_ip = address(hostvars(node(dst))["hapair_replication_address"])
    return node(src).run("ping -c 2 -W 2 %s", peer_ip).rc == 0


def test_replication_link_cut_and_restored(lab):
    assert ping_link(PRIMARY, SECONDARY)
    since = node(PRIMARY).check_output("date '+%Y-%m-%d %H:%M:%S'")
    lab("link", "down")
    try:
        assert not ping_link(PRIMARY, SECONDARY), "node1 still reaches node2's replication address"
        wait_for(lambda: drbd_state(node(PRIMARY)).get("connection") in ("Connecting", "Unconnected"), 60,
                 "DRBD on node1 to notice the cut")
        # hapair_fencing_policy=continue (this scenario): writes go on, never suspended. The control of
        # the operations scenario's freeze test, which asserts "susp( 0 -> 1 )" in the same log.
        assert node(PRIMARY).run("timeout 30 sh -c 'echo cut > /srv/hapair/.cut-probe && sync'").rc == 0
        kernel = node(PRIMARY).check_output("journalctl -k --since %s --no-pager -o cat", since)
        assert "susp( 0 -> 1 )" not in kernel and drbd_state(node(PRIMARY)).get("suspended") in (None, "no"), \
            kernel[-3000:]
        # The monitoring role's timer says so too, on its own (no playbook runs): the degraded pair
        # reaches node_exporter's textfile within a few intervals.
        interval = int(hostvars(node(PRIMARY))["hapair_monitoring_interval"])
        wait_for(lambda: re.search(r'^hapair_connected\{resource="r0"\} 0$',
                                   node(PRIMARY).file("/var/lib/prometheus/node-exporter/hapair.prom").content_string,
                                   re.M), 4 * interval + 10, "node1's metrics to say hapair_connected 0")
        # The service network is another link: it still works.
        service_ip = address(hostvars(node(SECONDARY))["hapair_service_address"])
        assert node(PRIMARY).run("ping -c 1 -W 2 %s", service_ip).rc == 0
        assert drbd_state(node(PRIMARY))["role"] == "Primary"
    finally:
        lab("link", "up")
    assert wait_for(lambda: ping_link(PRIMARY, SECONDARY), 30, "the link to carry traffic again")
    wait_for(lambda: in_sync(PRIMARY), 120, "DRBD to reconnect and resync by itself")
    node(PRIMARY).check_output("rm -f /srv/hapair/.cut-probe")


def sync_write_ms(name, count=40):
    """Mean latency of `count` 4 KiB O_DSYNC writes to the mounted mirror on `name`, in ms."""
    out = node(name).check_output(
        "dd if=/dev/zero of=/srv/hapair/.shape-probe bs=4k count=%s oflag=dsync 2>&1 >/dev/null | tail -n 1; "
        "rm -f /srv/hapair/.shape-probe", str(count))
    seconds = float(re.search(r", ([0-9.]+) s,", out).group(1))
    return 1000.0 * seconds / count


def test_delayed_link_mirror_connects_writes_wait_nothing_lost(lab, tmp_path):
    """A replication link with 20 ms each way (labctl link shape): the mirror reconnects over it,
    status.yml reports the pair healthy, a synchronous write on the Primary now waits for the
    peer's acknowledgement (protocol C: at least one 40 ms round trip), and nothing is left out
    of sync."""
    lab("link", "shape", "--delay", "20")
    try:
        assert node(PRIMARY).run("ping -c 3 -i 0.3 %s | tail -n 1",
                                 address(hostvars(node(SECONDARY))["hapair_replication_address"])).rc == 0
        # cut and restore under the delay: DRBD must connect (handshake, pings) over the slow link
        lab("link", "down")
        wait_for(lambda: drbd_state(node(PRIMARY)).get("connection") in ("Connecting", "Unconnected"), 60,
                 "DRBD on node1 to notice the cut")
        lab("link", "up")
        wait_for(lambda: in_sync(PRIMARY), 180, "DRBD to connect again over the delayed link")
        assert sync_write_ms(PRIMARY) >= 40.0, "a synchronous write returned before a 40 ms round trip"
        path = tmp_path / "pair.json"
        rc, out, dummy = playbook("status.yml", "hapair_status_json=%s" % path)
        assert rc == 0, out[-3000:]
        assert json.loads(path.read_text())["verdict"] == "healthy"
        # DRBD 8.4's status leaves out a zero out-of-sync count; /proc/drbd always shows it
        oos = re.search(r"\boos:(\d+)", node(PRIMARY).check_output("cat /proc/drbd"))
        assert oos is not None and oos.group(1) == "0", "out of sync after writes over the delayed link"
    finally:
        lab("link", "shape", "--clear")
    wait_for(lambda: in_sync(PRIMARY), 120, "the pair in sync after the shaping went")
    assert sync_write_ms(PRIMARY) < 40.0, "writes still wait as if the link were delayed"


def test_secondary_crash_and_restart(lab):
    lab("kill", SECONDARY)
    assert lab.status()["nodes"][SECONDARY]["running"] is False
    wait_for(lambda: drbd_state(node(PRIMARY)).get("connection") != "Connected", 60, "node1 to see node2 gone")
    assert drbd_state(node(PRIMARY))["role"] == "Primary"
    lab("start", SECONDARY)
    s = wait_for(lambda: in_sync(SECONDARY), 180, "node2 to rejoin after the crash")
    assert s["role"] == "Secondary"


def test_primary_crash_and_restart_leaves_no_primary(lab):
    """A crashed Primary comes back as Secondary: a manual cluster never promotes by itself."""
    lab("kill", PRIMARY)
    lab("start", PRIMARY)
    wait_for(lambda: in_sync(PRIMARY), 180, "node1 to reconnect after its crash")
    assert drbd_state(node(PRIMARY))["role"] == "Secondary"
    assert drbd_state(node(SECONDARY))["role"] == "Secondary"


def test_reboot_of_both_nodes(lab):
    reboot(lab, [PRIMARY, SECONDARY])
    for name in (PRIMARY, SECONDARY):
        s = wait_for(lambda name=name: in_sync(name), 240, "%s in sync after both rebooted" % name)
        assert s["role"] == "Secondary", "%s promoted itself at boot" % name
        host = node(name)
        assert not host.service("hapair-demo.service").is_running
        assert not host.mount_point(hostvars(host).get("hapair_mount_point", "/srv/hapair")).exists
        assert address(hostvars(host)["hapair_service_ip"]) not in host.check_output("ip -4 -o addr show")
        # Nothing left the boot stuck: the system reached its default target.
        assert host.run("systemctl is-system-running --wait").stdout.strip() in ("running", "degraded")
