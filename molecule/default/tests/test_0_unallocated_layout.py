"""The disk layout this scenario runs on: no spare disk, the mirror in the unallocated space
after the OS disk's root partition (the seed's "partition" case). The operations scenario runs on
a spare disk (LVM on a whole-disk partition).

What differs from the spare-disk layout is the spare_partition module's free_space mode; the
scenario's idempotence run covers the rest. The second run here is that module alone, with the
role's arguments, on the provisioned pair.
"""

import json
import re

import pytest

from hapair_lab.checks import adhoc, hostvars, node


@pytest.mark.parametrize("name", ["node1", "node2"])
def test_mirror_is_a_new_partition_after_the_root_partition(name):
    host = node(name)
    hv = hostvars(host)
    assert hv["hapair_spare_mode"] == "free_space"
    disk = host.check_output("readlink -f %s", hv["hapair_spare_disk"])
    tree = json.loads(host.check_output("lsblk -J -o NAME,TYPE,PARTLABEL,MOUNTPOINT %s", disk))
    parts = [(c["name"], c["partlabel"], c["mountpoint"]) for c in tree["blockdevices"][0]["children"]]
    assert len(parts) == 2 and parts[0][2] == "/" and parts[1][1] == "hapair-mirror", parts
    backing = re.search(r'\bdisk\s+"([^"]+)"', host.check_output("drbdsetup show r0")).group(1)
    assert host.check_output("readlink -f %s", backing) == "/dev/" + parts[1][0]


def test_second_run_of_the_partitioning_changes_nothing():
    rc, out = adhoc("hapair_cluster", "hapair.cluster.spare_partition",
                    "disk={{ hapair_spare_disk }} mode={{ hapair_spare_mode }} label=hapair-mirror "
                    "min_size={{ hapair_min_mirror_size | default('512MiB') }}")
    assert rc == 0, out
    assert out.count('"changed": false') == 2 and '"changed": true' not in out, out
