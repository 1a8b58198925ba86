# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fencing logs read back after a crash: NUL bytes where the file's end was not written."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils.fencing import parse_last, parse_outdated_by_peer

EARLIER = '1796610739 r0 unreachable 172.30.0.12 255 ssh: connect to host 172.30.0.12 port 22: Connection timed out\n'
# the lab's node1 after a crash (ci7, session 16): the fenced record lost to NULs, the next one behind them
AFTER_CRASH = EARLIER + '\x00' * 38 + '1796611064 r0 broken 172.30.0.12 255 root@172.30.0.12: Permission denied (publickey).\n'


def test_the_record_behind_nul_bytes_is_read():
    last = parse_last(AFTER_CRASH, 'r0')
    assert (last['at'], last['result'], last['peer'], last['detail']) == (
        1796611064, 'broken', '172.30.0.12', 'root@172.30.0.12: Permission denied (publickey).')
    # control: the line before it is what a reader that skips the NUL line would have said
    assert parse_last(EARLIER, 'r0')['result'] == 'unreachable'


def test_nul_bytes_alone_are_no_record():
    assert parse_last(EARLIER + '\x00' * 40, 'r0')['result'] == 'unreachable'
    assert parse_last('\x00' * 40) is None


def test_outdated_by_peer_behind_nul_bytes():
    text = '1796610700 r0 172.30.0.11\n' + '\x00' * 25 + '1796611100 r0 172.30.0.11\n'
    assert parse_outdated_by_peer(text, 'r0') == {'at': 1796611100, 'resource': 'r0', 'peer': '172.30.0.11'}
