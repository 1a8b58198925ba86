# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/service_ip.py driven through main() with a scripted run_command.

`ip -o link show` and `ip -o -4 addr show` are answered from captured-style
text; `ip addr add/del` are recorded. The gratuitous ARP sender (announce)
is replaced, so no raw socket is ever opened.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

import pytest

from ansible.module_utils import basic

from ansible_collections.hapair.cluster.plugins.modules import service_ip as mod
from fake_runner import ScriptedRunner, capture_warnings, run_main

LINKS = (
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\"
    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
    "2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default "
    "qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\\    altname enp0s3\n"
    "3: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default "
    "qlen 1000\\    link/ether 52:54:00:5e:00:01 brd ff:ff:ff:ff:ff:ff\n"
    "4: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc fq_codel state UP mode DEFAULT group default "
    "qlen 1000\\    link/ether 52:54:00:d0:00:01 brd ff:ff:ff:ff:ff:ff\n"
)
ADDRS_WITHOUT = (
    "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
    "2: ens3    inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic ens3\\"
    "       valid_lft 86313sec preferred_lft 86313sec\n"
    "3: ens4    inet 172.30.0.11/24 brd 172.30.0.255 scope global ens4\\       valid_lft forever preferred_lft forever\n"
    "4: ens5    inet 10.77.0.1/24 brd 10.77.0.255 scope global ens5\\       valid_lft forever preferred_lft forever\n"
)
SERVICE_LINE = "3: ens4    inet 172.30.0.10/24 scope global secondary ens4\\       valid_lft forever preferred_lft forever\n"
ADDRS_WITH = ADDRS_WITHOUT + SERVICE_LINE
ADDRS_ON_ENS5 = ADDRS_WITHOUT + SERVICE_LINE.replace('3: ens4', '4: ens5').replace('secondary ens4', 'secondary ens5')
ADDRS_WITH_16 = ADDRS_WITHOUT + SERVICE_LINE.replace('/24', '/16')

LINK_KEY = 'ip -o link show'
ADDR_KEY = 'ip -o -4 addr show'
ADD_KEY = 'ip addr add 172.30.0.10/24 dev ens4'
DEL_KEY = 'ip addr del 172.30.0.10/24 dev ens4'


def is_address_change(argv):
    return ' '.join(argv).startswith(('ip addr add', 'ip addr del'))


def FakeRunner(script):
    return ScriptedRunner(script, is_address_change)


def run_module(monkeypatch, capsys, args, addrs, check_mode=False, extra=None, announce_error=None):
    script = {LINK_KEY: (0, LINKS, ''), ADDR_KEY: (0, addrs, '')}
    script.update(extra or {})
    runner = FakeRunner(script)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', runner.bound)
    announced = []

    def fake_announce(interface, mac, address, count):
        announced.append({'interface': interface, 'mac': mac, 'address': address, 'count': count,
                          'after': list(runner.writes)})
        if announce_error:
            raise announce_error
    monkeypatch.setattr(mod, 'announce', fake_announce)
    warned = capture_warnings(monkeypatch)
    full = {'address': '172.30.0.10/24'}
    full.update(args)
    out = run_main(mod, capsys, full, check_mode)
    out['_test_warnings'] = warned
    out['_test_announced'] = announced
    return out, runner


BY_MAC = {'mac': '52:54:00:5E:00:01'}
BY_NAME = {'interface': 'ens4'}


# ---------------------------------------------------------------------------

@pytest.mark.parametrize('select', [BY_MAC, BY_NAME], ids=['by-mac', 'by-name'])
def test_add_then_announce(monkeypatch, capsys, select):
    out, runner = run_module(monkeypatch, capsys, select, ADDRS_WITHOUT,
                             extra={ADD_KEY: (0, '', '')})
    assert not out.get('failed'), out
    assert (out['changed'], out['action'], out['interface']) == (True, 'add', 'ens4')
    assert runner.writes == [ADD_KEY]
    assert out['_test_announced'] == [{'interface': 'ens4', 'mac': '52:54:00:5e:00:01',
                                       'address': '172.30.0.10', 'count': 3, 'after': [ADD_KEY]}]
    assert runner.keys == [LINK_KEY, ADDR_KEY, ADD_KEY]


@pytest.mark.parametrize('args, addrs, action', [
    ({'state': 'present'}, ADDRS_WITHOUT, 'add'),
    ({'state': 'absent'}, ADDRS_WITH, 'delete'),
])
def test_check_mode_changes_nothing(monkeypatch, capsys, args, addrs, action):
    args = dict(BY_MAC, **args)
    out, runner = run_module(monkeypatch, capsys, args, addrs, check_mode=True)
    assert not out.get('failed'), out
    assert (out['changed'], out['action'], out['interface']) == (True, action, 'ens4')
    assert runner.writes == []
    assert runner.keys == [LINK_KEY, ADDR_KEY]
    assert out['_test_announced'] == []


@pytest.mark.parametrize('state, addrs', [
    ('present', ADDRS_WITH),
    ('absent', ADDRS_WITHOUT),
    ('absent', ADDRS_ON_ENS5),   # on another NIC: not ours to take away
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_idempotent(monkeypatch, capsys, state, addrs, check_mode):
    out, runner = run_module(monkeypatch, capsys, dict(BY_MAC, state=state), addrs, check_mode=check_mode)
    assert not out.get('failed'), out
    assert (out['changed'], out['action'], out['interface']) == (False, None, 'ens4')
    assert runner.writes == []
    assert out['_test_announced'] == []


def test_delete_does_not_announce(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, dict(BY_NAME, state='absent'), ADDRS_WITH,
                             extra={DEL_KEY: (0, '', '')})
    assert not out.get('failed'), out
    assert (out['changed'], out['action']) == (True, 'delete')
    assert runner.writes == [DEL_KEY]
    assert out['_test_announced'] == []


def test_delete_uses_the_prefix_the_address_has(monkeypatch, capsys):
    # `ip addr del 172.30.0.10/24` does not match 172.30.0.10/16 ("Address not found")
    key = 'ip addr del 172.30.0.10/16 dev ens4'
    out, runner = run_module(monkeypatch, capsys, dict(BY_NAME, state='absent'), ADDRS_WITH_16,
                             extra={key: (0, '', '')})
    assert not out.get('failed'), out
    assert runner.writes == [key]


@pytest.mark.parametrize('count', [0, -1])
def test_announce_zero_sends_nothing(monkeypatch, capsys, count):
    out, runner = run_module(monkeypatch, capsys, dict(BY_MAC, announce=count), ADDRS_WITHOUT,
                             extra={ADD_KEY: (0, '', '')})
    assert out['changed'] is True and runner.writes == [ADD_KEY]
    assert out['_test_announced'] == []


def test_announce_failure_only_warns(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, dict(BY_MAC, announce=1), ADDRS_WITHOUT,
                             extra={ADD_KEY: (0, '', '')},
                             announce_error=socket.error(1, 'Operation not permitted'))
    assert not out.get('failed'), out
    assert out['changed'] is True and runner.writes == [ADD_KEY]
    assert len(out['_test_announced']) == 1 and out['_test_announced'][0]['count'] == 1
    assert len(out['_test_warnings']) == 1
    assert out['_test_warnings'][0].startswith('the address is up but announcing it by gratuitous ARP failed')


@pytest.mark.parametrize('check_mode', [False, True])
def test_unknown_mac_is_refused_and_lists_nics(monkeypatch, capsys, check_mode):
    out, runner = run_module(monkeypatch, capsys, {'mac': '52:54:00:5e:00:99'}, ADDRS_WITHOUT,
                             check_mode=check_mode)
    assert out['failed'] is True
    assert out['msg'] == ('no NIC with MAC 52:54:00:5e:00:99 on this node; its NICs: '
                          'ens3 52:54:00:12:34:56, ens4 52:54:00:5e:00:01, ens5 52:54:00:d0:00:01')
    assert runner.keys == [LINK_KEY] and out['_test_announced'] == []


def test_unknown_interface_is_refused_and_lists_nics(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, {'interface': 'eth9'}, ADDRS_WITHOUT)
    assert out['failed'] is True
    assert out['msg'] == 'no NIC named eth9 on this node; its NICs: ens3, ens4, ens5'
    assert runner.writes == []


@pytest.mark.parametrize('args, addrs, message', [
    (BY_MAC, ADDRS_ON_ENS5, '172.30.0.10 is already configured on ens5, not on ens4; remove it there first'),
    (BY_MAC, ADDRS_WITH_16, '172.30.0.10 is on ens4 with prefix /16, not /24'),
    (dict(BY_MAC, address='172.30.0.10'), ADDRS_WITHOUT,
     "'172.30.0.10' is not an IPv4 address with a prefix length, like 192.0.2.10/24"),
])
def test_refusals_write_nothing(monkeypatch, capsys, args, addrs, message):
    out, runner = run_module(monkeypatch, capsys, args, addrs)
    assert out['failed'] is True
    assert out['msg'].startswith(message)
    assert runner.writes == [] and out['_test_announced'] == []


@pytest.mark.parametrize('args', [{}, {'interface': 'ens4', 'mac': '52:54:00:5e:00:01'}])
def test_interface_or_mac_is_required(monkeypatch, capsys, args):
    out, runner = run_module(monkeypatch, capsys, args, ADDRS_WITHOUT)
    assert out['failed'] is True
    assert runner.keys == []
