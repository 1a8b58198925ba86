# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the hapair.cluster.pair_check action plugin.

The plugin is instantiated directly with mocks for task and connection; the
task variables come either from plain dicts or from a real inventory loaded
through ansible-core's InventoryManager/VariableManager, so templated (and,
on ansible-core 2.19, tagged/lazy) hostvars are exercised as in a play.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import textwrap

import pytest

from unittest.mock import MagicMock

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.hapair.cluster.plugins.action.pair_check import ActionModule, _networks_from_facts

LAB_INVENTORY = textwrap.dedent("""\
    all:
      children:
        hapair_cluster:
          vars:
            hapair_initial_primary: node1
            hapair_shared_secret: "77d34177c284cc60d042fb693ec91f73"
            link: "10.77.0"
          hosts:
            node1:
              hapair_replication_address: "{{ link }}.1/24"
              hapair_replication_mac: "52:54:00:d0:00:01"
              hapair_service_address: 172.30.0.11/24
              hapair_spare_disk: /dev/disk/by-id/virtio-hapair-spare
            node2:
              hapair_replication_address: "{{ link }}.2/24"
              hapair_replication_mac: "52:54:00:d0:00:02"
              hapair_replication_mtu: "{{ 4500 * 2 }}"
              hapair_service_address: 172.30.0.12/24
              hapair_spare_disk: /dev/disk/by-id/virtio-hapair-spare
    """)


def make_action(args=None):
    task = MagicMock()
    task.args = dict(args or {})
    task.async_val = 0
    task.check_mode = False
    task.action = "hapair.cluster.pair_check"
    connection = MagicMock()
    connection._shell.tmpdir = "/nonexistent"
    return ActionModule(task, connection, MagicMock(), loader=DataLoader(), templar=MagicMock(),
                        shared_loader_obj=None)


def inventory_task_vars(tmp_path, text):
    path = tmp_path / "inventory.yml"
    path.write_text(text)
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(path)])
    variables = VariableManager(loader=loader, inventory=inventory)
    HostVars(inventory=inventory, variable_manager=variables, loader=loader)  # as the TaskQueueManager does
    return variables.get_vars(host=inventory.get_host("node1"))


def plain_task_vars(node2_changes=None):
    common = {"hapair_initial_primary": "node1", "hapair_shared_secret": "s3cret-value"}
    node1 = dict(common, hapair_replication_address="10.77.0.1/24", hapair_replication_mac="52:54:00:d0:00:01",
                 hapair_spare_disk="/dev/disk/by-id/virtio-hapair-spare", unrelated="x")
    node2 = dict(common, hapair_replication_address="10.77.0.2/24", hapair_replication_mac="52:54:00:d0:00:02",
                 hapair_spare_disk="/dev/disk/by-id/virtio-hapair-spare")
    node2.update(node2_changes or {})
    return {"groups": {"all": ["node1", "node2"], "hapair_cluster": ["node1", "node2"]},
            "hostvars": {"node1": node1, "node2": node2}}


def test_real_inventory_passes_with_templated_values(tmp_path):
    result = make_action().run(task_vars=inventory_task_vars(tmp_path, LAB_INVENTORY))
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    pair = result["pair"]
    assert pair["nodes"]["node1"]["replication_address"] == "10.77.0.1/24"
    assert pair["nodes"]["node2"]["replication_mtu"] == 9000
    assert pair["shared_secret_set"] is True
    assert "77d34177c284cc60d042fb693ec91f73" not in repr(result)
    assert type(pair["nodes"]["node1"]["spare_disk"]) is str  # pylint: disable=unidiomatic-typecheck


def test_real_inventory_failure_lists_every_problem(tmp_path):
    text = LAB_INVENTORY.replace('"{{ link }}.2/24"', "10.78.0.2/24").replace(
        'hapair_replication_mtu: "{{ 4500 * 2 }}"', "hapair_replication_mtu: 1500").replace(
        "hapair_initial_primary: node1", "hapair_initial_primary: node7")
    result = make_action().run(task_vars=inventory_task_vars(tmp_path, text))
    assert result["failed"] is True
    lines = result["msg"].splitlines()
    assert lines[0] == "The inventory does not describe one valid hapair pair (3 problems):"
    assert lines[1].startswith("1. ")
    assert any("hapair_initial_primary 'node7' is not in group hapair_cluster" in x for x in lines)
    assert any("both ends of the replication link must be in the same subnet" in x for x in lines)
    assert any(x.startswith("3. MTU mismatch: node1 9000, node2 1500") for x in lines)
    assert len(result["errors"]) == 3


def test_undefined_variable_in_template_is_reported(tmp_path):
    text = LAB_INVENTORY.replace('"{{ link }}.2/24"', '"{{ no_such_var }}.2/24"')
    result = make_action().run(task_vars=inventory_task_vars(tmp_path, text))
    assert result["failed"] is True
    assert result["errors"] == ["node2: hapair_replication_address could not be templated ('no_such_var' is "
                                "undefined); fix the expression or define the variables it uses"]


def test_unknown_group():
    result = make_action({"group": "db_pair"}).run(task_vars=plain_task_vars())
    assert result["failed"] is True
    assert "group db_pair is not in the inventory (groups: hapair_cluster)" in result["msg"]


def test_single_problem_header_and_warnings():
    result = make_action().run(task_vars=plain_task_vars({"hapair_replication_mtu": 1500,
                                                          "hapair_spare_disk": "/dev/sdb"}))
    assert result["msg"].splitlines()[0] == "The inventory does not describe one valid hapair pair (1 problem):"
    assert result["warnings"] == ["node2: hapair_spare_disk /dev/sdb is a kernel name, which can change "
                                  "between boots; prefer the disk's /dev/disk/by-id/ path"]
    assert "s3cret-value" not in repr(result)


def test_a_run_limited_to_one_node_is_refused():
    task_vars = dict(plain_task_vars(), ansible_play_hosts_all=["node1"])
    result = make_action().run(task_vars=task_vars)
    assert result["failed"] is True
    assert result["errors"] == ["this run leaves out node2 of group hapair_cluster (ansible-playbook --limit?); "
                                "the pair is provisioned and checked with both nodes at once (each renders the "
                                "other's addresses); run it without --limit, or with --limit hapair_cluster"]
    # the control: the whole group in the play passes
    task_vars["ansible_play_hosts_all"] = ["node2", "node1"]
    assert not make_action().run(task_vars=task_vars).get("failed")


def test_interface_networks_argument():
    args = {"interface_networks": {"node1": ["10.77.0.1/24", "10.0.0.0/8"], "node2": []}}
    result = make_action(args).run(task_vars=plain_task_vars())
    assert result["interface_networks_checked"] == ["node1", "node2"]
    assert result["errors"] == ["node1: the replication subnet 10.77.0.0/24 (hapair_replication_address) overlaps "
                                "10.0.0.0/8, which is already configured on another interface of the node; pick "
                                "a replication subnet used nowhere else on the node"]


def test_networks_from_gathered_facts():
    task_vars = plain_task_vars()
    eth0 = {"macaddress": "52:54:00:aa:00:01", "ipv4": {"address": "10.77.9.9", "prefix": "16"}}
    eth1 = {"macaddress": "52:54:00:d0:00:01", "ipv4": {"address": "10.77.0.1", "prefix": "24"}}
    task_vars["hostvars"]["node1"]["ansible_facts"] = {"interfaces": ["lo", "eth0", "eth1"], "eth0": eth0,
                                                       "eth1": eth1, "lo": {"ipv4": {"address": "127.0.0.1",
                                                                                     "prefix": "8"}}}
    result = make_action().run(task_vars=task_vars)
    assert result["interface_networks_checked"] == ["node1"]
    assert result["errors"] == ["node1: the replication subnet 10.77.0.0/24 (hapair_replication_address) overlaps "
                                "10.77.9.9/16, which is already configured on interface eth0 of the node; pick "
                                "a replication subnet used nowhere else on the node"]


class _FactsThatDoNotRead(dict):
    def __getitem__(self, key):
        if key == "ansible_facts":
            raise ValueError("'dict object' has no attribute 'eth9'")
        return dict.__getitem__(self, key)


def test_facts_that_cannot_be_read_are_an_error_not_a_skipped_check():
    task_vars = plain_task_vars()
    task_vars["hostvars"]["node1"] = _FactsThatDoNotRead(task_vars["hostvars"]["node1"], ansible_facts={})
    result = make_action().run(task_vars=task_vars)
    assert result["failed"] is True
    assert result["errors"] == ["node1: its gathered facts could not be read ('dict object' has no attribute "
                                "'eth9'), so the replication subnet cannot be checked against its other networks; "
                                "gather facts again (gather_subset: [min, network])"]
    assert result["interface_networks_checked"] == []


ETH0 = {"network": "192.0.2.2/24", "interface": "eth0"}
ETH1 = [{"network": "10.77.0.1/255.255.255.0", "interface": "eth1"}, {"network": "fd00::1/64", "interface": "eth1"}]


@pytest.mark.parametrize("node_vars, expected", [
    ({"hapair_replication_mac": "52:54:00:D0:00:01"}, [ETH0]),
    ({"hapair_replication_device": "eth1"}, [ETH0]),
    ({}, [ETH0] + ETH1),
])
def test_networks_from_facts_skips_lo_and_replication_nic(node_vars, expected):
    facts = {
        "interfaces": ["lo", "eth0", "eth1"],
        "lo": {"ipv4": {"address": "127.0.0.1", "prefix": "8"}},
        "eth0": {"macaddress": "02:fc:00:00:00:01", "ipv4": {"address": "192.0.2.2", "prefix": "24"}},
        "eth1": {"macaddress": "52:54:00:d0:00:01", "ipv4": {"address": "10.77.0.1", "netmask": "255.255.255.0"},
                 "ipv6": [{"address": "fd00::1", "prefix": "64"}]},
    }
    assert _networks_from_facts(facts, node_vars) == expected
