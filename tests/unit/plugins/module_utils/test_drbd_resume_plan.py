# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/module_utils/drbd_resume.py plan(), on DRBD fixtures: resume writes a fencing freeze
suspended only on a disconnected Primary, and only with the operator's confirmation."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_resume import plan
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import parse_events2
from ansible_collections.hapair.cluster.plugins.module_utils.fencing import parse_last

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
RECORD = parse_last('1796420000 r0 unreachable 172.30.0.12 255 writes stay suspended '
                    '(hapair_fencing_policy=freeze) until the link is back or resume_writes.yml: '
                    'ssh: connect to host 172.30.0.12 port 22: Connection timed out\n')


def state(name):
    with io.open(os.path.join(FIXTURES, name), encoding='utf-8') as f:
        return list(parse_events2(f.read()).values())[0]


def test_frozen_primary_needs_the_confirmation_and_says_why():
    steps, refusal = plan(state('events2_84_derived_frozen_node1.txt'), False, 'node1', 'node2', RECORD)
    assert steps is None
    assert refusal.startswith('Writes on Primary node1 are suspended because node2 could not be marked Outdated '
                              '(the last fencing attempt, at 2026-12-04 ')
    assert 'found the peer unreachable' in refusal
    assert '-e hapair_confirm_peer_stale=yes' in refusal and refusal.endswith('Nothing was changed')


def test_frozen_primary_resumes_when_confirmed():
    assert plan(state('events2_84_derived_frozen_node1.txt'), True, 'node1', 'node2', RECORD) == ([['resume-io']], None)


def test_nothing_to_do_when_writes_are_not_suspended():
    assert plan(state('events2_84_lab_linkdown_node1.txt'), False, 'node1', 'node2', None) == ([], None)
    assert plan(state('events2_84_connected_primary.txt'), True, 'node1', 'node2', None) == ([], None)


def test_suspended_while_connected_is_not_a_fencing_freeze():
    frozen = dict(state('events2_84_connected_primary.txt'), suspended=True)
    steps, refusal = plan(frozen, True, 'node1', 'node2', None)
    assert steps is None and 'that is not a fencing freeze' in refusal and refusal.endswith('Nothing was changed')


def test_a_secondary_is_refused():
    frozen = dict(state('events2_84_lab_linkdown_node2.txt'), suspended=True)
    steps, refusal = plan(frozen, True, 'node2', 'node1', None)
    assert steps is None and 'node2 is Secondary, not Primary' in refusal


def test_resource_down_is_refused():
    steps, refusal = plan(None, True, 'node1', 'node2', None)
    assert steps is None and refusal == 'the resource is not up on node1: there are no writes to resume; nothing was changed'


def test_no_record_is_said():
    steps, refusal = plan(state('events2_84_derived_frozen_node1.txt'), False, 'node1', 'node2', None)
    assert 'no fencing attempt is recorded in /var/lib/hapair/fencing.log' in refusal
