# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for plugins/module_utils/service_ip.py: parsers, CIDR check, plan and the GARP frame."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import struct

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.service_ip import (
    garp_frame,
    parse_ip_addr,
    parse_ip_link,
    plan,
    split_cidr,
)

# `LC_ALL=C ip -o -4 addr show` on a lab node holding the service IP as a
# secondary address, plus a labelled alias and a container-style veth name.
IP_ADDR = (
    "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
    "2: ens3    inet 10.0.2.15/24 brd 10.0.2.255 scope global dynamic ens3\\"
    "       valid_lft 86313sec preferred_lft 86313sec\n"
    "3: ens4    inet 172.30.0.11/24 brd 172.30.0.255 scope global ens4\\       valid_lft forever preferred_lft forever\n"
    "3: ens4    inet 172.30.0.10/24 scope global secondary ens4\\       valid_lft forever preferred_lft forever\n"
    "3: ens4    inet 172.30.0.20/32 scope global secondary ens4:svc\\       valid_lft forever preferred_lft forever\n"
    "4: ens5    inet 10.77.0.1/24 brd 10.77.0.255 scope global ens5\\       valid_lft forever preferred_lft forever\n"
    "7: eth0@if8    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever\n"
)
IP_ADDR_PARSED = [
    {'interface': 'lo', 'address': '127.0.0.1', 'prefix': 8},
    {'interface': 'ens3', 'address': '10.0.2.15', 'prefix': 24},
    {'interface': 'ens4', 'address': '172.30.0.11', 'prefix': 24},
    {'interface': 'ens4', 'address': '172.30.0.10', 'prefix': 24},
    {'interface': 'ens4', 'address': '172.30.0.20', 'prefix': 32},
    {'interface': 'ens5', 'address': '10.77.0.1', 'prefix': 24},
    {'interface': 'eth0', 'address': '192.0.2.2', 'prefix': 24},
]

# `LC_ALL=C ip -o link show`: loopback, altname continuation, upper-case MAC,
# a veth with its peer index, a VLAN on ens4 and a link without a MAC.
IP_LINK = (
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\"
    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
    "2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default "
    "qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\\    altname enp0s3\n"
    "3: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default "
    "qlen 1000\\    link/ether 52:54:00:5E:00:01 brd ff:ff:ff:ff:ff:ff\n"
    "7: eth0@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default "
    "qlen 1000\\    link/ether 86:28:72:a9:89:ca brd ff:ff:ff:ff:ff:ff link-netnsid 0\n"
    "9: ens4.100@ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group "
    "default qlen 1000\\    link/ether 52:54:00:5e:00:01 brd ff:ff:ff:ff:ff:ff\n"
    "10: wg0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1420 qdisc noqueue state UNKNOWN mode DEFAULT group default "
    "qlen 1000\\    link/none \n"
)


# ---------------------------------------------------------------------------
# parse_ip_addr / parse_ip_link

@pytest.mark.parametrize('text, expected', [
    (IP_ADDR, IP_ADDR_PARSED),
    ('', []),
    (None, []),
    # IPv6 and link lines (`ip -o addr show` without -4) are skipped
    ("3: ens4    inet6 fe80::5054:ff:fe5e:1/64 scope link \\       valid_lft forever preferred_lft forever\n"
     "3: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP\\    link/ether "
     "52:54:00:5e:00:01 brd ff:ff:ff:ff:ff:ff\n", []),
    ("garbage\ninet 10.0.0.1/24\n", []),
], ids=['lab-node', 'empty', 'none', 'ipv6-and-link-lines', 'garbage'])
def test_parse_ip_addr(text, expected):
    assert parse_ip_addr(text) == expected


def test_parse_ip_link():
    assert parse_ip_link(IP_LINK) == {
        'ens3': '52:54:00:12:34:56',
        'ens4': '52:54:00:5e:00:01',
        'eth0': '86:28:72:a9:89:ca',
        'ens4.100': '52:54:00:5e:00:01',
    }


@pytest.mark.parametrize('text', ['', None, 'nothing here\n'])
def test_parse_ip_link_empty(text):
    assert parse_ip_link(text) == {}


# ---------------------------------------------------------------------------
# split_cidr

@pytest.mark.parametrize('cidr, expected', [
    ('172.30.0.10/24', ('172.30.0.10', 24)),
    (' 192.0.2.10/32\n', ('192.0.2.10', 32)),
    ('10.0.0.1/0', ('10.0.0.1', 0)),
    ('255.255.255.255/8', ('255.255.255.255', 8)),
])
def test_split_cidr(cidr, expected):
    assert split_cidr(cidr) == expected


@pytest.mark.parametrize('cidr', [
    '172.30.0.10', '172.30.0.10/33', '172.30.0.256/24', '172.30.0/24', '172.30.0.10/', '/24',
    '172.30.0.10/24/1', 'node1/24', '2001:db8::1/64', '172.30.0.10/124',
])
def test_split_cidr_refuses(cidr):
    with pytest.raises(ValueError) as err:
        split_cidr(cidr)
    assert str(err.value) == "'" + cidr + "' is not an IPv4 address with a prefix length, like 192.0.2.10/24"


@pytest.mark.parametrize('cidr', ['', '  ', None])
def test_split_cidr_says_when_there_is_no_address(cidr):
    with pytest.raises(ValueError) as err:
        split_cidr(cidr)
    assert str(err.value) == 'no address given: an IPv4 address with a prefix length is needed, like 192.0.2.10/24'


# ---------------------------------------------------------------------------
# plan

@pytest.mark.parametrize('state, address, prefix, interface, expected', [
    ('present', '172.30.0.50', 24, 'ens4', 'add'),
    ('present', '172.30.0.10', 24, 'ens4', None),          # already there (secondary address)
    ('present', '172.30.0.20', 32, 'ens4', None),          # labelled alias ens4:svc counts as ens4
    ('present', '192.0.2.9', 24, 'eth0', 'add'),
    ('absent', '172.30.0.10', 24, 'ens4', 'delete'),
    ('absent', '172.30.0.10', 16, 'ens4', 'delete'),       # any prefix: it is the address that goes
    ('absent', '172.30.0.50', 24, 'ens4', None),           # not there
    ('absent', '10.77.0.1', 24, 'ens4', None),             # on another NIC: not ours to remove
])
def test_plan(state, address, prefix, interface, expected):
    assert plan(state, address, prefix, interface, IP_ADDR_PARSED) == expected


def test_plan_on_an_empty_node():
    assert plan('present', '172.30.0.10', 24, 'ens4', []) == 'add'
    assert plan('absent', '172.30.0.10', 24, 'ens4', []) is None


@pytest.mark.parametrize('address, prefix, interface, message', [
    ('10.77.0.1', 24, 'ens4',
     '10.77.0.1 is already configured on ens5, not on ens4; remove it there first'),
    ('172.30.0.10', 24, 'ens5',
     '172.30.0.10 is already configured on ens4, not on ens5; remove it there first'),
    ('172.30.0.10', 16, 'ens4',
     '172.30.0.10 is on ens4 with prefix /24, not /16; fix hapair_service_ip or the interface'),
    ('172.30.0.20', 24, 'ens4',
     '172.30.0.20 is on ens4 with prefix /32, not /24; fix hapair_service_ip or the interface'),
], ids=['on-replication-nic', 'on-service-nic-wanted-elsewhere', 'wrong-prefix', 'wrong-prefix-alias'])
def test_plan_refuses(address, prefix, interface, message):
    with pytest.raises(ValueError) as err:
        plan('present', address, prefix, interface, IP_ADDR_PARSED)
    assert str(err.value) == message


def test_plan_refusal_lists_every_other_interface():
    present = [{'interface': 'ens3', 'address': '172.30.0.10', 'prefix': 24},
               {'interface': 'ens5', 'address': '172.30.0.10', 'prefix': 24},
               {'interface': 'ens4', 'address': '172.30.0.10', 'prefix': 24}]
    with pytest.raises(ValueError) as err:
        plan('present', '172.30.0.10', 24, 'ens4', present)
    assert str(err.value).startswith('172.30.0.10 is already configured on ens3, ens5, not on ens4')


# ---------------------------------------------------------------------------
# garp_frame

@pytest.mark.parametrize('mac, address, expected_hex', [
    ('52:54:00:5e:00:01', '172.30.0.10', [
        'ffffffffffff', '5254005e0001', '0806',                  # Ethernet: broadcast <- NIC, ARP
        '0001', '0800', '06', '04', '0001',                      # Ethernet/IPv4, request
        '5254005e0001', 'ac1e000a', '000000000000', 'ac1e000a',  # sender MAC+IP, target MAC+IP
    ]),
    ('52:54:00:5E:00:0A', '192.0.2.255', [
        'ffffffffffff', '5254005e000a', '0806',
        '0001', '0800', '06', '04', '0001',
        '5254005e000a', 'c00002ff', '000000000000', 'c00002ff',
    ]),
])
def test_garp_frame_exact_bytes(mac, address, expected_hex):
    frame = garp_frame(mac, address)
    assert isinstance(frame, bytes)
    assert frame == binascii.unhexlify(''.join(expected_hex))


def test_garp_frame_fields():
    frame = garp_frame('52:54:00:5e:00:01', '172.30.0.10')
    assert len(frame) == 42
    dst, src, ethertype = frame[0:6], frame[6:12], struct.unpack('!H', frame[12:14])[0]
    htype, ptype, hlen, plen, opcode = struct.unpack('!HHBBH', frame[14:22])
    sha, spa, tha, tpa = frame[22:28], frame[28:32], frame[32:38], frame[38:42]
    assert dst == b'\xff' * 6
    assert src == sha == binascii.unhexlify('5254005e0001')
    assert ethertype == 0x0806
    assert (htype, ptype, hlen, plen, opcode) == (1, 0x0800, 6, 4, 1)
    assert spa == tpa == binascii.unhexlify('ac1e000a')
    assert tha == b'\x00' * 6
