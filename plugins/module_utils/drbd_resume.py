# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether writes a fencing freeze suspended may be resumed on this node (drbdadm resume-io).

Under hapair_fencing_policy=freeze (DRBD fencing resource-and-stonith) a Primary that lost the
replication link suspends writes until its peer is marked Outdated. When the peer cannot be
reached, only an operator can decide that it is down or cut off for good; resuming lets the
Primary write while the peer's copy is stale but not marked so.

PRIVATE to the hapair.cluster collection. Pure, Python 2.7/3.6-safe.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils.fencing import when


def _last_attempt(record):
    if not record:
        return 'no fencing attempt is recorded in /var/lib/hapair/fencing.log'
    return 'the last fencing attempt, at %s, found the peer %s (%s)' % (
        when(record['at']), record['result'], record.get('detail') or 'no detail')


def plan(state, confirmed, node, peer, record=None):
    """(steps, refusal): the drbdadm verbs to run, or why nothing may be done.

    ``state``: the normalised resource state on ``node`` (drbd_status), or None when the
    resource is down. ``record``: the last line of the fencing log (fencing.parse_last).
    """
    if not state:
        return None, ('the resource is not up on %s: there are no writes to resume; nothing was changed' % node)
    if not state.get('suspended'):
        return [], None
    if state.get('connection_state') == 'Connected':
        return None, ('I/O on %s is suspended although %s is connected: that is not a fencing freeze (a '
                      '"drbdadm suspend-io" by hand, or quorum); find out who suspended it. Nothing was changed'
                      % (node, peer))
    if state.get('role') != 'Primary':
        return None, ('I/O on %s is suspended but %s is %s, not Primary: a fencing freeze happens on the '
                      'Primary only; look at "drbdadm status" there. Nothing was changed'
                      % (node, node, state.get('role')))
    if not confirmed:
        return None, ('Writes on Primary %s are suspended because %s could not be marked Outdated (%s). '
                      'Resuming lets %s write while the copy on %s is stale but not marked so: if %s is alive '
                      'and someone promotes it, the two copies diverge (split brain). Make sure %s is down or '
                      'cut off, then confirm with -e hapair_confirm_peer_stale=yes. Nothing was changed'
                      % (node, peer, _last_attempt(record), node, peer, peer, peer))
    return [['resume-io']], None
