# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pair's status for people (a table) and for monitoring (JSON, Prometheus text).

PRIVATE to the hapair.cluster collection. Pure functions over the per-node
reports that playbooks/status.yml collects (the input of cluster_verdict).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils.cluster_verdict import verdict

COLUMNS = ('node', 'role', 'connection', 'disk/peer', 'sync', 'mounted', 'services', 'service IP')


def _row(name, report):
    if not report or not report.get('reachable', True):
        return (name, 'UNREACHABLE', '-', '-', '-', '-', '-', '-')
    res = report.get('resource')
    if not res:
        return (name, 'DRBD down', '-', '-', '-', 'yes' if report.get('mounted') else 'no',
                ','.join(report.get('services_running') or []) or '-', 'yes' if report.get('service_ip') else 'no')
    sync = '-'
    if res.get('sync_percent') is not None:
        sync = '%.1f%%' % res['sync_percent']
        if res.get('eta_seconds') is not None:
            sync += ' (%ds left)' % res['eta_seconds']
    elif res.get('replication_state') not in ('Established', 'Off', None):
        sync = res['replication_state']
    connection = res.get('connection_state') or '?'
    if report.get('split_brain'):
        connection += ' SPLIT-BRAIN'
    cells = (name, res.get('role') or '?', connection, '%s/%s' % (res.get('disk_state'), res.get('peer_disk_state')), sync)
    if report.get('observed'):
        return cells + ('?', '?', '?')
    return cells + ('yes' if report.get('mounted') else 'no', ','.join(report.get('services_running') or []) or '-',
                    'yes' if report.get('service_ip') else 'no')


def table(reports):
    """Aligned text lines, one per node, header first."""
    rows = [COLUMNS] + [_row(name, reports.get(name)) for name in sorted(reports)]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(COLUMNS))]
    return ['  '.join(str(cell).ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]


def node_states(reports):
    """The input of cluster_verdict from {node: report}: a node without a report is unreachable."""
    return dict((name, dict(report or {}, reachable=bool(report) and bool(report.get('reachable', True))))
                for name, report in reports.items())


def summarise(reports):
    """verdict + reasons + table for the given {node: report}; unreachable nodes are None."""
    result = verdict(node_states(reports))
    headline = result['verdict']
    if headline == 'degraded' and result['reasons']:
        headline = 'degraded: %s' % '; '.join(result['reasons'])
    result['headline'] = headline
    result['table'] = table(reports)
    return result
