# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operator's -e input, judged before any node is contacted."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.operation_input import OPERATIONS, input_refusal

PAIR = ['node1', 'node2']
GROUP = 'hapair_cluster'


def refusal(operation, **nodes):
    return input_refusal(operation, nodes, PAIR, GROUP)


@pytest.mark.parametrize('operation', sorted(OPERATIONS))
def test_a_node_of_the_pair_is_accepted(operation):
    name = OPERATIONS[operation][0]
    assert refusal(operation, **{name: 'node2'}) == ''


@pytest.mark.parametrize('operation', ['switchover', 'make_secondary', 'rejoin', 'restore'])
def test_no_name_leaves_the_choice_to_the_pair_s_state(operation):
    assert refusal(operation) == ''
    assert refusal(operation, **dict((name, '') for name in OPERATIONS[operation])) == ''


@pytest.mark.parametrize('operation, name, words', [
    ('switchover', 'hapair_target', 'unknown target node "node9": expected one of node1, node2'),
    ('make_secondary', 'hapair_node', 'hapair_node node9 is not in group hapair_cluster (node1, node2)'),
    ('rejoin', 'hapair_node', 'Which node should rejoin? node9 is not in group hapair_cluster; name it with '
                              '-e hapair_node=NODE'),
    ('rejoin', 'hapair_split_brain_victim', 'node9 is not in group hapair_cluster; name it with '
                                            '-e hapair_split_brain_victim=NODE'),
    ('restore', 'hapair_restore_node', 'No node to restore on: node9 is not in group hapair_cluster; name one with '
                                       '-e hapair_restore_node=NODE, one of node1, node2'),
    ('make_primary', 'hapair_target', 'Name the node to promote with -e hapair_target=NODE, one of node1, node2 '
                                      '(got node9)'),
])
def test_an_unknown_node_is_refused_naming_the_variable_and_the_pair(operation, name, words):
    said = refusal(operation, **{name: 'node9'})
    assert words in said and said.endswith('Nothing was changed.')


@pytest.mark.parametrize('operation', ['promote', 'make_primary'])
def test_a_promotion_needs_its_target(operation):
    assert refusal(operation).startswith('Name the node to promote with -e hapair_target=NODE, one of '
                                         'node1, node2 (got nothing)')


def test_a_missing_confirmation_is_left_to_the_guard_which_first_tells_what_the_copy_holds():
    # promotion.py refuses it after the nodes' reports (roles/failover/tasks/guard.yml), once the
    # operator has been told whether the target was fenced: what they confirm
    assert refusal('promote', hapair_target='node2') == ''
    assert refusal('make_primary', hapair_target='node2') == ''


def test_rejoin_names_one_node_or_refuses_two():
    assert refusal('rejoin', hapair_node='node1', hapair_split_brain_victim='node1') == ''
    said = refusal('rejoin', hapair_node='node1', hapair_split_brain_victim='node2')
    assert said.startswith('hapair_node and hapair_split_brain_victim name different nodes (hapair_node=node1, '
                           'hapair_split_brain_victim=node2)')


def test_names_an_operation_does_not_read_are_ignored():
    assert refusal('switchover', hapair_node='node9') == ''


def test_an_unknown_operation_is_a_programming_error():
    with pytest.raises(ValueError, match='unknown operation'):
        refusal('reboot')
