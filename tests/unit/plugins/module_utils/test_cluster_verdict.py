# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for plugins/module_utils/cluster_verdict.py, built on the DRBD fixtures."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import io
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.cluster_verdict import (
    VERDICTS,
    failover_blockers,
    verdict,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_disconnect import standalone_cause
from ansible_collections.hapair.cluster.plugins.module_utils.fencing import parse_last
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    parse_events2,
    parse_status_json,
    parse_status_text,
)


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
PARSERS = {'events2_': parse_events2, 'status_json_': parse_status_json, 'status_text_': parse_status_text}


def resource(fixture, name=None):
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as handle:
        text = handle.read()
    parser = [parser for prefix, parser in PARSERS.items() if fixture.startswith(prefix)][0]
    parsed = parser(text)
    return parsed[name] if name else list(parsed.values())[0]


def node(fixture=None, name=None, split_brain=False, mounted=False, services=(), reachable=True):
    return {
        'resource': resource(fixture, name) if fixture else None,
        'split_brain': split_brain,
        'mounted': mounted,
        'services_running': list(services),
        'reachable': reachable,
    }


PRIMARY_9 = 'events2_9_connected_primary.txt'
SECONDARY_9 = 'events2_9_connected_secondary.txt'
SERVICES = ['greenarrow', 'postgresql']


def healthy_pair():
    return {
        'node1': node(PRIMARY_9, mounted=True, services=SERVICES),
        'node2': node(SECONDARY_9),
    }


def pair(**nodes):
    states = healthy_pair()
    states.update(nodes)
    return states


def assert_reasons(result, expected):
    """Every expected text appears in some reason, and the counts match."""
    assert result['verdict'] in VERDICTS
    assert len(result['reasons']) == len(expected), result['reasons']
    for text in expected:
        assert any(text in reason for reason in result['reasons']), (text, result['reasons'])


# ---------------------------------------------------------------------------
# verdict

@pytest.mark.parametrize('states,expected_verdict,primary,secondary,reasons', [
    (healthy_pair(), 'healthy', 'node1', 'node2', []),
    ({'a': node('status_text_84_connected_primary.txt', mounted=True, services=SERVICES),
      'b': node('status_text_84_connected_secondary.txt')},
     'healthy', 'a', 'b', []),
    (pair(node2=node(reachable=False)),
     'degraded', 'node1', None, ['node2 is unreachable']),
    (pair(node1=node('status_json_9_syncsource.json', mounted=True),
          node2=node('status_json_9_synctarget.json')),
     'degraded', 'node1', 'node2',
     ['resync running: SyncSource, 6.45% done, about 36 s left', 'disk on node2 is Inconsistent']),
    (pair(node1=node('events2_9_syncsource_two_volumes.txt', mounted=True), node2=node(reachable=False)),
     'degraded', 'node1', None,
     ['node2 is unreachable', 'resync running (volume 0): SyncSource, 12.34% done, about 42 s left',
      'disk (volume 0) on node2 is Inconsistent']),
    (pair(node1=node('events2_9_outdated_peer.txt', mounted=True),
          node2=node('status_text_84_standalone.txt')),
     'degraded', 'node1', 'node2',
     ['replication link of Primary node1 is Connecting', 'disk on node2 is Outdated']),
    (pair(node2=node(SECONDARY_9, mounted=True, services=['greenarrow'])),
     'degraded', 'node1', 'node2',
     ['mounted on Secondary node2', 'services run on Secondary node2: greenarrow']),
    (pair(node1=node(PRIMARY_9, mounted=False)),
     'degraded', 'node1', 'node2', ['not mounted on Primary node1']),
    (pair(node2=node()),
     'degraded', 'node1', None, ['DRBD is not up on node2']),
    (pair(node1=node('status_text_9_suspended.txt', mounted=True), node2=node(SECONDARY_9)),
     'degraded', 'node1', 'node2', ['writes are suspended on Primary node1 (hapair_fencing_policy=freeze)', 'replication link of Primary node1 is Connecting']),
    (pair(node2=node('events2_9_diskless.txt')),
     'degraded', 'node1', 'node2', ['disk on node2 is Diskless']),
    (pair(node1=node('status_json_9_split.json'), node2=node('status_json_9_split.json')),
     'two-primaries', None, None, ['both node1 and node2 are Primary', 'node1 has its replication link StandAlone',
                                   'node2 has its replication link StandAlone', 'demote it']),
    (pair(node1=node('status_json_9_split.json', split_brain=True, mounted=True),
          node2=node('status_text_84_standalone.txt')),
     'split-brain', 'node1', None,
     ['split brain detected on node1', 'both nodes are StandAlone', '--discard-my-data']),
    (pair(node1=node('events2_9_outdated_peer.txt', mounted=True),
          node2=node('events2_9_multi_resource.txt', 'web', split_brain=True)),
     'split-brain', 'node1', None, ['split brain detected on node2', '--discard-my-data']),
    (pair(node1=node('status_json_9_split.json'), node2=node('status_text_84_standalone.txt')),
     'split-brain', 'node1', None, ['both nodes are StandAlone', '--discard-my-data']),
    (pair(node1=node('status_text_9_connected_secondary.txt'), node2=node('events2_84_connected_secondary.txt')),
     'no-primary', None, None, ['node1 is Secondary with disk UpToDate', 'node2 is Secondary with disk UpToDate',
                                'promote the one with UpToDate data']),
    (pair(node1=node(), node2=node(services=['greenarrow'], mounted=True)),
     'no-primary', None, None, ['DRBD is not up on node1', 'DRBD is not up on node2', 'mounted on node2',
                                'services run on node2', 'no node is Primary']),
    (pair(node1=node(reachable=False), node2=node(SECONDARY_9)),
     'degraded', 'node1', None, ['node1 is unreachable', 'node2 is Secondary with disk UpToDate',
                                 'still sees node1 as a connected Primary']),
    (pair(node1=node(reachable=False), node2=node('events2_9_multi_resource.txt', 'web')),
     'degraded', None, None, ['node1 is unreachable', 'node2 is Secondary with disk UpToDate',
                              'no reachable node is Primary']),
    (pair(node1=node(PRIMARY_9, reachable=False, split_brain=True), node2=node('status_json_9_split.json', mounted=True)),
     'degraded', 'node2', None, ['node1 is unreachable', 'replication link of Primary node2 is StandAlone']),
    (pair(node1=node(reachable=False), node2=node(reachable=False)),
     'unknown', None, None, ['neither node1 nor node2 could be reached']),
    ({'node1': node(PRIMARY_9)}, 'unknown', None, None, ['exactly two nodes, got 1']),
    (dict(healthy_pair(), node3=node(SECONDARY_9)), 'unknown', None, None, ['exactly two nodes, got 3']),
    (None, 'unknown', None, None, ['exactly two nodes, got 0']),
], ids=[
    'healthy-9', 'healthy-84', 'peer-unreachable', 'resync', 'resync-two-volumes', 'outdated-peer', 'secondary-mounted-services',
    'primary-not-mounted', 'drbd-down-on-secondary', 'suspended', 'diskless-secondary', 'two-primaries',
    'split-flag-primary', 'split-flag-secondary', 'both-standalone', 'no-primary', 'drbd-down-both',
    'primary-unreachable-inferred', 'primary-unreachable-unknown', 'unreachable-data-ignored',
    'both-unreachable', 'one-node', 'three-nodes', 'not-a-dict',
])
def test_verdict(states, expected_verdict, primary, secondary, reasons):
    result = verdict(states)
    assert sorted(result) == ['primary', 'reasons', 'secondary', 'verdict']
    assert (result['verdict'], result['primary'], result['secondary']) == (expected_verdict, primary, secondary)
    assert_reasons(result, reasons)


def test_verdict_does_not_modify_its_input():
    states = healthy_pair()
    before = copy.deepcopy(states)
    verdict(states)
    failover_blockers(states, 'node2')
    assert states == before


# ---------------------------------------------------------------------------
# failover_blockers

@pytest.mark.parametrize('states,target,nothing_to_do,blockers', [
    (healthy_pair(), 'node2', False, []),
    (healthy_pair(), 'node1', True, []),
    (healthy_pair(), 'node9', False, ['unknown target node "node9": expected one of node1, node2']),
    (pair(node2=node(reachable=False)), 'node2', False, ['node2 is unreachable']),
    (pair(node1=node(reachable=False)), 'node2', False, ['node1 is unreachable: a controlled switchover needs both nodes; '
                                                         'if the Primary is dead, use the forced promotion path']),
    (pair(node2=node()), 'node2', False, ['DRBD is not up on node2']),
    (pair(node2=node(SECONDARY_9, split_brain=True)), 'node2', False, ['split brain detected on node2']),
    (pair(node1=node('status_text_9_suspended.txt')), 'node2', False, ['writes are suspended on node1 (fencing freeze)']),
    (pair(node1=node('status_json_9_syncsource.json'), node2=node('status_json_9_synctarget.json')), 'node2', False,
     ['resync running (SyncSource, 6.45% done, about 36 s left): wait', 'disk on node2 is Inconsistent']),
    (pair(node1=node(PRIMARY_9), node2=node('events2_9_synctarget.txt')), 'node2', False,
     ['resync running (SyncTarget, 87.50% done): wait', 'disk on node2 is Inconsistent']),
    (pair(node1=node('events2_9_outdated_peer.txt'), node2=node('status_text_84_standalone.txt')), 'node2', False,
     ['replication link is not Connected (node1: Connecting, node2: StandAlone)', 'disk on node2 is Outdated']),
    (pair(node2=node('events2_9_diskless.txt')), 'node2', False, ['disk on node2 is Diskless']),
    (pair(node1=node('status_text_9_connected_secondary.txt'), node2=node(SECONDARY_9)), 'node2', False,
     ['no node is Primary, so there is nothing to switch over from: promote node2 with make_primary.yml '
      '-e hapair_target=node2 instead']),
    (pair(node1=node('status_json_9_split.json'), node2=node('status_json_9_split.json')), 'node2', False,
     ['both node1 and node2 are Primary']),
    ({'node1': node(PRIMARY_9)}, 'node1', False, ['exactly two nodes']),
], ids=[
    'go', 'already-primary', 'unknown-target', 'target-unreachable', 'source-unreachable', 'drbd-down',
    'split-brain', 'suspended', 'resync', 'resync-seen-by-target-only', 'disconnected-outdated', 'diskless-target', 'no-primary',
    'two-primaries', 'one-node',
])
def test_failover_blockers(states, target, nothing_to_do, blockers):
    result = failover_blockers(states, target)
    assert sorted(result) == ['blockers', 'nothing_to_do', 'steps', 'target']
    assert result['nothing_to_do'] is nothing_to_do
    assert bool(result['steps']) is (not blockers and not nothing_to_do)
    assert result['target'] == (None if 'unknown' in str(blockers) or 'exactly two' in str(blockers) else target)
    assert len(result['blockers']) == len(blockers), result['blockers']
    for text in blockers:
        assert any(text in blocker for blocker in result['blockers']), (text, result['blockers'])


@pytest.mark.parametrize('states,target,blockers', [
    (healthy_pair(), 'node2', []),
    (pair(node1=node(SECONDARY_9), node2=node(PRIMARY_9, mounted=True, services=['app.service'])), 'node1', []),
    (pair(node2=node(reachable=False)), 'node2', ['node2 is unreachable']),
    (pair(node1=node(reachable=False)), None, ['node1 is unreachable: a controlled switchover needs both nodes; '
                                               'if the Primary is dead, use the forced promotion path']),
    (pair(node1=node('status_text_9_connected_secondary.txt'), node2=node(SECONDARY_9)), None,
     ['no node is Primary, so there is nothing to switch over from: promote one with make_primary.yml '
      '-e hapair_target=NODE instead']),
    (pair(node1=node('status_json_9_split.json'), node2=node('status_json_9_split.json')), None,
     ['both node1 and node2 are Primary: resolve that first']),
    (pair(node2=node()), 'node2', ['DRBD is not up on node2']),
], ids=['node1-primary', 'node2-primary', 'secondary-unreachable', 'primary-unreachable', 'no-primary', 'two-primaries',
        'drbd-down'])
@pytest.mark.parametrize('unnamed', [None, ''])
def test_without_a_named_target_the_switchover_goes_to_the_node_that_is_not_primary(states, target, blockers, unnamed):
    result = failover_blockers(states, unnamed)
    assert result['target'] == target and result['nothing_to_do'] is False
    assert len(result['blockers']) == len(blockers), result['blockers']
    for text in blockers:
        assert any(text in blocker for blocker in result['blockers']), (text, result['blockers'])


def test_primary_nodes():
    from ansible_collections.hapair.cluster.plugins.module_utils.cluster_verdict import primary_nodes
    assert primary_nodes(healthy_pair()) == ['node1']
    assert primary_nodes(pair(node1=node(reachable=False))) == []
    assert primary_nodes(pair(node1=node('status_json_9_split.json'), node2=node('status_json_9_split.json'))) == \
        ['node1', 'node2']


def test_the_steps_say_what_a_switchover_does_from_what_the_primary_runs():
    states = healthy_pair()
    states['node1']['service_ip'] = True
    assert failover_blockers(states)['steps'] == [
        'node1: stop a backup in progress, if any',
        'node1: stop the application units (greenarrow, postgresql)',
        'node1: release the service IP',
        'node1: unmount the mirror',
        'node1: become Secondary',
        'node2: become Primary',
        'node2: mount the mirror',
        'node2: take the service IP (with gratuitous ARP)',
        'node2: start the application units (greenarrow, postgresql)',
        'both: check the pair is healthy with node2 as Primary',
    ]


def test_the_steps_leave_out_what_the_primary_does_not_hold():
    states = pair(node1=node(PRIMARY_9))   # not mounted, no unit, no service IP
    steps = failover_blockers(states, 'node2')['steps']
    assert 'node1: stop the application units (none runs now)' in steps
    assert not [s for s in steps if 'service IP' in s or 'unmount' in s]


def test_no_steps_when_refused_or_nothing_to_do():
    assert failover_blockers(healthy_pair(), 'node1')['steps'] == []
    assert failover_blockers(pair(node2=node(reachable=False)))['steps'] == []


# ---------------------------------------------------------------------------
# fencing: the Primary's last fence-peer attempt, while its link is down

LINKDOWN_PRIMARY = 'events2_84_lab_linkdown_node1.txt'
LINKDOWN_SECONDARY = 'events2_84_lab_linkdown_node2.txt'


def linkdown_pair(fencing_log):
    """As drbd_info reports it: the last record of the fencing log under resource.fencing."""
    primary = node(LINKDOWN_PRIMARY, mounted=True)
    primary['resource']['fencing'] = {'last_attempt': parse_last(fencing_log), 'outdated_by_peer': None,
                                      'lost_primary_at': None}
    return {'node1': primary, 'node2': node(LINKDOWN_SECONDARY)}


def test_a_broken_fencing_path_is_a_degraded_verdict_not_a_dead_peer():
    log = ('1796180000 r0 outdated 172.30.0.12 0 \n'
           '1796187600 r0 broken 172.30.0.12 255 root@172.30.0.12: Permission denied (publickey).\n')
    result = verdict(linkdown_pair(log))
    assert result['verdict'] == 'degraded'
    reasons = [r for r in result['reasons'] if 'not fenced' in r]
    assert reasons == ['node2 not fenced since 2026-12-02 05:00:00 UTC: the fencing path of node1 is broken '
                       '(root@172.30.0.12: Permission denied (publickey).), not a dead peer; node2\'s copy is not '
                       'marked Outdated, so it could be promoted with stale data. Fix the fencing key '
                       '(provision.yml) and look at "journalctl -t hapair" on node1']


def test_an_unreachable_peer_is_said_so():
    log = '1796187600 r0 unreachable 172.30.0.12 255 ssh: connect to host 172.30.0.12 port 22: Connection timed out\n'
    reasons = [r for r in verdict(linkdown_pair(log))['reasons'] if 'not fenced' in r]
    assert len(reasons) == 1 and 'it did not answer over the service network' in reasons[0]


@pytest.mark.parametrize('log', ['', '1796187600 r0 outdated 172.30.0.12 0 \n',
                                 '1796187600 r0 broken 172.30.0.12 255 x\n1796187700 r0 outdated 172.30.0.12 0 \n',
                                 'garbage line\n'])
def test_no_fencing_reason_when_the_peer_was_fenced_or_nothing_was_tried(log):
    assert not [r for r in verdict(linkdown_pair(log))['reasons'] if 'not fenced' in r]


def test_no_fencing_reason_while_connected():
    states = healthy_pair()
    states['node1']['fencing_log'] = '1796187600 r0 broken 172.30.0.12 255 x\n'
    assert verdict(states)['verdict'] == 'healthy'


def standalone_node(events2, journal, mounted=False):
    """A StandAlone node as drbd_info reports it: its events2 capture and the cause its kernel log gives."""
    entry = node(events2, mounted=mounted)
    with io.open(os.path.join(FIXTURES, '..', 'kernel_log', journal), encoding='utf-8') as handle:
        entry['resource']['standalone'] = standalone_cause(handle.read(), 'r0', [1])
    return entry


def test_a_refused_handshake_is_degraded_with_drbds_words_not_a_split_brain():
    """Captured on the lab: node2's shared secret changed, both nodes StandAlone, nothing diverged."""
    result = verdict({'node1': standalone_node('events2_84_lab_auth_node1.txt', 'journal_84_auth_failed_node1.txt'),
                      'node2': standalone_node('events2_84_lab_auth_node2.txt', 'journal_84_auth_failed_node2.txt',
                                               mounted=True)})
    assert (result['verdict'], result['primary']) == ('degraded', 'node2')
    assert not [r for r in result['reasons'] if 'split' in r.lower()], result['reasons']
    # the control: the same two states without the kernel log's word are what was called a split brain
    blind = {'node1': node('events2_84_lab_auth_node1.txt'), 'node2': node('events2_84_lab_auth_node2.txt', mounted=True)}
    assert verdict(blind)['verdict'] == 'split-brain'
    for name in ('node1', 'node2'):
        assert '%s is StandAlone (kernel log: "drbd r0: Authentication of peer failed"): the peer failed ' \
               'authentication: the two nodes have different shared secrets' % name in '\n'.join(result['reasons'])


def test_a_split_brain_in_the_kernel_log_is_a_split_brain_without_the_handlers_marker():
    result = verdict({'node1': standalone_node('events2_84_lab_split_node1.txt', 'journal_84_split_brain_node1.txt'),
                      'node2': standalone_node('events2_84_lab_split_node2.txt', 'journal_84_split_brain_node2.txt',
                                               mounted=True)})
    assert result['verdict'] == 'split-brain'
    assert any('Split-Brain detected but unresolved' in r for r in result['reasons']), result['reasons']
