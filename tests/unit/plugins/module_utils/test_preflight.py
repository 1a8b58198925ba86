# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for module_utils.preflight: the parsers of what preflight_facts runs on a node, and every
check's pass, warn and fail. The spare disk is judged through the real spare_probe/disk_layout
decisions over the captured parted/lsblk/wipefs/blkid outputs of fixtures/disk/."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json
import os
import textwrap

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils import disk_layout as dl
from ansible_collections.hapair.cluster.plugins.module_utils import preflight as pf
from ansible_collections.hapair.cluster.plugins.module_utils import spare_probe

DISK_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'disk')

ROCKY9 = textwrap.dedent('''\
    NAME="Rocky Linux"
    VERSION="9.3 (Blue Onyx)"
    ID="rocky"
    ID_LIKE="rhel centos fedora"
    VERSION_ID="9.3"
    PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
    ''')
CENTOS7 = textwrap.dedent('''\
    NAME="CentOS Linux"
    VERSION="7 (Core)"
    ID="centos"
    ID_LIKE="rhel fedora"
    VERSION_ID="7"
    PRETTY_NAME="CentOS Linux 7 (Core)"
    ''')
DEBIAN12 = textwrap.dedent('''\
    PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
    NAME="Debian GNU/Linux"
    VERSION_ID="12"
    VERSION="12 (bookworm)"
    VERSION_CODENAME=bookworm
    ID=debian
    ''')
UBUNTU22 = textwrap.dedent('''\
    NAME="Ubuntu"
    ID=ubuntu
    ID_LIKE=debian
    VERSION_ID="22.04"
    PRETTY_NAME="Ubuntu 22.04.4 LTS"
    ''')
EUROLINUX9 = textwrap.dedent('''\
    NAME="EuroLinux"
    ID="eurolinux"
    ID_LIKE="rhel fedora centos"
    VERSION_ID="9.2"
    PRETTY_NAME="EuroLinux 9.2"
    ''')

PING_OK = textwrap.dedent('''\
    PING 10.77.0.2 (10.77.0.2) from 10.77.0.1 eth1: 56(84) bytes of data.
    64 bytes from 10.77.0.2: icmp_seq=1 ttl=64 time=0.245 ms
    64 bytes from 10.77.0.2: icmp_seq=2 ttl=64 time=0.198 ms
    64 bytes from 10.77.0.2: icmp_seq=3 ttl=64 time=0.211 ms

    --- 10.77.0.2 ping statistics ---
    3 packets transmitted, 3 received, 0% packet loss, time 405ms
    rtt min/avg/max/mdev = 0.198/0.218/0.245/0.019 ms
    ''')
PING_SLOW_LOSSY = textwrap.dedent('''\
    PING 172.30.0.12 (172.30.0.12) 56(84) bytes of data.
    64 bytes from 172.30.0.12: icmp_seq=1 ttl=64 time=3.41 ms
    64 bytes from 172.30.0.12: icmp_seq=3 ttl=64 time=2.87 ms

    --- 172.30.0.12 ping statistics ---
    3 packets transmitted, 2 received, 33.3333% packet loss, time 404ms
    rtt min/avg/max/mdev = 2.870/3.140/3.410/0.270 ms
    ''')
PING_NONE = textwrap.dedent('''\
    PING 10.77.0.2 (10.77.0.2) from 10.77.0.1 eth1: 56(84) bytes of data.
    From 10.77.0.1 icmp_seq=1 Destination Host Unreachable

    --- 10.77.0.2 ping statistics ---
    3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 410ms
    pipe 3
    ''')
PING_BUSYBOX = textwrap.dedent('''\
    PING 10.0.0.1 (10.0.0.1): 56 data bytes
    64 bytes from 10.0.0.1: seq=0 ttl=64 time=0.080 ms

    --- 10.0.0.1 ping statistics ---
    3 packets transmitted, 3 packets received, 0% packet loss
    round-trip min/avg/max = 0.080/0.095/0.110 ms
    ''')

# iproute2 6.1 (Debian 12) with a virtio NIC, and iproute2 4.11 (EL7) that does not report the limits.
IP_LINK_JSON = ('[{"ifindex":3,"ifname":"eth1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,'
                '"qdisc":"fq_codel","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,'
                '"link_type":"ether","address":"52:54:00:D0:00:01","broadcast":"ff:ff:ff:ff:ff:ff",'
                '"promiscuity":0,"min_mtu":68,"max_mtu":65535,"inet6_addr_gen_mode":"eui64",'
                '"num_tx_queues":1,"num_rx_queues":1,"gso_max_size":65536,"gso_max_segs":65535,'
                '"parentbus":"virtio","parentdev":"virtio2"}]')
IP_LINK_JSON_EL7 = ('[{"ifindex":3,"ifname":"eth1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],'
                    '"mtu":1500,"qdisc":"pfifo_fast","operstate":"UP","group":"default","txqlen":1000,'
                    '"link_type":"ether","address":"52:54:00:d0:00:01","broadcast":"ff:ff:ff:ff:ff:ff"}]')
IP_LINK_TEXT = textwrap.dedent('''\
    3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000
        link/ether 52:54:00:d0:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 9710 addrgenmode eui64
    4: bond0.10@bond0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000
        link/ether 52:54:00:aa:bb:cc brd ff:ff:ff:ff:ff:ff promiscuity 0
    ''')
IP_ROUTE_JSON = ('[{"dst":"default","gateway":"10.0.2.2","dev":"eth0","protocol":"dhcp","prefsrc":"10.0.2.15",'
                 '"metric":100,"flags":[]}]')
IP_ROUTE_MULTIPATH_JSON = ('[{"dst":"default","protocol":"static","metric":100,"flags":[],"nexthops":['
                           '{"gateway":"192.0.2.1","dev":"eth0","weight":1,"flags":[]},'
                           '{"gateway":"198.51.100.1","dev":"eth2","weight":1,"flags":[]}]}]')
IP_ROUTE_TEXT = 'default via 10.0.2.2 dev eth0 proto dhcp src 10.0.2.15 metric 100 \n'
IP_ADDR_JSON = json.dumps([
    {'ifindex': 1, 'ifname': 'lo', 'addr_info': [
        {'family': 'inet', 'local': '127.0.0.1', 'prefixlen': 8, 'scope': 'host', 'label': 'lo'},
        {'family': 'inet6', 'local': '::1', 'prefixlen': 128, 'scope': 'host'}]},
    {'ifindex': 2, 'ifname': 'eth0', 'addr_info': [
        {'family': 'inet', 'local': '172.30.0.11', 'prefixlen': 24, 'scope': 'global', 'label': 'eth0'},
        {'family': 'inet6', 'local': 'FE80::5054:ff:fe5e:1', 'prefixlen': 64, 'scope': 'link'}]},
    {'ifindex': 3, 'ifname': 'eth1', 'addr_info': []},
    {},
])
IP_ADDR_TEXT = textwrap.dedent('''\
    1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
    2: eth0    inet 172.30.0.11/24 brd 172.30.0.255 scope global eth0\\       valid_lft forever preferred_lft forever
    3: eth1    inet 10.77.0.1/24 brd 10.77.0.255 scope global eth1\\       valid_lft forever preferred_lft forever
    3: eth1    inet6 fe80::5054:ff:fed0:1/64 scope link \\       valid_lft forever preferred_lft forever
    ''')
TIMEDATECTL_SHOW = textwrap.dedent('''\
    Timezone=Etc/UTC
    LocalRTC=no
    CanNTP=yes
    NTP=yes
    NTPSynchronized=yes
    TimeUSec=Thu 2026-01-01 10:00:00 UTC
    RTCTimeUSec=Thu 2026-01-01 10:00:00 UTC
    ''')
TIMEDATECTL_STATUS_EL7 = textwrap.dedent('''\
          Local time: Thu 2026-01-01 10:00:00 UTC
      Universal time: Thu 2026-01-01 10:00:00 UTC
            RTC time: Thu 2026-01-01 10:00:00
           Time zone: UTC (UTC, +0000)
         NTP enabled: yes
    NTP synchronized: no
     RTC in local TZ: no
          DST active: n/a
    ''')
TIMEDATECTL_STATUS_NEW = textwrap.dedent('''\
                   Local time: Thu 2026-01-01 10:00:00 UTC
               Universal time: Thu 2026-01-01 10:00:00 UTC
                     RTC time: Thu 2026-01-01 10:00:00
                    Time zone: Etc/UTC (UTC, +0000)
    System clock synchronized: yes
                  NTP service: active
              RTC in local TZ: no
    ''')
CHRONY_SYNCED = textwrap.dedent('''\
    Reference ID    : C0A80101 (192.168.1.1)
    Stratum         : 3
    Ref time (UTC)  : Thu Jan 01 10:00:00 2026
    System time     : 0.000012345 seconds slow of NTP time
    Last offset     : -0.000001234 seconds
    RMS offset      : 0.000023456 seconds
    Frequency       : 12.345 ppm fast
    Residual freq   : +0.001 ppm
    Skew            : 0.012 ppm
    Root delay      : 0.001234567 seconds
    Root dispersion : 0.000456789 seconds
    Update interval : 64.2 seconds
    Leap status     : Normal
    ''')
CHRONY_UNSYNCED = textwrap.dedent('''\
    Reference ID    : 00000000 ()
    Stratum         : 0
    Ref time (UTC)  : Thu Jan 01 00:00:00 1970
    System time     : 0.000000000 seconds fast of NTP time
    Last offset     : +0.000000000 seconds
    Leap status     : Not synchronised
    ''')
HOSTS = textwrap.dedent('''\
    127.0.0.1   localhost localhost.localdomain
    ::1         localhost ip6-localhost ip6-loopback
    127.0.1.1   NODE.example.com NODE   # set by the installer
    # BEGIN hapair.cluster nodes
    172.30.0.11 node1
    10.77.0.1 node1-replication
    172.30.0.12 node2
    10.77.0.2 node2-replication
    # END hapair.cluster nodes
    ''')

# Written out, not read from pf.NODE_CHECKS: a check dropped from the module must fail here.
EXPECTED_CHECKS = ['os_supported', 'python', 'controller_ansible', 'privilege', 'selinux', 'firewall', 'memory',
                   'cpus', 'spare_disk', 'replication_nic', 'peer_replication', 'peer_service', 'fencing',
                   'time_sync', 'hostname', 'peer_name']


# ---------------------------------------------------------------------------------------
# parsers
# ---------------------------------------------------------------------------------------

def test_parse_os_release():
    assert pf.parse_os_release(ROCKY9) == {
        'id': 'rocky', 'id_like': ['rhel', 'centos', 'fedora'], 'version_id': '9.3', 'name': 'Rocky Linux',
        'pretty_name': 'Rocky Linux 9.3 (Blue Onyx)'}
    debian = pf.parse_os_release(DEBIAN12)
    assert (debian['id'], debian['version_id'], debian['id_like']) == ('debian', '12', [])
    assert pf.os_identity(debian) == ('Debian', '12', False)
    assert pf.os_identity(pf.parse_os_release(CENTOS7)) == ('RedHat', '7', False)
    assert pf.os_identity(pf.parse_os_release(EUROLINUX9)) == ('RedHat', '9', True)
    assert pf.os_identity(pf.parse_os_release(UBUNTU22)) == ('Debian', '22', True)
    assert pf.parse_os_release('')['id'] == ''


def test_parse_meminfo():
    assert pf.parse_meminfo('MemTotal:        4026532 kB\nMemFree:  10 kB\n') == 3932
    assert pf.parse_meminfo('garbage') is None


@pytest.mark.parametrize('text, expected', [
    (PING_OK, {'transmitted': 3, 'received': 3, 'loss_percent': 0.0,
               'rtt_min_ms': 0.198, 'rtt_avg_ms': 0.218, 'rtt_max_ms': 0.245}),
    (PING_SLOW_LOSSY, {'transmitted': 3, 'received': 2, 'loss_percent': 33.3333,
                       'rtt_min_ms': 2.87, 'rtt_avg_ms': 3.14, 'rtt_max_ms': 3.41}),
    (PING_NONE, {'transmitted': 3, 'received': 0, 'loss_percent': 100.0,
                 'rtt_min_ms': None, 'rtt_avg_ms': None, 'rtt_max_ms': None}),
    (PING_BUSYBOX, {'transmitted': 3, 'received': 3, 'loss_percent': 0.0,
                    'rtt_min_ms': 0.08, 'rtt_avg_ms': 0.095, 'rtt_max_ms': 0.11}),
])
def test_parse_ping(text, expected):
    assert pf.parse_ping(text) == expected


def test_parse_ping_without_summary():
    with pytest.raises(pf.PreflightParseError):
        pf.parse_ping('ping: connect: Network is unreachable\n')


def test_parse_ip_link():
    assert pf.parse_ip_link_json(IP_LINK_JSON) == [{
        'ifname': 'eth1', 'mtu': 1500, 'min_mtu': 68, 'max_mtu': 65535, 'operstate': 'UP',
        'address': '52:54:00:d0:00:01'}]
    el7 = pf.parse_ip_link_json(IP_LINK_JSON_EL7)[0]
    assert (el7['min_mtu'], el7['max_mtu'], el7['mtu']) == (None, None, 1500)
    text = pf.parse_ip_link_text(IP_LINK_TEXT)
    assert [(l['ifname'], l['mtu'], l['min_mtu'], l['max_mtu'], l['operstate']) for l in text] == [
        ('eth1', 1500, 68, 9710, 'UP'), ('bond0.10', 1500, None, None, 'DOWN')]
    assert text[0]['address'] == '52:54:00:d0:00:01'
    with pytest.raises(pf.PreflightParseError):
        pf.parse_ip_link_json('Option "-j" is unknown, try "ip -help".')


def test_parse_ip_route():
    assert pf.parse_ip_route_json(IP_ROUTE_JSON) == ['eth0']
    assert pf.parse_ip_route_json(IP_ROUTE_MULTIPATH_JSON) == ['eth0', 'eth2']
    assert pf.parse_ip_route_json('[]') == []
    assert pf.parse_ip_route_text(IP_ROUTE_TEXT) == ['eth0']
    assert pf.parse_ip_route_text('') == []
    with pytest.raises(pf.PreflightParseError):
        pf.parse_ip_route_json('{"dst": "default"}')


def test_parse_ip_addr():
    assert pf.parse_ip_addr_json(IP_ADDR_JSON) == [
        {'ifname': 'lo', 'family': 'inet', 'address': '127.0.0.1', 'prefixlen': 8},
        {'ifname': 'lo', 'family': 'inet6', 'address': '::1', 'prefixlen': 128},
        {'ifname': 'eth0', 'family': 'inet', 'address': '172.30.0.11', 'prefixlen': 24},
        {'ifname': 'eth0', 'family': 'inet6', 'address': 'fe80::5054:ff:fe5e:1', 'prefixlen': 64},
    ]
    text = pf.parse_ip_addr_text(IP_ADDR_TEXT)
    assert [(a['ifname'], a['address'], a['prefixlen']) for a in text] == [
        ('lo', '127.0.0.1', 8), ('eth0', '172.30.0.11', 24), ('eth1', '10.77.0.1', 24),
        ('eth1', 'fe80::5054:ff:fed0:1', 64)]


@pytest.mark.parametrize('text, expected', [
    (TIMEDATECTL_SHOW, {'ntp': True, 'synchronized': True}),
    (TIMEDATECTL_STATUS_EL7, {'ntp': True, 'synchronized': False}),
    (TIMEDATECTL_STATUS_NEW, {'ntp': True, 'synchronized': True}),
    ('Unknown operation show.\n', {'ntp': None, 'synchronized': None}),
])
def test_parse_timedatectl(text, expected):
    assert pf.parse_timedatectl(text) == expected


def test_parse_chronyc_tracking():
    synced = pf.parse_chronyc_tracking(CHRONY_SYNCED)
    assert synced == {'reference': 'C0A80101 (192.168.1.1)', 'stratum': 3, 'offset_s': -0.000012345,
                      'leap_status': 'Normal', 'synchronized': True}
    unsynced = pf.parse_chronyc_tracking(CHRONY_UNSYNCED)
    assert (unsynced['synchronized'], unsynced['stratum'], unsynced['offset_s']) == (False, 0, 0.0)
    with pytest.raises(pf.PreflightParseError):
        pf.parse_chronyc_tracking('506 Cannot talk to daemon\n')


def test_parse_systemctl_is_active():
    assert pf.parse_systemctl_is_active(['chronyd', 'ntpd'], 'active\ninactive\n') == {
        'chronyd': 'active', 'ntpd': 'inactive'}
    with pytest.raises(pf.PreflightParseError):
        pf.parse_systemctl_is_active(['a', 'b'], '')   # not booted with systemd: nothing on stdout


def test_parse_etc_hosts_and_getent():
    entries = pf.parse_etc_hosts(HOSTS.replace('NODE', 'node1'))
    assert entries[2] == {'line': 3, 'address': '127.0.1.1', 'names': ['node1.example.com', 'node1'],
                          'managed': False}
    assert [e['line'] for e in entries if e['managed']] == [5, 6, 7, 8]
    assert pf.parse_getent_hosts('172.30.0.12     node2\n172.30.0.12     node2\n') == ['172.30.0.12']
    assert pf.parse_getent_hosts('') == []


def test_ip_helpers():
    assert pf.ip_only('10.77.0.1/24') == '10.77.0.1'
    assert pf.ip_only('FD00::1/64') == 'fd00::1'
    assert pf.ip_only(None) is None
    assert pf.is_ip('10.0.0.1') and pf.is_ip('fd00::1') and not pf.is_ip('node2') and not pf.is_ip('')


# ---------------------------------------------------------------------------------------
# a healthy pair
# ---------------------------------------------------------------------------------------

def ping(address, text, interface=None):
    result = {'address': address, 'interface': interface, 'rc': 0}
    result.update(pf.parse_ping(text))
    return result


def node_facts(index, os_release=ROCKY9):
    own, peer = index, 3 - index
    return {
        'time': 1000.0 + index * 0.1,
        'controller_time': 999.0,
        'duration': 2.0,
        'os': pf.parse_os_release(os_release),
        'python': {'version': '3.9.18', 'version_info': [3, 9, 18], 'executable': '/usr/bin/python3'},
        'privilege': {'euid': 0, 'user': 'root', 'sudo': 'not_needed', 'sudo_detail': None},
        'selinux': {'state': 'enforcing', 'source': 'getenforce'},
        'firewall': {'tools': {'firewall-cmd': '/usr/bin/firewall-cmd', 'nft': '/usr/sbin/nft', 'ufw': None,
                               'iptables': '/usr/sbin/iptables'},
                     'units': {'firewalld': 'active', 'nftables': 'inactive', 'ufw': 'inactive',
                               'iptables': 'inactive'}},
        'memory': {'total_mib': 3720, 'online_mib': 4096},
        'cpus': 2,
        'spare': {'action': 'create', 'disk': '/dev/disk/by-id/virtio-hapair-spare', 'mode': 'whole_disk',
                  'label': 'hapair-mirror', 'partition': '/dev/vdb1', 'size_bytes': 10736369664,
                  'msg': 'create a gpt partition table; then create partition /dev/vdb1 named hapair-mirror '
                         'from byte 1048576 to 10737418239 (10239 MiB) on /dev/vdb',
                  'warnings': [], 'wipe': False, 'wipe_new': False},
        'nics': [{'name': 'eth0', 'mac': '52:54:00:5e:00:0%d' % own, 'physical': True},
                 {'name': 'eth1', 'mac': '52:54:00:d0:00:0%d' % own, 'physical': True}],
        'replication_nic': {'found': True, 'name': 'eth1', 'mac': '52:54:00:d0:00:0%d' % own, 'up': True,
                            'operstate': 'up', 'carrier': 1, 'speed': 10000, 'mtu': 9000, 'min_mtu': 68,
                            'max_mtu': 9710},
        'addresses': [{'ifname': 'lo', 'family': 'inet', 'address': '127.0.0.1', 'prefixlen': 8},
                      {'ifname': 'eth0', 'family': 'inet', 'address': '172.30.0.1%d' % own, 'prefixlen': 24},
                      {'ifname': 'eth1', 'family': 'inet', 'address': '10.77.0.%d' % own, 'prefixlen': 24}],
        'default_route': {'interfaces': ['eth0'], 'error': None},
        'ping': {'peer_replication': ping('10.77.0.%d' % peer, PING_OK, 'eth1'),
                 'peer_service': ping('172.30.0.1%d' % peer, PING_OK)},
        'time_sync': {'services': {'chronyd': 'active', 'chrony': 'inactive', 'ntpd': 'inactive',
                                   'ntp': 'inactive', 'ntpsec': 'inactive', 'systemd-timesyncd': 'inactive'},
                      'timedatectl': pf.parse_timedatectl(TIMEDATECTL_SHOW),
                      'chrony': pf.parse_chronyc_tracking(CHRONY_SYNCED)},
        'hostname': {'nodename': 'node%d' % own, 'short': 'node%d' % own},
        'etc_hosts': pf.parse_etc_hosts(HOSTS.replace('NODE', 'node%d' % own)),
        'resolved': {'node%d' % peer: ['172.30.0.1%d' % peer]},
        'fencing': {'handler': False},
        'errors': [],
    }


def node_settings(index):
    return {
        'inventory_hostname': 'node%d' % index,
        'controller_ansible_version': '2.19.14',
        'hapair_replication_address': '10.77.0.%d/24' % index,
        'hapair_replication_mac': '52:54:00:d0:00:0%d' % index,
        'hapair_service_address': '172.30.0.1%d/24' % index,
        'hapair_spare_disk': '/dev/disk/by-id/virtio-hapair-spare',
        'hapair_initial_primary': 'node1',
    }


def pair():
    return {'node1': node_facts(1), 'node2': node_facts(2)}, {'node1': node_settings(1), 'node2': node_settings(2)}


def peer_of(facts, settings, index=1):
    other = 3 - index
    return {'name': 'node%d' % other, 'facts': facts['node%d' % other], 'settings': settings['node%d' % other]}


def check(name, facts=None, settings=None, index=1, peer=None, mutate=None):
    """(status, detail) of one check of node<index> in a healthy pair changed by mutate(facts, settings)."""
    all_facts, all_settings = pair()
    if mutate:
        mutate(all_facts, all_settings)
    node = 'node%d' % index
    lines = pf.evaluate_node(all_facts[node], all_settings[node],
                             peer=peer if peer is not None else peer_of(all_facts, all_settings, index))
    found = [l for l in lines if l['check'] == name]
    assert len(found) == 1, lines
    return found[0]['status'], found[0]['detail']


def test_healthy_pair_passes_everything():
    facts, settings = pair()
    results = pf.evaluate_pair(facts, settings, controller_time=1001.0)
    assert sorted(results['nodes']) == ['node1', 'node2']
    for node, lines in results['nodes'].items():
        assert [l['check'] for l in lines] == EXPECTED_CHECKS
        bad = [l for l in lines if l['status'] != 'pass']
        assert bad == [], (node, bad)
        assert all(l['detail'] for l in lines)
    assert [l['check'] for l in results['pair']] == list(pf.PAIR_CHECKS)
    assert results['pair'][0]['status'] == 'pass'
    assert results['summary']['fail'] == 0 and results['summary']['warn'] == 0
    assert results['summary']['total'] == 2 * 16 + 1


def test_each_line_has_the_documented_shape():
    facts, settings = pair()
    results = pf.evaluate_pair(facts, settings, controller_time=1001.0)
    for node, lines in results['nodes'].items():
        for line in lines:
            assert sorted(line) == ['check', 'detail', 'status']
            assert line['status'] in pf.STATUSES
            assert '\n' not in line['detail']


# ---------------------------------------------------------------------------------------
# node checks, one at a time
# ---------------------------------------------------------------------------------------

def set_os(text):
    def mutate(facts, settings):
        facts['node1']['os'] = pf.parse_os_release(text)
    return mutate


def test_os_supported():
    assert check('os_supported') == ('pass', 'Rocky Linux 9.3 (Blue Onyx) (RedHat-9)')
    status, detail = check('os_supported', mutate=set_os(DEBIAN12))
    assert (status, detail) == ('pass', 'Debian GNU/Linux 12 (bookworm) (debian-12)')
    status, detail = check('os_supported', mutate=set_os(UBUNTU22))
    assert status == 'fail'
    assert 'Ubuntu 22.04.4 LTS (Debian-22) is not supported' in detail
    assert 'Debian 12 and EL 7, 8, 9' in detail
    status, detail = check('os_supported', mutate=set_os(EUROLINUX9))
    assert status == 'warn' and 'derivative of RedHat 9' in detail
    status, detail = check('os_supported', mutate=set_os(DEBIAN12.replace('"12"', '"13"')))
    assert status == 'fail'

    def override(facts, settings):
        facts['node1']['os'] = pf.parse_os_release(UBUNTU22)
        settings['node1']['hapair_preflight_supported_os'] = ['Debian-12', 'ubuntu-22']
    assert check('os_supported', mutate=override)[0] == 'pass'

    def missing(facts, settings):
        facts['node1']['os'] = {'error': '/etc/os-release is missing'}
    status, detail = check('os_supported', mutate=missing)
    assert status == 'fail' and '/etc/os-release is missing' in detail


def set_python(version, os_release=None):
    def mutate(facts, settings):
        facts['node1']['python'] = {'version': '.'.join(str(v) for v in version), 'version_info': list(version),
                                    'executable': '/usr/bin/python'}
        if os_release:
            facts['node1']['os'] = pf.parse_os_release(os_release)
    return mutate


def test_python():
    assert check('python')[0] == 'pass'
    assert check('python', mutate=set_python((3, 6, 8)))[0] == 'pass'
    status, detail = check('python', mutate=set_python((2, 7, 5), CENTOS7))
    assert status == 'pass' and 'EL7' in detail
    status, detail = check('python', mutate=set_python((2, 7, 18)))
    assert status == 'warn' and 'ansible_python_interpreter' in detail
    status, detail = check('python', mutate=set_python((3, 5, 2)))
    assert status == 'fail' and 'too old' in detail

    def unknown(facts, settings):
        facts['node1']['python'] = {}
    assert check('python', mutate=unknown)[0] == 'warn'


def set_core(version, python=None, os_release=None):
    def mutate(facts, settings):
        settings['node1']['controller_ansible_version'] = version
        if python:
            set_python(python, os_release)(facts, settings)
        elif os_release:
            facts['node1']['os'] = pf.parse_os_release(os_release)
    return mutate


def test_controller_ansible():
    status, detail = check('controller_ansible')
    assert status == 'pass' and '2.19.14' in detail
    status, detail = check('controller_ansible', mutate=set_core('2.19.14', (2, 7, 5), CENTOS7))
    assert status == 'fail'
    assert 'EL7 targets need ansible-core 2.16' in detail and '2.17 dropped Python 2.7 and 3.6' in detail
    assert check('controller_ansible', mutate=set_core('2.16.14', (2, 7, 5), CENTOS7))[0] == 'pass'
    assert check('controller_ansible', mutate=set_core('2.17.0', None, CENTOS7))[0] == 'fail'
    status, detail = check('controller_ansible', mutate=set_core('2.17.7', (3, 6, 8)))
    assert status == 'fail' and 'Python 3.7 or newer' in detail and 'python39' in detail
    assert check('controller_ansible', mutate=set_core('2.17.7', (3, 7, 0)))[0] == 'pass'
    assert check('controller_ansible', mutate=set_core('2.20.0', (3, 8, 0)))[0] == 'fail'
    status, detail = check('controller_ansible', mutate=set_core('2.15.9'))
    assert status == 'fail' and 'older than 2.16' in detail
    assert check('controller_ansible', mutate=set_core(None))[0] == 'warn'


def test_core_min_target_python():
    assert pf.core_min_target_python((2, 16)) == (2, 7)
    assert pf.core_min_target_python((2, 17)) == (3, 7)
    assert pf.core_min_target_python((2, 19)) == (3, 8)
    assert pf.core_min_target_python((2, 21)) == (3, 9)


def set_privilege(**values):
    def mutate(facts, settings):
        facts['node1']['privilege'] = dict({'euid': 1000, 'user': 'admin', 'sudo_detail': None}, **values)
    return mutate


def test_privilege():
    assert check('privilege') == ('pass', 'runs as root')
    status, detail = check('privilege', mutate=set_privilege(sudo='ok'))
    assert status == 'pass' and 'become: true' in detail
    status, detail = check('privilege', mutate=set_privilege(sudo='password',
                                                             sudo_detail='sudo: a password is required'))
    assert status == 'fail' and 'user admin (uid 1000)' in detail and 'NOPASSWD' in detail
    status, detail = check('privilege', mutate=set_privilege(sudo='missing'))
    assert status == 'fail' and 'sudo is not installed' in detail
    status, detail = check('privilege', mutate=set_privilege(
        sudo='denied', sudo_detail='admin is not in the sudoers file.'))
    assert status == 'fail' and 'not in the sudoers file' in detail


def set_selinux(state, os_release=None):
    def mutate(facts, settings):
        facts['node1']['selinux'] = {'state': state}
        if os_release:
            facts['node1']['os'] = pf.parse_os_release(os_release)
    return mutate


def test_selinux():
    assert check('selinux')[0] == 'pass'
    assert check('selinux', mutate=set_selinux('permissive')) == ('pass', 'permissive')
    assert check('selinux', mutate=set_selinux('disabled'))[0] == 'pass'
    status, detail = check('selinux', mutate=set_selinux('unknown'))
    assert status == 'warn'
    assert check('selinux', mutate=set_selinux('disabled', DEBIAN12))[0] == 'pass'
    assert check('selinux', mutate=set_selinux('enforcing', DEBIAN12))[0] == 'warn'


def set_firewall(units, tools=None, os_release=None, **setting):
    def mutate(facts, settings):
        firewall = facts['node1']['firewall']
        firewall['units'] = units if units is None else dict(firewall['units'], **units)
        firewall['tools'].update(tools or {})
        if os_release:
            facts['node1']['os'] = pf.parse_os_release(os_release)
        settings['node1'].update(setting)
    return mutate


def test_firewall():
    assert check('firewall') == ('pass', 'firewalld installed (firewalld active)')
    status, detail = check('firewall', mutate=set_firewall({'iptables': 'active', 'firewalld': 'inactive'}))
    assert status == 'warn' and 'iptables is active' in detail and 'hapair_manage_firewall=false' in detail
    status, detail = check('firewall', mutate=set_firewall({}, {'firewall-cmd': None}))
    assert status == 'pass' and detail.startswith('firewalld not installed: no host firewall') \
        and 'the roles install none' in detail
    status, detail = check('firewall', mutate=set_firewall({'firewalld': 'inactive'}))
    assert status == 'pass' and 'permanent configuration and does not start it' in detail
    status, detail = check('firewall', mutate=set_firewall({'ufw': 'active', 'firewalld': 'inactive'},
                                                           os_release=DEBIAN12))
    assert status == 'warn' and 'ufw is active' in detail and 'nftables' in detail
    assert check('firewall', mutate=set_firewall({'nftables': 'active', 'firewalld': 'inactive'},
                                                 os_release=DEBIAN12))[0] == 'pass'
    status, detail = check('firewall', mutate=set_firewall({'iptables': 'active'}, hapair_manage_firewall=False,
                                                           hapair_drbd_port=7790))
    assert status == 'pass' and 'not managed' in detail and '7790' in detail
    assert check('firewall', mutate=set_firewall(None))[0] == 'pass'


def set_memory(total, online=None, minimum=None):
    def mutate(facts, settings):
        facts['node1']['memory'] = {'total_mib': total, 'online_mib': online}
        if minimum is not None:
            settings['node1']['hapair_min_memory_mb'] = minimum
    return mutate


def test_memory():
    assert check('memory') == ('pass', '4096 MiB RAM (MemTotal 3720 MiB)')
    assert check('memory', mutate=set_memory(973, 1024))[0] == 'pass'    # a 1 GiB VM
    assert check('memory', mutate=set_memory(973))[0] == 'pass'          # no memory blocks in sysfs
    status, detail = check('memory', mutate=set_memory(460, 512))
    assert status == 'fail' and 'hapair_min_memory_mb 1024 MiB' in detail
    assert check('memory', mutate=set_memory(3720, 4096, minimum=8192))[0] == 'fail'
    assert check('memory', mutate=set_memory(None, None))[0] == 'warn'


def test_cpus():
    assert check('cpus') == ('pass', '2 CPUs')

    def cpus(count, minimum=None):
        def mutate(facts, settings):
            facts['node1']['cpus'] = count
            if minimum:
                settings['node1']['hapair_min_cpus'] = minimum
        return mutate
    assert check('cpus', mutate=cpus(1)) == ('pass', '1 CPU')
    assert check('cpus', mutate=cpus(2, 4)) == ('fail', '2 CPUs, fewer than hapair_min_cpus 4')
    assert check('cpus', mutate=cpus(None))[0] == 'warn'


def set_nic(**values):
    def mutate(facts, settings):
        facts['node1']['replication_nic'].update(values)
    return mutate


def test_replication_nic():
    status, detail = check('replication_nic')
    assert status == 'pass'
    assert detail == 'eth1 (52:54:00:d0:00:01): link detected; 10000 Mb/s; MTU 9000 within 68 to 9710'

    status, detail = check('replication_nic', mutate=set_nic(speed=None))
    assert status == 'warn' and 'speed unknown (a virtual NIC reports none)' in detail
    status, detail = check('replication_nic', mutate=set_nic(speed=1000))
    assert status == 'warn' and '1000 Mb/s, below hapair_replication_min_speed 10000' in detail
    assert check('replication_nic', mutate=lambda f, s: s['node1'].update(hapair_replication_min_speed=1000)
                 or f['node1']['replication_nic'].update(speed=1000))[0] == 'pass'
    status, detail = check('replication_nic', mutate=set_nic(carrier=0))
    assert status == 'fail' and 'no link' in detail
    status, detail = check('replication_nic', mutate=set_nic(carrier=None, up=False, speed=None))
    assert status == 'warn' and 'ip link set eth1 up' in detail and 'NIC down' in detail
    status, detail = check('replication_nic', mutate=set_nic(max_mtu=1500))
    assert status == 'fail' and 'MTU 9000 (hapair_replication_mtu) is outside' in detail
    assert check('replication_nic', mutate=lambda f, s: s['node1'].update(hapair_replication_mtu=1500)
                 or f['node1']['replication_nic'].update(max_mtu=1500))[0] == 'pass'
    status, detail = check('replication_nic', mutate=set_nic(min_mtu=None, max_mtu=None))
    assert status == 'pass' and 'limits are not reported' in detail

    def default_route(facts, settings):
        facts['node1']['default_route'] = {'interfaces': ['eth1'], 'error': None}
        facts['node1']['replication_nic']['speed'] = None
    status, detail = check('replication_nic', mutate=default_route)
    assert status == 'fail'
    assert detail.startswith('eth1 (52:54:00:d0:00:01): carries the default route')   # the worst first

    def route_unknown(facts, settings):
        facts['node1']['default_route'] = {'interfaces': None, 'error': 'ip (iproute2) is not installed'}
    assert check('replication_nic', mutate=route_unknown)[0] == 'warn'

    def not_found(facts, settings):
        facts['node1']['replication_nic'] = {'found': False}
    status, detail = check('replication_nic', mutate=not_found)
    assert status == 'fail'
    assert 'no NIC with MAC 52:54:00:d0:00:01' in detail and 'eth0 52:54:00:5e:00:01' in detail

    def no_setting(facts, settings):
        del settings['node1']['hapair_replication_mac']
    status, detail = check('replication_nic', mutate=no_setting)
    assert status == 'fail' and 'neither hapair_replication_mac nor hapair_replication_device' in detail


def test_peer_replication():
    status, detail = check('peer_replication')
    assert status == 'pass'
    assert detail == 'node2 answers at 10.77.0.2 over eth1 in 0.218 ms (average of 3)'

    def not_configured(facts, settings):
        facts['node1']['addresses'] = facts['node1']['addresses'][:2]
        facts['node1']['ping']['peer_replication'] = {'address': '10.77.0.2', 'interface': 'eth1',
                                                      'skipped': 'not_configured'}
    status, detail = check('peer_replication', mutate=not_configured)
    assert status == 'pass' and detail.startswith('not configured yet (10.77.0.1 is not on eth1)')

    def peer_not_configured(facts, settings):
        facts['node2']['addresses'] = facts['node2']['addresses'][:2]
        facts['node1']['ping']['peer_replication'] = ping('10.77.0.2', PING_NONE, 'eth1')
    status, detail = check('peer_replication', mutate=peer_not_configured)
    assert status == 'pass' and 'not configured yet on node2' in detail

    def no_answer(facts, settings):
        facts['node1']['ping']['peer_replication'] = ping('10.77.0.2', PING_NONE, 'eth1')
    status, detail = check('peer_replication', mutate=no_answer)
    assert status == 'fail' and 'no answer from node2 at 10.77.0.2 over eth1' in detail

    def slow(facts, settings):
        facts['node1']['ping']['peer_replication'] = ping('10.77.0.2', PING_SLOW_LOSSY, 'eth1')
    status, detail = check('peer_replication', mutate=slow)
    assert status == 'warn'
    assert '33.3333% of the pings were lost' in detail and 'hapair_preflight_max_latency_ms 1 ms' in detail
    assert check('peer_replication', mutate=lambda f, s: slow(f, s)
                 or s['node1'].update(hapair_preflight_max_latency_ms=5))[0] == 'warn'   # still the loss

    def elsewhere(facts, settings):
        facts['node1']['addresses'][2]['ifname'] = 'eth0'
    status, detail = check('peer_replication', mutate=elsewhere)
    assert status == 'fail' and 'configured on eth0, not on the replication NIC eth1' in detail

    def no_ping(facts, settings):
        facts['node1']['ping']['peer_replication'] = {'address': '10.77.0.2', 'interface': 'eth1',
                                                      'error': 'ping is not installed'}
    assert check('peer_replication', mutate=no_ping)[0] == 'warn'

    def unset(facts, settings):
        del settings['node2']['hapair_replication_address']
    assert check('peer_replication', mutate=unset) == (
        'fail', 'hapair_replication_address is not set for node2')


def test_peer_service():
    status, detail = check('peer_service')
    assert (status, detail) == ('pass', 'node2 answers at 172.30.0.12 (service network) in 0.218 ms (average of 3)')

    def no_answer(facts, settings):
        facts['node1']['ping']['peer_service'] = ping('172.30.0.12', PING_NONE)
    status, detail = check('peer_service', mutate=no_answer)
    assert status == 'fail' and 'ICMP echo' in detail

    def slow(facts, settings):
        facts['node1']['ping']['peer_service'] = ping('172.30.0.12', PING_SLOW_LOSSY)
    status, detail = check('peer_service', mutate=slow)
    assert status == 'warn' and 'lost' in detail and 'latency' not in detail

    def wrong_peer_address(facts, settings):
        settings['node2']['hapair_service_address'] = '172.30.0.99/24'
        facts['node1']['ping']['peer_service'] = ping('172.30.0.99', PING_NONE)
    status, detail = check('peer_service', mutate=wrong_peer_address)
    assert status == 'fail'
    assert 'node2 does not carry its hapair_service_address 172.30.0.99' in detail
    assert '172.30.0.12 on eth0' in detail

    def wrong_own_address(facts, settings):
        settings['node1']['hapair_service_address'] = '172.30.0.98/24'
    status, detail = check('peer_service', mutate=wrong_own_address)
    assert status == 'fail' and 'this node does not carry its hapair_service_address 172.30.0.98' in detail

    def no_service_address(facts, settings):
        del settings['node2']['hapair_service_address']
    status, detail = check('peer_service', mutate=no_service_address)
    assert status == 'warn' and 'hapair_fencing' in detail
    assert check('peer_service', mutate=lambda f, s: no_service_address(f, s)
                 or s['node1'].update(hapair_fencing=False))[0] == 'pass'


def set_time(services=None, chrony=None, timedatectl=None):
    def mutate(facts, settings):
        sync = facts['node1']['time_sync']
        if services is not None:
            sync['services'] = dict(dict((u, 'inactive') for u in pf.TIME_UNITS), **services)
        sync['chrony'] = chrony
        sync['timedatectl'] = timedatectl
    return mutate


def test_time_sync():
    status, detail = check('time_sync')
    assert status == 'pass' and detail == 'chrony runs and is synchronised (offset -0.000012 s, stratum 3)'
    status, detail = check('time_sync', mutate=set_time({'chronyd': 'active'},
                                                        pf.parse_chronyc_tracking(CHRONY_UNSYNCED)))
    assert status == 'warn' and 'not synchronised' in detail
    status, detail = check('time_sync', mutate=set_time({}))
    assert status == 'warn' and 'no time sync daemon runs' in detail
    status, detail = check('time_sync', mutate=set_time({'chronyd': 'active', 'ntpd': 'active'}))
    assert status == 'warn' and 'chrony and ntpd run at the same time' in detail
    status, detail = check('time_sync', mutate=set_time({'ntpd': 'active'}))
    assert status == 'warn' and 'disable ntpd' in detail
    status, detail = check('time_sync', mutate=set_time({'systemd-timesyncd': 'active'}, None,
                                                        pf.parse_timedatectl(TIMEDATECTL_SHOW)))
    assert status == 'pass' and 'replaces it with chrony' in detail
    assert check('time_sync', mutate=set_time({'systemd-timesyncd': 'active'}, None,
                                              pf.parse_timedatectl(TIMEDATECTL_STATUS_EL7)))[0] == 'warn'
    assert check('time_sync', mutate=set_time({'chronyd': 'active'}))[0] == 'warn'   # state unknown

    def no_systemctl(facts, settings):
        facts['node1']['time_sync'] = {'services': None, 'chrony': None, 'timedatectl': None}
    assert check('time_sync', mutate=no_systemctl)[0] == 'warn'


def set_names(node1=None, node2=None, **setting):
    def mutate(facts, settings):
        if node1:
            facts['node1']['hostname'] = {'nodename': node1, 'short': node1.split('.')[0]}
        if node2:
            facts['node2']['hostname'] = {'nodename': node2, 'short': node2.split('.')[0]}
        settings['node1'].update(setting)
    return mutate


def test_hostname():
    assert check('hostname') == ('pass', 'node1')
    assert check('hostname', mutate=set_names('node1.example.com')) == (
        'pass', 'node1.example.com (inventory name node1)')
    status, detail = check('hostname', mutate=set_names('db-a'))
    assert status == 'warn' and 'calls itself db-a, the inventory calls it node1' in detail
    assert check('hostname', mutate=set_names('db-a', inventory_hostname='192.0.2.10'))[0] == 'pass'
    status, detail = check('hostname', mutate=set_names('node1', 'node1'))
    assert status == 'fail' and 'both called node1' in detail and 'hostnamectl' in detail
    status, detail = check('hostname', mutate=set_names('node1.a.example', 'node1.b.example'))
    assert status == 'fail' and 'share the short name node1' in detail
    assert check('hostname', mutate=set_names('node1.a.example', 'node1.b.example',
                                              hapair_manage_hosts=False))[0] == 'pass'
    assert check('hostname', mutate=set_names('localhost.localdomain', inventory_hostname='10.0.0.5'))[0] == 'warn'


def test_peer_name():
    status, detail = check('peer_name')
    assert status == 'pass'
    assert detail == ('the node role will name node2 in /etc/hosts (node2 172.30.0.12, node2-replication '
                      '10.77.0.2); nothing here contradicts it')

    def stale_line(facts, settings):
        facts['node1']['etc_hosts'] = pf.parse_etc_hosts('192.168.1.12 node2 node2.example.com\n' + HOSTS)
        # a Debian installer's line for the node's own name is no contradiction
    status, detail = check('peer_name', mutate=stale_line)
    assert status == 'warn' and '/etc/hosts line 1 maps node2 to 192.168.1.12, the node role writes 172.30.0.12' \
        in detail

    def resolves_elsewhere(facts, settings):
        facts['node1']['resolved'] = {'node2': ['192.168.1.77']}
    status, detail = check('peer_name', mutate=resolves_elsewhere)
    assert status == 'warn' and 'node2 resolves to 192.168.1.77 here, which is not an address of node2' in detail

    def management_address(facts, settings):   # the peer's own (management) address is fine
        facts['node2']['addresses'].append({'ifname': 'eth2', 'family': 'inet', 'address': '192.168.1.77'})
        resolves_elsewhere(facts, settings)
    assert check('peer_name', mutate=management_address)[0] == 'pass'

    assert check('peer_name', mutate=stale_line_unmanaged)[0] == 'pass'

    status, detail = check('peer_name', peer={'name': 'node2', 'facts': None, 'settings': node_settings(2)})
    assert status == 'warn' and 'facts of node2 are missing' in detail


def stale_line_unmanaged(facts, settings):
    facts['node1']['etc_hosts'] = pf.parse_etc_hosts('192.168.1.12 node2\n')
    settings['node1']['hapair_manage_hosts'] = False


def test_a_crashing_check_is_a_failure_not_a_crash():
    facts, settings = pair()
    facts['node1']['cpus'] = 'two'   # not a number: the check itself breaks
    lines = pf.evaluate_node(facts['node1'], settings['node1'], peer=peer_of(facts, settings))
    cpus = [l for l in lines if l['check'] == 'cpus'][0]
    assert cpus['status'] == 'fail' and cpus['detail'].startswith('could not be evaluated (TypeError')
    assert 'a check that cannot run is not passed' in cpus['detail']
    assert len(lines) == 16


# ---------------------------------------------------------------------------------------
# spare disk: the real spare_partition decisions over captured disks
# ---------------------------------------------------------------------------------------

def disk_fixture(name):
    with open(os.path.join(DISK_FIXTURES, name)) as handle:
        return handle.read()


class CapturedDisk(object):
    """Answers the read-only tools spare_probe runs with captured outputs; refuses anything else."""

    def __init__(self, parted, lsblk, wipefs='wipefs-blank.txt', blkid_disk=None, probes=None, region=None):
        self.parted = disk_fixture(parted)
        self.disk = dl.parse_parted_machine(self.parted)['path']
        self.parted_rc = 1 if ':unknown:' in self.parted else 0
        self.lsblk = disk_fixture(lsblk)
        self.wipefs = disk_fixture(wipefs)
        self.blkid_disk = disk_fixture(blkid_disk) if blkid_disk else ''
        self.probes = dict((k, disk_fixture(v)) for k, v in (probes or {}).items())
        self.region = disk_fixture(region) if region else ''
        self.calls = []

    def run(self, argv):
        self.calls.append(list(argv))
        tool = os.path.basename(argv[0])
        if tool == 'lsblk':
            return 0, self.lsblk, ''
        if tool == 'parted' and argv[-2:] == ['print', 'free']:
            return self.parted_rc, self.parted, ''
        if tool == 'wipefs' and '-n' in argv:
            return 0, self.wipefs, ''
        if tool == 'blkid':
            if '-O' in argv:
                text = self.region
            elif argv[-1] == self.disk:
                text = self.blkid_disk
            else:
                text = self.probes.get(argv[-1], '')
            return (0, text, '') if text else (2, '', '')
        raise AssertionError('a preflight must not run %r' % (argv,))


BINS = dict((name, '/usr/sbin/%s' % name) for name in spare_probe.REQUIRED_TOOLS)


def judge_spare(disk, mode='whole_disk', size=None, min_size='512MiB', force=False, by_partlabel=None,
                record=None):
    params = {'disk': disk.disk, 'label': 'hapair-mirror', 'mode': mode, 'size': size, 'min_size': min_size,
              'force_wipe_signatures': force}
    plan, info = spare_probe.judge(disk.run, BINS, params, '/etc/hapair/spare-partition-hapair-mirror.json',
                                   disk_state=lambda path: (path, True, True),
                                   resolve_link=lambda path: by_partlabel,
                                   read_record=lambda path: record)
    return plan, pf.spare_summary(plan, info, {'disk': disk.disk, 'mode': mode, 'label': 'hapair-mirror'})


def spare_check(spare, **setting):
    def mutate(facts, settings):
        facts['node1']['spare'] = spare
        settings['node1'].update(setting)
    return check('spare_disk', mutate=mutate)


def gpt_os_disk(**kwargs):
    disk = dl.parse_parted_machine(disk_fixture('parted-osdisk-gpt.txt'))['path']
    return CapturedDisk('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt', wipefs='wipefs-gpt-root.txt',
                        blkid_disk='blkid-osdisk-gpt.txt', probes={disk + 'p1': 'blkid-osdisk-gpt-p1.txt'},
                        **kwargs)


def test_spare_blank_disk_would_be_partitioned():
    disk = CapturedDisk('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt')
    plan, spare = judge_spare(disk)
    assert plan['action'] == 'create'
    status, detail = spare_check(spare)
    assert status == 'pass'
    assert detail == 'would ' + plan['msg']
    assert detail.startswith('would create a gpt partition table; then create partition %sp1 named hapair-mirror '
                             'from byte 1048576 to 1072693247 (' % disk.disk)
    assert spare['size_bytes'] == 1071644672 and spare['disk_size_bytes'] == 1073741824


def test_spare_refusals_are_spare_partitions_own_words():
    cases = [
        (gpt_os_disk(), {}, 'is in use'),
        (gpt_os_disk(), {'mode': 'free_space', 'size': '2GiB'}, 'only 1.5 GiB unallocated'),
        (CapturedDisk('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt'), {'mode': 'free_space'},
         'no partition table'),
        (CapturedDisk('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt'), {'min_size': '2GiB'},
         'but min_size is 2 GiB'),
        (CapturedDisk('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt'), {'by_partlabel': '/dev/vda'},
         'already exists on a different disk'),
        (gpt_os_disk(region='blkid-region-stale-xfs.txt'), {'mode': 'free_space'}, 'still holds xfs filesystem'),
    ]
    for disk, options, words in cases:
        plan, spare = judge_spare(disk, **options)
        assert plan['action'] == 'refuse', (options, plan)
        assert words in plan['msg']
        status, detail = spare_check(spare)
        assert (status, detail) == ('fail', 'spare_partition would refuse: %s' % plan['msg'])


def test_spare_free_space_and_an_existing_partition():
    plan, spare = judge_spare(gpt_os_disk(), mode='free_space')
    status, detail = spare_check(spare)
    assert status == 'pass' and detail.startswith('would create partition ') and 'p3 named hapair-mirror' in detail
    done = CapturedDisk('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt', wipefs='wipefs-gpt-root.txt',
                        blkid_disk='blkid-osdisk-gpt.txt')
    plan, spare = judge_spare(done, mode='free_space')
    status, detail = spare_check(spare)
    assert status == 'pass' and detail.startswith('already provisioned: partition %sp3' % done.disk)
    assert 'already exists' in detail
    plan, spare = judge_spare(done, mode='free_space', min_size='2GiB')
    status, detail = spare_check(spare)
    assert status == 'warn' and 'smaller than min_size 2 GiB' in detail


def test_spare_destructive_plans_warn():
    disk = CapturedDisk('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt', wipefs='wipefs-xfs.txt',
                        blkid_disk='blkid-xfs.txt')
    disk.parted = disk_fixture('parted-loop-xfs.txt').replace('/images/xfs.img', disk.disk)
    disk.parted_rc = 0
    plan, spare = judge_spare(disk)
    assert spare_check(spare)[0] == 'fail'
    plan, spare = judge_spare(disk, force=True, min_size='100MiB')   # a 512 MiB image
    status, detail = spare_check(spare)
    assert status == 'warn' and 'erase all signatures on %s' % disk.disk in detail and 'DESTROYS' in detail
    plan, spare = judge_spare(gpt_os_disk(region='blkid-region-stale-xfs.txt'), mode='free_space', force=True)
    status, detail = spare_check(spare)
    assert status == 'warn' and 'erase the old xfs filesystem (UUID ' in detail and 'DESTROYS' in detail


def test_spare_not_set_error_and_fallback():
    assert spare_check({'action': 'not_set'})[0] == 'fail'
    status, detail = spare_check({'action': 'error', 'msg': 'lsblk failed (rc=1): boom'})
    assert (status, detail) == ('fail', 'spare_partition would fail: lsblk failed (rc=1): boom')
    base = {'action': 'unknown', 'disk': '/dev/vdb', 'mode': 'whole_disk', 'msg': 'parted not installed (package parted)'}
    fallback = {'exists': True, 'is_block': True, 'type': 'disk', 'size_bytes': 10 * 1024 ** 3, 'in_use': []}
    status, detail = spare_check(dict(base, fallback=fallback))
    assert status == 'warn' and 'parted not installed' in detail and '/dev/vdb exists (10 GiB)' in detail
    status, detail = spare_check(dict(base, fallback=dict(fallback, exists=False)))
    assert status == 'fail' and 'does not exist' in detail
    status, detail = spare_check(dict(base, fallback=dict(fallback, type='part')))
    assert status == 'fail' and 'is a part, not a whole disk' in detail
    status, detail = spare_check(dict(base, fallback=dict(fallback, size_bytes=256 * 1024 ** 2)))
    assert status == 'fail' and 'less than hapair_min_mirror_size 512 MiB' in detail
    status, detail = spare_check(dict(base, fallback=dict(fallback, in_use=['/dev/vdb1 is mounted at /data'])))
    assert status == 'fail' and 'mode=whole_disk never touches a disk in use' in detail
    status, detail = spare_check(dict(base, mode='free_space',
                                      fallback=dict(fallback, in_use=['/dev/vdb1 is mounted at /data'])))
    assert status == 'warn' and 'in use: /dev/vdb1 is mounted at /data' in detail


# ---------------------------------------------------------------------------------------
# the clock of the pair
# ---------------------------------------------------------------------------------------

def clock(node1_time, node2_time, before1=1000.0, before2=1000.0, after=1002.0, **setting):
    facts, settings = pair()
    facts['node1'].update(time=node1_time, controller_time=before1)
    facts['node2'].update(time=node2_time, controller_time=before2)
    settings['node1'].update(setting)
    return pf.check_clock(facts, settings, after)


def test_clock_in_step():
    status, detail = clock(1000.4, 1000.5)
    assert status == 'pass' and detail.startswith('node2 is 0.10 s ahead of node1 (+/- 2.00 s)')


def test_clock_offsets_that_are_certain():
    status, detail = clock(1000.5, 1005.5, after=1001.0)    # node2 5 s fast, gathered within 1 s
    assert status == 'warn' and 'at least 4.0 s' in detail and 'hapair_preflight_max_clock_offset_s 1 s' in detail
    status, detail = clock(1000.5, 1120.5, after=1001.0)
    assert status == 'fail' and 'at least 119.0 s' in detail and 'chrony' in detail
    assert clock(1000.5, 1005.5, after=1001.0, hapair_preflight_max_clock_offset_s=10)[0] == 'pass'


def test_clock_a_slow_vm_is_no_false_alarm():
    # node2 is an emulated VM: its module ran 25 s after the controller templated the task. Its clock
    # is right, so its reading is 25 s later than node1's; the window says that may be all delay.
    status, detail = clock(1000.5, 1025.0, after=1026.0)
    assert status == 'pass'
    assert 'cannot be seen here' in detail


def test_clock_without_controller_times_is_rough():
    facts, settings = pair()
    facts['node1']['controller_time'] = None
    assert pf.check_clock(facts, settings, 1002.0)[0] == 'pass'
    facts['node2']['time'] = facts['node1']['time'] + 300
    status, detail = pf.check_clock(facts, settings, 1002.0)
    assert status == 'fail' and 'about 300 s' in detail
    assert pf.check_clock(facts, settings, None)[0] == 'fail'


def test_clock_needs_both_nodes():
    facts, settings = pair()
    facts['node2'] = None
    status, detail = pf.check_clock(facts, settings, 1002.0)
    assert status == 'warn' and 'node2' in detail


def test_clock_window():
    assert pf.clock_window({'time': 1005.0, 'controller_time': 1000.0}, 1002.0) == (3.0, 5.0)
    assert pf.clock_window({'time': 1005.0, 'controller_time': 1003.0}, 1002.0) is None
    assert pf.clock_window({'time': 1005.0}, 1002.0) is None


# ---------------------------------------------------------------------------------------
# the pair, the table, the JSON
# ---------------------------------------------------------------------------------------

def broken_pair():
    facts, settings = pair()
    facts['node1']['spare'] = {'action': 'refuse', 'msg': '/dev/vdb is in use: /dev/vdb1 is mounted at /data.'}
    facts['node1']['cpus'] = 1
    settings['node1']['hapair_min_cpus'] = 2
    facts['node1']['replication_nic']['speed'] = None
    return facts, settings


def test_evaluate_pair_lists_every_failure_and_the_missing_node():
    facts, settings = broken_pair()
    facts['node2'] = None
    results = pf.evaluate_pair(facts, settings, errors={'node2': 'unreachable: ssh: connect to host timed out'},
                               controller_time=1002.0)
    assert results['nodes']['node2'] == [{'check': 'facts', 'status': 'fail',
                                          'detail': 'could not gather facts: unreachable: ssh: connect to host '
                                                    'timed out'}]
    assert pf.problems(results) == [
        'node1: cpus: 1 CPU, fewer than hapair_min_cpus 2',
        'node1: spare_disk: spare_partition would refuse: /dev/vdb is in use: /dev/vdb1 is mounted at /data.',
        'node2: facts: could not gather facts: unreachable: ssh: connect to host timed out',
    ]
    warns = pf.problems(results, 'warn')
    assert any(w.startswith('node1: replication_nic:') for w in warns)
    assert any(w.startswith('node1: peer_name: not checked') for w in warns)
    assert 'pair: clock: not measured: the facts of node2 are missing' in warns
    summary = results['summary']
    assert (summary['fail'], summary['nodes']['node2']) == (3, {'pass': 0, 'warn': 0, 'fail': 1})


def test_render_table():
    facts, settings = broken_pair()
    text = pf.render_table(pf.evaluate_pair(facts, settings, controller_time=1001.0))
    lines = text.splitlines()
    assert lines[0] == 'node1: 13 pass, 1 warn, 2 fail'
    assert lines[1] == '  check               status  detail'
    assert lines[2].startswith('  os_supported        PASS    Rocky Linux 9.3')
    assert '  cpus                FAIL    1 CPU, fewer than hapair_min_cpus 2' in lines
    assert len([l for l in lines if l.startswith('  ') and not l.startswith('  check')]) == 2 * 16 + 1
    assert lines[-3] == 'pair node1 + node2'
    assert lines[-1].startswith('  clock  PASS    node2 is 0.10 s ahead of node1')
    assert text.endswith('\n') and '\n\n\n' not in text


def test_to_json_round_trips():
    facts, settings = pair()
    results = pf.evaluate_pair(facts, settings, controller_time=1001.0)
    text = pf.to_json(results)
    assert json.loads(text) == json.loads(json.dumps(results))
    assert text.endswith('}\n')


def test_evaluate_pair_does_not_change_its_input():
    facts, settings = pair()
    before = copy.deepcopy((facts, settings))
    pf.evaluate_pair(facts, settings, controller_time=1001.0)
    assert (facts, settings) == before
