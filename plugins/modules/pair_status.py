# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: pair_status
short_description: Judge the pair from both nodes' reports
version_added: 0.1.0
description:
  - Runs on the controller only (an action plugin); nothing is sent to the nodes.
  - Takes the per-node reports collected by C(playbooks/status.yml) and returns the pair's verdict
    (V(healthy), V(degraded), V(split-brain), V(no-primary), V(two-primaries) or V(unknown)), the
    reasons, which node is Primary, and a table for people.
options:
  reports:
    description:
      - One entry per node of the pair; null for a node that could not be queried.
      - Each report has C(reachable), C(resource) (the M(hapair.cluster.drbd_info) state of the
        resource), C(split_brain), C(mounted), C(services_running) and C(service_ip).
    type: dict
    required: true
  json_path:
    description: Also write the result as JSON to this file on the controller.
    type: path
  switchover_to:
    description:
      - Also judge whether a controlled switchover to this node is safe now (both disks V(UpToDate),
        connected, no resync); see RV(switchover).
      - An empty string means the node that is not the Primary (refused, saying why, unless exactly one
        node is Primary).
    type: str
  locks:
    description:
      - The operation lock of each node as M(hapair.cluster.operation_lock_info) returns it (null where there
        is none or the node could not be read); see RV(operations).
    type: dict
  resource:
    description: The DRBD resource the reports are about.
    type: str
    default: r0
attributes:
  action:
    support: full
    details: Runs on the controller.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Judges the same in check mode; does not write O(json_path).
  diff_mode:
    support: none
  platform:
    platforms: all
    details: The judgement runs on the controller; the facts come from the nodes.
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Judge the pair
  hapair.cluster.pair_status:
    reports: "{{ dict(groups['hapair_cluster'] | zip(groups['hapair_cluster'] | map('extract', hostvars)
                 | map(attribute='hapair_report', default=None))) }}"
  run_once: true
  register: pair
'''

RETURN = r'''
verdict:
  description: V(healthy), V(degraded), V(split-brain), V(no-primary), V(two-primaries) or V(unknown).
  returned: always
  type: str
headline:
  description: "The verdict with its reasons on one line, for example V(degraded: node2 disk Outdated)."
  returned: always
  type: str
reasons:
  description: Why the pair is not healthy.
  returned: always
  type: list
  elements: str
primary:
  description: The Primary node, if any.
  returned: always
  type: str
secondary:
  description: The Secondary node, if any.
  returned: always
  type: str
table:
  description: Lines of a table with one row per node.
  returned: always
  type: list
  elements: str
primaries:
  description:
    - The reachable nodes whose resource is Primary, sorted (two when both are, none after a crash of the
      Primary). RV(primary) is set only when the pair has exactly one.
  returned: always
  type: list
  elements: str
operations:
  description:
    - With O(locks). One line per run that holds the pair's operation lock, naming the nodes it holds, what it
      does, who runs it since when, and whether that run still runs on this controller, runs on another one,
      or is gone (a STALE lock, which refuses every operation until it is released, with how to release it).
      This run's own lock is left out. Empty when no lock is held.
  returned: always
  type: list
  elements: str
  sample:
    - "An operation holds the pair on node1 and node2: switchover (failover.yml), run ctl:4242:771234 by alice@ctl
      since 2026-12-07 01:02:03 UTC (40 s ago). That run is still going on this controller (process 4242): wait
      for it to end"
switchover:
  description:
    - With O(switchover_to) only. C(blockers) lists why a switchover to that node must be refused
      (empty when it is safe); C(nothing_to_do) is true when that node is already the Primary;
      C(target) is the node the switchover goes to (null when none could be chosen); C(steps) lists,
      node by node, what the switchover does when it is safe (empty otherwise).
  returned: when O(switchover_to) is set
  type: dict
'''
