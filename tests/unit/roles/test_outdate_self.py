# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fencing key's forced command (roles/mirror/files/outdate-self), run for real with a fake
drbdadm: 'check' proves the path and changes nothing, whatever state the resource is in."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
import subprocess

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'mirror',
                      'files', 'outdate-self')


def run(tmp_path, command, drbdadm_body):
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    fake = bindir / 'drbdadm'
    fake.write_text('#!/bin/sh\necho "drbdadm $*" >> "%s"\n%s' % (tmp_path / 'calls', drbdadm_body))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH='%s:%s' % (bindir, os.environ['PATH']), SSH_ORIGINAL_COMMAND=command,
               SSH_CLIENT='192.0.2.11 40000 22')
    proc = subprocess.run(['/bin/sh', SCRIPT], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    calls = (tmp_path / 'calls').read_text().splitlines() if (tmp_path / 'calls').exists() else []
    return proc.returncode, proc.stdout, proc.stderr, calls


@pytest.mark.parametrize('body, words', [
    ('case "$1" in role) echo Secondary/Primary;; dstate) echo UpToDate/UpToDate;; esac\n',
     'would outdate r0 here (now Secondary/Primary, UpToDate/UpToDate)'),
    # a node rebuilt on a blank disk: the resource is not up, the path still works
    ('echo "open(/dev/hapair/mirror) failed" >&2; exit 20\n', 'would outdate r0 here (now -, not up here yet)'),
], ids=['resource-up', 'resource-not-up'])
def test_check_proves_the_path_and_changes_nothing(tmp_path, body, words):
    rc, out, err, calls = run(tmp_path, 'check r0', body)
    assert rc == 0 and words in out, (out, err)
    assert not any(' outdate ' in c + ' ' for c in calls), calls


@pytest.mark.parametrize('command', ['rm -rf /', 'outdate', 'check r0 extra', 'outdate r0;reboot', 'check ../r0'])
def test_anything_else_is_refused_before_drbdadm_runs(tmp_path, command):
    rc, out, err, calls = run(tmp_path, command, 'exit 0\n')
    assert rc == 2 and 'hapair: ' in err
    assert calls == []
