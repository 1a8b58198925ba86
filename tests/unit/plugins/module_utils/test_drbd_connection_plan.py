# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Table-driven tests for plugins/module_utils/drbd_connection.py plan(), on the DRBD fixtures."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_connection import plan
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    parse_events2,
    parse_status_json,
    parse_status_text,
)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
PARSERS = {'events2_': parse_events2, 'status_json_': parse_status_json, 'status_text_': parse_status_text}

DISCARD = [['connect', '--discard-my-data']]
RESYNC_DISCARD = [['disconnect'], ['connect', '--discard-my-data']]
DEMOTE_FIRST = ('this node is Primary: demote it (make_secondary.yml) before discarding its data; '
                'nothing was changed')
NOT_UP = 'the resource is not up on this node: run provision.yml or check drbdadm status'


def state(fixture):
    if fixture is None:
        return None
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as handle:
        text = handle.read()
    parser = [parser for prefix, parser in PARSERS.items() if fixture.startswith(prefix)][0]
    return list(parser(text).values())[0]


@pytest.mark.parametrize('fixture, want, discard, steps, refusal', [
    # connected wanted, no discard
    ('events2_84_standalone.txt', 'connected', False, [['connect']], None),
    ('events2_84_lab_standalone_node2.txt', 'connected', False, [['connect']], None),
    ('status_json_9_split.json', 'connected', False, [['connect']], None),
    ('events2_9_connected_primary.txt', 'connected', False, [], None),
    ('events2_84_connected_secondary.txt', 'connected', False, [], None),
    ('events2_84_wfconnection.txt', 'connected', False, [], None),
    ('status_text_9_connecting.txt', 'connected', False, [], None),
    ('events2_84_lab_synctarget_node2.txt', 'connected', False, [], None),
    # discard my data (rejoin after a split brain)
    ('events2_84_standalone.txt', 'connected', True, DISCARD, None),
    ('events2_84_lab_standalone_node2.txt', 'connected', True, DISCARD, None),
    ('events2_84_lab_linkdown_node2.txt', 'connected', True, RESYNC_DISCARD, None),
    ('events2_84_connected_secondary.txt', 'connected', True, [], None),
    ('events2_84_lab_synctarget_node2.txt', 'connected', True, [], None),
    ('status_json_9_split.json', 'connected', True, None, DEMOTE_FIRST),
    ('events2_84_wfconnection.txt', 'connected', True, None, DEMOTE_FIRST),
    ('events2_9_connected_primary.txt', 'connected', True, None, DEMOTE_FIRST),
    # disconnected wanted (discard is irrelevant)
    ('events2_9_connected_primary.txt', 'disconnected', False, [['disconnect']], None),
    ('events2_84_wfconnection.txt', 'disconnected', False, [['disconnect']], None),
    ('events2_84_standalone.txt', 'disconnected', False, [], None),
    ('status_json_9_split.json', 'disconnected', True, [], None),
    ('events2_9_connected_primary.txt', 'disconnected', True, [['disconnect']], None),
    # resource down
    (None, 'connected', False, None, NOT_UP),
    (None, 'connected', True, None, NOT_UP),
    (None, 'disconnected', False, None, NOT_UP),
], ids=[
    'standalone-connect', 'lab-standalone-connect', 'split-primary-connect', 'connected', 'connected-secondary',
    'connecting-84', 'connecting-9', 'syncing',
    'discard-standalone', 'discard-lab-standalone', 'discard-connecting', 'discard-already-connected',
    'discard-already-syncing', 'discard-primary-standalone', 'discard-primary-connecting',
    'discard-primary-connected',
    'disconnect-connected', 'disconnect-connecting', 'disconnect-standalone', 'disconnect-standalone-discard',
    'disconnect-discard',
    'down', 'down-discard', 'down-disconnect',
])
def test_plan(fixture, want, discard, steps, refusal):
    assert plan(state(fixture), want, discard) == (steps, refusal)


@pytest.mark.parametrize('resource_state', [None, {}])
def test_plan_empty_state_is_down(resource_state):
    assert plan(resource_state, 'connected', False) == (None, NOT_UP)


@pytest.mark.parametrize('connection_state, steps', [
    ('StandAlone', [['connect']]),
    (None, [['connect']]),
    ('Connecting', []),
    ('Connected', []),
])
def test_plan_connect_by_connection_state(connection_state, steps):
    assert plan({'role': 'Secondary', 'connection_state': connection_state}, 'connected', False) == (steps, None)
