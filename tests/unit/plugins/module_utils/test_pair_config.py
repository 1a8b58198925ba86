# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Table-driven tests for module_utils.pair_config.check_pair.

Every case starts from the lab pair (which must pass), changes a few
variables and lists the key phrase of each error it expects: the number of
errors must match, so one call reporting every problem is tested too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils import pair_config
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import (
    NetaddrMissingError,
    check_pair,
)

SECRET = "77d34177c284cc60d042fb693ec91f731846e5dc79f9791e"
HOSTS = ["node1", "node2"]
GROUP_VARS = {
    "hapair_shared_secret": SECRET,
    "hapair_initial_primary": "node1",
}
LAB = {
    "node1": {
        "hapair_replication_address": "10.77.0.1/24",
        "hapair_replication_mac": "52:54:00:d0:00:01",
        "hapair_service_address": "172.30.0.11/24",
        "hapair_service_mac": "52:54:00:5e:00:01",
        "hapair_spare_disk": "/dev/disk/by-id/virtio-hapair-spare",
        "hapair_spare_mode": "whole_disk",
    },
    "node2": {
        "hapair_replication_address": "10.77.0.2/24",
        "hapair_replication_mac": "52:54:00:d0:00:02",
        "hapair_service_address": "172.30.0.12/24",
        "hapair_service_mac": "52:54:00:5e:00:02",
        "hapair_spare_disk": "/dev/disk/by-id/virtio-hapair-spare",
        "hapair_spare_mode": "whole_disk",
    },
}
NODE3 = {
    "hapair_replication_address": "10.77.0.3/24",
    "hapair_replication_mac": "52:54:00:d0:00:03",
    "hapair_spare_disk": "/dev/disk/by-id/virtio-hapair-spare",
}
DELETE = object()


def lab_hostvars(node1=None, node2=None, group=None, extra_hosts=None):
    """The lab inventory as hostvars, with per-host and group-level changes.

    A value of DELETE removes the variable.
    """
    hostvars = {}
    hosts = dict(LAB)
    hosts.update(extra_hosts or {})
    for host, own in hosts.items():
        hv = dict(GROUP_VARS)
        hv.update(copy.deepcopy(own))
        hv.update(group or {})
        hv.update({"node1": node1, "node2": node2}.get(host) or {})
        hostvars[host] = dict((k, v) for k, v in hv.items() if v is not DELETE)
    return hostvars


def run(case):
    hosts = case.get("hosts", HOSTS)
    hostvars = lab_hostvars(case.get("node1"), case.get("node2"), case.get("group"),
                            dict((h, NODE3) for h in hosts if h == "node3"))
    return check_pair(hosts, hostvars, facts=case.get("facts"))


def assert_errors(result, phrases):
    errors = result["errors"]
    assert len(errors) == len(phrases), "\n".join(errors)
    unmatched = list(errors)
    for phrase in phrases:
        hits = [e for e in unmatched if phrase in e]
        assert hits, "no error contains %r in:\n%s" % (phrase, "\n".join(errors))
        unmatched.remove(hits[0])


# (id, case, expected error phrases)
BAD_CASES = [
    ("drbd-option-two-primaries",
     {"group": {"hapair_drbd_net_options": {"allow-two-primaries": "yes", "max-buffers": 8000}}},
     ["hapair_drbd_net_options: allow-two-primaries yes is refused: two Primaries at once"]),
    ("drbd-option-unknown",
     {"group": {"hapair_drbd_disk_options": {"c-max-rat": "1G"}}},
     ["'c-max-rat' is not a DRBD disk option (did you mean 'c-max-rate'?)"]),
    ("same-link-address",
     {"node2": {"hapair_replication_address": "10.77.0.1/24"}},
     ["hapair_replication_address is 10.77.0.1/24 on both node1 and node2; give each node its own address"]),
    ("different-subnets",
     {"node2": {"hapair_replication_address": "10.78.0.2/24"}},
     ["node1 10.77.0.1/24 is in 10.77.0.0/24 but node2 10.78.0.2/24 is in 10.78.0.0/24; both ends of "
      "the replication link must be in the same subnet with the same prefix length"]),
    ("different-prefix-lengths",
     {"node2": {"hapair_replication_address": "10.77.0.2/25"}},
     ["is in 10.77.0.0/24 but node2 10.77.0.2/25 is in 10.77.0.0/25; both ends"]),
    ("link-subnet-overlaps-other-network",
     {"facts": {"node1": ["192.168.1.5/24", "10.77.5.1/16"], "node2": []}},
     ["node1: the replication subnet 10.77.0.0/24 (hapair_replication_address) overlaps 10.77.5.1/16, "
      "which is already configured on another interface of the node"]),
    ("link-subnet-overlaps-named-interface",
     {"facts": {"node1": [], "node2": [{"network": "10.77.0.200/25", "interface": "eth0"}]}},
     ["node2: the replication subnet 10.77.0.0/24 (hapair_replication_address) overlaps 10.77.0.200/25, "
      "which is already configured on interface eth0"]),
    ("link-subnet-overlaps-service-network",
     {"node1": {"hapair_service_address": "10.77.0.11/24"},
      "node2": {"hapair_service_address": "10.77.0.12/24"}},
     ["node1: the replication subnet 10.77.0.0/24 (hapair_replication_address) overlaps the service network "
      "10.77.0.0/24",
      "node2: the replication subnet 10.77.0.0/24 (hapair_replication_address) overlaps the service network"]),
    ("three-hosts",
     {"hosts": ["node1", "node2", "node3"]},
     ["group hapair_cluster has 3 hosts (node1, node2, node3); a pair needs exactly two"]),
    ("one-host",
     {"hosts": ["node1"]},
     ["group hapair_cluster has 1 host (node1); a pair needs exactly two"]),
    ("no-hosts",
     {"hosts": []},
     ["group hapair_cluster has no hosts; put exactly two hosts in it"]),
    ("missing-shared-secret",
     {"group": {"hapair_shared_secret": DELETE}},
     ["hapair_shared_secret is not set; set it for the group"]),
    ("empty-shared-secret",
     {"group": {"hapair_shared_secret": ""}},
     ["hapair_shared_secret is not set"]),
    ("secret-65-chars",
     {"group": {"hapair_shared_secret": "s" * 65}},
     ["hapair_shared_secret is 65 characters long; DRBD accepts at most 64"]),
    ("secret-read-as-number",
     {"group": {"hapair_shared_secret": 12345678}},
     ["hapair_shared_secret was read as a int, not text (YAML turns unquoted digits into numbers); quote"]),
    ("secret-with-quote",
     {"group": {"hapair_shared_secret": 'abc"def'}},
     ["hapair_shared_secret contains a quote, backslash, control or non-ASCII character"]),
    ("secret-differs-between-hosts",
     {"node2": {"hapair_shared_secret": "other-secret"}},
     ["hapair_shared_secret differs between node1 and node2; set it once for the whole group"]),
    ("secret-only-on-one-host",
     {"node2": {"hapair_shared_secret": DELETE}},
     ["hapair_shared_secret is set for node1 but not for node2"]),
    ("initial-primary-not-in-group",
     {"group": {"hapair_initial_primary": "node3"}},
     ["hapair_initial_primary 'node3' is not in group hapair_cluster; set it to node1 or node2"]),
    ("initial-primary-missing",
     {"group": {"hapair_initial_primary": DELETE}},
     ["hapair_initial_primary is not set; set it to node1 or node2"]),
    ("mtu-100",
     {"node1": {"hapair_replication_mtu": 100}},
     ["node1: hapair_replication_mtu 100 is out of range; use a value between 576 and 9216"]),
    ("mtu-10000",
     {"node2": {"hapair_replication_mtu": 10000}},
     ["node2: hapair_replication_mtu 10000 is out of range; use a value between 576 and 9216"]),
    ("mtu-not-a-number",
     {"node1": {"hapair_replication_mtu": "jumbo"}},
     ["node1: hapair_replication_mtu 'jumbo' is not a whole number; use a value between 576 and 9216"]),
    ("mtu-bool",
     {"node1": {"hapair_replication_mtu": True}},
     ["node1: hapair_replication_mtu 'True' is not a whole number"]),
    ("mtu-mismatch",
     {"node2": {"hapair_replication_mtu": 1500}},
     [u"MTU mismatch: node1 9000, node2 1500 \u2014 DRBD would stall on large writes; "
      u"set hapair_replication_mtu to the same value for both"]),
    ("invalid-cidr-text",
     {"node1": {"hapair_replication_address": "10.77.0.300/24"}},
     ["node1: hapair_replication_address '10.77.0.300/24' is not a valid IP address with prefix; "
      "use CIDR notation"]),
    ("cidr-without-prefix",
     {"node1": {"hapair_replication_address": "10.77.0.1"}},
     ["node1: hapair_replication_address '10.77.0.1' has no prefix length; write it as address/prefix"]),
    ("cidr-prefix-too-long",
     {"node1": {"hapair_replication_address": "10.77.0.1/33"}},
     ["has an invalid prefix length '33'; use a number from 0 to 32"]),
    ("replication-address-missing",
     {"node2": {"hapair_replication_address": DELETE}},
     ["node2: hapair_replication_address is not set"]),
    ("replication-address-not-text",
     {"node2": {"hapair_replication_address": ["10.77.0.2/24"]}},
     ["node2: hapair_replication_address must be text like 10.77.0.1/24, got list"]),
    ("network-address-as-host",
     {"node1": {"hapair_replication_address": "10.77.0.0/24"}},
     ["node1: hapair_replication_address 10.77.0.0/24 is the network address of 10.77.0.0/24; pick a host "
      "address from 10.77.0.1 to 10.77.0.254"]),
    ("broadcast-address-as-host",
     {"node2": {"hapair_replication_address": "10.77.0.255/24"}},
     ["node2: hapair_replication_address 10.77.0.255/24 is the broadcast address of 10.77.0.0/24"]),
    ("host-prefix-32",
     {"node1": {"hapair_replication_address": "10.77.0.1/32"}},
     ["node1: hapair_replication_address 10.77.0.1/32 has prefix /32"]),
    ("loopback-address",
     {"node1": {"hapair_replication_address": "127.0.0.2/8"}},
     ["node1: hapair_replication_address 127.0.0.2/8 is a loopback address"]),
    ("mac-malformed",
     {"node1": {"hapair_replication_mac": "52:54:00:d0:00"}},
     ["node1: hapair_replication_mac '52:54:00:d0:00' is not a valid MAC address"]),
    ("mac-not-hex",
     {"node2": {"hapair_replication_mac": "zz:54:00:d0:00:02"}},
     ["node2: hapair_replication_mac 'zz:54:00:d0:00:02' is not a valid MAC address"]),
    ("mac-read-as-base60-number",
     {"node1": {"hapair_replication_mac": 41135085296}},
     ["node1: hapair_replication_mac was read as the number 41135085296"]),
    ("mac-multicast",
     {"node1": {"hapair_replication_mac": "01:00:5e:00:00:01"}},
     ["node1: hapair_replication_mac '01:00:5e:00:00:01' is a multicast MAC"]),
    ("mac-same-on-both",
     {"node2": {"hapair_replication_mac": "52-54-00-D0-00-01"}},
     ["hapair_replication_mac 52:54:00:d0:00:01 is the same on node1 and node2"]),
    ("mac-and-device-both-given",
     {"node1": {"hapair_replication_device": "eth1"}},
     ["node1: both hapair_replication_mac and hapair_replication_device are set; set exactly one"]),
    ("neither-mac-nor-device",
     {"node2": {"hapair_replication_mac": DELETE}},
     ["node2: neither hapair_replication_mac nor hapair_replication_device is set; set one"]),
    ("neither-with-typo-hint",
     {"node2": {"hapair_replication_mac": DELETE, "hapair_replicaton_mac": "52:54:00:d0:00:02"}},
     ["(found hapair_replicaton_mac, which is not a hapair variable"]),
    ("device-name-invalid",
     {"node1": {"hapair_replication_mac": DELETE, "hapair_replication_device": "eth/1"}},
     ["node1: hapair_replication_device 'eth/1' is not a valid interface name"]),
    ("service-ip-outside-service-network",
     {"group": {"hapair_service_ip": "172.31.0.10/24"}},
     ["hapair_service_ip 172.31.0.10/24 is outside node1's service network 172.30.0.0/24 "
      "(hapair_service_address 172.30.0.11/24); pick a free address inside 172.30.0.0/24",
      "hapair_service_ip 172.31.0.10/24 is outside node2's service network 172.30.0.0/24"]),
    ("service-ip-is-a-node-address",
     {"group": {"hapair_service_ip": "172.30.0.12/24"}},
     ["hapair_service_ip 172.30.0.12/24 is node2's own hapair_service_address; the floating service IP "
      "must be a third, unused address"]),
    ("service-ip-without-prefix",
     {"group": {"hapair_service_ip": "172.30.0.10"}},
     ["hapair_service_ip '172.30.0.10' has no prefix length"]),
    ("service-address-same-on-both",
     {"node2": {"hapair_service_address": "172.30.0.11/24"}},
     ["hapair_service_address is 172.30.0.11/24 on both node1 and node2"]),
    ("service-mac-same-on-both",
     {"node2": {"hapair_service_mac": "52:54:00:5e:00:01"}},
     ["hapair_service_mac 52:54:00:5e:00:01 is the same on node1 and node2"]),
    ("service-mac-equals-replication-mac",
     {"node1": {"hapair_service_mac": "52:54:00:d0:00:01"}},
     ["node1: hapair_service_mac and hapair_replication_mac are both 52:54:00:d0:00:01"]),
    ("spare-disk-missing",
     {"node1": {"hapair_spare_disk": DELETE}},
     ["node1: hapair_spare_disk is not set"]),
    ("spare-disk-not-under-dev",
     {"node2": {"hapair_spare_disk": "sdb"}},
     ["node2: hapair_spare_disk 'sdb' is not a device path under /dev"]),
    ("spare-disk-path-escapes-dev",
     {"node2": {"hapair_spare_disk": "/dev/../etc/passwd"}},
     ["node2: hapair_spare_disk '/dev/../etc/passwd' is not a device path under /dev"]),
    ("spare-disk-is-a-partition",
     {"node1": {"hapair_spare_disk": "/dev/disk/by-id/virtio-hapair-spare-part1"}},
     ["node1: hapair_spare_disk '/dev/disk/by-id/virtio-hapair-spare-part1' names a partition"]),
    ("spare-mode-unknown",
     {"node1": {"hapair_spare_mode": "whole"}},
     ["node1: hapair_spare_mode 'whole' is not one of whole_disk, free_space"]),
    ("resource-name-unsafe",
     {"group": {"hapair_resource": "my res"}},
     ["hapair_resource 'my res' is not a usable DRBD resource name"]),
    ("drbd-port-privileged",
     {"group": {"hapair_drbd_port": 80}},
     ["hapair_drbd_port 80 is out of range; use a value between 1024 and 65535"]),
    ("fencing-connect-timeout-zero",
     {"group": {"hapair_fencing_connect_timeout": 0}},
     ["group hapair_cluster: hapair_fencing_connect_timeout 0 is out of range; use a value between 1 and 120 "
      "(one attempt of the fence-peer handler"]),
    ("fencing-freeze-timeout-not-a-number",
     {"group": {"hapair_fencing_freeze_timeout": "1m"}},
     ["hapair_fencing_freeze_timeout '1m' is not a whole number; use a value between 1 and 3600"]),
    ("group-var-differs",
     {"group": {"hapair_resource": "r0"}, "node2": {"hapair_resource": "r1"}},
     ["hapair_resource differs between the hosts (node1 'r0', node2 'r1'); set it once"]),
    ("three-problems-at-once",
     {"group": {"hapair_shared_secret": DELETE},
      "node2": {"hapair_replication_mac": "52:54:00:d0:00:01", "hapair_replication_mtu": 1500}},
     ["hapair_shared_secret is not set",
      "hapair_replication_mac 52:54:00:d0:00:01 is the same on node1 and node2",
      "MTU mismatch: node1 9000, node2 1500"]),
    ("everything-wrong-at-once",
     {"hosts": ["node1", "node2", "node3"],
      "group": {"hapair_initial_primary": "node9", "hapair_shared_secret": "s" * 70},
      "node1": {"hapair_replication_address": "10.77.0.0/24", "hapair_replication_mtu": 100,
                "hapair_spare_disk": DELETE},
      "node2": {"hapair_replication_device": "eth1", "hapair_spare_mode": "all"}},
     ["has 3 hosts",
      "hapair_shared_secret is 70 characters long",
      "hapair_initial_primary 'node9' is not in group",
      "node1: hapair_replication_address 10.77.0.0/24 is the network address",
      "node1: hapair_replication_mtu 100 is out of range",
      "node1: hapair_spare_disk is not set",
      "node2: both hapair_replication_mac and hapair_replication_device are set",
      "node2: hapair_spare_mode 'all' is not one of"]),
]


def test_lab_pair_is_valid():
    result = run({})
    assert result["errors"] == []
    assert result["warnings"] == []
    pair = result["pair"]
    assert pair["hosts"] == ["node1", "node2"]
    assert pair["initial_primary"] == "node1"
    assert pair["initial_secondary"] == "node2"
    assert pair["shared_secret_set"] is True
    assert pair["resource"] == "r0"
    assert pair["drbd_port"] == 7788
    assert pair["replication_network"] == "10.77.0.0/24"
    assert pair["replication_mtu"] == 9000
    assert pair["service_ip"] is None
    assert pair["nodes"]["node1"] == {
        "replication_address": "10.77.0.1/24",
        "replication_ip": "10.77.0.1",
        "replication_prefix": 24,
        "replication_network": "10.77.0.0/24",
        "replication_mac": "52:54:00:d0:00:01",
        "replication_mtu": 9000,
        "spare_disk": "/dev/disk/by-id/virtio-hapair-spare",
        "spare_mode": "whole_disk",
        "service_address": "172.30.0.11/24",
        "service_network": "172.30.0.0/24",
        "service_mac": "52:54:00:5e:00:01",
    }
    assert pair["nodes"]["node2"]["replication_ip"] == "10.77.0.2"
    assert SECRET not in repr(result)


@pytest.mark.parametrize("case, phrases", [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_inventory_is_refused(case, phrases):
    result = run(case)
    assert_errors(result, phrases)


@pytest.mark.parametrize("case, phrases", [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_secret_never_echoed(case, phrases):
    result = run(case)
    secret = (case.get("group") or {}).get("hapair_shared_secret", SECRET)
    if isinstance(secret, str) and len(secret) > 3:
        assert secret not in repr(result)
    assert SECRET not in repr(result)
    assert "other-secret" not in repr(result)


# Valid variations: (id, case, check on the result)
GOOD_CASES = [
    ("device-instead-of-mac",
     {"node1": {"hapair_replication_mac": DELETE, "hapair_replication_device": "enp7s0"}},
     lambda r: r["pair"]["nodes"]["node1"]["replication_device"] == "enp7s0"),
    ("mac-other-spelling-normalised",
     {"node1": {"hapair_replication_mac": "5254.00D0.0001"}},
     lambda r: r["pair"]["nodes"]["node1"]["replication_mac"] == "52:54:00:d0:00:01"),
    ("mtu-as-string-both",
     {"node1": {"hapair_replication_mtu": "1500"}, "node2": {"hapair_replication_mtu": 1500}},
     lambda r: r["pair"]["replication_mtu"] == 1500),
    ("mtu-bounds",
     {"node1": {"hapair_replication_mtu": 576}, "node2": {"hapair_replication_mtu": 576}},
     lambda r: r["pair"]["replication_mtu"] == 576),
    ("point-to-point-31",
     {"node1": {"hapair_replication_address": "10.77.0.0/31"},
      "node2": {"hapair_replication_address": "10.77.0.1/31"}},
     lambda r: r["pair"]["replication_network"] == "10.77.0.0/31"),
    ("ipv6-link",
     {"node1": {"hapair_replication_address": "fd77::1/64"},
      "node2": {"hapair_replication_address": "fd77::2/64"}},
     lambda r: r["pair"]["replication_network"] == "fd77::/64"),
    ("secret-64-chars",
     {"group": {"hapair_shared_secret": "s" * 64}},
     lambda r: r["pair"]["shared_secret_set"] is True),
    ("service-ip-inside",
     {"group": {"hapair_service_ip": "172.30.0.10/24"}},
     lambda r: r["pair"]["service_ip"] == "172.30.0.10/24"),
    ("no-service-network",
     {"node1": {"hapair_service_address": DELETE, "hapair_service_mac": DELETE},
      "node2": {"hapair_service_address": DELETE, "hapair_service_mac": DELETE}},
     lambda r: "service_address" not in r["pair"]["nodes"]["node1"]),
    ("free-space-mode",
     {"node1": {"hapair_spare_mode": "free_space", "hapair_spare_disk": "/dev/disk/by-id/ata-OS_DISK"},
      "node2": {"hapair_spare_mode": DELETE}},
     lambda r: (r["pair"]["nodes"]["node1"]["spare_mode"], r["pair"]["nodes"]["node2"]["spare_mode"])
     == ("free_space", "whole_disk")),
    ("resource-and-port",
     {"group": {"hapair_resource": "mail_data-1", "hapair_drbd_port": "7790"}},
     lambda r: (r["pair"]["resource"], r["pair"]["drbd_port"]) == ("mail_data-1", 7790)),
    ("initial-primary-node2",
     {"group": {"hapair_initial_primary": "node2"}},
     lambda r: (r["pair"]["initial_primary"], r["pair"]["initial_secondary"]) == ("node2", "node1")),
    ("facts-list-own-addresses-ignored",
     {"facts": {"node1": ["10.77.0.1/24", "172.30.0.11/24", "192.168.122.5/24", "fe80::1/64"],
                "node2": ["10.77.0.2/24", "172.30.0.12/24"]}},
     lambda r: True),
    ("facts-missing-for-one-host",
     {"facts": {"node1": ["192.168.122.5/24"]}},
     lambda r: True),
]


@pytest.mark.parametrize("case, check", [c[1:] for c in GOOD_CASES], ids=[c[0] for c in GOOD_CASES])
def test_valid_variations_pass(case, check):
    result = run(case)
    assert result["errors"] == []
    assert check(result)


# Accepted, but worth a warning: (id, case, warning phrase)
WARNING_CASES = [
    ("kernel-disk-name",
     {"node2": {"hapair_spare_disk": "/dev/vdb"}},
     "node2: hapair_spare_disk /dev/vdb is a kernel name, which can change between boots"),
    ("service-ip-prefix-differs",
     {"group": {"hapair_service_ip": "172.30.0.10/16"}},
     "hapair_service_ip 172.30.0.10/16 has prefix /16 but node1's service network is 172.30.0.0/24"),
    ("unusable-interface-network",
     {"facts": {"node1": ["bogus"], "node2": []}},
     "node1: ignored interface network 'bogus'"),
]


@pytest.mark.parametrize("case, phrase", [c[1:] for c in WARNING_CASES], ids=[c[0] for c in WARNING_CASES])
def test_warnings_do_not_fail(case, phrase):
    result = run(case)
    assert result["errors"] == []
    assert any(phrase in w for w in result["warnings"]), result["warnings"]


def test_other_group_name_in_messages():
    result = check_pair(["a"], {"a": {}}, group="mail_pair")
    assert any("group mail_pair has 1 host (a)" in e for e in result["errors"])


def test_missing_netaddr_is_reported(monkeypatch):
    monkeypatch.setattr(pair_config, "netaddr", None)
    with pytest.raises(NetaddrMissingError, match="netaddr is required on the controller: pip install netaddr"):
        check_pair(HOSTS, lab_hostvars())


# ---------------------------------------------------------------------------
# peer: the one place "the other node" is picked (filter hapair.cluster.peer_of)

def test_peer_is_the_other_node():
    from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import peer
    assert peer(['node1', 'node2'], 'node1') == 'node2'
    assert peer(['node1', 'node2'], 'node2') == 'node1'
    assert peer(['node1', 'node2'], '') == ''      # no Primary: no peer
    assert peer(['node1', 'node2'], None) == ''


@pytest.mark.parametrize('nodes, node, said', [
    (['node1'], 'node1', 'group hapair_cluster must hold exactly the two nodes of the pair; it holds 1 (node1): '
                         'fix the inventory'),
    (['node1', 'node2', 'node3'], 'node1', 'it holds 3 (node1, node2, node3)'),
    ([], 'node1', 'it holds 0 (none)'),
    (['node1', 'node2'], 'node9', 'node9 is not one of the pair (node1, node2, group hapair_cluster)'),
])
def test_peer_refuses_what_is_not_a_pair(nodes, node, said):
    from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import NotAPair, peer
    with pytest.raises(NotAPair) as caught:
        peer(nodes, node)
    assert said in str(caught.value)


def test_a_run_that_leaves_out_a_node_is_refused():
    from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import left_out_refusal
    said = left_out_refusal(["node1", "node2"], ["node1"], "hapair_cluster", "judged with both nodes")
    assert said == ("this run leaves out node2 of group hapair_cluster (ansible-playbook --limit?); the pair is judged "
                    "with both nodes; run it without --limit, or with --limit hapair_cluster")
    # control: the whole group in the run, in any order, is no refusal
    assert left_out_refusal(["node1", "node2"], ["node2", "node1"]) == ""
    assert left_out_refusal(["node1", "node2"], None).startswith("this run leaves out node1 and node2")
