# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Why a resource went StandAlone, read from kernel logs captured on the lab (Debian 12, DRBD 8.4.11)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_disconnect import ADVICE, standalone_cause

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'kernel_log')


def journal(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.read()


@pytest.mark.parametrize('fixture,node,cause,line', [
    ('journal_84_auth_failed_node1.txt', 'node1', 'authentication', 'drbd r0: Authentication of peer failed'),
    ('journal_84_auth_failed_node2.txt', 'node2', 'authentication', 'drbd r0: Authentication of peer failed'),
    ('journal_84_split_brain_node2.txt', 'node2', 'split-brain',
     'block drbd1: Split-Brain detected but unresolved, dropping connection!'),
    ('journal_84_disconnect_node1.txt', 'node1', 'administrator', 'drbd r0: conn( Disconnecting -> StandAlone )'),
])
def test_the_cause_in_drbds_words(fixture, node, cause, line):
    found = standalone_cause(journal(fixture), 'r0', [1])
    assert found['cause'] == cause
    if line:
        assert found['line'] == line
    assert found['advice'] == ADVICE[cause] % {'resource': 'r0'}
    assert isinstance(found['at'], int) and found['at'] > 1796000000


def test_only_the_last_attempt_counts():
    """An old split brain, resolved, then a refused handshake: the cause is the refusal."""
    text = journal('journal_84_split_brain_node2.txt') + journal('journal_84_auth_failed_node2.txt')
    assert standalone_cause(text, 'r0', [1])['cause'] == 'authentication'


def test_other_resources_are_not_read():
    text = journal('journal_84_auth_failed_node1.txt').replace('drbd r0', 'drbd r7').replace('drbd1:', 'drbd7:')
    assert standalone_cause(text, 'r0', [1])['cause'] == 'unknown'
    assert standalone_cause(text, 'r7', [7])['cause'] == 'authentication'


NO_STANDALONE = '2026-12-05T00:40:00+0000 node1 kernel: drbd r0: conn( Connected -> NetworkFailure )\n'


@pytest.mark.parametrize('text', [None, '', NO_STANDALONE])
def test_unknown_when_the_log_does_not_show_it(text):
    assert standalone_cause(text, 'r0', [1]) == {'cause': 'unknown', 'at': None, 'line': None,
                                                 'advice': ADVICE['unknown'] % {'resource': 'r0'}}
