# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mirror role's fence-peer handler, run for real with a fake ssh: a broken fencing path is
never reported to DRBD as a dead peer, and every attempt is recorded."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
import subprocess

import pytest

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'mirror',
                        'templates', 'fence-peer.j2')


def script(tmp_path, name, body):
    path = tmp_path / name
    path.write_text('#!/bin/sh\n' + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def run_handler(tmp_path, ssh_rc, ssh_output):
    with open(TEMPLATE) as f:
        text = f.read().replace('{{ ansible_managed }}', 'test').replace('{{ __hapair_peer_service_ip }}', '192.0.2.12')
    handler = script(tmp_path, 'fence-peer', text.split('\n', 1)[1])
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    script(bindir, 'ssh', 'printf "%%s\\n" "%s" >&2\nexit %d\n' % (ssh_output, ssh_rc))
    script(bindir, 'logger', 'echo "logger $*" >> "%s"\n' % (tmp_path / 'syslog'))
    log = tmp_path / 'state' / 'fencing.log'
    env = dict(os.environ, PATH='%s:%s' % (bindir, os.environ['PATH']), DRBD_RESOURCE='r0',
               HAPAIR_FENCING_LOG=str(log))
    rc = subprocess.call(['/bin/sh', str(handler)], env=env)
    return rc, log.read_text(), (tmp_path / 'syslog').read_text()


# (id, ssh rc, what ssh said, DRBD exit code, recorded result)
CASES = [
    ('outdated', 0, '', 4, 'outdated'),
    ('timeout-is-a-dead-peer', 255, 'ssh: connect to host 192.0.2.12 port 22: Connection timed out', 5, 'unreachable'),
    ('no-route-is-a-dead-peer', 255, 'ssh: connect to host 192.0.2.12 port 22: No route to host', 5, 'unreachable'),
    ('key-refused-is-broken', 255, 'root@192.0.2.12: Permission denied (publickey).', 1, 'broken'),
    ('host-key-changed-is-broken', 255, 'Host key verification failed.', 1, 'broken'),
    ('our-key-missing-is-broken', 255, 'Warning: Identity file /etc/hapair/fence_ed25519 not accessible: '
                                       'No such file or directory.', 1, 'broken'),
    ('sshd-refusing-is-broken', 255, 'ssh: connect to host 192.0.2.12 port 22: Connection refused', 1, 'broken'),
    ('forced-command-missing-is-broken', 127, 'sh: 1: /usr/local/lib/hapair/outdate-self: not found', 1, 'broken'),
    ('forced-command-refusing-is-broken', 2, "hapair: only 'outdate RESOURCE' is allowed", 1, 'broken'),
    ('peer-primary', 11, 'r0: State change failed: (-2) Need access to UpToDate data / Device is Primary', 6,
     'peer-primary'),
]


@pytest.mark.parametrize('ssh_rc, said, exit_code, result', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_outcome_is_told_apart_and_recorded(tmp_path, ssh_rc, said, exit_code, result):
    rc, log, syslog = run_handler(tmp_path, ssh_rc, said)
    assert rc == exit_code
    fields = log.split(None, 5)
    assert fields[1:5] == ['r0', result, '192.0.2.12', str(ssh_rc)]
    assert log.count('\n') == 1
    if result == 'broken':
        assert 'FENCING BROKEN (not a dead peer)' in syslog and '-p daemon.err' in syslog
    else:
        assert ('r0 via 192.0.2.12: %s' % result) in syslog


def test_a_broken_path_is_never_exit_5(tmp_path):
    """The control: of all the outcomes above, only a silent network gives DRBD 'peer unreachable'."""
    fives = [c[0] for c in CASES if c[3] == 5]
    assert fives == ['timeout-is-a-dead-peer', 'no-route-is-a-dead-peer']
