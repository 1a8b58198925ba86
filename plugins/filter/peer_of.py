# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: peer_of
short_description: The other node of the pair
version_added: 0.3.0
description:
  - Given the pair's two nodes (C(groups['hapair_cluster'])) and one of them, the other one; an empty node
    gives an empty string (no Primary, no peer).
  - The one place the collection picks "the other node" (module_utils/pair_config.py, C(peer)); it fails,
    saying what to fix, unless the group holds exactly two nodes and the node is one of them.
options:
  _input:
    description: The nodes of the pair, C(groups['hapair_cluster']).
    type: list
    elements: str
    required: true
  node:
    description: One node of the pair, or an empty string.
    type: str
    required: true
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Name the node that is not the target
  ansible.builtin.debug:
    msg: "{{ groups['hapair_cluster'] | hapair.cluster.peer_of(hapair_target) }}"
'''

RETURN = r'''
_value:
  description: The other node, or an empty string when O(node) is empty.
  type: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import NotAPair, peer


def peer_of(nodes, node):
    try:
        return peer(list(nodes or []), node)
    except NotAPair as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {'peer_of': peer_of}
