# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's pure pieces: namespace and port names, shaping arguments, the inventory, the phase table."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'lab'))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tools'))

from hapair_lab import access, net  # noqa: E402
import phases  # noqa: E402


def test_namespace_name_depends_on_the_checkout_and_fits_a_name():
    a = net.namespace_name('/work/a')
    b = net.namespace_name('/work/b')
    assert a != b
    assert a == net.namespace_name('/work/a/')
    assert a.startswith('hapair-') and len(a) == len('hapair-') + 8


def test_tap_names_are_distinct_and_short_enough_for_the_kernel():
    names = [net.tap_name(i, k) for i in (1, 2) for k in net.NETWORKS]
    assert len(set(names)) == 4
    assert all(len(n) <= 15 for n in names)


def test_netem_arguments():
    assert net.netem_args() == []
    assert net.netem_args(delay_ms=20) == ['delay', '20ms', 'limit', '10000']
    assert net.netem_args(delay_ms=20, loss_pct=0.5, rate='100mbit') == [
        'delay', '20ms', 'loss', '0.5%', 'rate', '100mbit', 'limit', '10000']


def test_tbf_arguments_carry_the_rate():
    args = net.tbf_args('20mbit')
    assert args[0] == 'tbf' and args[args.index('rate') + 1] == '20mbit'


def test_inventory_names_each_node_and_the_shared_connection():
    nodes = {'node1': {'service': '172.30.0.11/24', 'replication': '10.77.0.1/24'},
             'node2': {'service': '172.30.0.12/24', 'replication': '10.77.0.2/24'}}
    ports = {'node1': {'ssh': 2201, 'postgres': 5401, 'http': 8001},
             'node2': {'ssh': 2202, 'postgres': 5402, 'http': 8002}}
    macs = dict((n, {'service': 's-' + n, 'replication': 'r-' + n}) for n in nodes)
    text = '\n'.join(access.inventory_lines('unallocated', '/k', '/lab', 'sec', nodes, ports, macs, []))
    assert 'ansible_port: 2201' in text and 'ansible_port: 2202' in text
    assert 'ControlPath=/lab/ssh/mux-%p' in text
    assert 'hapair_spare_disk: /dev/disk/by-id/virtio-hapair-root' in text
    assert 'hapair_spare_mode: free_space' in text
    assert 'hapair_replication_mac: "r-node2"' in text
    assert 'hapair_spare_lvm' not in text
    assert 'ansible_python_interpreter: /usr/bin/python3' in text and 'hapair_manage_packages' not in text


def test_inventory_runs_the_nodes_on_el7s_python_from_the_image():
    nodes = {'node1': {'service': '172.30.0.11/24', 'replication': '10.77.0.1/24'}}
    ports = {'node1': {'ssh': 2201, 'postgres': 5401, 'http': 8001}}
    macs = {'node1': {'service': 's', 'replication': 'r'}}
    py27 = '\n'.join(access.inventory_lines('lvm', '/k', '/lab', 'sec', nodes, ports, macs, [], python='2.7'))
    py36 = '\n'.join(access.inventory_lines('lvm', '/k', '/lab', 'sec', nodes, ports, macs, [], python='3.6'))
    assert 'ansible_python_interpreter: /opt/python/2.7/bin/python2.7' in py27
    assert 'ansible_python_interpreter: /opt/python/3.6/bin/python3.6' in py36
    # apt cannot be driven from EL7's Pythons (its re-run under Debian's python3 breaks): the roles only check
    assert 'hapair_manage_packages: false' in py27 and 'hapair_manage_packages: false' in py36
    system = '\n'.join(access.inventory_lines('lvm', '/k', '/lab', 'sec', nodes, ports, macs, [], python='system'))
    assert 'hapair_manage_packages' not in system


def test_inventory_turns_the_metrics_timer_on_unless_told_not_to():
    nodes = {'node1': {'service': '172.30.0.11/24', 'replication': '10.77.0.1/24'}}
    ports = {'node1': {'ssh': 2201, 'postgres': 5401, 'http': 8001}}
    macs = {'node1': {'service': 's', 'replication': 'r'}}
    on = access.inventory_lines('lvm', '/k', '/lab', 'sec', nodes, ports, macs, [])
    off = access.inventory_lines('lvm', '/k', '/lab', 'sec', nodes, ports, macs, [], monitoring_interval=0)
    assert '        hapair_monitoring: true' in on and '        hapair_monitoring_interval: 30' in on
    assert not [line for line in off if 'hapair_monitoring' in line]


def test_molecule_phases_from_a_stamped_log():
    esc = '\x1b[36mINFO    \x1b[0m \x1b[32mdefault\x1b[0m \u279c \x1b[33m%s\x1b[0m: \x1b[36mExecuting\x1b[0m\n'
    lines = ['100.0 ' + esc % 'create', '101.0 something\n', '160.0 ' + esc % 'converge',
             '400.5 INFO     backup \u279c verify: Executing\n', '410.5 INFO     [failover > create] Executing\n',
             '500.5 last line\n']
    assert phases.molecule_phases(lines) == [('default', 'create', 60), ('default', 'converge', 240),
                                             ('backup', 'verify', 10), ('failover', 'create', 90)]
