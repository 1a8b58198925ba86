# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/drbd_role.py driven through main() with a scripted run_command.

The fake run_command answers ``drbdsetup events2`` from the captures in
tests/unit/plugins/module_utils/fixtures/drbd/ (or edited copies) and
records every command. Refusals and check mode must never issue
``drbdadm primary`` or ``drbdadm secondary``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import os

import pytest

from ansible.module_utils import basic

from ansible_collections.hapair.cluster.plugins.module_utils import drbd_probe
from ansible_collections.hapair.cluster.plugins.modules import drbd_role as mod
from fake_runner import ScriptedRunner, run_main

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils',
                        'fixtures', 'drbd')
ROLE_VERBS = ('primary', 'secondary')
VERSION = (0, 'DRBDADM_API_VERSION=1\nDRBD_KERNEL_VERSION_CODE=0x08040b\nDRBDADM_VERSION=9.22.0\n', '')
TAKEOVER = 'peer not connected: writes made on the old Primary after the link was lost are not here'
FUSER_OPEN = (0, ' 2917', 'Cannot stat file /proc/1/fd/0: Permission denied\n'
                          '                     USER        PID ACCESS COMMAND\n'
                          '/dev/drbd1:          root      F.... dd\n')


def load(name):
    with io.open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        return handle.read()


def events(name, *replacements):
    """(0, events2 text, '') of a fixture, with (old, new) replacements applied."""
    text = load(name)
    for old, new in replacements:
        assert old in text, (name, old)
        text = text.replace(old, new)
    return 0, text, ''


# Situations derived from captures (see test_drbd_role_plan.py).
PRIMARY_84 = events('events2_84_connected_primary.txt')
SECONDARY_PEER_PRIMARY_84 = events('events2_84_connected_secondary.txt')
SECONDARY_PEER_SECONDARY_84 = events('events2_84_connected_secondary.txt',
                                     ('connection:Connected role:Primary', 'connection:Connected role:Secondary'))
PRIMARY_PEER_SECONDARY_84 = PRIMARY_84
LINKDOWN_NODE2 = events('events2_84_lab_linkdown_node2.txt')
LINKDOWN_NODE1 = events('events2_84_lab_linkdown_node1.txt')
LINKDOWN_UPTODATE_SECONDARY = events('events2_84_lab_linkdown_node1.txt',
                                     ('resource name:cap role:Primary', 'resource name:cap role:Secondary'))
DEMOTED_LINKDOWN = LINKDOWN_UPTODATE_SECONDARY
NOT_UP = (0, 'exists -\n', '')


def warnings_text(out):
    """The module's warnings as one string (recorded by a patched AnsibleModule.warn:
    ansible-core 2.19 sends them to the controller's Display once controller code
    was imported in the same process)."""
    return json.dumps(out['_test_warnings'])


def is_role_change(argv):
    return os.path.basename(argv[0]) == 'drbdadm' and len(argv) > 1 and argv[1] in ROLE_VERBS


def FakeRunner(script):
    return ScriptedRunner(script, is_role_change)


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = 0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps += 1
        self.now += seconds


def script_for(resource, states, **extra):
    script = {
        'drbdadm --version': VERSION,
        'drbdsetup events2 --now --statistics %s' % resource: states,
    }
    script.update(extra)
    return script


def run_module(monkeypatch, capsys, args, script, check_mode=False, mounts='', loaded=True,
               split_brain=False, fuser=True, sysfs=None):
    runner = FakeRunner(script)
    clock = FakeClock()
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', runner.bound)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, tool, required=False, opt_dirs=None:
                        '/usr/bin/' + tool if fuser else None)
    warned = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn',
                        lambda self, warning, *a, **kw: warned.append(warning))

    files = {'/proc/mounts': mounts, '/sys/module/drbd/version': '8.4.11\n'}
    monkeypatch.setattr(drbd_probe, 'read_file', files.get)
    monkeypatch.setattr(mod, 'read_file', files.get)
    real_exists = os.path.exists

    def exists(path):
        if path == '/proc/drbd':
            return loaded
        if path.startswith(drbd_probe.SPLIT_BRAIN_DIR):
            return split_brain
        return real_exists(path)
    monkeypatch.setattr(drbd_probe.os.path, 'exists', exists)
    monkeypatch.setattr(mod, 'sysfs_holders', lambda device: list((sysfs or {}).get(device, [])))
    monkeypatch.setattr(mod, 'time', clock)

    full = {'resource': 'r0'}
    full.update(args)
    out = run_main(mod, capsys, full, check_mode)
    out['_test_warnings'] = warned
    out['_test_sleeps'] = clock.sleeps
    return out, runner


# ---------------------------------------------------------------------------
# promotion

@pytest.mark.parametrize('check_mode', [False, True])
def test_controlled_promotion(monkeypatch, capsys, check_mode):
    script = script_for('r0', [SECONDARY_PEER_SECONDARY_84, PRIMARY_PEER_SECONDARY_84],
                        **{'drbdadm primary r0': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'primary'}, script, check_mode=check_mode)
    assert not out.get('failed'), out
    assert out['changed'] is True
    assert out['action'] == 'primary'
    assert out['commands'] == ['drbdadm primary r0']
    assert out['previous_role'] == 'Secondary'
    assert out['_test_warnings'] == []
    if check_mode:
        assert runner.writes == []
        assert out['role'] == 'Secondary' and out['state']['role'] == 'Secondary'
    else:
        assert runner.writes == ['drbdadm primary r0']
        assert out['role'] == 'Primary' and out['state']['role'] == 'Primary'
        assert out['state']['device'] == '/dev/drbd1'
        assert out['_test_sleeps'] == 0


@pytest.mark.parametrize('force', [False, True])
@pytest.mark.parametrize('check_mode', [False, True])
def test_promotion_while_peer_is_primary_is_refused(monkeypatch, capsys, force, check_mode):
    script = script_for('r0', SECONDARY_PEER_PRIMARY_84)
    out, runner = run_module(monkeypatch, capsys, {'state': 'primary', 'force_stale_promotion': force},
                             script, check_mode=check_mode)
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == []
    assert 'peer is Primary and connected' in out['msg']
    assert 'make_secondary.yml' in out['msg'] and 'failover.yml' in out['msg']
    assert out['action'] is None and out['commands'] == []
    assert out['previous_role'] == out['role'] == 'Secondary'
    assert out['state']['peer_role'] == 'Primary'


@pytest.mark.parametrize('fixture, texts', [
    ('events2_84_lab_synctarget_node2.txt', ['peer is Primary and connected', 'SyncTarget']),
    ('events2_84_lab_linkdown_node2.txt', ['local disk is Inconsistent', 'force_stale_promotion=true']),
    ('events2_84_lab_standalone_node2.txt', ['local disk is Inconsistent']),
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_promotion_of_stale_data_is_refused(monkeypatch, capsys, fixture, texts, check_mode):
    script = script_for('cap', events(fixture))
    out, runner = run_module(monkeypatch, capsys, {'resource': 'cap', 'state': 'primary'}, script,
                             check_mode=check_mode)
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == []
    assert out['msg'].startswith('refusing to promote cap: ')
    for text in texts:
        assert text in out['msg']


@pytest.mark.parametrize('check_mode', [False, True])
def test_forced_promotion_warns_what_may_be_lost(monkeypatch, capsys, check_mode):
    script = script_for('cap', [LINKDOWN_NODE2, LINKDOWN_NODE1],
                        **{'drbdadm primary --force cap': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys,
                             {'resource': 'cap', 'state': 'primary', 'force_stale_promotion': True},
                             script, check_mode=check_mode)
    assert not out.get('failed'), out
    assert out['changed'] is True
    assert out['action'] == 'primary-force'
    assert out['commands'] == ['drbdadm primary --force cap']
    assert runner.writes == ([] if check_mode else ['drbdadm primary --force cap'])
    warnings = warnings_text(out)
    assert 'local disk Inconsistent' in warnings
    assert '940240 KiB (918.2 MiB)' in warnings
    assert out['role'] == ('Secondary' if check_mode else 'Primary')


def test_emergency_takeover_warns(monkeypatch, capsys):
    script = script_for('cap', [LINKDOWN_UPTODATE_SECONDARY, LINKDOWN_NODE1],
                        **{'drbdadm primary cap': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'resource': 'cap', 'state': 'primary'}, script)
    assert not out.get('failed'), out
    assert runner.writes == ['drbdadm primary cap']
    assert TAKEOVER in warnings_text(out)
    assert out['role'] == 'Primary'


def test_split_brain_marker_is_warned_about(monkeypatch, capsys):
    script = script_for('cap', [LINKDOWN_UPTODATE_SECONDARY, LINKDOWN_NODE1],
                        **{'drbdadm primary cap': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'resource': 'cap', 'state': 'primary'}, script,
                             split_brain=True)
    assert 'split brain was detected on cap' in warnings_text(out)
    assert out['state']['split_brain'] is True


def test_drbd_refusal_is_passed_through(monkeypatch, capsys):
    err = ("9: State change failed: (-7) Refusing to be Primary while peer is not outdated\n"
           "Command 'drbdsetup-84 primary 9' terminated with exit code 11\n")
    script = script_for('cap', LINKDOWN_UPTODATE_SECONDARY, **{'drbdadm primary cap': (11, '', err)})
    out, runner = run_module(monkeypatch, capsys, {'resource': 'cap', 'state': 'primary'}, script)
    assert out['failed'] is True
    assert out['changed'] is False
    assert runner.writes == ['drbdadm primary cap']
    assert out['msg'].startswith('drbdadm primary cap failed (exit code 11): 9: State change failed: (-7) '
                                 'Refusing to be Primary while peer is not outdated')
    assert 'drbdadm outdate' in out['msg']
    assert out['role'] == 'Secondary'
    assert out['_test_warnings'] == []  # the takeover warning belongs to a promotion that happened


def test_role_that_shows_late_is_waited_for(monkeypatch, capsys):
    script = script_for('r0', [SECONDARY_PEER_SECONDARY_84, SECONDARY_PEER_SECONDARY_84,
                               SECONDARY_PEER_SECONDARY_84, PRIMARY_84],
                        **{'drbdadm primary r0': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'primary', 'wait': 5}, script)
    assert not out.get('failed'), out
    assert out['role'] == 'Primary'
    assert out['_test_sleeps'] == 2


def test_role_that_never_shows_fails(monkeypatch, capsys):
    script = script_for('r0', SECONDARY_PEER_SECONDARY_84, **{'drbdadm primary r0': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'primary', 'wait': 3}, script)
    assert out['failed'] is True and out['changed'] is True
    assert 'succeeded, but the role of r0 is Secondary, not Primary, after 3 s' in out['msg']
    assert out['_test_sleeps'] == 3


def test_wait_zero_only_warns(monkeypatch, capsys):
    script = script_for('r0', SECONDARY_PEER_SECONDARY_84, **{'drbdadm primary r0': (0, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'primary', 'wait': 0}, script)
    assert not out.get('failed'), out
    assert out['changed'] is True and out['_test_sleeps'] == 0
    assert 'not Primary, after 0 s' in warnings_text(out)


# ---------------------------------------------------------------------------
# demotion

@pytest.mark.parametrize('check_mode', [False, True])
def test_demotion(monkeypatch, capsys, check_mode):
    script = script_for('r0', [PRIMARY_84, SECONDARY_PEER_SECONDARY_84],
                        **{'drbdadm secondary r0': (0, '', ''), 'fuser -vm /dev/drbd1': (1, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'secondary'}, script, check_mode=check_mode,
                             mounts='/dev/vda1 / ext4 rw 0 0\n')
    assert not out.get('failed'), out
    assert out['changed'] is True
    assert out['action'] == 'secondary' and out['commands'] == ['drbdadm secondary r0']
    assert runner.writes == ([] if check_mode else ['drbdadm secondary r0'])
    assert runner.ran('fuser') == ['fuser -vm /dev/drbd1']
    assert out['holders'] == []
    assert out['previous_role'] == 'Primary'
    assert out['role'] == ('Primary' if check_mode else 'Secondary')


@pytest.mark.parametrize('check_mode', [False, True])
def test_demotion_while_mounted_is_refused(monkeypatch, capsys, check_mode):
    script = script_for('r0', PRIMARY_84)
    out, runner = run_module(monkeypatch, capsys, {'state': 'secondary'}, script, check_mode=check_mode,
                             mounts='/dev/drbd1 /var/hvmail xfs rw,relatime 0 0\n')
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == [] and runner.ran('fuser') == []
    assert '/dev/drbd1 is mounted on /var/hvmail' in out['msg']
    assert 'never unmounts' in out['msg']
    assert out['state']['mounted_at'] == ['/var/hvmail']


def test_demotion_when_proc_mounts_cannot_be_read_is_refused(monkeypatch, capsys):
    """No evidence of "not mounted" is not "not mounted": the device counts as in use."""
    script = script_for('r0', PRIMARY_84, **{'fuser -vm /dev/drbd1': (1, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'secondary'}, script, mounts=None)
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == []
    assert 'refusing to demote r0: /dev/drbd1 is mounted on a place this module cannot tell' in out['msg']
    assert '/proc/mounts could not be read' in out['msg']


@pytest.mark.parametrize('check_mode', [False, True])
def test_demotion_while_open_names_the_process(monkeypatch, capsys, check_mode):
    script = script_for('r0', PRIMARY_84, **{'fuser -vm /dev/drbd1': FUSER_OPEN})
    out, runner = run_module(monkeypatch, capsys, {'state': 'secondary'}, script, check_mode=check_mode)
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == []
    assert 'held open by dd (pid 2917, user root)' in out['msg']
    assert out['holders'] == ['dd (pid 2917, user root)']


def test_demotion_with_lvm_on_top_is_refused(monkeypatch, capsys):
    script = script_for('r0', PRIMARY_84, **{'fuser -vm /dev/drbd1': (1, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'state': 'secondary'}, script,
                             sysfs={'/dev/drbd1': ['dm-0 (vg0-data)']})
    assert out['failed'] is True and runner.writes == []
    assert 'held open by dm-0 (vg0-data)' in out['msg']


def test_demotion_without_fuser_relies_on_drbd(monkeypatch, capsys):
    err = ("1: State change failed: (-12) Device is held open by someone\n"
           "Command 'drbdsetup-84 secondary 1' terminated with exit code 11\n")
    script = script_for('r0', PRIMARY_84, **{'drbdadm secondary r0': (11, '', err)})
    out, runner = run_module(monkeypatch, capsys, {'state': 'secondary'}, script, fuser=False)
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == ['drbdadm secondary r0']
    assert 'Device is held open by someone' in out['msg']
    assert 'fuser -vm /dev/drbd1' in out['msg']
    assert out['role'] == 'Primary'


def test_demotion_with_peer_gone_warns(monkeypatch, capsys):
    script = script_for('cap', [LINKDOWN_NODE1, DEMOTED_LINKDOWN],
                        **{'drbdadm secondary cap': (0, '', ''), 'fuser -vm /dev/drbd9': (1, '', '')})
    out, runner = run_module(monkeypatch, capsys, {'resource': 'cap', 'state': 'secondary'}, script)
    assert not out.get('failed'), out
    assert runner.writes == ['drbdadm secondary cap']
    assert 'no node is Primary for cap' in warnings_text(out)


# ---------------------------------------------------------------------------
# nothing to do, not up

@pytest.mark.parametrize('target, states', [
    ('primary', PRIMARY_84),
    ('secondary', SECONDARY_PEER_PRIMARY_84),
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_already_in_role_is_not_changed(monkeypatch, capsys, target, states, check_mode):
    out, runner = run_module(monkeypatch, capsys, {'state': target}, script_for('r0', states),
                             check_mode=check_mode)
    assert not out.get('failed'), out
    assert out['changed'] is False
    assert out['action'] is None and out['commands'] == []
    assert runner.writes == [] and runner.ran('fuser') == []
    assert out['previous_role'] == out['role']


@pytest.mark.parametrize('target', ['primary', 'secondary'])
def test_resource_not_up_is_refused(monkeypatch, capsys, target):
    out, runner = run_module(monkeypatch, capsys, {'state': target}, script_for('r0', NOT_UP))
    assert out['failed'] is True and out['changed'] is False
    assert runner.writes == []
    assert out['msg'] == ('resource r0 is not up on this node: run provision.yml or check '
                          '`drbdadm status`')
    assert out['previous_role'] is None and out['state'] == {}


def test_module_not_loaded_is_refused_without_touching_drbd(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, {'state': 'primary', 'force_stale_promotion': True},
                             script_for('r0', NOT_UP), loaded=False)
    assert out['failed'] is True and runner.writes == []
    assert 'is not up on this node' in out['msg'] and 'kernel module is not loaded' in out['msg']
    assert runner.ran('drbdsetup') == []


def test_invalid_state_fails_before_any_command(monkeypatch, capsys):
    out, runner = run_module(monkeypatch, capsys, {'state': 'master'}, {})
    assert out['failed'] is True and runner.calls == []
