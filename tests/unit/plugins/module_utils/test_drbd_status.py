# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for plugins/module_utils/drbd_status.py on captured outputs.

To add a capture: drop the file into fixtures/drbd/ named
<source>_<drbd generation>_<situation>.<ext> (the prefix picks the parser,
see PARSERS) and add one line to EXPECTED, EMPTY or VERSIONS.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import io
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    RESOURCE_KEYS,
    VOLUME_KEYS,
    demotion_blockers,
    is_healthy,
    is_syncing,
    parse_events2,
    parse_proc_drbd,
    parse_status_json,
    parse_status_text,
    parse_version,
    promotion_blockers,
    safe_to_demote,
    split_cstate,
)


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
PARSERS = (
    ('events2_', parse_events2, 'events2'),
    ('status_json_', parse_status_json, 'status_json'),
    ('status_text_', parse_status_text, 'status_text'),
    ('proc_drbd_', parse_proc_drbd, 'proc_drbd'),
    ('version_', parse_version, None),
)
ALL_FIXTURES = sorted(name for name in os.listdir(FIXTURES) if not name.startswith(('.', 'README')))
STATE_FIXTURES = [name for name in ALL_FIXTURES if not name.startswith('version_')]


def load(fixture):
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as handle:
        return handle.read()


def parser_for(fixture):
    for prefix, parser, source in PARSERS:
        if fixture.startswith(prefix):
            return parser, source
    raise AssertionError('%s: name it after its source (%s)' % (fixture, ', '.join(p[0] for p in PARSERS)))


def parse(fixture):
    return parser_for(fixture)[0](load(fixture))


def state(fixture, resource=None):
    """The named resource, or the only one, of a fixture."""
    parsed = parse(fixture)
    if resource is None:
        assert len(parsed) == 1, sorted(parsed)
        return list(parsed.values())[0]
    return parsed[resource]


# Shorthands for the expectations below.
UP = dict(connection_state='Connected', replication_state='Established', disk_state='UpToDate',
          peer_disk_state='UpToDate', suspended=False, sync_percent=None, eta_seconds=None)
PRIMARY = dict(UP, role='Primary', peer_role='Secondary')
SECONDARY = dict(UP, role='Secondary', peer_role='Primary')
OFFLINE = dict(replication_state='Off', peer_role='Unknown', sync_percent=None, eta_seconds=None)
SYNC_SOURCE = dict(role='Primary', peer_role='Secondary', connection_state='Connected', disk_state='UpToDate',
                   replication_state='SyncSource', peer_disk_state='Inconsistent')
SYNC_TARGET = dict(role='Secondary', peer_role='Primary', connection_state='Connected', disk_state='Inconsistent',
                   replication_state='SyncTarget', peer_disk_state='UpToDate')

# Lab captures: a fresh pair before the first sync, and the two sides of a cut link.
FRESH = dict(role='Secondary', connection_state='Connected', disk_state='Inconsistent', peer_disk_state='Inconsistent')
LINK_DOWN_PRIMARY = dict(OFFLINE, role='Primary', connection_state='Connecting', disk_state='UpToDate')
LINK_DOWN_SECONDARY = dict(OFFLINE, role='Secondary', connection_state='Connecting', disk_state='Inconsistent')

# (fixture, resource name, subset of the expected normalised state): one line per capture.
EXPECTED = [
    # Captured in the lab (Debian 12, DRBD 8.4.11 kernel, drbd-utils 9.22), resource "cap", minor 9.
    ('events2_84_lab_fresh_node1.txt', 'cap', dict(FRESH, replication_state='Established', sync_percent=None)),
    ('proc_drbd_84_lab_fresh_node1.txt', 'drbd9', dict(FRESH, replication_state='Established')),
    ('status_text_84_lab_fresh_node1.txt', 'cap', dict(FRESH)),
    ('events2_84_lab_syncsource_node1.txt', 'cap', dict(SYNC_SOURCE, minor=9, peer_name='peer', sync_percent=0.86, out_of_sync_kib=1039496)),
    ('events2_84_lab_synctarget_node2.txt', 'cap', dict(SYNC_TARGET, minor=9, sync_percent=3.41, out_of_sync_kib=1012768)),
    ('events2_84_lab_linkdown_node1.txt', 'cap', dict(LINK_DOWN_PRIMARY, peer_disk_state='Inconsistent')),
    ('events2_84_derived_frozen_node1.txt', 'cap', dict(LINK_DOWN_PRIMARY, peer_disk_state='Inconsistent', suspended=True)),
    ('events2_84_lab_linkdown_node2.txt', 'cap', dict(LINK_DOWN_SECONDARY, peer_disk_state='DUnknown')),
    ('events2_84_lab_standalone_node2.txt', 'cap', dict(LINK_DOWN_SECONDARY, connection_state='StandAlone', peer_disk_state='DUnknown')),
    # Session 9, resource r0, minor 1: StandAlone after a refused handshake and after a split brain
    # (fixtures/kernel_log/README.md)
    ('events2_84_lab_auth_node1.txt', 'r0',
     dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='Outdated', peer_disk_state='DUnknown', minor=1)),
    ('events2_84_lab_auth_node2.txt', 'r0',
     dict(OFFLINE, role='Primary', connection_state='StandAlone', disk_state='UpToDate', peer_disk_state='Outdated', minor=1)),
    ('events2_84_lab_split_node1.txt', 'r0',
     dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='UpToDate', peer_disk_state='Outdated', minor=1)),
    ('events2_84_lab_split_node2.txt', 'r0',
     dict(OFFLINE, role='Primary', connection_state='StandAlone', disk_state='UpToDate', peer_disk_state='Outdated', minor=1)),
    ('proc_drbd_84_lab_syncsource_node1.txt', 'drbd9', dict(SYNC_SOURCE, minor=9, sync_percent=2.8, out_of_sync_kib=1022728, eta_seconds=314)),
    ('proc_drbd_84_lab_synctarget_node2.txt', 'drbd9', dict(SYNC_TARGET, minor=9, sync_percent=5.9, eta_seconds=220)),
    ('proc_drbd_84_lab_linkdown_node1.txt', 'drbd9', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_disk_state='Inconsistent')),
    ('proc_drbd_84_lab_linkdown_node2.txt', 'drbd9', dict(OFFLINE, role='Secondary', connection_state='Connecting', disk_state='Inconsistent')),
    ('proc_drbd_84_lab_standalone_node2.txt', 'drbd9', dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='Inconsistent')),
    ('status_text_84_lab_syncsource_node1.txt', 'cap', dict(SYNC_SOURCE, peer_name='peer', sync_percent=1.55)),
    ('status_text_84_lab_synctarget_node2.txt', 'cap', dict(SYNC_TARGET, sync_percent=4.52)),
    ('status_text_84_lab_linkdown_node1.txt', 'cap', dict(OFFLINE, role='Primary', connection_state='Connecting', disk_state='UpToDate')),
    ('status_text_84_lab_linkdown_node2.txt', 'cap', dict(OFFLINE, role='Secondary', connection_state='Connecting', disk_state='Inconsistent')),
    ('status_text_84_lab_standalone_node2.txt', 'cap', dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='Inconsistent')),
    ('events2_84_connected_primary.txt', 'r0', dict(PRIMARY, minor=1, peer_name='peer', out_of_sync_kib=0)),
    ('events2_84_connected_secondary.txt', 'r0', dict(SECONDARY, minor=1, peer_name='peer', out_of_sync_kib=None)),
    ('events2_84_syncsource.txt', 'r0', dict(SYNC_SOURCE, out_of_sync_kib=456652, sync_percent=None)),
    ('events2_84_synctarget.txt', 'r0', dict(SYNC_TARGET, out_of_sync_kib=456652)),
    ('events2_84_wfconnection.txt', 'r0', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_disk_state='DUnknown')),
    ('events2_84_standalone.txt', 'r0', dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='Outdated', peer_name=None)),
    ('events2_9_connected_primary.txt', 'r0', dict(PRIMARY, minor=1, peer_name='node2', out_of_sync_kib=0)),
    ('events2_9_connected_secondary.txt', 'r0', dict(SECONDARY, peer_name='node1')),
    ('events2_9_syncsource_two_volumes.txt', 'data', dict(SYNC_SOURCE, minor=10, sync_percent=12.34, out_of_sync_kib=45678, eta_seconds=42)),
    ('events2_9_synctarget.txt', 'r0', dict(SYNC_TARGET, sync_percent=87.5, eta_seconds=None)),
    ('events2_9_outdated_peer.txt', 'r0', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_disk_state='Outdated')),
    ('events2_9_diskless.txt', 'r0', dict(SECONDARY, disk_state='Diskless')),
    ('events2_9_multi_resource.txt', 'r0', dict(SECONDARY, minor=1)),
    ('events2_9_multi_resource.txt', 'web', dict(OFFLINE, role='Secondary', minor=2, connection_state='Connecting', disk_state='UpToDate')),
    ('events2_9_stream_promote.txt', 'r0', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_disk_state='DUnknown')),
    ('status_json_9_connected_primary.json', 'r0', dict(PRIMARY, minor=1, peer_name='node2', out_of_sync_kib=0)),
    ('status_json_9_syncsource.json', 'r0', dict(SYNC_SOURCE, sync_percent=6.45, out_of_sync_kib=980924, eta_seconds=36)),
    ('status_json_9_synctarget.json', 'r0', dict(SYNC_TARGET, sync_percent=50.0, out_of_sync_kib=524254)),
    ('status_json_9_split.json', 'r0', dict(OFFLINE, role='Primary', connection_state='StandAlone', out_of_sync_kib=1240)),
    ('status_json_9_diskless_quorum_lost.json', 'linstor_db', dict(OFFLINE, suspended=True, disk_state='Diskless', connection_state='StandAlone', minor=1000)),
    ('status_json_9_multi_resource.json', '1-single-0', dict(SECONDARY, minor=2, peer_name='SLE15-sp1-gm-drbd1145296-node1')),
    ('status_json_9_multi_resource.json', 'data', dict(PRIMARY, minor=10)),
    ('status_text_84_connected_primary.txt', 'r0', dict(PRIMARY, peer_name='peer', minor=None)),
    ('status_text_84_connected_secondary.txt', 'r0', dict(SECONDARY, peer_name='peer')),
    ('status_text_84_syncsource.txt', 'r0', dict(SYNC_SOURCE, sync_percent=12.87)),
    ('status_text_84_synctarget.txt', 'r0', dict(SYNC_TARGET, sync_percent=12.87)),
    ('status_text_84_connecting.txt', 'r0', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_name='peer')),
    ('status_text_84_standalone.txt', 'r0', dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='Outdated')),
    ('status_text_9_connected_secondary.txt', 'wwwdata', dict(SECONDARY, peer_name='pcmk-1')),
    ('status_text_9_syncsource.txt', 'wwwdata', dict(SYNC_SOURCE, peer_name='pcmk-2', sync_percent=45.67)),
    ('status_text_9_connecting.txt', 'r0', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_name='nono')),
    ('status_text_9_standalone_diskless.txt', 'linstor_db', dict(OFFLINE, connection_state='StandAlone', disk_state='Diskless')),
    ('status_text_9_suspended.txt', 'r0', dict(OFFLINE, role='Primary', suspended=True, connection_state='Connecting')),
    ('status_text_9_multi_resource.txt', 'r0', dict(PRIMARY, peer_name='node2')),
    ('status_text_9_multi_resource.txt', 'web', dict(PRIMARY)),
    ('status_text_9_verbose_statistics.txt', 'data', dict(SYNC_SOURCE, minor=10, sync_percent=12.87, out_of_sync_kib=456652, eta_seconds=16)),
    ('status_text_9_color.txt', 'r0', dict(PRIMARY, peer_name='node2')),
    ('proc_drbd_84_connected_primary.txt', 'drbd1', dict(PRIMARY, minor=1, peer_name=None, out_of_sync_kib=0)),
    ('proc_drbd_84_connected_secondary.txt', 'drbd1', dict(SECONDARY, minor=1)),
    ('proc_drbd_84_syncsource.txt', 'drbd1', dict(SYNC_SOURCE, sync_percent=10.4, out_of_sync_kib=460576, eta_seconds=16)),
    ('proc_drbd_84_synctarget.txt', 'drbd1', dict(SYNC_TARGET, sync_percent=10.4, eta_seconds=3723)),
    ('proc_drbd_84_wfconnection.txt', 'drbd1', dict(OFFLINE, role='Primary', connection_state='Connecting', out_of_sync_kib=4096)),
    ('proc_drbd_84_standalone_outdated.txt', 'drbd1', dict(OFFLINE, role='Secondary', connection_state='StandAlone', disk_state='Outdated')),
    ('proc_drbd_84_outdated_peer.txt', 'drbd1', dict(OFFLINE, role='Primary', connection_state='Connecting', peer_disk_state='Outdated')),
    ('proc_drbd_84_suspended.txt', 'drbd1', dict(OFFLINE, role='Primary', suspended=True, connection_state='Connecting')),
    ('proc_drbd_84_diskless.txt', 'drbd1', dict(SECONDARY, disk_state='Diskless')),
    ('proc_drbd_84_multi.txt', 'drbd0', dict(UP, role='Secondary', peer_role='Secondary', disk_state='Inconsistent', peer_disk_state='Inconsistent')),
    ('proc_drbd_84_multi.txt', 'drbd1', dict(PRIMARY, minor=1)),
    ('proc_drbd_84_multi.txt', 'drbd3', dict(OFFLINE, role='Secondary', connection_state='Connecting')),
]
# Fixtures that hold no resource at all.
EMPTY = [
    'events2_garbage.txt',
    'proc_drbd_9_version_only.txt',
    'proc_drbd_garbage.txt',
    'status_json_garbage.json',
    'status_text_garbage.txt',
]
VERSIONS = [
    ('version_drbdadm_9.22_kernel_8.4.txt', {'kernel': '8.4.11', 'utils': '9.22.0', 'kernel_major': 8}),
    ('version_drbdadm84_code_only.txt', {'kernel': '8.4.11', 'utils': '9.22.0', 'kernel_major': 8}),
    ('version_drbdadm_9_kernel_9.txt', {'kernel': '9.2.12', 'utils': '9.28.0', 'kernel_major': 9}),
    ('version_drbdadm_no_module.txt', {'kernel': None, 'utils': '9.28.0', 'kernel_major': None}),
    ('version_sys_module_84.txt', {'kernel': '8.4.11', 'utils': None, 'kernel_major': 8}),
    ('version_sys_module_9.txt', {'kernel': '9.2.12', 'utils': None, 'kernel_major': 9}),
]


# ---------------------------------------------------------------------------
# every fixture

def test_every_fixture_is_named_after_its_source():
    for fixture in ALL_FIXTURES:
        parser_for(fixture)


def test_every_fixture_has_an_expectation():
    covered = set(item[0] for item in EXPECTED) | set(EMPTY) | set(item[0] for item in VERSIONS)
    missing = sorted(set(ALL_FIXTURES) - covered)
    assert not missing, 'add a line to EXPECTED, EMPTY or VERSIONS for: %s' % ', '.join(missing)


def assert_schema(parsed, source):
    assert isinstance(parsed, dict)
    for name, res in parsed.items():
        assert sorted(res) == sorted(RESOURCE_KEYS)
        assert res['name'] == name
        assert res['source'] == source
        assert res['role'] in ('Primary', 'Secondary', 'Unknown')
        assert isinstance(res['suspended'], bool)
        assert isinstance(res['volumes'], list)
        for vol in res['volumes']:
            assert sorted(vol) == sorted(VOLUME_KEYS)
            assert isinstance(vol['volume'], int)
        if res['volumes']:
            first = res['volumes'][0]
            for key in ('minor', 'disk_state', 'peer_disk_state', 'replication_state',
                        'sync_percent', 'out_of_sync_kib', 'eta_seconds'):
                assert res[key] == first[key], key
        if res['connection_state'] != 'Connected':
            assert res['peer_role'] == 'Unknown'
            assert res['replication_state'] == 'Off'


@pytest.mark.parametrize('fixture', STATE_FIXTURES)
def test_fixture_gives_the_normalised_schema(fixture):
    parser, source = parser_for(fixture)
    assert_schema(parser(load(fixture)), source)


@pytest.mark.parametrize('fixture,resource,expected', EXPECTED,
                         ids=['%s:%s' % (item[0], item[1]) for item in EXPECTED])
def test_fixture_state(fixture, resource, expected):
    res = parse(fixture)[resource]
    actual = dict((key, res[key]) for key in expected)
    assert actual == expected


@pytest.mark.parametrize('fixture', EMPTY)
def test_fixture_without_resources(fixture):
    assert parse(fixture) == {}


@pytest.mark.parametrize('fixture,expected', VERSIONS)
def test_version(fixture, expected):
    assert parse(fixture) == expected


# ---------------------------------------------------------------------------
# the same situation seen through different outputs

COMPARED = ('role', 'suspended', 'disk_state', 'peer_role', 'connection_state',
            'replication_state', 'peer_disk_state')
SAME_SITUATION = [
    ['events2_84_connected_primary.txt', 'status_text_84_connected_primary.txt',
     'proc_drbd_84_connected_primary.txt', 'events2_9_connected_primary.txt',
     'status_json_9_connected_primary.json'],
    ['events2_84_connected_secondary.txt', 'status_text_84_connected_secondary.txt',
     'proc_drbd_84_connected_secondary.txt', 'events2_9_connected_secondary.txt',
     'status_text_9_connected_secondary.txt'],
    ['events2_84_syncsource.txt', 'status_text_84_syncsource.txt', 'proc_drbd_84_syncsource.txt',
     'status_json_9_syncsource.json', 'status_text_9_syncsource.txt'],
    ['events2_84_synctarget.txt', 'status_text_84_synctarget.txt', 'proc_drbd_84_synctarget.txt',
     'status_json_9_synctarget.json', 'events2_9_synctarget.txt'],
    ['events2_84_wfconnection.txt', 'status_text_84_connecting.txt', 'proc_drbd_84_wfconnection.txt',
     'status_text_9_connecting.txt'],
    ['events2_84_standalone.txt', 'status_text_84_standalone.txt', 'proc_drbd_84_standalone_outdated.txt'],
    ['events2_9_outdated_peer.txt', 'proc_drbd_84_outdated_peer.txt'],
]


@pytest.mark.parametrize('fixtures', SAME_SITUATION, ids=[group[0] for group in SAME_SITUATION])
def test_parsers_agree(fixtures):
    views = [dict((key, state(fixture)[key]) for key in COMPARED) for fixture in fixtures]
    for fixture, view in zip(fixtures[1:], views[1:]):
        assert view == views[0], fixture


# ---------------------------------------------------------------------------
# volumes and multiple resources

def test_resource_names():
    assert sorted(parse('events2_9_multi_resource.txt')) == ['r0', 'web']
    assert sorted(parse('status_json_9_multi_resource.json')) == ['1-single-0', 'data']
    assert sorted(parse('status_text_9_multi_resource.txt')) == ['r0', 'web']
    assert sorted(parse('proc_drbd_84_multi.txt')) == ['drbd0', 'drbd1', 'drbd3']


def volume_view(res):
    return [(vol['volume'], vol['minor'], vol['replication_state'], vol['peer_disk_state'],
             vol['sync_percent']) for vol in res['volumes']]


def test_events2_volumes():
    res = state('events2_9_syncsource_two_volumes.txt')
    assert volume_view(res) == [(0, 10, 'SyncSource', 'Inconsistent', 12.34),
                                (1, 11, 'Established', 'UpToDate', None)]
    assert res['volumes'][1]['out_of_sync_kib'] == 0


def test_status_json_volumes_are_sorted_and_sync_percent_comes_from_the_resync():
    res = state('status_json_9_multi_resource.json', 'data')
    assert volume_view(res) == [(0, 10, 'Established', 'UpToDate', None),
                                (1, 11, 'PausedSyncS', 'Inconsistent', 25.0)]


def test_status_text_volumes_with_wrapped_lines():
    res = state('status_text_9_verbose_statistics.txt')
    assert volume_view(res) == [(0, 10, 'SyncSource', 'Inconsistent', 12.87),
                                (1, 11, 'PausedSyncS', 'Inconsistent', 0.0)]
    assert [vol['out_of_sync_kib'] for vol in res['volumes']] == [456652, 524236]
    assert res['peer_name'] == 'node2'


def test_status_text_multi_volume_resource():
    res = state('status_text_9_multi_resource.txt', 'web')
    assert volume_view(res) == [(0, None, 'Established', 'UpToDate', None),
                                (1, None, 'SyncSource', 'Inconsistent', 50.0)]
    assert not is_healthy(res) and is_syncing(res)


@pytest.mark.parametrize('names,expected', [
    ({0: 'r0/0', 1: 'r0/1', 3: 'r1'}, {'r0': [0, 1], 'r1': [3]}),
    ({'0': 'r0', '1': 'web'}, {'r0': [0], 'web': [1], 'drbd3': [3]}),
    (None, {'drbd0': [0], 'drbd1': [1], 'drbd3': [3]}),
])
def test_proc_drbd_names(names, expected):
    parsed = parse_proc_drbd(load('proc_drbd_84_multi.txt'), names)
    assert dict((name, [vol['minor'] for vol in res['volumes']]) for name, res in parsed.items()) == expected


def test_proc_drbd_volumes_share_the_resource():
    res = parse_proc_drbd(load('proc_drbd_84_multi.txt'), {0: 'r0/0', 1: 'r0/1'})['r0']
    assert [vol['disk_state'] for vol in res['volumes']] == ['Inconsistent', 'UpToDate']
    assert res['role'] == 'Primary'  # minor 1 is Primary, so the resource is
    assert res['disk_state'] == 'Inconsistent'


# ---------------------------------------------------------------------------
# defensive parsing

BAD_INPUTS = [
    None, '', '\n\n', 'garbage', u'\u00e9\u00e8 unicode', b'\xff\xfe\x00', b'', 12, ['exists'],
    '{', '[null]', 'null', '"r0"', '[{"name": "r0", "devices": [{"volume": "x"}], "connections": {"a": 1}}]',
    '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]', 'x' * 100000, '\x00\x01\x02',
]
STATE_PARSERS = [(parser, source) for _prefix, parser, source in PARSERS if source]


@pytest.mark.parametrize('text', BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
@pytest.mark.parametrize('parser,source', STATE_PARSERS, ids=[item[1] for item in STATE_PARSERS])
def test_bad_input_never_raises(parser, source, text):
    assert_schema(parser(text), source)


@pytest.mark.parametrize('text', BAD_INPUTS, ids=[str(i) for i in range(len(BAD_INPUTS))])
def test_bad_version_input(text):
    assert parse_version(text) == {'kernel': None, 'utils': None, 'kernel_major': None}


def test_json_resource_with_broken_parts_keeps_its_name():
    parsed = parse_status_json(BAD_INPUTS[13])
    assert sorted(parsed) == ['r0']
    assert parsed['r0']['connection_state'] == 'StandAlone'


def test_junk_lines_between_valid_lines_are_skipped():
    lines = load('events2_9_connected_primary.txt').splitlines()
    junk = ['', 'garbage', 'exists', 'change device', 'exists device volume:0 disk:Failed', 'destroy bogus name:r0']
    mixed = '\n'.join(line for pair in zip(lines, junk * 2) for line in pair)
    assert is_healthy(parse_events2(mixed)['r0'])


def test_bytes_input():
    assert parse_status_text(load('status_text_84_connected_primary.txt').encode('utf-8'))['r0']['role'] == 'Primary'


def test_events2_destroy_removes_objects():
    text = load('events2_9_connected_primary.txt') + (
        'change peer-device name:r0 peer-node-id:1 conn-name:node2 volume:0 replication:Established->Off\n'
        'destroy peer-device name:r0 peer-node-id:1 conn-name:node2 volume:0\n'
        'destroy connection name:r0 peer-node-id:1 conn-name:node2\n')
    res = parse_events2(text)['r0']
    assert res['connection_state'] == 'StandAlone' and res['peer_name'] is None
    assert parse_events2(text + 'destroy resource name:r0\n') == {}


def test_version_from_proc_drbd():
    assert parse_version(load('proc_drbd_84_syncsource.txt'))['kernel'] == '8.4.11'
    assert parse_version(load('proc_drbd_9_version_only.txt'))['kernel_major'] == 9


@pytest.mark.parametrize('cstate,expected', [
    ('WFConnection', ('Connecting', 'Off')),
    ('WFReportParams', ('Connected', 'Off')),
    ('Connected', ('Connected', 'Established')),
    ('SyncSource', ('Connected', 'SyncSource')),
    ('PausedSyncT', ('Connected', 'PausedSyncT')),
    ('VerifyS', ('Connected', 'VerifyS')),
    ('Ahead', ('Connected', 'Ahead')),
    ('StandAlone', ('StandAlone', 'Off')),
    ('NetworkFailure', ('NetworkFailure', 'Off')),
    ('Connecting', ('Connecting', 'Off')),
    (None, (None, None)),
])
def test_split_cstate(cstate, expected):
    assert split_cstate(cstate) == expected


# ---------------------------------------------------------------------------
# predicates

@pytest.mark.parametrize('fixture,resource,healthy,syncing,demotable', [
    ('events2_84_connected_primary.txt', None, True, False, True),
    ('status_json_9_connected_primary.json', None, True, False, True),
    ('status_text_84_connected_secondary.txt', None, True, False, True),
    ('events2_84_syncsource.txt', None, False, True, True),
    ('proc_drbd_84_synctarget.txt', None, False, True, True),
    ('status_json_9_multi_resource.json', 'data', False, True, True),
    ('events2_9_outdated_peer.txt', None, False, False, True),
    ('events2_9_diskless.txt', None, False, False, True),
    ('status_text_9_suspended.txt', None, False, False, False),
    ('proc_drbd_84_suspended.txt', None, False, False, False),
])
def test_predicates(fixture, resource, healthy, syncing, demotable):
    res = state(fixture, resource)
    assert (is_healthy(res), is_syncing(res), safe_to_demote(res)) == (healthy, syncing, demotable)


def test_predicates_on_missing_resource():
    assert not is_healthy(None) and not is_syncing(None) and not safe_to_demote(None)
    assert 'not up' in demotion_blockers(None)[0]
    assert 'resume-io' in demotion_blockers(state('status_text_9_suspended.txt'))[0]


def with_disk(res, disk, volume=0):
    res = copy.deepcopy(res)
    res['volumes'][volume]['disk_state'] = disk
    if volume == 0:
        res['disk_state'] = disk
    return res


ALONE_SECONDARY = state('events2_9_multi_resource.txt', 'web')  # Secondary, UpToDate, peer gone


@pytest.mark.parametrize('res,expected,forced', [
    (state('status_text_84_connected_primary.txt'), [], []),
    (state('proc_drbd_84_wfconnection.txt'), [], []),
    (ALONE_SECONDARY, [], []),
    (state('events2_84_connected_secondary.txt'), ['peer peer is Primary and connected'], ['is Primary']),
    (state('events2_9_diskless.txt'), ['peer node1 is Primary', 'local disk is Diskless'], ['is Primary']),
    (state('events2_84_standalone.txt'), ['local disk is Outdated: the peer fenced this node'], []),
    (state('status_json_9_synctarget.json'), ['is Primary', 'resync in progress as target (SyncTarget, 50.00% done)'], ['is Primary']),
    (state('proc_drbd_84_synctarget.txt'), ['is Primary', 'about 3723 s left'], ['is Primary']),
    (state('status_text_9_standalone_diskless.txt'), ['local disk is Diskless'], []),
    (with_disk(ALONE_SECONDARY, 'Inconsistent'), ['local disk is Inconsistent'], []),
    (with_disk(ALONE_SECONDARY, 'Consistent'), ['local disk is Consistent'], []),
    (with_disk(ALONE_SECONDARY, 'DUnknown'), ['unknown (DUnknown)'], []),
    (with_disk(ALONE_SECONDARY, 'Failed'), ['local disk Failed'], []),
    (with_disk(ALONE_SECONDARY, 'Attaching'), ['local disk is Attaching'], []),
    (with_disk(ALONE_SECONDARY, None), ['unknown (DUnknown)'], []),
    (None, ['not up'], ['not up']),
])
def test_promotion_blockers(res, expected, forced):
    reasons = promotion_blockers(res)
    assert len(reasons) == len(expected), reasons
    for reason, text in zip(reasons, expected):
        assert text in reason
    forced_reasons = promotion_blockers(res, force_stale=True)
    assert len(forced_reasons) == len(forced), forced_reasons
    for reason, text in zip(forced_reasons, forced):
        assert text in reason


def test_promotion_blockers_say_what_to_do():
    for fixture in ('events2_84_standalone.txt', 'events2_84_synctarget.txt', 'status_text_9_standalone_diskless.txt'):
        for reason in promotion_blockers(state(fixture)):
            if 'is Primary and connected' not in reason:
                assert 'force_stale_promotion=true' in reason
    assert 'cannot be forced' in promotion_blockers(state('events2_9_connected_secondary.txt'))[0]


def test_promotion_blockers_name_the_volume():
    two = state('events2_9_syncsource_two_volumes.txt')
    two = dict(copy.deepcopy(two), role='Secondary', peer_role='Unknown', connection_state='Connecting')
    two['volumes'][1]['disk_state'] = 'Outdated'
    reasons = promotion_blockers(two)
    assert len(reasons) == 1
    assert reasons[0].startswith('volume 1: local disk is Outdated')
