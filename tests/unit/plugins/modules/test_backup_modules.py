# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The backup modules (backup_run, backup_info, backup_restore, backup_repository)
driven through main() with a scripted AnsibleModule.run_command.

restic's answers are the restic 0.14 captures of
../module_utils/fixtures/restic/. The tests check the refusals (nothing but
read-only commands may run), check mode, and that the repository password
never reaches a command line or the result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import os

import pytest

from ansible.module_utils import basic

from ansible_collections.hapair.cluster.plugins.modules import backup_info
from ansible_collections.hapair.cluster.plugins.modules import backup_repository
from ansible_collections.hapair.cluster.plugins.modules import backup_restore
from ansible_collections.hapair.cluster.plugins.modules import backup_run
from ansible_collections.hapair.cluster.plugins.module_utils import backup_job
from fake_runner import capture_warnings, run_main


@pytest.fixture(autouse=True)
def _last_run_record_in_tmp(tmp_path, monkeypatch):
    """The run record goes under tmp_path: a test never writes /var/lib/hapair of the machine it runs on."""
    monkeypatch.setattr(backup_job, 'LAST_RUN_PATH', str(tmp_path / 'backup-%s.last-run.json'))


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils',
                        'fixtures', 'restic')
SECRET = 'S3cr3t-Pa55word!'
MOUNTINFO = ('22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n'
             '36 22 147:1 / /srv/hapair rw,noatime shared:30 - xfs /dev/drbd1 rw,attr2,inode64\n')
NOT_MOUNTED = '22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n'
LATEST = 'fa3818fe812fa717a2a598bef97cb49a3a777e22378aa1ded05fac0ea81e789e'
# Commands that change something on the node or in the repository.
WRITES = ('sh', 'sync', 'fsfreeze', 'lvcreate', 'lvremove', 'mount', 'umount', 'restic backup',
          'restic forget', 'restic init', 'restic restore', 'restic check', 'timeout')


def write_text(path, text):
    """path.write_text(text) that also takes a native str on Python 2 (pathlib2 wants unicode)."""
    with open(str(path), 'w') as f:
        f.write(text)


def capture(name):
    def read(ext, default=''):
        path = os.path.join(FIXTURES, '%s.%s' % (name, ext))
        if not os.path.exists(path):
            return default
        with io.open(path, encoding='utf-8') as handle:
            return handle.read()
    return int(read('rc', '0').strip()), read('stdout'), read('stderr')


class FakeCommands(object):
    """AnsibleModule.run_command stand-in answering by the longest matching command prefix.

    Keys are argv joined by blanks, the program's basename first, without restic's
    `-o sftp.command=...`. Every call must have LC_ALL=C and no ~/$VAR expansion.
    """

    def __init__(self, role='Primary/Secondary', answers=None):
        self.calls = []
        self.answers = {
            'drbdadm role r0': (0, role + '\n', '') if role else (10, '', "'r0' not defined in your config.\n"),
            'drbdadm dstate r0': (0, 'UpToDate/UpToDate\n', ''),
            'drbdadm dump r0': (0, 'resource r0 {\n    on node1 {\n    }\n    on node2 {\n    }\n}\n', ''),
            'sync': (0, '', ''), 'fsfreeze': (0, '', ''), 'lvcreate': (0, '', ''), 'lvremove': (0, '', ''),
            'mount': (0, '', ''), 'umount': (0, '', ''), 'sh -c': (0, '', ''), 'timeout': (0, '', ''),
            'lvs': (5, '', '  Failed to find logical volume "hapair/mirror-hapair-backup"\n'),
            'restic cat config': capture('cat_config'),
            'restic --no-cache cat config': capture('cat_config'),
            'restic --no-cache init': capture('init'),
            'restic backup': capture('backup_second'),
            'restic forget': capture('forget'),
            'restic snapshots': capture('snapshots'),
            'restic restore': capture('restore'),
        }
        self.answers.update(answers or {})

    def __call__(self, module, args, **kwargs):
        argv = [os.path.basename(args[0])] + list(args[1:])
        shown = [argv[0]] + (argv[3:] if argv[1:2] == ['-o'] else argv[1:])
        key = ' '.join(shown)
        env = kwargs.get('environ_update') or {}
        assert env.get('LC_ALL') == 'C' and env.get('LANG') == 'C', key
        assert kwargs.get('expand_user_and_vars') is False, key
        call = {'key': key, 'argv': list(args), 'env': dict(env), 'cwd': kwargs.get('cwd')}
        if env.get('RESTIC_PASSWORD_FILE'):
            with open(env['RESTIC_PASSWORD_FILE']) as handle:
                call['password'] = handle.read()
            call['password_mode'] = os.stat(env['RESTIC_PASSWORD_FILE']).st_mode & 0o777
        self.calls.append(call)
        for prefix in sorted(self.answers, key=len, reverse=True):
            if key == prefix or key.startswith(prefix + ' '):
                answer = self.answers[prefix]
                if isinstance(answer, list):
                    return answer.pop(0) if len(answer) > 1 else answer[0]
                return answer
        raise AssertionError('unexpected command: %s' % key)

    @property
    def bound(self):
        def run_command(module, args, **kwargs):
            return self(module, args, **kwargs)
        return run_command

    @property
    def keys(self):
        return [call['key'] for call in self.calls]

    @property
    def writes(self):
        return [key for key in self.keys if any(key == w or key.startswith(w + ' ') for w in WRITES)]

    def ran(self, prefix):
        return [key for key in self.keys if key == prefix or key.startswith(prefix + ' ')]


def write_config(tmp_path, **overrides):
    password_file = tmp_path / 'r0.password'
    write_text(password_file, SECRET)
    data = {
        'resource': 'r0', 'mount_point': '/srv/hapair', 'fstype': 'xfs',
        'repository': 'sftp:hapair@10.0.2.100:/r0', 'password_file': str(password_file),
        'environment': {}, 'ssh': None, 'host': 'hapair-r0', 'tags': ['hapair', 'r0'],
        'consistency': 'snapshot', 'lvm': {'vg': 'hapair', 'lv': 'mirror', 'snapshot_size': '25%ORIGIN'},
        'pre_hook': '', 'post_hook': '', 'hook_timeout': 600, 'excludes': [],
        'keep': {'daily': 7, 'weekly': 4, 'monthly': 6}, 'cache_dir': str(tmp_path / 'cache'),
        'lock_file': str(tmp_path / 'r0.lock'), 'view_dir': str(tmp_path / 'view'), 'restic': 'restic',
    }
    data.update(overrides)
    path = tmp_path / 'r0.json'
    write_text(path, json.dumps(data))
    return str(path)


def run_module(module, monkeypatch, capsys, args, commands, check_mode=False, mountinfo=MOUNTINFO,
               node='node2'):
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', commands.bound)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, tool, required=False, opt_dirs=None: '/usr/bin/' + tool)
    warned = capture_warnings(monkeypatch)
    if hasattr(module, 'read_mountinfo'):
        monkeypatch.setattr(module, 'read_mountinfo', lambda: mountinfo)
    if hasattr(module, 'node_name'):
        monkeypatch.setattr(module, 'node_name', lambda: node)
    out = run_main(module, capsys, args, check_mode)
    out['_test_warnings'] = warned
    assert SECRET not in json.dumps(out)
    for call in commands.calls:
        assert SECRET not in ' '.join(call['argv'])
        assert SECRET not in json.dumps(call['env'])
    return out


# ---------------------------------------------------------------------------
# backup_run

@pytest.mark.parametrize('check_mode', [False, True])
def test_run_refuses_on_the_secondary(tmp_path, monkeypatch, capsys, check_mode):
    commands = FakeCommands(role='Secondary/Primary')
    out = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path)}, commands,
                     check_mode=check_mode, mountinfo=NOT_MOUNTED)
    assert out['failed'] is True and out['changed'] is False
    assert out['msg'] == ('node2 is Secondary for r0; backups run on the Primary (node1) or set '
                          'from_secondary_snapshot=true with an LVM-backed mirror. Nothing was changed')
    assert commands.writes == []
    assert commands.keys == ['drbdadm role r0', 'drbdadm dump r0']
    assert out['role'] == 'Secondary' and 'skipped' not in out


def test_run_refuses_when_not_up(tmp_path, monkeypatch, capsys):
    commands = FakeCommands(role=None)
    out = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path)}, commands,
                     mountinfo=NOT_MOUNTED)
    assert out['failed'] is True and commands.writes == []
    assert out['msg'].startswith('r0 is not up on node2 (drbdadm role r0: ')
    assert out['msg'].endswith('backups run on the Primary (node1). Nothing was changed')


def test_run_on_the_primary(tmp_path, monkeypatch, capsys):
    config = write_config(tmp_path, pre_hook='systemctl stop app', post_hook='systemctl start app')
    commands = FakeCommands()
    out = run_module(backup_run, monkeypatch, capsys, {'config': config}, commands, node='node1')
    assert not out.get('failed'), out
    assert out['changed'] is True and out['snapshot_id'] == 'fa3818fe'
    assert (out['files_new'], out['files_changed'], out['files_processed']) == (1, 1, 3)
    assert out['bytes_added'] == 1395 and out['pruned'] is True
    assert out['consistency'] == 'snapshot' and out['source'] == str(tmp_path / 'view')
    # the module's warnings go to _test_warnings (run_module), not to a 'warnings' key
    assert 'skipped' not in out and 'warnings' not in out
    assert out['_test_warnings'] == []
    hooks = commands.ran('timeout')
    assert hooks == ['timeout -k 10 600 sh -c systemctl stop app', 'timeout -k 10 600 sh -c systemctl start app']
    keys = commands.keys
    assert keys.index('fsfreeze -f /srv/hapair') < keys.index('fsfreeze -u /srv/hapair') < keys.index(
        'restic backup --json --one-file-system --host hapair-r0 --tag hapair --tag r0 .')
    backup_call = [call for call in commands.calls if call['key'].startswith('restic backup')][0]
    assert backup_call['cwd'] == str(tmp_path / 'view')
    assert backup_call['env']['RESTIC_PASSWORD_FILE'] == str(tmp_path / 'r0.password')
    assert 'RESTIC_PASSWORD' not in backup_call['env']


def test_run_check_mode_on_the_primary(tmp_path, monkeypatch, capsys):
    commands = FakeCommands()
    out = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path, fstype='ext4'), 'consistency': 'freeze'},
                     commands, check_mode=True, node='node1')
    assert not out.get('failed'), out
    assert out['changed'] is True and out['snapshot_id'] is None
    assert commands.keys == ['drbdadm role r0']
    assert out['commands'][:3] == ['restic cat config', 'fsfreeze -f /srv/hapair',
                                   '(in /srv/hapair) restic backup --json --one-file-system --host hapair-r0 '
                                   '--tag hapair --tag r0 .']
    assert not os.path.exists(str(tmp_path / 'r0.lock'))


def test_run_from_the_secondary_snapshot(tmp_path, monkeypatch, capsys):
    commands = FakeCommands(role='Secondary/Primary')
    out = run_module(backup_run, monkeypatch, capsys,
                     {'config': write_config(tmp_path), 'from_secondary_snapshot': True}, commands,
                     mountinfo=NOT_MOUNTED)
    assert not out.get('failed'), out
    assert out['from_secondary_snapshot'] is True and out['frozen_seconds'] == 0.0
    assert commands.ran('fsfreeze') == []
    assert commands.ran('lvcreate') == ['lvcreate -s -n mirror-hapair-backup -l 25%ORIGIN hapair/mirror']


def test_run_while_another_backup_runs(tmp_path, monkeypatch, capsys):
    import fcntl
    config = write_config(tmp_path)
    with open(str(tmp_path / 'r0.lock'), 'w') as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        commands = FakeCommands()
        out = run_module(backup_run, monkeypatch, capsys, {'config': config, 'lock_wait': 0}, commands,
                         node='node1')
    assert out['failed'] is True and commands.calls == []
    assert out['msg'].startswith('another backup of r0 is running on this node')


def test_run_refuses_a_negative_lock_wait(tmp_path, monkeypatch, capsys):
    commands = FakeCommands()
    out = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path), 'lock_wait': -5},
                     commands, node='node1')
    assert out['failed'] is True and commands.calls == []
    assert out['msg'] == 'lock_wait must be 0 or more seconds, got -5'


def test_run_with_a_wrong_password_changes_nothing(tmp_path, monkeypatch, capsys):
    commands = FakeCommands(answers={'restic cat config': capture('wrong_password')})
    out = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path, pre_hook='true')},
                     commands, node='node1')
    assert out['failed'] is True and out['changed'] is False
    assert 'exists but hapair_backup_password does not open it' in out['msg']
    assert commands.writes == []


def test_run_incomplete_snapshot_warns(tmp_path, monkeypatch, capsys):
    rc, out, dummy = capture('backup_second')
    commands = FakeCommands(answers={'restic backup': (3, out, 'error: lstat data/gone: no such file or directory\n')})
    result = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path, consistency='live')},
                        commands, node='node1')
    assert not result.get('failed'), result
    assert result['incomplete'] is True
    assert 'error: lstat data/gone' in result['_test_warnings'][0]


def test_run_bad_configuration(tmp_path, monkeypatch, capsys):
    out = run_module(backup_run, monkeypatch, capsys, {'config': str(tmp_path / 'none.json')}, FakeCommands())
    assert out['failed'] is True and 'cannot read the backup configuration' in out['msg']
    out = run_module(backup_run, monkeypatch, capsys, {'config': write_config(tmp_path), 'resource': 'r1'},
                     FakeCommands())
    assert out['failed'] is True and 'is the backup configuration of r0, not of r1' in out['msg']


# ---------------------------------------------------------------------------
# backup_info

@pytest.mark.parametrize('check_mode', [False, True])
def test_info_lists_snapshots(tmp_path, monkeypatch, capsys, check_mode):
    commands = FakeCommands()
    out = run_module(backup_info, monkeypatch, capsys, {'config': write_config(tmp_path)}, commands,
                     check_mode=check_mode)
    assert not out.get('failed'), out
    assert out['changed'] is False and out['count'] == 2
    assert [snap['short_id'] for snap in out['snapshots']] == ['807677ed', 'fa3818fe']
    assert out['latest']['id'] == LATEST
    assert out['repository'] == 'sftp:hapair@10.0.2.100:/r0' and out['host'] == 'hapair-r0'
    assert commands.keys == ['restic snapshots --json --no-lock --host hapair-r0']


def test_info_empty_repository(tmp_path, monkeypatch, capsys):
    commands = FakeCommands(answers={'restic snapshots': capture('snapshots_empty')})
    out = run_module(backup_info, monkeypatch, capsys, {'config': write_config(tmp_path)}, commands)
    assert out['count'] == 0 and out['latest'] is None and out['snapshots'] == []


@pytest.mark.parametrize('fixture, kind, words', [
    ('wrong_password', 'wrong_password', 'exists but hapair_backup_password does not open it'),
    ('sftp_timeout', 'unreachable', 'timed out'),
    ('sftp_hostkey_changed', 'unreachable', 'host key is not known or has changed'),
])
def test_info_failures_are_classified(tmp_path, monkeypatch, capsys, fixture, kind, words):
    commands = FakeCommands(answers={'restic snapshots': capture(fixture)})
    out = run_module(backup_info, monkeypatch, capsys, {'config': write_config(tmp_path)}, commands)
    assert out['failed'] is True and out['kind'] == kind
    assert words in out['msg']


# ---------------------------------------------------------------------------
# backup_restore

@pytest.mark.parametrize('check_mode', [False, True])
def test_restore_in_place_refused_on_the_secondary(tmp_path, monkeypatch, capsys, check_mode):
    commands = FakeCommands(role='Secondary/Primary')
    out = run_module(backup_restore, monkeypatch, capsys,
                     {'config': write_config(tmp_path), 'target': '/srv/hapair', 'in_place': True}, commands,
                     check_mode=check_mode, mountinfo=NOT_MOUNTED)
    assert out['failed'] is True and out['changed'] is False
    assert out['msg'].startswith('refusing to restore in place on node2: it is Secondary for r0')
    assert out['msg'].endswith('Nothing was changed')
    assert commands.keys == ['drbdadm role r0']


def test_restore_in_place_on_the_primary(tmp_path, monkeypatch, capsys):
    commands = FakeCommands()
    out = run_module(backup_restore, monkeypatch, capsys,
                     {'config': write_config(tmp_path), 'target': '/srv/hapair', 'in_place': True,
                      'snapshot': 'fa3818fe'}, commands, node='node1')
    assert not out.get('failed'), out
    assert commands.keys == ['drbdadm role r0', 'restic snapshots --json --no-lock --host hapair-r0',
                             'restic restore %s --target /srv/hapair' % LATEST]
    assert out['changed'] is True and out['snapshot_id'] == LATEST and out['in_place'] is True
    assert out['snapshot_time'] == '2026-11-30T03:36:57.547391544Z' and out['files_restored'] is None


def test_restore_into_the_mount_point_without_in_place_is_refused(tmp_path, monkeypatch, capsys):
    commands = FakeCommands()
    out = run_module(backup_restore, monkeypatch, capsys,
                     {'config': write_config(tmp_path), 'target': '/srv/hapair/old'}, commands, node='node1')
    assert out['failed'] is True and "inside the mirror's mount point /srv/hapair" in out['msg']
    assert commands.ran('restic') == []


@pytest.mark.parametrize('check_mode', [False, True])
def test_restore_unknown_snapshot_fails_before_writing(tmp_path, monkeypatch, capsys, check_mode):
    target = str(tmp_path / 'pick')
    commands = FakeCommands(role='Secondary/Primary')
    out = run_module(backup_restore, monkeypatch, capsys,
                     {'config': write_config(tmp_path), 'target': target, 'snapshot': 'deadbeef'}, commands,
                     check_mode=check_mode, mountinfo=NOT_MOUNTED)
    assert out['failed'] is True and out['kind'] == 'unknown_snapshot'
    assert 'snapshot deadbeef does not exist' in out['msg']
    assert 'fa3818fe (2026-11-30T03:36:57.547391544Z), 807677ed' in out['msg']
    assert commands.ran('restic restore') == [] and not os.path.exists(target)


def test_restore_check_mode_resolves_latest(tmp_path, monkeypatch, capsys):
    target = str(tmp_path / 'pick')
    commands = FakeCommands(role='Secondary/Primary')
    out = run_module(backup_restore, monkeypatch, capsys, {'config': write_config(tmp_path), 'target': target},
                     commands, check_mode=True, mountinfo=NOT_MOUNTED)
    assert not out.get('failed'), out
    assert out['snapshot_id'] == LATEST and out['changed'] is True
    assert commands.writes == [] and not os.path.exists(target)


def test_restore_into_a_directory_on_the_secondary(tmp_path, monkeypatch, capsys):
    target = str(tmp_path / 'pick')
    commands = FakeCommands(role='Secondary/Primary')
    out = run_module(backup_restore, monkeypatch, capsys,
                     {'config': write_config(tmp_path), 'target': target, 'include': ['/data']}, commands,
                     mountinfo=NOT_MOUNTED)
    assert not out.get('failed'), out
    assert commands.ran('restic restore') == ['restic restore %s --target %s --include /data' % (LATEST, target)]
    assert os.path.isdir(target)


# ---------------------------------------------------------------------------
# backup_repository

REPO_ARGS = {'repository': 'sftp:hapair@10.0.2.100:/r0', 'password': SECRET,
             'environment': {'AWS_SECRET_ACCESS_KEY': 'env-secret'},
             'ssh_key_file': '/etc/hapair/backup/ssh_key', 'known_hosts_file': '/etc/hapair/backup/known_hosts'}


def password_files(commands):
    return set(call['env']['RESTIC_PASSWORD_FILE'] for call in commands.calls)


def test_repository_that_exists(monkeypatch, capsys):
    commands = FakeCommands()
    out = run_module(backup_repository, monkeypatch, capsys, REPO_ARGS, commands)
    assert not out.get('failed'), out
    assert (out['changed'], out['exists'], out['initialised']) == (False, True, False)
    assert commands.keys == ['restic --no-cache cat config']
    call = commands.calls[0]
    assert call['password'] == SECRET and call['password_mode'] == 0o600
    assert call['env']['AWS_SECRET_ACCESS_KEY'] == 'env-secret'
    assert call['argv'][1:3] == ['-o', 'sftp.command=ssh -i /etc/hapair/backup/ssh_key -o IdentitiesOnly=yes '
                                 '-o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=10 '
                                 'hapair@10.0.2.100 -s sftp']  # the known_hosts file does not exist here
    assert not any(os.path.exists(path) for path in password_files(commands))


def test_repository_is_initialised(monkeypatch, capsys):
    commands = FakeCommands(answers={'restic --no-cache cat config': capture('sftp_no_repository')})
    out = run_module(backup_repository, monkeypatch, capsys, REPO_ARGS, commands)
    assert not out.get('failed'), out
    assert (out['changed'], out['exists'], out['initialised']) == (True, True, True)
    assert commands.keys == ['restic --no-cache cat config', 'restic --no-cache init']
    assert not any(os.path.exists(path) for path in password_files(commands))


def test_repository_check_mode_does_not_initialise(monkeypatch, capsys):
    commands = FakeCommands(answers={'restic --no-cache cat config': capture('no_repository')})
    out = run_module(backup_repository, monkeypatch, capsys, REPO_ARGS, commands, check_mode=True)
    assert (out['changed'], out['exists'], out['initialised']) == (True, False, False)
    assert commands.writes == []


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('fixture, kind, words', [
    ('wrong_password', 'wrong_password', 'exists but hapair_backup_password does not open it'),
    ('sftp_denied', 'unreachable', 'refused the SSH login'),
    ('sftp_refused', 'unreachable', 'refused the connection'),
])
def test_repository_refusals_create_nothing(monkeypatch, capsys, fixture, kind, words, check_mode):
    commands = FakeCommands(answers={'restic --no-cache cat config': capture(fixture)})
    out = run_module(backup_repository, monkeypatch, capsys, REPO_ARGS, commands, check_mode=check_mode)
    assert out['failed'] is True and out['changed'] is False and out['kind'] == kind
    assert words in out['msg']
    assert commands.writes == []
    assert not any(os.path.exists(path) for path in password_files(commands))
