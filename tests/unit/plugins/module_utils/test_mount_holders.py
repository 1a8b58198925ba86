# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who holds the mirror's filesystem: fuser's rows, each process's systemd unit, and the refusal
a demotion gives before it stops anything when a holder is outside the units it stops."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.mount_holders import (
    describe,
    foreign,
    fuser_rows,
    refusal,
    unit_of,
)

# fuser -vm /srv/hapair on the lab's node1 (Debian 12, psmisc 23.6, LC_ALL=C; stdout and stderr
# captured apart): the kernel's mount entry, the demo application, and a shell over SSH whose
# working directory is under the mount point, with the sleep it started
FUSER_OUT = 'kernel  1607  1714  1716  1718'
FUSER_ERR = ('                     USER        PID ACCESS COMMAND\n'
             '/srv/hapair:         root      mount /srv/hapair\n'
             '                     root      F.... python3\n'
             '                     root      ..c.. bash\n'
             '                     root      ..c.. sh\n'
             '                     root      ..c.. sleep\n')

CGROUP_V2_SERVICE = '0::/system.slice/hapair-demo.service\n'
CGROUP_V2_SESSION = '0::/user.slice/user-0.slice/session-3.scope\n'
CGROUP_V1 = ('12:pids:/system.slice/greenarrow.service\n'
             '1:name=systemd:/system.slice/greenarrow.service\n')
CGROUP_V1_USER = '1:name=systemd:/user.slice/user-1000.slice/user@1000.service/app.slice/vim-1.scope\n'


def test_fuser_rows_pair_each_pid_with_its_row():
    rows = fuser_rows(FUSER_OUT, FUSER_ERR)
    assert [(r['pid'], r['user'], r['access'], r['command'], r['kernel']) for r in rows] == [
        (None, 'root', 'mount', '/srv/hapair', True), ('1607', 'root', 'F....', 'python3', False),
        ('1714', 'root', '..c..', 'bash', False), ('1716', 'root', '..c..', 'sh', False),
        ('1718', 'root', '..c..', 'sleep', False)]


@pytest.mark.parametrize('text, unit', [
    (CGROUP_V2_SERVICE, 'hapair-demo.service'),
    (CGROUP_V2_SESSION, 'session-3.scope'),
    (CGROUP_V1, 'greenarrow.service'),
    (CGROUP_V1_USER, 'vim-1.scope'),
    ('0::/\n', None),            # in no unit (the root cgroup)
    ('', None),
    (None, None),                # the process ended before it was read
])
def test_unit_of(text, unit):
    assert unit_of(text) == unit


# /proc/PID/cgroup of those processes, read at the same time (the lab's SSH logins get no session scope)
UNITS = {'1607': 'hapair-demo.service', '1714': 'ssh.service', '1716': 'ssh.service', '1718': 'ssh.service'}


def holders():
    rows = [r for r in fuser_rows(FUSER_OUT, FUSER_ERR) if not r['kernel']]
    for row in rows:
        row['unit'] = UNITS[row['pid']]
    return rows


def test_a_shell_under_the_mount_point_is_foreign_the_application_is_not():
    outside = foreign(holders(), ['hapair-demo.service', 'hapair-backup@r0.service'])
    assert [describe(h) for h in outside] == ['bash (pid 1714, user root, in ssh.service)',
                                              'sh (pid 1716, user root, in ssh.service)',
                                              'sleep (pid 1718, user root, in ssh.service)']
    said = refusal('node1', '/srv/hapair', outside[2:], ['hapair-demo.service', 'hapair-backup@r0.service'])
    assert said == ('/srv/hapair on node1 is in use by sleep (pid 1718, user root, in ssh.service), which a '
                    'switchover does not stop (it stops hapair-demo.service, hapair-backup@r0.service). Nothing '
                    'was stopped: end those processes (or add their unit to hapair_services), then run the '
                    'playbook again')


def test_only_stopped_units_no_refusal():
    only_app = [h for h in holders() if h['unit'] == 'hapair-demo.service']
    assert foreign(only_app, ['hapair-demo.service']) == []
    assert refusal('node1', '/srv/hapair', [], ['hapair-demo.service']) is None


def test_a_process_in_no_known_unit_is_foreign():
    """Better refuse than stop the application and fail at the unmount."""
    unknown = [dict(pid='5', user='root', command='sleep', unit=None, kernel=False)]
    assert foreign(unknown, ['hapair-demo.service']) == unknown
    assert describe(unknown[0]) == 'sleep (pid 5, user root)'
    assert 'it stops no unit' in refusal('node1', '/srv/hapair', unknown, [])
