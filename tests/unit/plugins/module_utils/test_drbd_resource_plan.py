# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions of plugins/module_utils/drbd_resource.py, on captured command outputs.

Fixtures live in fixtures/drbd_resource/ (see its README.md): one JSON file per
command run, with rc/stdout/stderr and whether it was captured or written.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import json
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_resource import (
    PlanError,
    adjust_decision,
    create_md_outcome,
    describe_signature,
    events2_state,
    initial_sync_decision,
    is_fresh_uuid,
    mask_secrets,
    metadata_probe,
    normalise_state,
    parse_blkid_export,
    parse_dry_run,
    parse_gi,
    parse_wipefs,
    plan,
    probe_argv,
)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd_resource')
NAME = 'test'
DEV = '/dev/loop0'  # the disk of the captured configuration
WRITE_VERBS = ('create-md', 'up', 'adjust', 'primary', 'new-current-uuid', 'down')


def fx(name):
    """Fixture -> (rc, stdout, stderr)."""
    with open(os.path.join(FIXTURES, name + '.json')) as handle:
        rec = json.load(handle)
    return rec['rc'], rec['stdout'], rec['stderr']


def params(**kwargs):
    base = {'name': NAME, 'state': 'up', 'backing_device': DEV,
            'expected_partlabel': None, 'initial_sync': 'none'}
    base.update(kwargs)
    return base


def facts(gen='84', **kwargs):
    """Facts of a resource whose config is valid and names /dev/loop0 for this host."""
    base = {
        'dump': fx('dump_ok_84' if gen == '84' else 'dump_ok_9'),
        'll_dev': fx('sh_ll_dev'),
        'md_idx': fx('sh_md_idx'),
        'minor': fx('sh_minor'),
        'realpaths': {DEV: DEV},
    }
    base.update(kwargs)
    return base


def verbs(result):
    return [action['verb'] for action in result['actions']]


def argvs(result):
    return [' '.join(action['argv']) for action in result['actions']]


def assert_refused(result, *needles):
    assert result['refusal'], result
    assert result['actions'] == []
    assert result['need'] is None
    for needle in needles:
        assert needle in result['refusal'], result['refusal']


# ---------------------------------------------------------------------------
# the brief's decision table

@pytest.mark.parametrize('gen', ['84', '9'])
def test_fresh_blank_device_gets_metadata_and_is_brought_up(gen):
    result = plan(params(), facts(gen, events2=fx('events2_not_up_empty'),
                                  dstate=fx('dstate_no_md_' + gen), wipefs=fx('wipefs_blank')))
    assert result['refusal'] is None
    assert argvs(result) == ['drbdadm create-md test', 'drbdadm up test']
    assert result['actions'][0]['stdin'] == 'no\n'  # any drbdmeta question is answered "no"
    assert '--max-peers' not in ' '.join(argvs(result))
    assert result['minor'] == 7
    assert result['backing_device'] == DEV


@pytest.mark.parametrize('dstate', ['dstate_md_v08_84', 'dstate_md_v09_9'])
def test_metadata_present_and_down_is_only_brought_up(dstate):
    result = plan(params(), facts(events2=fx('events2_not_up_rc10'), dstate=fx(dstate)))
    assert result['refusal'] is None
    assert verbs(result) == ['up']


@pytest.mark.parametrize('gen', ['84', '9'])
def test_up_and_empty_adjust_dry_run_does_nothing(gen):
    events = 'events2_84_uptodate_secondary' if gen == '84' else 'events2_9_uptodate_primary'
    result = plan(params(), facts(gen, events2=fx(events), adjust=fx('adjust_dry_run_%s_in_sync' % gen)))
    assert result['refusal'] is None
    assert result['actions'] == []
    assert result['pending'] == []
    assert result['state']['up'] is True


@pytest.mark.parametrize('gen', ['84', '9'])
def test_up_and_adjust_dry_run_with_commands_adjusts(gen):
    result = plan(params(), facts(gen, events2=fx('events2_84_uptodate_primary'),
                                  adjust=fx('adjust_dry_run_%s_options_changed' % gen)))
    assert result['refusal'] is None
    assert argvs(result) == ['drbdadm adjust test']
    assert any('--max-buffers=8000' in line for line in result['pending'])
    # the dry run prints the shared secret; it must not leak into results
    assert not any('s3cret' in line for line in result['pending'])
    assert any('--shared-secret=********' in line for line in result['pending'])


@pytest.mark.parametrize('wipefs, found', [
    ('wipefs_xfs', 'an xfs filesystem (at offset 0x0)'),
    ('wipefs_swap', 'a swap area'),
    ('wipefs_gpt_disk', 'a GPT partition table'),
])
def test_device_with_a_signature_is_refused_without_create_md(wipefs, found):
    result = plan(params(), facts(events2=fx('events2_not_up_empty'),
                                  dstate=fx('dstate_no_md_84'), wipefs=fx(wipefs)))
    assert_refused(result, '/dev/loop0 holds ' + found,
                   'DRBD internal metadata would overwrite the end of it',
                   'wipe it yourself: wipefs -a /dev/loop0', 'Nothing was changed')
    assert 'create-md' not in ' '.join(argvs(result))


def test_config_disk_other_than_backing_device_is_refused():
    result = plan(params(backing_device='/dev/vdc1'),
                  facts(realpaths={'/dev/vdc1': '/dev/vdc1', DEV: DEV}))
    assert_refused(result, 'backing_device /dev/vdc1 (/dev/vdc1) is not the disk',
                   '/dev/loop0', 'The configuration and the role disagree')


def test_symlinks_are_resolved_before_comparing():
    link = '/dev/disk/by-partlabel/hapair-mirror'
    result = plan(params(backing_device=link),
                  facts(ll_dev=fx('sh_ll_dev_by_partlabel'), realpaths={link: DEV},
                        events2=fx('events2_84_uptodate_secondary'),
                        adjust=fx('adjust_dry_run_84_in_sync')))
    assert result['refusal'] is None
    assert result['backing_device'] == DEV


def test_partlabel_mismatch_is_refused():
    result = plan(params(expected_partlabel='hapair-mirror'),
                  facts(blkid=fx('blkid_partition_swap_label_with_space')))
    assert_refused(result, "carries the partition name 'other part'", "expected 'hapair-mirror'",
                   'spare_partition')


def test_no_partlabel_is_refused_after_the_lsblk_fallback():
    result = plan(params(expected_partlabel='hapair-mirror'), facts(blkid=fx('blkid_blank')))
    assert result['need'] == 'lsblk'
    result = plan(params(expected_partlabel='hapair-mirror'),
                  facts(blkid=fx('blkid_blank'), lsblk=fx('lsblk_partlabel_no_udev')))
    assert_refused(result, 'carries no GPT partition name')


def test_matching_partlabel_passes():
    result = plan(params(expected_partlabel='hapair-drbd'),
                  facts(blkid=fx('blkid_partition_labelled'), events2=fx('events2_not_up_empty'),
                        dstate=fx('dstate_no_md_84'), wipefs=fx('wipefs_blank')))
    assert result['refusal'] is None
    assert verbs(result) == ['create-md', 'up']


@pytest.mark.parametrize('events, gi', [
    ('events2_84_fresh_connected', 'get_gi_fresh_84_up'),
    ('events2_84_fresh_connected', 'get_gi_fresh_84'),
    ('events2_9_fresh_connected', 'get_gi_fresh_9'),
])
def test_initial_sync_source_forces_primary(events, gi):
    result = plan(params(initial_sync='source'),
                  facts(events2=fx(events), adjust=fx('adjust_dry_run_84_in_sync'), gi=fx(gi)))
    assert result['refusal'] is None
    assert argvs(result) == ['drbdadm primary --force test']
    assert result['initial_sync'] == 'started'


@pytest.mark.parametrize('gi', ['get_gi_synced_84', 'get_gi_synced_9'])
def test_initial_sync_with_used_metadata_is_not_needed(gi):
    result = plan(params(initial_sync='source'),
                  facts(events2=fx('events2_84_fresh_connected'),
                        adjust=fx('adjust_dry_run_84_in_sync'), gi=fx(gi)))
    assert result['refusal'] is None
    assert result['actions'] == []
    assert result['initial_sync'] == 'not-needed'
    # both Inconsistent but not fresh: said loudly, not acted on
    assert any('not freshly created' in warning for warning in result['warnings'])


@pytest.mark.parametrize('events', ['events2_84_fresh_connecting', 'events2_9_fresh_connecting',
                                    'events2_84_diskless_connecting'])
def test_initial_sync_without_peer_is_refused(events):
    result = plan(params(initial_sync='skip'),
                  facts(events2=fx(events), adjust=fx('adjust_dry_run_84_in_sync'),
                        gi=fx('get_gi_fresh_84')))
    if events == 'events2_84_diskless_connecting':
        # no local disk: not Inconsistent, nothing to decide here
        assert result['initial_sync'] == 'not-needed'
        return
    assert_refused(result, 'peer not connected; initial sync needs both nodes up')


@pytest.mark.parametrize('gen', ['84', '9'])
def test_initial_sync_skip_clears_the_bitmap(gen):
    result = plan(params(initial_sync='skip'),
                  facts(gen, events2=fx('events2_%s_fresh_connected' % gen),
                        adjust=fx('adjust_dry_run_%s_in_sync' % gen),
                        gi=fx('get_gi_fresh_' + gen)))
    assert result['refusal'] is None
    assert argvs(result) == ['drbdadm new-current-uuid --clear-bitmap test/0']
    assert result['initial_sync'] == 'skipped'


# ---------------------------------------------------------------------------
# more refusals and edge cases

@pytest.mark.parametrize('dump, needle', [
    ('dump_parse_error', 'does not parse (drbdadm dump test: rc 10'),
    ('dump_parse_error_84', "Parse error: ';' expected"),
    ('dump_host_not_in_config', "is not defined for this host"),
])
def test_invalid_config_is_refused(dump, needle):
    result = plan(params(), {'dump': fx(dump)})
    assert_refused(result, needle)
    assert 'modinfo' not in result['refusal']


def test_v08_metadata_unreadable_by_drbd9_is_refused():
    result = plan(params(), facts('9', events2=fx('events2_not_up_empty'),
                                  dstate=fx('dstate_md_v08_read_by_9'),
                                  wipefs=fx('wipefs_drbd_v08')))
    assert_refused(result, 'holds DRBD metadata', 'v08 written by DRBD 8.4',
                   'does not convert or replace metadata')


def test_drbd_signature_wins_over_the_filesystem_inside_it():
    result = plan(params(), facts(events2=fx('events2_not_up_empty'),
                                  dstate=fx('dstate_md_v09_read_by_84'),
                                  wipefs=fx('wipefs_drbd_v08_with_ext4')))
    assert_refused(result, 'holds DRBD metadata')


@pytest.mark.parametrize('gen', ['84', '9'])
def test_adjust_that_would_detach_the_disk_is_refused(gen):
    result = plan(params(), facts(gen, events2=fx('events2_84_uptodate_primary'),
                                  adjust=fx('adjust_dry_run_%s_disk_path_differs' % gen)))
    assert_refused(result, 'would detach or remove parts of the running resource', 'detach ')


@pytest.mark.parametrize('gen', ['84', '9'])
def test_adjust_of_a_changed_peer_address_is_done(gen):
    result = plan(params(), facts(gen, events2=fx('events2_84_uptodate_primary'),
                                  adjust=fx('adjust_dry_run_%s_peer_address_differs' % gen)))
    assert result['refusal'] is None
    assert verbs(result) == ['adjust']


@pytest.mark.parametrize('gen', ['84', '9'])
def test_standalone_is_reconnected_with_a_warning(gen):
    result = plan(params(), facts(gen, events2=fx('events2_84_standalone'),
                                  adjust=fx('adjust_dry_run_%s_standalone' % gen)))
    assert verbs(result) == ['adjust']
    assert any('Split-Brain detected' in warning for warning in result['warnings'])


@pytest.mark.parametrize('fixture', sorted(
    os.path.basename(p)[:-5] for p in glob.glob(os.path.join(FIXTURES, 'adjust_dry_run_*_in_sync.json'))))
def test_adjust_is_idempotent_when_running_matches_config(fixture):
    # the idempotence finding: drbdadm -d adjust prints nothing when nothing differs,
    # also when the running values are unit-converted (c-max-rate 720M == 737280)
    pending, refusal, warnings = adjust_decision(NAME, fx(fixture), {'connection_state': 'Connected'})
    assert (pending, refusal, warnings) == ([], None, [])


def test_kernel_module_missing_refuses_up_but_down_is_a_no_op():
    result = plan(params(), facts('9', events2=fx('events2_no_module')))
    assert_refused(result, 'kernel module is not loaded')
    result = plan(params(state='down'), facts('9', events2=fx('events2_no_module_84')))
    assert result['refusal'] is None and result['actions'] == []


def test_down_refuses_while_mounted():
    usage = {'mounts': [('/var/hvmail', 'xfs')], 'holders': ['dm-3 (vg-data)']}
    result = plan(params(state='down'), facts(events2=fx('events2_84_uptodate_primary')))
    assert result['need'] == 'usage'
    result = plan(params(state='down'),
                  facts(events2=fx('events2_84_uptodate_primary'), usage=usage))
    assert_refused(result, 'refusing to take test down: it is Primary and in use',
                   '/dev/drbd7 is mounted on /var/hvmail (xfs)', 'held by dm-3 (vg-data)')


def test_down_refuses_when_proc_mounts_could_not_be_read():
    usage = {'mounts': [], 'holders': [], 'unreadable': '/proc/mounts could not be read (Permission denied)'}
    result = plan(params(state='down'), facts(events2=fx('events2_84_uptodate_primary'), usage=usage))
    assert_refused(result, 'refusing to take test down: it is Primary and in use',
                   'whether /dev/drbd7 is mounted is unknown: /proc/mounts could not be read (Permission denied); '
                   'that counts as in use')
    assert result['actions'] == []


def test_down_when_not_in_use_and_when_already_down():
    result = plan(params(state='down'), facts(events2=fx('events2_84_uptodate_primary'),
                                              usage={'mounts': [], 'holders': []}))
    assert argvs(result) == ['drbdadm down test']
    result = plan(params(state='down'), facts(events2=fx('events2_not_up_empty')))
    assert result['actions'] == [] and result['refusal'] is None


def test_initial_sync_needs_state_up():
    with pytest.raises(PlanError):
        plan(params(state='down', initial_sync='source'), {})


def test_initial_sync_on_a_down_resource_is_deferred_until_it_is_up():
    result = plan(params(initial_sync='source'),
                  facts(events2=fx('events2_not_up_empty'), dstate=fx('dstate_no_md_84'),
                        wipefs=fx('wipefs_blank')))
    assert verbs(result) == ['create-md', 'up']
    assert result['deferred_initial_sync'] is True


@pytest.mark.parametrize('events', ['events2_84_synctarget', 'events2_84_syncsource',
                                    'events2_84_after_skip'])
def test_initial_sync_already_started_is_not_needed(events):
    result = plan(params(initial_sync='source'),
                  facts(events2=fx(events), adjust=fx('adjust_dry_run_84_in_sync'),
                        gi=fx('get_gi_fresh_84_up')))
    assert result['refusal'] is None
    assert result['initial_sync'] == 'not-needed'
    assert result['actions'] == []


def test_multi_volume_and_external_metadata_are_refused():
    result = plan(params(), facts(ll_dev=(0, '/dev/vdb1\n/dev/vdc1\n', '')))
    assert_refused(result, 'has 2 volumes')
    result = plan(params(), facts(md_idx=(0, 'flexible\n', '')))
    assert_refused(result, 'does not use internal metadata')


def test_missing_backing_device_is_refused():
    result = plan(params(), facts(realpaths={DEV: None}))
    assert_refused(result, 'does not exist')


def test_unreadable_metadata_probe_is_refused():
    result = plan(params(), facts(events2=fx('events2_not_up_empty'),
                                  dstate=(20, '', 'open(/dev/loop0) failed: Permission denied\n')))
    assert_refused(result, 'cannot tell whether /dev/loop0 holds DRBD metadata', 'Permission denied')


def test_probes_are_asked_for_one_at_a_time_and_only_when_needed():
    asked = []
    gathered = {}
    sources = facts(events2=fx('events2_84_uptodate_secondary'),
                    adjust=fx('adjust_dry_run_84_in_sync'))
    for dummy in range(20):
        result = plan(params(), gathered)
        if not result['need']:
            break
        asked.append(result['need'])
        gathered[result['need']] = sources[result['need']]
    assert asked == ['dump', 'll_dev', 'md_idx', 'minor', 'realpaths', 'events2', 'adjust']
    assert result['actions'] == []


def test_probe_commands_are_read_only():
    for probe in ('dump', 'll_dev', 'md_idx', 'minor', 'events2', 'blkid', 'lsblk', 'dstate',
                  'wipefs', 'adjust', 'gi'):
        argv = probe_argv(probe, params(), {'realpaths': {DEV: DEV}})
        if argv[0] == 'drbdadm':
            words = [w for w in argv[1:] if not w.startswith('-')]
            assert words[0] not in WRITE_VERBS or '-d' in argv, argv
        if argv[0] == 'wipefs':
            assert '-n' in argv


# ---------------------------------------------------------------------------
# parsers on captured output

def test_parse_gi_on_both_formats():
    assert parse_gi(fx('get_gi_fresh_84')[1]) == 4
    assert parse_gi(fx('get_gi_fresh_9')[1]) == 4
    assert parse_gi(fx('show_gi_fresh_84')[1]) == 4  # show-gi has the same line in its art
    assert parse_gi(fx('get_gi_no_md_84')[1]) is None
    assert parse_gi(fx('get_gi_synced_84')[1]) == 0x8A2B5C1D3E4F5060
    assert is_fresh_uuid(4) and is_fresh_uuid(5)
    assert not is_fresh_uuid(0x8A2B5C1D3E4F5060) and not is_fresh_uuid(None)


def test_metadata_probe_on_captures():
    assert metadata_probe(fx('dstate_md_v08_84')) == ('present', 'Inconsistent')
    assert metadata_probe(fx('dstate_md_v09_9')) == ('present', 'Inconsistent')
    assert metadata_probe(fx('dstate_no_md_84')) == ('absent', None)
    assert metadata_probe(fx('dstate_no_md_9')) == ('absent', None)
    assert metadata_probe(fx('dstate_md_v08_read_by_9')) == ('absent', None)


def test_parse_wipefs():
    assert parse_wipefs(fx('wipefs_blank')[1]) == []
    assert parse_wipefs(fx('wipefs_unnamed_data')[1]) == []
    assert [s['type'] for s in parse_wipefs(fx('wipefs_drbd_v08_with_ext4')[1])] == ['drbd', 'ext4']
    assert [s['type'] for s in parse_wipefs(fx('wipefs_gpt_disk')[1])] == ['gpt', 'gpt', 'PMBR']
    # util-linux 2.23 (EL7) prints a header line; labels may hold commas
    el7 = '# offset,uuid,label,type\n0x438,2c6a,data,old,ext4\n'
    assert parse_wipefs(el7) == [{'offset': '0x438', 'uuid': '2c6a', 'label': 'data,old',
                                  'type': 'ext4'}]


def test_parse_blkid_export_unescapes():
    assert parse_blkid_export(fx('blkid_partition_swap_label_with_space')[1])['PART_ENTRY_NAME'] \
        == 'other part'
    assert parse_blkid_export(fx('blkid_partition_labelled')[1])['PART_ENTRY_NAME'] == 'hapair-drbd'


def test_create_md_outcomes():
    assert create_md_outcome(NAME, DEV, fx('create_md_ok_84')) == (True, None)
    assert create_md_outcome(NAME, DEV, fx('create_md_ok_9')) == (True, None)
    for name in ('create_md_xfs_84', 'create_md_xfs_9', 'create_md_unnamed_data_84',
                 'create_md_unnamed_data_9', 'create_md_existing_v08_84', 'create_md_v09_over_v08'):
        ok, msg = create_md_outcome(NAME, DEV, fx(name))
        assert not ok
        assert 'safety question' in msg and 'Nothing was written' in msg, name
        assert 'modinfo' not in msg
    ok, msg = create_md_outcome(NAME, DEV, (20, '', 'open(/dev/loop0) failed\n'))
    assert not ok and 'rc 20' in msg


def test_dry_run_and_secrets():
    assert parse_dry_run(fx('adjust_dry_run_84_in_sync')[1]) == []
    assert parse_dry_run(fx('up_dry_run_84')[1])[-1].endswith('connect test ipv4:192.0.2.10:7789 '
                                                              'ipv4:192.0.2.11:7789 --protocol=C')
    assert mask_secrets('net { shared-secret "abc"; }') == 'net { shared-secret "********"; }'
    assert mask_secrets('x --shared-secret=abc --y') == 'x --shared-secret=******** --y'


def test_events2_state():
    state, missing, error = events2_state(NAME, fx('events2_84_fresh_connected'))
    assert (state['role'], state['disk_state'], state['peer_disk_state'],
            state['connection_state'], state['replication_state'], state['minor']) == \
        ('Secondary', 'Inconsistent', 'Inconsistent', 'Connected', 'Established', 7)
    assert events2_state(NAME, fx('events2_not_up_empty')) == (None, None, None)
    assert events2_state(NAME, fx('events2_not_up_rc10')) == (None, None, None)
    assert 'Failed to modprobe drbd' in events2_state(NAME, fx('events2_no_module'))[1]
    state, missing, error = events2_state(NAME, (1, '', 'something odd\n'))
    assert state is None and 'something odd' in error
    assert normalise_state(fx('events2_9_fresh_connected')[1], 'other') is None


def test_describe_signature():
    assert describe_signature('xfs') == 'an xfs filesystem'
    assert describe_signature('ext4') == 'an ext4 filesystem'
    assert describe_signature('LVM2_member') == 'an LVM physical volume'
    assert describe_signature('weird') == 'a weird signature'


def test_initial_sync_refuses_when_gi_unreadable():
    state = normalise_state(fx('events2_84_fresh_connected')[1], NAME)
    decision = initial_sync_decision(NAME, 'source', state, (1, '', ''))
    assert decision['refusal'] and 'get-gi' in decision['refusal']
    assert decision['action'] is None
