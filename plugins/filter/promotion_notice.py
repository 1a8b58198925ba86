# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: promotion_notice
short_description: What the operator should know about a node's copy before it is made Primary
version_added: 0.2.0
description:
  - One sentence or two (module_utils/promotion.py) for C(promote.yml) and C(make_primary.yml). Whether the
    old Primary's fencing marked the target's copy Outdated, and when; or that it was never fenced, so DRBD
    cannot tell whether it is stale. Then when the target last saw the old Primary; writes made after that
    are not on it.
  - An empty string when the target did not report.
options:
  _input:
    description:
      - A mapping with C(target), C(hosts) (the pair) and C(reports) (host to the status role's
        C(hapair_report), whose C(resource) is M(hapair.cluster.drbd_info)'s state with its C(fencing)).
    type: dict
    required: true
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Tell what the target's copy holds
  ansible.builtin.debug:
    msg: >-
      {{ {'target': hapair_target, 'hosts': groups['hapair_cluster'], 'reports': reports}
         | hapair.cluster.promotion_notice }}
'''

RETURN = r'''
_value:
  description: The notice, for example "node2 was never fenced ... node2 last saw node1 as Primary at ...".
  type: str
'''

from ansible_collections.hapair.cluster.plugins.module_utils.promotion import promotion_notice as _notice


def promotion_notice(facts):
    facts = facts or {}
    return _notice(facts.get('target'), facts.get('hosts'), facts.get('reports'))


class FilterModule(object):
    def filters(self):
        return {'promotion_notice': promotion_notice}
