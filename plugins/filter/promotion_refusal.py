# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: promotion_refusal
short_description: Why a node must not be made Primary now, or an empty string
version_added: 0.2.0
description:
  - The one rule set of C(promote.yml) and C(make_primary.yml) (module_utils/promotion.py). Refuses an
    unknown target; an emergency promotion without C(hapair_confirm_data_loss=yes); a forced promotion of a
    stale copy (C(hapair_force_stale_promotion)) without that confirmation; and any promotion while the
    other node is reachable and still Primary.
options:
  _input:
    description:
      - A mapping with C(target), C(hosts) (the pair), C(reports) (host to the status role's
        C(hapair_report), null when the node did not answer), C(emergency) (bool), C(confirm_data_loss)
        and C(force_stale).
    type: dict
    required: true
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Refuse an unsafe promotion
  ansible.builtin.assert:
    that: refusal | length == 0
    fail_msg: "{{ refusal }}"
  vars:
    refusal: >-
      {{ {'target': hapair_target, 'hosts': groups['hapair_cluster'], 'reports': reports,
          'emergency': false, 'force_stale': hapair_force_stale_promotion}
         | hapair.cluster.promotion_refusal }}
'''

RETURN = r'''
_value:
  description: The refusal, ending with "Nothing was changed.", or an empty string when the promotion may go on.
  type: str
'''

from ansible_collections.hapair.cluster.plugins.module_utils.promotion import promotion_refusal as _refusal


def promotion_refusal(facts):
    facts = facts or {}
    return _refusal(facts.get('target'), facts.get('hosts'), facts.get('reports'),
                    emergency=bool(facts.get('emergency')), confirm_data_loss=facts.get('confirm_data_loss'),
                    force_stale=facts.get('force_stale', False))


class FilterModule(object):
    def filters(self):
        return {'promotion_refusal': promotion_refusal}
