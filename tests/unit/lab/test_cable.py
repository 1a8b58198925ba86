# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's cable keeper: reading /proc/net/udp and deciding that QEMU stopped reading a socket."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'lab'))

cable = pytest.importorskip('hapair_lab.cable')

PROC_NET_UDP = """\
   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  102: 0100007F:BAAE 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81721 2 0000000000000000 0
  407: 0100007F:D36E 00000000:0000 07 00000000:00033FC0 00:00000000 00000000     0        0 81731 2 0000000000000000 1207
  511: 00000000:0044 00000000:0000 07 00000000:00000100 00:00000000 00000000     0        0 1234 2 0000000000000000 0
"""


def test_rx_queues_of_loopback_sockets_are_read_by_port():
    assert cable.parse_proc_net_udp(PROC_NET_UDP) == {0xBAAE: 0, 0xD36E: 0x33FC0}


def test_sockets_not_bound_to_loopback_are_ignored():
    assert 0x44 not in cable.parse_proc_net_udp(PROC_NET_UDP)


def test_an_empty_queue_is_never_a_stall():
    det = cable.StallDetector(seconds=8)
    assert not any(det.feed(t, 0) for t in range(30))


def test_a_queue_that_holds_data_and_never_shrinks_is_a_stall_after_the_window():
    det = cable.StallDetector(seconds=8)
    seen = [det.feed(t, 2496 * (1 + t)) for t in range(12)]
    assert seen.index(True) == 8


def test_a_queue_that_stays_full_without_shrinking_is_a_stall():
    det = cable.StallDetector(seconds=8)
    assert [det.feed(t, 212992) for t in range(10)][-1]


def test_a_queue_that_shrinks_now_and_then_has_a_reader():
    det = cable.StallDetector(seconds=8)
    readings = [4000, 9000, 12000, 3000, 8000, 15000, 20000, 1000, 6000, 9000, 14000, 2000] * 3
    assert not any(det.feed(t, q) for t, q in enumerate(readings))


def test_reset_starts_the_window_again():
    det = cable.StallDetector(seconds=8)
    for t in range(7):
        det.feed(t, 5000)
    det.reset()
    assert not det.feed(7, 5000)
    assert not det.feed(14, 5000)
    assert det.feed(15, 5000)


def test_rings_that_move_are_never_quiet():
    det = cable.QuietDetector(seconds=15)
    assert not any(det.feed(t, (t, t * 2)) for t in range(60))


def test_rings_standing_still_are_quiet_once_per_spell():
    det = cable.QuietDetector(seconds=15)
    fired = [t for t in range(60) if det.feed(t, (7, 9))]
    assert fired == [15]


def test_a_moving_ring_starts_a_new_quiet_spell():
    det = cable.QuietDetector(seconds=15)
    fired = [t for t in range(60) if det.feed(t, (7, 9) if t < 20 else (8, 9))]
    assert fired == [15, 35]


def test_reset_forgets_the_spell():
    det = cable.QuietDetector(seconds=15)
    for t in range(14):
        det.feed(t, (1, 1))
    det.reset()
    assert not det.feed(14, (1, 1)) and not det.feed(20, (1, 1)) and det.feed(29, (1, 1))
