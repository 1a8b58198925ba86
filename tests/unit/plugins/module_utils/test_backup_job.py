# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/module_utils/backup_job.py: the restic backup job.

restic's answers come from real restic 0.14.0 captures in fixtures/restic/
(see its README). The job runs against FakeNode, a scripted runner that
records every command (argv, cwd, env, timeout) and advances a fake clock,
so that the tests can assert the exact order of the commands: above all that
`fsfreeze -u` follows every `fsfreeze -f`, whatever fails in between, and that
the password never reaches a command line, the log or the result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fcntl
import io
import json
import os
import sys
import threading
import time

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils import backup_job as bj


@pytest.fixture(autouse=True)
def _last_run_record_in_tmp(tmp_path, monkeypatch):
    """The run record goes under tmp_path: a test never writes /var/lib/hapair of the machine it runs on."""
    monkeypatch.setattr(bj, 'LAST_RUN_PATH', str(tmp_path / 'backup-%s.last-run.json'))


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'restic')
SECRET = 'S3cr3t-Pa55word!'
ENV_SECRET = 'aws-secret-value-123'
MOUNT = '/srv/hapair'
MOUNTINFO = ('22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n'
             '36 22 147:1 / /srv/hapair rw,noatime shared:30 - xfs /dev/drbd1 rw,attr2,inode64\n')
NOT_MOUNTED = '22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n'
SNAP_LV = 'hapair/mirror-hapair-backup'
SNAP_DEV = '/dev/hapair/mirror-hapair-backup'
LVS_NONE = (5, '', '  Failed to find logical volume "hapair/mirror-hapair-backup"\n')
BACKUP = ('restic backup --json --one-file-system --host hapair-r0 --tag hapair --tag r0 '
          '--exclude *.tmp .')
FORGET = ('restic forget --prune --host hapair-r0 --tag hapair --group-by host,tags '
          '--keep-daily 7 --keep-weekly 4 --keep-monthly 6')
# OpenSSH's wording, written by hand: a DNS failure cannot be captured offline.
DNS_FAILURE = ('subprocess ssh: ssh: Could not resolve hostname backup.example: Name or service not known\n'
               'Fatal: unable to open repository at sftp:hapair@backup.example:/r0: unable to start the '
               'sftp session, error: EOF\n')


def write_text(path, text):
    """path.write_text(text) that also takes a native str on Python 2 (pathlib2 wants unicode)."""
    with open(str(path), 'w') as f:
        f.write(text)


def capture(name):
    """(rc, stdout, stderr) of a restic 0.14 capture."""
    def read(ext, default=''):
        path = os.path.join(FIXTURES, '%s.%s' % (name, ext))
        if not os.path.exists(path):
            return default
        with io.open(path, encoding='utf-8') as handle:
            return handle.read()
    return int(read('rc', '0').strip()), read('stdout'), read('stderr')


OK = (0, '', '')


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class FakeNode(object):
    """runner(argv, cwd, env, timeout): answers by the longest matching command prefix.

    The key of a call is its argv joined by blanks, with restic's `-o sftp.command=...`
    left out. ``answers`` adds to or replaces the defaults. An answer is (rc, out, err), a list of them (the last repeats) or a
    callable(call) -> (rc, out, err). Each call advances the clock (restic backup by
    10 s, the rest by 0.25 s).
    """

    def __init__(self, role='Primary/Secondary', answers=None):
        self.clock = FakeClock()
        self.calls = []
        self.answers = {
            'drbdadm role r0': (0, role + '\n', '') if role else (10, '', "'r0' not defined in your config (for this host).\n"),
            'drbdadm dstate r0': (0, 'UpToDate/UpToDate\n', ''),
            'drbdadm dump r0': (0, 'resource r0 {\n    on node1 {\n    }\n    on node2 {\n    }\n}\n', ''),
            'sync': OK, 'fsfreeze': OK, 'lvcreate': OK, 'lvremove': OK, 'mount': OK, 'umount': OK,
            'lvs': LVS_NONE, 'sh -c': OK,
            'restic cat config': capture('cat_config'),
            'restic backup': capture('backup_second'),
            'restic forget': capture('forget'),
            'restic snapshots': capture('snapshots'),
            'restic check': capture('check'),
            'restic unlock': OK,
            'restic restore': capture('restore'),
            'restic init': capture('init'),
            'restic --no-cache cat config': capture('cat_config'),
            'restic --no-cache init': capture('init'),
            'restic --no-cache unlock': OK,
        }
        self.answers.update(answers or {})

    def __call__(self, argv, cwd=None, env=None, timeout=None):
        argv = list(argv)
        shown = [argv[0]] + (argv[3:] if argv[1:2] == ['-o'] else argv[1:])
        key = ' '.join(shown)
        call = {'key': key, 'argv': argv, 'cwd': cwd, 'env': dict(env or {}), 'timeout': timeout}
        self.calls.append(call)
        self.clock.now += 10.0 if key.startswith('restic backup') else 0.25
        for prefix in sorted(self.answers, key=len, reverse=True):
            if key == prefix or key.startswith(prefix + ' '):
                answer = self.answers[prefix]
                if callable(answer):
                    return answer(call)
                if isinstance(answer, list):
                    return answer.pop(0) if len(answer) > 1 else answer[0]
                return answer
        raise AssertionError('unexpected command: %s' % key)

    @property
    def keys(self):
        return [call['key'] for call in self.calls]

    def index(self, key):
        return self.keys.index(key)

    def ran(self, prefix):
        return [key for key in self.keys if key == prefix or key.startswith(prefix + ' ')]

    def call(self, prefix):
        found = [call for call in self.calls if call['key'].startswith(prefix)]
        assert len(found) == 1, (prefix, self.keys)
        return found[0]


def settings(tmp_path, **overrides):
    """A complete configuration as the role writes it, with its files under tmp_path."""
    password_file = tmp_path / 'r0.password'
    write_text(password_file, SECRET)
    data = {
        'resource': 'r0', 'mount_point': MOUNT, 'fstype': 'xfs',
        'repository': 'sftp:hapair@10.0.2.100:/r0',
        'password_file': str(password_file),
        'environment': {'AWS_SECRET_ACCESS_KEY': ENV_SECRET},
        'ssh': {'key_file': '/etc/hapair/backup/ssh_key', 'known_hosts_file': '/etc/hapair/backup/known_hosts',
                'connect_timeout': 10},
        'host': 'hapair-r0', 'tags': ['hapair', 'r0'], 'consistency': 'snapshot',
        'lvm': {'vg': 'hapair', 'lv': 'mirror', 'snapshot_size': '25%ORIGIN'},
        'pre_hook': '', 'post_hook': '', 'hook_timeout': 600, 'excludes': ['*.tmp'],
        'keep': {'daily': 7, 'weekly': 4, 'monthly': 6},
        'cache_dir': str(tmp_path / 'cache'), 'lock_file': str(tmp_path / 'lock' / 'r0.lock'),
        'view_dir': str(tmp_path / 'view'), 'restic': 'restic',
    }
    data.update(overrides)
    return data


def config(tmp_path, **overrides):
    return bj.validate_config(settings(tmp_path, **overrides), 'r0.json')


def backup(cfg, node, mountinfo=MOUNTINFO, **kwargs):
    logged = []
    try:
        result = bj.run_backup(cfg, node, logged.append, node.clock, mountinfo=lambda: mountinfo,
                               node='node1', **kwargs)
    except bj.BackupError as ex:
        assert ex.result['log'] == logged
        return None, ex, logged
    assert result['log'] == logged
    return result, None, logged


def assert_thawed_after_every_freeze(node):
    """Each fsfreeze -f is followed by a fsfreeze -u of the same mount point."""
    frozen = None
    for key in node.keys:
        if key.startswith('fsfreeze -f '):
            assert frozen is None, node.keys
            frozen = key[len('fsfreeze -f '):]
        elif key.startswith('fsfreeze -u '):
            assert key[len('fsfreeze -u '):] == frozen, node.keys
            frozen = None
    assert frozen is None, 'left frozen: %s' % node.keys


def assert_no_secret(node, *texts):
    for call in node.calls:
        assert SECRET not in ' '.join(call['argv'])
        assert ENV_SECRET not in ' '.join(call['argv'])
        assert SECRET not in json.dumps(call['env'])
        if not call['key'].startswith('restic'):
            assert ENV_SECRET not in json.dumps(call['env']), call['key']  # only restic gets it
    for text in texts:
        dumped = json.dumps(text, default=str)
        assert SECRET not in dumped
        assert ENV_SECRET not in dumped


# ---------------------------------------------------------------------------
# configuration

def test_full_configuration_is_accepted(tmp_path):
    cfg = config(tmp_path)
    assert cfg['consistency'] == 'snapshot'
    assert cfg['lvm'] == {'vg': 'hapair', 'lv': 'mirror', 'snapshot_size': '25%ORIGIN'}
    assert cfg['ssh']['connect_timeout'] == 10
    assert cfg['keep'] == {'daily': 7, 'weekly': 4, 'monthly': 6}


def test_defaults_fill_optional_keys(tmp_path):
    data = settings(tmp_path)
    for key in bj.OPTIONAL_KEYS:
        data.pop(key, None)
    data['consistency'] = 'freeze'
    data['fstype'] = 'ext4'
    cfg = bj.validate_config(data)
    assert cfg['tags'] == ['hapair', 'r0']
    assert cfg['lock_file'] == '/run/lock/hapair-backup-r0.lock'
    assert cfg['view_dir'] == '/run/hapair/backup-view/r0'
    assert cfg['cache_dir'] == '/var/cache/hapair-backup'
    assert cfg['keep'] == {} and bj.forget_args(cfg) is None
    assert cfg['ssh'] is None and cfg['lvm'] is None and cfg['restic'] == 'restic'


# written out, not read from bj.REQUIRED_KEYS: a key dropped from the requirement must fail here
@pytest.mark.parametrize('key', ['resource', 'mount_point', 'fstype', 'repository', 'password_file', 'host',
                                 'consistency'])
def test_missing_key_is_named(tmp_path, key):
    data = settings(tmp_path)
    del data[key]
    with pytest.raises(bj.BackupError) as info:
        bj.validate_config(data, '/etc/hapair/backup/r0.json')
    assert info.value.kind == 'config'
    assert info.value.message == "/etc/hapair/backup/r0.json: missing key '%s'" % key


@pytest.mark.parametrize('overrides, words', [
    ({'consistency': 'cold'}, ["key 'consistency'", 'snapshot, freeze, live']),
    ({'lvm': None}, ["key 'consistency'", 'needs an LVM volume']),
    ({'lvm': {'vg': 'hapair', 'lv': 'mirror', 'snapshot_size': '25 %'}}, ["key 'lvm.snapshot_size'"]),
    ({'lvm': {'vg': 'hapair', 'lv': 'mir ror', 'snapshot_size': '1G'}}, ["key 'lvm.lv'"]),
    ({'mount_point': 'srv/hapair'}, ["key 'mount_point'", 'absolute path']),
    ({'hook_timeout': 0}, ["key 'hook_timeout'", '>= 1']),
    ({'hook_timeout': True}, ["key 'hook_timeout'"]),
    ({'keep': {'daily': -1}}, ["key 'keep.daily'"]),
    ({'keep': {'dayly': 7}}, ["key 'keep.dayly'", 'is not one of']),
    ({'excludes': '*.tmp'}, ["key 'excludes'", 'list']),
    ({'ssh': {'key_file': '/etc/my key', 'known_hosts_file': None}}, ["key 'ssh.key_file'", 'blanks']),
    ({'ssh': {'key_file': '/etc/a,b'}}, ["key 'ssh.key_file'", 'commas']),
    ({'environment': {'RESTIC_PASSWORD': 'x'}}, ["key 'environment.RESTIC_PASSWORD'"]),
    ({'environment': {'AWS_SECRET_ACCESS_KEY': ['no']}}, ["key 'environment.AWS_SECRET_ACCESS_KEY'"]),
    ({'cache_dir': '/srv/hapair/.cache'}, ["key 'cache_dir'", 'on the mirror']),
    ({'repository': '/srv/hapair/backups'}, ["key 'repository'", 'survive the loss']),
    ({'repository': ''}, ["key 'repository'"]),
    ({'resource': 'r 0'}, ["key 'resource'"]),
    ({'exclude': ['x']}, ["unknown key 'exclude'", 'typo']),
])
def test_invalid_key_is_named(tmp_path, overrides, words):
    with pytest.raises(bj.BackupError) as info:
        config(tmp_path, **overrides)
    assert info.value.kind == 'config'
    for word in words:
        assert word in info.value.message
    assert ENV_SECRET not in info.value.message


def test_template_renderings_are_accepted(tmp_path):
    cfg = config(tmp_path, ssh='', lvm='None', consistency='live', hook_timeout='600',
                 keep={'daily': '7', 'weekly': 0, 'monthly': '0'}, tags=['r0'])
    assert cfg['ssh'] is None and cfg['lvm'] is None
    assert cfg['hook_timeout'] == 600
    assert bj.forget_args(cfg)[-2:] == ['--keep-daily', '7']
    assert cfg['tags'] == ['hapair', 'r0']  # retention selects the job's snapshots by this tag


def test_load_config_reads_json(tmp_path):
    path = tmp_path / 'r0.json'
    write_text(path, json.dumps(settings(tmp_path)))
    assert bj.load_config(str(path))['host'] == 'hapair-r0'
    write_text(path, '{"resource": ')
    with pytest.raises(bj.BackupError) as info:
        bj.load_config(str(path))
    assert 'is not valid JSON' in info.value.message
    with pytest.raises(bj.BackupError) as info:
        bj.load_config(str(tmp_path / 'missing.json'))
    assert 'cannot read the backup configuration' in info.value.message
    assert 'hapair.cluster.backup role' in info.value.message


@pytest.mark.parametrize('overrides,said', [
    ({'exclude': ['x']}, "r0.json: unknown key 'exclude' (a typo?)"),
    ({'consistency': 'cold'}, "r0.json: key 'consistency' must be one of snapshot, freeze, live, got 'cold'"),
    ({'excludes': '*.tmp'}, "r0.json: key 'excludes' must be a list of non-empty strings, got '*.tmp'"),
    ({'excludes': ['a', '']}, "r0.json: key 'excludes' must be a list of non-empty strings, got ['a', '']"),
    ({'hook_timeout': 'soon'}, "r0.json: key 'hook_timeout' must be an integer >= 1, got 'soon'"),
])
def test_messages_read_the_same_on_every_python(tmp_path, overrides, said):
    """JSON gives unicode strings on Python 2 (EL7's platform python runs the timer's job):
    the messages must not read u'exclude'."""
    path = tmp_path / 'r0.json'
    write_text(path, json.dumps(settings(tmp_path, **overrides)))
    with pytest.raises(bj.BackupError) as info:
        bj.load_config(str(path))
    assert info.value.message.endswith(said), info.value.message


# ---------------------------------------------------------------------------
# restic command lines

@pytest.mark.parametrize('repository, expected', [
    ('sftp:hapair@10.0.2.100:/r0', {'user': 'hapair', 'host': '10.0.2.100', 'port': None, 'path': '/r0'}),
    ('sftp:backup.example:hapair', {'user': None, 'host': 'backup.example', 'port': None, 'path': 'hapair'}),
    ('sftp://hapair@10.0.2.100:2222//srv/restic/r0',
     {'user': 'hapair', 'host': '10.0.2.100', 'port': '2222', 'path': '/srv/restic/r0'}),
    ('sftp://hapair@backup.example/r0', {'user': 'hapair', 'host': 'backup.example', 'port': None, 'path': 'r0'}),
    ('sftp:hapair@[fd00::10]:/r0', {'user': 'hapair', 'host': 'fd00::10', 'port': None, 'path': '/r0'}),
    ('s3:https://s3.example.com/bucket', None),
    ('/backup/hapair', None),
])
def test_parse_sftp(repository, expected):
    assert bj.parse_sftp(repository) == expected


def test_sftp_command_pins_the_host_key():
    ssh = {'key_file': '/etc/hapair/backup/ssh_key', 'known_hosts_file': '/etc/hapair/backup/known_hosts',
           'connect_timeout': 7}
    assert bj.sftp_command('sftp:hapair@10.0.2.100:/r0', ssh, lambda path: True) == (
        'ssh -i /etc/hapair/backup/ssh_key -o IdentitiesOnly=yes -o BatchMode=yes '
        '-o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/hapair/backup/known_hosts '
        '-o ConnectTimeout=7 hapair@10.0.2.100 -s sftp')
    with_port = bj.sftp_command('sftp://hapair@10.0.2.100:2222//r0', ssh, lambda path: True)
    assert with_port.endswith('-o ConnectTimeout=7 -p 2222 hapair@10.0.2.100 -s sftp')
    without_file = bj.sftp_command('sftp:hapair@10.0.2.100:/r0', ssh, lambda path: False)
    assert 'UserKnownHostsFile' not in without_file and 'StrictHostKeyChecking=yes' in without_file
    assert bj.sftp_command('sftp:hapair@10.0.2.100:/r0', None) is None
    assert bj.sftp_command('s3:https://s3.example.com/b', ssh) is None


def test_restic_argv_and_environment_keep_the_password_out(tmp_path):
    cfg = config(tmp_path)
    argv = bj.restic_argv(cfg, ['snapshots', '--json'], exists=lambda path: True)
    assert argv[:2] == ['restic', '-o']
    assert argv[2].startswith('sftp.command=ssh -i /etc/hapair/backup/ssh_key ')
    assert argv[3:] == ['snapshots', '--json']
    env = bj.restic_env(cfg)
    assert env['RESTIC_PASSWORD_FILE'] == str(tmp_path / 'r0.password')
    assert env['RESTIC_REPOSITORY'] == 'sftp:hapair@10.0.2.100:/r0'
    assert env['RESTIC_CACHE_DIR'] == str(tmp_path / 'cache')
    assert env['RESTIC_PASSWORD_COMMAND'] == ''
    assert env['AWS_SECRET_ACCESS_KEY'] == ENV_SECRET
    assert 'RESTIC_PASSWORD' not in env
    assert SECRET not in json.dumps([argv, env])


def test_lvcreate_size_forms(tmp_path):
    cfg = config(tmp_path)
    assert bj.lvcreate_argv(cfg) == ['lvcreate', '-s', '-n', 'mirror-hapair-backup', '-l', '25%ORIGIN',
                                     'hapair/mirror']
    cfg = config(tmp_path, lvm={'vg': 'vg0', 'lv': 'data', 'snapshot_size': '256M'})
    assert bj.lvcreate_argv(cfg) == ['lvcreate', '-s', '-n', 'data-hapair-backup', '-L', '256M', 'vg0/data']
    cfg = config(tmp_path, lvm={'vg': 'vg0', 'lv': 'data', 'snapshot_size': '100%FREE'})
    assert bj.lvcreate_argv(cfg)[4:6] == ['-l', '100%FREE']


@pytest.mark.parametrize('fstype, writable, options', [
    ('xfs', False, 'ro,nouuid'), ('ext4', False, 'ro,noload'), ('btrfs', False, 'ro'),
    ('xfs', True, 'nouuid'), ('ext4', True, None),
])
def test_view_mount_options(fstype, writable, options):
    assert bj.view_mount_options(fstype, writable) == options


def test_redact_hides_url_passwords():
    assert bj.redact('rest:https://user:pa55@host:8000/r0') == 'rest:https://user:***@host:8000/r0'
    assert bj.redact('sftp:hapair@10.0.2.100:/r0') == 'sftp:hapair@10.0.2.100:/r0'


# ---------------------------------------------------------------------------
# restic's errors and output (real restic 0.14 captures)

@pytest.mark.parametrize('fixture, kind, words', [
    ('wrong_password', 'wrong_password', ['exists but hapair_backup_password does not open it',
                                          'Nothing was changed', 'wrong password or no key found']),
    ('no_repository', 'no_repository', ['there is no restic repository at', 'backup role']),
    ('cat_config_missing', 'no_repository', ['there is no restic repository at']),
    ('sftp_no_repository', 'no_repository', ['there is no restic repository at']),
    ('rest_refused', 'unreachable', ['refused the connection']),
    ('s3_refused', 'unreachable', ['refused the connection']),
    ('sftp_refused', 'unreachable', ['refused the connection', 'port 42699: Connection refused']),
    ('sftp_timeout', 'unreachable', ['timed out']),
    ('sftp_hostkey_unknown', 'unreachable', ['host key is not known or has changed', 'known_hosts']),
    ('sftp_hostkey_changed', 'unreachable', ['host key is not known or has changed']),
    ('sftp_denied', 'unreachable', ['refused the SSH login', 'authorized_keys']),
    ('sftp_session_lost', 'unreachable', ['SFTP session to the backup server could not be started']),
    ('locked_shared', 'locked', ['locked by another restic process', 'restic unlock',
                                 'already locked by PID 28189']),
    ('locked_exclusive', 'locked', ['locked by another restic process', 'already locked exclusively']),
    ('password_file_missing', 'other', ['could not read the password file']),
    ('init_exists', 'other', ['restic failed (exit code 1)', 'config file already exists']),
])
def test_classify_captured_errors(fixture, kind, words):
    rc, out, err = capture(fixture)
    assert rc == 1
    found, message = bj.classify_restic_error(rc, err, 'sftp:hapair@10.0.2.100:/r0')
    assert found == kind, message
    for word in words:
        assert word in message, message
    assert '@@@' not in message


def test_classify_name_resolution():
    kind, message = bj.classify_restic_error(1, DNS_FAILURE, 'sftp:hapair@backup.example:/r0')
    assert kind == 'unreachable'
    assert 'name does not resolve' in message


def test_classify_hides_url_passwords():
    kind, message = bj.classify_restic_error(
        1, 'Fatal: unable to open config file: Head "https://u:pw@h/config": dial tcp: i/o timeout\n',
        'rest:https://u:pw@h/')
    assert kind == 'unreachable'
    assert ':pw@' not in message and 'rest:https://u:***@h/' in message


def test_parse_backup_summary_of_captures():
    first = bj.parse_backup_summary(capture('backup_first')[1])
    assert first == {'snapshot_id': '807677ed', 'files_new': 2, 'files_changed': 0, 'files_unmodified': 0,
                     'files_processed': 2, 'bytes_added': 1401, 'bytes_processed': 8,
                     'restic_seconds': 0.207219726}
    second = bj.parse_backup_summary(capture('backup_second')[1])
    assert (second['snapshot_id'], second['files_new'], second['files_changed'], second['files_unmodified'],
            second['files_processed']) == ('fa3818fe', 1, 1, 1, 3)
    assert bj.parse_backup_summary('{"message_type":"status","percent_done":0}\nnot json\n') is None


def test_parse_snapshots_of_capture_oldest_first():
    snapshots = bj.parse_snapshots(capture('snapshots')[1])
    assert [snap['short_id'] for snap in snapshots] == ['807677ed', 'fa3818fe']
    assert snapshots[1] == {
        'id': 'fa3818fe812fa717a2a598bef97cb49a3a777e22378aa1ded05fac0ea81e789e',
        'short_id': 'fa3818fe', 'time': '2026-11-30T03:36:57.547391544Z', 'hostname': 'hapair-r0',
        'paths': ['/tmp/rx/cap/src'], 'tags': ['hapair', 'r0'],
        'parent': '807677ed00a4df8a935eb4496c7228342179118ae6f00631c963eb4d626ad8b0'}
    assert bj.parse_snapshots(capture('snapshots_empty')[1]) == []
    assert bj.parse_snapshots('null') == []


def test_snapshots_are_ordered_by_instant_not_text():
    text = json.dumps([
        {'id': 'b' * 64, 'short_id': 'bbbbbbbb', 'time': '2026-11-30T04:00:00.9+02:00'},   # 02:00:00.9Z
        {'id': 'a' * 64, 'short_id': 'aaaaaaaa', 'time': '2026-11-30T02:00:00.87Z'},
        {'id': 'c' * 64, 'short_id': 'cccccccc', 'time': '2026-11-30T02:00:00Z'},
    ])
    assert [snap['short_id'] for snap in bj.parse_snapshots(text)] == ['cccccccc', 'aaaaaaaa', 'bbbbbbbb']
    assert bj.parse_time('2026-11-30T03:36:57Z') - bj.parse_time('2026-11-30T04:36:57+01:00') == 0


def many_snapshots(count):
    return [{'id': ('%02d' % index) * 32, 'short_id': ('%02d' % index) * 4,
             'time': '2026-11-%02dT03:00:00Z' % (index + 1)} for index in range(count)]


def test_find_snapshot():
    snapshots = many_snapshots(8)
    assert bj.find_snapshot(snapshots, 'latest')['short_id'] == '07070707'
    assert bj.find_snapshot(snapshots, '0303')['short_id'] == '03030303'
    with pytest.raises(bj.BackupError) as info:
        bj.find_snapshot(snapshots, 'deadbeef')
    message = info.value.message
    assert info.value.kind == 'unknown_snapshot'
    assert message.startswith('snapshot deadbeef does not exist in the repository')
    assert 'The 5 newest: 07070707 (2026-11-08T03:00:00Z), 06060606' in message
    assert '02020202' not in message
    with pytest.raises(bj.BackupError) as info:
        bj.find_snapshot(snapshots, '0')
    assert 'ambiguous' in info.value.message
    with pytest.raises(bj.BackupError) as info:
        bj.find_snapshot([], 'latest')
    assert 'no snapshots' in info.value.message


# ---------------------------------------------------------------------------
# the node

@pytest.mark.parametrize('answer, expected', [
    ((0, 'Primary/Secondary\n', ''), ('Primary', 'Secondary')),
    ((0, 'Secondary/Primary\n', ''), ('Secondary', 'Primary')),
    ((0, 'Secondary/Unknown\n', ''), ('Secondary', 'Unknown')),
    ((0, 'Primary\n', ''), ('Primary', None)),
    ((0, 'Unconfigured\n', ''), (None, None)),
    ((10, '', "'r0' not defined in your config (for this host).\n"), (None, None)),
])
def test_drbd_role(answer, expected):
    role, peer, text = bj.drbd_role(lambda argv, **kw: answer, 'r0')
    assert (role, peer) == expected
    assert text


def test_mountinfo():
    text = MOUNTINFO + '40 22 0:50 / /mnt/with\\040space rw - tmpfs tmpfs rw\n'
    assert bj.mount_of('/srv/hapair/', text) == {'mount_point': '/srv/hapair', 'fstype': 'xfs',
                                                 'source': '/dev/drbd1'}
    assert bj.mount_of('/mnt/with space', text)['fstype'] == 'tmpfs'
    assert bj.mount_of('/srv', text) is None


def test_peer_names():
    node = FakeNode()
    assert bj.drbd_peer_names(node, 'r0', 'node2') == ['node1']


# ---------------------------------------------------------------------------
# run_backup: snapshot mode

def test_snapshot_backup_sequence(tmp_path):
    cfg = config(tmp_path, pre_hook='pg_dump > /srv/hapair/db.sql', post_hook='echo done')
    node = FakeNode()
    result, error, logged = backup(cfg, node)
    assert error is None, error
    view = str(tmp_path / 'view')
    assert node.keys == [
        'drbdadm role r0',
        'restic cat config',
        'lvs --noheadings -o lv_name ' + SNAP_LV,
        'sh -c pg_dump > /srv/hapair/db.sql',
        'sync',
        'fsfreeze -f /srv/hapair',
        'lvcreate -s -n mirror-hapair-backup -l 25%ORIGIN hapair/mirror',
        'fsfreeze -u /srv/hapair',
        'mount -t xfs -o ro,nouuid %s %s' % (SNAP_DEV, view),
        BACKUP,
        'umount ' + view,
        'lvremove -f ' + SNAP_LV,
        'sh -c echo done',
        FORGET,
    ]
    assert node.call('restic backup')['cwd'] == view
    assert node.call('sh -c echo done')['env']['HAPAIR_BACKUP_STATUS'] == 'success'
    assert node.call('sh -c pg_dump')['timeout'] == 600
    assert os.path.isdir(view)
    assert result['changed'] is True and result['skipped'] is False
    assert result['role'] == 'Primary' and result['consistency'] == 'snapshot'
    assert result['source'] == view
    assert result['snapshot_id'] == 'fa3818fe'
    assert (result['files_new'], result['files_changed'], result['files_processed']) == (1, 1, 3)
    assert (result['bytes_added'], result['bytes_processed']) == (1395, 18)
    assert result['frozen_seconds'] == 0.5  # lvcreate + fsfreeze -u: not the backup
    assert result['backup_seconds'] == 10.0
    assert result['duration_seconds'] == 13.25
    assert result['pruned'] is True
    assert 'retention: 1 snapshot(s) removed' in logged
    assert_thawed_after_every_freeze(node)
    assert_no_secret(node, result, logged)


def test_lvcreate_failure_still_thaws(tmp_path):
    cfg = config(tmp_path, pre_hook='true', post_hook='echo after')
    full = '  Volume group "hapair" has insufficient free space (10 extents): 64 required.\n'
    node = FakeNode(answers={'lvcreate': (5, '', full)})
    result, error, logged = backup(cfg, node)
    assert error.kind == 'other'
    assert 'lvcreate of the snapshot hapair/mirror-hapair-backup failed (exit code 5)' in error.message
    assert 'insufficient free space' in error.message
    assert node.keys[node.index('fsfreeze -f /srv/hapair') + 1].startswith('lvcreate')
    assert node.keys[node.index('fsfreeze -f /srv/hapair') + 2] == 'fsfreeze -u /srv/hapair'
    assert_thawed_after_every_freeze(node)
    assert node.ran('mount') == [] and node.ran('restic backup') == [] and node.ran('lvremove') == []
    assert node.keys[-1] == 'sh -c echo after'
    assert node.call('sh -c echo after')['env']['HAPAIR_BACKUP_STATUS'] == 'failure'
    assert node.ran('restic forget') == []
    assert error.result['changed'] is False and error.result['snapshot_id'] is None


def test_backup_failure_cleans_up_the_snapshot(tmp_path):
    cfg = config(tmp_path, pre_hook='true', post_hook='echo after')
    node = FakeNode(answers={'restic backup': capture('locked_exclusive')})
    result, error, logged = backup(cfg, node)
    view = str(tmp_path / 'view')
    assert error.kind == 'locked'
    assert error.message.startswith('restic backup failed: the repository at sftp:hapair@10.0.2.100:/r0 is '
                                    'locked by another restic process')
    assert_thawed_after_every_freeze(node)
    assert node.index('fsfreeze -u /srv/hapair') < node.index(BACKUP)
    # a lock that is still there after one `restic unlock` (a live one) fails the backup
    assert node.keys[node.index(BACKUP):] == [BACKUP, 'restic unlock', BACKUP, 'umount ' + view, 'lvremove -f ' + SNAP_LV,
                                              'sh -c echo after']
    assert any('restic: unable to create lock in backend' in line for line in logged)


def test_mount_failure_removes_the_snapshot(tmp_path):
    node = FakeNode(answers={'mount': (32, '', 'mount: wrong fs type, bad option, bad superblock\n')})
    result, error, logged = backup(config(tmp_path), node)
    assert 'cannot mount the LVM snapshot %s' % SNAP_DEV in error.message
    assert node.keys[-2:] == [node.ran('mount')[0], 'lvremove -f ' + SNAP_LV]
    assert node.ran('umount') == [] and node.ran('restic backup') == []


def test_unfreeze_failure_is_urgent(tmp_path):
    node = FakeNode(answers={'fsfreeze -u': (1, '', 'fsfreeze: /srv/hapair: unfreeze failed: Device or resource busy\n')})
    result, error, logged = backup(config(tmp_path), node)
    assert error.kind == 'frozen'
    assert 'may STILL BE FROZEN' in error.message and 'fsfreeze -u /srv/hapair' in error.message
    assert node.ran('fsfreeze -u') == ['fsfreeze -u /srv/hapair'] * 2
    assert node.ran('restic backup') == [] and node.ran('mount') == []
    assert node.keys[-1] == 'lvremove -f ' + SNAP_LV


def test_freeze_failure_freezes_nothing(tmp_path):
    cfg = config(tmp_path, pre_hook='true', post_hook='echo after')
    node = FakeNode()
    node.answers['fsfreeze -f'] = (1, '', 'fsfreeze: /srv/hapair: freeze failed: Operation not supported\n')
    result, error, logged = backup(cfg, node)
    assert 'nothing was frozen' in error.message
    assert node.ran('fsfreeze -u') == [] and node.ran('lvcreate') == []
    assert node.keys[-1] == 'sh -c echo after'


def test_leftovers_of_a_crashed_run_are_removed_first(tmp_path):
    cfg = config(tmp_path)
    view = str(tmp_path / 'view')
    node = FakeNode(answers={'lvs': (0, '  mirror-hapair-backup\n', '')})
    mountinfo = MOUNTINFO + '50 22 253:3 / %s ro,relatime - xfs /dev/mapper/hapair-mirror--hapair--backup ro\n' % view
    result, error, logged = backup(cfg, node, mountinfo=mountinfo)
    assert error is None, error
    assert node.keys[2:6] == ['umount ' + view, 'lvs --noheadings -o lv_name ' + SNAP_LV,
                              'lvremove -f ' + SNAP_LV, 'sync']
    assert any('still mounted by an earlier run' in line for line in logged)
    assert any('of an earlier run that did not finish is still there' in line for line in logged)


def test_leftover_that_cannot_be_removed_stops_before_freezing(tmp_path):
    node = FakeNode(answers={'lvs': (0, '  mirror-hapair-backup\n', ''),
                             'lvremove': (5, '', '  Logical volume hapair/mirror-hapair-backup in use.\n')})
    result, error, logged = backup(config(tmp_path), node)
    assert 'cannot remove the leftover LVM snapshot' in error.message
    assert node.ran('fsfreeze') == []


# ---------------------------------------------------------------------------
# run_backup: freeze and live

def test_freeze_backup_sequence(tmp_path):
    cfg = config(tmp_path, consistency='freeze', fstype='ext4', lvm=None)
    node = FakeNode()
    result, error, logged = backup(cfg, node)
    assert error is None, error
    assert node.keys == ['drbdadm role r0', 'restic cat config', 'fsfreeze -f /srv/hapair', BACKUP,
                         'fsfreeze -u /srv/hapair', FORGET]
    assert node.call('restic backup')['cwd'] == MOUNT
    assert node.call('restic backup')['timeout'] == 3600  # freeze_timeout
    assert result['frozen_seconds'] == 10.25
    assert result['source'] == MOUNT


def test_freeze_backup_failure_still_thaws(tmp_path):
    cfg = config(tmp_path, consistency='freeze', fstype='ext4', lvm=None, post_hook='echo after', pre_hook='true')
    node = FakeNode(answers={'restic backup': capture('sftp_timeout')})
    result, error, logged = backup(cfg, node)
    assert error.kind == 'unreachable'
    assert node.keys[-3:] == [BACKUP, 'fsfreeze -u /srv/hapair', 'sh -c echo after']
    assert_thawed_after_every_freeze(node)


def test_freeze_timeout_thaws_and_says_why(tmp_path):
    cfg = config(tmp_path, consistency='freeze', fstype='ext4', lvm=None, freeze_timeout=60)
    node = FakeNode(answers={'restic backup': (124, '', 'timed out after 60 s and was killed')})
    result, error, logged = backup(cfg, node)
    assert 'stopped after 60 s (freeze_timeout)' in error.message
    assert_thawed_after_every_freeze(node)


def test_interrupted_backup_still_thaws(tmp_path):
    class Interrupted(BaseException):
        pass

    def killed(call):
        raise Interrupted()
    node = FakeNode(answers={'restic backup': killed})
    with pytest.raises(Interrupted):
        backup(config(tmp_path, consistency='freeze', fstype='ext4', lvm=None, pre_hook='true', post_hook='echo after'), node)
    assert node.keys[-2:] == ['fsfreeze -u /srv/hapair', 'sh -c echo after']
    assert node.calls[-1]['env']['HAPAIR_BACKUP_STATUS'] == 'failure'


def test_live_backup_with_override(tmp_path):
    node = FakeNode()
    result, error, logged = backup(config(tmp_path), node, consistency='live')
    assert error is None
    assert node.keys == ['drbdadm role r0', 'restic cat config', BACKUP, FORGET]
    assert result['consistency'] == 'live' and result['frozen_seconds'] == 0.0


def test_incomplete_snapshot_is_a_warning(tmp_path):
    rc, out, dummy = capture('backup_second')
    node = FakeNode(answers={'restic backup': (3, out, 'error: open data/locked: permission denied\n')})
    result, error, logged = backup(config(tmp_path, consistency='live'), node)
    assert error is None
    assert result['incomplete'] is True
    assert 'error: open data/locked: permission denied' in result['warnings'][0]


# ---------------------------------------------------------------------------
# run_backup: hooks, retention, refusals

def test_pre_hook_failure_aborts_before_anything_is_frozen(tmp_path):
    cfg = config(tmp_path, pre_hook='mysqldump app > /srv/hapair/app.sql', post_hook='echo after')
    node = FakeNode(answers={'sh -c': [(2, 'dumping\n', 'mysqldump: Got error: 2002\n'), OK]})
    result, error, logged = backup(cfg, node)
    assert error.kind == 'hook'
    assert error.message.startswith('pre_hook failed (exit code 2): dumping; mysqldump: Got error: 2002')
    assert 'nothing was frozen or backed up' in error.message
    assert node.ran('fsfreeze') == [] and node.ran('lvcreate') == [] and node.ran('restic backup') == []
    assert node.keys[-1] == 'sh -c echo after'  # the pre-hook ran, so the post-hook runs
    assert '  pre_hook: mysqldump: Got error: 2002' in logged


def test_hook_timeout(tmp_path):
    node = FakeNode(answers={'sh -c': (124, '', 'timed out after 5 s and was killed')})
    result, error, logged = backup(config(tmp_path, pre_hook='sleep 100', hook_timeout=5), node)
    assert 'pre_hook timed out after 5 s (hook_timeout)' in error.message


def test_post_hook_failure_after_a_good_backup(tmp_path):
    node = FakeNode(answers={'sh -c': [OK, (1, '', 'systemctl: failed\n')]})
    result, error, logged = backup(config(tmp_path, pre_hook='true', post_hook='systemctl start app'), node)
    assert error.message.startswith('the backup succeeded (snapshot fa3818fe) but post_hook failed')
    assert error.result['snapshot_id'] == 'fa3818fe' and error.result['changed'] is True
    assert node.ran('restic forget')  # the retention ran anyway


def test_post_hook_alone_runs_after_the_backup(tmp_path):
    node = FakeNode()
    backup(config(tmp_path, consistency='live', post_hook='echo after'), node)
    assert node.keys == ['drbdadm role r0', 'restic cat config', BACKUP, 'sh -c echo after', FORGET]


def test_no_hooks_no_hook_commands(tmp_path):
    node = FakeNode()
    backup(config(tmp_path), node)
    assert node.ran('sh -c') == []


def test_retention_off_when_every_count_is_zero(tmp_path):
    node = FakeNode()
    result, error, logged = backup(config(tmp_path, keep={'daily': 0, 'weekly': 0, 'monthly': 0}), node)
    assert node.ran('restic forget') == [] and result['pruned'] is False
    assert 'retention: every keep count is 0, all snapshots are kept' in logged


def test_retention_failure_keeps_the_snapshot_id(tmp_path):
    node = FakeNode(answers={'restic forget': capture('locked_shared')})
    result, error, logged = backup(config(tmp_path), node)
    assert error.kind == 'locked'
    assert error.message.startswith('the backup succeeded (snapshot fa3818fe) but restic forget --prune failed')
    assert error.result['snapshot_id'] == 'fa3818fe' and error.result['pruned'] is False
    assert node.ran('restic unlock') == ['restic unlock'] and len(node.ran('restic forget')) == 2


def test_stale_lock_of_a_killed_run_is_removed_and_the_retention_runs(tmp_path):
    # a backup killed at freeze_timeout left its lock: restic 0.14 does not skip it for prune
    node = FakeNode(answers={'restic forget': [capture('locked_shared'), capture('forget')]})
    result, error, logged = backup(config(tmp_path), node)
    assert error is None and result['pruned'] is True
    assert node.keys[-3:] == [FORGET, 'restic unlock', FORGET]
    assert '  the repository is locked; removing stale locks (restic unlock) and trying again' in logged


def test_stale_exclusive_lock_of_a_killed_check_is_removed_and_the_backup_runs(tmp_path):
    # a check or prune killed -9 leaves an exclusive lock: it blocks even the first probe
    node = FakeNode(answers={'restic cat config': [capture('locked_exclusive'), capture('cat_config')]})
    result, error, logged = backup(config(tmp_path), node)
    assert error is None and result['snapshot_id'] == 'fa3818fe'
    assert node.keys[node.index('restic unlock') - 1].startswith('restic cat config')
    assert len(node.ran('restic cat config')) == 2 and node.ran('restic unlock') == ['restic unlock']


def test_a_lock_that_stays_is_reported_after_one_unlock(tmp_path):
    node = FakeNode(answers={'restic cat config': capture('locked_exclusive')})
    result, error, logged = backup(config(tmp_path), node)
    assert error.kind == 'locked' and 'restic unlock' in error.message
    assert node.ran('restic unlock') == ['restic unlock'] and node.ran('restic backup') == []


@pytest.mark.parametrize('fixture, kind', [('wrong_password', 'wrong_password'), ('sftp_refused', 'unreachable'),
                                           ('no_repository', 'no_repository')])
def test_repository_that_does_not_open_stops_first(tmp_path, fixture, kind):
    node = FakeNode(answers={'restic cat config': capture(fixture)})
    result, error, logged = backup(config(tmp_path, pre_hook='true', post_hook='true'), node)
    assert error.kind == kind
    assert error.message.startswith('the repository does not open, nothing was frozen or backed up: ')
    assert node.keys == ['drbdadm role r0', 'restic cat config']


@pytest.mark.parametrize('role, reason', [
    ('Secondary/Primary', 'node1 is Secondary for r0: the Primary backs up'),
    ('Secondary', 'node1 is Secondary for r0: the Primary backs up'),
    (None, "r0 is not up on node1 (drbdadm role r0: 'r0' not defined in your config (for this host).): "
           "the Primary backs up"),
])
def test_skip_when_not_primary(tmp_path, role, reason):
    node = FakeNode(role=role)
    result, error, logged = backup(config(tmp_path, pre_hook='true'), node, mountinfo=NOT_MOUNTED)
    assert error is None
    assert result['skipped'] is True and result['changed'] is False
    assert result['reason'] == reason
    assert node.keys == ['drbdadm role r0']
    assert logged == [reason + '; nothing to do here']


def test_primary_without_mount_fails(tmp_path):
    node = FakeNode()
    result, error, logged = backup(config(tmp_path), node, mountinfo=NOT_MOUNTED)
    assert error.kind == 'not_mounted'
    assert error.message.startswith('node1 is Primary for r0 but /srv/hapair is not mounted')
    assert node.keys == ['drbdadm role r0']


def test_missing_password_file(tmp_path):
    cfg = config(tmp_path)
    os.unlink(cfg['password_file'])
    result, error, logged = backup(cfg, FakeNode())
    assert 'password file %s does not exist' % cfg['password_file'] in error.message


def hold_lock(cfg):
    """An open file holding cfg's lock as another run would (its pid written in)."""
    if not os.path.isdir(os.path.dirname(cfg['lock_file'])):
        os.makedirs(os.path.dirname(cfg['lock_file']))
    holder = open(cfg['lock_file'], 'w')
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    holder.write('4242\n')
    holder.flush()
    return holder


def test_busy_lock_refuses_at_once_without_a_wait(tmp_path):
    cfg = config(tmp_path, lock_wait=0)
    holder = hold_lock(cfg)
    try:
        node = FakeNode()
        result, error, logged = backup(cfg, node)
    finally:
        holder.close()
    assert error.kind == 'busy'
    assert error.message == ('another backup of r0 is running on this node (pid 4242) (%s is locked): wait for it '
                             'to finish (systemctl status hapair-backup@r0.service), or give it longer (lock_wait)'
                             % cfg['lock_file'])
    assert node.calls == []
    result, error, logged = backup(cfg, FakeNode())  # released: runs
    assert error is None and result['waited_seconds'] == 0.0


def test_a_run_waits_for_the_one_that_holds_the_lock(tmp_path, monkeypatch):
    cfg = config(tmp_path)
    assert cfg['lock_wait'] == 600
    holder = hold_lock(cfg)
    node = FakeNode()
    slept = []

    def sleep(seconds):  # the other run finishes after 30 s
        slept.append(seconds)
        node.clock.now += seconds
        if sum(slept) >= 30:
            holder.close()
    monkeypatch.setattr(bj, '_sleep', sleep)
    result, error, logged = backup(cfg, node)
    assert error is None, error
    assert result['waited_seconds'] == 30.0 and result['snapshot_id']
    assert logged[0] == 'another backup of r0 is running on this node (pid 4242): waiting up to 600 s for it to finish'
    assert logged[1] == 'the other backup finished; this one starts after waiting 30 s'
    with open(cfg['lock_file']) as f:
        assert f.read().strip() == str(os.getpid())  # the new holder's pid


def test_a_run_gives_up_after_lock_wait(tmp_path, monkeypatch):
    cfg = config(tmp_path, lock_wait=45)
    holder = hold_lock(cfg)
    node = FakeNode()

    def sleep(seconds):
        node.clock.now += seconds
    monkeypatch.setattr(bj, '_sleep', sleep)
    try:
        result, error, logged = backup(cfg, node)
    finally:
        holder.close()
    assert error.kind == 'busy' and node.calls == []
    assert 'is running on this node (pid 4242) (%s is locked) and did not finish within 45 s' % cfg['lock_file'] \
        in error.message


def test_a_negative_lock_wait_is_refused(tmp_path):
    with pytest.raises(bj.BackupError) as ex:
        config(tmp_path, lock_wait=-1)
    assert 'lock_wait' in ex.value.message


def test_lock_is_released_after_a_failure(tmp_path):
    cfg = config(tmp_path)
    backup(cfg, FakeNode(answers={'restic backup': capture('wrong_password')}))
    result, error, logged = backup(cfg, FakeNode())
    assert error is None


def test_check_mode_changes_nothing(tmp_path):
    cfg = config(tmp_path, pre_hook='true', post_hook='echo after')
    node = FakeNode()
    result, error, logged = backup(cfg, node, check_mode=True)
    assert error is None
    assert node.keys == ['drbdadm role r0']
    assert result['changed'] is True and result['snapshot_id'] is None
    assert result['commands'][:4] == ['restic cat config', 'pre_hook: sh -c true', 'sync', 'fsfreeze -f /srv/hapair']
    assert 'fsfreeze -u /srv/hapair' in result['commands']
    assert result['commands'][-1] == FORGET
    assert not os.path.exists(cfg['lock_file']) and not os.path.exists(cfg['view_dir'])


# ---------------------------------------------------------------------------
# run_backup: from the Secondary's LVM snapshot

def test_secondary_snapshot_sequence(tmp_path):
    cfg = config(tmp_path, pre_hook='true', post_hook='echo after')
    node = FakeNode(role='Secondary/Primary')
    result, error, logged = backup(cfg, node, mountinfo=NOT_MOUNTED, from_secondary_snapshot=True)
    assert error is None, error
    view = str(tmp_path / 'view')
    assert node.keys == [
        'drbdadm role r0', 'drbdadm dstate r0', 'restic cat config',
        'lvs --noheadings -o lv_name ' + SNAP_LV,
        'lvcreate -s -n mirror-hapair-backup -l 25%ORIGIN hapair/mirror',
        'mount -t xfs -o nouuid %s %s' % (SNAP_DEV, view),  # read-write: the log is replayed
        BACKUP, 'umount ' + view, 'lvremove -f ' + SNAP_LV, FORGET,
    ]
    assert result['from_secondary_snapshot'] is True and result['role'] == 'Secondary'
    assert result['frozen_seconds'] == 0.0 and result['consistency'] == 'snapshot'
    assert 'pre_hook/post_hook are not run on the Secondary: the application runs on the Primary' in logged


def test_secondary_snapshot_needs_lvm(tmp_path):
    node = FakeNode(role='Secondary/Primary')
    result, error, logged = backup(config(tmp_path, consistency='freeze', fstype='ext4', lvm=None), node,
                                   mountinfo=NOT_MOUNTED, from_secondary_snapshot=True)
    assert error.kind == 'config'
    assert 'from_secondary_snapshot needs an LVM volume under DRBD' in error.message
    assert node.keys == ['drbdadm role r0']


def test_secondary_snapshot_needs_uptodate_disk(tmp_path):
    node = FakeNode(role='Secondary/Primary', answers={'drbdadm dstate r0': (0, 'Inconsistent/UpToDate\n', '')})
    result, error, logged = backup(config(tmp_path), node, mountinfo=NOT_MOUNTED, from_secondary_snapshot=True)
    assert 'its disk is Inconsistent, not UpToDate' in error.message
    assert node.ran('lvcreate') == []


def test_secondary_snapshot_refused_when_not_up(tmp_path):
    node = FakeNode(role=None)
    result, error, logged = backup(config(tmp_path), node, mountinfo=NOT_MOUNTED, from_secondary_snapshot=True)
    assert error.kind == 'not_up'
    assert node.ran('lvcreate') == []


# ---------------------------------------------------------------------------
# check, forget, snapshots, restore, repository

def test_check_repository(tmp_path):
    cfg = config(tmp_path)
    node = FakeNode()
    result = bj.check_repository(cfg, node, clock=node.clock, node='node1')
    assert result['ok'] is True and node.keys == ['drbdadm role r0', 'restic check']
    skipped = bj.check_repository(cfg, FakeNode(role='Secondary/Primary'), node='node2')
    assert skipped['skipped'] is True
    assert skipped['reason'] == 'node2 is Secondary for r0: the Primary checks the repository'
    node = FakeNode(answers={'restic check': capture('check_damaged')})
    with pytest.raises(bj.BackupError) as info:
        bj.check_repository(cfg, node, node='node1')
    assert info.value.kind == 'damaged' and info.value.result['ok'] is False
    assert 'restic check found errors in the repository at sftp:hapair@10.0.2.100:/r0' in info.value.message
    assert 'ciphertext verification failed' in info.value.message
    assert 'Pack ID does not match' in info.value.message
    with pytest.raises(bj.BackupError) as info:
        bj.check_repository(cfg, FakeNode(answers={'restic check': capture('locked_exclusive')}), node='node1')
    assert info.value.kind == 'locked'


def test_forget_snapshots(tmp_path):
    node = FakeNode()
    result = bj.forget_snapshots(config(tmp_path), node, node='node1')
    assert result['pruned'] is True and node.keys == ['drbdadm role r0', FORGET]
    assert bj.forget_snapshots(config(tmp_path), FakeNode(role='Secondary'), node='node2')['skipped'] is True


def test_list_snapshots_reads_only(tmp_path):
    node = FakeNode()
    snapshots = bj.list_snapshots(config(tmp_path), node)
    assert len(snapshots) == 2
    assert node.keys == ['restic snapshots --json --no-lock --host hapair-r0']
    with pytest.raises(bj.BackupError) as info:
        bj.list_snapshots(config(tmp_path), FakeNode(answers={'restic snapshots': capture('wrong_password')}))
    assert info.value.kind == 'wrong_password'


def test_restore_latest(tmp_path):
    cfg = config(tmp_path)
    target = str(tmp_path / 'restore' / 'latest')
    node = FakeNode()
    result = bj.restore(cfg, 'latest', target, ['/data'], node, clock=node.clock)
    full = 'fa3818fe812fa717a2a598bef97cb49a3a777e22378aa1ded05fac0ea81e789e'
    assert node.keys == ['restic snapshots --json --no-lock --host hapair-r0',
                         'restic restore %s --target %s --include /data' % (full, target)]
    assert result['snapshot_id'] == full and result['snapshot_time'] == '2026-11-30T03:36:57.547391544Z'
    assert result['files_restored'] is None  # restic 0.14 does not say
    assert result['changed'] is True and os.path.isdir(target)
    assert oct(os.stat(target).st_mode & 0o777) == oct(0o700)


def test_exact_restore_stages_syncs_with_delete_and_cleans_up(tmp_path):
    target = str(tmp_path / 'mirror')
    node = FakeNode(answers={'rsync': (0, '', ''), 'rm': (0, '', ''), 'chown': OK, 'chmod': OK})
    result = bj.restore(config(tmp_path), 'latest', target, None, node, exact=True)
    full = 'fa3818fe812fa717a2a598bef97cb49a3a777e22378aa1ded05fac0ea81e789e'
    staging = target + '/.hapair-restore-fa3818fe'
    # the mirror's root keeps its owner and mode (a lab restore once left it root 0700:
    # PostgreSQL could no longer reach its data directory)
    assert node.keys[1:] == ['restic restore %s --target %s' % (full, staging),
                             'chown --reference=%s %s' % (target, staging),
                             'chmod --reference=%s %s' % (target, staging),
                             'rsync -aHAX --delete --exclude /.hapair-restore-fa3818fe/ %s/ %s/' % (staging, target),
                             'rm -rf --one-file-system %s' % staging]
    assert result['exact'] is True and result['changed'] is True


def test_exact_restore_cleans_the_staging_directory_when_restic_fails(tmp_path):
    target = str(tmp_path / 'mirror')
    node = FakeNode(answers={'restic restore': (1, '', 'Fatal: disk full\n'), 'rm': (0, '', '')})
    with pytest.raises(bj.BackupError):
        bj.restore(config(tmp_path), 'latest', target, None, node, exact=True)
    assert node.ran('rsync') == []
    assert node.keys[-1] == 'rm -rf --one-file-system %s/.hapair-restore-fa3818fe' % target


def test_restore_counts_files_when_restic_says(tmp_path):
    node = FakeNode(answers={'restic restore': (0, 'Summary: Restored 3 files/dirs (18 B) in 0:00\n', '')})
    assert bj.restore(config(tmp_path), '807677ed', str(tmp_path / 't'), None, node)['files_restored'] == 3


def test_restore_of_unknown_snapshot_writes_nothing(tmp_path):
    node = FakeNode()
    target = str(tmp_path / 'restore')
    with pytest.raises(bj.BackupError) as info:
        bj.restore(config(tmp_path), 'deadbeef', target, None, node)
    assert info.value.kind == 'unknown_snapshot'
    assert 'The 2 newest: fa3818fe (2026-11-30T03:36:57.547391544Z), 807677ed' in info.value.message
    assert node.ran('restic restore') == [] and not os.path.exists(target)


def test_restore_check_mode(tmp_path):
    node = FakeNode()
    target = str(tmp_path / 'restore')
    result = bj.restore(config(tmp_path), 'latest', target, None, node, check_mode=True)
    assert result['snapshot_id'].startswith('fa3818fe') and result['changed'] is True
    assert node.ran('restic restore') == [] and not os.path.exists(target)


@pytest.mark.parametrize('target, in_place, role, mountinfo, words', [
    ('/srv/hapair', True, 'Secondary', NOT_MOUNTED,
     ['refusing to restore in place on node2: it is Secondary for r0', 'Nothing was changed']),
    ('/srv/hapair', True, None, NOT_MOUNTED, ['refusing to restore in place on node2: r0 is not up there']),
    ('/srv/hapair', True, 'Primary', NOT_MOUNTED, ['/srv/hapair is not mounted']),
    ('/srv/other', True, 'Primary', MOUNTINFO, ['restores into the mirror\'s mount point /srv/hapair, not into '
                                                '/srv/other']),
    ('/srv/hapair/restore', False, 'Primary', MOUNTINFO, ['inside the mirror\'s mount point']),
    ('/srv/hapair', False, 'Secondary', NOT_MOUNTED, ['inside the mirror\'s mount point']),
    ('relative/dir', False, 'Primary', MOUNTINFO, ['absolute path']),
])
def test_restore_target_refusals(tmp_path, target, in_place, role, mountinfo, words):
    with pytest.raises(bj.BackupError) as info:
        bj.check_restore_target(config(tmp_path), target, in_place, role, mountinfo, 'node2')
    for word in words:
        assert word in info.value.message


def test_restore_target_accepted(tmp_path):
    cfg = config(tmp_path)
    assert bj.check_restore_target(cfg, '/srv/hapair/', True, 'Primary', MOUNTINFO, 'node1') == '/srv/hapair'
    assert bj.check_restore_target(cfg, '/var/tmp/pick', False, 'Secondary', NOT_MOUNTED, 'node2') == '/var/tmp/pick'
    assert bj.check_restore_target(cfg, '/srv/hapair-old', False, 'Primary', MOUNTINFO, 'n') == '/srv/hapair-old'


def repo_cfg(tmp_path):
    password_file = tmp_path / 'pw'
    write_text(password_file, SECRET)
    return bj.repository_config('sftp://hapair@10.0.2.100:2222//r0', str(password_file), {},
                                {'key_file': '/k', 'known_hosts_file': None, 'connect_timeout': 5})


def test_ensure_repository_exists(tmp_path):
    node = FakeNode()
    result = bj.ensure_repository(repo_cfg(tmp_path), node)
    assert result['exists'] is True and result['changed'] is False and result['initialised'] is False
    assert node.keys == ['restic --no-cache cat config']
    assert '-p 2222 hapair@10.0.2.100 -s sftp' in node.calls[0]['argv'][2]


def test_ensure_repository_initialises(tmp_path):
    node = FakeNode(answers={'restic --no-cache cat config': capture('sftp_no_repository')})
    result = bj.ensure_repository(repo_cfg(tmp_path), node)
    assert result['initialised'] is True and result['changed'] is True
    assert node.keys == ['restic --no-cache cat config', 'restic --no-cache init']
    node = FakeNode()
    node.answers['restic --no-cache cat config'] = capture('no_repository')
    result = bj.ensure_repository(repo_cfg(tmp_path), node, check_mode=True)
    assert result['changed'] is True and result['initialised'] is False
    assert node.keys == ['restic --no-cache cat config']


@pytest.mark.parametrize('fixture, kind', [('wrong_password', 'wrong_password'), ('sftp_hostkey_unknown', 'unreachable'),
                                           ('rest_refused', 'unreachable'), ('locked_shared', 'locked')])
def test_ensure_repository_refuses(tmp_path, fixture, kind):
    node = FakeNode()
    node.answers['restic --no-cache cat config'] = capture(fixture)
    with pytest.raises(bj.BackupError) as info:
        bj.ensure_repository(repo_cfg(tmp_path), node)
    assert info.value.kind == kind
    assert node.ran('restic --no-cache init') == []
    assert_no_secret(node, info.value.message, info.value.result)


# ---------------------------------------------------------------------------
# the script and the runners

def write_config(tmp_path, **overrides):
    path = tmp_path / 'r0.json'
    write_text(path, json.dumps(settings(tmp_path, **overrides)))
    return str(path)


def native_stream():
    """What sys.stdout takes where the job runs: str, that is bytes on Python 2 (EL7's timer)."""
    return io.BytesIO() if sys.version_info[0] == 2 else io.StringIO()


def test_the_job_prints_any_text_on_every_python():
    out = native_stream()
    bj._printer(out)(u'restic: cannot read /srv/hapair/caf\xe9.txt')
    assert out.getvalue() == (u'restic: cannot read /srv/hapair/caf\xe9.txt\n'.encode('utf-8')
                              if sys.version_info[0] == 2 else u'restic: cannot read /srv/hapair/caf\xe9.txt\n')


def run_main(argv, node, monkeypatch, mountinfo=MOUNTINFO):
    monkeypatch.setattr(bj, 'read_mountinfo', lambda: mountinfo)
    monkeypatch.setattr(bj, 'node_name', lambda: 'node2')
    out, err = native_stream(), native_stream()
    code = bj.main(argv, node, out, err)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith(bj.SUMMARY_PREFIX)
    return code, lines, json.loads(lines[-1][len(bj.SUMMARY_PREFIX):]), err.getvalue()


def test_script_backup(tmp_path, monkeypatch):
    path = write_config(tmp_path)
    code, lines, summary, err = run_main(['--config', path, 'run'], FakeNode(), monkeypatch)
    assert code == 0 and err == ''
    assert summary['snapshot_id'] == 'fa3818fe' and summary['failed'] is False and 'log' not in summary
    assert '$ fsfreeze -f /srv/hapair' in lines
    assert SECRET not in '\n'.join(lines) and ENV_SECRET not in '\n'.join(lines)


def test_script_skips_on_the_secondary(tmp_path, monkeypatch):
    code, lines, summary, err = run_main(['--config', write_config(tmp_path), 'run'],
                                         FakeNode(role='Secondary/Primary'), monkeypatch, NOT_MOUNTED)
    assert code == 0
    assert lines[0] == 'node2 is Secondary for r0: the Primary backs up; nothing to do here'
    assert summary['skipped'] is True


def test_script_failure(tmp_path, monkeypatch):
    code, lines, summary, err = run_main(['--config', write_config(tmp_path), 'run'],
                                         FakeNode(answers={'restic cat config': capture('wrong_password')}), monkeypatch)
    assert code == 1
    assert err.startswith('hapair-backup: ERROR: the repository does not open')
    assert summary['failed'] is True and summary['kind'] == 'wrong_password'


def test_script_bad_config(tmp_path, monkeypatch):
    path = tmp_path / 'r0.json'
    write_text(path, '{"resource": "r0"}')
    code, lines, summary, err = run_main(['--config', str(path), 'check'], FakeNode(), monkeypatch)
    assert code == 1 and "missing keys 'mount_point'" in err


def test_script_check_and_snapshots(tmp_path, monkeypatch):
    path = write_config(tmp_path)
    code, lines, summary, err = run_main(['--config', path, 'check'], FakeNode(), monkeypatch)
    assert code == 0 and summary['ok'] is True
    code, lines, summary, err = run_main(['--config', path, 'snapshots'], FakeNode(), monkeypatch)
    assert code == 0 and summary['count'] == 2
    assert lines[1].startswith('807677ed  2026-11-30T03:36:56.872251552Z  hapair-r0')


def test_default_runner():
    assert bj.default_runner(['sh', '-c', 'echo "$HAPAIR_X"; echo err >&2; exit 3'],
                             env={'HAPAIR_X': 'value'}) == (3, 'value\n', 'err\n')
    rc, out, err = bj.default_runner(['sh', '-c', 'echo started; sleep 30'], timeout=0.5)
    assert rc == 124 and 'timed out after 0.5 s' in err
    rc, out, err = bj.default_runner(['/nonexistent/restic', 'version'])
    assert rc == 127 and '/nonexistent/restic' in err
    assert bj.default_runner(['pwd'], cwd='/')[1] == '/\n'


def test_command_runner_wraps_run_command():
    calls = []

    def run_command(argv, **kwargs):
        calls.append((argv, kwargs))
        return 0, 'out', ''
    run = bj.command_runner(run_command)
    assert run(['restic', 'snapshots'], env={'RESTIC_REPOSITORY': '/r'}) == (0, 'out', '')
    assert run(['sh', '-c', 'echo $HOME'], cwd='/', timeout=30)[0] == 0
    assert calls[0] == (['restic', 'snapshots'], {'cwd': None, 'expand_user_and_vars': False,
                                                  'environ_update': {'LC_ALL': 'C', 'LANG': 'C',
                                                                     'RESTIC_REPOSITORY': '/r'}})
    assert calls[1][0] == ['timeout', '-k', '10', '30', 'sh', '-c', 'echo $HOME']


def _running(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (IOError, OSError):
        return False


def test_default_runner_does_not_wait_for_a_child_holding_the_pipes():
    # restic's sftp ssh outliving restic kept the pipes open: the job waited on them
    # with the filesystem frozen. The runner returns when the command ends, and kills
    # what it left in its process group.
    started = time.time()
    rc, out, err = bj.default_runner(['sh', '-c', 'sleep 60 & echo $!; echo said >&2; exit 3'])
    assert time.time() - started < 30
    assert rc == 3 and err == 'said\n'
    child = int(out.strip())
    deadline = time.time() + 5
    while _running(child) and time.time() < deadline:
        time.sleep(0.05)
    assert not _running(child)


def test_default_runner_timeout_kills_the_whole_group():
    rc, out, err = bj.default_runner(['sh', '-c', 'sleep 60 & echo $!; wait'], timeout=0.5)
    assert rc == 124
    child = int(out.strip())
    deadline = time.time() + 5
    while _running(child) and time.time() < deadline:
        time.sleep(0.05)
    assert not _running(child)


def test_freeze_watchdog_thaws_while_restic_still_runs(tmp_path):
    # a runner that never comes back (stuck on restic's pipes) must not keep writers
    # blocked: the watchdog thaws on its own after freeze_timeout
    thawed = threading.Event()
    order = []

    def stuck_restic(call):
        assert call['timeout'] == 1
        thawed.wait(20)
        order.append('restic returned')
        return capture('backup_second')

    def unfreeze(call):
        order.append('fsfreeze -u')
        thawed.set()
        return OK
    node = FakeNode(answers={'restic backup': stuck_restic, 'fsfreeze -u': unfreeze})
    result, error, logged = backup(config(tmp_path, consistency='freeze', fstype='ext4', lvm=None, freeze_timeout=1), node)
    assert order == ['fsfreeze -u', 'restic returned']
    assert node.ran('fsfreeze -u') == ['fsfreeze -u /srv/hapair']  # once: no second, failing thaw
    assert 'thawed after 1 s (freeze_timeout)' in error.message
    assert 'not a consistent point in time' in error.message
    assert 'freeze_timeout (1 s) reached: thawing /srv/hapair while restic still runs' in logged
    assert node.ran('restic forget') == []


class RecordingTimer(object):
    """Stands in for threading.Timer: records what the job asks of its watchdog."""
    made = []

    def __init__(self, interval, function, args=None):
        self.interval, self.function, self.args = interval, function, args
        self.daemon = False
        self.started = self.cancelled = False
        RecordingTimer.made.append(self)

    def start(self):
        self.started = True

    def cancel(self):
        self.cancelled = True


def test_freeze_watchdog_is_cancelled_by_a_normal_thaw(tmp_path, monkeypatch):
    RecordingTimer.made = []
    monkeypatch.setattr(bj.threading, 'Timer', RecordingTimer)
    node = FakeNode()
    result, error, logged = backup(config(tmp_path, consistency='freeze', fstype='ext4', lvm=None, freeze_timeout=7), node)
    assert error is None
    assert [(t.interval, t.daemon, t.started, t.cancelled) for t in RecordingTimer.made] == [(7, True, True, True)]
    assert node.ran('fsfreeze -u') == ['fsfreeze -u /srv/hapair']
    # firing it late (a cancel that lost the race) must not thaw a second time
    RecordingTimer.made[0].function(*RecordingTimer.made[0].args)
    assert node.ran('fsfreeze -u') == ['fsfreeze -u /srv/hapair']


@pytest.mark.parametrize('answer, mountinfo, thawed, ran', [
    (OK, MOUNTINFO, True, ['fsfreeze -u /srv/hapair']),
    ((1, '', 'fsfreeze: /srv/hapair: unfreeze failed: Invalid argument\n'), MOUNTINFO, False,
     ['fsfreeze -u /srv/hapair']),
    (OK, NOT_MOUNTED, False, []),
])
def test_thaw_filesystem(tmp_path, answer, mountinfo, thawed, ran):
    node = FakeNode(answers={'fsfreeze -u': answer})
    assert bj.thaw_filesystem(config(tmp_path), node, lambda line: None, mountinfo) == {'thawed': thawed}
    assert node.keys == ran


def test_thaw_filesystem_leaves_a_running_job_alone(tmp_path):
    cfg = config(tmp_path)
    os.makedirs(os.path.dirname(cfg['lock_file']))
    with open(cfg['lock_file'], 'w') as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        node = FakeNode()
        assert bj.thaw_filesystem(cfg, node, lambda line: None, MOUNTINFO) == {'thawed': False}
    assert node.keys == []


def test_thaw_filesystem_failure_says_what_to_do(tmp_path):
    node = FakeNode(answers={'fsfreeze -u': (1, '', 'fsfreeze: /srv/hapair: unfreeze failed: Device or resource busy\n')})
    with pytest.raises(bj.BackupError) as info:
        bj.thaw_filesystem(config(tmp_path), node, lambda line: None, MOUNTINFO)
    assert 'run "fsfreeze -u /srv/hapair" now' in info.value.message


def test_freeze_on_xfs_is_refused(tmp_path):
    # the lab's finding: restic blocked in xfs_free_eofblocks on close() until the thaw
    with pytest.raises(bj.BackupError) as info:
        config(tmp_path, consistency='freeze', lvm=None)
    assert "key 'consistency'" in info.value.message
    assert 'does not work on xfs' in info.value.message and 'snapshot (LVM under DRBD' in info.value.message


def test_freeze_override_on_xfs_changes_nothing(tmp_path):
    node = FakeNode()
    result, error, logged = backup(config(tmp_path, consistency='live', lvm=None), node, consistency='freeze')
    assert error.kind == 'config' and 'does not work on xfs' in error.message
    assert 'nothing was frozen or backed up' in error.message
    assert node.keys == []


# -- the run's record for the metrics -----------------------------------------------------------

def test_a_success_is_the_last_success():
    assert bj.run_record(None, False, 1000.7, 'abc') == {
        'last_run_at': 1000, 'last_run_success': True, 'last_success_at': 1000, 'snapshot_id': 'abc'}


def test_a_failure_keeps_the_last_success():
    previous = bj.run_record(None, False, 1000, 'abc')
    assert bj.run_record(previous, True, 2000) == {
        'last_run_at': 2000, 'last_run_success': False, 'last_success_at': 1000, 'snapshot_id': None}


def test_a_failure_with_no_success_before_has_none():
    assert bj.run_record(None, True, 2000)['last_success_at'] is None


def test_record_run_reads_the_previous_record_and_replaces_it(tmp_path):
    path = str(tmp_path / 'backup-r0.last-run.json')
    bj.record_run('r0', False, 'one', now=1000, path=path)
    bj.record_run('r0', True, now=2000, path=path)
    with open(path) as handle:
        assert json.load(handle) == {
            'last_run_at': 2000, 'last_run_success': False, 'last_success_at': 1000, 'snapshot_id': None}
    assert sorted(p.name for p in tmp_path.iterdir()) == ['backup-r0.last-run.json']


def test_record_run_survives_a_damaged_record(tmp_path):
    path = tmp_path / 'backup-r0.last-run.json'
    path.write_text(u'{"last_run_at": ')
    assert bj.record_run('r0', True, now=3000, path=str(path))['last_success_at'] is None
