# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loss accounting per writer (tests/lab/hapair_lab/ledger.py), against logs the old count by
number could not see a loss in."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'lab'))

from hapair_lab import ledger  # noqa: E402

A, B = 'node1-1000', 'node2-2000'


def record(seq, host, writer, wseq):
    return '%d %s %d.000 %s %d\n' % (seq, host, 1000 + seq, writer, wseq)


def by_number_missing(text, upto):
    """The old check (checks.records_missing): which numbers 1..upto are absent."""
    seen = set(int(line.split()[0]) for line in text.splitlines() if line.split() and line.split()[0].isdigit())
    return [n for n in range(1, upto + 1) if n not in seen]


def test_a_renumbered_tail_is_a_loss():
    """node1 acknowledged 1..100; the new Primary's copy ends at 85 and its writer carries on
    from 86 under its own name: by number nothing is missing, by writer 15 records are."""
    text = ''.join(record(n, 'node1', A, n) for n in range(1, 86))
    text += ''.join(record(85 + n, 'node2', B, n) for n in range(1, 31))
    assert by_number_missing(text, 100) == []
    missing = ledger.lost(text, {A: 100, B: 30})
    assert missing == {A: list(range(86, 101))}
    assert ledger.count(missing) == 15


def test_interleaved_writers_each_accounted():
    text = ''
    for n in range(1, 21):
        text += record(2 * n - 1, 'node1', A, n) + record(2 * n, 'node2', B, n)
    assert ledger.lost(text, {A: 20, B: 20}) == {}
    assert ledger.lost(text, {A: 20, B: 21}) == {B: [21]}


def test_a_line_cut_off_by_a_crash_is_not_a_record():
    text = ''.join(record(n, 'node1', A, n) for n in range(1, 11)) + '11 node1 1011.0 node1-10'
    assert ledger.parse(text)[A] == set(range(1, 11))
    # acknowledged 11 means its fsync returned: a half line is a loss
    assert ledger.lost(text, {A: 11}) == {A: [11]}
    # the old check did not even need the 11th to be whole
    assert by_number_missing(text, 11) == []


def test_a_record_of_another_writer_with_the_same_number_does_not_count():
    text = record(1, 'node1', A, 1) + record(2, 'node2', B, 2)
    assert ledger.lost(text, {A: 2}) == {A: [2]}


def test_nothing_acknowledged_nothing_lost():
    assert ledger.lost('', {}) == {}
    assert ledger.lost('', {A: 0}) == {}


def test_the_control_removes_the_last_acknowledged_records_exactly():
    """The writer wrote 41 records, the client saw 40 acknowledged: removing the last 15 of the
    log would count 14; removing 26..40 counts 15 (seen on the lab before this was fixed)."""
    text = ''
    for n in range(1, 42):
        text += record(2 * n - 1, 'node1', A, n) + record(2 * n, 'node2', B, n)
    cut = ledger.drop_records(text, A, 26, 40)
    assert ledger.lost(cut, {A: 40, B: 41}) == {A: list(range(26, 41))}
