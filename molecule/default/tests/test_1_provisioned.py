"""The pair right after provision.yml: mirrored, connected, services on the Primary only."""

import json
import re

import pytest

from hapair_lab.checks import (
    RESOURCE, address, drbd_state, hostvars, node, node_exporter_reads, peer_name, replication_interface, wait_for,
)


def is_primary(host):
    v = hostvars(host)
    return host.backend.get_hostname() == v["hapair_initial_primary"]


def test_connected_and_in_sync(host):
    s = drbd_state(host)
    assert s["connection"] == "Connected"
    assert s["replication"] == "Established"
    assert (s["disk"], s["peer_disk"]) == ("UpToDate", "UpToDate")


def test_roles(host):
    s = drbd_state(host)
    expected = ("Primary", "Secondary") if is_primary(host) else ("Secondary", "Primary")
    assert (s["role"], s["peer_role"]) == expected


def test_protocol_c_and_peer_authentication(host):
    shown = host.run("drbdsetup show --show-defaults %s", RESOURCE).stdout
    assert re.search(r"^\s*protocol\s+C;", shown, re.M)
    assert re.search(r'^\s*cram-hmac-alg\s+"sha256";', shown, re.M)
    assert re.search(r'^\s*shared-secret\s+"[^"]+";', shown, re.M)


def test_resource_file_holds_the_secret_and_is_0600(host):
    f = host.file("/etc/drbd.d/%s.res" % RESOURCE)
    assert f.mode == 0o600
    assert f.user == "root"


def test_mirror_never_in_fstab(host):
    assert "drbd" not in host.file("/etc/fstab").content_string


def test_filesystem_mounted_on_primary_only(host):
    mount_point = hostvars(host).get("hapair_mount_point", "/srv/hapair")
    mounted = host.mount_point(mount_point).exists
    if is_primary(host):
        assert mounted and host.mount_point(mount_point).device == "/dev/drbd1"
        assert host.mount_point(mount_point).filesystem == "xfs"
    else:
        assert not mounted


@pytest.mark.parametrize("unit", ["hapair-demo.service"])
def test_services_on_primary_only_and_never_at_boot(host, unit):
    service = host.service(unit)
    assert service.is_running == is_primary(host)
    assert host.run("systemctl is-enabled %s", unit).stdout.strip() in ("disabled", "static", "masked")


def test_service_ip_on_primary_only(host):
    ip = hostvars(host)["hapair_service_ip"].split("/")[0]
    addrs = json.loads(host.check_output("ip -j -4 addr show"))
    present = any(a["local"] == ip for link in addrs for a in link.get("addr_info", []))
    assert present == is_primary(host)


def test_replication_link_mtu_and_address(host):
    v = hostvars(host)
    iface = replication_interface(host)
    link = json.loads(host.check_output("ip -j addr show dev %s", iface))[0]
    assert link["mtu"] == v.get("hapair_replication_mtu", 9000)
    assert v["hapair_replication_address"] in ["%s/%s" % (a["local"], a["prefixlen"]) for a in link["addr_info"]]


def test_jumbo_frames_pass_to_the_peer(host):
    v = hostvars(host)
    peer = hostvars(node(peer_name(host)))
    size = str(int(v.get("hapair_replication_mtu", 9000)) - 28)
    assert host.run("ping -c 2 -W 2 -M do -s %s %s", size, address(peer["hapair_replication_address"])).rc == 0


PROBE = """
import socket, sys
s = socket.socket()
s.settimeout(3)
s.bind((sys.argv[1], 0))
try:
    s.connect((sys.argv[2], int(sys.argv[3])))
    print("open")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("dropped")
"""


def test_drbd_port_answers_only_the_peers_link_address():
    """From the Secondary's replication address a SYN reaches the Primary's TCP stack (open, or
    refused while DRBD is connected and not listening); from its service address it is dropped."""
    primary = node("node1")
    v = hostvars(primary)
    secondary = node(peer_name(primary))
    sv = hostvars(secondary)
    target = address(v["hapair_replication_address"])
    port = str(v.get("hapair_drbd_port", 7788))
    from_link = secondary.run("python3 -c %s %s %s %s", PROBE, address(sv["hapair_replication_address"]), target, port)
    from_service = secondary.run("python3 -c %s %s %s %s", PROBE, address(sv["hapair_service_address"]), target, port)
    assert from_link.stdout.strip() in ("open", "refused"), from_link.stdout + from_link.stderr
    assert from_service.stdout.strip() == "dropped", from_service.stdout + from_service.stderr


def test_metrics_timer_writes_what_node_exporter_reads(host):
    """The monitoring role's timer keeps hapair.prom fresh, in the node's own Python, and node_exporter's
    own parser reads it without error and with the pair's values."""
    v = hostvars(host)
    path = "/var/lib/prometheus/node-exporter/hapair.prom"
    if not v.get("hapair_monitoring"):
        # a scenario that runs without it (failover): the role's other path, nothing installed
        assert not host.file("/etc/systemd/system/hapair-metrics@.timer").exists
        assert not host.file(path).exists
        return
    interval = int(v["hapair_monitoring_interval"])
    unit = host.run("systemctl cat hapair-metrics@%s.service", RESOURCE).stdout
    assert "ExecStart=%s -m ansible_collections.hapair.cluster.plugins.module_utils.node_metrics" % (
        v["ansible_python_interpreter"]) in unit
    assert host.service("hapair-metrics@%s.timer" % RESOURCE).is_running

    def fresh():
        # content_string: testinfra's check_output would strip the last newline node_exporter needs
        text = host.file(path).content_string
        now = int(host.check_output("date +%s"))
        written = re.search(r'^hapair_last_update_timestamp_seconds\{resource="r0"\} (\d+)$', text, re.M)
        return text if written and now - int(written.group(1)) <= 3 * interval else None

    text = wait_for(fresh, 6 * interval, "a hapair.prom written in the last %d s" % (3 * interval))
    samples = node_exporter_reads(text)
    assert samples["node_textfile_scrape_error"] == 0, text
    label = '{resource="%s"}' % RESOURCE
    assert dict((name, samples[name + label]) for name in (
        "hapair_up", "hapair_primary", "hapair_connected", "hapair_disk_uptodate", "hapair_peer_disk_uptodate",
        "hapair_out_of_sync_bytes", "hapair_writes_suspended", "hapair_split_brain")) == {
        "hapair_up": 1, "hapair_primary": 1 if is_primary(host) else 0, "hapair_connected": 1,
        "hapair_disk_uptodate": 1, "hapair_peer_disk_uptodate": 1, "hapair_out_of_sync_bytes": 0,
        "hapair_writes_suspended": 0, "hapair_split_brain": 0}
    # the negative control: the same parser must reject a file cut inside a label
    assert node_exporter_reads(text[:text.index(label) + 5])["node_textfile_scrape_error"] == 1
