# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Drive hapair.cluster.preflight_facts' main() on a fake node.

Files (/etc, /proc, /sys) come from a dict, commands from a script; the spare disk tools are
answered by test_spare_partition's FakeDisk over the captured disks, so the preflight's verdict on
the spare disk is compared with what spare_partition itself says on the same disk. The module must
never write, never fail, and say "unknown" where a tool is missing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys

import pytest

from ansible.module_utils import basic

from ansible_collections.hapair.cluster.plugins.module_utils import preflight as pf
from ansible_collections.hapair.cluster.plugins.modules import preflight_facts as mod
from ansible_collections.hapair.cluster.plugins.modules import spare_partition
from fake_runner import capture_warnings, run_main
from test_spare_partition import blank_disk, gpt_os_disk, is_write, xfs_disk

C_ENV = {'LC_ALL': 'C', 'LANG': 'C'}
DISK_TOOLS = ('lsblk', 'parted', 'wipefs', 'blkid', 'partprobe', 'udevadm', 'partx')

DEBIAN12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
PING_OK = ('3 packets transmitted, 3 received, 0% packet loss, time 405ms\n'
           'rtt min/avg/max/mdev = 0.198/0.218/0.245/0.019 ms\n')
CHRONY = ('Reference ID    : C0A80101 (192.168.1.1)\nStratum         : 3\n'
          'System time     : 0.000012345 seconds fast of NTP time\nLeap status     : Normal\n')
HOSTS = '127.0.0.1 localhost\n127.0.1.1 node1\n'
ADDR_JSON = json.dumps([
    {'ifname': 'lo', 'addr_info': [{'family': 'inet', 'local': '127.0.0.1', 'prefixlen': 8}]},
    {'ifname': 'ens3', 'addr_info': [{'family': 'inet', 'local': '10.0.2.15', 'prefixlen': 24}]},
    {'ifname': 'ens4', 'addr_info': [{'family': 'inet', 'local': '172.30.0.11', 'prefixlen': 24}]},
    {'ifname': 'ens5', 'addr_info': [{'family': 'inet', 'local': '10.77.0.1', 'prefixlen': 24}]},
])
LINK_JSON = ('[{"ifname":"ens5","mtu":1500,"operstate":"UP","address":"52:54:00:d0:00:01",'
             '"min_mtu":68,"max_mtu":65535}]')
NO_JSON = (255, '', 'Option "-j" is unknown, try "ip -help".\n')


def node_files():
    files = {
        '/etc/os-release': DEBIAN12,
        '/proc/meminfo': 'MemTotal:         996148 kB\nMemFree:  100 kB\n',
        '/sys/devices/system/memory/block_size_bytes': '8000000',
        '/etc/hosts': HOSTS,
    }
    for n in range(8):
        files['/sys/devices/system/memory/memory%d/state' % n] = 'online'
    for name, mac in (('ens3', '52:54:00:ac:00:01'), ('ens4', '52:54:00:5e:00:01'), ('ens5', '52:54:00:d0:00:01')):
        base = '/sys/class/net/%s/' % name
        files.update({base + 'address': mac, base + 'flags': '0x1003', base + 'carrier': '1', base + 'speed': '-1',
                      base + 'mtu': '1500', base + 'operstate': 'up'})
    return files


def node_dirs():
    return {'/sys/class/net': ['lo', 'ens3', 'ens4', 'ens5'],
            '/sys/devices/system/memory': ['block_size_bytes', 'power'] + ['memory%d' % n for n in range(8)]}


def node_script(peer_replication=True):
    script = {
        'ip -j addr show': (0, ADDR_JSON, ''),
        'ip -j -4 route show default': (0, '[{"dst":"default","gateway":"10.0.2.2","dev":"ens3"}]', ''),
        'ip -j -6 route show default': (0, '[]', ''),
        'ip -d -j link show dev ens5': (0, LINK_JSON, ''),
        'ping -c 3 -i 0.2 -W 1 172.30.0.12': (0, PING_OK, ''),
        'systemctl is-active firewalld nftables ufw iptables': (3, 'inactive\nactive\ninactive\ninactive\n', ''),
        'systemctl is-active chronyd chrony ntpd ntp ntpsec systemd-timesyncd':
            (3, 'active\nactive\ninactive\ninactive\ninactive\ninactive\n', ''),
        'timedatectl show': (0, 'NTP=yes\nNTPSynchronized=yes\n', ''),
        'chronyc tracking': (0, CHRONY, ''),
        'getent hosts node2': (0, '172.30.0.12     node2\n', ''),
    }
    if peer_replication:
        script['ping -c 3 -i 0.2 -W 1 -I ens5 10.77.0.2'] = (0, PING_OK, '')
    return script


class Node(object):
    """run_command for the module: a script for the node tools, a FakeDisk for the disk tools."""

    def __init__(self, script, disk=None):
        self.script = script
        self.disk = disk
        self.calls = []

    def run_command(self, args, **kwargs):
        argv = list(args)
        key = ' '.join([os.path.basename(argv[0])] + argv[1:])
        self.calls.append(key)
        assert kwargs.get('environ_update') == C_ENV, key
        assert not is_write(argv), key
        if os.path.basename(argv[0]) in DISK_TOOLS and self.disk is not None:
            return self.disk.run_command(argv, **kwargs)
        if key not in self.script:
            raise AssertionError('unexpected command: %s' % key)
        return self.script[key]


@pytest.fixture
def node(monkeypatch):
    """A fake node; tests adjust files, dirs, tools, uid before calling gather()."""
    state = {'files': node_files(), 'dirs': node_dirs(), 'exists': set(), 'uid': 0, 'name': 'node1',
             'tools': set(['ip', 'ping', 'systemctl', 'timedatectl', 'chronyc', 'getent', 'nft', 'sudo'] +
                          list(DISK_TOOLS)),
             'disk': (None, False, False), 'by_partlabel': None, 'record': None}

    def list_dir(path):
        if path not in state['dirs']:
            raise OSError(2, 'No such file or directory: %s' % path)
        return list(state['dirs'][path])

    monkeypatch.setattr(mod, 'read_optional', state['files'].get)
    monkeypatch.setattr(mod, 'list_dir', list_dir)
    monkeypatch.setattr(mod, 'path_exists', lambda path: path in state['exists'])
    monkeypatch.setattr(mod, 'effective_uid', lambda: state['uid'])
    monkeypatch.setattr(mod, 'node_name', lambda: state['name'])
    monkeypatch.setattr(mod, 'disk_state', lambda path: state['disk'])
    monkeypatch.setattr(mod, 'resolve_link', lambda path: state['by_partlabel'])
    monkeypatch.setattr(mod, 'read_record', lambda path: state['record'])
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, arg, required=False, opt_dirs=None:
                        ('/usr/bin/%s' % arg) if arg in state['tools'] else None)
    state['monkeypatch'] = monkeypatch
    return state


ARGS = {'spare_disk': '/dev/disk/by-id/virtio-hapair-spare', 'replication_mac': '52:54:00:D0:00:01',
        'replication_address': '10.77.0.1/24', 'peer_replication_address': '10.77.0.2/24',
        'peer_service_address': '172.30.0.12/24', 'resolve_names': ['node2', '172.30.0.12'],
        'controller_time': '1767225599.5'}


def gather(node, capsys, runner, check_mode=False, **args):
    node['monkeypatch'].setattr(basic.AnsibleModule, 'run_command', lambda self, argv, **kw: runner.run_command(argv, **kw))
    if runner.disk is not None:
        node['disk'] = (runner.disk.disk, True, True)
    result = run_main(mod, capsys, dict(ARGS, **args), check_mode=check_mode)
    assert result.get('failed') is not True, result
    assert result['changed'] is False
    return result['preflight_facts']


# ---------------------------------------------------------------------------------------

def test_a_lab_node(node, capsys):
    runner = Node(node_script(), blank_disk())
    facts = gather(node, capsys, runner)
    assert facts['errors'] == []
    assert facts['controller_time'] == 1767225599.5 and facts['time'] > 0 and facts['duration'] >= 0
    assert facts['os']['id'] == 'debian' and facts['os']['version_id'] == '12'
    assert facts['python']['version_info'][:2] == list(sys.version_info[:2])  # the Python it runs on
    assert facts['privilege'] == {'euid': 0, 'user': 'root', 'sudo': 'not_needed', 'sudo_detail': None}
    assert facts['selinux'] == {'state': 'disabled', 'source': 'sysfs'}
    assert facts['firewall']['tools']['nft'] == '/usr/bin/nft' and facts['firewall']['tools']['firewall-cmd'] is None
    assert facts['firewall']['units']['nftables'] == 'active'
    assert facts['memory'] == {'total_mib': 972, 'online_mib': 1024}
    assert facts['replication_nic'] == {
        'found': True, 'wanted_device': None, 'wanted_mac': '52:54:00:d0:00:01', 'name': 'ens5',
        'mac': '52:54:00:d0:00:01', 'operstate': 'up', 'up': True, 'carrier': 1, 'speed': None, 'mtu': 1500,
        'min_mtu': 68, 'max_mtu': 65535}
    assert [n['name'] for n in facts['nics']] == ['ens3', 'ens4', 'ens5']
    assert facts['default_route'] == {'interfaces': ['ens3'], 'error': None}
    assert facts['ping']['peer_replication']['interface'] == 'ens5'
    assert facts['ping']['peer_replication']['rtt_avg_ms'] == 0.218
    assert facts['ping']['peer_service']['received'] == 3
    assert facts['time_sync']['chrony']['synchronized'] is True
    assert facts['time_sync']['timedatectl'] == {'ntp': True, 'synchronized': True}
    assert facts['hostname'] == {'nodename': 'node1', 'short': 'node1'}
    assert facts['resolved'] == {'node2': ['172.30.0.12']}       # address literals are not looked up
    assert facts['etc_hosts'][1]['names'] == ['node1']
    spare = facts['spare']
    assert spare['action'] == 'create' and spare['partition'] == runner.disk.disk + 'p1'
    assert spare['disk'] == ARGS['spare_disk'] and spare['disk_resolved'] == runner.disk.disk
    assert runner.disk.writes == []
    assert 'sudo -n true' not in runner.calls


def test_the_facts_pass_the_checks(node, capsys):
    facts = gather(node, capsys, Node(node_script(), blank_disk()), min_mirror_size='100MiB')
    # the controller that can drive this interpreter: 2.16 for EL7's 2.7 and 3.6 (unit-node.sh)
    core = '2.19.14' if sys.version_info >= (3, 8) else '2.16.19'
    settings = {'inventory_hostname': 'node1', 'controller_ansible_version': core,
                'hapair_replication_address': '10.77.0.1/24', 'hapair_replication_mac': '52:54:00:d0:00:01',
                'hapair_service_address': '172.30.0.11/24', 'hapair_replication_mtu': 1500}
    peer = {'name': 'node2', 'facts': None,
            'settings': {'hapair_replication_address': '10.77.0.2/24', 'hapair_service_address': '172.30.0.12/24'}}
    lines = dict((l['check'], l) for l in pf.evaluate_node(facts, settings, peer=peer))
    assert [c for c, l in lines.items() if l['status'] == 'fail'] == []
    assert lines['replication_nic']['status'] == 'warn'       # virtio: no speed
    assert lines['spare_disk']['status'] == 'pass' and lines['spare_disk']['detail'].startswith('would create')


def test_check_mode_gathers_the_same(node, capsys):
    facts = gather(node, capsys, Node(node_script(), blank_disk()), check_mode=True)
    assert facts['spare']['action'] == 'create' and facts['errors'] == []


def test_nothing_available_never_fails(node, capsys):
    for what in ('files', 'dirs', 'tools'):
        node[what].clear()
    facts = gather(node, capsys, Node({}))
    assert facts['os'] == {'error': '/etc/os-release is missing'}
    assert facts['memory'] == {'total_mib': None, 'online_mib': None}
    assert facts['nics'] == [] and facts['replication_nic']['found'] is False
    assert facts['addresses'] is None
    assert facts['default_route'] == {'interfaces': None, 'error': 'ip (iproute2) is not installed'}
    assert facts['ping']['peer_service']['error'].startswith('ping is not installed')
    assert facts['ping']['peer_replication']['skipped'] == 'replication NIC not found'
    assert facts['time_sync'] == {'services': None, 'timedatectl': None, 'chrony': None}
    assert facts['firewall']['units'] is None
    assert facts['selinux']['state'] == 'disabled'
    assert facts['etc_hosts'] is None and facts['resolved'] == {}
    assert facts['spare']['action'] == 'unknown'
    assert facts['spare']['msg'] == 'lsblk, parted, wipefs, blkid not installed (package parted, util-linux)'
    assert facts['spare']['fallback']['exists'] is False
    assert any(e.startswith('nics: ') and 'No such file' in e for e in facts['errors'])
    assert any(e.startswith('os:') for e in facts['errors'])
    # and the checks say "unknown" rather than crash
    lines = pf.evaluate_node(facts, {'inventory_hostname': 'node1'})
    assert all(not l['detail'].startswith('could not be evaluated') for l in lines), lines


def test_old_tools_el7_style(node, capsys):
    script = node_script()
    for key in [k for k in script if k.startswith('ip -')]:
        del script[key]
    script.update({
        'ip -j addr show': NO_JSON,
        'ip -o addr show': (0, '3: ens5    inet 10.77.0.1/24 brd 10.77.0.255 scope global ens5\\   valid_lft forever\n',
                            ''),
        'ip -j -4 route show default': NO_JSON,
        'ip -4 route show default': (0, 'default via 10.0.2.2 dev ens3 proto dhcp metric 100\n', ''),
        'ip -j -6 route show default': NO_JSON,
        'ip -6 route show default': (0, '', ''),
        'ip -d -j link show dev ens5': NO_JSON,
        'ip -d link show dev ens5': (0, '3: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state '
                                        'UP mode DEFAULT qlen 1000\n    link/ether 52:54:00:d0:00:01 brd '
                                        'ff:ff:ff:ff:ff:ff promiscuity 0\n', ''),
        'timedatectl show': (1, '', 'Unknown operation show\n'),
        'timedatectl status': (0, '     NTP enabled: yes\nNTP synchronized: no\n', ''),
        'sudo -n true': (1, '', 'sudo: a password is required\n'),
    })
    node['uid'] = 1000
    node['files']['/sys/class/net/ens5/carrier'] = None
    node['files']['/sys/class/net/ens5/flags'] = '0x1002'     # down: no carrier, no speed
    facts = gather(node, capsys, Node(script, blank_disk()))
    assert facts['errors'] == []
    assert facts['addresses'] == [{'ifname': 'ens5', 'family': 'inet', 'address': '10.77.0.1', 'prefixlen': 24}]
    assert facts['default_route']['interfaces'] == ['ens3']
    assert (facts['replication_nic']['min_mtu'], facts['replication_nic']['max_mtu']) == (None, None)
    assert (facts['replication_nic']['up'], facts['replication_nic']['carrier']) == (False, None)
    assert facts['time_sync']['timedatectl'] == {'ntp': True, 'synchronized': False}
    assert facts['privilege']['sudo'] == 'password'
    assert facts['privilege']['sudo_detail'] == 'sudo: a password is required'


def test_peer_replication_is_not_pinged_before_the_link_is_configured(node, capsys):
    script = node_script(peer_replication=False)
    script['ip -j addr show'] = (0, json.dumps([{'ifname': 'ens5', 'addr_info': []}]), '')
    facts = gather(node, capsys, Node(script, blank_disk()))
    assert facts['ping']['peer_replication'] == {'address': '10.77.0.2', 'interface': 'ens5',
                                                 'skipped': 'not_configured'}


def test_replication_device_wins_and_a_missing_nic(node, capsys):
    facts = gather(node, capsys, Node(node_script(), blank_disk()), replication_device='ens5',
                   replication_mac='00:00:00:00:00:00')
    assert facts['replication_nic']['name'] == 'ens5'
    facts = gather(node, capsys, Node(node_script(peer_replication=False), blank_disk()),
                   replication_mac='52:54:00:ff:ff:ff')
    assert facts['replication_nic']['found'] is False
    assert facts['ping']['peer_replication']['skipped'] == 'replication NIC not found'


def test_a_crash_in_one_part_is_noted(node, capsys, monkeypatch):
    def boom(self):
        raise RuntimeError('kaboom')
    monkeypatch.setattr(mod.Gatherer, 'selinux', boom)
    facts = gather(node, capsys, Node(node_script(), blank_disk()))
    assert facts['selinux'] == {'state': 'unknown'}
    assert facts['errors'] == ['selinux: RuntimeError: kaboom']


def test_spare_not_set(node, capsys):
    facts = gather(node, capsys, Node(node_script()), spare_disk=None)
    assert facts['spare'] == {'action': 'not_set'}


def test_bad_spare_options_are_a_refusal(node, capsys):
    facts = gather(node, capsys, Node(node_script(), blank_disk()), spare_size='lots')
    assert facts['spare']['action'] == 'refuse' and "'lots' is not a size" in facts['spare']['msg']


def test_parted_missing_falls_back_to_lsblk_and_sysfs(node, capsys):
    node['tools'].discard('parted')
    fake = gpt_os_disk()
    kname = fake.disk.rsplit('/', 1)[-1]
    node['files']['/sys/class/block/%s/size' % kname] = '4194304'
    facts = gather(node, capsys, Node(node_script(), fake))
    spare = facts['spare']
    assert spare['action'] == 'unknown' and spare['msg'] == 'parted not installed (package parted)'
    assert spare['fallback']['size_bytes'] == 2147483648 and spare['fallback']['type'] == 'loop'
    assert spare['fallback']['in_use'] == ['%sp2 is mounted at /scratch/root' % fake.disk]
    assert fake.writes == []


# ---------------------------------------------------------------------------------------
# the same verdict as spare_partition on the same disk
# ---------------------------------------------------------------------------------------

def spare_partition_says(monkeypatch, capsys, fake, **args):
    monkeypatch.setattr(spare_partition, 'disk_state', lambda path: (fake.disk, True, True))
    monkeypatch.setattr(spare_partition, 'resolve_link', lambda path: None)
    monkeypatch.setattr(spare_partition, 'read_record', lambda path: None)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', fake.run_command)
    capture_warnings(monkeypatch)
    return run_main(spare_partition, capsys, dict(args, disk=ARGS['spare_disk']), check_mode=True)


@pytest.mark.parametrize('make_disk, spare_args, module_args', [
    (gpt_os_disk, {}, {}),
    (xfs_disk, {}, {}),
    (blank_disk, {'spare_mode': 'free_space'}, {'mode': 'free_space'}),
    (gpt_os_disk, {'spare_mode': 'free_space', 'spare_size': '2GiB'}, {'mode': 'free_space', 'size': '2GiB'}),
    (blank_disk, {'min_mirror_size': '2GiB'}, {'min_size': '2GiB'}),
    (lambda: gpt_os_disk(region='blkid-region-stale-xfs.txt'), {'spare_mode': 'free_space'}, {'mode': 'free_space'}),
])
def test_refusal_is_spare_partitions_word_for_word(node, capsys, monkeypatch, make_disk, spare_args, module_args):
    facts = gather(node, capsys, Node(node_script(), make_disk()), **spare_args)
    expected = spare_partition_says(monkeypatch, capsys, make_disk(), **module_args)
    assert expected['failed'] is True
    assert facts['spare']['action'] == 'refuse'
    assert facts['spare']['msg'] == expected['msg']
    status, detail = pf.check_spare_disk(facts, pf._Settings({}), None)
    assert (status, detail) == ('fail', 'spare_partition would refuse: %s' % expected['msg'])


@pytest.mark.parametrize('make_disk, spare_args, module_args', [
    (blank_disk, {}, {}),
    (gpt_os_disk, {'spare_mode': 'free_space'}, {'mode': 'free_space'}),
    (xfs_disk, {'spare_force_wipe_signatures': True, 'min_mirror_size': '100MiB'},
     {'force_wipe_signatures': True, 'min_size': '100MiB'}),
])
def test_plan_is_spare_partitions_check_mode_plan(node, capsys, monkeypatch, make_disk, spare_args, module_args):
    facts = gather(node, capsys, Node(node_script(), make_disk()), **spare_args)
    expected = spare_partition_says(monkeypatch, capsys, make_disk(), **module_args)
    assert expected['msg'] == 'check mode, nothing written; would ' + facts['spare']['msg']
    assert (facts['spare']['partition'], facts['spare']['size_bytes']) == (expected['partition'],
                                                                           expected['size_bytes'])
