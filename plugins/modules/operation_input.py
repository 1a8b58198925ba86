#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: operation_input
short_description: Refuse an operator's wrong node name before any node is contacted
version_added: 0.4.0
description:
  - An action plugin, run on the controller only; it contacts no node. The operator playbooks run it first, so
    that an input that is wrong whatever state the pair is in is refused at once, before the operation lock is taken
    or a node is asked anything.
  - It refuses a node name that is not in the pair's group; for O(operation=promote) and O(operation=make_primary)
    a missing C(hapair_target); for O(operation=rejoin) C(hapair_node) and C(hapair_split_brain_victim) naming
    different nodes.
  - What depends on the pair's state (no single Primary, a peer still Primary, a copy that is not UpToDate) is judged
    later by the playbook, on the nodes' reports; so is a promotion's missing C(hapair_confirm_data_loss=yes), since
    the operator is first told what the target's copy holds, which is what they confirm.
options:
  operation:
    description:
      - The operator playbook's operation; it decides which names of O(nodes) it reads.
      - V(switchover) (failover.yml) reads C(hapair_target), optional.
      - V(promote) (promote.yml) and V(make_primary) (make_primary.yml) read C(hapair_target), required.
      - V(make_secondary) (make_secondary.yml) reads C(hapair_node), optional.
      - V(rejoin) (rejoin.yml) reads C(hapair_node) and C(hapair_split_brain_victim), optional.
      - V(restore) (restore.yml) reads C(hapair_restore_node), optional.
    type: str
    required: true
    choices: [switchover, promote, make_primary, make_secondary, rejoin, restore]
  nodes:
    description:
      - The C(-e) variables that name a node, by variable name, as the operator gave them; an empty string for one
        not given. The refusal names the variable.
    type: dict
    default: {}
  group:
    description: The inventory group of the pair.
    type: str
    default: hapair_cluster
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
attributes:
  action:
    support: full
    details: Runs on the controller only.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Changes nothing in any mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: hapair.cluster.operation_lock
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Refuse an unknown or missing target before any node is contacted
  hapair.cluster.operation_input:
    operation: promote
    nodes:
      hapair_target: "{{ hapair_target | default('') }}"
  run_once: true
'''

RETURN = r'''
refused:
  description: Whether the input was refused (then the task failed with the reason in C(msg), ending with "Nothing was changed.").
  returned: always
  type: bool
  sample: false
'''
