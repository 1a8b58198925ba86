# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/operation_lock.py driven through main() on a lock directory under tmp_path."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible_collections.hapair.cluster.plugins.modules import operation_lock as mod
from fake_runner import run_main

ALICE = dict(run_id='ctl:5151:880000', controller='ctl', pid=5151, holder='alice@ctl')
BOB = dict(run_id='ctl:4242:771234', controller='ctl', pid=4242, holder='bob@ctl')


def call(capsys, tmp_path, who, check_mode=False, **args):
    args = dict(who, resource='r0', node='node1', directory=str(tmp_path), **args)
    return run_main(mod, capsys, args, check_mode=check_mode)


def on_disk(tmp_path):
    path = os.path.join(str(tmp_path), 'hapair-operation-r0.lock')
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def test_take_keep_and_release(capsys, tmp_path):
    res = call(capsys, tmp_path, ALICE, operation='switchover (failover.yml)')
    assert not res.get('failed') and res['changed'] is False
    assert on_disk(tmp_path)['run_id'] == ALICE['run_id'] and on_disk(tmp_path)['operation'] == 'switchover (failover.yml)'
    res = call(capsys, tmp_path, ALICE)   # the same run again: nothing to do
    assert not res.get('failed') and res['lock']['run_id'] == ALICE['run_id']
    res = call(capsys, tmp_path, ALICE, state='released')
    assert not res.get('failed') and res['changed'] is False and on_disk(tmp_path) is None


def test_a_second_run_is_refused_and_changes_nothing(capsys, tmp_path):
    call(capsys, tmp_path, ALICE, operation='switchover (failover.yml)')
    before = on_disk(tmp_path)
    res = call(capsys, tmp_path, BOB, operation='backup (backup.yml)')
    assert res['failed'] and res['held_by']['run_id'] == ALICE['run_id']
    assert res['msg'].startswith('Another operation holds the pair on node1: switchover (failover.yml), run '
                                 'ctl:5151:880000 by alice@ctl since ')
    assert on_disk(tmp_path) == before
    # its release (in the playbook's always section) leaves the other run's lock alone
    res = call(capsys, tmp_path, BOB, state='released')
    assert not res.get('failed') and res['changed'] is False and on_disk(tmp_path) == before


def test_check_mode_writes_nothing(capsys, tmp_path):
    res = call(capsys, tmp_path, ALICE, check_mode=True)
    assert not res.get('failed') and res['lock']['run_id'] == ALICE['run_id']
    assert on_disk(tmp_path) is None


def test_a_stale_lock_goes_only_when_named(capsys, tmp_path):
    call(capsys, tmp_path, ALICE)
    res = call(capsys, tmp_path, BOB, force_release='ctl:5151:1')   # not that run
    assert res['failed'] and on_disk(tmp_path)['run_id'] == ALICE['run_id']
    res = call(capsys, tmp_path, BOB, force_release=ALICE['run_id'], operation='rejoin (rejoin.yml)')
    assert not res.get('failed') and res['changed'] is True
    assert on_disk(tmp_path)['run_id'] == BOB['run_id'] and on_disk(tmp_path)['operation'] == 'rejoin (rejoin.yml)'


def test_an_unreadable_lock_blocks(capsys, tmp_path):
    with open(os.path.join(str(tmp_path), 'hapair-operation-r0.lock'), 'w') as f:
        f.write('not json')
    res = call(capsys, tmp_path, ALICE)
    assert res['failed'] and 'unreadable lock file' in res['msg'] and 'hapair_force_release_lock=unreadable' in res['msg']
    res = call(capsys, tmp_path, ALICE, force_release='unreadable')
    assert not res.get('failed') and on_disk(tmp_path)['run_id'] == ALICE['run_id']


def test_without_the_action_plugin_there_is_no_run_id(capsys, tmp_path):
    res = run_main(mod, capsys, dict(resource='r0', directory=str(tmp_path)))
    assert res['failed'] and 'action plugin' in res['msg'] and on_disk(tmp_path) is None


def test_a_resource_name_that_is_not_one_is_refused(capsys, tmp_path):
    res = run_main(mod, capsys, dict(ALICE, resource='../x', directory=str(tmp_path)))
    assert res['failed'] and 'not a usable DRBD resource name' in res['msg']
    assert os.listdir(str(tmp_path)) == []
