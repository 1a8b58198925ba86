# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The node's half of a switchover: the settings make_secondary and make_primary share
    # (module_utils/handover.py HANDOVER_SPEC).
    DOCUMENTATION = r'''
options:
  resource:
    description: The DRBD resource (hapair_resource).
    type: str
    required: true
  mount_point:
    description: Where the mirror is mounted on the Primary (hapair_mount_point).
    type: path
    required: true
  filesystem:
    description: The mirror's filesystem type, for C(mount -t) (hapair_filesystem).
    type: str
    default: ext4
  mount_options:
    description: The options the mirror is mounted with, for C(mount -o) (hapair_mount_options).
    type: str
    default: ''
  services:
    description: The application's systemd units, in start order (hapair_services).
    type: list
    elements: str
    default: []
  service_ip:
    description: The floating address with its prefix length, like V(192.0.2.10/24) (hapair_service_ip). Empty for none.
    type: str
    default: ''
  service_interface:
    description: The NIC that carries O(service_ip) (hapair_service_interface). One of this or O(service_mac) with O(service_ip).
    type: str
  service_mac:
    description: The MAC address of the NIC that carries O(service_ip) (hapair_service_mac).
    type: str
  node:
    description: This node's name in messages (the inventory name); the host name when omitted.
    type: str
  wait:
    description: Seconds to wait after C(drbdadm primary) or C(drbdadm secondary) until the new role shows.
    type: int
    default: 10
  refusal_words:
    description:
      - How refusals and warnings name the overrides and the next step. V(module) names this module's options
        (C(force_stale_promotion=true)); V(playbook) names the playbooks' extra variables
        (C(-e hapair_force_stale_promotion=true)), as the failover role passes.
    type: str
    default: module
    choices: [module, playbook]
'''
