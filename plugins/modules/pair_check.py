#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation only: the work is done on the controller by the action plugin
# plugins/action/pair_check.py; nothing is executed on the nodes.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: pair_check
short_description: Check that the inventory describes one valid hapair pair
version_added: 0.1.0
description:
  - Reads the C(hapair_*) variables of the two hosts in a group and checks, before anything on a node is
    changed, that they describe one valid DRBD-mirrored pair.
  - All problems are listed at once; each message names the host and the variable, says what is wrong and
    what to do. The task fails when there is at least one problem.
  - Runs entirely on the controller, no connection to the nodes is made. Use it with C(run_once=true).
  - "Per-host variables: C(hapair_replication_address) (address/prefix, required),
    exactly one of C(hapair_replication_mac) or C(hapair_replication_device),
    C(hapair_replication_mtu) (default V(9000), 576 to 9216, equal on both nodes),
    C(hapair_spare_disk) (required, a whole disk under C(/dev)),
    C(hapair_spare_mode) (V(whole_disk) or V(free_space), default V(whole_disk)),
    optional C(hapair_service_address) (address/prefix) and C(hapair_service_mac)."
  - "Group variables (same value on both hosts): C(hapair_shared_secret) (required, 1 to 64 printable ASCII
    characters; its value is never shown), C(hapair_initial_primary) (required, one of the two hosts),
    C(hapair_resource) (default V(r0)), C(hapair_drbd_port) (default V(7788), 1024 to 65535),
    optional C(hapair_service_ip) (address/prefix inside both nodes' service network)."
  - The replication addresses must differ, be in the same subnet with the same prefix, not be the network or
    broadcast address, and the replication subnet must not overlap the service network or any other network
    configured on the node. MAC addresses must differ between the nodes.
  - The play must cover both hosts of the group. A run limited to one node (C(--limit node1)) is refused,
    since the pair is provisioned and checked with both nodes at once.
requirements:
  - netaddr (on the controller)
options:
  group:
    description:
      - Inventory group that holds exactly the two nodes of the pair.
    type: str
    default: hapair_cluster
  interface_networks:
    description:
      - Mapping of host name to a list of C(address/prefix) strings configured on that node's other
        interfaces. The replication subnet must not overlap any of them.
      - A list entry may also be a mapping with keys C(network) (address/prefix) and C(interface) (its name,
        shown in the message).
      - An entry equal to the node's own replication or service address is ignored, so a list taken from an
        already provisioned node does not trip the check.
      - When omitted and facts were gathered for a host, the networks are taken from its facts
        (C(ansible_facts.interfaces)), leaving out C(lo) and the replication NIC. Without either the check
        is skipped.
    type: dict
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.conn
  - action_common_attributes.flow
  - action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Makes no changes, so it runs the same in check mode.
  connection:
    support: none
  delegation:
    support: none
    details: Runs on the controller whatever the host.
  diff_mode:
    support: none
  platform:
    platforms: all
seealso:
  - module: ansible.builtin.assert
author:
  - hapair.cluster developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check the inventory describes one valid pair
  hapair.cluster.pair_check:
  run_once: true

- name: Check a pair in another group, against networks the nodes report
  hapair.cluster.pair_check:
    group: mail_pair
    interface_networks:
      node1: ["192.0.2.11/24", "10.10.0.11/16"]
      node2: ["192.0.2.12/24", "10.10.0.12/16"]
  run_once: true
  register: pair_check

- name: Show the normalised pair
  ansible.builtin.debug:
    var: pair_check.pair
  run_once: true
"""

RETURN = r"""
msg:
  description:
    - On success a one-line summary of the pair.
    - On failure a header line naming the number of problems, then one numbered line per problem.
  returned: always
  type: str
  sample: "hapair_cluster: node1 is the initial primary, node2 the initial secondary; replication 10.77.0.0/24
    (MTU 9000), resource r0 on port 7788"
pair:
  description:
    - The normalised description of the pair. Complete only when the check passed; on failure it holds what
      could be validated. The shared secret is never included, only RV(pair.shared_secret_set).
  returned: when the group exists
  type: dict
  contains:
    group:
      description: The group checked.
      type: str
      sample: hapair_cluster
    hosts:
      description: The hosts of the group, in inventory order.
      type: list
      elements: str
      sample: [node1, node2]
    initial_primary:
      description: The node whose disk is the source of the first full sync.
      type: str
      sample: node1
    initial_secondary:
      description: The other node.
      type: str
      sample: node2
    shared_secret_set:
      description: Whether a valid shared secret is configured.
      type: bool
      sample: true
    resource:
      description: DRBD resource name.
      type: str
      sample: r0
    drbd_port:
      description: TCP port of the replication connection.
      type: int
      sample: 7788
    replication_network:
      description: The replication subnet shared by both nodes.
      type: str
      sample: 10.77.0.0/24
    replication_mtu:
      description: MTU of the replication link, the same on both nodes.
      type: int
      sample: 9000
    service_ip:
      description: The floating service IP as address/prefix, or V(null) when not configured.
      type: str
      sample: 172.30.0.10/24
    nodes:
      description:
        - For each host, C(replication_address), C(replication_ip), C(replication_prefix), C(replication_network),
          C(replication_mac) or C(replication_device), C(replication_mtu), C(spare_disk), C(spare_mode) and,
          when configured, C(service_address), C(service_network), C(service_mac). MACs are lower case
          and colon separated.
      type: dict
      sample:
        node1:
          replication_address: 10.77.0.1/24
          replication_ip: 10.77.0.1
          replication_prefix: 24
          replication_network: 10.77.0.0/24
          replication_mac: "52:54:00:d0:00:01"
          replication_mtu: 9000
          spare_disk: /dev/disk/by-id/virtio-hapair-spare
          spare_mode: whole_disk
          service_address: 172.30.0.11/24
          service_network: 172.30.0.0/24
          service_mac: "52:54:00:5e:00:01"
errors:
  description: One message per problem found (the same text as the numbered lines of RV(msg)).
  returned: failure
  type: list
  elements: str
  sample:
    - "MTU mismatch: node1 9000, node2 1500 \u2014 DRBD would stall on large writes; set hapair_replication_mtu to
      the same value for both"
interface_networks_checked:
  description: Hosts whose other interface networks were compared with the replication subnet.
  returned: when the group exists
  type: list
  elements: str
  sample: [node1, node2]
"""
