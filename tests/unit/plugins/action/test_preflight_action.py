# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the hapair.cluster.preflight action plugin (controller only, no connection).

The registered results of hapair.cluster.preflight_facts come from plain dicts or from a real
inventory (InventoryManager/VariableManager, registered as non-persistent facts the way a play
registers them), so templated and, on ansible-core 2.19, lazy hostvars are exercised.
(Named test_preflight_action.py: the module_utils test is test_preflight.py, and pytest needs
unique basenames in this tree.)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json
import textwrap
import time

from unittest.mock import MagicMock

from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.release import __version__ as ANSIBLE_CORE_VERSION
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.hapair.cluster.plugins.action import preflight as action
from ansible_collections.hapair.cluster.plugins.action.preflight import ActionModule, facts_from_result
from ansible_collections.hapair.cluster.plugins.module_utils import preflight as pf

PING = {'rc': 0, 'transmitted': 3, 'received': 3, 'loss_percent': 0.0, 'rtt_min_ms': 0.19, 'rtt_avg_ms': 0.21,
        'rtt_max_ms': 0.24}


def node_facts(index, now=None):
    """preflight_facts of a healthy Debian 12 node of the lab layout, gathered a moment ago."""
    own, peer = index, 3 - index
    now = time.time() if now is None else now
    return {
        'time': now - 0.5 + index * 0.01, 'controller_time': now - 1.0, 'duration': 1.5,
        'os': {'id': 'debian', 'id_like': [], 'version_id': '12', 'name': 'Debian GNU/Linux',
               'pretty_name': 'Debian GNU/Linux 12 (bookworm)'},
        'python': {'version': '3.11.2', 'version_info': [3, 11, 2], 'executable': '/usr/bin/python3'},
        'privilege': {'euid': 0, 'user': 'root', 'sudo': 'not_needed', 'sudo_detail': None},
        'selinux': {'state': 'disabled', 'source': 'sysfs'},
        'firewall': {'tools': {'firewall-cmd': None, 'nft': '/usr/sbin/nft', 'ufw': None, 'iptables': None},
                     'units': {'firewalld': 'inactive', 'nftables': 'inactive', 'ufw': 'inactive',
                               'iptables': 'inactive'}},
        'memory': {'total_mib': 3911, 'online_mib': 4096},
        'cpus': 2,
        'spare': {'action': 'create', 'disk': '/dev/disk/by-id/virtio-hapair-spare', 'mode': 'whole_disk',
                  'label': 'hapair-mirror', 'partition': '/dev/vdb1', 'size_bytes': 10736369664,
                  'msg': 'create a gpt partition table; then create partition /dev/vdb1 named hapair-mirror from '
                         'byte 1048576 to 10737418239 (10239 MiB) on /dev/vdb', 'warnings': [], 'wipe': False,
                  'wipe_new': False},
        'nics': [{'name': 'ens3', 'mac': '52:54:00:ac:00:0%d' % own, 'physical': True},
                 {'name': 'ens4', 'mac': '52:54:00:5e:00:0%d' % own, 'physical': True},
                 {'name': 'ens5', 'mac': '52:54:00:d0:00:0%d' % own, 'physical': True}],
        'replication_nic': {'found': True, 'name': 'ens5', 'mac': '52:54:00:d0:00:0%d' % own, 'up': True,
                            'operstate': 'up', 'carrier': 1, 'speed': 10000, 'mtu': 9000, 'min_mtu': 68,
                            'max_mtu': 65535},
        'addresses': [{'ifname': 'ens3', 'family': 'inet', 'address': '10.0.2.15', 'prefixlen': 24},
                      {'ifname': 'ens4', 'family': 'inet', 'address': '172.30.0.1%d' % own, 'prefixlen': 24},
                      {'ifname': 'ens5', 'family': 'inet', 'address': '10.77.0.%d' % own, 'prefixlen': 24}],
        'default_route': {'interfaces': ['ens3'], 'error': None},
        'ping': {'peer_replication': dict(PING, address='10.77.0.%d' % peer, interface='ens5'),
                 'peer_service': dict(PING, address='172.30.0.1%d' % peer, interface=None)},
        'time_sync': {'services': {'chronyd': 'active', 'chrony': 'active', 'ntpd': 'inactive', 'ntp': 'inactive',
                                   'ntpsec': 'inactive', 'systemd-timesyncd': 'inactive'},
                      'timedatectl': {'ntp': True, 'synchronized': True},
                      'chrony': {'reference': 'C0A80101 (192.168.1.1)', 'stratum': 3, 'offset_s': 0.000021,
                                 'leap_status': 'Normal', 'synchronized': True}},
        'hostname': {'nodename': 'node%d' % own, 'short': 'node%d' % own},
        'etc_hosts': [{'line': 1, 'address': '127.0.0.1', 'names': ['localhost'], 'managed': False}],
        'resolved': {'node%d' % peer: []},
        'fencing': {'handler': False},
        'errors': [],
    }


def registered(facts):
    """What `register:` holds after hapair.cluster.preflight_facts succeeded."""
    return {'changed': False, 'preflight_facts': facts, 'failed': False}


def node_vars(index):
    return {'hapair_initial_primary': 'node1', 'hapair_shared_secret': 's3cret-value',
            'hapair_replication_address': '10.77.0.%d/24' % index,
            'hapair_replication_mac': '52:54:00:d0:00:0%d' % index,
            'hapair_service_address': '172.30.0.1%d/24' % index,
            'hapair_spare_disk': '/dev/disk/by-id/virtio-hapair-spare', 'unrelated': 'x'}


def plain_task_vars(results=None):
    results = results if results is not None else {'node1': registered(node_facts(1)),
                                                   'node2': registered(node_facts(2))}
    hostvars = {}
    for index in (1, 2):
        name = 'node%d' % index
        hostvars[name] = node_vars(index)
        if results.get(name) is not None:
            hostvars[name]['hapair_preflight_facts'] = results[name]
    return {'groups': {'all': ['node1', 'node2'], 'hapair_cluster': ['node1', 'node2']}, 'hostvars': hostvars}


def make_action(args=None, check_mode=False):
    task = MagicMock()
    task.args = dict(args or {})
    task.async_val = 0
    task.check_mode = check_mode
    task.action = 'hapair.cluster.preflight'
    connection = MagicMock()
    connection._shell.tmpdir = '/nonexistent'
    return ActionModule(task, connection, MagicMock(), loader=DataLoader(), templar=MagicMock(),
                        shared_loader_obj=None)


def run(task_vars, args=None, check_mode=False):
    return make_action(args, check_mode).run(task_vars=task_vars)


# ---------------------------------------------------------------------------------------

def test_healthy_pair_passes():
    result = run(plain_task_vars())
    assert not result.get('failed'), result['msg']
    assert result['changed'] is False
    assert result['failures'] == [] and result['warns'] == []
    assert result['summary']['fail'] == 0 and result['summary']['total'] == 2 * 16 + 1
    assert result['msg'].startswith('The preflight of node1 and node2 passed: %d pass, 0 warn.\n\nnode1: '
                                    % result['summary']['pass'])
    assert result['table'][0] == 'node1: 16 pass, 0 warn, 0 fail'
    assert result['table'] == pf.render_table(result['results']).splitlines()
    assert result['results']['pair'][0]['check'] == 'clock'
    controller = [l for l in result['results']['nodes']['node1'] if l['check'] == 'controller_ansible'][0]
    assert ANSIBLE_CORE_VERSION in controller['detail']
    assert 's3cret-value' not in repr(result)


def test_every_failure_of_both_nodes_is_listed():
    facts1, facts2 = node_facts(1), node_facts(2)
    facts1['spare'] = {'action': 'refuse', 'disk': '/dev/vdb',
                       'msg': '/dev/vdb is not blank: xfs filesystem. mode=whole_disk only uses a blank disk.'}
    facts1['replication_nic']['carrier'] = 0
    facts2['replication_nic'] = {'found': False}
    facts2['privilege'] = {'euid': 1000, 'user': 'admin', 'sudo': 'password',
                           'sudo_detail': 'sudo: a password is required'}
    result = run(plain_task_vars({'node1': registered(facts1), 'node2': registered(facts2)}))
    assert result['failed'] is True and result['changed'] is False
    lines = result['msg'].splitlines()
    assert lines[0] == 'The preflight found 4 unmet requirements on node1 and node2 (nothing was changed):'
    assert lines[1] == ('1. node1: spare_disk: spare_partition would refuse: /dev/vdb is not blank: xfs filesystem. '
                        'mode=whole_disk only uses a blank disk.')
    assert lines[2].startswith('2. node1: replication_nic: ens5 (52:54:00:d0:00:01): no link')
    assert lines[3].startswith('3. node2: privilege: user admin (uid 1000) is not root')
    assert lines[4].startswith('4. node2: replication_nic: this node has no NIC with MAC 52:54:00:d0:00:02')
    assert lines[5] == ''
    assert lines[6] == 'node1: 14 pass, 0 warn, 2 fail'
    assert len(result['failures']) == 4
    # the peer's replication checks still run on node1: ens5 of node2 is missing, node1 pings fine
    assert 'pair node1 + node2' in result['table']


def test_a_node_without_facts_is_a_failure_with_its_reason():
    unreachable = {'unreachable': True, 'changed': False,
                   'msg': 'Failed to connect to the host via ssh: ssh: connect to host 192.0.2.12 port 22: '
                          'Connection timed out'}
    result = run(plain_task_vars({'node1': registered(node_facts(1)), 'node2': unreachable}))
    assert result['failed'] is True
    assert result['failures'] == [
        'node2: facts: could not gather facts: unreachable: Failed to connect to the host via ssh: ssh: connect '
        'to host 192.0.2.12 port 22: Connection timed out']
    assert result['results']['nodes']['node2'] == [{
        'check': 'facts', 'status': 'fail',
        'detail': result['failures'][0].split(': ', 2)[2]}]
    # node1 is judged in full; what needs node2's facts says so
    assert len(result['results']['nodes']['node1']) == 16
    assert 'pair: clock: not measured: the facts of node2 are missing' in result['warns']


def test_no_registered_result_at_all():
    result = run(plain_task_vars({'node1': registered(node_facts(1)), 'node2': None}))
    assert result['failures'] == ['node2: facts: could not gather facts: no result in hapair_preflight_facts: the '
                                  'host was unreachable or failed before hapair.cluster.preflight_facts ran (see the '
                                  'play output above)']


def test_module_failure_on_an_old_python_points_at_the_controller_rule(monkeypatch):
    failed = {'failed': True, 'changed': False, 'rc': 1, 'msg': 'MODULE FAILURE\nSee stdout/stderr for the exact error',
              'module_stdout': '',
              'module_stderr': 'Traceback (most recent call last):\n  File "<stdin>", line 12\nSyntaxError: invalid '
                               'syntax\n'}
    monkeypatch.setattr(action, 'ANSIBLE_CORE_VERSION', '2.19.14')
    facts, error = facts_from_result(failed, 'hapair_preflight_facts')
    assert facts is None
    assert error.startswith('MODULE FAILURE: SyntaxError: invalid syntax. ansible-core 2.19.14 on the controller '
                            'runs modules with Python 3.8 or newer: EL7 targets need ansible-core 2.16')
    monkeypatch.setattr(action, 'ANSIBLE_CORE_VERSION', '2.16.14')
    facts, error = facts_from_result(failed, 'hapair_preflight_facts')
    assert error == 'MODULE FAILURE: SyntaxError: invalid syntax'


def test_module_failure_without_python():
    failed = {'failed': True, 'changed': False, 'rc': 127, 'msg': 'MODULE FAILURE\nSee stdout/stderr for the exact '
              'error', 'module_stdout': '', 'module_stderr': '/bin/sh: 1: /usr/bin/python3: not found\n'}
    assert facts_from_result(failed, 'hapair_preflight_facts') == (
        None, 'MODULE FAILURE: /bin/sh: 1: /usr/bin/python3: not found. Install Python 3 on the node, or set '
              'ansible_python_interpreter to a Python it has')


def test_other_registered_shapes():
    assert facts_from_result({'skipped': True, 'skip_reason': 'Conditional result was False'}, 'v') == (
        None, 'the preflight_facts task was skipped (Conditional result was False)')
    assert facts_from_result('text', 'v') == (None, 'v is not the registered result of hapair.cluster.preflight_facts')
    facts = node_facts(1)
    assert facts_from_result(facts, 'v') == (facts, None)     # the facts themselves (set_fact)
    assert facts_from_result({'changed': False}, 'v') == (None, 'v holds no preflight_facts')
    error = facts_from_result({'failed': True, 'msg': 'boom'}, 'v')[1]
    assert error == 'boom'


def test_facts_var_option():
    task_vars = plain_task_vars()
    for name in ('node1', 'node2'):
        task_vars['hostvars'][name]['pf'] = task_vars['hostvars'][name].pop('hapair_preflight_facts')
    assert not run(task_vars, {'facts_var': 'pf'}).get('failed')
    assert run(task_vars)['failed'] is True


def test_group_must_exist_and_hold_two_nodes():
    result = run(plain_task_vars(), {'group': 'db_pair'})
    assert result['failed'] is True
    assert 'group db_pair is not in the inventory (groups: hapair_cluster)' in result['msg']
    task_vars = plain_task_vars()
    task_vars['groups']['hapair_cluster'] = ['node1']
    result = run(task_vars)
    assert result['failed'] is True
    assert result['msg'] == 'the preflight needs exactly the two nodes of the pair in group hapair_cluster; it has 1 ' \
                            '(node1)'


def test_clock_uses_the_controller_time_of_the_action(monkeypatch):
    now = 5000.0
    facts1, facts2 = node_facts(1, now), node_facts(2, now)
    facts2['time'] += 120          # node2's clock is two minutes fast
    monkeypatch.setattr(action.time, 'time', lambda: now)
    result = run(plain_task_vars({'node1': registered(facts1), 'node2': registered(facts2)}))
    assert result['failures'][-1].startswith('pair: clock: the clocks differ by at least 119.')


def test_json_path_written_but_not_in_check_mode(tmp_path):
    path = tmp_path / 'preflight.json'
    result = run(plain_task_vars(), {'json_path': str(path)})
    assert result['json_path'] == str(path)
    data = json.loads(path.read_text())
    assert sorted(data) == ['controller_ansible_version', 'controller_time', 'group', 'nodes', 'pair', 'summary']
    assert data['nodes'] == result['results']['nodes'] and data['group'] == 'hapair_cluster'
    other = tmp_path / 'check.json'
    result = run(plain_task_vars(), {'json_path': str(other)}, check_mode=True)
    assert not other.exists() and 'json_path' not in result and not result.get('failed')


def test_json_is_written_when_the_preflight_fails(tmp_path):
    path = tmp_path / 'preflight.json'
    result = run(plain_task_vars({'node1': registered(node_facts(1)), 'node2': None}), {'json_path': str(path)})
    assert result['failed'] is True
    assert json.loads(path.read_text())['summary']['fail'] == 1


INVENTORY = textwrap.dedent("""\
    all:
      children:
        hapair_cluster:
          vars:
            hapair_initial_primary: node1
            hapair_shared_secret: "77d34177c284cc60d042fb693ec91f73"
            link: "10.77.0"
            hapair_replication_min_speed: "{{ 5000 * 2 }}"
          hosts:
            node1:
              hapair_replication_address: "{{ link }}.1/24"
              hapair_replication_mac: "52:54:00:d0:00:01"
              hapair_service_address: 172.30.0.11/24
              hapair_spare_disk: /dev/disk/by-id/virtio-hapair-spare
            node2:
              hapair_replication_address: "{{ link }}.2/24"
              hapair_replication_mac: "52:54:00:d0:00:02"
              hapair_service_address: 172.30.0.12/24
              hapair_spare_disk: /dev/disk/by-id/virtio-hapair-spare
              hapair_min_cpus: "{{ no_such_var }}"
    """)


def inventory_task_vars(tmp_path, results):
    path = tmp_path / 'inventory.yml'
    path.write_text(INVENTORY)
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(path)])
    variables = VariableManager(loader=loader, inventory=inventory)
    for host, value in results.items():      # what `register:` does
        variables.set_nonpersistent_facts(host, {'hapair_preflight_facts': value})
    HostVars(inventory=inventory, variable_manager=variables, loader=loader)
    return variables.get_vars(host=inventory.get_host('node1'))


def test_real_inventory_with_registered_results(tmp_path):
    facts1, facts2 = node_facts(1), node_facts(2)
    facts2['replication_nic']['speed'] = 1000
    task_vars = inventory_task_vars(tmp_path, {'node1': registered(facts1), 'node2': registered(copy.deepcopy(facts2))})
    result = run(task_vars)
    assert result['failed'] is True
    assert result['failures'] == [
        "node2: inventory: hapair_min_cpus could not be templated ('no_such_var' is undefined); fix the expression "
        "or define the variables it uses"]
    nic = [l for l in result['results']['nodes']['node2'] if l['check'] == 'replication_nic'][0]
    assert nic['status'] == 'warn' and 'below hapair_replication_min_speed 10000 Mb/s' in nic['detail']
    assert result['results']['nodes']['node2'][0]['check'] == 'inventory'
    assert '77d34177c284cc60d042fb693ec91f73' not in repr(result)
    # the results are plain data (no lazy or tagged containers): JSON as they are
    json.dumps(result['results'])
