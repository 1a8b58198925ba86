#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: preflight_facts
short_description: Gather, read-only, what the hapair preflight checks on a node
version_added: 0.1.0
description:
  - Read-only. Collects on one node everything the M(hapair.cluster.preflight) action judges,
    before anything is installed or changed, and returns it as RV(preflight_facts).
  - "The OS release (C(/etc/os-release)), the Python running the module, whether it runs as root or
    passwordless sudo works (C(sudo -n true)), the SELinux state, the firewall tools and units, memory
    and CPUs, the node's name, its addresses and default route, C(/etc/hosts), and the state of time
    synchronisation (C(timedatectl), C(chronyc tracking))."
  - The spare disk is judged by the very code M(hapair.cluster.spare_partition) runs before it writes,
    the same read-only probes (C(lsblk), C(parted ... print free), C(wipefs -n), C(blkid -p)) and the
    same decision, so RV(preflight_facts.spare) says what that module would create, find or refuse.
  - The replication NIC is found by O(replication_device) or O(replication_mac) in C(/sys/class/net);
    its carrier, speed, MTU and MTU limits (C(ip -d -j link)) are reported.
  - Pings (C(ping -c 3 -i 0.2 -W 1)) the peer's service address, and the peer's replication address
    over the replication NIC once this node's replication address is configured there.
  - A missing tool or an unreadable file never makes the module fail; that part of the result is
    V(null) or says V(unknown), and RV(preflight_facts.errors) says why. Commands run with C(LC_ALL=C).
options:
  spare_disk:
    description:
      - The whole disk the mirror partition goes on (C(hapair_spare_disk)). Omitted means not set;
        RV(preflight_facts.spare) then says C(action=not_set).
    type: path
  spare_mode:
    description: As O(hapair.cluster.spare_partition#module:mode) (C(hapair_spare_mode)).
    type: str
    choices: [whole_disk, free_space]
    default: whole_disk
  spare_size:
    description: As O(hapair.cluster.spare_partition#module:size) (C(hapair_spare_size)); empty is the whole free region.
    type: str
  min_mirror_size:
    description: As O(hapair.cluster.spare_partition#module:min_size) (C(hapair_min_mirror_size)).
    type: str
    default: 512MiB
  spare_label:
    description: As O(hapair.cluster.spare_partition#module:label) (C(hapair_spare_label)).
    type: str
    default: hapair-mirror
  spare_force_wipe_signatures:
    description:
      - As O(hapair.cluster.spare_partition#module:force_wipe_signatures)
        (C(hapair_spare_force_wipe_signatures)). Nothing is wiped here; it only changes what
        spare_partition would do.
    type: bool
    default: false
  spare_record_dir:
    description: As O(hapair.cluster.spare_partition#module:record_dir).
    type: path
    default: /etc/hapair
  replication_mac:
    description: MAC address of the replication NIC (C(hapair_replication_mac)).
    type: str
  replication_device:
    description: Name of the replication NIC (C(hapair_replication_device)); wins over O(replication_mac).
    type: str
  replication_address:
    description:
      - This node's replication address with or without prefix (C(hapair_replication_address)). The peer
        is pinged over the replication NIC only when this address is configured on it.
    type: str
  peer_replication_address:
    description: The peer's C(hapair_replication_address), with or without prefix.
    type: str
  peer_service_address:
    description: The peer's C(hapair_service_address), with or without prefix; pinged without choosing a NIC.
    type: str
  resolve_names:
    description:
      - Names to look up with C(getent hosts), for example the peer's inventory name; the answers are in
        RV(preflight_facts.resolved). Address literals are skipped.
    type: list
    elements: str
    default: []
  controller_time:
    description:
      - The controller's clock (seconds since the epoch) when the task was templated for this host, for
        example C({{ now().timestamp() }}). Echoed in RV(preflight_facts.controller_time); the preflight
        action uses it as the lower bound of the moment the node read its clock, so that a slow node
        cannot cause a false clock alarm.
    type: float
  fencing_resource:
    description:
      - The DRBD resource whose fencing path to prove. When the mirror role has installed its fence-peer
        handler (a provisioned node), the module runs C(fence-peer --check) for it, a dry run of the peer's
        forced command over the service network, which outdates nothing. On a node not yet provisioned
        there is nothing to run, and RV(preflight_facts.fencing) says so.
    type: str
    default: r0
attributes:
  check_mode:
    support: full
    details: The module changes nothing, so it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
notes:
  - Run it with the privileges the provisioning will have (C(become=true)); it reports the effective
    user, which is what the privilege check judges.
  - Meant to be registered as C(hapair_preflight_facts) (with C(ignore_errors=true) and
    C(ignore_unreachable=true)) and judged by M(hapair.cluster.preflight).
seealso:
  - module: hapair.cluster.preflight
  - module: hapair.cluster.spare_partition
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Gather what the preflight needs (read-only)
  hapair.cluster.preflight_facts:
    spare_disk: "{{ hapair_spare_disk | default(omit) }}"
    spare_mode: "{{ hapair_spare_mode | default(omit) }}"
    spare_size: "{{ hapair_spare_size | default(omit) }}"
    min_mirror_size: "{{ hapair_min_mirror_size | default(omit) }}"
    spare_label: "{{ hapair_spare_label | default(omit) }}"
    spare_force_wipe_signatures: "{{ hapair_spare_force_wipe_signatures | default(omit) }}"
    replication_mac: "{{ hapair_replication_mac | default(omit) }}"
    replication_device: "{{ hapair_replication_device | default(omit) }}"
    replication_address: "{{ hapair_replication_address | default(omit) }}"
    peer_replication_address: "{{ hostvars[__peer]['hapair_replication_address'] | default(omit) }}"
    peer_service_address: "{{ hostvars[__peer]['hapair_service_address'] | default(omit) }}"
    resolve_names: ["{{ __peer }}"]
    controller_time: "{{ now().timestamp() }}"
  vars:
    __peer: "{{ groups['hapair_cluster'] | difference([inventory_hostname]) | first }}"
  become: true
  register: hapair_preflight_facts
  ignore_errors: true
  ignore_unreachable: true
'''

RETURN = r'''
preflight_facts:
  description: Everything gathered; a part that could not be read is V(null) or says so.
  returned: always
  type: dict
  contains:
    time:
      description: The node's clock (seconds since the epoch) when the module started.
      type: float
      sample: 1767225600.125
    controller_time:
      description: O(controller_time) as given, else V(null).
      type: float
      sample: 1767225599.5
    duration:
      description: Seconds the module took.
      type: float
      sample: 2.4
    os:
      description: From C(/etc/os-release) - C(id), C(id_like) (list), C(version_id), C(name), C(pretty_name); or C(error).
      type: dict
      sample: {"id": "rocky", "id_like": ["rhel", "centos", "fedora"], "version_id": "9.3", "name": "Rocky Linux",
               "pretty_name": "Rocky Linux 9.3 (Blue Onyx)"}
    python:
      description: C(version) (text), C(version_info) (list of three numbers) and C(executable) of the Python running the module.
      type: dict
      sample: {"version": "3.9.18", "version_info": [3, 9, 18], "executable": "/usr/bin/python3"}
    privilege:
      description:
        - C(euid), C(user), and C(sudo) - V(not_needed) for root, else V(ok), V(password), V(missing) or
          V(denied) for C(sudo -n true) (C(sudo_detail) has its message).
      type: dict
      sample: {"euid": 0, "user": "root", "sudo": "not_needed", "sudo_detail": null}
    selinux:
      description: C(state) (V(enforcing), V(permissive), V(disabled) or V(unknown)) and C(source).
      type: dict
      sample: {"state": "enforcing", "source": "getenforce"}
    firewall:
      description:
        - C(tools) maps C(firewall-cmd), C(nft), C(ufw), C(iptables) to their paths (V(null) if absent);
          C(units) maps firewalld, nftables, ufw, iptables to their C(systemctl is-active) state (V(null)
          without systemctl).
      type: dict
    memory:
      description: C(total_mib) (MemTotal) and C(online_mib) (online memory blocks, the RAM size; V(null) if not reported).
      type: dict
      sample: {"total_mib": 960, "online_mib": 1024}
    cpus:
      description: Online CPUs.
      type: int
      sample: 2
    fencing:
      description:
        - C(handler) whether the fence-peer handler is installed; when it is, C(rc) and C(output) of
          C(fence-peer --check) (0 when this node can reach its peer's forced command and nothing else
          happened).
      type: dict
      sample: {"handler": true, "rc": 0, "output": "fencing path to 192.0.2.12 works; node2 would outdate r0 here"}
    spare:
      description:
        - What M(hapair.cluster.spare_partition) would do. C(action) is V(create), V(exists), V(refuse)
          (C(msg) is its refusal, word for word), V(error) (a probe failed), V(not_set) (no O(spare_disk))
          or V(unknown) (its tools are missing; C(fallback) then has C(exists), C(is_block), C(type),
          C(size_bytes) and C(in_use) from lsblk or sysfs).
        - Also C(disk), C(mode), C(label), C(msg), C(partition), C(size_bytes), C(table), C(warnings),
          C(wipe), C(wipe_new), C(disk_size_bytes).
      type: dict
      sample: {"action": "create", "disk": "/dev/disk/by-id/virtio-hapair-spare", "partition": "/dev/vdb1",
               "size_bytes": 10736369664, "msg": "create a gpt partition table; then create partition /dev/vdb1
               named hapair-mirror from byte 1048576 to 10737418239 (10239 MiB) on /dev/vdb"}
    nics:
      description: Every NIC but lo, with C(name), C(mac) and C(physical).
      type: list
      elements: dict
    replication_nic:
      description:
        - C(found), C(name), C(mac), C(up) (administratively), C(operstate), C(carrier) (1, 0 or V(null)
          when the NIC is down), C(speed) (Mb/s, V(null) when unknown), C(mtu), C(min_mtu), C(max_mtu).
      type: dict
      sample: {"found": true, "name": "eth1", "mac": "52:54:00:d0:00:01", "up": true, "carrier": 1,
               "speed": null, "mtu": 1500, "min_mtu": 68, "max_mtu": 65535}
    addresses:
      description: Every address on the node (C(ifname), C(family), C(address), C(prefixlen)); V(null) without C(ip).
      type: list
      elements: dict
    default_route:
      description: C(interfaces) the default routes (IPv4 and IPv6) leave through, V(null) with C(error) when unknown.
      type: dict
      sample: {"interfaces": ["eth0"], "error": null}
    ping:
      description:
        - C(peer_replication) and C(peer_service), each V(null) when not asked for, else C(address),
          C(interface), C(rc), C(transmitted), C(received), C(loss_percent), C(rtt_min_ms), C(rtt_avg_ms),
          C(rtt_max_ms), or C(skipped) (V(not_configured), ...) or C(error).
      type: dict
    time_sync:
      description:
        - C(services) (C(systemctl is-active) of chronyd, chrony, ntpd, ntp, ntpsec, systemd-timesyncd),
          C(timedatectl) (C(ntp), C(synchronized)), C(chrony) (C(synchronized), C(offset_s), C(stratum),
          C(leap_status), C(reference)); each V(null) when unknown.
      type: dict
    hostname:
      description: C(nodename) (C(uname -n)) and C(short) (up to the first dot).
      type: dict
      sample: {"nodename": "node1", "short": "node1"}
    etc_hosts:
      description: The entries of C(/etc/hosts) (C(line), C(address), C(names), C(managed) inside the node role's block).
      type: list
      elements: dict
    resolved:
      description: For each of O(resolve_names), the addresses C(getent hosts) returns (empty when unknown to it).
      type: dict
      sample: {"node2": ["172.30.0.12"]}
    errors:
      description: What could not be read, and why.
      type: list
      elements: str
'''

import os
import platform
import pwd
import sys
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hapair.cluster.plugins.module_utils.disk_layout import (
    DiskLayoutError,
    parse_lsblk_pairs,
    usage_findings,
)
from ansible_collections.hapair.cluster.plugins.module_utils.preflight import (
    FIREWALL_UNITS,
    TIME_UNITS,
    PreflightParseError,
    ip_only,
    is_ip,
    parse_chronyc_tracking,
    parse_etc_hosts,
    parse_getent_hosts,
    parse_ip_addr_json,
    parse_ip_addr_text,
    parse_ip_link_json,
    parse_ip_link_text,
    parse_ip_route_json,
    parse_ip_route_text,
    parse_meminfo,
    parse_os_release,
    parse_ping,
    parse_systemctl_is_active,
    parse_timedatectl,
    spare_summary,
)
from ansible_collections.hapair.cluster.plugins.module_utils.spare_probe import (
    C_ENV,
    LSBLK_COLUMNS,
    REQUIRED_TOOLS,
    SpareProbeError,
    disk_state,
    judge,
    read_record,
    record_path,
    resolve_link,
    tool_package,
)

SYS_NET = '/sys/class/net'
SYS_BLOCK = '/sys/class/block'
SYS_MEMORY = '/sys/devices/system/memory'
PING_ARGS = ['-c', '3', '-i', '0.2', '-W', '1']
# installed by the mirror role (roles/mirror/templates/fence-peer.j2)
FENCE_HANDLER = '/usr/local/lib/hapair/fence-peer'


# File-system and process access lives in these small functions so that unit tests can replace
# them (and disk_state, resolve_link, read_record of spare_probe, as for spare_partition).

def read_optional(path):
    """Contents of a small text file, stripped; None when it cannot be read."""
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def list_dir(path):
    """Names in a directory; raises OSError."""
    return os.listdir(path)


def path_exists(path):
    return os.path.exists(path)


def effective_uid():
    return os.geteuid()


def node_name():
    return os.uname()[1]


def online_memory_mib():
    """RAM as the memory blocks the kernel has online (None where sysfs does not list them)."""
    try:
        block = int(read_optional(os.path.join(SYS_MEMORY, 'block_size_bytes')), 16)
        names = [n for n in list_dir(SYS_MEMORY) if n.startswith('memory') and n[6:].isdigit()]
    except (TypeError, OSError, ValueError):
        return None
    online = sum(1 for n in names if read_optional(os.path.join(SYS_MEMORY, n, 'state')) == 'online')
    return (online * block) // (1024 * 1024) if online else None


class Gatherer(object):

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.errors = []
        self.bins = {}

    # --- helpers ------------------------------------------------------------------------
    def bin(self, name):
        if name not in self.bins:
            self.bins[name] = self.module.get_bin_path(name)
        return self.bins[name]

    def run(self, argv):
        return self.module.run_command(argv, environ_update=C_ENV)

    def note(self, what, problem):
        self.errors.append('%s: %s' % (what, problem))

    def section(self, facts, key, function, fallback=None):
        """facts[key] = function(); a crash in one part is noted, never fatal."""
        try:
            facts[key] = function()
        except Exception as exc:  # pylint: disable=broad-except
            self.note(key, '%s: %s' % (type(exc).__name__, to_native(exc)))
            facts[key] = fallback

    # --- parts --------------------------------------------------------------------------
    def os_release(self):
        for path in ('/etc/os-release', '/usr/lib/os-release'):
            text = read_optional(path)
            if text is not None:
                return parse_os_release(text)
        self.note('os', 'neither /etc/os-release nor /usr/lib/os-release is readable')
        return {'error': '/etc/os-release is missing'}

    @staticmethod
    def python():
        return {'version': platform.python_version(), 'version_info': list(sys.version_info[:3]),
                'executable': sys.executable}

    def privilege(self):
        euid = effective_uid()
        try:
            user = pwd.getpwuid(euid).pw_name
        except KeyError:
            user = None
        result = {'euid': euid, 'user': user, 'sudo': 'not_needed', 'sudo_detail': None}
        if euid == 0:
            return result
        sudo = self.bin('sudo')
        if not sudo:
            result['sudo'] = 'missing'
            return result
        rc, out, err = self.run([sudo, '-n', 'true'])
        text = (err or out).strip()
        if rc == 0:
            result['sudo'] = 'ok'
        elif 'password' in text.lower():
            result['sudo'], result['sudo_detail'] = 'password', text
        else:
            result['sudo'], result['sudo_detail'] = 'denied', text or 'exit %d' % rc
        return result

    def selinux(self):
        getenforce = self.bin('getenforce')
        if getenforce:
            rc, out, err = self.run([getenforce])
            state = out.strip().lower()
            if rc == 0 and state in ('enforcing', 'permissive', 'disabled'):
                return {'state': state, 'source': 'getenforce'}
        enforce = read_optional('/sys/fs/selinux/enforce')
        if enforce in ('0', '1'):
            return {'state': 'enforcing' if enforce == '1' else 'permissive', 'source': 'sysfs'}
        if not path_exists('/sys/fs/selinux'):
            return {'state': 'disabled', 'source': 'sysfs'}
        return {'state': 'unknown', 'source': None, 'error': 'getenforce not found and selinuxfs unreadable'}

    def unit_states(self, units):
        systemctl = self.bin('systemctl')
        if not systemctl:
            return None
        rc, out, err = self.run([systemctl, 'is-active'] + list(units))
        try:
            return parse_systemctl_is_active(units, out)
        except PreflightParseError as exc:
            self.note('systemctl', '%s (%s)' % (exc, err.strip()))
            return None

    def firewall(self):
        tools = dict((name, self.bin(name)) for name in ('firewall-cmd', 'nft', 'ufw', 'iptables'))
        return {'tools': tools, 'units': self.unit_states(FIREWALL_UNITS)}

    def memory(self):
        total = parse_meminfo(read_optional('/proc/meminfo'))
        if total is None:
            self.note('memory', '/proc/meminfo has no MemTotal')
        return {'total_mib': total, 'online_mib': online_memory_mib()}

    @staticmethod
    def cpus():
        try:
            return int(os.sysconf('SC_NPROCESSORS_ONLN'))
        except (AttributeError, ValueError, OSError):
            return None

    def spare(self):
        params = self.params
        if not params['spare_disk']:
            return {'action': 'not_set'}
        result = {'disk': params['spare_disk'], 'mode': params['spare_mode'], 'label': params['spare_label']}
        bins = {}
        missing = []
        for name in REQUIRED_TOOLS:
            if self.bin(name):
                bins[name] = self.bin(name)
            else:
                missing.append(name)
        if missing:
            result.update(action='unknown', msg='%s not installed (package %s)' % (
                ', '.join(missing), ', '.join(sorted(set(tool_package(n) for n in missing)))),
                fallback=self.spare_fallback(params['spare_disk'], bins.get('lsblk')))
            return result
        options = {'disk': params['spare_disk'], 'label': params['spare_label'], 'mode': params['spare_mode'],
                   'size': params['spare_size'], 'min_size': params['min_mirror_size'],
                   'force_wipe_signatures': params['spare_force_wipe_signatures']}
        try:
            plan, info = judge(self.run, bins, options, record_path(params['spare_record_dir'], params['spare_label']),
                               disk_state=disk_state, resolve_link=resolve_link, read_record=read_record)
        except DiskLayoutError as exc:
            result.update(action='refuse', msg=to_native(exc))
            return result
        except SpareProbeError as exc:
            result.update(action='error', msg=exc.msg)
            return result
        return spare_summary(plan, info, result)

    def spare_fallback(self, disk_arg, lsblk):
        resolved, exists, is_block = disk_state(disk_arg)
        result = {'disk': resolved, 'exists': exists, 'is_block': is_block, 'type': None,
                  'size_bytes': None, 'in_use': []}
        if not (exists and is_block):
            return result
        kname = resolved.rsplit('/', 1)[-1]
        sectors = read_optional(os.path.join(SYS_BLOCK, kname, 'size'))
        if sectors and sectors.isdigit():
            result['size_bytes'] = int(sectors) * 512
        result['type'] = 'part' if path_exists(os.path.join(SYS_BLOCK, kname, 'partition')) else 'disk'
        if lsblk:
            rc, out, err = self.run([lsblk, '-P', '-b', '-o', LSBLK_COLUMNS])
            if rc == 0:
                try:
                    rows = parse_lsblk_pairs(out)
                except DiskLayoutError:
                    rows = []
                for row in rows:
                    if row.get('KNAME') == kname:
                        result['type'] = row.get('TYPE') or result['type']
                result['in_use'] = usage_findings(rows, kname)
        return result

    @staticmethod
    def nics():
        result = []
        for name in sorted(list_dir(SYS_NET)):
            if name == 'lo':
                continue
            mac = (read_optional(os.path.join(SYS_NET, name, 'address')) or '').lower() or None
            result.append({'name': name, 'mac': mac,
                           'physical': path_exists(os.path.join(SYS_NET, name, 'device'))})
        return result

    def replication_nic(self, nics):
        device = self.params['replication_device']
        mac = (self.params['replication_mac'] or '').strip().lower().replace('-', ':')
        result = {'found': False, 'wanted_device': device, 'wanted_mac': mac or None}
        if device:
            matches = [n for n in nics or [] if n['name'] == device]
        elif mac:
            matches = [n for n in nics or [] if n['mac'] == mac]
            # a bond or VLAN shares its MAC: prefer the NIC with hardware behind it
            matches = [n for n in matches if n['physical']] or matches
        else:
            return result
        if not matches:
            return result
        name = matches[0]['name']
        base = os.path.join(SYS_NET, name)
        result.update(found=True, name=name, mac=matches[0]['mac'],
                      operstate=read_optional(os.path.join(base, 'operstate')))
        flags = read_optional(os.path.join(base, 'flags'))
        result['up'] = bool(int(flags, 16) & 1) if flags else None
        carrier = read_optional(os.path.join(base, 'carrier'))   # unreadable while the NIC is down
        result['carrier'] = int(carrier) if carrier in ('0', '1') else None
        speed = read_optional(os.path.join(base, 'speed'))
        try:
            speed = int(speed)
        except (TypeError, ValueError):
            speed = None
        result['speed'] = speed if speed is not None and 0 < speed < 4294967295 else None
        mtu = read_optional(os.path.join(base, 'mtu'))
        result['mtu'] = int(mtu) if mtu and mtu.isdigit() else None
        result['min_mtu'] = result['max_mtu'] = None
        ip = self.bin('ip')
        if ip:
            link = self.ip_json([ip, '-d', '-j', 'link', 'show', 'dev', name], parse_ip_link_json,
                                [ip, '-d', 'link', 'show', 'dev', name], parse_ip_link_text, 'ip link')
            if link:
                result['min_mtu'], result['max_mtu'] = link[0].get('min_mtu'), link[0].get('max_mtu')
        return result

    def ip_json(self, argv, parser, text_argv, text_parser, what):
        """``ip -j ...`` parsed; the text form where ``-j`` is unknown (old iproute2)."""
        rc, out, err = self.run(argv)
        if rc == 0:
            try:
                return parser(out)
            except PreflightParseError:
                pass
        rc, out, err = self.run(text_argv)
        if rc == 0:
            return text_parser(out)
        self.note(what, '%s failed (rc=%d): %s' % (' '.join(text_argv), rc, err.strip()))
        return None

    def addresses(self):
        ip = self.bin('ip')
        if not ip:
            self.note('addresses', 'ip (iproute2) is not installed')
            return None
        return self.ip_json([ip, '-j', 'addr', 'show'], parse_ip_addr_json,
                            [ip, '-o', 'addr', 'show'], parse_ip_addr_text, 'ip addr')

    def default_route(self):
        ip = self.bin('ip')
        if not ip:
            return {'interfaces': None, 'error': 'ip (iproute2) is not installed'}
        interfaces = []
        for family in ('-4', '-6'):
            found = self.ip_json([ip, '-j', family, 'route', 'show', 'default'], parse_ip_route_json,
                                 [ip, family, 'route', 'show', 'default'], parse_ip_route_text, 'ip route')
            if found is None:
                return {'interfaces': None, 'error': 'ip route show default failed'}
            interfaces.extend(d for d in found if d not in interfaces)
        return {'interfaces': interfaces, 'error': None}

    def ping(self, address, interface=None):
        address = ip_only(address)
        result = {'address': address, 'interface': interface}
        binary = (self.bin('ping6') if ':' in address else None) or self.bin('ping')
        if not binary:
            result['error'] = 'ping is not installed (package iputils / iputils-ping)'
            return result
        argv = [binary] + PING_ARGS + (['-I', interface] if interface else []) + [address]
        rc, out, err = self.run(argv)
        result['rc'] = rc
        try:
            result.update(parse_ping(out))
        except PreflightParseError:
            result['error'] = (err or out).strip() or 'ping exit %d' % rc
        return result

    def pings(self, facts):
        params = self.params
        result = {'peer_replication': None, 'peer_service': None}
        if params['peer_service_address']:
            result['peer_service'] = self.ping(params['peer_service_address'])
        peer = params['peer_replication_address']
        if peer:
            nic = (facts.get('replication_nic') or {}).get('name')
            own = ip_only(params['replication_address'])
            if not nic:
                result['peer_replication'] = {'address': ip_only(peer), 'skipped': 'replication NIC not found'}
            elif facts.get('addresses') is None:
                result['peer_replication'] = {'address': ip_only(peer),
                                              'skipped': 'addresses unknown (ip not available)'}
            elif not own or not any(a.get('address') == own and a.get('ifname') == nic
                                    for a in facts['addresses']):
                result['peer_replication'] = {'address': ip_only(peer), 'interface': nic,
                                              'skipped': 'not_configured'}
            else:
                result['peer_replication'] = self.ping(peer, nic)
        return result

    def time_sync(self):
        result = {'services': self.unit_states(TIME_UNITS), 'timedatectl': None, 'chrony': None}
        timedatectl = self.bin('timedatectl')
        if timedatectl:
            for command in ('show', 'status'):   # "show" needs systemd 239 (not EL7)
                rc, out, err = self.run([timedatectl, command])
                if rc == 0:
                    parsed = parse_timedatectl(out)
                    if parsed['ntp'] is not None or parsed['synchronized'] is not None:
                        result['timedatectl'] = parsed
                        break
        chronyc = self.bin('chronyc')
        if chronyc:
            rc, out, err = self.run([chronyc, 'tracking'])
            if rc == 0:
                try:
                    result['chrony'] = parse_chronyc_tracking(out)
                except PreflightParseError as exc:
                    self.note('chronyc', to_native(exc))
        return result

    @staticmethod
    def hostname():
        nodename = node_name()
        return {'nodename': nodename, 'short': nodename.split('.')[0]}

    def etc_hosts(self):
        text = read_optional('/etc/hosts')
        if text is None:
            self.note('etc_hosts', '/etc/hosts is not readable')
            return None
        return parse_etc_hosts(text)

    def resolved(self):
        result = {}
        getent = self.bin('getent')
        for name in self.params['resolve_names'] or []:
            if not name or is_ip(name):
                continue
            if not getent:
                self.note('resolved', 'getent is not installed')
                break
            rc, out, err = self.run([getent, 'hosts', name])
            result[name] = parse_getent_hosts(out) if rc == 0 else []
        return result

    def fencing(self):
        if not path_exists(FENCE_HANDLER):
            return {'handler': False}
        rc, out, err = self.module.run_command([FENCE_HANDLER, '--check'],
                                               environ_update=dict(C_ENV, DRBD_RESOURCE=self.params['fencing_resource']))
        return {'handler': True, 'rc': rc, 'output': ' '.join((out + ' ' + err).split())}

    # --- all ----------------------------------------------------------------------------
    def gather(self, started):
        facts = {'time': started, 'controller_time': self.params['controller_time']}
        self.section(facts, 'os', self.os_release, {'error': 'unreadable'})
        self.section(facts, 'python', self.python, {})
        self.section(facts, 'privilege', self.privilege, {})
        self.section(facts, 'selinux', self.selinux, {'state': 'unknown'})
        self.section(facts, 'firewall', self.firewall, {})
        self.section(facts, 'memory', self.memory, {})
        self.section(facts, 'cpus', self.cpus)
        self.section(facts, 'hostname', self.hostname, {})
        self.section(facts, 'nics', self.nics, [])
        self.section(facts, 'replication_nic', lambda: self.replication_nic(facts.get('nics')), {'found': False})
        self.section(facts, 'addresses', self.addresses)
        self.section(facts, 'default_route', self.default_route, {'interfaces': None, 'error': 'unknown'})
        self.section(facts, 'ping', lambda: self.pings(facts), {})
        self.section(facts, 'time_sync', self.time_sync, {'services': None})
        self.section(facts, 'etc_hosts', self.etc_hosts)
        self.section(facts, 'resolved', self.resolved, {})
        self.section(facts, 'fencing', self.fencing)
        self.section(facts, 'spare', self.spare)
        if facts['spare'] is None:
            facts['spare'] = {'action': 'error', 'disk': self.params['spare_disk'],
                              'msg': 'the read-only probe of the spare disk crashed (%s)' % self.errors[-1]}
        facts['errors'] = self.errors
        facts['duration'] = round(time.time() - started, 3)
        return facts


def main():
    started = time.time()
    module = AnsibleModule(
        argument_spec=dict(
            spare_disk=dict(type='path'),
            spare_mode=dict(type='str', default='whole_disk', choices=['whole_disk', 'free_space']),
            spare_size=dict(type='str'),
            min_mirror_size=dict(type='str', default='512MiB'),
            spare_label=dict(type='str', default='hapair-mirror'),
            spare_force_wipe_signatures=dict(type='bool', default=False),
            spare_record_dir=dict(type='path', default='/etc/hapair'),
            replication_mac=dict(type='str'),
            replication_device=dict(type='str'),
            replication_address=dict(type='str'),
            peer_replication_address=dict(type='str'),
            peer_service_address=dict(type='str'),
            resolve_names=dict(type='list', elements='str', default=[]),
            controller_time=dict(type='float'),
            fencing_resource=dict(type='str', default='r0'),
        ),
        supports_check_mode=True,
    )
    facts = Gatherer(module).gather(started)
    module.exit_json(changed=False, preflight_facts=facts)


if __name__ == '__main__':
    main()
