# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's generated inventory (tests/lab/hapair_lab/access.py): one Python for both nodes, or
one per node (labctl up --python 2.7,3.6), and the settings that follow a node's Python."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'lab'))

from hapair_lab import access  # noqa: E402

NODES = {'node1': {'service': '172.30.0.11/24', 'replication': '10.77.0.1/24'},
         'node2': {'service': '172.30.0.12/24', 'replication': '10.77.0.2/24'}}


def inventory(python):
    ports = dict((n, {'ssh': 2220 + i, 'postgres': 5430 + i, 'http': 8080 + i}) for i, n in enumerate(sorted(NODES)))
    macs = dict((n, {'service': '52:54:00:5e:00:0%d' % i, 'replication': '52:54:00:d0:00:0%d' % i})
                for i, n in enumerate(sorted(NODES), 1))
    lines = access.inventory_lines('lvm', '/k', '/lab', 'secret', NODES, ports, macs, [], 'freeze', python, 30)
    return yaml.safe_load('\n'.join(lines))['all']


def test_one_python_for_both_nodes_or_one_each():
    assert access.node_pythons('3.6', NODES) == {'node1': '3.6', 'node2': '3.6'}
    assert access.node_pythons('2.7,3.6', NODES) == {'node1': '2.7', 'node2': '3.6'}
    with pytest.raises(ValueError, match=r'--python 2.7,3.6,system names 3 Pythons for 2 nodes \(node1, node2\)'):
        access.node_pythons('2.7,3.6,system', NODES)


def test_each_node_gets_its_interpreter_and_an_el7_python_leaves_packages_alone():
    hosts = inventory('2.7,3.6')['children']['hapair_cluster']['hosts']
    assert hosts['node1']['ansible_python_interpreter'] == '/opt/python/2.7/bin/python2.7'
    assert hosts['node2']['ansible_python_interpreter'] == '/opt/python/3.6/bin/python3.6'
    assert hosts['node1']['hapair_manage_packages'] is False
    assert hosts['node2']['hapair_manage_packages'] is False
    hosts = inventory('system,3.6')['children']['hapair_cluster']['hosts']
    assert 'hapair_manage_packages' not in hosts['node1']   # Debian's apt with Debian's Python


def test_debians_python_by_default():
    inv = inventory('system')
    assert 'ansible_python_interpreter' not in inv['vars']
    assert set(h['ansible_python_interpreter'] for h in inv['children']['hapair_cluster']['hosts'].values()) == \
        {'/usr/bin/python3'}
