# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The hapair backup job: restic snapshots of the DRBD mirror, taken on the Primary.

PRIVATE to the hapair.cluster collection. SELF-CONTAINED: standard library
only, no Ansible and no other module_utils, Python 2.7, 3.6 and 3.11. The
backup role copies this file to the nodes as
/usr/local/lib/hapair/backup_job.py, where systemd timers run it as

    python3 backup_job.py --config /etc/hapair/backup/r0.json run|check|forget|snapshots

and the backup_run, backup_info and backup_restore modules import it, so the
scheduled and the on-demand backups are the same code.

Everything that runs a command goes through one ``runner(argv, cwd=None,
env=None, timeout=None) -> (rc, stdout, stderr)`` (``default_runner`` here,
AnsibleModule.run_command in the modules, a script in the unit tests).

Secrets: the repository password is only ever in the 0600 password file,
passed to restic as RESTIC_PASSWORD_FILE; it is never on a command line, and
this code never reads it. The extra ``environment`` (S3 keys, ...) is passed
to restic only, never logged nor returned.

Layout of the snapshots: restic runs with the source directory (the mount
point, or the mounted LVM snapshot) as its working directory and backs up
".". restic 0.14 records the absolute source path in the snapshot's "paths"
(used to find the parent snapshot) but stores the CONTENT at the root of
the snapshot: `restic ls` shows /data/f, not /srv/hapair/data/f. So
`restic restore ID --target /srv/hapair` puts every file back in place
whatever directory the backup was read from (checked with restic 0.14.0:
a restore into the source directory rewrote changed files, recreated
deleted ones and left files created after the snapshot alone).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import calendar
import contextlib
import errno
import fcntl
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CONSISTENCY = ('snapshot', 'freeze', 'live')
KEEP_KEYS = ('last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly')
SNAPSHOT_SUFFIX = '-hapair-backup'
SUMMARY_PREFIX = 'hapair-backup: '
# What the last run that was not skipped did, for the monitoring role's metrics (node_metrics.py).
LAST_RUN_PATH = '/var/lib/hapair/backup-%s.last-run.json'
REQUIRED_TAG = 'hapair'
REQUIRED_KEYS = ('resource', 'mount_point', 'fstype', 'repository', 'password_file', 'host',
                 'consistency')
OPTIONAL_KEYS = ('environment', 'ssh', 'tags', 'lvm', 'pre_hook', 'post_hook', 'hook_timeout',
                 'excludes', 'keep', 'cache_dir', 'lock_file', 'lock_wait', 'view_dir', 'restic',
                 'freeze_timeout')
# Environment variables that would override the password file or the repository.
RESERVED_ENV = ('RESTIC_PASSWORD', 'RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND',
                'RESTIC_REPOSITORY', 'RESTIC_REPOSITORY_FILE')
MOUNTINFO = '/proc/self/mountinfo'
# How long a run waits for another one of the same resource on this node (the timer's
# backup while an operator runs backup.yml) before it gives up.
LOCK_WAIT = 600
_sleep = time.sleep  # the unit tests' fake clock replaces it
NEWEST_SHOWN = 5

_TEXT = type(u'')
_STRINGS = (str, _TEXT)
_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.+-]*$')
_SIZE_RE = re.compile(r'^[0-9]+(\.[0-9]+)?[bBsSkKmMgGtTpPeE]?$')
_EXTENTS_RE = re.compile(r'^[0-9]+%(ORIGIN|VG|FREE|PVS)$')
# restic parses each -o value as one CSV record and splits sftp.command on blanks.
_SSH_UNSAFE_RE = re.compile(r'[\s,\'"]')
_SFTP_URL_RE = re.compile(r'^sftp://(?:(?P<user>[^@/]+)@)?(?P<host>\[[^\]/]+\]|[^:/\[]+)'
                          r'(?::(?P<port>[0-9]+))?/(?P<path>.*)$')
_SFTP_SHORT_RE = re.compile(r'^sftp:(?:(?P<user>[^@/]+)@)?(?P<host>\[[^\]/]+\]|[^:/\[]+):(?P<path>.*)$')
_URL_PASSWORD_RE = re.compile(r'(://[^/@:\s]+:)[^/@\s]+@')
_TIME_RE = re.compile(r'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$')
_RESTORED_RE = re.compile(r'Restored\s+([0-9]+)\s+files?', re.IGNORECASE)


class BackupError(Exception):
    """A failure or refusal, with a message for the operator.

    ``kind`` names the cause (config, busy, not_mounted, not_up, hook, wrong_password,
    no_repository, unreachable, locked, unknown_snapshot, frozen, other); ``result``
    is what had happened up to the failure (the run_backup dict), or None.
    """

    def __init__(self, message, kind='other', result=None):
        super(BackupError, self).__init__(message)
        self.message = message
        self.kind = kind
        self.result = result


# ---------------------------------------------------------------------------
# configuration

def _shown(value):
    """repr() for messages, the same on every Python: 'exclude', never u'exclude' (JSON gives
    unicode strings on Python 2, EL7's platform python, which runs the timer's job)."""
    if isinstance(value, _STRINGS):
        return "'%s'" % value
    if isinstance(value, (list, tuple)):
        return '[%s]' % ', '.join(_shown(item) for item in value)
    if isinstance(value, dict):
        return '{%s}' % ', '.join('%s: %s' % (_shown(k), _shown(value[k])) for k in sorted(value))
    return repr(value)


def _fail_key(source, key, text):
    raise BackupError('%s: key %s %s' % (source, _shown(key), text), kind='config')


def _string(data, key, source, allow_empty=False):
    value = data.get(key)
    if value is None and allow_empty:
        return ''
    if not isinstance(value, _STRINGS) or (not allow_empty and not value.strip()):
        _fail_key(source, key, 'must be a non-empty string, got %s' % (_shown(value),))
    return value


def _integer(value, key, source, minimum=0):
    if isinstance(value, bool):
        value = None
    elif isinstance(value, _STRINGS) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < minimum:
        _fail_key(source, key, 'must be an integer >= %d, got %s' % (minimum, _shown(value)))
    return value


def _absolute(value, key, source):
    if not isinstance(value, _STRINGS) or not value.startswith('/'):
        _fail_key(source, key, 'must be an absolute path, got %s' % (_shown(value),))
    return os.path.normpath(value)


def _string_list(data, key, source):
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, _STRINGS) and item for item in value):
        _fail_key(source, key, 'must be a list of non-empty strings, got %s' % (_shown(value),))
    return list(value)


def _unset(value):
    """ssh/lvm: null, "", {} (and the "None" a template may render) mean not set."""
    return value is None or value == '' or value == {} or value == 'None'


def _inside(path, directory):
    """Whether path is directory or below it (both normalised absolute paths)."""
    path = os.path.normpath(path)
    directory = os.path.normpath(directory)
    return path == directory or path.startswith(directory.rstrip('/') + '/')


def _validate_ssh(value, source):
    if _unset(value):
        return None
    if not isinstance(value, dict):
        _fail_key(source, 'ssh', 'must be null or a mapping with key_file, known_hosts_file and '
                  'connect_timeout, got %s' % (_shown(value),))
    unknown = sorted(set(value) - set(('key_file', 'known_hosts_file', 'connect_timeout')))
    if unknown:
        _fail_key(source, 'ssh', 'has unknown keys %s' % ', '.join(unknown))
    ssh = {'key_file': None, 'known_hosts_file': None, 'connect_timeout': 10}
    for key in ('key_file', 'known_hosts_file'):
        if value.get(key) not in (None, ''):
            path = _absolute(value[key], 'ssh.' + key, source)
            if _SSH_UNSAFE_RE.search(path):
                _fail_key(source, 'ssh.' + key, 'must not contain blanks, quotes or commas (restic '
                          'splits sftp.command on them), got %s' % (_shown(path),))
            ssh[key] = path
    if value.get('connect_timeout') is not None:
        ssh['connect_timeout'] = _integer(value['connect_timeout'], 'ssh.connect_timeout', source, 1)
    return ssh


def _validate_lvm(value, source):
    if _unset(value):
        return None
    if not isinstance(value, dict):
        _fail_key(source, 'lvm', 'must be null or a mapping with vg, lv and snapshot_size, got %s'
                  % (_shown(value),))
    lvm = {}
    for key in ('vg', 'lv'):
        name = value.get(key)
        if not isinstance(name, _STRINGS) or not _NAME_RE.match(name):
            _fail_key(source, 'lvm.' + key, 'must be an LVM name, got %s' % (_shown(name),))
        lvm[key] = name
    size = value.get('snapshot_size')
    size = size.strip() if isinstance(size, _STRINGS) else size
    if not isinstance(size, _STRINGS) or not (_SIZE_RE.match(size) or _EXTENTS_RE.match(size)):
        _fail_key(source, 'lvm.snapshot_size', 'must be a size as lvcreate takes it (256M, 10G, '
                  '20%%ORIGIN, 100%%FREE), got %s' % (_shown(size),))
    lvm['snapshot_size'] = size
    unknown = sorted(set(value) - set(('vg', 'lv', 'snapshot_size')))
    if unknown:
        _fail_key(source, 'lvm', 'has unknown keys %s' % ', '.join(unknown))
    return lvm


def _validate_keep(value, source):
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail_key(source, 'keep', 'must be a mapping like {"daily": 7, "weekly": 4, "monthly": 6}, '
                  'got %s' % (_shown(value),))
    keep = {}
    for key, count in value.items():
        if key not in KEEP_KEYS:
            _fail_key(source, 'keep.%s' % key, 'is not one of %s' % ', '.join(KEEP_KEYS))
        keep[key] = _integer(count, 'keep.%s' % key, source, 0)
    return keep


def _validate_environment(value, source):
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail_key(source, 'environment', 'must be a mapping of variable names to strings')
    env = {}
    for name, setting in value.items():
        if not isinstance(name, _STRINGS) or not re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', name):
            _fail_key(source, 'environment', 'has an invalid variable name %s' % (_shown(name),))
        if name in RESERVED_ENV:
            _fail_key(source, 'environment.%s' % name, 'is set by the job itself (repository and '
                      'password_file): remove it')
        if isinstance(setting, bool) or not isinstance(setting, _STRINGS + (int,)):
            # never echo the value: it may be a secret
            _fail_key(source, 'environment.%s' % name, 'must be a string')
        env[name] = setting if isinstance(setting, _STRINGS) else str(setting)
    return env


def validate_config(data, source='the backup configuration'):
    """The job settings, checked and completed with defaults; BackupError naming a bad key."""
    if not isinstance(data, dict):
        raise BackupError('%s must be a JSON object' % source, kind='config')
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        names = ', '.join(_shown(key) for key in missing)
        raise BackupError('%s: missing key%s %s' % (source, 's' if len(missing) > 1 else '', names),
                          kind='config')
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        names = ', '.join(_shown(key) for key in unknown)
        raise BackupError('%s: unknown key%s %s (a typo?)' % (source, 's' if len(unknown) > 1 else '', names),
                          kind='config')
    cfg = {}
    cfg['resource'] = _string(data, 'resource', source)
    if not _NAME_RE.match(cfg['resource']):
        _fail_key(source, 'resource', 'must be a DRBD resource name, got %s' % (_shown(cfg['resource']),))
    cfg['mount_point'] = _absolute(data['mount_point'], 'mount_point', source)
    if cfg['mount_point'] == '/':
        _fail_key(source, 'mount_point', 'must not be /')
    cfg['fstype'] = _string(data, 'fstype', source)
    cfg['repository'] = _string(data, 'repository', source)
    cfg['password_file'] = _absolute(data['password_file'], 'password_file', source)
    cfg['host'] = _string(data, 'host', source)
    cfg['consistency'] = data['consistency']
    if cfg['consistency'] not in CONSISTENCY:
        _fail_key(source, 'consistency', 'must be one of %s, got %s'
                  % (', '.join(CONSISTENCY), _shown(cfg['consistency'])))
    cfg['environment'] = _validate_environment(data.get('environment'), source)
    cfg['ssh'] = _validate_ssh(data.get('ssh'), source)
    tags = _string_list(data, 'tags', source) if data.get('tags') is not None else [REQUIRED_TAG, cfg['resource']]
    if REQUIRED_TAG not in tags:
        tags.insert(0, REQUIRED_TAG)  # retention selects the job's snapshots by this tag
    if any(',' in tag for tag in tags):
        _fail_key(source, 'tags', 'must not contain commas (restic reads them as lists)')
    cfg['tags'] = tags
    cfg['lvm'] = _validate_lvm(data.get('lvm'), source)
    if cfg['consistency'] == 'snapshot' and not cfg['lvm']:
        _fail_key(source, 'consistency', 'is snapshot, which needs an LVM volume under DRBD (the lvm '
                  'key); use live (or freeze on ext4) without one')
    refusal = freeze_refusal(cfg['consistency'], cfg['fstype'])
    if refusal:
        _fail_key(source, 'consistency', refusal)
    cfg['pre_hook'] = _string(data, 'pre_hook', source, allow_empty=True)
    cfg['post_hook'] = _string(data, 'post_hook', source, allow_empty=True)
    cfg['hook_timeout'] = _integer(data.get('hook_timeout', 600), 'hook_timeout', source, 1)
    cfg['freeze_timeout'] = _integer(data.get('freeze_timeout', 3600), 'freeze_timeout', source, 0)
    cfg['excludes'] = _string_list(data, 'excludes', source)
    cfg['keep'] = _validate_keep(data.get('keep'), source)
    resource = cfg['resource']
    cfg['cache_dir'] = _absolute(data.get('cache_dir') or '/var/cache/hapair-backup', 'cache_dir', source)
    cfg['lock_file'] = _absolute(data.get('lock_file') or '/run/lock/hapair-backup-%s.lock' % resource,
                                 'lock_file', source)
    cfg['lock_wait'] = _integer(data.get('lock_wait', LOCK_WAIT), 'lock_wait', source, 0)
    cfg['view_dir'] = _absolute(data.get('view_dir') or '/run/hapair/backup-view/%s' % resource,
                                'view_dir', source)
    cfg['restic'] = _string(data, 'restic', source) if data.get('restic') is not None else 'restic'
    for key in ('cache_dir', 'lock_file', 'view_dir', 'password_file'):
        if _inside(cfg[key], cfg['mount_point']):
            # on the frozen filesystem restic or the lock would hang; and the mirror is what we save
            _fail_key(source, key, '%s is on the mirror (%s): it must be outside it'
                      % (cfg[key], cfg['mount_point']))
    if is_local_repository(cfg['repository']) and cfg['repository'].startswith('/') \
            and _inside(cfg['repository'], cfg['mount_point']):
        _fail_key(source, 'repository', '%s is on the mirror (%s): a backup must survive the loss of '
                  'the mirror' % (cfg['repository'], cfg['mount_point']))
    return cfg


def freeze_refusal(consistency, fstype):
    """Why ``consistency`` cannot work on ``fstype`` (text), or None."""
    if consistency == 'freeze' and fstype == 'xfs':
        # Seen on the lab (Debian 12, kernel 6.1): restic blocked in xfs_free_eofblocks <-
        # xfs_release (D state, percpu_rwsem_wait) until the freeze timeout thawed the filesystem.
        return ('is freeze, which does not work on xfs: when restic closes a file written shortly '
                'before (a database file, the dump of a pre-hook), xfs trims the blocks it had '
                'preallocated past the end of the file, and that waits for the thaw, so the backup '
                'stalls until freeze_timeout. Use snapshot (LVM under DRBD, hapair_spare_lvm) or live '
                'with a pre_hook that dumps the application')
    return None


def repository_config(repository, password_file, environment=None, ssh=None, restic='restic',
                      cache_dir=None, source='the module options'):
    """The settings restic needs to open a repository (backup_repository module)."""
    if not isinstance(repository, _STRINGS) or not repository.strip():
        _fail_key(source, 'repository', 'must be a non-empty string')
    return {
        'repository': repository,
        'password_file': password_file,
        'environment': _validate_environment(environment, source),
        'ssh': _validate_ssh(ssh, source),
        'restic': restic or 'restic',
        'cache_dir': cache_dir,
    }


def load_config(path):
    """Read and validate the JSON settings the backup role writes (mode 0600)."""
    try:
        with open(path) as handle:
            text = handle.read()
    except (IOError, OSError) as ex:
        raise BackupError('cannot read the backup configuration %s: %s (the hapair.cluster.backup role '
                          'writes it)' % (path, ex.strerror or ex), kind='config')
    try:
        data = json.loads(text)
    except ValueError as ex:
        raise BackupError('%s is not valid JSON: %s' % (path, ex), kind='config')
    return validate_config(data, source=path)


CONFIG_PATH = '/etc/hapair/backup/%s.json'


def load_resource_config(resource, path=None):
    """The settings of one resource: ``path`` or the role's default file, checked to be that resource's."""
    path = path or CONFIG_PATH % resource
    cfg = load_config(path)
    if cfg['resource'] != resource:
        raise BackupError('%s is the backup configuration of %s, not of %s' % (path, cfg['resource'], resource),
                          kind='config')
    return cfg


# ---------------------------------------------------------------------------
# restic command lines and environment

def is_local_repository(repository):
    """A plain directory path, not a backend URL like sftp:, s3:, rest:, b2:, rclone:."""
    return not re.match(r'^[a-z][a-z0-9]*:', repository) or repository.startswith('local:')


def redact(text):
    """Hide a password in URLs (rest:https://user:password@host/...)."""
    return _URL_PASSWORD_RE.sub(r'\1***@', text or '')


def parse_sftp(repository):
    """{'user', 'host', 'port', 'path'} of an sftp: repository string, None otherwise.

    Both forms restic knows: sftp:user@host:/path and sftp://user@host:port//path.
    """
    match = _SFTP_URL_RE.match(repository) or _SFTP_SHORT_RE.match(repository)
    if not match:
        return None
    found = match.groupdict()
    found.setdefault('port', None)
    found['host'] = found['host'].strip('[]')
    return found


def sftp_command(repository, ssh, exists=os.path.exists):
    """The `-o sftp.command=` value for an sftp: repository when ssh settings are given.

    restic (0.14 checked) takes sftp.command with both sftp: forms; it then connects
    through this command and uses the repository string for the path only, so the
    port of sftp://host:port//path must be repeated here. A known_hosts_file that
    does not exist is left out (ssh then uses root's own known_hosts).
    """
    target = parse_sftp(repository)
    if not target or not ssh:
        return None
    parts = ['ssh']
    if ssh.get('key_file'):
        parts += ['-i', ssh['key_file'], '-o', 'IdentitiesOnly=yes']
    parts += ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes']
    if ssh.get('known_hosts_file') and exists(ssh['known_hosts_file']):
        parts += ['-o', 'UserKnownHostsFile=%s' % ssh['known_hosts_file']]
    parts += ['-o', 'ConnectTimeout=%d' % int(ssh.get('connect_timeout') or 10)]
    if target['port']:
        parts += ['-p', target['port']]
    login = target['host'] if not target['user'] else '%s@%s' % (target['user'], target['host'])
    parts += [login, '-s', 'sftp']
    return ' '.join(parts)


def restic_argv(cfg, args, exists=os.path.exists):
    """restic [-o sftp.command=...] ARGS."""
    argv = [cfg.get('restic') or 'restic']
    command = sftp_command(cfg['repository'], cfg.get('ssh'), exists)
    if command:
        argv += ['-o', 'sftp.command=%s' % command]
    return argv + list(args)


def restic_env(cfg):
    """Environment ADDITIONS for restic: repository, password FILE, cache, extra variables.

    RESTIC_PASSWORD_COMMAND is emptied so that an inherited one cannot take over;
    an inherited RESTIC_PASSWORD is ignored by restic when a password file is set.
    """
    env = dict(cfg.get('environment') or {})
    env.update({
        'RESTIC_REPOSITORY': cfg['repository'],
        'RESTIC_PASSWORD_FILE': cfg['password_file'],
        'RESTIC_PASSWORD_COMMAND': '',
        'LC_ALL': 'C',
        'LANG': 'C',
    })
    if cfg.get('cache_dir'):
        env['RESTIC_CACHE_DIR'] = cfg['cache_dir']
    return env


# ---------------------------------------------------------------------------
# restic errors and output

_UNREACHABLE = (
    ('Host key verification failed', 'the backup server\'s SSH host key is not known or has changed '
     '(Host key verification failed): check the known_hosts lines given to the job '
     '(hapair_backup_ssh_known_hosts) against the server\'s key'),
    ('REMOTE HOST IDENTIFICATION HAS CHANGED', 'the backup server\'s SSH host key has changed: check '
     'the server, then the known_hosts lines given to the job (hapair_backup_ssh_known_hosts)'),
    ('Permission denied (', 'the backup server refused the SSH login (Permission denied): put the '
     'public half of hapair_backup_ssh_private_key into the authorized_keys of the repository\'s '
     'user on the server'),
    ('Could not resolve hostname', 'the backup server\'s name does not resolve: check the host in '
     'the repository and the DNS of this node'),
    ('Name or service not known', 'the backup server\'s name does not resolve: check the host in '
     'the repository and the DNS of this node'),
    ('Temporary failure in name resolution', 'the backup server\'s name does not resolve (DNS '
     'unavailable): check the DNS of this node'),
    ('no such host', 'the backup server\'s name does not resolve: check the host in the repository '
     'and the DNS of this node'),
    ('onnection refused', 'the backup server refused the connection: check that the service '
     '(sshd, rest-server, S3 endpoint) runs there and listens on that port'),
    ('timed out', 'the connection to the backup server timed out: check the network and firewalls '
     'between this node and the server'),
    ('i/o timeout', 'the connection to the backup server timed out: check the network and '
     'firewalls between this node and the server'),
    ('No route to host', 'no route to the backup server: check the network of this node'),
    ('network is unreachable', 'the backup server\'s network is unreachable from this node'),
    ('Network is unreachable', 'the backup server\'s network is unreachable from this node'),
    ('onnection reset', 'the backup server reset the connection: check the server and the network'),
    ('unable to start the sftp session', 'the SFTP session to the backup server could not be '
     'started: check that ssh from this node to the server works with the key and known_hosts '
     'given to the job'),
    ('dial tcp', 'the backup server could not be reached: check the network and the server'),
)


def _restic_lines(stderr):
    return [line.strip() for line in (stderr or '').splitlines()
            if line.strip() and not line.lstrip().startswith(('subprocess ssh: @', '@'))]


def _restic_said(stderr, limit=3):
    """The restic/ssh lines that explain a failure, shortened, passwords hidden."""
    lines = _restic_lines(stderr)
    fatal = [line for line in lines if 'Fatal:' in line or 'unable to' in line or 'failed' in line
             or line.startswith('subprocess ssh:')]
    chosen = (fatal or lines)[-limit:]
    return redact('; '.join(chosen)) or 'no error output'


def classify_restic_error(rc, stderr, repository=None):
    """(kind, message) for a failed restic command.

    kind: wrong_password, no_repository, unreachable, locked or other. The message
    says what is wrong and what to do. Network errors are tested before "Is there a
    repository", which restic 0.14 also prints when an s3:/rest: server is unreachable.
    """
    text = stderr or ''
    where = redact(repository) if repository else 'the configured location'
    said = _restic_said(text)
    if 'wrong password or no key found' in text:
        return 'wrong_password', (
            'the repository at %s exists but hapair_backup_password does not open it (restic: %s). '
            'Nothing was changed. Use the password the repository was created with, or point '
            'hapair_backup_repository at a new location' % (where, said))
    if 'repository is already locked' in text:
        return 'locked', (
            'the repository at %s is locked by another restic process (restic: %s). Wait for it to '
            'finish; if that process is gone for good (a crashed node), run "restic unlock" against '
            'the repository' % (where, _restic_said(text, 1)))
    if 'Resolving password failed' in text:
        return 'other', (
            'restic could not read the password file (restic: %s): run the hapair.cluster.backup '
            'role again to write it' % said)
    for needle, advice in _UNREACHABLE:
        if needle in text:
            return 'unreachable', 'cannot reach the repository at %s: %s (restic: %s)' % (where, advice, said)
    if 'Is there a repository at the following location?' in text or 'unable to open config file' in text:
        return 'no_repository', (
            'there is no restic repository at %s (restic: %s): run the hapair.cluster.backup role '
            '(it initialises the repository), or check hapair_backup_repository' % (where, said))
    return 'other', 'restic failed (exit code %s): %s' % (rc, said)


def parse_backup_summary(stdout):
    """The summary of `restic backup --json` (the message_type "summary" line), or None."""
    summary = None
    for line in (stdout or '').splitlines():
        line = line.strip()
        if not line.startswith('{'):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get('message_type') == 'summary':
            summary = message
    if summary is None:
        return None
    return {
        'snapshot_id': summary.get('snapshot_id'),
        'files_new': summary.get('files_new', 0),
        'files_changed': summary.get('files_changed', 0),
        'files_unmodified': summary.get('files_unmodified', 0),
        'files_processed': summary.get('total_files_processed', 0),
        'bytes_added': summary.get('data_added', 0),
        'bytes_processed': summary.get('total_bytes_processed', 0),
        'restic_seconds': summary.get('total_duration'),
    }


def parse_time(text):
    """Seconds since the epoch of a restic time ("2026-11-30T03:36:56.87Z", "...+02:00")."""
    match = _TIME_RE.match(text or '')
    if not match:
        return None
    year, month, day, hour, minute, second = [int(part) for part in match.groups()[:6]]
    epoch = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    if match.group(7):
        epoch += float(match.group(7))
    zone = match.group(8)
    if zone != 'Z':
        offset = int(zone[1:3]) * 3600 + int(zone[4:6]) * 60
        epoch -= offset if zone[0] == '+' else -offset
    return epoch


def parse_snapshots(stdout):
    """`restic snapshots --json` as a list of dicts, oldest first."""
    try:
        data = json.loads(stdout or '[]')
    except ValueError:
        raise BackupError('restic snapshots --json printed something that is not JSON: %s'
                          % (stdout or '')[:200])
    if data is None:
        data = []
    if not isinstance(data, list):
        raise BackupError('restic snapshots --json printed %s, not a list' % type(data).__name__)
    snapshots = []
    for index, snap in enumerate(data):
        if not isinstance(snap, dict) or not snap.get('id'):
            continue
        entry = {
            'id': snap['id'],
            'short_id': snap.get('short_id') or snap['id'][:8],
            'time': snap.get('time'),
            'hostname': snap.get('hostname'),
            'paths': snap.get('paths') or [],
            'tags': snap.get('tags') or [],
        }
        if snap.get('parent'):
            entry['parent'] = snap['parent']
        epoch = parse_time(snap.get('time'))
        snapshots.append((epoch if epoch is not None else 0, index, entry))
    snapshots.sort(key=lambda item: (item[0], item[1]))
    return [entry for dummy, dummy2, entry in snapshots]


def find_snapshot(snapshots, wanted):
    """The snapshot ``wanted`` names ("latest", a full or short id, an id prefix); BackupError."""
    if not snapshots:
        raise BackupError('there are no snapshots in the repository yet: run a backup first '
                          '(playbooks/backup.yml)', kind='unknown_snapshot')
    if wanted in (None, '', 'latest'):
        return snapshots[-1]
    found = [snap for snap in snapshots if snap['id'].startswith(wanted)]
    if len(found) == 1:
        return found[0]
    newest = ', '.join('%s (%s)' % (snap['short_id'], snap['time'])
                       for snap in reversed(snapshots[-NEWEST_SHOWN:]))
    count = '%d snapshots' % len(snapshots) if len(snapshots) > 1 else 'the only snapshot'
    shown = min(NEWEST_SHOWN, len(snapshots))
    if found:
        raise BackupError('snapshot id %s is ambiguous: %d snapshot ids start with it; give more '
                          'characters. The %d newest: %s' % (wanted, len(found), shown, newest),
                          kind='unknown_snapshot')
    raise BackupError('snapshot %s does not exist in the repository (looked among %s of this pair). '
                      'The %d newest: %s' % (wanted, count, shown, newest),
                      kind='unknown_snapshot')


# ---------------------------------------------------------------------------
# the node: DRBD role, mounts

def drbd_role(runner, resource):
    """(local role, peer role, text) from `drbdadm role RES`.

    DRBD 8.4 prints "Primary/Secondary" (local/peer), DRBD 9 "Primary". A resource
    that is not up (drbdadm fails, or prints anything else) gives (None, None, text).
    """
    rc, out, err = runner(['drbdadm', 'role', resource])
    text = (out or '').strip() or (err or '').strip()
    lines = [line.strip() for line in (out or '').splitlines() if line.strip()]
    if rc != 0 or not lines:
        return None, None, text
    parts = lines[-1].split('/')
    local = parts[0] if parts[0] in ('Primary', 'Secondary') else None
    peer = parts[1] if len(parts) > 1 and parts[1] in ('Primary', 'Secondary', 'Unknown') else None
    return local, peer, text


def drbd_disk_state(runner, resource):
    """Local disk state from `drbdadm dstate RES` ("UpToDate/UpToDate" on 8.4), or None."""
    rc, out, dummy = runner(['drbdadm', 'dstate', resource])
    lines = [line.strip() for line in (out or '').splitlines() if line.strip()]
    if rc != 0 or not lines:
        return None
    return lines[-1].split('/')[0]


def drbd_peer_names(runner, resource, node):
    """Host names of the other node(s) of the resource, from `drbdadm dump RES`; [] if unknown."""
    rc, out, dummy = runner(['drbdadm', 'dump', resource])
    if rc != 0:
        return []
    names = []
    for match in re.finditer(r'^\s*on\s+([A-Za-z0-9_.-]+)\s*\{', out or '', re.MULTILINE):
        name = match.group(1)
        if name.split('.')[0] != node and name not in names:
            names.append(name)
    return names


def _unescape(field):
    return re.sub(r'\\([0-7]{3})', lambda match: chr(int(match.group(1), 8)), field)


def parse_mountinfo(text):
    """[{'mount_point', 'source', 'fstype'}] from /proc/self/mountinfo."""
    mounts = []
    for line in (text or '').splitlines():
        fields = line.split()
        if len(fields) < 10 or '-' not in fields[6:]:
            continue
        dash = fields.index('-', 6)
        mounts.append({
            'mount_point': _unescape(fields[4]),
            'fstype': fields[dash + 1] if len(fields) > dash + 1 else None,
            'source': _unescape(fields[dash + 2]) if len(fields) > dash + 2 else None,
        })
    return mounts


def mount_of(path, mountinfo_text):
    """The mount on exactly ``path`` (the last one: it hides the others), or None."""
    path = os.path.normpath(path)
    found = None
    for mount in parse_mountinfo(mountinfo_text):
        if os.path.normpath(mount['mount_point']) == path:
            found = mount
    return found


def read_mountinfo():
    with open(MOUNTINFO) as handle:
        return handle.read()


def node_name():
    return socket.gethostname().split('.')[0]


# ---------------------------------------------------------------------------
# running commands

def _native(value):
    """Python 2: unicode arguments as UTF-8 bytes (subprocess would encode as ASCII)."""
    if sys.version_info[0] == 2 and isinstance(value, _TEXT):
        return value.encode('utf-8')
    return value


def _text(data):
    if isinstance(data, bytes):
        return data.decode('utf-8', 'replace')
    return data or ''


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass


PIPE_GRACE = 5.0  # seconds to collect what is left in the pipes once the command has ended


def _drain(pipe, sink):
    try:
        while True:
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                break
            sink.append(chunk)
    except (OSError, ValueError):
        pass


def default_runner(argv, cwd=None, env=None, timeout=None):
    """Run argv (no shell); (rc, stdout, stderr). ``env`` is ADDED to the inherited environment.

    The command gets its own process group, killed when ``timeout`` seconds pass
    (rc 124) or when this process is interrupted; a missing program gives rc 127.
    The runner waits for the command itself, not for the end of its output: once it
    has exited, whatever it left running in its group (restic's sftp ssh) is killed,
    because such a child keeps the pipes open and a job waiting for them would keep
    a frozen filesystem frozen.
    """
    full_env = None
    if env:
        full_env = dict(os.environ)
        full_env.update(env)
        full_env = dict((_native(key), _native(value)) for key, value in full_env.items())
    devnull = open(os.devnull, 'rb')
    try:
        try:
            # The job also runs without Ansible (the node's timer), so no AnsibleModule.run_command.
            proc = subprocess.Popen(  # pylint: disable=ansible-bad-function
                [_native(arg) for arg in argv], cwd=_native(cwd) if cwd else None,
                env=full_env, stdin=devnull, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, close_fds=True, preexec_fn=os.setsid)
        except OSError as ex:
            return 127, '', '%s: %s' % (argv[0], ex.strerror or ex)
    finally:
        devnull.close()
    out_chunks, err_chunks = [], []
    readers = [threading.Thread(target=_drain, args=(proc.stdout, out_chunks)),
               threading.Thread(target=_drain, args=(proc.stderr, err_chunks))]
    for reader in readers:
        reader.daemon = True
        reader.start()
    expired = []
    timer = None
    if timeout:
        def expire():
            expired.append(True)
            _kill_group(proc)
        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
    try:
        proc.wait()
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        if timer is not None:
            timer.cancel()
        _kill_group(proc)
        for reader in readers:
            reader.join(PIPE_GRACE)
        proc.stdout.close()
        proc.stderr.close()
    out, err = _text(b''.join(out_chunks)), _text(b''.join(err_chunks))
    if expired:
        return 124, out, (err + '\n' if err else '') + 'timed out after %s s and was killed' % timeout
    return proc.returncode, out, err


def command_runner(run_command):
    """A runner on top of AnsibleModule.run_command (for the modules; no Ansible import here).

    LC_ALL=C plus ``env`` as environ_update; no ~ and $VAR expansion in the arguments
    (hooks and exclude patterns are passed as written); a ``timeout`` through
    coreutils timeout(1), which kills the command's process group (rc 124).
    """
    def run(argv, cwd=None, env=None, timeout=None):
        update = {'LC_ALL': 'C', 'LANG': 'C'}
        update.update(env or {})
        if timeout:
            argv = ['timeout', '-k', '10', str(int(timeout))] + list(argv)
        return run_command(list(argv), cwd=cwd, environ_update=update, expand_user_and_vars=False)
    return run


class _Job(object):
    """Log lines, clock and the runner of one job run."""

    def __init__(self, cfg, runner, logger, clock):
        self.cfg = cfg
        self.runner = runner or default_runner
        self.logger = logger
        self.clock = clock or time.time
        self.lines = []

    def log(self, line):
        line = redact(line)
        self.lines.append(line)
        if self.logger:
            self.logger(line)

    def run(self, argv, cwd=None, env=None, timeout=None, quiet=False):
        if not quiet:
            self.log('$ %s%s' % (' '.join(argv), ' (in %s)' % cwd if cwd else ''))
        rc, out, err = self.runner(argv, cwd=cwd, env=env, timeout=timeout)
        return rc, out or '', err or ''

    def restic(self, args, cwd=None, timeout=None, quiet=False):
        """restic ARGS. A lock left by a killed run (a job stopped at freeze_timeout, a check
        killed on a crashed node) blocks every later command: exclusive ones (forget --prune,
        check) by any lock, all of them by an exclusive one. `restic unlock` removes stale
        locks only (a dead process of this host, or older than 30 minutes; live ones are
        refreshed every 5), so it runs and the command is tried once more."""
        rc, out, err = self._restic_once(args, cwd, timeout, quiet)
        if rc != 0 and 'repository is already locked' in err:
            self.log('  the repository is locked; removing stale locks (restic unlock) and trying again')
            self._restic_once(['unlock'], None, None, False)
            rc, out, err = self._restic_once(args, cwd, timeout, quiet)
        return rc, out, err

    def _restic_once(self, args, cwd, timeout, quiet):
        if not self.cfg.get('cache_dir'):
            args = ['--no-cache'] + list(args)
        return self.run(restic_argv(self.cfg, args), cwd=cwd, env=restic_env(self.cfg), timeout=timeout,
                        quiet=quiet)

    def restic_failed(self, rc, err, what):
        kind, message = classify_restic_error(rc, err, self.cfg['repository'])
        for line in _restic_lines(err)[-10:]:
            self.log('  restic: %s' % line)
        return BackupError('%s: %s' % (what, message), kind=kind)


def _make_dir(path, mode=0o700):
    """mkdir -p; BackupError when it cannot be made."""
    if not path or os.path.isdir(path):
        return
    try:
        os.makedirs(path, mode)
    except (IOError, OSError) as ex:
        if not os.path.isdir(path):
            raise BackupError('cannot create the directory %s: %s' % (path, ex.strerror or ex))


def _output_text(out, err):
    return '; '.join(line.strip() for line in ((out or '') + '\n' + (err or '')).splitlines()
                     if line.strip()) or 'no output'


class _Lock(object):
    """Exclusive flock on the job's lock file; its holder writes its pid into it."""

    def __init__(self, path, resource):
        self.path = path
        self.resource = resource
        self.fd = None
        self.waited = 0.0

    def acquire(self, wait=0, job=None, sleep=None):
        """Take the lock, waiting up to ``wait`` seconds for the run that holds it.

        BackupError (kind busy) when it is still held after that; ``self.waited`` says
        how long this run waited.
        """
        clock = job.clock if job is not None else time.time
        sleep = sleep or _sleep
        _make_dir(os.path.dirname(self.path), 0o755)
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except (IOError, OSError) as ex:
            raise BackupError('cannot open the lock file %s: %s' % (self.path, ex.strerror or ex))
        started = clock()
        said = False
        while not self._try():
            self.waited = clock() - started
            holder = self._holder()
            if self.waited >= wait:
                os.close(self.fd)
                self.fd = None
                raise BackupError(
                    'another backup of %s is running on this node%s (%s is locked)%s: wait for it to finish '
                    '(systemctl status hapair-backup@%s.service), or give it longer (lock_wait)'
                    % (self.resource, holder, self.path,
                       ' and did not finish within %d s' % wait if wait else '', self.resource), kind='busy')
            if not said and job is not None:
                job.log('another backup of %s is running on this node%s: waiting up to %d s for it to finish'
                        % (self.resource, holder, wait))
                said = True
            sleep(min(1.0, max(wait - self.waited, 0.01)))
        self.waited = clock() - started
        if said:
            job.log('the other backup finished; this one starts after waiting %.0f s' % self.waited)
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)  # _holder() read from it
        os.write(self.fd, ('%d\n' % os.getpid()).encode('ascii'))

    def _try(self):
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (IOError, OSError) as ex:
            if ex.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            os.close(self.fd)
            self.fd = None
            raise
        return True

    def _holder(self):
        """' (pid N)' from the lock file, or '' when its holder did not write one."""
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            pid = os.read(self.fd, 32).decode('ascii', 'replace').strip()
        except (IOError, OSError):
            return ''
        return ' (pid %s)' % pid if pid.isdigit() else ''

    def release(self):
        if self.fd is not None:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None


# ---------------------------------------------------------------------------
def write_atomically(path, text, mode=0o644):
    """Write ``text`` to ``path`` through a temporary file in the same directory and a rename, so a
    reader sees the old content or the new one, never a part."""
    directory = os.path.dirname(path) or '.'
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(text.encode('utf-8'))
        os.chmod(tmp, mode)
        os.rename(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def run_record(previous, failed, now, snapshot_id=None):
    """The record of a run that was not skipped; the last success is carried over a failed run."""
    return {
        'last_run_at': int(now),
        'last_run_success': not failed,
        'last_success_at': int(now) if not failed else (previous or {}).get('last_success_at'),
        'snapshot_id': snapshot_id,
    }


def record_run(resource, failed, snapshot_id=None, now=None, path=None):
    """Write LAST_RUN_PATH for ``resource`` (the timer's job and the backup_run module)."""
    path = path or LAST_RUN_PATH % resource
    try:
        with open(path) as handle:
            previous = json.load(handle)
    except (IOError, OSError, ValueError):
        previous = None
    record = run_record(previous if isinstance(previous, dict) else None, failed,
                        time.time() if now is None else now, snapshot_id)
    write_atomically(path, json.dumps(record, sort_keys=True) + '\n')
    return record


# the backup

def _new_result(cfg, consistency):
    return {
        'changed': False, 'skipped': False, 'reason': None, 'resource': cfg['resource'],
        'host': cfg['host'], 'role': None, 'consistency': consistency, 'source': None,
        'snapshot_id': None, 'files_new': None, 'files_changed': None, 'files_unmodified': None,
        'files_processed': None, 'bytes_added': None, 'bytes_processed': None,
        'backup_seconds': None, 'frozen_seconds': 0.0, 'duration_seconds': None, 'pruned': False,
        'from_secondary_snapshot': False, 'incomplete': False, 'waited_seconds': 0.0, 'warnings': [],
        'commands': [], 'log': [],
    }


def snapshot_lv(cfg):
    """(VG/LV of the snapshot, its device path)."""
    lvm = cfg['lvm']
    name = lvm['lv'] + SNAPSHOT_SUFFIX
    return '%s/%s' % (lvm['vg'], name), '/dev/%s/%s' % (lvm['vg'], name)


def lvcreate_argv(cfg):
    lvm = cfg['lvm']
    size = lvm['snapshot_size']
    size_args = ['-l', size] if '%' in size else ['-L', size]
    name = lvm['lv'] + SNAPSHOT_SUFFIX
    return ['lvcreate', '-s', '-n', name] + size_args + ['%s/%s' % (lvm['vg'], lvm['lv'])]


def view_mount_options(fstype, writable):
    """Options to mount the LVM snapshot.

    On the Primary the snapshot was taken frozen (clean log): read-only, nouuid because
    the mirror with the same XFS UUID is mounted; ext3/4 noload skips the journal. On
    the Secondary the snapshot is crash-consistent: read-write so that the log is
    replayed on the throwaway snapshot.
    """
    if writable:
        return 'nouuid' if fstype == 'xfs' else None
    if fstype == 'xfs':
        return 'ro,nouuid'
    if fstype in ('ext3', 'ext4'):
        return 'ro,noload'
    return 'ro'


def backup_args(cfg):
    """`restic backup` arguments, reading "." in the source directory (see the module docstring).

    --one-file-system: the mirror's filesystem only, not what may be mounted below it.
    """
    args = ['backup', '--json', '--one-file-system', '--host', cfg['host']]
    for tag in cfg['tags']:
        args += ['--tag', tag]
    for pattern in cfg['excludes']:
        args += ['--exclude', pattern]
    return args + ['.']


def forget_args(cfg):
    """`restic forget --prune` for the job's series, or None when every keep count is 0.

    --group-by host,tags: one series whatever directory the snapshots were read from
    (the view of an LVM snapshot or the mount point), so switching the consistency
    mode does not leave a group that is never thinned out.
    """
    counts = [(key, cfg['keep'][key]) for key in KEEP_KEYS if cfg['keep'].get(key)]
    if not counts:
        return None
    args = ['forget', '--prune', '--host', cfg['host'], '--tag', REQUIRED_TAG,
            '--group-by', 'host,tags']
    for key, count in counts:
        args += ['--keep-%s' % key, str(count)]
    return args


def _hook_env(cfg, phase, status=None):
    env = {'HAPAIR_RESOURCE': cfg['resource'], 'HAPAIR_MOUNT_POINT': cfg['mount_point'],
           'HAPAIR_BACKUP_PHASE': phase}
    if status:
        env['HAPAIR_BACKUP_STATUS'] = status
    return env


def _run_hook(job, name, command, status=None):
    """Run a hook with sh -c; None on success, else the failure message."""
    cfg = job.cfg
    job.log('%s: %s' % (name, command))
    rc, out, err = job.run(['sh', '-c', command], cwd='/', env=_hook_env(cfg, name, status),
                           timeout=cfg['hook_timeout'], quiet=True)
    for line in (out + '\n' + err).splitlines():
        if line.strip():
            job.log('  %s: %s' % (name, line.rstrip()))
    if rc == 0:
        return None
    if rc == 124:
        return '%s timed out after %d s (hook_timeout) and was killed' % (name, cfg['hook_timeout'])
    return '%s failed (exit code %d): %s' % (name, rc, _output_text(out, err)[-500:])


def _unfreeze(job, mount_point):
    """fsfreeze -u, tried twice; None when thawed, else the (urgent) message."""
    for attempt in (1, 2):
        rc, out, err = job.run(['fsfreeze', '-u', mount_point])
        if rc == 0:
            return None
        job.log('  fsfreeze -u failed (exit code %d): %s' % (rc, _output_text(out, err)))
        if attempt == 2 and 'Invalid argument' in err:
            return None  # EINVAL: the filesystem is not frozen (any more)
    return ('fsfreeze -u %s failed: the filesystem may STILL BE FROZEN and every write to it blocks. '
            'Run "fsfreeze -u %s" now' % (mount_point, mount_point))


def _freeze(job, mount_point):
    rc, out, err = job.run(['fsfreeze', '-f', mount_point])
    if rc != 0:
        raise BackupError('fsfreeze -f %s failed (exit code %d): %s; nothing was frozen'
                          % (mount_point, rc, _output_text(out, err)), kind='other')


def _cleanup_leftovers(job, mountinfo):
    """Unmount the view and remove the snapshot LV a crashed run left (ours by name)."""
    cfg = job.cfg
    view = cfg['view_dir']
    if mount_of(view, mountinfo()):
        job.log('%s is still mounted by an earlier run that did not finish: unmounting it' % view)
        rc, out, err = job.run(['umount', view])
        if rc != 0:
            raise BackupError('cannot unmount %s, left mounted by an earlier run (exit code %d): %s; '
                              'unmount it by hand' % (view, rc, _output_text(out, err)))
    if cfg['lvm']:
        lv, dummy = snapshot_lv(cfg)
        rc, dummy, dummy2 = job.run(['lvs', '--noheadings', '-o', 'lv_name', lv], quiet=True)
        if rc == 0:
            job.log('the LVM snapshot %s of an earlier run that did not finish is still there: '
                    'removing it' % lv)
            rc, out, err = job.run(['lvremove', '-f', lv])
            if rc != 0:
                raise BackupError('cannot remove the leftover LVM snapshot %s (exit code %d): %s; '
                                  'remove it by hand (lvremove -f %s)' % (lv, rc, _output_text(out, err), lv))


def _mount_view(job, device, writable):
    cfg = job.cfg
    view = cfg['view_dir']
    _make_dir(view)
    argv = ['mount', '-t', cfg['fstype']]
    options = view_mount_options(cfg['fstype'], writable)
    if options:
        argv += ['-o', options]
    rc, out, err = job.run(argv + [device, view])
    if rc != 0:
        raise BackupError('cannot mount the LVM snapshot %s on %s (exit code %d): %s'
                          % (device, view, rc, _output_text(out, err)))


def _release_view(job, mounted, created):
    """Unmount the view and remove the snapshot; the list of problems (empty when fine)."""
    cfg = job.cfg
    problems = []
    if mounted:
        rc, out, err = job.run(['umount', cfg['view_dir']])
        if rc != 0:
            problems.append('cannot unmount %s (exit code %d): %s' % (cfg['view_dir'], rc, _output_text(out, err)))
            return problems + ['the LVM snapshot %s stays until it is unmounted; the next run removes '
                               'both' % snapshot_lv(cfg)[0]]
    if created:
        lv = snapshot_lv(cfg)[0]
        rc, out, err = job.run(['lvremove', '-f', lv])
        if rc != 0:
            problems.append('cannot remove the LVM snapshot %s (exit code %d): %s; remove it (lvremove -f %s): '
                            'while it exists every write to the mirror is slower'
                            % (lv, rc, _output_text(out, err), lv))
    return problems


def _restic_backup(job, result, source, timeout=None):
    """restic backup in ``source``; fills result, raises BackupError on failure."""
    started = job.clock()
    rc, out, err = job.restic(backup_args(job.cfg), cwd=source, timeout=timeout)
    result['backup_seconds'] = round(job.clock() - started, 3)
    summary = parse_backup_summary(out)
    if rc == 124 and timeout:
        raise BackupError('restic backup was stopped after %d s (freeze_timeout) to thaw the '
                          'filesystem; use consistency snapshot, or raise freeze_timeout' % timeout)
    if rc not in (0, 3) or summary is None:
        if rc in (0, 3):
            raise BackupError('restic backup ended (exit code %d) without its JSON summary: %s'
                              % (rc, _restic_said(err)))
        raise job.restic_failed(rc, err, 'restic backup failed')
    if rc == 3:
        # restic: snapshot created, but some source files could not be read
        result['incomplete'] = True
        errors = [line for line in _restic_lines(err) if line.startswith('error')][:20]
        result['warnings'].append('restic could not read some files (exit code 3); snapshot %s lacks '
                                  'them: %s' % (summary['snapshot_id'], '; '.join(errors) or _restic_said(err)))
    restic_seconds = summary.pop('restic_seconds')
    result.update(summary)
    result['changed'] = True
    job.log('snapshot %s: %d files (%d new, %d changed, %d unmodified), %s read, %s added in %.1f s'
            % (summary['snapshot_id'], summary['files_processed'], summary['files_new'],
               summary['files_changed'], summary['files_unmodified'], human_bytes(summary['bytes_processed']),
               human_bytes(summary['bytes_added']), restic_seconds or result['backup_seconds']))


def human_bytes(count):
    count = float(count or 0)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if count < 1024 or unit == 'TiB':
            return ('%d %s' % (count, unit)) if unit == 'B' else ('%.1f %s' % (count, unit))
        count /= 1024.0
    return '%d B' % count


def _plan(cfg, mode, secondary):
    """The commands a run would issue (check mode)."""
    mount = cfg['mount_point']
    view = cfg['view_dir']
    restic = ' '.join([cfg['restic']] + backup_args(cfg))
    steps = ['%s cat config' % cfg['restic']]
    if cfg['pre_hook'] and not secondary:
        steps.append('pre_hook: sh -c %s' % cfg['pre_hook'])
    if cfg['lvm'] and (mode == 'snapshot' or secondary):
        lv, device = snapshot_lv(cfg)
        if not secondary:
            steps += ['sync', 'fsfreeze -f %s' % mount]
        steps.append(' '.join(lvcreate_argv(cfg)))
        if not secondary:
            steps.append('fsfreeze -u %s' % mount)
        options = view_mount_options(cfg['fstype'], secondary)
        steps.append('mount -t %s%s %s %s' % (cfg['fstype'], ' -o ' + options if options else '', device, view))
        steps += ['(in %s) %s' % (view, restic), 'umount %s' % view, 'lvremove -f %s' % lv]
    elif mode == 'freeze':
        steps += ['fsfreeze -f %s' % mount, '(in %s) %s' % (mount, restic), 'fsfreeze -u %s' % mount]
    else:
        steps.append('(in %s) %s' % (mount, restic))
    if cfg['post_hook'] and not secondary:
        steps.append('post_hook: sh -c %s' % cfg['post_hook'])
    forget = forget_args(cfg)
    if forget:
        steps.append(' '.join([cfg['restic']] + forget))
    return steps


def _check_password_file(cfg):
    if not os.path.isfile(cfg['password_file']):
        raise BackupError('the repository password file %s does not exist: run the '
                          'hapair.cluster.backup role' % cfg['password_file'], kind='config')


def _role_gate(job, result, node, action, allow_secondary=False):
    """Read the role; (role, skip reason or None)."""
    resource = job.cfg['resource']
    role, dummy, text = drbd_role(job.runner, resource)
    result['role'] = role
    if role == 'Primary':
        return role, None
    if role == 'Secondary':
        reason = '%s is Secondary for %s: the Primary %s' % (node, resource, action)
    else:
        reason = '%s is not up on %s (drbdadm role %s: %s): the Primary %s' % (
            resource, node, resource, text or 'no output', action)
    if allow_secondary:
        return role, reason
    result['skipped'] = True
    result['reason'] = reason
    job.log(reason + '; nothing to do here')
    return role, reason


def run_backup(cfg, runner=None, logger=None, clock=None, consistency=None,
               from_secondary_snapshot=False, check_mode=False, mountinfo=None, node=None):
    """One backup of the mirror; the result dict (see the module docstring of backup_run).

    Raises BackupError (with .result) on failure or refusal. On a Secondary (or a
    resource that is not up) the run is skipped (result skipped=True, reason) unless
    from_secondary_snapshot asks for a backup of an LVM snapshot of the backing volume.
    """
    job = _Job(cfg, runner, logger, clock)
    mountinfo = mountinfo or read_mountinfo
    node = node or node_name()
    mode = consistency or cfg['consistency']
    result = _new_result(cfg, mode)
    started = job.clock()
    lock = None
    try:
        if mode not in CONSISTENCY:
            raise BackupError('consistency must be one of %s, got %s' % (', '.join(CONSISTENCY), _shown(mode)),
                              kind='config')
        if mode == 'snapshot' and not cfg['lvm']:
            raise BackupError('consistency snapshot needs an LVM volume under DRBD (lvm in %s.json); '
                              'use live (or freeze on ext4)' % cfg['resource'], kind='config')
        refusal = freeze_refusal(mode, cfg['fstype'])
        if refusal:
            raise BackupError('consistency %s; nothing was frozen or backed up' % refusal, kind='config')
        if not check_mode:
            lock = _Lock(cfg['lock_file'], cfg['resource'])
            lock.acquire(cfg.get('lock_wait', LOCK_WAIT), job)
            result['waited_seconds'] = round(lock.waited, 1)
        role, reason = _role_gate(job, result, node, 'backs up', allow_secondary=from_secondary_snapshot)
        if result['skipped']:
            return result
        secondary = role != 'Primary'
        if secondary:
            _secondary_allowed(job, cfg, role, reason)
            result['from_secondary_snapshot'] = True
            result['consistency'] = mode = 'snapshot'
        else:
            mounted = mount_of(cfg['mount_point'], mountinfo())
            if not mounted:
                raise BackupError('%s is Primary for %s but %s is not mounted: there is nothing to back up. '
                                  'Mount it (make_primary.yml) and run again'
                                  % (node, cfg['resource'], cfg['mount_point']), kind='not_mounted')
        _check_password_file(cfg)
        result['commands'] = _plan(cfg, mode, secondary)
        result['source'] = cfg['view_dir'] if (secondary or mode == 'snapshot') else cfg['mount_point']
        if check_mode:
            result['changed'] = True
            job.log('check mode: would run %s' % '; '.join(result['commands']))
            return result
        job.log('backing up %s of %s on %s (%s) to %s' % (
            cfg['mount_point'], cfg['resource'], node,
            'LVM snapshot of the Secondary\'s backing volume' if secondary else mode, redact(cfg['repository'])))
        if secondary:
            _backup_secondary(job, result, mountinfo)
        else:
            _backup_primary(job, result, mode, mountinfo)
        return result
    except BackupError as ex:
        ex.result = result
        raise
    finally:
        if lock is not None:
            lock.release()
        result['duration_seconds'] = round(job.clock() - started, 3)
        result['log'] = job.lines


def _secondary_allowed(job, cfg, role, reason):
    resource = cfg['resource']
    if role != 'Secondary':
        raise BackupError('%s; from_secondary_snapshot needs this node to be the Secondary of a '
                          'connected, UpToDate resource' % reason, kind='not_up')
    if not cfg['lvm']:
        raise BackupError('%s; from_secondary_snapshot needs an LVM volume under DRBD to snapshot '
                          '(lvm in %s.json), and this mirror has none' % (reason, resource), kind='config')
    disk = drbd_disk_state(job.runner, resource)
    if disk != 'UpToDate':
        raise BackupError('%s, and its disk is %s, not UpToDate: a snapshot of it would not be a usable '
                          'copy of the mirror. Back up on the Primary' % (reason, disk or 'unknown'),
                          kind='not_up')


def _preflight(job):
    """`restic cat config`: a wrong password or an unreachable server fails here, before any
    hook runs and before anything is frozen or snapshotted."""
    rc, dummy, err = job.restic(['cat', 'config'], quiet=True)
    if rc != 0:
        raise job.restic_failed(rc, err, 'the repository does not open, nothing was frozen or backed up')


def _backup_primary(job, result, mode, mountinfo):
    cfg = job.cfg
    mount = cfg['mount_point']
    _preflight(job)
    if mode == 'snapshot':
        _cleanup_leftovers(job, mountinfo)
    completed = False
    failure = None
    problems = []
    try:
        try:
            if cfg['pre_hook']:
                message = _run_hook(job, 'pre_hook', cfg['pre_hook'])
                if message:
                    raise BackupError('%s; nothing was frozen or backed up' % message, kind='hook')
            if mode == 'snapshot':
                problems = _snapshot_and_backup(job, result)
            elif mode == 'freeze':
                _freeze_and_backup(job, result)
            else:
                _restic_backup(job, result, mount)
            completed = True
        except BackupError as ex:
            failure = ex
    finally:
        # from here on the post-hook always runs (also after a failed pre-hook: it undoes
        # what the pre-hook may have half done); HAPAIR_BACKUP_STATUS tells it the outcome
        if cfg['post_hook']:
            message = _run_hook(job, 'post_hook', cfg['post_hook'], 'success' if completed else 'failure')
            if message:
                problems.append(message)
    if failure is not None:
        if problems:
            failure.message += '. Also: ' + '; '.join(problems)
            failure.args = (failure.message,)
        raise failure
    _forget(job, result)
    if problems:
        raise BackupError('the backup succeeded (snapshot %s) but %s' % (result['snapshot_id'], '; '.join(problems)),
                          kind='other')


def _freeze_and_backup(job, result):
    """fsfreeze -f, back up the mount point, fsfreeze -u (always).

    Two things bound the freeze: the runner kills restic after freeze_timeout, and a
    watchdog thread thaws the filesystem at the same moment whatever restic and the
    runner are doing (a runner stuck on a pipe must not keep writers blocked).
    """
    cfg = job.cfg
    mount = cfg['mount_point']
    timeout = cfg['freeze_timeout'] or None
    _freeze(job, mount)
    frozen_at = job.clock()
    lock = threading.Lock()
    thaw = {'done': False, 'by_watchdog': False, 'error': None, 'seconds': None}

    def thaw_once(by_watchdog):
        with lock:
            if thaw['done']:
                return
            thaw['done'] = True
            if by_watchdog:
                job.log('freeze_timeout (%d s) reached: thawing %s while restic still runs' % (timeout, mount))
            thaw['by_watchdog'] = by_watchdog
            thaw['error'] = _unfreeze(job, mount)
            thaw['seconds'] = round(job.clock() - frozen_at, 3)

    watchdog = None
    if timeout:
        watchdog = threading.Timer(timeout, thaw_once, args=(True,))
        watchdog.daemon = True
        watchdog.start()
    failure = None
    try:
        try:
            _restic_backup(job, result, mount, timeout=timeout)
        except BackupError as ex:
            failure = ex
    finally:
        if watchdog is not None:
            watchdog.cancel()
        thaw_once(False)
        result['frozen_seconds'] = thaw['seconds']
        job.log('filesystem %s was frozen for %.1f s' % (mount, result['frozen_seconds']))
    if thaw['error']:
        raise BackupError('; '.join([thaw['error']] + ([failure.message] if failure else [])), kind='frozen')
    if thaw['by_watchdog'] and failure is None:
        failure = BackupError('the filesystem was thawed after %d s (freeze_timeout) before restic had '
                              'finished, so the snapshot is not a consistent point in time; use '
                              'consistency snapshot, or raise freeze_timeout' % timeout)
    if failure is not None:
        raise failure


def _snapshot_and_backup(job, result):
    """sync, freeze, lvcreate, unfreeze (always), mount, back up, unmount, lvremove."""
    cfg = job.cfg
    mount = cfg['mount_point']
    lv, device = snapshot_lv(cfg)
    job.run(['sync'])
    _freeze(job, mount)
    frozen_at = job.clock()
    created = False
    failure = None
    try:
        try:
            rc, out, err = job.run(lvcreate_argv(cfg))
            if rc != 0:
                raise BackupError('lvcreate of the snapshot %s failed (exit code %d): %s; check the free space '
                                  'of the volume group (vgs %s) or lvm.snapshot_size'
                                  % (lv, rc, _output_text(out, err), cfg['lvm']['vg']))
            created = True
        except BackupError as ex:
            failure = ex
    finally:
        unfreeze_error = _unfreeze(job, mount)
        result['frozen_seconds'] = round(job.clock() - frozen_at, 3)
        job.log('filesystem %s was frozen for %.3f s' % (mount, result['frozen_seconds']))
    if unfreeze_error:
        problems = _release_view(job, False, created)
        raise BackupError('; '.join([unfreeze_error] + ([failure.message] if failure else []) + problems),
                          kind='frozen')
    if failure is not None:
        raise failure
    return _backup_view(job, result, device, created, writable=False)


def _backup_view(job, result, device, created, writable):
    """Mount the snapshot, back it up, always unmount and remove it; cleanup problems."""
    mounted = False
    failure = None
    try:
        try:
            _mount_view(job, device, writable)
            mounted = True
            _restic_backup(job, result, job.cfg['view_dir'])
        except BackupError as ex:
            failure = ex
    finally:
        problems = _release_view(job, mounted, created)
    if failure is not None:
        if problems:
            failure.message += '. Also: ' + '; '.join(problems)
            failure.args = (failure.message,)
        raise failure
    return problems


def _backup_secondary(job, result, mountinfo):
    cfg = job.cfg
    if cfg['pre_hook'] or cfg['post_hook']:
        job.log('pre_hook/post_hook are not run on the Secondary: the application runs on the Primary')
    _preflight(job)
    _cleanup_leftovers(job, mountinfo)
    lv, device = snapshot_lv(cfg)
    rc, out, err = job.run(lvcreate_argv(cfg))
    if rc != 0:
        raise BackupError('lvcreate of the snapshot %s failed (exit code %d): %s; check the free space of '
                          'the volume group (vgs %s) or lvm.snapshot_size'
                          % (lv, rc, _output_text(out, err), cfg['lvm']['vg']))
    problems = _backup_view(job, result, device, True, writable=True)
    _forget(job, result)
    if problems:
        raise BackupError('the backup succeeded (snapshot %s) but %s' % (result['snapshot_id'], '; '.join(problems)))


def _forget(job, result):
    """The retention after a backup: a failure says the snapshot itself is safe."""
    _prune(job, result, False, 'the backup succeeded (snapshot %s) but restic forget --prune failed'
           % result['snapshot_id'])


def _log_forget(job, out):
    removed = re.search(r'^remove ([0-9]+) snapshots', out or '', re.MULTILINE)
    job.log('retention: %s' % ('%s snapshot(s) removed' % removed.group(1) if removed else 'nothing to remove'))


# ---------------------------------------------------------------------------
# check, forget, snapshots, restore, repository

def _gated(cfg, runner, logger, clock):
    job = _Job(cfg, runner, logger, clock)
    result = {'changed': False, 'skipped': False, 'reason': None, 'resource': cfg['resource'],
              'role': None, 'log': job.lines}
    return job, result


@contextlib.contextmanager
def _on_the_primary(job, result, action, node, check_mode):
    """The frame of a repository action that belongs to the Primary.

    Holds the job's lock (not in check mode), sets result['skipped'] on the Secondary (the
    body then does nothing), checks the password file, and hands ``result`` to any
    BackupError raised inside.
    """
    lock = None
    try:
        if not check_mode:
            lock = _Lock(job.cfg['lock_file'], job.cfg['resource'])
            lock.acquire(job.cfg.get('lock_wait', LOCK_WAIT), job)
        _role_gate(job, result, node or node_name(), action)
        if not result['skipped']:
            _check_password_file(job.cfg)
        yield
    except BackupError as ex:
        ex.result = result
        raise
    finally:
        if lock is not None:
            lock.release()


def check_repository(cfg, runner=None, logger=None, clock=None, node=None, read_data_subset=None,
                     check_mode=False):
    """`restic check` on the Primary (skipped on the Secondary, like run_backup)."""
    job, result = _gated(cfg, runner, logger, clock)
    result.update(ok=None, duration_seconds=None)
    started = job.clock()
    try:
        with _on_the_primary(job, result, 'checks the repository', node, check_mode):
            if not result['skipped']:
                _check(job, result, read_data_subset, check_mode)
    finally:
        result['duration_seconds'] = round(job.clock() - started, 3)
    return result


def _check(job, result, read_data_subset, check_mode):
    cfg = job.cfg
    args = ['check'] + (['--read-data-subset', read_data_subset] if read_data_subset else [])
    if check_mode:
        result['commands'] = [' '.join([cfg['restic']] + args)]
        return
    rc, out, err = job.restic(args)
    if rc != 0:
        # restic 0.14 prints the damage on stderr and ends with "Fatal: repository contains errors"
        if 'repository contains errors' not in err:
            raise job.restic_failed(rc, err, 'restic check could not run')
        problems = [line.strip() for line in err.splitlines()
                    if line.strip() and 'repository contains errors' not in line][:20]
        for line in problems:
            job.log('  restic: %s' % line)
        result['ok'] = False
        raise BackupError('restic check found errors in the repository at %s: %s. Run "restic check '
                          '--read-data" by hand for the details; a damaged repository is repaired by hand '
                          '(restic documentation, "Troubleshooting"), or replaced by a new one'
                          % (redact(cfg['repository']), '; '.join(problems) or _restic_said(err)),
                          kind='damaged')
    result['ok'] = True
    job.log('restic check: no errors were found')


def forget_snapshots(cfg, runner=None, logger=None, clock=None, node=None, check_mode=False):
    """Only the retention (restic forget --prune) on the Primary; skipped on the Secondary."""
    job, result = _gated(cfg, runner, logger, clock)
    result.update(pruned=False)
    with _on_the_primary(job, result, 'applies the retention', node, check_mode):
        if not result['skipped']:
            _prune(job, result, check_mode)
    return result


def _prune(job, result, check_mode, failed='restic forget --prune failed'):
    cfg = job.cfg
    args = forget_args(cfg)
    if not args:
        job.log('retention: every keep count is 0, all snapshots are kept')
        return
    if check_mode:
        result['commands'] = [' '.join([cfg['restic']] + args)]
        return
    rc, out, err = job.restic(args)
    if rc != 0:
        raise job.restic_failed(rc, err, failed)
    result['pruned'] = result['changed'] = True
    _log_forget(job, out)


def thaw_filesystem(cfg, runner=None, logger=None, mountinfo=None):
    """fsfreeze -u of the mount point when it is frozen; {'thawed': bool}.

    The timer's unit runs this after every job (ExecStopPost): a job killed while the
    filesystem was frozen (systemctl stop, SIGKILL) must not leave it frozen. A
    filesystem that is not frozen (EINVAL) or not mounted is left alone, silently, and
    so is one that another run (holding the job's lock) may have frozen on purpose.
    """
    job = _Job(cfg, runner, logger, None)
    mount = cfg['mount_point']
    if mount_of(mount, read_mountinfo() if mountinfo is None else mountinfo) is None:
        return {'thawed': False}
    lock = _Lock(cfg['lock_file'], cfg['resource'])
    try:
        lock.acquire()
    except BackupError as ex:
        if ex.kind == 'busy':
            return {'thawed': False}
        raise
    try:
        rc, out, err = job.run(['fsfreeze', '-u', mount], quiet=True)
    finally:
        lock.release()
    if rc == 0:
        job.log('filesystem %s was still frozen: thawed' % mount)
        return {'thawed': True}
    if 'Invalid argument' in (err or ''):
        return {'thawed': False}
    raise BackupError('fsfreeze -u %s failed (exit code %d): %s; if writes to %s hang, run '
                      '"fsfreeze -u %s" now' % (mount, rc, _output_text(out, err), mount, mount))


def list_snapshots(cfg, runner=None, logger=None):
    """The pair's snapshots (restic --host of the job), oldest first. Read-only (--no-lock)."""
    job = _Job(cfg, runner, logger, None)
    rc, out, err = job.restic(['snapshots', '--json', '--no-lock', '--host', cfg['host']])
    if rc != 0:
        raise job.restic_failed(rc, err, 'cannot list the snapshots')
    return parse_snapshots(out)


def restore(cfg, snapshot='latest', target=None, includes=None, runner=None, logger=None, clock=None,
            check_mode=False, exact=False):
    """Restore one snapshot into ``target`` (created if missing); the result dict.

    The snapshot is resolved first among the pair's snapshots: an unknown id fails
    before anything is written, listing the newest ones.

    exact: leave ``target`` exactly as the snapshot was, removing what was created
    since. restic 0.14 has no ``restore --delete``, so the snapshot is restored into a
    staging directory inside ``target`` (the same filesystem) and rsync --delete makes
    ``target`` match it. A database's data directory needs this: WAL segments newer
    than the snapshot left in place would be replayed on top of it.
    """
    job = _Job(cfg, runner, logger, clock)
    started = job.clock()
    snapshots = list_snapshots(cfg, job.runner, job.log)
    chosen = find_snapshot(snapshots, snapshot)
    if check_mode:
        return _restore(job, cfg, chosen, target, includes, started, True, exact)
    # no scheduled backup while files are being put back
    lock = _Lock(cfg['lock_file'], cfg['resource'])
    lock.acquire(cfg.get('lock_wait', LOCK_WAIT), job)
    try:
        return _restore(job, cfg, chosen, target, includes, started, False, exact)
    finally:
        lock.release()


def _restore(job, cfg, chosen, target, includes, started, check_mode, exact=False):
    result = {'changed': False, 'snapshot_id': chosen['id'], 'short_id': chosen['short_id'],
              'snapshot_time': chosen['time'], 'target': target, 'files_restored': None,
              'duration_seconds': None, 'exact': bool(exact), 'log': job.lines}
    staging_name = '.hapair-restore-%s' % chosen['short_id']
    staging = os.path.join(target, staging_name) if exact else target
    args = ['restore', chosen['id'], '--target', staging]
    for pattern in includes or []:
        args += ['--include', pattern]
    # rsync -a gives the target directory the staging directory's owner and mode (restic made
    # it root 0700); the mirror's root keeps its own, or a service user can no longer enter it
    keep_root = [['chown', '--reference=%s' % target, staging], ['chmod', '--reference=%s' % target, staging]]
    sync = ['rsync', '-aHAX', '--delete', '--exclude', '/%s/' % staging_name, staging + '/', target + '/']
    result['commands'] = [' '.join([cfg['restic']] + args)] + (
        [' '.join(c) for c in keep_root] + [' '.join(sync), 'rm -rf ' + staging] if exact else [])
    if check_mode:
        result['changed'] = True
        result['duration_seconds'] = round(job.clock() - started, 3)
        return result
    _make_dir(target)
    try:
        rc, out, err = job.restic(args)
        if rc == 0 and exact:
            job.log('making %s exactly the snapshot (files created since are removed)' % target)
            for command in keep_root:
                job.run(command)
            src, sout, serr = job.run(sync)
            if src != 0:
                error = BackupError('rsync from %s into %s failed (exit %d): %s; the target holds the snapshot\'s files '
                                    'plus some newer ones' % (staging, target, src, _output_text(sout, serr)),
                                    kind='restore')
                result['changed'] = True
                error.result = result
                raise error
    finally:
        if exact:
            job.run(['rm', '-rf', '--one-file-system', staging])
    result['duration_seconds'] = round(job.clock() - started, 3)
    if rc != 0:
        error = job.restic_failed(rc, err, 'restic restore of %s into %s failed' % (chosen['short_id'], target))
        result['changed'] = True  # some files may have been written
        error.result = result
        raise error
    result['changed'] = True
    restored = _RESTORED_RE.search(out + '\n' + err)  # restic >= 0.17 prints a summary; 0.14 does not
    if restored:
        result['files_restored'] = int(restored.group(1))
    job.log('restored snapshot %s of %s into %s' % (chosen['short_id'], chosen['time'], target))
    return result


def check_restore_target(cfg, target, in_place, role, mountinfo_text, node):
    """Refuse a restore target that is unsafe; the normalised target. Changes nothing.

    in_place: only on the Primary, with the mirror mounted, into its mount point.
    Otherwise: never inside the mount point (on the Primary that is the live mirror,
    on the Secondary a directory the mirror gets mounted over).
    """
    resource = cfg['resource']
    mount_point = cfg['mount_point']
    if not target or not target.startswith('/'):
        raise BackupError('target must be an absolute path, got %s' % (_shown(target),), kind='config')
    target = os.path.normpath(target)
    if in_place:
        if role != 'Primary':
            state = 'it is Secondary for %s' % resource if role == 'Secondary' else '%s is not up there' % resource
            raise BackupError('refusing to restore in place on %s: %s, and its copy of the mirror belongs to '
                              'DRBD (it follows the Primary block by block). Restore in place on the Primary, '
                              'or into a directory with in_place=false. Nothing was changed' % (node, state),
                              kind='refused')
        if not mount_of(mount_point, mountinfo_text):
            raise BackupError('refusing to restore in place on %s: it is Primary for %s but %s is not mounted. '
                              'Mount it first (make_primary.yml). Nothing was changed'
                              % (node, resource, mount_point), kind='refused')
        if target != mount_point:
            raise BackupError('in_place=true restores into the mirror\'s mount point %s, not into %s: set '
                              'target to %s, or in_place=false to restore into another directory. '
                              'Nothing was changed' % (mount_point, target, mount_point), kind='refused')
        return target
    real_target = os.path.realpath(target)
    for base in (mount_point, os.path.realpath(mount_point)):
        if _inside(target, base) or _inside(real_target, base):
            raise BackupError('refusing to restore into %s: it is inside the mirror\'s mount point %s. Restore '
                              'into a directory outside it, or set in_place=true (on the Primary, with the '
                              'application stopped) to put the snapshot back in place. Nothing was changed'
                              % (target, mount_point), kind='refused')
    return target


def ensure_repository(cfg, runner=None, logger=None, check_mode=False):
    """`restic cat config`; `restic init` when there is no repository. The result dict.

    Wrong password, unreachable server: BackupError with the classified message,
    nothing created.
    """
    job = _Job(cfg, runner, logger, None)
    result = {'changed': False, 'exists': False, 'initialised': False,
              'repository': redact(cfg['repository']), 'log': job.lines}
    rc, out, err = job.restic(['cat', 'config'])
    if rc == 0:
        result['exists'] = True
        job.log('the repository at %s exists and opens with the password' % redact(cfg['repository']))
        return result
    kind, message = classify_restic_error(rc, err, cfg['repository'])
    if kind != 'no_repository':
        for line in _restic_lines(err)[-10:]:
            job.log('  restic: %s' % line)
        raise BackupError(message, kind=kind, result=result)
    result['changed'] = True
    if check_mode:
        job.log('check mode: would initialise a new repository at %s' % redact(cfg['repository']))
        return result
    rc, out, err = job.restic(['init'])
    if rc != 0:
        error = job.restic_failed(rc, err, 'restic init of %s failed' % redact(cfg['repository']))
        result['changed'] = False
        error.result = result
        raise error
    result['exists'] = result['initialised'] = True
    job.log('initialised a new repository at %s' % redact(cfg['repository']))
    return result


# ---------------------------------------------------------------------------
# the script

class _Terminated(BaseException):
    pass


def _on_signal(signum, frame):
    raise _Terminated('terminated by signal %d' % signum)


def _printer(stream):
    def emit(line):
        stream.write(_native(line + '\n'))  # Python 2's stdout to the journal takes bytes
        stream.flush()
    return emit


def main(argv=None, runner=None, stdout=None, stderr=None):
    """python3 backup_job.py --config FILE run|check|forget|snapshots|thaw; the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = argparse.ArgumentParser(
        prog='backup_job.py',
        description='hapair backup of the DRBD mirror with restic (does nothing on the Secondary)')
    parser.add_argument('--config', required=True, help='the JSON settings the backup role writes')
    parser.add_argument('--consistency', choices=CONSISTENCY,
                        help='run: override the configured consistency mode')
    parser.add_argument('--from-secondary-snapshot', action='store_true',
                        help='run: on the Secondary, back up an LVM snapshot of the backing volume')
    parser.add_argument('--read-data-subset', help='check: also read this part of the data (e.g. 5%%)')
    parser.add_argument('--dry-run', action='store_true', help='say what would run, change nothing')
    parser.add_argument('action', choices=('run', 'check', 'forget', 'snapshots', 'thaw'))
    args = parser.parse_args(argv)

    emit = _printer(stdout)
    old_handlers = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        old_handlers[signum] = signal.signal(signum, _on_signal)
    summary = {'action': args.action}
    code = 0
    try:
        cfg = load_config(args.config)
        if args.action == 'run':
            result = run_backup(cfg, runner, emit, consistency=args.consistency,
                                from_secondary_snapshot=args.from_secondary_snapshot, check_mode=args.dry_run)
        elif args.action == 'check':
            result = check_repository(cfg, runner, emit, read_data_subset=args.read_data_subset,
                                      check_mode=args.dry_run)
        elif args.action == 'forget':
            result = forget_snapshots(cfg, runner, emit, check_mode=args.dry_run)
        elif args.action == 'thaw':
            result = thaw_filesystem(cfg, runner, emit)
        else:
            snapshots = list_snapshots(cfg, runner, emit)
            for snap in snapshots:
                emit('%s  %s  %s  %s' % (snap['short_id'], snap['time'], snap['hostname'], ','.join(snap['tags'])))
            result = {'count': len(snapshots), 'latest': snapshots[-1]['id'] if snapshots else None}
        summary.update(result)
        summary['failed'] = False
    except BackupError as ex:
        summary.update(ex.result or {})
        summary.update(failed=True, kind=ex.kind, msg=ex.message)
        stderr.write(_native('hapair-backup: ERROR: %s\n' % ex.message))
        code = 1
    except _Terminated as ex:
        summary.update(failed=True, kind='terminated', msg=str(ex))
        stderr.write(_native('hapair-backup: ERROR: %s (cleanup done)\n' % ex))
        code = 1
    finally:
        for signum, handler in old_handlers.items():
            signal.signal(signum, handler)
    summary.pop('log', None)
    if args.action == 'run' and not args.dry_run and summary.get('resource') and not summary.get('skipped'):
        try:
            record_run(summary['resource'], summary['failed'], summary.get('snapshot_id'))
        except (IOError, OSError) as ex:
            stderr.write(_native('hapair-backup: WARNING: cannot record the run for the metrics: %s\n' % ex))
    stdout.write(_native(SUMMARY_PREFIX + json.dumps(summary, sort_keys=True) + '\n'))
    stdout.flush()
    return code


if __name__ == '__main__':
    raise SystemExit(main())
