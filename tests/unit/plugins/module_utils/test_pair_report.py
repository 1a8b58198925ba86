# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests for plugins/module_utils/pair_report.py: table, summarise and Prometheus text.

The per-node reports are shaped like the hapair_report fact of
roles/status/tasks/report.yml, with resource states parsed from the DRBD
fixtures.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os
import re

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    parse_events2,
    parse_status_json,
    parse_status_text,
)
from ansible_collections.hapair.cluster.plugins.module_utils.pair_report import (
    COLUMNS,
    summarise,
    table,
)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
PARSERS = {'events2_': parse_events2, 'status_json_': parse_status_json, 'status_text_': parse_status_text}
SERVICES = ['greenarrow', 'postgresql']
PRIMARY_9 = 'events2_9_connected_primary.txt'
SECONDARY_9 = 'events2_9_connected_secondary.txt'


def resource(fixture):
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as handle:
        text = handle.read()
    parser = [parser for prefix, parser in PARSERS.items() if fixture.startswith(prefix)][0]
    return list(parser(text).values())[0]


def report(fixture=None, split_brain=False, mounted=False, services=(), service_ip=False, reachable=True):
    return {
        'reachable': reachable,
        'resource': resource(fixture) if fixture else None,
        'split_brain': split_brain,
        'mounted': mounted,
        'services_running': list(services),
        'service_ip': service_ip,
    }


def healthy():
    return {'node1': report(PRIMARY_9, mounted=True, services=SERVICES, service_ip=True),
            'node2': report(SECONDARY_9)}


def cells(line):
    return re.split(r'\s{2,}', line)


# ---------------------------------------------------------------------------
# table

def test_table_healthy_exact():
    assert table(healthy()) == [
        'node   role       connection  disk/peer          sync  mounted  services               service IP',
        'node1  Primary    Connected   UpToDate/UpToDate  -     yes      greenarrow,postgresql  yes',
        'node2  Secondary  Connected   UpToDate/UpToDate  -     no       -                      no',
    ]


ROWS = [
    (report(PRIMARY_9, mounted=True, services=SERVICES, service_ip=True),
     ['Primary', 'Connected', 'UpToDate/UpToDate', '-', 'yes', 'greenarrow,postgresql', 'yes']),
    (None, ['UNREACHABLE', '-', '-', '-', '-', '-', '-']),
    ({}, ['UNREACHABLE', '-', '-', '-', '-', '-', '-']),
    (report(PRIMARY_9, reachable=False, mounted=True), ['UNREACHABLE', '-', '-', '-', '-', '-', '-']),
    (report(), ['DRBD down', '-', '-', '-', 'no', '-', 'no']),
    (report(mounted=True, services=['greenarrow'], service_ip=True),
     ['DRBD down', '-', '-', '-', 'yes', 'greenarrow', 'yes']),
    (report('events2_9_syncsource_two_volumes.txt', mounted=True),
     ['Primary', 'Connected', 'UpToDate/Inconsistent', '12.3% (42s left)', 'yes', '-', 'no']),
    (report('events2_9_synctarget.txt'),
     ['Secondary', 'Connected', 'Inconsistent/UpToDate', '87.5%', 'no', '-', 'no']),
    (report('events2_84_syncsource.txt', mounted=True),   # no percentage known: the state instead
     ['Primary', 'Connected', 'UpToDate/Inconsistent', 'SyncSource', 'yes', '-', 'no']),
    (report('events2_84_standalone.txt', split_brain=True),
     ['Secondary', 'StandAlone SPLIT-BRAIN', 'Outdated/DUnknown', '-', 'no', '-', 'no']),
    (report('events2_84_wfconnection.txt', mounted=True, service_ip=True),
     ['Primary', 'Connecting', 'UpToDate/DUnknown', '-', 'yes', '-', 'yes']),
    ({'resource': {'name': 'r0'}}, ['?', '?', 'None/None', '-', 'no', '-', 'no']),
]


@pytest.mark.parametrize('node_report, expected', ROWS, ids=[
    'primary', 'unreachable-none', 'unreachable-empty', 'unreachable-flag', 'drbd-down', 'drbd-down-mounted',
    'resync-eta', 'resync-percent', 'resync-state-only', 'standalone-split-brain', 'connecting', 'bare-resource',
])
def test_table_rows(node_report, expected):
    lines = table({'node1': report(PRIMARY_9), 'nodeB': node_report})
    assert len(lines) == 3
    assert cells(lines[2]) == ['nodeB'] + expected


def test_table_columns_are_aligned():
    reports = {'node2': None, 'node1': report('events2_9_syncsource_two_volumes.txt', mounted=True, split_brain=True),
               'a-much-longer-node-name': report()}
    lines = table(reports)
    assert cells(lines[0]) == list(COLUMNS)
    assert [cells(line)[0] for line in lines[1:]] == ['a-much-longer-node-name', 'node1', 'node2']
    starts = [lines[0].index(column) for column in COLUMNS]
    for line in lines:
        assert line == line.rstrip()
        for start, cell in zip(starts, cells(line)):
            assert line[start:start + len(cell)] == cell, (line, cell)
            assert start == 0 or line[start - 2:start] == '  '


def test_table_of_no_reports_is_the_header():
    assert table({}) == ['  '.join(COLUMNS)]


# ---------------------------------------------------------------------------
# summarise

@pytest.mark.parametrize('reports, expected_verdict, primary, secondary, headline', [
    (healthy(), 'healthy', 'node1', 'node2', ['healthy']),
    ({'node1': report('events2_84_lab_syncsource_node1.txt', mounted=True),
      'node2': report('events2_84_lab_synctarget_node2.txt')},
     'degraded', 'node1', 'node2',
     ['degraded: resync running: SyncSource, 0.86% done', '; disk on node2 is Inconsistent']),
    ({'node1': report(PRIMARY_9, mounted=True), 'node2': None},
     'degraded', 'node1', None, ['degraded: node2 is unreachable: its DRBD, mount and service state are unknown']),
    ({'node1': report(PRIMARY_9, mounted=True), 'node2': report(SECONDARY_9, reachable=False)},
     'degraded', 'node1', None, ['degraded: node2 is unreachable']),
    ({'node1': report(PRIMARY_9, mounted=True), 'node2': report()},
     'degraded', 'node1', None, ['degraded: DRBD is not up on node2']),
    ({'node1': report('status_text_9_connected_secondary.txt'), 'node2': report('events2_84_connected_secondary.txt')},
     'no-primary', None, None, ['no-primary']),
    ({'node1': report(), 'node2': report()}, 'no-primary', None, None, ['no-primary']),
    ({'node1': report('status_json_9_split.json', split_brain=True, mounted=True),
      'node2': report('events2_84_standalone.txt')},
     'split-brain', 'node1', None, ['split-brain']),
    ({'node1': None, 'node2': None}, 'unknown', None, None, ['unknown']),
], ids=['healthy', 'degraded-resync', 'degraded-unreachable', 'degraded-reachable-false', 'degraded-drbd-down',
        'no-primary', 'no-primary-drbd-down', 'split-brain', 'unknown'])
def test_summarise(reports, expected_verdict, primary, secondary, headline):
    result = summarise(reports)
    assert (result['verdict'], result['primary'], result['secondary']) == (expected_verdict, primary, secondary)
    assert result['headline'].startswith(headline[0])
    for text in headline[1:]:
        assert text in result['headline']
    if expected_verdict == 'degraded':
        assert result['headline'] == 'degraded: ' + '; '.join(result['reasons'])
    else:
        assert result['headline'] == expected_verdict
    assert result['table'] == table(reports)


def test_summarise_does_not_modify_the_reports():
    reports = {'node1': report(PRIMARY_9, mounted=True), 'node2': None}
    summarise(reports)
    assert reports == {'node1': report(PRIMARY_9, mounted=True), 'node2': None}
