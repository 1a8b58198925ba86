"""Bad input: provision.yml must refuse with a message that says what is wrong and
change nothing on either node (rule: never destroy data, fail early).

Runs ansible-playbook from the controller, as an installer would, against a
copy of the lab inventory with one thing wrong in it.
"""

import copy

import pytest
import yaml

from hapair_lab.checks import INVENTORY, node, playbook


def fingerprint(name, extra=()):
    """What must not change: DRBD state and config, link addresses, partitions, services."""
    host = node(name)
    commands = [
        "drbdsetup events2 --now r0 | sed 's/ \\(received\\|sent\\|read\\|written\\|al-writes\\|bm-writes\\):[0-9]*//g'",
        "md5sum /etc/drbd.d/*.res",
        "ip -o -4 addr show | awk '{print $2, $4}'",
        "lsblk -rno NAME,SIZE,TYPE,PARTLABEL,FSTYPE",
        "systemctl is-active hapair-demo.service || true",
    ] + list(extra)
    return dict((c, host.run(c).stdout) for c in commands)


def load_inventory():
    with open(INVENTORY) as f:
        return yaml.safe_load(f)


def run_provision(tmp_path, inventory):
    path = str(tmp_path / "inventory.yml")
    with open(path, "w") as f:
        yaml.safe_dump(inventory, f)
    rc, out, dummy = playbook("provision.yml", inventory=path)
    return rc, out


def pair_hosts(inv):
    return inv["all"]["children"]["hapair_cluster"]["hosts"]


def pair_vars(inv):
    return inv["all"]["children"]["hapair_cluster"]["vars"]


def with_host_var(name, key, value):
    def change(inv):
        pair_hosts(inv)[name][key] = value
    return change


def both_hosts(key, values):
    def change(inv):
        for name, value in zip(("node1", "node2"), values):
            pair_hosts(inv)[name][key] = value
    return change


def without_group_var(key):
    def change(inv):
        del pair_vars(inv)[key]
    return change


def third_host(inv):
    pair_hosts(inv)["node3"] = copy.deepcopy(pair_hosts(inv)["node2"])


INVENTORY_CASES = [
    ("same link address on both nodes", both_hosts("hapair_replication_address", ["10.77.0.1/24", "10.77.0.1/24"]),
     "on both node1 and node2"),
    ("link addresses in different subnets", with_host_var("node2", "hapair_replication_address", "10.78.0.2/24"),
     "same subnet"),
    ("link subnet overlaps the access network", both_hosts("hapair_replication_address", ["10.0.2.101/24", "10.0.2.102/24"]),
     "overlaps"),
    ("three hosts in the group", third_host, "has 3 hosts"),
    ("missing shared secret", without_group_var("hapair_shared_secret"), "hapair_shared_secret"),
    ("initial primary not in the group", lambda inv: pair_vars(inv).update(hapair_initial_primary="node9"),
     "hapair_initial_primary 'node9' is not in group"),
    ("MTU above range", lambda inv: pair_vars(inv).update(hapair_replication_mtu=10000), "out of range"),
    ("MTU below range", lambda inv: pair_vars(inv).update(hapair_replication_mtu=100), "out of range"),
]


@pytest.mark.parametrize("case,change,message", INVENTORY_CASES, ids=[c[0] for c in INVENTORY_CASES])
def test_bad_inventory_is_refused_before_any_change(tmp_path, case, change, message):
    before = dict((n, fingerprint(n)) for n in ("node1", "node2"))
    inv = load_inventory()
    change(inv)
    rc, out = run_provision(tmp_path, inv)
    assert rc != 0, "%s was accepted" % case
    assert "does not describe one valid hapair pair" in out
    assert message in out, out[-3000:]
    assert before == dict((n, fingerprint(n)) for n in ("node1", "node2"))


LOOP = "/root/refusal-test.img"


@pytest.fixture
def foreign_disk():
    """A loop device on node2 that a careless tool could destroy; removed afterwards."""
    host = node("node2")
    dev = host.check_output("truncate -s 600M %s && losetup -f --show %s", LOOP, LOOP).strip()
    yield host, dev
    host.run("losetup -d %s; rm -f %s", dev, LOOP)


@pytest.mark.parametrize("prepare,message", [
    ("mkfs.xfs -q %s && mkdir -p /mnt/t && mount %s /mnt/t && echo precious > /mnt/t/data && umount /mnt/t",
     "xfs"),
    ("parted -s %s mklabel gpt mkpart other 1MiB 200MiB", "partition"),
], ids=["disk holds a filesystem", "disk holds foreign partitions"])
def test_spare_disk_holding_data_is_refused(tmp_path, foreign_disk, prepare, message):
    host, dev = foreign_disk
    assert host.run(prepare.replace("%s", dev)).rc == 0
    probe = ["wipefs -n %s" % dev, "md5sum %s" % dev]
    before = dict((n, fingerprint(n, probe if n == "node2" else ())) for n in ("node1", "node2"))
    inv = load_inventory()
    pair_hosts(inv)["node2"]["hapair_spare_disk"] = dev
    # Another name than the live mirror's, or the module would (rightly) refuse a second
    # partition of that name before it even looked at the disk's content.
    pair_hosts(inv)["node2"]["hapair_spare_label"] = "hapair-refusal-test"
    rc, out = run_provision(tmp_path, inv)
    assert rc != 0
    assert message in out, out[-3000:]
    assert before == dict((n, fingerprint(n, probe if n == "node2" else ())) for n in ("node1", "node2"))
