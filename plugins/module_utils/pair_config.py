# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validate that an inventory describes one valid hapair pair.

Pure functions, no Ansible objects: the ``hapair.cluster.pair_check`` action
plugin feeds them plain dictionaries on the controller, unit tests feed them
literals.  Every problem found is collected, so one run lists them all; each
message names the host and the variable, says what is wrong and what to do.
The shared secret's value never appears in a message or in the result.

Kept Python 2.7/3.6-safe (no f-strings, no annotations) like the rest of the
collection's module_utils.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import numbers
import posixpath
import re

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_options import ALLOW_VAR, check_drbd_options

try:
    import netaddr
except ImportError:  # pragma: no cover - exercised only without netaddr
    netaddr = None

NETADDR_REQUIRED = "netaddr is required on the controller: pip install netaddr"

DEFAULT_GROUP = "hapair_cluster"
DEFAULT_MTU = 9000
MTU_MIN = 576
MTU_MAX = 9216
DEFAULT_RESOURCE = "r0"
DEFAULT_PORT = 7788
# The fence-peer handler's timeouts, in seconds: (variable, lowest, highest, what it is).
FENCING_TIMEOUTS = (
    ("hapair_fencing_connect_timeout", 1, 120,
     u"one attempt of the fence-peer handler to reach the peer's SSH server; 10 by default: too short, and a "
     u"loaded peer that is alive counts as unreachable"),
    ("hapair_fencing_freeze_timeout", 1, 3600,
     u"how long, under hapair_fencing_policy=freeze, the handler keeps trying before writes stay suspended; "
     u"60 by default"),
)
PORT_MIN = 1024
PORT_MAX = 65535
SECRET_MAX = 64  # DRBD's SHARED_SECRET_MAX
SPARE_MODES = ("whole_disk", "free_space")
DEFAULT_SPARE_MODE = "whole_disk"

# Letters, digits, '_' and '-': safe in drbd.conf, in /etc/drbd.d/<name>.res
# and in systemd instance names (drbd@<name>.service).
RESOURCE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$")
# Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', no blanks.
DEVICE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$")
# Partition device nodes, by kernel name or by stable link.
PARTITION_RES = (
    re.compile(r"^/dev/disk/by-[a-z]+/.+-part[0-9]+$"),
    re.compile(r"^/dev/(?:[shv]d|xvd)[a-z]+[0-9]+$"),
    re.compile(r"^/dev/(?:nvme[0-9]+n[0-9]+|mmcblk[0-9]+|loop[0-9]+)p[0-9]+$"),
)
# Kernel disk names that may change between boots.
KERNEL_NAME_RE = re.compile(r"^/dev/(?:[shv]d[a-z]+|xvd[a-z]+|nvme[0-9]+n[0-9]+|mmcblk[0-9]+)$")

EM_DASH = u"\u2014"

HOST_VARS = (
    "hapair_replication_address",
    "hapair_replication_mac",
    "hapair_replication_device",
    "hapair_replication_mtu",
    "hapair_spare_disk",
    "hapair_spare_mode",
    "hapair_service_address",
    "hapair_service_mac",
)
GROUP_VARS = (
    "hapair_shared_secret",
    "hapair_initial_primary",
    "hapair_resource",
    "hapair_drbd_port",
    "hapair_service_ip",
)
KNOWN_VARS = HOST_VARS + GROUP_VARS

_STRING_TYPES = (type(""), type(u""))


class NetaddrMissingError(RuntimeError):
    """Raised when the controller lacks the netaddr library."""


def _is_str(value):
    return isinstance(value, _STRING_TYPES)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _quote(value):
    """Show a user-supplied value in a message, quoted and shortened."""
    text = u"%s" % (value,)
    if len(text) > 60:
        text = text[:57] + u"..."
    return u"'%s'" % text


def _join_or(items):
    items = list(items)
    if len(items) <= 1:
        return u"".join(items)
    return u"%s or %s" % (u", ".join(items[:-1]), items[-1])


def _overlaps(net_a, net_b):
    if net_a.version != net_b.version:
        return False
    return net_a.first <= net_b.last and net_b.first <= net_a.last


def _usable_range(net):
    """First and last host address of a subnet, as text."""
    if net.version == 4 and net.prefixlen < 31:
        return u"%s" % netaddr.IPAddress(net.first + 1), u"%s" % netaddr.IPAddress(net.last - 1)
    if net.version == 6 and net.prefixlen < 127:
        return u"%s" % netaddr.IPAddress(net.first + 1, 6), u"%s" % netaddr.IPAddress(net.last, 6)
    return u"%s" % netaddr.IPAddress(net.first, net.version), u"%s" % netaddr.IPAddress(net.last, net.version)


class _Report(object):
    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, msg):
        if msg not in self.errors:
            self.errors.append(msg)

    def warn(self, msg):
        if msg not in self.warnings:
            self.warnings.append(msg)


def _typo_hint(name, present):
    """' (found hapair_x - a typo?)' when a present unknown variable resembles name."""
    unknown = [k for k in present if k not in KNOWN_VARS and _is_str(k) and k.startswith("hapair_")]
    close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.8)
    if close:
        return u" (found %s, which is not a hapair variable %s a typo?)" % (close[0], EM_DASH)
    return u""


def parse_cidr(value, where, var, report, example):
    """Parse 'address/prefix'.  Returns a netaddr.IPNetwork or None (error reported)."""
    if value is None or (_is_str(value) and not value.strip()):
        return None
    if not _is_str(value):
        report.error(u"%s: %s must be text like %s, got %s %s; write it as address/prefix"
                     % (where, var, example, type(value).__name__, _quote(value)))
        return None
    text = value.strip()
    if "/" not in text:
        report.error(u"%s: %s %s has no prefix length; write it as address/prefix, e.g. %s"
                     % (where, var, _quote(value), example))
        return None
    addr_text, prefix_text = text.split("/", 1)
    try:
        addr = netaddr.IPAddress(addr_text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        report.error(u"%s: %s %s is not a valid IP address with prefix; use CIDR notation, e.g. %s"
                     % (where, var, _quote(value), example))
        return None
    max_prefix = 32 if addr.version == 4 else 128
    if not prefix_text.isdigit() or int(prefix_text) > max_prefix:
        report.error(u"%s: %s %s has an invalid prefix length %s; use a number from 0 to %d, e.g. %s"
                     % (where, var, _quote(value), _quote(prefix_text), max_prefix, example))
        return None
    return netaddr.IPNetwork(u"%s/%d" % (addr, int(prefix_text)))


def check_host_address(net, where, var, report):
    """Refuse addresses a NIC cannot usefully carry in its own subnet."""
    ip = net.ip
    text = u"%s/%d" % (ip, net.prefixlen)
    kind = None
    if ip.is_loopback():
        kind = u"a loopback address"
    elif ip.is_multicast():
        kind = u"a multicast address"
    elif ip.is_link_local():
        kind = u"a link-local address"
    elif ip.version == 4 and (ip.words[0] == 0 or ip.words[0] >= 240):
        kind = u"a reserved address (0.0.0.0/8 or 240.0.0.0/4)"
    elif ip.version == 6 and int(ip) == 0:
        kind = u"the unspecified address"
    if kind:
        report.error(u"%s: %s %s is %s; use a private unicast address such as 10.77.0.1/24"
                     % (where, var, text, kind))
        return False
    if net.version == 4 and net.prefixlen == 32:
        report.error(u"%s: %s %s has prefix /32, so the peer cannot be in the same subnet; "
                     u"use the link's real prefix, e.g. /24 or /30" % (where, var, text))
        return False
    first, last = _usable_range(net)
    if net.prefixlen < (31 if net.version == 4 else 127):
        if ip == net.network:
            report.error(u"%s: %s %s is the network address of %s; pick a host address from %s to %s"
                         % (where, var, text, net.cidr, first, last))
            return False
        if net.version == 4 and ip == net.broadcast:
            report.error(u"%s: %s %s is the broadcast address of %s; pick a host address from %s to %s"
                         % (where, var, text, net.cidr, first, last))
            return False
    return True


def parse_mac(value, where, var, report):
    """Parse a 48-bit MAC.  Returns the normalised text (52:54:00:d0:00:01) or None."""
    if value is None or (_is_str(value) and not value.strip()):
        return None
    if _is_int(value):
        report.error(u"%s: %s was read as the number %s (YAML reads an unquoted MAC made only of "
                     u"digits as a base-60 number); quote it, e.g. %s: \"52:54:00:12:34:56\""
                     % (where, var, value, var))
        return None
    if not _is_str(value):
        report.error(u"%s: %s must be a MAC address like 52:54:00:d0:00:01, got %s %s"
                     % (where, var, type(value).__name__, _quote(value)))
        return None
    try:
        eui = netaddr.EUI(value.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        eui = None
    if eui is None or eui.version != 48:
        report.error(u"%s: %s %s is not a valid MAC address; use six hex pairs like 52:54:00:d0:00:01 "
                     u"(see 'ip link' on the node)" % (where, var, _quote(value)))
        return None
    if eui.words[0] & 1:
        report.error(u"%s: %s %s is a multicast MAC, which no NIC carries; copy the NIC's own "
                     u"address from 'ip link' on the node" % (where, var, _quote(value)))
        return None
    return eui.format(netaddr.mac_unix_expanded)


def parse_int(value, where, var, report, low, high, advice):
    """Parse an integer in [low, high] from an int or a digit string."""
    number = None
    if _is_int(value):
        number = int(value)
    elif _is_str(value) and value.strip().isdigit():
        number = int(value.strip())
    if number is None:
        report.error(u"%s: %s %s is not a whole number; use a value between %d and %d (%s)"
                     % (where, var, _quote(value), low, high, advice))
        return None
    if number < low or number > high:
        report.error(u"%s: %s %d is out of range; use a value between %d and %d (%s)"
                     % (where, var, number, low, high, advice))
        return None
    return number


def _check_spare_disk(host, hv, report):
    var = "hapair_spare_disk"
    disk = hv.get(var)
    node = {}
    if disk is None or (_is_str(disk) and not disk.strip()):
        report.error(u"%s: %s is not set; name the disk to mirror by a stable path, e.g. "
                     u"/dev/disk/by-id/<id> (see 'ls -l /dev/disk/by-id' on the node)%s"
                     % (host, var, _typo_hint(var, hv)))
    elif not _is_str(disk) or not disk.startswith("/dev/") or disk.rstrip("/") == "/dev" \
            or posixpath.normpath(disk) != disk or "\n" in disk:
        report.error(u"%s: %s %s is not a device path under /dev; give the absolute path of the disk, "
                     u"e.g. /dev/disk/by-id/<id> (see 'ls -l /dev/disk/by-id' on the node)"
                     % (host, var, _quote(disk)))
    elif any(r.match(disk) for r in PARTITION_RES):
        report.error(u"%s: %s %s names a partition; give the whole disk it is on (the collection "
                     u"creates and sizes the partition itself)" % (host, var, _quote(disk)))
    else:
        node["spare_disk"] = disk
        if KERNEL_NAME_RE.match(disk):
            report.warn(u"%s: %s %s is a kernel name, which can change between boots; prefer the "
                        u"disk's /dev/disk/by-id/ path" % (host, var, disk))

    mode = hv.get("hapair_spare_mode")
    if mode is None:
        mode = DEFAULT_SPARE_MODE
    if mode not in SPARE_MODES:
        report.error(u"%s: hapair_spare_mode %s is not one of %s; use whole_disk (the entire disk "
                     u"becomes the mirror) or free_space (only the disk's unallocated space is used)"
                     % (host, _quote(mode), u", ".join(SPARE_MODES)))
    else:
        node["spare_mode"] = mode
    return node


def _check_node(host, hv, report):
    """Per-host checks.  Returns (node dict for the result, private parsed values)."""
    node = {}
    parsed = {"replication": None, "service": None, "mtu": None}

    var = "hapair_replication_address"
    value = hv.get(var)
    if value is None or (_is_str(value) and not value.strip()):
        report.error(u"%s: %s is not set; give this node's replication link address with its prefix, "
                     u"e.g. 10.77.0.1/24%s" % (host, var, _typo_hint(var, hv)))
    else:
        net = parse_cidr(value, host, var, report, "10.77.0.1/24")
        if net is not None and check_host_address(net, host, var, report):
            parsed["replication"] = net
            node["replication_address"] = u"%s/%d" % (net.ip, net.prefixlen)
            node["replication_ip"] = u"%s" % net.ip
            node["replication_prefix"] = net.prefixlen
            node["replication_network"] = u"%s" % net.cidr

    mac_set = hv.get("hapair_replication_mac") not in (None, "")
    dev_set = hv.get("hapair_replication_device") not in (None, "")
    if mac_set and dev_set:
        report.error(u"%s: both hapair_replication_mac and hapair_replication_device are set; set "
                     u"exactly one of them (the MAC is safer: interface names can change)" % host)
    elif not mac_set and not dev_set:
        hint = _typo_hint("hapair_replication_mac", hv) or _typo_hint("hapair_replication_device", hv)
        report.error(u"%s: neither hapair_replication_mac nor hapair_replication_device is set; set one "
                     u"to name the replication NIC, e.g. hapair_replication_mac: \"52:54:00:d0:00:01\" "
                     u"(see 'ip link' on the node)%s" % (host, hint))
    if mac_set:
        mac = parse_mac(hv.get("hapair_replication_mac"), host, "hapair_replication_mac", report)
        if mac:
            node["replication_mac"] = mac
    if dev_set and not mac_set:
        dev = hv.get("hapair_replication_device")
        if not _is_str(dev) or not DEVICE_RE.match(dev):
            report.error(u"%s: hapair_replication_device %s is not a valid interface name; use the name "
                         u"'ip link' shows on the node (at most 15 letters, digits, '.', '_' or '-'), "
                         u"e.g. eth1" % (host, _quote(dev)))
        else:
            node["replication_device"] = dev

    mtu = hv.get("hapair_replication_mtu")
    if mtu is None:
        mtu = DEFAULT_MTU
    mtu = parse_int(mtu, host, "hapair_replication_mtu", report, MTU_MIN, MTU_MAX,
                    u"9000 for jumbo frames, 1500 for standard Ethernet")
    if mtu is not None:
        node["replication_mtu"] = mtu
        parsed["mtu"] = mtu

    node.update(_check_spare_disk(host, hv, report))

    var = "hapair_service_address"
    value = hv.get(var)
    if value not in (None, ""):
        net = parse_cidr(value, host, var, report, "172.30.0.11/24")
        if net is not None and check_host_address(net, host, var, report):
            parsed["service"] = net
            node["service_address"] = u"%s/%d" % (net.ip, net.prefixlen)
            node["service_network"] = u"%s" % net.cidr
    value = hv.get("hapair_service_mac")
    if value not in (None, ""):
        mac = parse_mac(value, host, "hapair_service_mac", report)
        if mac:
            node["service_mac"] = mac
            if mac == node.get("replication_mac"):
                report.error(u"%s: hapair_service_mac and hapair_replication_mac are both %s; the "
                             u"replication link needs its own NIC %s set each to its NIC's MAC"
                             % (host, mac, EM_DASH))

    rep, svc = parsed["replication"], parsed["service"]
    if rep is not None and svc is not None and _overlaps(rep.cidr, svc.cidr):
        report.error(u"%s: the replication subnet %s (hapair_replication_address) overlaps the service "
                     u"network %s (hapair_service_address); give the replication link its own subnet, "
                     u"e.g. 10.77.0.0/24" % (host, rep.cidr, svc.cidr))
    return node, parsed


def _check_other_networks(host, parsed, networks, report):
    """The replication subnet must not overlap other networks configured on the node.

    networks: list of 'address/prefix' strings, or of mappings
    {"network": 'address/prefix', "interface": name} (the name is shown).
    """
    rep = parsed["replication"]
    if rep is None or networks is None:
        return
    if _is_str(networks) or hasattr(networks, "get"):
        networks = [networks]
    for entry in networks:
        where = u"another interface"
        if hasattr(entry, "get"):
            if entry.get("interface"):
                where = u"interface %s" % entry.get("interface")
            entry = entry.get("network")
        if not _is_str(entry) or "/" not in entry:
            report.warn(u"%s: ignored interface network %s (not address/prefix text)" % (host, _quote(entry)))
            continue
        try:
            other = netaddr.IPNetwork(entry.strip())
        except (netaddr.AddrFormatError, ValueError, TypeError):
            report.warn(u"%s: ignored interface network %s (not address/prefix text)" % (host, _quote(entry)))
            continue
        if other.version != rep.version:
            continue
        # The replication address itself (re-run after provisioning) and the
        # service address (checked on its own) are not "other" networks.
        if other.ip == rep.ip:
            continue
        svc = parsed["service"]
        if svc is not None and other.ip == svc.ip:
            continue
        if _overlaps(rep.cidr, other.cidr):
            report.error(u"%s: the replication subnet %s (hapair_replication_address) overlaps %s, which is "
                         u"already configured on %s of the node; pick a replication subnet used nowhere "
                         u"else on the node" % (host, rep.cidr, entry.strip(), where))


def _group_value(hosts, hostvars, var, report, secret=False):
    """A group-level variable must have the same value on every host."""
    values = [(h, hostvars.get(h, {}).get(var)) for h in hosts]
    have = [(h, v) for h, v in values if v is not None]
    if not have:
        return None
    missing = [h for h, v in values if v is None]
    if missing:
        report.error(u"%s is set for %s but not for %s; set it once for the whole group (group_vars)"
                     % (var, u", ".join(h for h, v in have), u", ".join(missing)))
        return have[0][1]
    first = have[0][1]
    if any(v != first for h, v in have[1:]):
        if secret:
            shown = u" and ".join(h for h, v in have)
            report.error(u"%s differs between %s; set it once for the whole group (group_vars)"
                         % (var, shown))
        else:
            shown = u", ".join(u"%s %s" % (h, _quote(v)) for h, v in have)
            report.error(u"%s differs between the hosts (%s); set it once for the whole group (group_vars)"
                         % (var, shown))
    return first


def _check_secret(value, report):
    var = "hapair_shared_secret"
    if value is None or (_is_str(value) and value == ""):
        report.error(u"%s is not set; set it for the group (group_vars, ideally from Ansible Vault) "
                     u"to 1 to %d printable characters" % (var, SECRET_MAX))
        return False
    if not _is_str(value):
        report.error(u"%s was read as a %s, not text (YAML turns unquoted digits into numbers); "
                     u"quote the value" % (var, type(value).__name__))
        return False
    length = len(value.encode("utf-8")) if isinstance(value, type(u"")) else len(value)
    ok = True
    if length > SECRET_MAX:
        report.error(u"%s is %d characters long; DRBD accepts at most %d %s shorten it"
                     % (var, length, SECRET_MAX, EM_DASH))
        ok = False
    if any(c in value for c in u"\"\\") or any(ord(c) < 32 or ord(c) > 126 for c in value):
        report.error(u"%s contains a quote, backslash, control or non-ASCII character that drbd.conf "
                     u"cannot carry; use printable ASCII without \" and \\" % var)
        ok = False
    return ok


class NotAPair(ValueError):
    """The nodes given are not the two nodes of one pair, or the node is not one of them."""


def peer(nodes, node, group=DEFAULT_GROUP):
    """The other node of the pair: the one place the collection picks "the other node" (the
    playbooks and roles through the filter hapair.cluster.peer_of). An empty ``node`` has no peer
    (''). Raises NotAPair, with what to fix, unless ``nodes`` are two and ``node`` one of them."""
    nodes = [str(n) for n in (nodes or [])]
    if not node:
        return ''
    if len(nodes) != 2 or nodes[0] == nodes[1]:
        raise NotAPair('group %s must hold exactly the two nodes of the pair; it holds %d (%s): fix the inventory'
                       % (group, len(nodes), ', '.join(nodes) or 'none'))
    if node not in nodes:
        raise NotAPair('%s is not one of the pair (%s, group %s)' % (node, ', '.join(nodes), group))
    return nodes[1 - nodes.index(node)]


def left_out_refusal(group_hosts, play_hosts, group=DEFAULT_GROUP, why=u"changed with both nodes at once"):
    """Why a run that leaves out a node of the group (ansible-playbook --limit) must stop, or u''."""
    left_out = [h for h in group_hosts or [] if h not in (play_hosts or [])]
    if not left_out:
        return u""
    return (u"this run leaves out %s of group %s (ansible-playbook --limit?); the pair is %s; run it without "
            u"--limit, or with --limit %s" % (u" and ".join(left_out), group, why, group))


def check_pair(group_hosts, hostvars, facts=None, group=DEFAULT_GROUP, play_hosts=None):
    """Check that group_hosts/hostvars describe one valid pair.

    group_hosts: host names in the group, in inventory order.
    hostvars: host -> mapping of that host's (templated, plain) variables.
    facts: optional host -> list of 'address/prefix' strings (or mappings
        {"network": ..., "interface": ...}) configured on the node's other
        interfaces; None skips the overlap check against them.
    play_hosts: optional, the hosts the running play covers (ansible_play_hosts_all):
        a run that leaves out a node of the group (--limit) is refused, since the
        pair's roles render and judge both nodes at once. None skips the check.
    Returns {"errors": [...], "warnings": [...], "pair": {...}}; the pair
    holds whatever could be normalised (complete only when errors is empty).
    Raises NetaddrMissingError when netaddr is not importable.
    """
    if netaddr is None:
        raise NetaddrMissingError(NETADDR_REQUIRED)
    report = _Report()
    hosts = list(group_hosts or [])
    hostvars = hostvars or {}

    if len(hosts) != 2:
        if not hosts:
            report.error(u"group %s has no hosts; put exactly two hosts in it (the two nodes of the pair)"
                         % group)
        else:
            report.error(u"group %s has %d host%s (%s); a pair needs exactly two %s put exactly the two "
                         u"nodes in this group" % (group, len(hosts), u"" if len(hosts) == 1 else u"s",
                                                   u", ".join(hosts), EM_DASH))

    if play_hosts is not None:
        left_out = left_out_refusal(hosts, play_hosts, group, u"provisioned and checked with both nodes at once "
                                                              u"(each renders the other's addresses)")
        if left_out:
            report.error(left_out)

    nodes, parsed = {}, {}
    for host in hosts:
        hv = hostvars.get(host) or {}
        nodes[host], parsed[host] = _check_node(host, hv, report)
        if facts is not None:
            _check_other_networks(host, parsed[host], facts.get(host), report)

    pair = {"group": group, "hosts": hosts, "nodes": nodes}

    # Group-level variables.
    if hosts:
        secret = _group_value(hosts, hostvars, "hapair_shared_secret", report, secret=True)
        pair["shared_secret_set"] = _check_secret(secret, report)

        primary = _group_value(hosts, hostvars, "hapair_initial_primary", report)
        if primary is None or primary == "":
            report.error(u"hapair_initial_primary is not set; set it to %s (its disk is the source of the "
                         u"first full sync; the other node's spare disk is overwritten)" % _join_or(hosts))
        elif primary not in hosts:
            report.error(u"hapair_initial_primary %s is not in group %s; set it to %s"
                         % (_quote(primary), group, _join_or(hosts)))
        else:
            pair["initial_primary"] = primary
            if len(hosts) == 2:
                pair["initial_secondary"] = [h for h in hosts if h != primary][0]

        resource = _group_value(hosts, hostvars, "hapair_resource", report)
        if resource is None:
            resource = DEFAULT_RESOURCE
        if not _is_str(resource) or not RESOURCE_RE.match(resource):
            report.error(u"hapair_resource %s is not a usable DRBD resource name; use at most 32 letters, "
                         u"digits, '_' or '-', e.g. r0" % _quote(resource))
        else:
            pair["resource"] = resource

        port = _group_value(hosts, hostvars, "hapair_drbd_port", report)
        if port is None:
            port = DEFAULT_PORT
        port = parse_int(port, u"group %s" % group, "hapair_drbd_port", report, PORT_MIN, PORT_MAX,
                         u"DRBD uses 7788-7799 by convention; open the same port in the firewall")
        if port is not None:
            pair["drbd_port"] = port

        # Only what the inventory sets (the mirror role's defaults are in range).
        for var, low, high, advice in FENCING_TIMEOUTS:
            value = _group_value(hosts, hostvars, var, report)
            if value is not None:
                parse_int(value, u"group %s" % group, var, report, low, high, advice)

        # Only what the inventory sets: the mirror role's defaults are safe, and it checks again.
        options = check_drbd_options(_group_value(hosts, hostvars, "hapair_drbd_net_options", report),
                                     _group_value(hosts, hostvars, "hapair_drbd_disk_options", report),
                                     _group_value(hosts, hostvars, ALLOW_VAR, report))
        for problem in options["errors"]:
            report.error(problem)

    if len(hosts) == 2:
        _check_pair_links(hosts, nodes, parsed, report, pair)
    if hosts:
        _check_service_ip(hosts, hostvars, nodes, parsed, report, pair)

    return {"errors": list(report.errors), "warnings": list(report.warnings), "pair": pair}


def _check_pair_links(hosts, nodes, parsed, report, pair):
    a, b = hosts
    ra, rb = parsed[a]["replication"], parsed[b]["replication"]
    if ra is not None and rb is not None:
        if ra.ip == rb.ip:
            report.error(u"hapair_replication_address is %s on both %s and %s; give each node its own "
                         u"address in the replication subnet, e.g. %s and %s"
                         % (nodes[a]["replication_address"], a, b,
                            nodes[a]["replication_address"], _suggest_peer(ra)))
        elif ra.cidr != rb.cidr:
            report.error(u"hapair_replication_address: %s %s is in %s but %s %s is in %s; both ends of the "
                         u"replication link must be in the same subnet with the same prefix length"
                         % (a, nodes[a]["replication_address"], ra.cidr,
                            b, nodes[b]["replication_address"], rb.cidr))
        else:
            pair["replication_network"] = u"%s" % ra.cidr

    ma, mb = nodes[a].get("replication_mac"), nodes[b].get("replication_mac")
    if ma and mb and ma == mb:
        report.error(u"hapair_replication_mac %s is the same on %s and %s; each node's NIC has its own MAC "
                     u"%s copy it from 'ip link' on each node" % (ma, a, b, EM_DASH))
    sa, sb = nodes[a].get("service_mac"), nodes[b].get("service_mac")
    if sa and sb and sa == sb:
        report.error(u"hapair_service_mac %s is the same on %s and %s; each node's NIC has its own MAC "
                     u"%s copy it from 'ip link' on each node" % (sa, a, b, EM_DASH))
    for x, y in ((a, b), (b, a)):
        mx, sy = nodes[x].get("replication_mac"), nodes[y].get("service_mac")
        if mx and sy and mx == sy:
            report.error(u"hapair_replication_mac of %s and hapair_service_mac of %s are both %s; "
                         u"copy each NIC's own MAC from 'ip link' on its node" % (x, y, mx))

    ta, tb = parsed[a]["mtu"], parsed[b]["mtu"]
    if ta is not None and tb is not None:
        if ta != tb:
            report.error(u"MTU mismatch: %s %d, %s %d %s DRBD would stall on large writes; set "
                         u"hapair_replication_mtu to the same value for both" % (a, ta, b, tb, EM_DASH))
        else:
            pair["replication_mtu"] = ta

    va, vb = parsed[a]["service"], parsed[b]["service"]
    if va is not None and vb is not None:
        if va.ip == vb.ip:
            report.error(u"hapair_service_address is %s on both %s and %s; give each node its own "
                         u"service address" % (nodes[a]["service_address"], a, b))
        elif va.cidr != vb.cidr:
            report.warn(u"hapair_service_address: %s is in %s but %s is in %s; the floating service IP "
                        u"can only follow the primary if both nodes share the service network"
                        % (a, va.cidr, b, vb.cidr))
        for x, y in ((a, b), (b, a)):
            rx, vy = parsed[x]["replication"], parsed[y]["service"]
            if rx is not None and vy is not None and _overlaps(rx.cidr, vy.cidr) \
                    and not _overlaps(rx.cidr, parsed[x]["service"].cidr):
                report.error(u"%s: the replication subnet %s overlaps %s's service network %s; give the "
                             u"replication link a subnet of its own" % (x, rx.cidr, y, vy.cidr))


def _suggest_peer(net):
    """Another host address in the same subnet, for messages."""
    first = net.first + (1 if net.prefixlen < (31 if net.version == 4 else 127) else 0)
    last = net.last - (1 if net.version == 4 and net.prefixlen < 31 else 0)
    for candidate in range(first, last + 1):
        if candidate != int(net.ip):
            return u"%s/%d" % (netaddr.IPAddress(candidate, net.version), net.prefixlen)
    return u"another address"


def _check_service_ip(hosts, hostvars, nodes, parsed, report, pair):
    value = _group_value(hosts, hostvars, "hapair_service_ip", report)
    pair["service_ip"] = None
    if value in (None, ""):
        return
    net = parse_cidr(value, u"group %s" % pair["group"], "hapair_service_ip", report, "172.30.0.10/24")
    if net is None or not check_host_address(net, u"group %s" % pair["group"], "hapair_service_ip", report):
        return
    text = u"%s/%d" % (net.ip, net.prefixlen)
    ok = True
    for host in hosts:
        svc = parsed[host]["service"]
        rep = parsed[host]["replication"]
        if svc is not None:
            if net.ip == svc.ip:
                report.error(u"hapair_service_ip %s is %s's own hapair_service_address; the floating "
                             u"service IP must be a third, unused address in %s" % (text, host, svc.cidr))
                ok = False
            elif net.ip not in svc.cidr:
                report.error(u"hapair_service_ip %s is outside %s's service network %s "
                             u"(hapair_service_address %s); pick a free address inside %s"
                             % (text, host, svc.cidr, nodes[host]["service_address"], svc.cidr))
                ok = False
            elif net.prefixlen != svc.prefixlen:
                report.warn(u"hapair_service_ip %s has prefix /%d but %s's service network is %s; use /%d "
                            u"so the floating IP gets the same route" % (text, net.prefixlen, host,
                                                                         svc.cidr, svc.prefixlen))
        if rep is not None and (_overlaps(net.cidr, rep.cidr) or net.ip in rep.cidr):
            report.error(u"hapair_service_ip %s lies in %s's replication subnet %s; the floating IP "
                         u"belongs on the service network" % (text, host, rep.cidr))
            ok = False
    if all(parsed[h]["service"] is None for h in hosts):
        report.warn(u"hapair_service_ip is set but no node has hapair_service_address; cannot check that "
                    u"the floating IP is inside the service network")
    if ok:
        pair["service_ip"] = text
