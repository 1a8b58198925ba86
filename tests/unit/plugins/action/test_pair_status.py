# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for the hapair.cluster.pair_status action plugin (controller only, no connection).

The reports are shaped like the hapair_report fact of
roles/status/tasks/report.yml, with resource states parsed from the DRBD
fixtures of tests/unit/plugins/module_utils/fixtures/drbd/.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import os

import pytest

from unittest.mock import MagicMock

from ansible.parsing.dataloader import DataLoader

from ansible_collections.hapair.cluster.plugins.action.pair_status import ActionModule
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import parse_events2

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils', 'fixtures', 'drbd')
SERVICES = ['greenarrow', 'postgresql']


def resource(fixture):
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as handle:
        return list(parse_events2(handle.read()).values())[0]


def report(fixture=None, mounted=False, services=(), service_ip=False, split_brain=False):
    return {'reachable': True, 'resource': resource(fixture) if fixture else None, 'split_brain': split_brain,
            'mounted': mounted, 'services_running': list(services), 'service_ip': service_ip}


def healthy():
    return {'node1': report('events2_9_connected_primary.txt', mounted=True, services=SERVICES, service_ip=True),
            'node2': report('events2_9_connected_secondary.txt')}


def make_action(args, check_mode=False):
    task = MagicMock()
    task.args = dict(args)
    task.async_val = 0
    task.check_mode = check_mode
    task.action = 'hapair.cluster.pair_status'
    connection = MagicMock()
    connection._shell.tmpdir = '/nonexistent'
    return ActionModule(task, connection, MagicMock(), loader=DataLoader(), templar=MagicMock(),
                        shared_loader_obj=None)


def run(args, check_mode=False):
    return make_action(args, check_mode=check_mode).run(task_vars={})


# ---------------------------------------------------------------------------

def test_healthy_pair():
    result = run({'reports': healthy()})
    assert not result.get('failed'), result.get('msg')
    assert result['changed'] is False
    assert (result['verdict'], result['headline'], result['reasons']) == ('healthy', 'healthy', [])
    assert (result['primary'], result['secondary']) == ('node1', 'node2')
    assert result['table'] == [
        'node   role       connection  disk/peer          sync  mounted  services               service IP',
        'node1  Primary    Connected   UpToDate/UpToDate  -     yes      greenarrow,postgresql  yes',
        'node2  Secondary  Connected   UpToDate/UpToDate  -     no       -                      no',
    ]
    assert result['nodes'] == healthy()
    assert 'prometheus' not in result
    assert 'switchover' not in result and 'json_path' not in result


def test_unreachable_node_degrades_and_blocks_switchover():
    reports = {'node1': healthy()['node1'], 'node2': None}
    result = run({'reports': reports, 'switchover_to': 'node2', 'resource': 'cap'})
    assert not result.get('failed'), result.get('msg')
    assert result['verdict'] == 'degraded'
    assert result['headline'].startswith('degraded: node2 is unreachable')
    assert (result['primary'], result['secondary']) == ('node1', None)
    assert result['table'][2].split() == ['node2', 'UNREACHABLE'] + ['-'] * 6
    assert result['switchover']['nothing_to_do'] is False
    assert len(result['switchover']['blockers']) == 1
    assert result['switchover']['blockers'][0].startswith('node2 is unreachable: a controlled switchover')


def test_report_marked_unreachable_is_unreachable_for_the_switchover_too():
    reports = {'node1': healthy()['node1'], 'node2': dict(healthy()['node2'], reachable=False)}
    result = run({'reports': reports, 'switchover_to': 'node2'})
    assert result['headline'].startswith('degraded: node2 is unreachable')
    assert [b.split(':')[0] for b in result['switchover']['blockers']] == ['node2 is unreachable']


@pytest.mark.parametrize('target, nothing_to_do, blockers, chosen', [
    ('node2', False, [], 'node2'),
    ('node1', True, [], 'node1'),
    ('', False, [], 'node2'),   # failover.yml without hapair_target: the node that is not the Primary
    ('node3', False, ['unknown target node "node3": expected one of node1, node2'], None),
])
def test_switchover(target, nothing_to_do, blockers, chosen):
    result = run({'reports': healthy(), 'switchover_to': target})
    steps = result['switchover'].pop('steps')
    assert result['switchover'] == {'blockers': blockers, 'nothing_to_do': nothing_to_do, 'target': chosen}
    assert bool(steps) is (chosen == 'node2')


def test_switchover_during_resync_is_blocked():
    reports = {'node1': report('events2_84_lab_syncsource_node1.txt', mounted=True),
               'node2': report('events2_84_lab_synctarget_node2.txt')}
    result = run({'reports': reports, 'switchover_to': 'node2'})
    assert result['verdict'] == 'degraded'
    assert result['table'][1].split()[4] == '0.9%'
    assert any(b.startswith('resync running (SyncSource, 0.86% done)') for b in result['switchover']['blockers'])


@pytest.mark.parametrize('reports, named', [
    ({'node1': healthy()['node1']}, 'got 1 (node1)'),
    ({}, 'got 0 (none)'),
    (dict(healthy(), node3=None), 'got 3 (node1, node2, node3)'),
])
def test_needs_exactly_two_reports(reports, named):
    result = run({'reports': reports})
    assert result['failed'] is True
    assert result['msg'] == 'pair_status needs the reports of exactly two nodes, %s' % named
    assert 'verdict' not in result


def test_json_path_is_written(tmp_path):
    path = tmp_path / 'pair.json'
    result = run({'reports': healthy(), 'json_path': str(path)})
    assert result['json_path'] == str(path)
    written = json.loads(path.read_text())
    assert sorted(written) == ['headline', 'nodes', 'operations', 'primary', 'reasons', 'secondary', 'table', 'verdict']
    assert written['verdict'] == 'healthy' and written['table'] == result['table']
    assert not os.path.exists(str(path) + '.tmp')


def test_json_path_is_not_written_in_check_mode(tmp_path):
    path = tmp_path / 'pair.json'
    result = run({'reports': healthy(), 'json_path': str(path)}, check_mode=True)
    assert result['verdict'] == 'healthy'
    assert not path.exists() and 'json_path' not in result


# ---------------------------------------------------------------------------
# the operation locks the status role read: who holds the pair, as this controller sees it

def test_a_lock_held_by_a_run_that_is_gone_is_named_stale():
    from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import record, run_id
    import socket
    gone = record(run_id(socket.gethostname(), 2 ** 22 + 7, 1), 'switchover (failover.yml)', 'alice@ctl',
                  socket.gethostname(), 2 ** 22 + 7, 1796608146)
    result = run({'reports': healthy(), 'locks': {'node1': gone, 'node2': gone}})
    assert result['verdict'] == 'healthy'   # a lock says nothing about the data
    assert len(result['operations']) == 1
    assert result['operations'][0].startswith('An operation holds the pair on node1 and node2: switchover (failover.yml)')
    assert 'STALE' in result['operations'][0]
    assert result['operations'][0].endswith('to release it: run the operation again with -e hapair_force_release_lock=%s'
                                            % gone['run_id'])


def test_no_lock_no_operation_line():
    assert run({'reports': healthy(), 'locks': {'node1': None, 'node2': None}})['operations'] == []
    assert run({'reports': healthy()})['operations'] == []


def test_the_json_holds_the_operations(tmp_path):
    path = tmp_path / 'pair.json'
    unreadable = {'run_id': None, 'operation': None, 'holder': None, 'controller': None, 'pid': None, 'since': None}
    run({'reports': healthy(), 'locks': {'node1': unreadable, 'node2': None}, 'json_path': str(path)})
    said = json.loads(path.read_text())['operations']
    assert len(said) == 1 and 'unreadable lock file' in said[0]


def test_primaries_name_every_primary_and_none_after_a_crash():
    assert run({'reports': healthy()})['primaries'] == ['node1']
    crashed = dict(healthy(), node1=None)
    assert run({'reports': crashed})['primaries'] == []
    both = {'node1': report('events2_9_connected_primary.txt'), 'node2': report('events2_9_connected_primary.txt')}
    result = run({'reports': both})
    assert (result['primaries'], result['primary']) == (['node1', 'node2'], None)
