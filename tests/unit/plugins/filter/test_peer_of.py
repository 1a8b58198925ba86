# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The peer_of filter: module_utils/pair_config.peer, its refusals as filter errors."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hapair.cluster.plugins.filter.peer_of import FilterModule


def peer_of(nodes, node):
    return FilterModule().filters()['peer_of'](nodes, node)


def test_the_other_node():
    assert peer_of(['node1', 'node2'], 'node2') == 'node1'
    assert peer_of(['node1', 'node2'], '') == ''


def test_a_group_that_is_not_a_pair_fails_saying_so():
    with pytest.raises(AnsibleFilterError, match='must hold exactly the two nodes of the pair; it holds 1'):
        peer_of(['node1'], 'node1')
