#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation only: the work is done on the controller by the action plugin
# plugins/action/preflight.py; nothing is executed on the nodes.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: preflight
short_description: Tell every unmet requirement of both nodes of the pair, before anything is changed
version_added: 0.1.0
description:
  - Runs on the controller only (an action plugin); nothing is sent to the nodes. Use it with
    C(run_once=true) after M(hapair.cluster.preflight_facts) ran on both nodes and was registered.
  - Judges both nodes' facts against the inventory and lists B(all) results in one table per node plus
    one for the pair, one line per check with V(pass), V(warn) or V(fail) and a detail that says what
    was found and what to do. The task fails when any check fails, listing every failure of both nodes.
  - "Checks per node: C(os_supported) (Debian 12, EL 7, 8, 9 as RHEL, CentOS, Rocky Linux, AlmaLinux,
    Oracle Linux; C(hapair_preflight_supported_os) overrides the list, as C(Family-Major) or C(id-Major)
    entries), C(python) (2.7 on EL7, else 3.6 or newer), C(controller_ansible) (the controller's
    ansible-core can run modules with the node's Python; EL7 needs ansible-core 2.16), C(privilege)
    (root, or passwordless sudo), C(selinux) (EL: state; all states pass), C(firewall) (no other
    firewall active beside the one the mirror role uses; not installed yet is fine), C(memory) (RAM at
    least C(hapair_min_memory_mb), default V(1024)), C(cpus) (at least C(hapair_min_cpus), default
    V(1)), C(spare_disk) (what M(hapair.cluster.spare_partition) would do with C(hapair_spare_disk):
    its refusal fails, word for word), C(replication_nic) (found by C(hapair_replication_mac) or
    C(hapair_replication_device); no default route on it; link; speed below
    C(hapair_replication_min_speed), default V(10000), or unknown warns; C(hapair_replication_mtu)
    within the NIC's limits), C(peer_replication) (ping over the replication NIC; above
    C(hapair_preflight_max_latency_ms), default V(1.0), warns; passes as not configured yet before
    provisioning), C(peer_service) (both carry their C(hapair_service_address), the peer answers
    there), C(time_sync) (one time daemon runs and is synchronised), C(hostname) (distinct names;
    differing from the inventory name warns), C(peer_name) (with C(hapair_manage_hosts): nothing in
    C(/etc/hosts) or name resolution contradicts the names the node role writes)."
  - "A node whose facts are missing (unreachable, no usable Python, the gather failed) gets the single
    line C(facts): V(fail) with the reason. A variable that cannot be templated gives a C(inventory)
    line."
  - "Check of the pair: C(clock), the offset between the nodes' clocks. Each node read its clock
    between the controller's C(controller_time) (passed to M(hapair.cluster.preflight_facts)) and the
    start of this action, so the offset is known within a window: only an offset that is certain
    warns (above C(hapair_preflight_max_clock_offset_s), default V(1.0)) or fails (above
    C(hapair_preflight_fail_clock_offset_s), default V(60)), and a slow node widens the window
    instead of raising a false alarm."
options:
  group:
    description:
      - Inventory group that holds exactly the two nodes of the pair.
    type: str
    default: hapair_cluster
  facts_var:
    description:
      - Name of the variable each node registered the result of M(hapair.cluster.preflight_facts) in.
      - A failed or unreachable result (registered with C(ignore_errors) or C(ignore_unreachable)) is
        reported as that node's C(facts) failure, with its message.
    type: str
    default: hapair_preflight_facts
  json_path:
    description: Also write the results as JSON to this file on the controller.
    type: path
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
seealso:
  - module: hapair.cluster.preflight_facts
  - module: hapair.cluster.pair_check
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Gather what the preflight needs, read-only
  hapair.cluster.preflight_facts:
    spare_disk: "{{ hapair_spare_disk | default(omit) }}"
    spare_mode: "{{ hapair_spare_mode | default(omit) }}"
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

- name: Judge both nodes and list every unmet requirement
  hapair.cluster.preflight:
    json_path: preflight.json
  run_once: true
  delegate_to: localhost
  register: preflight

- name: Show the tables
  ansible.builtin.debug:
    var: preflight.table
  run_once: true
'''

RETURN = r'''
msg:
  description:
    - On success a summary line and the tables.
    - "On failure a header with the number of failures, one numbered line per failure (V(node: check:
      detail)), then the tables."
  returned: always
  type: str
table:
  description: The text lines of the tables, one table per node and one for the pair.
  returned: when the group holds two nodes
  type: list
  elements: str
  sample:
    - "node1: 14 pass, 1 warn, 0 fail"
    - "  check             status  detail"
    - "  os_supported      PASS    Debian GNU/Linux 12 (bookworm) (debian-12)"
results:
  description:
    - C(nodes) maps each node to its check lines, C(pair) holds the pair's, C(summary) the counts.
      A line is C(check), C(status) (V(pass), V(warn), V(fail)) and C(detail).
  returned: when the group holds two nodes
  type: dict
summary:
  description: Counts of V(pass), V(warn) and V(fail) lines, C(total), and per node (and C(pair)) in C(nodes).
  returned: when the group holds two nodes
  type: dict
  sample: {"pass": 28, "warn": 3, "fail": 0, "total": 31}
failures:
  description: "Every failed line as V(node: check: detail) (V(pair) for the pair's)."
  returned: when the group holds two nodes
  type: list
  elements: str
warns:
  description: "Every warning line as V(node: check: detail)."
  returned: when the group holds two nodes
  type: list
  elements: str
json_path:
  description: The file the JSON was written to.
  returned: when O(json_path) is set and not in check mode
  type: str
'''
