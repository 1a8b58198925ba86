"""The bad-input catalogue on the lab: one table of wrong inputs across the inventory,
the roles, the modules and the operator playbooks.

Each case runs ansible-playbook from the controller, as an installer or an operator
would, with one thing wrong (an inventory value, an -e variable, or the state of the
pair), and asserts that the run fails, that the output carries the words that say
what is wrong, and that nothing changed on either node nor in the backup repository.
docs/bad-inputs.md lists these cases with the unit tests behind them.
"""

import collections
import concurrent.futures
import contextlib
import copy
import os

import pytest
import yaml

from hapair_lab.checks import (INVENTORY, LOCK_FILE, TOP, clocks, drbd_state, hostvars, node, playbook, scheduled_ids,
                               scheduled_runs_script, snapshots, wait_for, without_scheduled, write_stale_lock)

ROLE_ONLY = os.path.join(TOP, "molecule", "default", "backup_role.yml")
LOOP = "/root/refusal-test.img"
PRIMARY, SECONDARY = "node1", "node2"


SENTINEL = "/srv/hapair/catalogue-sentinel"
SINCE = {}  # the nodes' clocks at the first fingerprint: the timers' snapshots since are no case's doing


def fingerprint(extra=None):
    """What a refused run must not change: DRBD state and config, link addresses, partitions,
    services, the backup settings on both nodes, the data (a file changed since the last
    snapshot, so that a restore would show); the repository's snapshots, less those the hourly
    timer made (CI runs cross the hour). Both nodes are read at once (one round trip each)."""
    def read(name):
        host = node(name)
        commands = [
            "drbdsetup events2 --now r0 | sed 's/ \\(received\\|sent\\|read\\|written\\|al-writes\\|bm-writes\\):[0-9]*//g'",
            "md5sum /etc/drbd.d/*.res",
            "ip -o -4 addr show | awk '{print $2, $4}'",
            "lsblk -rno NAME,SIZE,TYPE,PARTLABEL,FSTYPE",
            "systemctl is-active hapair-demo.service || true",
            "findmnt -rno SOURCE,TARGET /srv/hapair || true",
            "md5sum /etc/hapair/backup/* 2>/dev/null || true",
            "sha256sum %s 2>/dev/null || true" % SENTINEL,
        ] + list((extra or {}).get(name, ()))
        # each command's output under its own header; the timers' runs last, outside the fingerprint
        script = "; ".join("echo '=== %s'; %s" % (i, c) for i, c in enumerate(commands))
        state, scheduled = host.run("%s; echo '=== scheduled'; %s" % (script, scheduled_runs_script(SINCE[name]))
                                    ).stdout.split("=== scheduled\n")
        return state, scheduled_ids(scheduled)
    if not SINCE:
        SINCE.update(clocks())
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        read_out = dict(zip(("node1", "node2"), pool.map(read, ("node1", "node2"))))
    scheduled = read_out["node1"][1] | read_out["node2"][1]
    return dict(((n, state) for n, (state, dummy) in read_out.items()),
                snapshots=sorted(without_scheduled(snapshots(), scheduled)))


# ---------------------------------------------------------------------------
# inventory changes

def pair_hosts(inv):
    return inv["all"]["children"]["hapair_cluster"]["hosts"]


def pair_vars(inv):
    return inv["all"]["children"]["hapair_cluster"]["vars"]


def host_var(name, key, value):
    def change(inv):
        pair_hosts(inv)[name][key] = value
    return change


def both_hosts(key, values):
    def change(inv):
        for name, value in zip(("node1", "node2"), values):
            pair_hosts(inv)[name][key] = value
    return change


def group_var(key, value):
    def change(inv):
        pair_vars(inv)[key] = value
    return change


def without_group_var(*keys):
    def change(inv):
        for key in keys:
            for where in [pair_vars(inv), inv["all"].get("vars") or {}] + list(pair_hosts(inv).values()):
                where.pop(key, None)
    return change


def third_host(inv):
    pair_hosts(inv)["node3"] = copy.deepcopy(pair_hosts(inv)["node2"])


# ---------------------------------------------------------------------------
# states a case needs (context managers: set up, yield the fingerprint's extra probes, undo)

@contextlib.contextmanager
def foreign_disk(prepare):
    """A loop device on node2 holding data a careless tool could destroy."""
    host = node("node2")
    dev = host.check_output("truncate -s 600M %s && losetup -f --show %s", LOOP, LOOP).strip()
    try:
        assert host.run(prepare.replace("%s", dev)).rc == 0
        yield {"node2": ["wipefs -n %s" % dev, "md5sum %s" % dev]}, {"DEV": dev}
    finally:
        host.run("losetup -d %s; rm -f %s", dev, LOOP)


@contextlib.contextmanager
def link_cut(lab):
    lab("link", "down")
    try:
        # settled: the fence-peer handler has marked the Secondary Outdated over the service network
        wait_for(lambda: drbd_state(node(PRIMARY)).get("connection") not in ("Connected", None) and
                 drbd_state(node(PRIMARY)).get("peer_disk") == "Outdated" and
                 drbd_state(node(SECONDARY)).get("disk") == "Outdated", 90, "DRBD to see the link gone, peer fenced")
        yield {}, {}
    finally:
        lab("link", "up")
        wait_for(lambda: drbd_state(node(PRIMARY)).get("replication") == "Established" and
                 drbd_state(node(SECONDARY)).get("disk") == "UpToDate", 180, "DRBD to reconnect in sync")


@contextlib.contextmanager
def stale_lock(lab):
    """The operation lock a killed ansible-playbook run left on node2 (the lock is part of the fingerprint)."""
    run = write_stale_lock("node2", "switchover (failover.yml)")
    try:
        yield {"node2": ["cat %s" % LOCK_FILE]}, {"RUN": run}
    finally:
        node("node2").run("rm -f %s", LOCK_FILE)


Case = collections.namedtuple("Case", "id playbook extra inventory state words options")


def case(id, playbook, words, extra=(), inventory=None, state=None, options=()):
    return Case(id, playbook, list(extra), inventory, state, [words] if isinstance(words, str) else list(words),
                list(options))


PAIR = "does not describe one valid hapair pair"
CASES = [
    # inventory (provision.yml stops in its preflight play, before any node is touched)
    case("same link address on both nodes", "provision.yml", [PAIR, "on both node1 and node2"],
         inventory=both_hosts("hapair_replication_address", ["10.77.0.1/24", "10.77.0.1/24"])),
    case("link addresses in different subnets", "provision.yml", [PAIR, "same subnet"],
         inventory=host_var("node2", "hapair_replication_address", "10.78.0.2/24")),
    case("link subnet overlaps the access network", "provision.yml", [PAIR, "overlaps"],
         inventory=both_hosts("hapair_replication_address", ["10.0.2.101/24", "10.0.2.102/24"])),
    case("link address is not an IP address", "provision.yml", [PAIR, "is not a valid IP address with prefix"],
         inventory=host_var("node2", "hapair_replication_address", "10.77.0.300/24")),
    case("link address without prefix length", "provision.yml", [PAIR, "has no prefix length"],
         inventory=host_var("node2", "hapair_replication_address", "10.77.0.2")),
    case("link address is the broadcast address", "provision.yml", [PAIR, "is the broadcast address"],
         inventory=host_var("node2", "hapair_replication_address", "10.77.0.255/24")),
    case("replication MAC is not a MAC", "provision.yml", [PAIR, "is not a valid MAC address"],
         inventory=host_var("node2", "hapair_replication_mac", "52:54:00:zz:00:02")),
    case("three hosts in the group", "provision.yml", [PAIR, "has 3 hosts"], inventory=third_host),
    case("missing shared secret", "provision.yml", [PAIR, "hapair_shared_secret is not set; set it for the group"],
         inventory=without_group_var("hapair_shared_secret")),
    case("shared secret longer than DRBD takes", "provision.yml", [PAIR, "characters long; DRBD accepts at most"],
         inventory=group_var("hapair_shared_secret", "x" * 80)),
    case("initial primary not in the group", "provision.yml", [PAIR, "hapair_initial_primary 'node9' is not in group"],
         inventory=group_var("hapair_initial_primary", "node9")),
    case("MTU above range", "provision.yml", [PAIR, "out of range"], inventory=group_var("hapair_replication_mtu", 10000)),
    case("MTU below range", "provision.yml", [PAIR, "out of range"], inventory=group_var("hapair_replication_mtu", 100)),
    case("provision.yml limited to one node", "provision.yml",
         [PAIR, "this run leaves out node2 of group hapair_cluster (ansible-playbook --limit?)"],
         options=["--limit", "node1"]),
    case("failover.yml limited to one node", "failover.yml",
         ["this run leaves out node2 of group hapair_cluster (ansible-playbook --limit?); the pair is judged and "
          "changed with both nodes in the run"], options=["--limit", "node1"]),
    case("spare disk is not a path under /dev", "provision.yml", [PAIR, "is not a device path under /dev"],
         inventory=host_var("node2", "hapair_spare_disk", "vdb")),
    case("spare disk names a partition", "provision.yml", [PAIR, "names a partition"],
         inventory=host_var("node2", "hapair_spare_disk", "/dev/vdb1")),
    # disks (refused by the preflight's spare-disk probe and by spare_partition)
    case("spare disk holds a filesystem", "provision.yml",
         ["is not blank", "xfs filesystem", "force_wipe_signatures=true (DESTROYS it)"],
         inventory=lambda inv: None,
         state=lambda lab: foreign_disk("mkfs.xfs -q %s && mkdir -p /mnt/t && mount %s /mnt/t && "
                                        "echo precious > /mnt/t/data && umount /mnt/t")),
    case("spare disk holds foreign partitions", "provision.yml", "gpt partition table with 1 partition (1 'other')",
         inventory=lambda inv: None,
         state=lambda lab: foreign_disk("parted -s %s mklabel gpt mkpart other 1MiB 200MiB")),
    # operations
    case("switchover to a node not in the pair", "failover.yml", 'unknown target node "node9"',
         extra=["hapair_target=node9"]),
    case("switchover with the replication link cut", "failover.yml",
         ["refused, nothing was changed", "the replication link is not Connected"], state=link_cut),
    case("emergency promotion without confirmation", "promote.yml",
         ["An emergency promotion may lose the last writes", "-e hapair_confirm_data_loss=yes", "Nothing was changed"],
         extra=["hapair_target=node2"]),
    case("emergency promotion of a node not in the pair", "promote.yml",
         "Name the node to promote with -e hapair_target=NODE", extra=["hapair_target=node9", "hapair_confirm_data_loss=yes"]),
    case("emergency promotion while the Primary is alive and connected", "promote.yml",
         ["node1 is reachable and still Primary", "Nothing was changed"],
         extra=["hapair_target=node2", "hapair_confirm_data_loss=yes"]),
    case("make_primary without a target", "make_primary.yml", "Name the node to promote with -e hapair_target=NODE"),
    case("make_secondary of a node not in the pair", "make_secondary.yml",
         "hapair_node node9 is not in group hapair_cluster", extra=["hapair_node=node9"]),
    case("rejoin of a node not in the pair", "rejoin.yml",
         ["Which node should rejoin? node9 is not in group hapair_cluster", "Nothing was changed"],
         extra=["hapair_node=node9"]),
    case("rejoin naming two different nodes", "rejoin.yml",
         ["hapair_node and hapair_split_brain_victim name different nodes (hapair_node=node1, "
          "hapair_split_brain_victim=node2)", "Nothing was changed"],
         extra=["hapair_node=node1", "hapair_split_brain_victim=node2"]),
    case("provisioning while a killed run's lock is left", "provision.yml",
         ["Another operation holds the pair on node2: switchover (failover.yml), run ", "the lock is STALE",
          "rerun with -e hapair_force_release_lock=", "Nothing was changed"], state=stale_lock),
    # backups (the lab's SFTP repository)
    case("wrong repository password", ROLE_ONLY, "hapair_backup_password does not open it",
         extra=["hapair_backup_password=not-the-password-4711"]),
    case("unreachable repository", ROLE_ONLY, "cannot reach the repository",
         extra=["hapair_backup_repository=sftp:root@backup.invalid:r0"]),
    case("repository on the mirror", ROLE_ONLY, "is on the mirror",
         extra=["hapair_backup_repository=/srv/hapair/restic"]),
    case("repository as a relative path", ROLE_ONLY, "is a relative path", extra=["hapair_backup_repository=backups/r0"]),
    case("snapshot consistency without LVM under DRBD", ROLE_ONLY, "needs an LVM volume under DRBD",
         extra=["hapair_backup_consistency=snapshot"]),
    case("freeze consistency on xfs", ROLE_ONLY, "hapair_backup_consistency=freeze does not work on xfs",
         extra=["hapair_backup_consistency=freeze"]),
    case("restore of a snapshot that does not exist", "restore.yml", "snapshot 0123abcd does not exist",
         extra=["hapair_restore_in_place=true", "hapair_restore_snapshot=0123abcd"]),
    case("restore in place on the Secondary", "restore.yml", "Refusing to restore in place on node2",
         extra=["hapair_restore_in_place=true", "hapair_restore_node=node2"]),
    case("restore on a node not in the pair", "restore.yml", "No node to restore on", extra=["hapair_restore_node=node9"]),
    case("rebuild without a repository", "rebuild_from_backup.yml",
         ["restores from the restic repository in hapair_backup_repository", "Nothing was changed"],
         inventory=without_group_var("hapair_backup_repository", "hapair_backup_password")),
    # DRBD options that would break the promise, or that DRBD does not know (module_utils/drbd_options.py)
    case("DRBD option allowing two Primaries", "provision.yml",
         [PAIR, "allow-two-primaries yes is refused: two Primaries at once"],
         inventory=group_var("hapair_drbd_net_options", {"allow-two-primaries": "yes"})),
    case("DRBD option resolving split brain automatically", "provision.yml",
         [PAIR, "after-sb-0pri discard-zero-changes is refused: a split brain resolved automatically"],
         inventory=group_var("hapair_drbd_net_options", {"after-sb-0pri": "discard-zero-changes"})),
    case("DRBD asynchronous protocol", "provision.yml",
         [PAIR, "protocol A is refused: an asynchronous protocol"],
         inventory=group_var("hapair_drbd_net_options", {"protocol": "A"})),
    case("DRBD option that does not exist", "provision.yml",
         [PAIR, "'c-max-rat' is not a DRBD disk option (did you mean 'c-max-rate'?)"],
         inventory=group_var("hapair_drbd_disk_options", {"c-max-rat": "1G"})),
    # promote.yml and make_primary.yml share one rule set (module_utils/promotion.py)
    case("make_primary forcing a stale copy without confirmation", "make_primary.yml",
         ["hapair_force_stale_promotion=true makes node2 Primary even when DRBD knows its copy is stale",
          "Confirm with -e hapair_confirm_data_loss=yes", "Nothing was changed"],
         extra=["hapair_target=node2", "hapair_force_stale_promotion=true"]),
]


@pytest.fixture(scope="module")
def pair_ready():
    """node1 Primary, in sync, and a snapshot in the repository (so that an unknown snapshot id is
    told apart from an empty repository) holding a sentinel file that has changed since: a restore
    that ran would show in the fingerprint. The fault tests before this module leave no Primary."""
    role = drbd_state(node(PRIMARY)).get("role")
    if role != "Primary":
        book = "failover.yml" if drbd_state(node(SECONDARY)).get("role") == "Primary" else "make_primary.yml"
        rc, out, dummy = playbook(book, "hapair_target=%s" % PRIMARY)
        assert rc == 0, out[-3000:]
    wait_for(lambda: drbd_state(node(SECONDARY)).get("disk") == "UpToDate", 180, "node2 in sync")
    primary = node(PRIMARY)
    primary.check_output("echo 'in the snapshot' > %s && sync", SENTINEL)
    rc, out, dummy = playbook("backup.yml")
    assert rc == 0, out[-3000:]
    assert snapshots()
    primary.check_output("echo 'changed since the snapshot' > %s && sync", SENTINEL)
    yield
    primary.run("rm -f %s", SENTINEL)


@pytest.fixture(scope="module")
def backup_password():
    return hostvars(node(PRIMARY))["hapair_backup_password"]


def test_catalogue_is_large_enough():
    assert len(CASES) >= 25
    assert len(set(c.id for c in CASES)) == len(CASES)


def test_the_fingerprint_sees_a_snapshot_but_not_the_timers(pair_ready):
    """The control behind the catalogue's "nothing changed in the repository": a snapshot the
    hourly timer takes during a case is no change of the case's, one taken by hand is."""
    before = fingerprint()
    node(PRIMARY).check_output("systemctl start hapair-backup@r0.service")   # as the timer does
    assert fingerprint() == before
    rc, out, dummy = playbook("backup.yml")
    assert rc == 0, out[-3000:]
    after = fingerprint()
    assert len(after["snapshots"]) == len(before["snapshots"]) + 1
    assert dict(after, snapshots=None) == dict(before, snapshots=None)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_wrong_input_is_refused_and_changes_nothing(lab, pair_ready, backup_password, tmp_path, c):
    with (c.state(lab) if c.state else contextlib.nullcontext(({}, {}))) as (probes, values):
        inventory = INVENTORY
        if c.inventory is not None:
            with open(INVENTORY) as f:
                inv = yaml.safe_load(f)
            c.inventory(inv)
            if "DEV" in values:
                # another label than the live mirror's, or spare_partition would (rightly) refuse a
                # second partition of that name before it looked at the disk's content; a whole disk
                # (the scenario's own mirror is in the OS disk's free space)
                pair_hosts(inv)["node2"].update(hapair_spare_disk=values["DEV"], hapair_spare_label="hapair-refusal-test",
                                                hapair_spare_mode="whole_disk")
            inventory = str(tmp_path / "inventory.yml")
            with open(inventory, "w") as f:
                yaml.safe_dump(inv, f)
        before = fingerprint(probes)
        rc, out, dummy = playbook(c.playbook, *c.extra, inventory=inventory, options=c.options)
        after = fingerprint(probes)
    assert rc != 0, "%s was accepted:\n%s" % (c.id, out[-3000:])
    for words in c.words:
        assert words in out, "%r not in the output:\n%s" % (words, out[-3000:])
    assert before == after
    # neither a password given on the command line nor the real one is ever shown
    assert "not-the-password-4711" not in out and backup_password not in out
