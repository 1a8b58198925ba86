# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operation lock's decisions (take, keep, refuse, release) and its messages."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import (
    ELSEWHERE,
    GONE,
    RUNNING,
    create_lock,
    held_notes,
    lock_path,
    parse,
    plan_release,
    plan_take,
    read_lock,
    record,
    refusal,
    remove_lock,
    run_id,
)

NOW = 1796608146
MINE = run_id('ctl', 4242, 771234)
THEIRS = run_id('ctl', 5151, 880000)
HELD = record(THEIRS, 'switchover (failover.yml)', 'alice@ctl', 'ctl', 5151, NOW - 300)
HOW = 'rerun with -e hapair_force_release_lock=RUN_ID'


def test_run_id_names_controller_pid_and_start():
    assert MINE == 'ctl:4242:771234'
    assert run_id('ctl', 4242, None) == 'ctl:4242:-'
    # a recycled pid is another run
    assert run_id('ctl', 4242, 771235) != MINE


def test_parse():
    assert parse(None) is None
    assert parse(json.dumps(HELD)) == HELD
    # a file that is not our lock still blocks, as an unreadable one
    for text in ('', 'garbage', '[]', '{"operation": "x"}'):
        held = parse(text)
        assert held is not None and held['run_id'] is None


@pytest.mark.parametrize('held, run, force, expected', [
    (None, MINE, None, 'take'),
    (dict(HELD, run_id=MINE), MINE, None, 'keep'),
    (HELD, MINE, None, 'refuse'),
    (HELD, MINE, THEIRS, 'take'),                 # the operator named the stale run
    (HELD, MINE, 'ctl:5151:1', 'refuse'),         # ...and only that run
    (HELD, MINE, '', 'refuse'),
    (parse('garbage'), MINE, None, 'refuse'),
    (parse('garbage'), MINE, 'unreadable', 'take'),
])
def test_plan_take(held, run, force, expected):
    assert plan_take(held, run, force) == expected


@pytest.mark.parametrize('held, run, force, expected', [
    (None, MINE, None, 'none'),
    (dict(HELD, run_id=MINE), MINE, None, 'remove'),
    (HELD, MINE, None, 'none'),                   # never another run's lock
    (HELD, MINE, THEIRS, 'remove'),
    (parse('garbage'), MINE, None, 'none'),
])
def test_plan_release(held, run, force, expected):
    assert plan_release(held, run, force) == expected


def test_refusal_while_the_holder_runs_names_it_and_offers_no_release():
    said = refusal('node1', HELD, RUNNING, NOW, HOW)
    assert said.startswith('Another operation holds the pair on node1: switchover (failover.yml), run ctl:5151:880000 '
                           'by alice@ctl since ')
    assert '(5 min ago)' in said and 'still going on this controller (process 5151): wait for it to end' in said
    assert 'force_release' not in said
    assert said.endswith('Nothing was changed')


def test_refusal_of_a_stale_lock_says_so_and_how_to_release_it():
    said = refusal('node2', HELD, GONE, NOW, HOW)
    assert 'STALE' in said and 'process 5151 no longer runs on this controller' in said
    assert 'rerun with -e hapair_force_release_lock=ctl:5151:880000' in said
    # control: the same lock seen from another controller is not called stale
    elsewhere = refusal('node2', HELD, ELSEWHERE, NOW, HOW)
    assert 'STALE' not in elsewhere and 'taken from controller ctl' in elsewhere
    assert 'hapair_force_release_lock=ctl:5151:880000' in elsewhere


def test_refusal_of_an_unreadable_lock():
    said = refusal('node1', parse('garbage'), ELSEWHERE, NOW, HOW)
    assert 'unreadable lock file' in said and 'hapair_force_release_lock=unreadable' in said


def liveness_by_run(states):
    return lambda held: states[held.get('run_id')]


def test_status_names_one_run_once_with_every_node_it_holds():
    notes = held_notes({'node1': HELD, 'node2': HELD}, MINE, liveness_by_run({THEIRS: RUNNING}), NOW, HOW)
    assert len(notes) == 1
    assert notes[0].startswith('An operation holds the pair on node1 and node2: switchover (failover.yml), run '
                               'ctl:5151:880000 by alice@ctl since ')
    assert notes[0].endswith('still going on this controller (process 5151): wait for it to end')


def test_status_says_a_stale_lock_is_stale_and_how_to_release_it():
    notes = held_notes({'node1': None, 'node2': HELD}, MINE, liveness_by_run({THEIRS: GONE}), NOW, HOW)
    assert len(notes) == 1 and notes[0].startswith('An operation holds the pair on node2: ')
    assert 'STALE' in notes[0] and notes[0].endswith('to release it: rerun with -e hapair_force_release_lock=ctl:5151:880000')


def test_status_leaves_out_this_runs_own_lock_and_no_lock_says_nothing():
    mine = record(MINE, 'switchover (failover.yml)', 'bob@ctl', 'ctl', 4242, NOW)
    assert held_notes({'node1': mine, 'node2': mine}, MINE, liveness_by_run({}), NOW, HOW) == []
    assert held_notes({'node1': None, 'node2': None}, MINE, liveness_by_run({}), NOW, HOW) == []
    assert held_notes({}, MINE, liveness_by_run({}), NOW, HOW) == []
    # control: the same lock seen by another run is named
    assert len(held_notes({'node1': mine}, THEIRS, liveness_by_run({MINE: RUNNING}), NOW, HOW)) == 1


def test_status_names_two_runs_and_an_unreadable_file_apart():
    other = record(MINE, 'backup (backup.yml)', 'bob@ctl', 'ctl', 4242, NOW)
    notes = held_notes({'node1': HELD, 'node2': other}, 'ctl:1:1', liveness_by_run({THEIRS: RUNNING, MINE: RUNNING}),
                       NOW, HOW)
    assert [n.split(':', 1)[0] for n in notes] == ['An operation holds the pair on node1', 'An operation holds the pair on node2']
    unreadable = held_notes({'node1': parse('garbage')}, MINE, liveness_by_run({None: ELSEWHERE}), NOW, HOW)
    assert 'unreadable lock file' in unreadable[0] and 'hapair_force_release_lock=unreadable' in unreadable[0]


def test_the_file_is_created_once(tmp_path):
    path = lock_path('r0', str(tmp_path / 'hapair'))
    assert path.endswith('/hapair/hapair-operation-r0.lock')
    assert read_lock(path) is None
    assert create_lock(path, HELD) is True
    # the second run loses: the file is not overwritten
    assert create_lock(path, record(MINE, 'backup (backup.yml)', 'bob@ctl', 'ctl', 4242, NOW)) is False
    assert parse(read_lock(path)) == HELD
    remove_lock(path)
    remove_lock(path)   # already gone: nothing to do
    assert read_lock(path) is None
