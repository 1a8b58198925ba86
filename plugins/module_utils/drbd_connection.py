# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which drbdadm connect/disconnect steps bring a resource where it must be.

PRIVATE to the hapair.cluster collection. Pure, Python 2.7/3.6-safe.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def plan(state, want, discard):
    """drbdadm verbs to run, or a refusal message."""
    if not state:
        return None, 'the resource is not up on this node: run provision.yml or check drbdadm status'
    cs = state.get('connection_state')
    if want == 'disconnected':
        return ([] if cs == 'StandAlone' else [['disconnect']]), None
    if discard:
        if state.get('role') == 'Primary':
            return None, ('this node is Primary: demote it (make_secondary.yml) before discarding its data; '
                          'nothing was changed')
        if cs == 'Connected':
            return [], None  # already resolved and connected
        steps = [] if cs == 'StandAlone' else [['disconnect']]
        return steps + [['connect', '--discard-my-data']], None
    if cs in ('Connected', 'Connecting'):
        return [], None
    return [['connect']], None
