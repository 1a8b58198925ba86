# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions and packets for the floating service IP.

PRIVATE to the hapair.cluster collection. Pure functions, Python 2.7/3.6-safe.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import socket
import struct
import time


def parse_ip_addr(text):
    """`ip -o addr show` → [{'interface': 'ens4', 'address': '172.30.0.10', 'prefix': 24}, ...] (IPv4)."""
    found = []
    for line in (text or '').splitlines():
        m = re.match(r'^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+([0-9.]+)/(\d+)', line)
        if m:
            found.append({'interface': m.group(1), 'address': m.group(2), 'prefix': int(m.group(3))})
    return found


def parse_ip_link(text):
    """`ip -o link show` → {'ens4': '52:54:00:5e:00:01', ...}."""
    macs = {}
    for line in (text or '').splitlines():
        m = re.match(r'^\d+:\s+(\S+?)(?:@\S+)?:.*link/ether\s+([0-9a-fA-F:]{17})', line)
        if m:
            macs[m.group(1)] = m.group(2).lower()
    return macs


def split_cidr(cidr):
    """'172.30.0.10/24' → ('172.30.0.10', 24); raises ValueError with a readable message."""
    m = re.match(r'^(\d{1,3}(?:\.\d{1,3}){3})/(\d{1,2})$', (cidr or '').strip())
    if not m or int(m.group(2)) > 32 or any(int(p) > 255 for p in m.group(1).split('.')):
        if not (cidr or '').strip():
            raise ValueError('no address given: an IPv4 address with a prefix length is needed, like 192.0.2.10/24')
        raise ValueError("'%s' is not an IPv4 address with a prefix length, like 192.0.2.10/24" % (cidr,))
    return m.group(1), int(m.group(2))


def plan(state, address, prefix, interface, present):
    """What to do: 'add', 'delete', or None. `present`: parse_ip_addr() of the node.

    Refuses (ValueError) when the address sits on another interface: moving it
    silently could hide a configuration mistake.
    """
    holders = [a for a in present if a['address'] == address]
    elsewhere = [a['interface'] for a in holders if a['interface'] != interface]
    if state == 'present':
        if elsewhere:
            raise ValueError('%s is already configured on %s, not on %s; remove it there first'
                             % (address, ', '.join(elsewhere), interface))
        if any(a['interface'] == interface and a['prefix'] == prefix for a in holders):
            return None
        if holders:
            raise ValueError('%s is on %s with prefix /%d, not /%d; fix hapair_service_ip or the interface'
                             % (address, interface, holders[0]['prefix'], prefix))
        return 'add'
    return 'delete' if any(a['interface'] == interface for a in holders) else None


def garp_frame(mac, address):
    """A gratuitous ARP request announcing that `address` is at `mac` (Ethernet frame bytes)."""
    hw = bytes(bytearray(int(b, 16) for b in mac.split(':')))
    ip = socket.inet_aton(address)
    broadcast = b'\xff' * 6
    ether = broadcast + hw + struct.pack('!H', 0x0806)
    arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + hw + ip + b'\x00' * 6 + ip
    return ether + arp


def announce(interface, mac, address, count):
    """Send ``count`` gratuitous ARPs for ``address`` out of ``interface`` (raw socket, root)."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)  # novermin (Linux only, like the nodes)
    try:
        sock.bind((interface, 0))
        for i in range(count):
            sock.send(garp_frame(mac, address))
            if i + 1 < count:
                time.sleep(0.2)
    finally:
        sock.close()
