# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SELinux and firewalld on EL, as the node and mirror roles set them.

References:
- SELinux: the distribution's drbd module, fedora-selinux/selinux-policy policy/modules/contrib/drbd.te
  (c9s and rawhide), allows drbd_t "self:netlink_socket create_socket_perms" and no
  netlink_generic_socket; LINBIT/drbd-utils selinux/drbd.te (the drbd-selinux package LINBIT builds
  for RHEL >= 8, drbd.spec.in; ELRepo's drbd*-utils do not ship it) adds
  "allow drbd_t self:netlink_generic_socket create_socket_perms;" for drbdsetup's generic netlink
  socket. create_socket_perms is "{ create rw_socket_perms }", rw_socket_perms "{ ioctl read getattr
  lock write setattr append bind connect getopt setopt shutdown }" (policy/support/obj_perm_sets.spt).
  The policy has no DRBD port type, and DRBD's replication sockets are kernel sockets
  (sock_create_kern, then sock->ops->bind / ->connect in drbd_receiver.c of elrepo/packages
  drbd84-kmod), which the SELinux socket hooks never see: no port label is needed.
- firewalld: ansible.posix.firewalld's notes (a zone is created in the permanent configuration only;
  reload before using it at runtime); firewalld limits zone names to 17 characters.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import yaml

ROLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles')
CREATE_SOCKET_PERMS = {'create', 'ioctl', 'read', 'getattr', 'lock', 'write', 'setattr', 'append', 'bind',
                       'connect', 'getopt', 'setopt', 'shutdown'}
# What LINBIT's drbd.te grants drbd_t beyond selinux-policy's drbd.te that DRBD's tools need here.
ALLOWED_ADDITIONS = {('drbd_t', 'self', 'netlink_generic_socket'): CREATE_SOCKET_PERMS}


def read(*path):
    with open(os.path.join(ROLES, *path)) as f:
        return f.read()


def tasks(role, name='main.yml'):
    return yaml.safe_load(read(role, 'tasks', name))


def cil_statements(text):
    """Top-level CIL statements, comments (';' to the end of the line) removed."""
    text = re.sub(r';[^\n]*', '', text)
    statements, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == '(':
            if depth == 0:
                start = i
            depth += 1
        elif ch == ')':
            depth -= 1
            if depth == 0:
                statements.append(' '.join(text[start:i + 1].split()))
    return statements


ALLOW = re.compile(r'^\(allow (\S+) (\S+) \((\S+) \(([^()]*)\)\)\)$')


def beyond_least_privilege(text):
    """Every CIL statement that is not an allow rule within ALLOWED_ADDITIONS (a permissive domain,
    a port label, another class or domain, a permission more)."""
    wrong = []
    for statement in cil_statements(text):
        m = ALLOW.match(statement)
        if not m:
            wrong.append(statement)
            continue
        source, target, klass, perms = m.groups()
        allowed = ALLOWED_ADDITIONS.get((source, target, klass))
        if allowed is None or not set(perms.split()) <= allowed:
            wrong.append(statement)
    return wrong


def test_the_policy_module_adds_only_what_linbit_adds_for_generic_netlink():
    text = read('node', 'files', 'hapair_drbd.cil')
    assert len(cil_statements(text)) == 1
    assert beyond_least_privilege(text) == []


def test_negative_control_more_than_that_is_flagged():
    assert beyond_least_privilege('(typepermissive drbd_t)') == ['(typepermissive drbd_t)']
    assert beyond_least_privilege('(allow drbd_t self (netlink_generic_socket (create relabelto)))')
    assert beyond_least_privilege('(allow drbd_t port_type (tcp_socket (name_bind)))')
    assert beyond_least_privilege('(allow unconfined_t self (netlink_generic_socket (create)))')


def test_drbd_t_is_kept_enforcing_and_never_made_permissive():
    node = tasks('node')
    permissive = [t for t in node if 'community.general.selinux_permissive' in t]
    assert [t['community.general.selinux_permissive'] for t in permissive] == [{'name': 'drbd_t', 'permissive': False}]
    # no port label either: DRBD's sockets are the kernel's
    assert not [t for t in node if 'community.general.seport' in t]


def test_the_module_is_loaded_on_el8_and_el9_only():
    def modules(release):
        return yaml.safe_load(read('node', 'vars', release + '.yml'))['__hapair_selinux_modules']
    assert modules('RedHat-8') == modules('RedHat-9') == ['hapair_drbd']
    # EL7's kernel 3.10 files generic netlink under netlink_socket, which the distribution's drbd.te allows
    assert modules('RedHat-7') == modules('Debian-12') == []
    for name in modules('RedHat-9'):
        assert os.path.exists(os.path.join(ROLES, 'node', 'files', name + '.cil'))
    load = [t for t in tasks('node') if t.get('ansible.builtin.command', {}).get('argv', [None])[:2]
            == ['semodule', '--install']]
    assert len(load) == 1 and 'item.changed' in load[0]['when']


def firewalld_tasks():
    return [t['ansible.posix.firewalld'] for t in tasks('mirror', 'firewall_firewalld.yml')
            if 'ansible.posix.firewalld' in t]


def unbound_rules(firewalld):
    """The DRBD port rules that are not bound to the replication NIC's zone of our own, or that accept
    more than the peer's replication address."""
    zone_nics = [t for t in firewalld if t.get('interface') == '{{ hapair_replication_interface }}']
    zones = set(t.get('zone') for t in zone_nics)
    wrong = []
    for task in firewalld:
        rule = task.get('rich_rule') or ''
        if 'hapair_drbd_port' in rule or task.get('port'):
            if task.get('zone') is None or task.get('zone') not in zones:
                wrong.append(rule or task.get('port'))
            elif 'source address="{{ __hapair_peer_replication_ip }}"' not in rule:
                wrong.append(rule)
    return wrong


def test_the_drbd_port_is_opened_in_the_replication_nics_zone_to_the_peer_only():
    firewalld = firewalld_tasks()
    assert unbound_rules(firewalld) == []
    created = [t for t in firewalld if t.get('state') == 'present']
    assert [t['zone'] for t in created] == ['{{ hapair_firewalld_zone }}'] and created[0]['permanent'] is True
    zone = yaml.safe_load(read('mirror', 'defaults', 'main.yml'))['hapair_firewalld_zone']
    assert len(zone) <= 17
    # never installs, starts or enables firewalld
    text = read('mirror', 'tasks', 'firewall_firewalld.yml')
    assert 'systemd_service' not in text and 'ansible.builtin.service:' not in text
    assert 'ansible.builtin.package' not in text


def test_negative_control_the_old_zoneless_rule_is_flagged():
    old = [{'rich_rule': 'rule family="ipv4" source address="{{ __hapair_peer_replication_ip }}" '
                         'port port="{{ hapair_drbd_port }}" protocol="tcp" accept',
            'permanent': True, 'immediate': True, 'offline': True, 'state': 'enabled'}]
    assert len(unbound_rules(old)) == 1
    anyone = [{'zone': 'z', 'interface': '{{ hapair_replication_interface }}', 'state': 'enabled'},
              {'zone': 'z', 'rich_rule': 'rule port port="{{ hapair_drbd_port }}" protocol="tcp" accept'}]
    assert len(unbound_rules(anyone)) == 1
