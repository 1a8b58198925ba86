# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Preflight of a hapair pair: every unmet requirement of both servers, before anything changes.

PRIVATE to the hapair.cluster collection. Pure functions, no Ansible objects, in two halves:

* parsers for the read-only commands the ``preflight_facts`` module runs on a node (``ping``,
  ``ip -j``, ``timedatectl``, ``chronyc tracking``, ``/etc/os-release``, ``/etc/hosts``, ...);
  they run on the targets, so this file stays Python 2.7 / 3.6 compatible;
* the checks: :func:`evaluate_node` and :func:`evaluate_pair` turn the gathered facts of both
  nodes plus their inventory settings into lines ``{"check", "status", "detail"}`` with status
  ``pass``, ``warn`` or ``fail``; the ``hapair.cluster.preflight`` action plugin calls them on
  the controller. :func:`render_table`, :func:`summarise` and :func:`to_json` present them.

Every detail says what was found and, when something is wrong, what to do. A check that cannot
be made (a tool is missing, a value is unknown) is a ``warn``, never a silent ``pass``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from ansible_collections.hapair.cluster.plugins.module_utils.disk_layout import (
    DiskLayoutError,
    human_size,
    parse_size,
)

STATUSES = ('pass', 'warn', 'fail')
_RANK = {'pass': 0, 'warn': 1, 'fail': 2}

NODE_CHECKS = (
    'os_supported', 'python', 'controller_ansible', 'privilege', 'selinux', 'firewall', 'memory',
    'cpus', 'spare_disk', 'replication_nic', 'peer_replication', 'peer_service', 'fencing', 'time_sync',
    'hostname', 'peer_name',
)
PAIR_CHECKS = ('clock',)
FACTS_CHECK = 'facts'

# Inventory variables the checks read, with the defaults the roles use.
DEFAULTS = {
    'hapair_preflight_supported_os': ['Debian-12', 'RedHat-7', 'RedHat-8', 'RedHat-9'],
    'hapair_min_memory_mb': 1024,
    'hapair_min_cpus': 1,
    'hapair_replication_min_speed': 10000,
    'hapair_replication_mtu': 9000,
    'hapair_preflight_max_latency_ms': 1.0,
    'hapair_preflight_max_clock_offset_s': 1.0,
    'hapair_preflight_fail_clock_offset_s': 60.0,
    'hapair_manage_hosts': True,
    'hapair_manage_firewall': True,
    'hapair_fencing': True,
    'hapair_drbd_port': 7788,
    'hapair_spare_mode': 'whole_disk',
    'hapair_spare_label': 'hapair-mirror',
    'hapair_min_mirror_size': '512MiB',
}

EL_IDS = {'rhel': 'RHEL', 'centos': 'CentOS', 'rocky': 'Rocky Linux', 'almalinux': 'AlmaLinux',
          'ol': 'Oracle Linux'}
DEBIAN_IDS = ('debian',)
DEFAULT_SUPPORTED_TEXT = 'Debian 12 and EL 7, 8, 9 (RHEL, CentOS, Rocky Linux, AlmaLinux, Oracle Linux)'

# Oldest target Python each ansible-core release runs modules with (its support matrix).
CORE_MIN_TARGET_PYTHON = (
    ((2, 17), (3, 7)),
    ((2, 18), (3, 8)),
    ((2, 20), (3, 9)),
)
COLLECTION_MIN_CORE = (2, 16)

# Units systemctl is asked about.
FIREWALL_UNITS = ('firewalld', 'nftables', 'ufw', 'iptables')
TIME_UNITS = ('chronyd', 'chrony', 'ntpd', 'ntp', 'ntpsec', 'systemd-timesyncd')
_TIME_DAEMONS = (('chrony', ('chronyd', 'chrony')), ('ntpd', ('ntpd', 'ntp', 'ntpsec')),
                 ('systemd-timesyncd', ('systemd-timesyncd',)))

HOSTS_BLOCK = 'hapair.cluster nodes'   # the blockinfile marker of the node role


class PreflightParseError(ValueError):
    """Command output that cannot be understood."""


# ---------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------

_IPV4_RE = re.compile(r'^\d{1,3}(?:\.\d{1,3}){3}$')


def ip_only(address):
    """``'10.77.0.1/24'`` -> ``'10.77.0.1'``; None stays None."""
    if address in (None, ''):
        return None
    return ('%s' % address).strip().split('/', 1)[0].lower()


def is_ip(text):
    """Whether ``text`` is an IPv4 or IPv6 address literal (no prefix)."""
    text = '%s' % (text or '')
    return bool(_IPV4_RE.match(text)) or (':' in text and re.match(r'^[0-9A-Fa-f:.]+$', text) is not None)


def _worst(statuses):
    worst = 'pass'
    for status in statuses:
        if _RANK[status] > _RANK[worst]:
            worst = status
    return worst


def _version_tuple(text, length=2):
    numbers = re.findall(r'\d+', '%s' % (text or ''))
    if len(numbers) < length:
        return None
    return tuple(int(n) for n in numbers[:length])


def _yes_no(value):
    value = ('%s' % value).strip().lower()
    if value in ('yes', 'true', '1', 'active'):
        return True
    if value in ('no', 'false', '0', 'inactive'):
        return False
    return None


def _ms(value):
    return '%.3f ms' % value if value < 10 else '%.1f ms' % value


# ---------------------------------------------------------------------------------------
# parsers (run on the nodes)
# ---------------------------------------------------------------------------------------

def parse_os_release(text):
    """``/etc/os-release`` -> ``{id, id_like: [..], version_id, name, pretty_name}``."""
    values = {}
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, value = line.split('=', 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = re.sub(r'\\(.)', r'\1', value[1:-1])
        values[key.strip()] = value
    return {
        'id': values.get('ID', '').lower(),
        'id_like': values.get('ID_LIKE', '').lower().split(),
        'version_id': values.get('VERSION_ID', ''),
        'name': values.get('NAME', ''),
        'pretty_name': values.get('PRETTY_NAME', ''),
    }


def parse_meminfo(text):
    """``/proc/meminfo`` -> MemTotal in MiB (int), or None."""
    match = re.search(r'^MemTotal:\s+(\d+)\s*kB', text or '', re.MULTILINE)
    return int(match.group(1)) // 1024 if match else None


_PING_COUNTS_RE = re.compile(r'(\d+) packets transmitted, (\d+) (?:packets )?received')
_PING_LOSS_RE = re.compile(r'([\d.]+)% packet loss')
_PING_RTT_RE = re.compile(r'(?:rtt|round-trip) min/avg/max(?:/mdev)? = ([\d.]+)/([\d.]+)/([\d.]+)')


def parse_ping(text):
    """Summary of ``ping`` (iputils on EL7 ... Debian 12, busybox):
    ``{transmitted, received, loss_percent, rtt_min_ms, rtt_avg_ms, rtt_max_ms}``; the rtt
    values are None when no reply came back. Raises PreflightParseError without a summary."""
    counts = _PING_COUNTS_RE.search(text or '')
    if not counts:
        raise PreflightParseError('ping: no "packets transmitted" summary in %r' % (text or '')[-200:])
    result = {'transmitted': int(counts.group(1)), 'received': int(counts.group(2)),
              'loss_percent': None, 'rtt_min_ms': None, 'rtt_avg_ms': None, 'rtt_max_ms': None}
    loss = _PING_LOSS_RE.search(text)
    if loss:
        result['loss_percent'] = float(loss.group(1))
    elif result['transmitted']:
        result['loss_percent'] = 100.0 * (result['transmitted'] - result['received']) / result['transmitted']
    rtt = _PING_RTT_RE.search(text)
    if rtt:
        result['rtt_min_ms'], result['rtt_avg_ms'], result['rtt_max_ms'] = [float(v) for v in rtt.groups()]
    return result


def _load_json_list(text, what):
    try:
        data = json.loads(text or '')
    except ValueError as exc:
        raise PreflightParseError('%s: not JSON (%s)' % (what, exc))
    if not isinstance(data, list):
        raise PreflightParseError('%s: expected a JSON list' % what)
    return [item for item in data if isinstance(item, dict)]


def parse_ip_link_json(text):
    """``ip -d -j link show [dev X]`` -> ``[{ifname, mtu, min_mtu, max_mtu, operstate, address}]``
    (min_mtu/max_mtu are None where the kernel does not report them, e.g. EL7's 3.10)."""
    links = []
    for item in _load_json_list(text, 'ip -j link'):
        links.append({
            'ifname': item.get('ifname'),
            'mtu': item.get('mtu'),
            'min_mtu': item.get('min_mtu'),
            'max_mtu': item.get('max_mtu'),
            'operstate': item.get('operstate'),
            'address': (item.get('address') or '').lower() or None,
        })
    return links


def parse_ip_link_text(text):
    """``ip -d link show`` text (iproute2 without ``-j``): same shape as parse_ip_link_json."""
    links = []
    for block in re.split(r'\n(?=\d+: )', (text or '').strip()):
        head = re.match(r'^\d+: ([^:@\s]+)(?:@\S+)?: ', block)
        if not head:
            continue

        def number(pattern, block=block):
            match = re.search(pattern, block)
            return int(match.group(1)) if match else None
        state = re.search(r' state (\S+)', block)
        mac = re.search(r'link/\S+ ([0-9a-fA-F:]{11,})', block)
        links.append({
            'ifname': head.group(1),
            'mtu': number(r' mtu (\d+)'),
            'min_mtu': number(r' minmtu (\d+)'),
            'max_mtu': number(r' maxmtu (\d+)'),
            'operstate': state.group(1) if state else None,
            'address': mac.group(1).lower() if mac else None,
        })
    return links


def parse_ip_route_json(text):
    """``ip -j route show default`` -> names of the interfaces default routes leave through."""
    devices = []
    for route in _load_json_list(text, 'ip -j route'):
        hops = [route] + [h for h in route.get('nexthops') or [] if isinstance(h, dict)]
        for hop in hops:
            if hop.get('dev') and hop['dev'] not in devices:
                devices.append(hop['dev'])
    return devices


def parse_ip_route_text(text):
    """``ip route show default`` text: the same as parse_ip_route_json."""
    devices = []
    for dev in re.findall(r'\bdev (\S+)', text or ''):
        if dev not in devices:
            devices.append(dev)
    return devices


def parse_ip_addr_json(text):
    """``ip -j addr show`` -> ``[{ifname, family, address, prefixlen}]``."""
    addresses = []
    for link in _load_json_list(text, 'ip -j addr'):
        for info in link.get('addr_info') or []:
            if not isinstance(info, dict) or not info.get('local'):
                continue
            addresses.append({'ifname': link.get('ifname'), 'family': info.get('family'),
                              'address': ('%s' % info['local']).lower(),
                              'prefixlen': info.get('prefixlen')})
    return addresses


_IP_O_ADDR_RE = re.compile(r'^\d+:\s+(\S+)\s+(inet6?)\s+([0-9A-Fa-f.:]+)/(\d+)')


def parse_ip_addr_text(text):
    """``ip -o addr show`` text: the same as parse_ip_addr_json."""
    addresses = []
    for line in (text or '').splitlines():
        match = _IP_O_ADDR_RE.match(line.strip())
        if match:
            addresses.append({'ifname': match.group(1).split('@')[0], 'family': match.group(2),
                              'address': match.group(3).lower(), 'prefixlen': int(match.group(4))})
    return addresses


def parse_timedatectl(text):
    """``timedatectl show`` (systemd 239+) or ``timedatectl status`` (EL7's 219 and newer) ->
    ``{ntp, synchronized}``, each True, False or None (not reported)."""
    result = {'ntp': None, 'synchronized': None}
    for line in (text or '').splitlines():
        if '=' in line and ':' not in line.split('=', 1)[0]:
            key, value = line.split('=', 1)
        elif ':' in line:
            key, value = line.split(':', 1)
        else:
            continue
        key = key.strip()
        if key in ('NTP', 'NTP enabled', 'NTP service', 'Network time on'):
            result['ntp'] = _yes_no(value)
        elif key in ('NTPSynchronized', 'NTP synchronized', 'System clock synchronized'):
            result['synchronized'] = _yes_no(value)
    return result


def parse_chronyc_tracking(text):
    """``chronyc tracking`` -> ``{reference, stratum, offset_s, leap_status, synchronized}``.

    ``offset_s`` is the system clock minus NTP time (positive when the clock is fast)."""
    values = {}
    for line in (text or '').splitlines():
        if ':' in line:
            key, value = line.split(':', 1)
            values[key.strip()] = value.strip()
    if 'Leap status' not in values and 'Reference ID' not in values:
        raise PreflightParseError('chronyc tracking: no "Leap status" in %r' % (text or '')[-200:])
    offset = None
    match = re.match(r'^([\d.]+) seconds (fast|slow)', values.get('System time', ''))
    if match:
        offset = float(match.group(1)) * (1 if match.group(2) == 'fast' else -1)
    stratum = values.get('Stratum', '')
    leap = values.get('Leap status', '')
    return {
        'reference': values.get('Reference ID'),
        'stratum': int(stratum) if stratum.isdigit() else None,
        'offset_s': offset,
        'leap_status': leap or None,
        'synchronized': bool(leap) and leap != 'Not synchronised',
    }


def parse_systemctl_is_active(units, text):
    """``systemctl is-active U1 U2 ...`` prints one state per unit, in order."""
    states = [line.strip() for line in (text or '').splitlines() if line.strip()]
    if len(states) != len(units):
        raise PreflightParseError('systemctl is-active: %d states for %d units' % (len(states), len(units)))
    return dict(zip(units, states))


def parse_etc_hosts(text):
    """``/etc/hosts`` -> ``[{line, address, names, managed}]``; ``managed`` marks the lines
    inside the node role's ``# BEGIN/END hapair.cluster nodes`` block."""
    entries = []
    managed = False
    for number, raw in enumerate((text or '').splitlines(), 1):
        stripped = raw.strip()
        if stripped == '# BEGIN %s' % HOSTS_BLOCK:
            managed = True
            continue
        if stripped == '# END %s' % HOSTS_BLOCK:
            managed = False
            continue
        fields = stripped.split('#', 1)[0].split()
        if len(fields) < 2:
            continue
        entries.append({'line': number, 'address': fields[0].lower(), 'names': fields[1:],
                        'managed': managed})
    return entries


def parse_getent_hosts(text):
    """``getent hosts NAME`` -> the addresses, in order."""
    addresses = []
    for line in (text or '').splitlines():
        fields = line.split()
        if fields and fields[0].lower() not in addresses:
            addresses.append(fields[0].lower())
    return addresses


# ---------------------------------------------------------------------------------------
# facts helpers
# ---------------------------------------------------------------------------------------

def spare_summary(plan, info, base):
    """What preflight_facts reports of ``spare_probe.judge``'s ``(plan, info)``: ``base`` (disk,
    mode, label) plus the decision, its message (a refusal word for word), the partition and size."""
    result = dict(base)
    result.update(action=plan['action'], msg=plan.get('msg'), disk_resolved=plan.get('disk'),
                  partition=plan.get('partition'), size_bytes=plan.get('size_bytes'), table=plan.get('table'),
                  warnings=list(plan.get('warnings') or []), wipe=bool(plan.get('wipe')),
                  wipe_new=bool(plan.get('wipe_new')),
                  disk_size_bytes=((info or {}).get('parted') or {}).get('size'))
    return result


def os_identity(os_facts):
    """(family 'RedHat'/'Debian'/None, major version text, is a derivative known only by ID_LIKE)."""
    os_facts = os_facts or {}
    os_id = os_facts.get('id') or ''
    like = os_facts.get('id_like') or []
    major = ('%s' % (os_facts.get('version_id') or '')).split('.')[0]
    if os_id in EL_IDS:
        return 'RedHat', major, False
    if os_id in DEBIAN_IDS:
        return 'Debian', major, False
    if any(x in like for x in ('rhel', 'centos', 'fedora')):
        return 'RedHat', major, True
    if 'debian' in like:
        return 'Debian', major, True
    return None, major, False


def _is_el7(facts):
    family, major, dummy = os_identity((facts or {}).get('os'))
    return family == 'RedHat' and major == '7'


def _interfaces_with(facts, address):
    """Interfaces of a node that carry ``address``; None when its addresses are unknown."""
    if not facts or facts.get('addresses') is None or not address:
        return None
    return sorted(set(a.get('ifname') for a in facts['addresses'] if a.get('address') == address))


def _address_list(facts):
    return ', '.join('%s on %s' % (a.get('address'), a.get('ifname'))
                     for a in (facts or {}).get('addresses') or []
                     if a.get('ifname') != 'lo' and not ('%s' % a.get('address')).startswith('fe80:')) or 'none'


class _Settings(object):
    """The inventory settings of one node, with the roles' defaults."""

    def __init__(self, values):
        self.values = dict(values or {})

    def get(self, name):
        value = self.values.get(name)
        if value is None or (name in DEFAULTS and value == ''):
            return DEFAULTS.get(name)
        return value

    def number(self, name):
        value = self.get(name)
        try:
            return float(value)
        except (TypeError, ValueError):
            return float(DEFAULTS[name])

    def flag(self, name):
        value = self.get(name)
        if isinstance(value, bool):
            return value
        parsed = _yes_no(value)
        return DEFAULTS.get(name) if parsed is None else parsed


# ---------------------------------------------------------------------------------------
# node checks: each returns (status, detail)
# ---------------------------------------------------------------------------------------

def _supported_text(supported):
    if [s.lower() for s in supported] == [s.lower() for s in DEFAULTS['hapair_preflight_supported_os']]:
        return DEFAULT_SUPPORTED_TEXT
    return ', '.join(supported)


def check_os_supported(facts, settings, peer):
    os_facts = facts.get('os') or {}
    supported = ['%s' % s for s in settings.get('hapair_preflight_supported_os') or []]
    if not os_facts.get('id'):
        return 'fail', ('cannot tell which OS runs here (%s); hapair.cluster supports %s'
                        % (os_facts.get('error') or '/etc/os-release has no ID', _supported_text(supported)))
    family, major, derivative = os_identity(os_facts)
    name = os_facts.get('pretty_name') or ('%s %s' % (os_facts.get('name') or os_facts['id'],
                                                      os_facts.get('version_id') or ''))
    wanted = [s.lower() for s in supported]
    own_key = '%s-%s' % (os_facts['id'], major)
    family_key = '%s-%s' % (family, major) if family else None
    if own_key.lower() in wanted:
        return 'pass', '%s (%s)' % (name, own_key)
    if family_key and family_key.lower() in wanted:
        if derivative:
            return 'warn', ('%s is a derivative of %s %s (ID_LIKE), not one of the tested releases (%s); '
                            'it may work, but only %s are tested'
                            % (name, family, major, own_key, _supported_text(supported)))
        return 'pass', '%s (%s)' % (name, family_key)
    return 'fail', ('%s (%s) is not supported; hapair.cluster supports %s. Install a supported release '
                    '(or list it in hapair_preflight_supported_os at your own risk; the node role refuses '
                    'unsupported releases too)' % (name, family_key or own_key, _supported_text(supported)))


def check_python(facts, settings, peer):
    python = facts.get('python') or {}
    version = _version_tuple('.'.join('%s' % v for v in python.get('version_info') or []))
    if version is None:
        return 'warn', 'the Python version was not reported'
    text = 'Python %s (%s)' % (python.get('version') or '%d.%d' % version, python.get('executable') or '?')
    if version >= (3, 6):
        return 'pass', text
    if version == (2, 7):
        if _is_el7(facts):
            return 'pass', text + ', the Python EL7 has'
        return 'warn', (text + ': works, but this OS has Python 3; set ansible_python_interpreter to '
                        '/usr/bin/python3')
    return 'fail', (text + ' is too old: hapair.cluster needs Python 2.7 (EL7) or 3.6 and newer; set '
                    'ansible_python_interpreter to a newer Python')


def core_min_target_python(core):
    """Oldest target Python ansible-core ``(major, minor)`` runs modules with."""
    minimum = (2, 7)
    for release, python in CORE_MIN_TARGET_PYTHON:
        if core >= release:
            minimum = python
    return minimum


def check_controller_ansible(facts, settings, peer):
    text = settings.get('controller_ansible_version')
    core = _version_tuple(text)
    if core is None:
        return 'warn', 'the ansible-core version of the controller is unknown'
    if core < COLLECTION_MIN_CORE:
        return 'fail', ('ansible-core %s on the controller is older than %d.%d, which hapair.cluster requires; '
                        'upgrade it' % (text, COLLECTION_MIN_CORE[0], COLLECTION_MIN_CORE[1]))
    if _is_el7(facts) and core >= (2, 17):
        return 'fail', ('EL7 targets need ansible-core 2.16 or older on the controller: 2.17 dropped Python 2.7 '
                        'and 3.6 targets, the only Pythons EL7 has, and this controller runs %s. Run the '
                        'playbooks from a virtualenv with pip install "ansible-core>=2.16,<2.17"' % text)
    minimum = core_min_target_python(core)
    python = _version_tuple('.'.join('%s' % v for v in (facts.get('python') or {}).get('version_info') or []))
    if python is None:
        return 'warn', 'ansible-core %s; the Python version of this node was not reported' % text
    if python < minimum:
        return 'fail', ('ansible-core %s on the controller runs modules with Python %d.%d or newer, this node '
                        'has %d.%d: install a newer Python (EL8: dnf install python39) and set '
                        'ansible_python_interpreter, or use ansible-core 2.16 on the controller'
                        % (text, minimum[0], minimum[1], python[0], python[1]))
    return 'pass', 'ansible-core %s on the controller supports Python %d.%d here' % (text, python[0], python[1])


def check_privilege(facts, settings, peer):
    priv = facts.get('privilege') or {}
    euid = priv.get('euid')
    if euid == 0:
        return 'pass', 'runs as root'
    who = 'user %s (uid %s)' % (priv.get('user') or '?', euid if euid is not None else '?')
    sudo = priv.get('sudo')
    if sudo == 'ok':
        return 'pass', '%s with passwordless sudo; run the playbooks with become: true' % who
    if sudo == 'missing':
        return 'fail', '%s is not root and sudo is not installed: connect as root, or install and configure sudo' % who
    if sudo == 'password':
        return 'fail', ('%s is not root and sudo asks for a password: connect as root, allow this user '
                        'passwordless sudo (NOPASSWD), or run with become: true and --ask-become-pass' % who)
    return 'fail', ('%s is not root and "sudo -n true" failed (%s): connect as root or allow this user sudo'
                    % (who, priv.get('sudo_detail') or sudo or 'unknown'))


def check_selinux(facts, settings, peer):
    family, dummy, dummy2 = os_identity(facts.get('os'))
    state = (facts.get('selinux') or {}).get('state') or 'unknown'
    if family != 'RedHat':
        if state == 'enforcing':
            return 'warn', ('SELinux is enforcing on a non-EL system; the collection sets SELinux policy for DRBD '
                            'on EL only')
        return 'pass', 'not applicable (SELinux is %s; the collection handles it on EL only)' % state
    if state == 'enforcing':
        return 'pass', ('enforcing; the node role keeps DRBD (drbd_t) enforcing, with the one rule DRBD 9 needs '
                        'on EL 8/9')
    if state == 'permissive':
        return 'pass', 'permissive'
    if state == 'disabled':
        return 'pass', 'disabled (enabling it later needs a relabel; the node role handles drbd_t when enabled)'
    return 'warn', ('SELinux state unknown (%s); the node role installs the tools and handles drbd_t'
                    % ((facts.get('selinux') or {}).get('error') or 'getenforce not found'))


def check_firewall(facts, settings, peer):
    port = settings.get('hapair_drbd_port')
    if not settings.flag('hapair_manage_firewall'):
        return 'pass', ('not managed (hapair_manage_firewall is false): open TCP port %s to the peer\'s '
                        'replication address yourself' % port)
    family, dummy, dummy2 = os_identity(facts.get('os'))
    firewall = facts.get('firewall') or {}
    tools = firewall.get('tools') or {}
    units = firewall.get('units')
    active = sorted(u for u, state in (units or {}).items() if state == 'active')
    if family == 'Debian':
        ours, tool, package = 'nftables', 'nft', 'nftables'
    else:
        ours, tool, package = 'firewalld', 'firewall-cmd', 'firewalld'
    if ours == 'nftables':
        others = [u for u in active if u in ('firewalld', 'ufw', 'iptables')]
    else:
        others = [u for u in active if u in ('nftables', 'ufw', 'iptables')]
    state = (units or {}).get(ours, 'state unknown')
    if ours == 'firewalld' and not tools.get(tool):
        # The roles never install, start or enable firewalld: it would close the application's ports.
        found = ('firewalld not installed: no host firewall to open for DRBD; the roles install none (if you '
                 'install firewalld later, run provision.yml again to add the DRBD port rule)')
    elif ours == 'firewalld' and state != 'active':
        found = ('firewalld installed, %s: the mirror role adds the DRBD port rule to its permanent configuration '
                 'and does not start it' % state)
    elif tools.get(tool):
        found = '%s installed (%s %s)' % (package, ours, state)
    else:
        found = '%s not installed yet; the node role installs it' % package
    if others:
        return 'warn', ('%s, but %s %s active: the mirror role puts the DRBD port rule into %s, which %s '
                        'may override or flush. Stop and disable %s, or set hapair_manage_firewall=false and '
                        'open TCP port %s to the peer yourself'
                        % (found, ', '.join(others), 'is' if len(others) == 1 else 'are', ours,
                           'it' if len(others) == 1 else 'they', ', '.join(others), port))
    if units is None:
        return 'pass', found + ' (systemd unit states unknown)'
    return 'pass', found


def check_memory(facts, settings, peer):
    memory = facts.get('memory') or {}
    minimum = int(settings.number('hapair_min_memory_mb'))
    total, online = memory.get('total_mib'), memory.get('online_mib')
    if total is None and online is None:
        return 'warn', 'memory size unknown (%s)' % (memory.get('error') or '/proc/meminfo unreadable')
    if online:
        text = '%d MiB RAM (MemTotal %s MiB)' % (online, total if total is not None else '?')
        enough = online >= minimum
    else:
        # MemTotal leaves out what the kernel reserves (some 3-8 %): allow for it.
        text = 'MemTotal %d MiB' % total
        enough = total >= minimum * 0.9
    if enough:
        return 'pass', text
    return 'fail', '%s, less than hapair_min_memory_mb %d MiB: give the server more memory' % (text, minimum)


def check_cpus(facts, settings, peer):
    cpus = facts.get('cpus')
    minimum = int(settings.number('hapair_min_cpus'))
    if not cpus:
        return 'warn', 'number of CPUs unknown'
    if cpus < minimum:
        return 'fail', '%d CPU%s, fewer than hapair_min_cpus %d' % (cpus, '' if cpus == 1 else 's', minimum)
    return 'pass', '%d CPU%s' % (cpus, '' if cpus == 1 else 's')


def check_spare_disk(facts, settings, peer):
    spare = facts.get('spare') or {}
    action = spare.get('action')
    if action == 'not_set' or not spare:
        return 'fail', ('hapair_spare_disk is not set: name the whole disk the mirror partition goes on, by a '
                        'stable path such as /dev/disk/by-id/<id>')
    if action == 'refuse':
        return 'fail', 'spare_partition would refuse: %s' % spare.get('msg')
    if action == 'error':
        return 'fail', 'spare_partition would fail: %s' % spare.get('msg')
    warnings = list(spare.get('warnings') or [])
    if action == 'exists':
        detail = 'already provisioned: %s' % spare.get('msg')
        if warnings:
            return 'warn', '%s; but %s' % (detail, '; '.join(warnings))
        return 'pass', detail
    if action == 'create':
        detail = 'would %s' % spare.get('msg')
        if spare.get('wipe') or spare.get('wipe_new'):
            return 'warn', ('%s. DESTROYS the data there (hapair_spare_force_wipe_signatures is true); make sure '
                            'nothing on it is needed' % detail)
        if warnings:
            return 'warn', '%s; %s' % (detail, '; '.join(warnings))
        return 'pass', detail
    return _spare_fallback(spare, settings)


def _spare_fallback(spare, settings):
    """spare_partition's tools are missing: judge what lsblk or sysfs tell."""
    fallback = spare.get('fallback') or {}
    disk = spare.get('disk')
    why = spare.get('msg') or spare.get('error') or 'the disk could not be probed'
    if fallback.get('exists') is False:
        return 'fail', ('spare_partition would refuse: %s does not exist. Give the whole disk that should carry '
                        'the mirror partition, e.g. /dev/vdb or /dev/disk/by-id/...' % disk)
    if fallback.get('is_block') is False:
        return 'fail', 'spare_partition would refuse: %s is not a block device.' % disk
    if fallback.get('type') and fallback['type'] not in ('disk', 'loop'):
        return 'fail', 'spare_partition would refuse: %s is a %s, not a whole disk.' % (disk, fallback['type'])
    size = fallback.get('size_bytes')
    try:
        dummy, minimum = parse_size(settings.get('hapair_min_mirror_size'))
    except DiskLayoutError:
        minimum = None
    if size is not None and minimum is not None and size < minimum:
        return 'fail', ('%s is only %s, less than hapair_min_mirror_size %s'
                        % (disk, human_size(size), human_size(minimum)))
    in_use = fallback.get('in_use') or []
    if in_use and (spare.get('mode') or settings.get('hapair_spare_mode')) == 'whole_disk':
        return 'fail', ('spare_partition would refuse: %s is in use: %s. mode=whole_disk never touches a disk in '
                        'use. Use an unused disk, or hapair_spare_mode=free_space to add the partition in '
                        'unallocated space next to the existing ones' % (disk, '; '.join(in_use)))
    found = '%s exists%s' % (disk, (' (%s)' % human_size(size)) if size is not None else '')
    if in_use:
        found += ', in use: %s' % '; '.join(in_use)
    return 'warn', ('cannot judge it the way spare_partition will: %s. %s; install parted and util-linux (the '
                    'node role does) and run the preflight again' % (why, found))


def check_replication_nic(facts, settings, peer):
    mac = settings.get('hapair_replication_mac')
    device = settings.get('hapair_replication_device')
    nic = facts.get('replication_nic') or {}
    if not mac and not device:
        return 'fail', ('neither hapair_replication_mac nor hapair_replication_device is set: name the NIC cabled '
                        'to the peer (its MAC is safer, names can change)')
    wanted = device if device else 'with MAC %s' % mac
    if not nic.get('found'):
        nics = ', '.join('%s %s' % (n.get('name'), n.get('mac') or '?') for n in facts.get('nics') or []) or 'none'
        return 'fail', ('this node has no NIC %s (its NICs: %s); set hapair_replication_mac (or '
                        'hapair_replication_device) to the NIC cabled to the peer' % (wanted, nics))
    name = nic.get('name')
    parts = []

    routes = facts.get('default_route') or {}
    if routes.get('interfaces') is None:
        parts.append(('warn', 'the default route could not be read (%s)' % (routes.get('error') or 'unknown')))
    elif name in routes['interfaces']:
        parts.append(('fail', 'carries the default route: it is the traffic NIC, not a dedicated link; cable a '
                              'separate NIC to the peer and name that one'))

    carrier = nic.get('carrier')
    if carrier == 1:
        parts.append(('pass', 'link detected'))
    elif carrier == 0:
        parts.append(('fail', 'no link (no carrier): check the cable to the peer and that the peer\'s NIC is up'))
    elif nic.get('up') is False:
        parts.append(('warn', 'down (not configured yet), so the link cannot be seen: the replication_link role '
                              'brings it up; to check the cable now, run "ip link set %s up" and the preflight '
                              'again' % name))
    else:
        parts.append(('warn', 'link state unknown'))

    speed = nic.get('speed')
    min_speed = int(settings.number('hapair_replication_min_speed'))
    if speed is None or speed <= 0:
        parts.append(('warn', 'speed unknown (%s)' % ('NIC down' if carrier is None and nic.get('up') is False
                                                      else 'a virtual NIC reports none')))
    elif speed < min_speed:
        parts.append(('warn', '%d Mb/s, below hapair_replication_min_speed %d Mb/s: replication will be slower '
                              'than the disks' % (speed, min_speed)))
    else:
        parts.append(('pass', '%d Mb/s' % speed))

    mtu = int(settings.number('hapair_replication_mtu'))
    low, high = nic.get('min_mtu'), nic.get('max_mtu')
    if (high is not None and mtu > high) or (low is not None and mtu < low):
        parts.append(('fail', 'MTU %d (hapair_replication_mtu) is outside what %s supports (%s to %s): set '
                              'hapair_replication_mtu to at most %s' % (mtu, name, low, high, high)))
    elif high is None:
        parts.append(('pass', 'MTU %d (the NIC\'s limits are not reported; the replication_link role proves it '
                              'end to end)' % mtu))
    else:
        parts.append(('pass', 'MTU %d within %s to %s' % (mtu, low, high)))

    parts.sort(key=lambda part: -_RANK[part[0]])   # the worst first; sort is stable
    detail = '%s (%s): %s' % (name, nic.get('mac') or '?', '; '.join(text for dummy, text in parts))
    return _worst(status for status, dummy in parts), detail


def _peer_name(peer):
    return (peer or {}).get('name') or 'the peer'


def _peer_settings(peer):
    return _Settings((peer or {}).get('settings'))


def check_peer_replication(facts, settings, peer):
    own = ip_only(settings.get('hapair_replication_address'))
    if not own:
        return 'fail', 'hapair_replication_address is not set for this node'
    if peer is None:
        return 'warn', 'no peer in the group to check'
    peer_name = _peer_name(peer)
    peer_ip = ip_only(_peer_settings(peer).get('hapair_replication_address'))
    if not peer_ip:
        return 'fail', 'hapair_replication_address is not set for %s' % peer_name
    nic = (facts.get('replication_nic') or {}).get('name')
    where = _interfaces_with(facts, own)
    if where and nic and nic not in where:
        return 'fail', ('%s (hapair_replication_address) is configured on %s, not on the replication NIC %s: '
                        'remove it there, or name that NIC in the inventory' % (own, ', '.join(where), nic))
    ping = (facts.get('ping') or {}).get('peer_replication') or {}
    mtu = int(settings.number('hapair_replication_mtu'))
    later = ('the replication_link role configures the link and proves that the peer answers with %d-byte '
             'frames' % mtu)
    if where == [] or ping.get('skipped') == 'not_configured':
        return 'pass', 'not configured yet (%s is not on %s); %s' % (own, nic or 'any NIC', later)
    peer_where = _interfaces_with((peer or {}).get('facts'), peer_ip)
    if peer_where == []:
        return 'pass', 'not configured yet on %s (%s is not on it); %s' % (peer_name, peer_ip, later)
    if ping.get('error'):
        return 'warn', 'could not ping %s at %s: %s' % (peer_name, peer_ip, ping['error'])
    if ping.get('skipped'):
        return 'warn', 'not pinged (%s)' % ping['skipped']
    return _judge_ping(ping, peer_name, peer_ip, 'over %s' % (ping.get('interface') or nic),
                       settings.number('hapair_preflight_max_latency_ms'),
                       'check the cable, that both ends carry the addresses of the inventory, and firewalls')


def _judge_ping(ping, peer_name, address, how, max_latency, advice):
    received = ping.get('received')
    if not received:
        return 'fail', ('no answer from %s at %s %s (%s pings): %s'
                        % (peer_name, address, how, ping.get('transmitted') or '?', advice))
    avg = ping.get('rtt_avg_ms')
    shown = _ms(avg) if avg is not None else '? ms'
    detail = '%s answers at %s %s in %s (average of %d)' % (peer_name, address, how, shown, received)
    status = 'pass'
    if ping.get('loss_percent'):
        status = 'warn'
        detail += '; %g%% of the pings were lost' % ping['loss_percent']
    if max_latency is not None and avg is not None and avg > max_latency:
        status = 'warn'
        detail += ('; above hapair_preflight_max_latency_ms %g ms: every write waits for one round trip '
                   '(DRBD protocol C)' % max_latency)
    return status, detail


def check_peer_service(facts, settings, peer):
    if peer is None:
        return 'warn', 'no peer in the group to check'
    peer_name = _peer_name(peer)
    peer_ip = ip_only(_peer_settings(peer).get('hapair_service_address'))
    own = ip_only(settings.get('hapair_service_address'))
    if not peer_ip:
        if settings.flag('hapair_fencing'):
            return 'warn', ('%s has no hapair_service_address: fencing (hapair_fencing) reaches the peer over the '
                            'service network and needs it on both nodes; set it, or set hapair_fencing=false'
                            % peer_name)
        return 'pass', 'no hapair_service_address for %s; nothing to check' % peer_name
    problems = []
    if own and _interfaces_with(facts, own) == []:
        problems.append('this node does not carry its hapair_service_address %s (its addresses: %s); fix the '
                        'inventory' % (own, _address_list(facts)))
    peer_facts = (peer or {}).get('facts')
    if _interfaces_with(peer_facts, peer_ip) == []:
        problems.append('%s does not carry its hapair_service_address %s (its addresses: %s); fix the inventory'
                        % (peer_name, peer_ip, _address_list(peer_facts)))
    ping = (facts.get('ping') or {}).get('peer_service') or {}
    if problems:
        return 'fail', '; '.join(problems)
    if ping.get('error'):
        return 'warn', 'could not ping %s at %s: %s' % (peer_name, peer_ip, ping['error'])
    if ping.get('skipped') or not ping:
        return 'warn', 'not pinged (%s)' % (ping.get('skipped') or 'no result')
    return _judge_ping(ping, peer_name, peer_ip, '(service network)', None,
                       'check the address, the routing and that ICMP echo is allowed; fencing and time peering '
                       'use this path')


def check_fencing(facts, settings, peer):
    """The fencing path, proved by a dry run of the peer's forced command where the mirror role has
    installed it (preflight_facts runs ``fence-peer --check``)."""
    peer_name = _peer_name(peer)
    if not settings.flag('hapair_fencing'):
        return 'warn', ('hapair_fencing is false: a Primary that loses the replication link cannot mark %s '
                        'Outdated, so a stale copy could be promoted without anyone being told' % peer_name)
    fencing = facts.get('fencing')
    if not isinstance(fencing, dict):
        return 'fail', 'the fencing path could not be probed on this node; see the errors of preflight_facts'
    if not fencing.get('handler'):
        return 'pass', ('not provisioned yet: provision.yml installs the fencing path and proves it works '
                        'before the first sync')
    if fencing.get('rc') == 0:
        return 'pass', fencing.get('output') or 'fence-peer --check succeeded'
    return 'fail', ('this node cannot fence %s: %s. A Primary that loses the replication link could not mark '
                    '%s Outdated. Check that %s answers SSH on its service address from this node (sshd, '
                    'firewall, root login by key), then run provision.yml again: it reinstalls the fencing keys'
                    % (peer_name, fencing.get('output') or 'fence-peer --check exit %s' % fencing.get('rc'),
                       peer_name, peer_name))


def check_time_sync(facts, settings, peer):
    sync = facts.get('time_sync') or {}
    services = sync.get('services')
    chrony = sync.get('chrony') or {}
    timedatectl = sync.get('timedatectl') or {}
    if services is None:
        return 'warn', ('which time daemon runs is unknown (%s)' % (sync.get('error') or 'systemctl not available'))
    running = [name for name, units in _TIME_DAEMONS if any(services.get(u) == 'active' for u in units)]
    if not running:
        return 'warn', ('no time sync daemon runs (chronyd, ntpd, systemd-timesyncd); the node role installs and '
                        'starts chrony, until then the clocks drift apart')
    if len(running) > 1:
        return 'warn', ('%s run at the same time and fight over the clock; keep one (the node role uses chrony)'
                        % ' and '.join(running))
    daemon = running[0]
    synced = chrony.get('synchronized') if daemon == 'chrony' and chrony else timedatectl.get('synchronized')
    if daemon == 'ntpd':
        return 'warn', ('ntpd runs; the node role installs and starts chrony as well, and two daemons fight over the '
                        'clock: stop and disable ntpd')
    if synced is None:
        return 'warn', '%s runs, but whether it is synchronised is unknown' % daemon
    if not synced:
        return 'warn', ('%s runs but is not synchronised (no reachable time source?): check hapair_time_servers '
                        'or the distribution\'s servers are reachable' % daemon)
    detail = '%s runs and is synchronised' % daemon
    if daemon == 'chrony' and chrony.get('offset_s') is not None:
        detail += ' (offset %.6f s, stratum %s)' % (chrony['offset_s'], chrony.get('stratum'))
    if daemon == 'systemd-timesyncd':
        detail += '; the node role replaces it with chrony'
    return 'pass', detail


def check_hostname(facts, settings, peer):
    names = facts.get('hostname') or {}
    nodename = names.get('nodename') or ''
    short = nodename.split('.')[0]
    inventory = settings.get('inventory_hostname') or ''
    if not nodename:
        return 'warn', 'the node did not report its name'
    peer_names = ((peer or {}).get('facts') or {}).get('hostname') or {}
    peer_node = peer_names.get('nodename') or ''
    peer_name = _peer_name(peer)
    if peer_node and peer_node == nodename:
        return 'fail', ('this node and %s are both called %s: DRBD tells the nodes apart by their names (uname -n); '
                        'give each its own (hostnamectl set-hostname NAME)' % (peer_name, nodename))
    if peer_node and peer_node.split('.')[0].lower() == short.lower() and settings.flag('hapair_manage_hosts'):
        return 'fail', ('this node and %s share the short name %s: the /etc/hosts block of the node role '
                        '(hapair_manage_hosts) would give one name two addresses; rename one (hostnamectl '
                        'set-hostname NAME)' % (peer_name, short))
    if short.lower() in ('localhost', 'localhost4', 'localhost6'):
        return 'warn', ('the node is called %s: give it a real name (hostnamectl set-hostname NAME); DRBD and '
                        '/etc/hosts use it' % nodename)
    if not inventory or is_ip(inventory) or inventory.lower() == nodename.lower() \
            or inventory.split('.')[0].lower() == short.lower():
        return 'pass', '%s%s' % (nodename, (' (inventory name %s)' % inventory) if inventory
                                 and inventory.lower() != nodename.lower() else '')
    return 'warn', ('the node calls itself %s, the inventory calls it %s: check that the inventory points at the '
                    'right machine (DRBD and /etc/hosts use %s)' % (nodename, inventory, nodename))


def check_peer_name(facts, settings, peer):
    if not settings.flag('hapair_manage_hosts'):
        return 'pass', 'hapair_manage_hosts is false: /etc/hosts is not managed, not checked'
    peer_name = _peer_name(peer)
    peer_facts = (peer or {}).get('facts')
    if peer is None:
        return 'warn', 'no peer in the group to check'
    if not peer_facts:
        return 'warn', 'not checked: the facts of %s are missing' % peer_name
    peer_settings = _peer_settings(peer)
    peer_short = (((peer_facts.get('hostname') or {}).get('nodename') or '').split('.')[0] or peer_name)
    expected = {}
    if ip_only(peer_settings.get('hapair_service_address')):
        expected[peer_short.lower()] = ip_only(peer_settings.get('hapair_service_address'))
    if ip_only(peer_settings.get('hapair_replication_address')):
        expected[(peer_short + '-replication').lower()] = ip_only(peer_settings.get('hapair_replication_address'))
    hosts = facts.get('etc_hosts')
    if hosts is None:
        return 'warn', '/etc/hosts could not be read'
    problems = []
    for entry in hosts:
        if entry.get('managed'):
            continue
        for name in entry.get('names') or []:
            want = expected.get(name.lower())
            if want and entry.get('address') != want:
                problems.append('/etc/hosts line %s maps %s to %s, the node role writes %s'
                                % (entry.get('line'), name, entry.get('address'), want))
    peer_addresses = set(a.get('address') for a in peer_facts.get('addresses') or [])
    peer_addresses.update(expected.values())
    for name, found in sorted(((facts.get('resolved') or {}).items())):
        if name.lower() not in (peer_name.lower(), peer_short.lower()) or is_ip(name) or not found:
            continue
        if not any(a in peer_addresses for a in found):
            problems.append('%s resolves to %s here, which is not an address of %s'
                            % (name, ', '.join(found), peer_name))
    if problems:
        return 'warn', ('%s: remove or correct those entries (the first match in /etc/hosts wins, so an older line '
                        'hides the hapair block)' % '; '.join(problems))
    names = ', '.join('%s %s' % (name, address) for name, address in sorted(expected.items()))
    return 'pass', 'the node role will name %s in /etc/hosts (%s); nothing here contradicts it' % (
        peer_name, names or 'no addresses')


_NODE_CHECK_FUNCS = (
    ('os_supported', check_os_supported),
    ('python', check_python),
    ('controller_ansible', check_controller_ansible),
    ('privilege', check_privilege),
    ('selinux', check_selinux),
    ('firewall', check_firewall),
    ('memory', check_memory),
    ('cpus', check_cpus),
    ('spare_disk', check_spare_disk),
    ('replication_nic', check_replication_nic),
    ('peer_replication', check_peer_replication),
    ('peer_service', check_peer_service),
    ('fencing', check_fencing),
    ('time_sync', check_time_sync),
    ('hostname', check_hostname),
    ('peer_name', check_peer_name),
)


def _line(check, status, detail):
    return {'check': check, 'status': status, 'detail': detail}


def evaluate_node(facts, settings, peer=None):
    """Check lines for one node, in NODE_CHECKS order.

    ``facts``: the ``preflight_facts`` the module gathered on the node. ``settings``: the node's
    inventory variables (``hapair_*``, ``inventory_hostname``) plus ``controller_ansible_version``;
    missing ones take DEFAULTS. ``peer``: ``{"name", "facts", "settings"}`` of the other node
    (``facts`` None when they could not be gathered), for the checks that look across.
    """
    facts = facts or {}
    values = _Settings(settings)
    lines = []
    for check, function in _NODE_CHECK_FUNCS:
        try:
            status, detail = function(facts, values, peer)
        except Exception as exc:  # pylint: disable=broad-except
            # a check that cannot run has not passed: fail closed, and say it is the check's fault
            status, detail = 'fail', ('could not be evaluated (%s: %s); a check that cannot run is not passed: '
                                      'look at the node\'s facts above, and report it as a bug of the preflight'
                                      % (type(exc).__name__, exc))
        lines.append(_line(check, status, detail))
    return lines


# ---------------------------------------------------------------------------------------
# pair checks
# ---------------------------------------------------------------------------------------

def clock_window(facts, controller_after):
    """(low, high) bounds of a node's clock offset to the controller, or None.

    The node read its clock at ``facts["time"]``, some real moment after the controller
    templated ``controller_time`` (passed to preflight_facts) and before the controller ran the
    preflight action (``controller_after``). However slowly the node answered, its offset lies
    in ``[time - after, time - before]``.
    """
    node_time = facts.get('time')
    before = facts.get('controller_time')
    if node_time is None or before is None or controller_after is None or before > controller_after:
        return None
    return (node_time - controller_after, node_time - before)


def check_clock(facts_by_node, settings_by_node, controller_after):
    nodes = sorted(facts_by_node)
    missing = [n for n in nodes if not facts_by_node[n] or facts_by_node[n].get('time') is None]
    if len(nodes) != 2 or missing:
        return 'warn', 'not measured: %s' % ('the facts of %s are missing' % ', '.join(missing) if missing
                                             else 'needs exactly two nodes')
    first, second = nodes
    values = _Settings(settings_by_node.get(first))
    warn_s = values.number('hapair_preflight_max_clock_offset_s')
    fail_s = values.number('hapair_preflight_fail_clock_offset_s')
    advice = ('start time sync on both (the node role configures chrony) or set the clock (chronyc makestep, or '
              'date -s)')
    win_a = clock_window(facts_by_node[first], controller_after)
    win_b = clock_window(facts_by_node[second], controller_after)
    if win_a is None or win_b is None:
        raw = facts_by_node[first]['time'] - facts_by_node[second]['time']
        rough = ('%s - %s = %+.1f s, measured roughly: pass controller_time to preflight_facts for a bounded '
                 'measurement' % (first, second, raw))
        if abs(raw) > fail_s:
            return 'fail', 'the clocks differ by about %.0f s (%s): %s' % (abs(raw), rough, advice)
        return 'pass', rough
    low = win_a[0] - win_b[1]
    high = win_a[1] - win_b[0]
    estimate = (low + high) / 2
    error = (high - low) / 2
    at_least = 0.0 if low <= 0 <= high else min(abs(low), abs(high))
    ahead, behind = (first, second) if estimate >= 0 else (second, first)
    measured = '%s is %.2f s ahead of %s (+/- %.2f s)' % (ahead, abs(estimate), behind, error)
    if at_least > fail_s:
        return 'fail', 'the clocks differ by at least %.1f s: %s; %s' % (at_least, measured, advice)
    if at_least > warn_s:
        return 'warn', ('the clocks differ by at least %.1f s, more than hapair_preflight_max_clock_offset_s %g s: '
                        '%s; %s' % (at_least, warn_s, measured, advice))
    if error > warn_s:
        return 'pass', ('%s; the gather took long, so offsets below %.1f s cannot be seen here (time_sync says '
                        'whether both are synchronised)' % (measured, error))
    return 'pass', measured


# ---------------------------------------------------------------------------------------
# the pair, and presenting it
# ---------------------------------------------------------------------------------------

def evaluate_pair(facts_by_node, settings, errors=None, controller_time=None):
    """All check lines of the pair.

    ``facts_by_node``: ``{node: preflight_facts or None}``; ``settings``: ``{node: settings}``
    (see evaluate_node); ``errors``: ``{node: why its facts are missing}``; ``controller_time``:
    the controller's clock when the facts were all in (the upper bound of the clock window).

    Returns ``{"nodes": {node: [lines]}, "pair": [lines], "summary": summarise(...)}``; a node
    without facts has the single line ``facts`` (fail, "could not gather facts: ...").
    """
    errors = dict(errors or {})
    names = sorted(set(facts_by_node) | set(errors) | set(settings))
    results = {'nodes': {}, 'pair': []}
    for node in names:
        facts = facts_by_node.get(node)
        if not facts:
            results['nodes'][node] = [_line(FACTS_CHECK, 'fail', 'could not gather facts: %s'
                                            % (errors.get(node) or 'no result'))]
            continue
        others = [n for n in names if n != node]
        peer = None
        if len(others) == 1:
            peer = {'name': others[0], 'facts': facts_by_node.get(others[0]) or None,
                    'settings': settings.get(others[0]) or {}}
        results['nodes'][node] = evaluate_node(facts, settings.get(node) or {}, peer=peer)
    try:
        status, detail = check_clock(dict((n, facts_by_node.get(n)) for n in names), settings, controller_time)
    except Exception as exc:  # pylint: disable=broad-except
        status, detail = 'warn', 'could not be evaluated (%s: %s)' % (type(exc).__name__, exc)
    results['pair'].append(_line('clock', status, detail))
    results['summary'] = summarise(results)
    return results


def _all_lines(results):
    for node in sorted(results.get('nodes') or {}):
        for line in results['nodes'][node]:
            yield node, line
    for line in results.get('pair') or []:
        yield 'pair', line


def summarise(results):
    """``{"pass": n, "warn": n, "fail": n, "total": n, "nodes": {node or "pair": counts}}``."""
    total = dict((status, 0) for status in STATUSES)
    per = {}
    for where, line in _all_lines(results):
        counts = per.setdefault(where, dict((status, 0) for status in STATUSES))
        counts[line['status']] += 1
        total[line['status']] += 1
    total['total'] = sum(total[s] for s in STATUSES)
    total['nodes'] = per
    return total


def problems(results, status='fail'):
    """``"node: check: detail"`` for every line with ``status`` (all nodes, then the pair)."""
    return ['%s: %s: %s' % (where, line['check'], line['detail'])
            for where, line in _all_lines(results) if line['status'] == status]


def _table(lines, indent='  '):
    rows = [('check', 'status', 'detail')] + [(l['check'], l['status'].upper(), l['detail']) for l in lines]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    return [('%s%s  %s  %s' % (indent, r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2])).rstrip() for r in rows]


def render_table(results):
    """Text for people: one table per node, then the pair's; one line per check."""
    out = []
    for node in sorted(results.get('nodes') or {}):
        lines = results['nodes'][node]
        counts = dict((s, sum(1 for l in lines if l['status'] == s)) for s in STATUSES)
        out.append('%s: %d pass, %d warn, %d fail' % (node, counts['pass'], counts['warn'], counts['fail']))
        out.extend(_table(lines))
        out.append('')
    if results.get('pair'):
        out.append('pair %s' % ' + '.join(sorted(results.get('nodes') or {})))
        out.extend(_table(results['pair']))
    return '\n'.join(out).rstrip('\n') + '\n'


def to_json(results):
    """The results as JSON text (sorted keys, one trailing newline)."""
    return json.dumps(results, indent=2, sort_keys=True) + '\n'
