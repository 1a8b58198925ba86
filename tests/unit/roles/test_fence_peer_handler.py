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

import jinja2
import pytest

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'mirror',
                        'templates', 'fence-peer.j2')


def script(tmp_path, name, body):
    path = tmp_path / name
    path.write_text('#!/bin/sh\n' + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def render(policy='continue', timeout=60):
    """The template as the mirror role writes it (the same Jinja2 ansible uses)."""
    with open(TEMPLATE) as f:
        template = jinja2.Template(f.read(), keep_trailing_newline=True)
    return template.render(ansible_managed='test', __hapair_peer_service_ip='192.0.2.12',
                           hapair_fencing_policy=policy, hapair_fencing_freeze_timeout=timeout,
                           hapair_fencing_connect_timeout=10)


def run_handler(tmp_path, ssh_rc, ssh_output, policy='continue', timeout=60, args=(), role='Primary/Unknown', seed=None):
    """(exit code, fencing.log text, syslog text, stdout, ssh calls) of one run with a fake ssh."""
    handler = script(tmp_path, 'fence-peer', render(policy, timeout).split('\n', 1)[1])
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    calls = tmp_path / 'ssh-calls'
    script(bindir, 'ssh', 'echo "$*" >> "%s"\nprintf "%%s\\n" "%s" >&2\nexit %d\n' % (calls, ssh_output, ssh_rc))
    script(bindir, 'drbdadm', 'echo "%s"\n' % role)
    script(bindir, 'logger', 'echo "logger $*" >> "%s"\n' % (tmp_path / 'syslog'))
    log = tmp_path / 'state' / 'fencing.log'
    if seed is not None:   # what the log held before this run
        log.parent.mkdir()
        log.write_bytes(seed)
    env = dict(os.environ, PATH='%s:%s' % (bindir, os.environ['PATH']), DRBD_RESOURCE='r0',
               HAPAIR_FENCING_LOG=str(log), HAPAIR_FENCE_RETRY_INTERVAL='0.2')
    proc = subprocess.run(['/bin/sh', str(handler)] + list(args), env=env, stdout=subprocess.PIPE,
                          universal_newlines=True, check=False)

    def text(path):
        return path.read_text() if path.exists() else ''
    return proc.returncode, text(log), text(tmp_path / 'syslog'), proc.stdout, text(calls).splitlines()


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
    ('forced-command-refusing-is-broken', 2, "hapair: only 'outdate RESOURCE' or 'check RESOURCE' is allowed", 1, 'broken'),
    ('peer-primary', 11, 'r0: State change failed: (-2) Need access to UpToDate data / Device is Primary', 6,
     'peer-primary'),
]


@pytest.mark.parametrize('ssh_rc, said, exit_code, result', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_outcome_is_told_apart_and_recorded(tmp_path, ssh_rc, said, exit_code, result):
    rc, log, syslog, dummy, dummy = run_handler(tmp_path, ssh_rc, said)
    assert rc == exit_code
    fields = log.split(None, 5)
    assert fields[1:5] == ['r0', result, '192.0.2.12', str(ssh_rc)]
    assert log.count('\n') == 1
    if result == 'broken':
        assert 'FENCING BROKEN (not a dead peer)' in syslog and '-p daemon.err' in syslog
    else:
        assert ('r0 via 192.0.2.12: %s' % result) in syslog


@pytest.mark.parametrize('ssh_rc, said, exit_code, result', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_freeze_never_lets_drbd_assume_a_dead_peer(tmp_path, ssh_rc, said, exit_code, result):
    """Under freeze, only a fenced peer (4) or a Primary peer (6) lets writes go on: exit 5 would make
    DRBD mark the peer Outdated by assumption and resume; everything else keeps writes suspended."""
    # The deadline is counted in whole seconds: with 1 s, a first attempt that starts late in a second
    # and ends in the next (a loaded CI machine) leaves no time to try again; 3 s leaves at least 2.
    rc, log, dummy, dummy, calls = run_handler(tmp_path, ssh_rc, said, policy='freeze', timeout=3)
    assert rc == (exit_code if exit_code in (4, 6) else 1)
    assert log.split(None, 5)[2] == result
    if result == 'unreachable':
        assert len(calls) >= 2, calls   # tried again until the deadline, not once
        assert 'writes stay suspended (hapair_fencing_policy=freeze)' in log
    else:
        assert len(calls) == 1


def test_continue_reports_an_unreachable_peer_at_once(tmp_path):
    rc, log, dummy, dummy, calls = run_handler(tmp_path, 255, 'ssh: connect to host 192.0.2.12 port 22: '
                                                              'Connection timed out', timeout=1)
    assert (rc, len(calls)) == (5, 1)
    assert 'suspended' not in log


def test_check_runs_the_harmless_verb_and_records_nothing(tmp_path):
    rc, log, syslog, out, calls = run_handler(tmp_path, 0, 'node2 would outdate r0 here (now Secondary, UpToDate)',
                                              args=['--check'])
    assert rc == 0
    assert calls and calls[0].endswith('root@192.0.2.12 check r0'), calls
    assert '-o ConnectTimeout=10 ' in calls[0], calls   # hapair_fencing_connect_timeout
    assert out.startswith('fencing path to 192.0.2.12 works')
    assert (log, syslog) == ('', '')


@pytest.mark.parametrize('ssh_rc, said, words', [
    (255, 'root@192.0.2.12: Permission denied (publickey).',
     'is BROKEN (broken, ssh rc 255): root@192.0.2.12: Permission denied'),
    (255, 'ssh: connect to host 192.0.2.12 port 22: Connection timed out',
     'the peer does not answer over the service network'),
    (2, "hapair: only 'outdate RESOURCE' is allowed", 'is BROKEN (broken, ssh rc 2)'),
], ids=['key-refused', 'timeout', 'old-forced-command'])
def test_check_says_what_is_wrong(tmp_path, ssh_rc, said, words):
    rc, log, dummy, out, dummy = run_handler(tmp_path, ssh_rc, said, args=['--check'])
    assert rc == 1 and words in out, out
    assert log == ''


def test_freeze_on_a_secondary_being_promoted_answers_as_continue(tmp_path):
    """DRBD calls the handler when a Secondary is promoted with its peer unknown (promote.yml after
    the Primary died): no writes wait there, and the operator has confirmed the peer is gone."""
    rc, log, dummy, dummy, calls = run_handler(tmp_path, 255, 'ssh: connect to host 192.0.2.12 port 22: '
                                                              'No route to host', policy='freeze', timeout=5,
                                               role='Secondary/Unknown')
    assert (rc, len(calls)) == (5, 1)
    assert 'suspended' not in log


@pytest.mark.parametrize('tail', [b'\x00' * 57, b'1796610800 r0 outd'], ids=['nul-bytes', 'cut-mid-line'])
def test_a_record_after_a_crash_starts_a_line_of_its_own(tmp_path, tail):
    """A node killed soon after a record can show the log's unwritten end as NUL bytes, or end
    mid-line (seen on the lab: the next record then followed the NULs on the same line)."""
    earlier = b'1796610739 r0 unreachable 192.0.2.12 255 ssh: connect to host 192.0.2.12 port 22: Connection timed out\n'
    rc, log, dummy, dummy, dummy = run_handler(tmp_path, 255, 'root@192.0.2.12: Permission denied (publickey).',
                                               seed=earlier + tail)
    lines = log.split('\n')
    assert lines[:2] == [earlier.decode().rstrip('\n'), tail.decode()] and lines[-1] == ''
    assert lines[2].split()[1:4] == ['r0', 'broken', '192.0.2.12'], lines


def test_a_log_that_ends_its_line_gets_no_blank_line(tmp_path):
    earlier = b'1796610739 r0 unreachable 192.0.2.12 255 ssh: connect to host 192.0.2.12 port 22: Connection timed out\n'
    rc, log, dummy, dummy, dummy = run_handler(tmp_path, 255, 'Permission denied (publickey).', seed=earlier)
    assert log.count('\n') == 2 and '\n\n' not in log
