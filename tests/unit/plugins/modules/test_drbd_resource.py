# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/drbd_resource.py driven through main() with a scripted run_command.

The fake run_command answers from the captured fixtures of
tests/unit/plugins/module_utils/fixtures/drbd_resource/ and records every
command. Refusals and check mode must never issue a write command
(create-md, up, adjust, primary, new-current-uuid, down).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible.module_utils import basic

from ansible_collections.hapair.cluster.plugins.modules import drbd_resource as mod
from fake_runner import ScriptedRunner, capture_warnings, run_main

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils',
                        'fixtures', 'drbd_resource')
WRITE_VERBS = ('create-md', 'up', 'adjust', 'primary', 'new-current-uuid', 'down')
DEV = '/dev/loop0'


def fx(name):
    with open(os.path.join(FIXTURES, name + '.json')) as handle:
        rec = json.load(handle)
    return rec['rc'], rec['stdout'], rec['stderr']


def warnings_text(out):
    """The module's warnings as one string.

    Recorded by a patched AnsibleModule.warn: ansible-core 2.19 sends warnings to the
    controller's Display instead of the result once any controller code was imported
    in the same process (other unit tests do that).
    """
    return json.dumps(out['_test_warnings'])


def is_write(argv):
    """drbdadm create-md/up/adjust/primary/new-current-uuid/down (not -d dry runs)."""
    if os.path.basename(argv[0]) != 'drbdadm' or '-d' in argv:
        return False
    words = [w for w in argv[1:] if not w.startswith('-')]
    return bool(words) and words[0] in WRITE_VERBS


def FakeRunner(script):
    return ScriptedRunner(script, is_write)


def base_script(gen='84', **overrides):
    script = {
        'drbdadm dump test': fx('dump_ok_84' if gen == '84' else 'dump_ok_9'),
        'drbdadm sh-ll-dev test': fx('sh_ll_dev'),
        'drbdadm sh-md-idx test': fx('sh_md_idx'),
        'drbdadm sh-minor test': fx('sh_minor'),
    }
    script.update(overrides)
    return script


def run_module(monkeypatch, capsys, args, script, check_mode=False, usage=None, diff=False):
    runner = FakeRunner(script)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', runner.bound)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, tool, required=False, opt_dirs=None: '/usr/sbin/' + tool)
    monkeypatch.setattr(mod.DrbdResource, 'realpath', staticmethod(
        lambda path: {'/dev/disk/by-partlabel/hapair-mirror': DEV}.get(path, path)))
    monkeypatch.setattr(mod.DrbdResource, 'usage',
                        lambda self, device: usage or {'mounts': [], 'holders': []})
    warned = capture_warnings(monkeypatch)
    full = {'name': 'test', 'backing_device': DEV}
    full.update(args)
    out = run_main(mod, capsys, full, check_mode, diff)
    out['_test_warnings'] = warned
    return out, runner


# ---------------------------------------------------------------------------

@pytest.mark.parametrize('gen', ['84', '9'])
def test_fresh_device_create_md_and_up(monkeypatch, capsys, gen):
    script = base_script(gen, **{
        'drbdsetup events2 --now test': [fx('events2_not_up_empty'),
                                         fx('events2_%s_fresh_connecting' % gen)],
        'drbdadm dstate test': fx('dstate_no_md_' + gen),
        'wipefs -n -p /dev/loop0': fx('wipefs_blank'),
        'drbdadm create-md test': fx('create_md_ok_' + gen),
        'drbdadm up test': (0, '', ''),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script)
    assert not out.get('failed'), out
    assert out['changed'] is True
    assert out['commands'] == ['drbdadm create-md test', 'drbdadm up test']
    assert (out['metadata_created'], out['brought_up'], out['adjusted']) == (True, True, False)
    assert out['initial_sync'] == 'none'
    assert out['minor'] == 7 and out['backing_device'] == DEV
    assert out['state']['connection_state'] == 'Connecting'
    create = [c for c in runner.calls if c['key'] == 'drbdadm create-md test'][0]
    assert create['kwargs']['data'] == 'no\n'


def test_fresh_device_check_mode_writes_nothing(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_not_up_empty'),
        'drbdadm dstate test': fx('dstate_no_md_84'),
        'wipefs -n -p /dev/loop0': fx('wipefs_blank'),
    })
    out, runner = run_module(monkeypatch, capsys, {'initial_sync': 'source'}, script,
                             check_mode=True)
    assert runner.writes == []
    assert out['changed'] is True
    assert out['commands'] == ['drbdadm create-md test', 'drbdadm up test']
    assert out['metadata_created'] is True and out['brought_up'] is True
    assert out['initial_sync'] == 'none'
    assert out['state']['up'] is False
    assert 'check mode cannot predict' in warnings_text(out)


@pytest.mark.parametrize('check_mode', [False, True])
def test_xfs_is_refused_without_writes(monkeypatch, capsys, check_mode):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_not_up_empty'),
        'drbdadm dstate test': fx('dstate_no_md_84'),
        'wipefs -n -p /dev/loop0': fx('wipefs_xfs'),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script, check_mode=check_mode)
    assert out['failed'] is True
    assert out['changed'] is False
    assert runner.writes == []
    assert 'holds an xfs filesystem' in out['msg']
    assert 'wipefs -a /dev/loop0' in out['msg']
    assert out['metadata_created'] is False


def test_backing_device_mismatch_is_refused_without_writes(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, {'backing_device': '/dev/vdc1'}, base_script())
    assert out['failed'] is True and runner.writes == []
    assert 'is not the disk that the DRBD configuration uses' in out['msg']
    # refused before looking at the kernel state
    assert not any(c['key'].startswith('drbdsetup') for c in runner.calls)


def test_partlabel_mismatch_is_refused_without_writes(monkeypatch, capsys):
    script = base_script(**{
        'blkid -p -o export /dev/loop0': fx('blkid_partition_swap_label_with_space')})
    out, runner = run_module(monkeypatch, capsys, {'expected_partlabel': 'hapair-mirror'}, script)
    assert out['failed'] is True and runner.writes == []
    assert "carries the partition name 'other part'" in out['msg']


def test_partlabel_by_symlink_passes(monkeypatch, capsys):
    script = base_script(**{
        'drbdadm sh-ll-dev test': fx('sh_ll_dev_by_partlabel'),
        'blkid -p -o export /dev/loop0': fx('blkid_partition_labelled'),
        'drbdsetup events2 --now test': fx('events2_84_uptodate_secondary'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_in_sync'),
    })
    out, runner = run_module(monkeypatch, capsys, {
        'backing_device': '/dev/disk/by-partlabel/hapair-mirror',
        'expected_partlabel': 'hapair-drbd'}, script)
    assert not out.get('failed'), out
    assert out['changed'] is False and runner.writes == []


@pytest.mark.parametrize('gen', ['84', '9'])
def test_second_run_is_not_changed(monkeypatch, capsys, gen):
    script = base_script(gen, **{
        'drbdsetup events2 --now test': fx('events2_%s_uptodate_primary' % gen),
        'drbdadm -d adjust test': fx('adjust_dry_run_%s_in_sync' % gen),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script)
    assert not out.get('failed'), out
    assert out['changed'] is False
    assert out['commands'] == [] and runner.writes == []
    assert out['state'] == {'up': True, 'role': 'Primary', 'disk_state': 'UpToDate',
                            'peer_disk_state': 'UpToDate', 'connection_state': 'Connected',
                            'replication_state': 'Established'}


def test_pending_config_is_adjusted_and_verified(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': [fx('adjust_dry_run_84_options_changed'),
                                   fx('adjust_dry_run_84_options_in_sync')],
        'drbdadm adjust test': (0, '', ''),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script)
    assert not out.get('failed'), out
    assert out['changed'] is True and out['adjusted'] is True
    assert runner.writes == ['drbdadm adjust test']
    assert len(out['adjust_plan']) == 2
    assert 's3cret' not in json.dumps(out)
    assert 'still lists' not in warnings_text(out)
    # dry run, adjust, dry run again to confirm the next run will be unchanged
    keys = [c['key'] for c in runner.calls if 'adjust' in c['key']]
    assert keys == ['drbdadm -d adjust test', 'drbdadm adjust test', 'drbdadm -d adjust test']


def test_adjust_that_does_not_converge_warns(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_options_changed'),
        'drbdadm adjust test': (0, '', ''),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script)
    assert out['changed'] is True
    assert 'still lists commands after adjust' in warnings_text(out)
    assert 's3cret' not in json.dumps(out)


def test_pending_config_in_check_mode_is_not_adjusted(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_options_changed'),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script, check_mode=True)
    assert runner.writes == []
    assert out['changed'] is True and out['commands'] == ['drbdadm adjust test']


@pytest.mark.parametrize('check_mode', [True, False])
def test_diff_mode_shows_what_adjust_would_run_without_the_secret(monkeypatch, capsys, check_mode):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': [fx('adjust_dry_run_84_options_changed'),
                                   fx('adjust_dry_run_84_options_in_sync')],
        'drbdadm adjust test': (0, '', ''),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script, check_mode=check_mode, diff=True)
    prepared = out['diff']['prepared']
    assert prepared.startswith('drbdadm adjust test would run (drbdadm -d adjust test):\n')
    assert [line.strip() for line in prepared.splitlines()[1:]] == out['adjust_plan']
    assert 's3cret' not in json.dumps(out)


def test_no_diff_when_nothing_is_pending(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_options_in_sync'),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script, diff=True)
    assert out['changed'] is False and 'diff' not in out


def test_disruptive_adjust_is_refused_without_writes(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_disk_path_differs'),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script)
    assert out['failed'] is True and runner.writes == []
    assert 'would detach' in out['msg']


@pytest.mark.parametrize('mode, command, result', [
    ('source', 'drbdadm primary --force test', 'started'),
    ('skip', 'drbdadm new-current-uuid --clear-bitmap test/0', 'skipped'),
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_initial_sync(monkeypatch, capsys, mode, command, result, check_mode):
    after = 'events2_84_syncsource' if mode == 'source' else 'events2_84_after_skip'
    script = base_script(**{
        'drbdsetup events2 --now test': [fx('events2_84_fresh_connected'), fx(after)],
        'drbdadm -d adjust test': fx('adjust_dry_run_84_in_sync'),
        'drbdadm get-gi test': fx('get_gi_fresh_84_up'),
        command: (0, '', ''),
    })
    out, runner = run_module(monkeypatch, capsys, {'initial_sync': mode}, script,
                             check_mode=check_mode)
    assert not out.get('failed'), out
    assert out['initial_sync'] == result
    assert out['changed'] is True
    assert out['commands'] == [command]
    assert runner.writes == ([] if check_mode else [command])


def test_initial_sync_already_done_is_not_changed(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_in_sync'),
        'drbdadm get-gi test': fx('get_gi_synced_84'),
    })
    out, runner = run_module(monkeypatch, capsys, {'initial_sync': 'source'}, script)
    assert out['changed'] is False and runner.writes == []
    assert out['initial_sync'] == 'not-needed'


def test_initial_sync_without_peer_is_refused_without_writes(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_fresh_connecting'),
        'drbdadm -d adjust test': fx('adjust_dry_run_84_in_sync'),
        'drbdadm get-gi test': fx('get_gi_fresh_84_up'),
    })
    out, runner = run_module(monkeypatch, capsys, {'initial_sync': 'source'}, script)
    assert out['failed'] is True and runner.writes == []
    assert out['msg'].startswith('peer not connected; initial sync needs both nodes up')
    assert out['changed'] is False


def test_initial_sync_right_after_up_reports_the_changes_it_made(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': [fx('events2_not_up_empty'),
                                         fx('events2_84_fresh_connecting')],
        'drbdadm dstate test': fx('dstate_no_md_84'),
        'wipefs -n -p /dev/loop0': fx('wipefs_blank'),
        'drbdadm create-md test': fx('create_md_ok_84'),
        'drbdadm up test': (0, '', ''),
        'drbdadm get-gi test': fx('get_gi_fresh_84_up'),
    })
    out, runner = run_module(monkeypatch, capsys, {'initial_sync': 'source'}, script)
    assert out['failed'] is True
    assert out['msg'].startswith('peer not connected; initial sync needs both nodes up')
    assert out['changed'] is True and out['brought_up'] is True
    assert runner.writes == ['drbdadm create-md test', 'drbdadm up test']


def test_create_md_safety_question_is_refused(monkeypatch, capsys):
    # wipefs sees nothing, but drbdmeta finds data at the start and asks: the answer is no
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_not_up_empty'),
        'drbdadm dstate test': fx('dstate_no_md_84'),
        'wipefs -n -p /dev/loop0': fx('wipefs_unnamed_data'),
        'drbdadm create-md test': fx('create_md_unnamed_data_84'),
    })
    out, runner = run_module(monkeypatch, capsys, {}, script)
    assert out['failed'] is True
    assert out['changed'] is False and out['metadata_created'] is False
    assert runner.writes == ['drbdadm create-md test']  # never followed by up
    assert 'safety question' in out['msg']


@pytest.mark.parametrize('check_mode', [False, True])
def test_down_while_mounted_is_refused_without_writes(monkeypatch, capsys, check_mode):
    script = base_script(**{'drbdsetup events2 --now test': fx('events2_84_uptodate_primary')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'down'}, script,
                             check_mode=check_mode,
                             usage={'mounts': [('/var/hvmail', 'xfs')], 'holders': []})
    assert out['failed'] is True and runner.writes == []
    assert '/dev/drbd7 is mounted on /var/hvmail (xfs)' in out['msg']


def test_down(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': [fx('events2_84_uptodate_secondary'),
                                         fx('events2_not_up_empty')],
        'drbdadm down test': (0, '', ''),
    })
    out, runner = run_module(monkeypatch, capsys, {'state': 'down'}, script)
    assert not out.get('failed'), out
    assert runner.writes == ['drbdadm down test']
    assert out['state']['up'] is False


def test_down_failure_names_fuser(monkeypatch, capsys):
    script = base_script(**{
        'drbdsetup events2 --now test': fx('events2_84_uptodate_primary'),
        'drbdadm down test': (11, '', '7: State change failed: (-12) Device is held open by someone\n'),
    })
    out, runner = run_module(monkeypatch, capsys, {'state': 'down'}, script)
    assert out['failed'] is True
    assert 'held open by someone' in out['msg'] and 'fuser -vm /dev/drbd7' in out['msg']


def test_invalid_options_fail_before_any_command(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, {'state': 'down', 'initial_sync': 'source'}, {})
    assert out['failed'] is True and runner.calls == []
    assert 'needs state=up' in out['msg']
