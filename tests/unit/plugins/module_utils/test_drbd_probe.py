# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for plugins/module_utils/drbd_probe.py with a scripted `run` and the DRBD fixtures.

Files (/proc/drbd, /proc/mounts, /sys/module/drbd/version and the split-brain
marker) are never read from this machine: read_file and os.path.exists are
replaced.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils import drbd_probe
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import (
    mounts_by_device,
    read_resources,
    split_brain_marker,
)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
EVENTS2 = 'drbdsetup events2 --now --statistics'
STATUS = 'drbdadm status'
NO_RESOURCE = (10, '', "'r0' not defined in your config (for this host).\n")
NO_MODULE = (20, '', 'Could not connect to \'drbd\' generic netlink family\n')

PROC_MOUNTS = (
    "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
    "/dev/vda1 / ext4 rw,relatime,errors=remount-ro 0 0\n"
    "/dev/drbd1 /srv/hapair ext4 rw,relatime 0 0\n"
    "/dev/drbd1 /var/lib/mail\\040spool ext4 rw,relatime 0 0\n"
    "/dev/drbd9 /srv/two\\040spaces\\040here xfs rw,relatime 0 0\n"
    "tmpfs /run tmpfs rw,nosuid,nodev,size=100k,mode=755 0 0\n"
    "short-line\n"
    "\n"
)


def fixture(name):
    with io.open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        return handle.read()


JOURNAL = 'journalctl -k -o short-iso --no-pager -q'
# DRBD 8.4's kernel lines when the Primary went away (the lab's node2, Debian 12)
KERNEL_LOG = (
    '2026-12-04T21:40:10+0000 node2 kernel: drbd r0: peer( Secondary -> Primary )\n'
    '2026-12-04T21:50:01+0000 node2 kernel: drbd r0: peer( Primary -> Unknown ) conn( Connected -> NetworkFailure ) '
    'pdsk( UpToDate -> DUnknown )\n'
    '2026-12-04T21:50:01+0000 node2 kernel: drbd r0: ack_receiver terminated\n'
    '2026-12-04T21:52:00+0000 node2 kernel: drbd cap: peer( Primary -> Unknown ) conn( Connected -> NetworkFailure )\n'
)


class FakeRun(object):
    """run(argv) answering from {'drbdadm status r0': (rc, out, err)}; records every call."""

    def __init__(self, script):
        self.script = script
        self.calls = []

    def __call__(self, argv):
        key = ' '.join(argv)
        self.calls.append(key)
        if key not in self.script:
            raise AssertionError('unexpected command: %s' % key)
        return self.script[key]


# ---------------------------------------------------------------------------
# split_brain_marker / mounts_by_device

@pytest.mark.parametrize('resource, path', [
    ('r0', '/var/lib/hapair/split-brain-r0'),
    ('cap', '/var/lib/hapair/split-brain-cap'),
])
def test_split_brain_marker(resource, path):
    assert split_brain_marker(resource) == path


def test_split_brain_marker_matches_the_handler():
    """roles/mirror/files/split-brain writes the marker the probe looks for."""
    handler = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..',
                           'roles', 'mirror', 'files', 'split-brain')
    assert os.path.exists(handler), 'roles/mirror/files/split-brain is missing'
    with io.open(handler, encoding='utf-8') as handle:
        text = handle.read()
    assert '"%s"' % split_brain_marker('$res') in text


@pytest.mark.parametrize('text, expected', [
    (PROC_MOUNTS, {
        'sysfs': ['/sys'],
        '/dev/vda1': ['/'],
        '/dev/drbd1': ['/srv/hapair', '/var/lib/mail spool'],
        '/dev/drbd9': ['/srv/two spaces here'],
        'tmpfs': ['/run'],
    }),
    ('', {}),
    (None, {}),
], ids=['proc-mounts', 'empty', 'none'])
def test_mounts_by_device(text, expected):
    assert mounts_by_device(text) == expected


# ---------------------------------------------------------------------------
# read_resources

def no_proc_drbd(monkeypatch):
    monkeypatch.setattr(drbd_probe, 'read_file', lambda path: None)


@pytest.mark.parametrize('resource, target', [(None, 'all'), ('r0', 'r0')])
def test_read_resources_events2(monkeypatch, resource, target):
    no_proc_drbd(monkeypatch)
    run = FakeRun({'%s %s' % (EVENTS2, target): (0, fixture('events2_9_connected_primary.txt'), '')})
    states, source, error = read_resources(run, resource)
    assert (source, error) == ('events2', None)
    assert sorted(states) == ['r0']
    assert (states['r0']['role'], states['r0']['connection_state']) == ('Primary', 'Connected')
    assert states['r0']['source'] == 'events2'
    assert run.calls == ['%s %s' % (EVENTS2, target)]


def test_read_resources_events2_multi_resource(monkeypatch):
    no_proc_drbd(monkeypatch)
    run = FakeRun({EVENTS2 + ' all': (0, fixture('events2_9_multi_resource.txt'), '')})
    states, source, error = read_resources(run)
    assert (sorted(states), source, error) == (['r0', 'web'], 'events2', None)


@pytest.mark.parametrize('resource, target', [(None, 'all'), ('r0', 'r0')])
def test_read_resources_falls_back_to_drbdadm_status(monkeypatch, resource, target):
    no_proc_drbd(monkeypatch)
    run = FakeRun({
        '%s %s' % (EVENTS2, target): (20, '', "drbdsetup: unrecognized option '--statistics'\n"),
        '%s %s' % (STATUS, target): (0, fixture('status_text_84_standalone.txt'), ''),
    })
    states, source, error = read_resources(run, resource)
    assert (source, error) == ('status_text', None)
    assert states['r0']['connection_state'] == 'StandAlone'
    assert states['r0']['source'] == 'status_text'
    assert run.calls == ['%s %s' % (EVENTS2, target), '%s %s' % (STATUS, target)]


@pytest.mark.parametrize('events2, status, error', [
    (NO_RESOURCE, (10, '', "'r0' not defined in your config (for this host).\n"),
     "'r0' not defined in your config (for this host)."),
    ((10, '', ''), (10, '', 'r0: No such resource\n'), 'r0: No such resource'),
    ((10, '', ''), (10, '', ''), ''),
], ids=['events2-error-first', 'status-error', 'no-error-text'])
def test_read_resources_both_fail_for_one_resource(monkeypatch, events2, status, error):
    # /proc/drbd is not used for a named resource: it knows minors, not names
    monkeypatch.setattr(drbd_probe, 'read_file', lambda path: fixture('proc_drbd_84_connected_primary.txt'))
    run = FakeRun({EVENTS2 + ' r0': events2, STATUS + ' r0': status})
    assert read_resources(run, 'r0') == ({}, None, error)
    assert run.calls == [EVENTS2 + ' r0', STATUS + ' r0']


def test_read_resources_falls_back_to_proc_drbd_for_all(monkeypatch):
    read = []

    def read_file(path):
        read.append(path)
        return fixture('proc_drbd_84_connected_primary.txt') if path == '/proc/drbd' else None
    monkeypatch.setattr(drbd_probe, 'read_file', read_file)
    run = FakeRun({EVENTS2 + ' all': NO_MODULE, STATUS + ' all': NO_MODULE})
    states, source, error = read_resources(run)
    assert (source, error) == ('proc_drbd', None)
    assert read == ['/proc/drbd']
    assert sorted(states) == ['drbd1']
    assert (states['drbd1']['role'], states['drbd1']['minor']) == ('Primary', 1)


def test_read_resources_all_fail(monkeypatch):
    no_proc_drbd(monkeypatch)
    run = FakeRun({EVENTS2 + ' all': NO_MODULE, STATUS + ' all': (1, '', 'status failed\n')})
    assert read_resources(run) == ({}, None, "Could not connect to 'drbd' generic netlink family")


# ---------------------------------------------------------------------------
# node_state

class FakeOs(object):
    """Stands in for the os module inside drbd_probe: only the given paths exist."""

    class path(object):  # pylint: disable=invalid-name
        join = staticmethod(os.path.join)
        existing = set()

        @classmethod
        def exists(cls, path):
            return path in cls.existing


def fake_node(monkeypatch, files, markers=()):
    monkeypatch.setattr(drbd_probe, 'read_file', files.get)
    monkeypatch.setattr(FakeOs.path, 'existing', set(files) | set(split_brain_marker(name) for name in markers))
    monkeypatch.setattr(drbd_probe, 'os', FakeOs)


def test_node_state(monkeypatch):
    fake_node(monkeypatch, {'/proc/drbd': fixture('proc_drbd_84_connected_primary.txt'),
                            '/sys/module/drbd/version': fixture('version_sys_module_84.txt'),
                            '/proc/mounts': PROC_MOUNTS}, markers=['r0'])
    run = FakeRun({'drbdadm --version': (0, fixture('version_drbdadm_9.22_kernel_8.4.txt'), ''),
                   EVENTS2 + ' r0': (0, fixture('events2_84_connected_primary.txt'), '')})
    result = drbd_probe.node_state(run, 'r0')
    assert {k: v for k, v in result.items() if k != 'resources'} == {
        'loaded': True, 'kernel_version': '8.4.11', 'kernel_major': 8, 'utils_version': '9.22.0',
        'source': 'events2', 'error': None}
    res = result['resources']['r0']
    assert res['device'] == '/dev/drbd1'
    assert res['mounted_at'] == ['/srv/hapair', '/var/lib/mail spool']
    assert res['split_brain'] is True


def test_node_state_given_proc_mounts_and_no_marker(monkeypatch):
    fake_node(monkeypatch, {'/proc/drbd': fixture('proc_drbd_84_connected_primary.txt')})
    run = FakeRun({'drbdadm --version': (0, fixture('version_drbdadm_9.22_kernel_8.4.txt'), ''),
                   EVENTS2 + ' all': (0, fixture('events2_84_lab_syncsource_node1.txt'), '')})
    result = drbd_probe.node_state(run, proc_mounts='/dev/drbd9 /srv/hapair ext4 rw 0 0\n')
    res = result['resources']['cap']
    assert (res['device'], res['mounted_at'], res['split_brain']) == ('/dev/drbd9', ['/srv/hapair'], False)
    assert result['kernel_version'] == '8.4.11'   # from /proc/drbd when /sys/module has none


def test_node_state_module_not_loaded(monkeypatch):
    fake_node(monkeypatch, {})
    run = FakeRun({'drbdadm --version': (127, '', 'drbdadm: command not found\n')})
    result = drbd_probe.node_state(run, 'r0', proc_mounts='')
    assert result == {'loaded': False, 'kernel_version': None, 'kernel_major': None, 'utils_version': None,
                      'source': None, 'error': None, 'resources': {}}
    assert run.calls == ['drbdadm --version']


def test_node_state_status_text_has_no_device(monkeypatch):
    fake_node(monkeypatch, {'/proc/drbd': 'version: 9.2.12 (api:2/proto:86-122)\n'})
    run = FakeRun({'drbdadm --version': (0, fixture('version_drbdadm_9_kernel_9.txt'), ''),
                   EVENTS2 + ' r0': (20, '', 'drbdsetup: unknown option\n'),
                   STATUS + ' r0': (0, fixture('status_text_84_standalone.txt'), ''),
                   JOURNAL: (0, '', '')})
    result = drbd_probe.node_state(run, 'r0', proc_mounts=PROC_MOUNTS)
    res = result['resources']['r0']
    assert result['source'] == 'status_text'
    assert (res['device'], res['mounted_at']) == (None, [])


def test_fencing_state_of_a_secondary_cut_off(monkeypatch):
    fake_node(monkeypatch, {
        drbd_probe.FENCING_LOG: '1796420000 r0 outdated 172.30.0.12 0 node2 is Outdated\n',
        drbd_probe.OUTDATED_BY_PEER_LOG: '1796421003 r0 172.30.0.11\n1796421500 cap 172.30.0.11\n'})
    run = FakeRun({JOURNAL: (0, KERNEL_LOG, '')})
    state = {'role': 'Secondary', 'connection_state': 'Connecting'}
    assert drbd_probe.fencing_state(run, 'r0', state) == {
        'last_attempt': {'at': 1796420000, 'resource': 'r0', 'result': 'outdated', 'peer': '172.30.0.12',
                         'rc': '0', 'detail': 'node2 is Outdated'},
        'outdated_by_peer': {'at': 1796421003, 'resource': 'r0', 'peer': '172.30.0.11'},
        'lost_primary_at': 1796421001,   # 2026-12-04 21:50:01 UTC: r0's line, not cap's later one
    }


def test_fencing_state_reads_no_kernel_log_while_connected_or_primary(monkeypatch):
    fake_node(monkeypatch, {})
    run = FakeRun({})
    for state in ({'role': 'Secondary', 'connection_state': 'Connected'},
                  {'role': 'Primary', 'connection_state': 'Connecting'}):
        assert drbd_probe.fencing_state(run, 'r0', state) == {
            'last_attempt': None, 'outdated_by_peer': None, 'lost_primary_at': None}
    assert run.calls == []


def test_run_drbdadm_stops_at_the_first_failure():
    run = FakeRun({'drbdadm disconnect r0': (0, '', ''),
                   'drbdadm connect --discard-my-data r0': (10, '', 'r0: Failure: (102) Local address busy\n')})
    commands, error = drbd_probe.run_drbdadm(run, [['disconnect'], ['connect', '--discard-my-data'], ['up']],
                                             'r0', check_mode=False)
    assert commands == ['drbdadm disconnect r0', 'drbdadm connect --discard-my-data r0']
    assert error == 'drbdadm connect --discard-my-data r0 failed: r0: Failure: (102) Local address busy'
    assert run.calls == commands


def test_run_drbdadm_runs_nothing_in_check_mode():
    run = FakeRun({})
    assert drbd_probe.run_drbdadm(run, [['resume-io']], 'r0', check_mode=True) == (['drbdadm resume-io r0'], None)
    assert run.calls == []
