#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: switchover
short_description: Each node's half of a switchover, both at once, in one task
version_added: 0.4.0
description:
  - An action plugin for the task that moves the Primary role (failover.yml). On O(old_primary) it runs
    M(hapair.cluster.make_secondary); on O(target) it runs M(hapair.cluster.make_primary) with O(timeout) as its
    C(wait_for_peer); any other host is skipped.
  - Both run in the same task, so at the same time. The target judges itself, then polls DRBD and promotes the
    moment the old Primary is Secondary - the service gap is the two halves' own work, not the hand-over between two
    tasks. No C(async) is involved, so it works with any connection and strategy plugin.
  - Run M(hapair.cluster.make_secondary) in check mode on O(old_primary) first, as failover.yml does, so that what
    would refuse the demotion (a process holding the mirror) refuses it before the target starts waiting.
  - The result is the module's own (RV(hapair.cluster.make_secondary#module:steps) and so on) with RV(half).
options:
  old_primary:
    description: The inventory name of the node that is Primary now.
    type: str
    required: true
  target:
    description: The inventory name of the node to make Primary.
    type: str
    required: true
  timeout:
    description: How long, in seconds, the target waits for the old Primary's half (the application's stop included).
    type: int
    default: 120
  backup_units:
    description: Passed to M(hapair.cluster.make_secondary) on O(old_primary).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
  - hapair.cluster.handover
attributes:
  action:
    support: full
    details: Chooses the module by the host it runs for; the module runs on the node.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Each half is judged as in a real run; the target, whose peer is still Primary in check mode, is refused.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: hapair.cluster.make_secondary
  - module: hapair.cluster.make_primary
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Switch over from node1 to node2, both halves at once
  hapair.cluster.switchover:
    old_primary: node1
    target: node2
    resource: r0
    mount_point: /srv/hapair
    services: [greenarrow.service]
    service_ip: 192.0.2.10/24
    service_interface: ens4
'''

RETURN = r'''
half:
  description: V(secondary) on the old Primary, V(primary) on the target.
  returned: unless skipped
  type: str
  sample: primary
'''
