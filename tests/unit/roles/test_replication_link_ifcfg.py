# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The replication NIC's ifcfg file for EL nodes without NetworkManager (network-scripts).

Reference: initscripts' doc/sysconfig.txt (fedora-sysv/initscripts), the documentation of the
/etc/sysconfig/network-scripts/ifcfg-<interface> keys the network service reads on EL7.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import os

import jinja2
import yaml

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'replication_link')

# Keys doc/sysconfig.txt documents for ifcfg-<interface> (IPADDRn/PREFIXn: the n is optional).
SYSCONFIG_TXT_KEYS = {'DEVICE', 'TYPE', 'BOOTPROTO', 'ONBOOT', 'NM_CONTROLLED', 'IPADDR', 'PREFIX', 'NETMASK',
                      'GATEWAY', 'MTU', 'DEFROUTE', 'PEERDNS', 'IPV6INIT', 'HWADDR', 'USERCTL'}


def ipaddr(value, query):
    iface = ipaddress.ip_interface(u'%s' % value)
    return {'address': str(iface.ip), 'prefix': iface.network.prefixlen}[query]


def render(**values):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, 'templates')), trim_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters['ansible.utils.ipaddr'] = ipaddr
    return env.get_template('ifcfg.j2').render(ansible_managed='Ansible managed', __hapair_peer='node2', **values)


def keys(text):
    return dict(line.split('=', 1) for line in text.splitlines() if line and not line.startswith('#'))


def test_the_ifcfg_file_uses_only_documented_keys_and_no_route():
    found = keys(render(hapair_replication_interface='ens5', hapair_replication_address='10.77.0.1/24',
                        hapair_replication_mtu=9000))
    assert set(found) <= SYSCONFIG_TXT_KEYS, set(found) - SYSCONFIG_TXT_KEYS
    assert found['DEVICE'] == 'ens5' and found['IPADDR'] == '10.77.0.1' and found['PREFIX'] == '24'
    assert found['MTU'] == '9000' and found['BOOTPROTO'] == 'none' and found['ONBOOT'] == 'yes'
    # the link must never become the default route or change DNS, nor be taken by NetworkManager
    assert (found['DEFROUTE'], found['PEERDNS'], found['NM_CONTROLLED']) == ('no', 'no', 'no')
    assert 'GATEWAY' not in found


def test_el_falls_back_to_ifcfg_and_debian_to_ifupdown():
    with open(os.path.join(ROLE, 'vars', 'RedHat.yml')) as f:
        assert yaml.safe_load(f)['__hapair_network_fallback'] == 'ifcfg'
    with open(os.path.join(ROLE, 'vars', 'Debian.yml')) as f:
        assert yaml.safe_load(f)['__hapair_network_fallback'] == 'ifupdown'
    assert os.path.exists(os.path.join(ROLE, 'tasks', 'network_ifcfg.yml'))
