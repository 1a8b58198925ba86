# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.filter.fuser_holders import FilterModule

fuser_holders = FilterModule().filters()['fuser_holders']

# fuser -vm /srv/hapair on a lab node (session 4): PIDs on stdout, the table on stderr
BUSY = {
    'stdout': 'kernel   418   706   707',
    'stderr': ('                     USER        PID ACCESS COMMAND\n'
               '/srv/hapair:         root      mount /srv/hapair\n'
               '                     root      F.... python3\n'
               '                     root      ..c.. bash\n'
               '                     root      ..c.. sleep\n'),
}


def test_processes_are_named_and_the_mount_itself_is_not():
    assert fuser_holders(BUSY) == ['python3 (pid 418, user root)', 'bash (pid 706, user root)',
                                   'sleep (pid 707, user root)']


def test_nothing_holds_it():
    mount_only = '\n'.join(BUSY['stderr'].splitlines()[:2])
    assert fuser_holders({'stdout': 'kernel', 'stderr': mount_only}) == []
    assert fuser_holders({'rc': 1, 'stdout': '', 'stderr': ''}) == []
    assert fuser_holders(None) == []
