# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions of plugins/module_utils/drbd_role.py, on states parsed from the fixtures.

States come from fixtures/drbd/ (real lab captures ``*_84_lab_*`` and
doc-based ones), parsed with drbd_status.parse_events2; a few are edited
copies of a capture (``edited(...)``) for situations not captured yet.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_role import (
    ACTIONS, device_names, explain_failure, parse_fuser, plan_role, role_argv,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import parse_events2

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
FORCE_HINT = 'force_stale_promotion=true'
PEER_PRIMARY = 'peer is Primary and connected'
TAKEOVER = 'peer not connected: writes made on the old Primary after the link was lost are not here'


def load(fixture):
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as handle:
        return handle.read()


def edited(fixture, *replacements):
    """events2 text of a fixture with (old, new) replacements applied."""
    text = load(fixture)
    for old, new in replacements:
        assert old in text, (fixture, old)
        text = text.replace(old, new)
    return text


def state_of(text, name=None):
    states = parse_events2(text)
    if name is None:
        assert len(states) == 1, states
        name = list(states)[0]
    return states[name]


def fx(fixture, name=None):
    return state_of(load(fixture), name)


# Situations not captured as such, derived from captures.
# Secondary, UpToDate, peer Secondary and connected: the new Primary of a controlled failover.
SECONDARY_PEER_SECONDARY = ('events2_84_connected_secondary.txt',
                            ('connection:Connected role:Primary', 'connection:Connected role:Secondary'))
# The lab's node1 after the link cut, had it been Secondary: emergency takeover candidate.
LINKDOWN_UPTODATE_SECONDARY = ('events2_84_lab_linkdown_node1.txt',
                               ('resource name:cap role:Primary', 'resource name:cap role:Secondary'))
# Outdated while still connected (the peer fenced it, link back, resync not started).
CONSISTENT_STANDALONE = ('events2_84_standalone.txt', ('disk:Outdated', 'disk:Consistent'))
DISKLESS_STANDALONE = ('events2_84_standalone.txt', ('disk:Outdated', 'disk:Diskless'))
SUSPENDED_PRIMARY = ('events2_84_connected_primary.txt', ('suspended:no', 'suspended:user,fencing'))


def derived(spec, name=None):
    return state_of(edited(spec[0], *spec[1:]), name)


# ---------------------------------------------------------------------------
# promotion

PROMOTE_CASES = [
    # id, state, force, action, refusal substrings, warning substrings
    ('lab synctarget node2: peer Primary and resync running', fx('events2_84_lab_synctarget_node2.txt'),
     False, None, [PEER_PRIMARY, 'SyncTarget', 'incomplete'], []),
    ('lab synctarget node2 forced: peer Primary cannot be forced', fx('events2_84_lab_synctarget_node2.txt'),
     True, None, [PEER_PRIMARY, 'does not override'], []),
    ('8.4 connected secondary, peer Primary', fx('events2_84_connected_secondary.txt'),
     False, None, [PEER_PRIMARY, 'make_secondary.yml', 'failover.yml'], []),
    ('9 connected secondary, peer Primary named', fx('events2_9_connected_secondary.txt'),
     True, None, ['peer is Primary and connected (node1)'], []),
    ('lab linkdown node2: Inconsistent, peer gone', fx('events2_84_lab_linkdown_node2.txt'),
     False, None, ['local disk is Inconsistent', FORCE_HINT], []),
    ('lab linkdown node2 forced', fx('events2_84_lab_linkdown_node2.txt'),
     True, 'primary-force', None, ['disk Inconsistent', '940240 KiB (918.2 MiB)', 'split brain']),
    ('lab standalone node2 forced', fx('events2_84_lab_standalone_node2.txt'),
     True, 'primary-force', None, ['disk Inconsistent', '779724 KiB']),
    ('lab fresh node1: both Inconsistent, connected', fx('events2_84_lab_fresh_node1.txt'),
     False, None, ['local disk is Inconsistent'], []),
    ('lab fresh node1 forced: overwrites the connected peer', fx('events2_84_lab_fresh_node1.txt'),
     True, 'primary-force', None, ['peer is connected with its disk Inconsistent', 'over the peer',
                                   '1048508 KiB']),
    ('Outdated StandAlone', fx('events2_84_standalone.txt'),
     False, None, ['local disk is Outdated', 'the peer fenced this node while it kept writing',
                   FORCE_HINT], []),
    ('Outdated StandAlone forced, amount unknown', fx('events2_84_standalone.txt'),
     True, 'primary-force', None, ['disk Outdated', 'amount is unknown']),
    ('Consistent StandAlone', derived(CONSISTENT_STANDALONE),
     False, None, ['local disk is Consistent'], []),
    ('Diskless StandAlone', derived(DISKLESS_STANDALONE),
     False, None, ['local disk is Diskless', 'drbdadm attach'], []),
    ('UpToDate Secondary, peer Secondary connected', derived(SECONDARY_PEER_SECONDARY),
     False, 'primary', None, []),
    ('UpToDate Secondary, peer Secondary connected, force unused', derived(SECONDARY_PEER_SECONDARY),
     True, 'primary', None, []),
    ('emergency takeover: UpToDate, peer not connected', derived(LINKDOWN_UPTODATE_SECONDARY),
     False, 'primary', None, [TAKEOVER, 'cap is Connecting', 'split brain']),
    ('emergency takeover with force: plain primary', derived(LINKDOWN_UPTODATE_SECONDARY),
     True, 'primary', None, [TAKEOVER]),
    ('9 multi resource: web is UpToDate and Connecting', fx('events2_9_multi_resource.txt', 'web'),
     False, 'primary', None, [TAKEOVER]),
    ('already Primary (8.4)', fx('events2_84_connected_primary.txt'), False, None, None, []),
    ('already Primary, link down', fx('events2_84_lab_linkdown_node1.txt'), False, None, None, []),
    ('already Primary (9, SyncSource)', fx('events2_9_syncsource_two_volumes.txt'), True, None, None, []),
]


@pytest.mark.parametrize('case_id, state, force, action, refusal, warnings', PROMOTE_CASES,
                         ids=[case[0] for case in PROMOTE_CASES])
def test_promotion(case_id, state, force, action, refusal, warnings):
    result = plan_role('primary', state, [], None, force, resource=state['name'])
    assert result['action'] == action
    assert result['action'] in ACTIONS
    if refusal is None:
        assert result['refusal'] is None, result['refusal']
    else:
        assert result['refusal'].startswith('refusing to promote %s: ' % state['name'])
        for text in refusal:
            assert text in result['refusal']
    joined = ' | '.join(result['warnings'])
    for text in warnings:
        assert text in joined
    if not warnings:
        assert result['warnings'] == []


def test_refusal_never_carries_an_action():
    for case in PROMOTE_CASES:
        result = plan_role('primary', case[1], [], None, case[2])
        assert not (result['refusal'] and result['action']), case[0]


def test_synctarget_names_progress_and_force_is_not_suggested_for_the_peer():
    result = plan_role('primary', fx('events2_84_lab_synctarget_node2.txt'), [], None, True)
    # with force the data reasons are not listed: only what force cannot override
    assert 'SyncTarget' not in result['refusal']
    assert result['refusal'].count(PEER_PRIMARY) == 1


def test_forced_promotion_with_connected_uptodate_peer_explains_remote_reads():
    state = derived(('events2_84_lab_synctarget_node2.txt',
                     ('connection:Connected role:Primary', 'connection:Connected role:Secondary')))
    result = plan_role('primary', state, [], None, True)
    assert result['action'] == 'primary-force'
    assert 'reads the blocks this node lacks from the peer' in result['warnings'][0]
    assert '1012768 KiB' in result['warnings'][0]


def test_multi_volume_force_names_every_disk_and_sums_out_of_sync():
    state = derived(('events2_9_syncsource_two_volumes.txt',
                     ('name:data role:Primary', 'name:data role:Secondary'),
                     ('minor:10 backing_dev:/dev/vdb2 disk:UpToDate', 'minor:10 backing_dev:/dev/vdb2 disk:Outdated'),
                     ('connection:Connected role:Secondary', 'connection:StandAlone role:Unknown')))
    assert plan_role('primary', state, [], None, False)['refusal'].count('volume 0') == 1
    result = plan_role('primary', state, [], None, True, resource='data')
    assert result['action'] == 'primary-force'
    assert 'volume 0 Outdated, volume 1 UpToDate' in result['warnings'][0]
    assert '45678 KiB' in result['warnings'][0]


def test_split_brain_marker_adds_a_warning():
    state = derived(LINKDOWN_UPTODATE_SECONDARY)
    state['split_brain'] = True
    result = plan_role('primary', state, [], None, False)
    assert result['action'] == 'primary'
    assert any('split brain was detected on cap' in w for w in result['warnings'])


# ---------------------------------------------------------------------------
# demotion

DEMOTE_CASES = [
    # id, state, mounted_at, holders, action, refusal substrings, warning substrings
    ('Primary, mounted', fx('events2_84_connected_primary.txt'), ['/srv/hapair'], None,
     None, ['/dev/drbd1 is mounted on /srv/hapair', 'make_secondary.yml', 'never unmounts',
            'fuser -vm /dev/drbd1'], []),
    ('Primary, mounted twice', fx('events2_84_lab_syncsource_node1.txt'), ['/srv/a', '/srv/b'], None,
     None, ['/dev/drbd9 is mounted on /srv/a, /srv/b'], []),
    ('Primary, open by a process', fx('events2_84_connected_primary.txt'), [],
     ['sleep (pid 29028, user root)'],
     None, ['not mounted but still held open by sleep (pid 29028, user root)',
            'Device is held open by someone'], []),
    ('Primary, LVM on top', fx('events2_84_connected_primary.txt'), [], ['dm-0 (vg0-data)'],
     None, ['held open by dm-0 (vg0-data)'], []),
    ('Primary, I/O suspended', derived(SUSPENDED_PRIMARY), [], [],
     None, ['I/O is suspended', 'resume-io'], []),
    ('Primary, connected', fx('events2_84_connected_primary.txt'), [], [], 'secondary', None, []),
    ('Primary, SyncSource (sync goes on)', fx('events2_84_lab_syncsource_node1.txt'), [], None,
     'secondary', None, []),
    ('Primary, link down', fx('events2_84_lab_linkdown_node1.txt'), [], [],
     'secondary', None, ['no node is Primary for cap']),
    ('9 Primary', fx('events2_9_connected_primary.txt'), [], [], 'secondary', None, []),
    ('already Secondary', fx('events2_84_connected_secondary.txt'), [], None, None, None, []),
    ('already Secondary even if mounted elsewhere', fx('events2_84_lab_synctarget_node2.txt'),
     ['/srv/x'], ['x'], None, None, []),
]


@pytest.mark.parametrize('case_id, state, mounted_at, holders, action, refusal, warnings', DEMOTE_CASES,
                         ids=[case[0] for case in DEMOTE_CASES])
def test_demotion(case_id, state, mounted_at, holders, action, refusal, warnings):
    result = plan_role('secondary', state, mounted_at, holders, False, resource=state['name'])
    assert result['action'] == action
    if refusal is None:
        assert result['refusal'] is None, result['refusal']
    else:
        assert result['refusal'].startswith('refusing to demote %s: ' % state['name'])
        for text in refusal:
            assert text in result['refusal']
    joined = ' | '.join(result['warnings'])
    for text in warnings:
        assert text in joined
    if not warnings:
        assert result['warnings'] == []


def test_force_never_applies_to_demotion():
    state = fx('events2_84_connected_primary.txt')
    result = plan_role('secondary', state, ['/srv/hapair'], None, True)
    assert result['action'] is None and result['refusal']


# ---------------------------------------------------------------------------
# not up, odd roles, arguments

@pytest.mark.parametrize('target', ['primary', 'secondary'])
@pytest.mark.parametrize('state', [None, {}])
def test_resource_not_up_is_refused(target, state):
    result = plan_role(target, state, [], None, True, resource='r0')
    assert result['action'] is None
    assert result['refusal'] == ('resource r0 is not up on this node: run provision.yml or check '
                                 '`drbdadm status`')


def test_not_up_from_events2_without_resources():
    assert parse_events2('exists -\n') == {}
    assert 'is not up' in plan_role('primary', parse_events2('exists -\n').get('r0'), resource='r0')['refusal']


def test_unknown_local_role_is_refused():
    state = derived(('events2_84_connected_secondary.txt', ('role:Secondary suspended', 'role:Unknown suspended')))
    result = plan_role('primary', state, [], None, True)
    assert result['action'] is None
    assert 'the local role of r0 is Unknown' in result['refusal']


def test_unknown_target_is_refused():
    result = plan_role('master', fx('events2_84_connected_secondary.txt'))
    assert result['action'] is None and 'unknown target role' in result['refusal']


@pytest.mark.parametrize('action, argv', [
    ('primary', ['drbdadm', 'primary', 'r0']),
    ('primary-force', ['drbdadm', 'primary', '--force', 'r0']),
    ('secondary', ['drbdadm', 'secondary', 'r0']),
    (None, None),
])
def test_role_argv(action, argv):
    assert role_argv(action, 'r0') == argv


def test_device_names():
    assert device_names(fx('events2_84_lab_fresh_node1.txt')) == ['/dev/drbd9']
    assert device_names(fx('events2_9_syncsource_two_volumes.txt')) == ['/dev/drbd10', '/dev/drbd11']
    assert device_names({}) == []
    assert device_names(None) == []


# ---------------------------------------------------------------------------
# fuser -vm (psmisc 23.6, LC_ALL=C, captured on a loop device)

NOISE = ''.join('Cannot stat file /proc/1/fd/%d: Permission denied\n' % fd for fd in range(3))
FUSER_OPEN = (
    ' 29028',
    NOISE + '                     USER        PID ACCESS COMMAND\n'
    '/dev/loop0:          root      f.... sleep\n')
FUSER_MOUNTED = (
    'kernel  29142  29143',
    '                     USER        PID ACCESS COMMAND\n'
    '/dev/loop0:          root      mount /tmp/fuser-mnt\n'
    '                     root      ..c.. bash\n'
    '                     root      ..c.. sleep\n')


@pytest.mark.parametrize('out, err, holders', [
    (FUSER_OPEN[0], FUSER_OPEN[1], ['sleep (pid 29028, user root)']),
    (FUSER_MOUNTED[0], FUSER_MOUNTED[1],
     ['kernel mount /tmp/fuser-mnt', 'bash (pid 29142, user root)', 'sleep (pid 29143, user root)']),
    ('', '', []),
    (' 1 2', 'no table at all\n', ['process 1', 'process 2']),
    (' 1', '                     USER        PID ACCESS COMMAND\n'
           '/dev/drbd1:          root      f.... a\n'
           '                     root      f.... b\n', ['a (user root)', 'b (user root)']),
    (None, None, []),
])
def test_parse_fuser(out, err, holders):
    assert parse_fuser(out, err) == holders


# ---------------------------------------------------------------------------
# failed drbdadm

@pytest.mark.parametrize('rc, err, texts', [
    (17, "9: State change failed: (-2) Need access to UpToDate data\n"
         "Command 'drbdsetup-84 primary 9' terminated with exit code 17\n",
     ['drbdadm primary r0 failed (exit code 17)', '(-2) Need access to UpToDate data',
      'terminated with exit code 17', 'let the resync finish', FORCE_HINT]),
    (11, "1: State change failed: (-1) Multiple primaries not allowed by config\n",
     ['Multiple primaries', 'demote it first']),
    (11, "2: State change failed: (-7) Refusing to be Primary while peer is not outdated\n"
         "Command 'drbdsetup 2 primary' terminated with exit code 11\n",
     ['Refusing to be Primary while peer is not outdated', 'drbdadm outdate', FORCE_HINT]),
    (11, "1: State change failed: (-12) Device is held open by someone\n",
     ['held open by someone', 'fuser -vm /dev/drbd1']),
    (10, "1: Failure: (127) Device minor not allocated\n",
     ['(127) Device minor not allocated']),
    (17, '', ['no UpToDate data is reachable']),
    (1, '', ['exit code 1', 'no output']),
])
def test_explain_failure(rc, err, texts):
    message = explain_failure('drbdadm primary r0', rc, '', err, '/dev/drbd1')
    for text in texts:
        assert text in message
    assert '\n' not in message


def test_explain_failure_for_a_code_it_does_not_know_keeps_drbd_text():
    message = explain_failure('drbdadm secondary r0', 11, '', 'r0: State change failed: (-99) new\n')
    assert message.endswith('(-99) new. DRBD refused the state change')
