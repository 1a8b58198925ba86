# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One node's report in one call (module_utils/node_report.py), and the peer as DRBD sees it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_handover import Node  # noqa: E402 (the stand-in node, shared)

from ansible_collections.hapair.cluster.plugins.module_utils.node_report import peer_as_seen, read_report  # noqa: E402
from ansible_collections.hapair.cluster.plugins.module_utils.pair_report import summarise  # noqa: E402


def report_of(node, services=('hapair-demo.service',), service_ip='172.30.0.10/24'):
    return read_report(node.run, 'r0', '/srv/hapair', list(services), service_ip, files=node)


def test_the_report_of_a_healthy_primary():
    report = report_of(Node())
    assert (report['reachable'], report['mounted'], report['services_running'], report['service_ip'],
            report['split_brain']) == (True, True, ['hapair-demo.service'], True, False)
    res = report['resource']
    assert (res['role'], res['connection_state'], res['disk_state'], res['mounted_at']) == (
        'Primary', 'Connected', 'UpToDate', ['/srv/hapair'])
    assert res['fencing'] == {'last_attempt': None, 'outdated_by_peer': None, 'lost_primary_at': None}


def test_the_service_ip_counts_only_with_its_prefix_and_only_when_set():
    assert report_of(Node(), service_ip='172.30.0.10/16')['service_ip'] is False
    assert report_of(Node(), service_ip='')['service_ip'] is False


def test_a_resource_that_is_not_up_has_no_state():
    node = Node()
    node.fail['drbdsetup events2 --now --statistics r0'] = (10, 'r0: No such resource')
    node.fail['drbdadm status r0'] = (10, 'r0: No such resource')
    report = report_of(node)
    assert report['resource'] is None and report['mounted'] is False


def test_the_peer_as_seen_mirrors_roles_disks_and_replication():
    node = Node()
    seen = peer_as_seen(report_of(node), 'node2')
    assert seen['observed'] is True
    assert (seen['resource']['role'], seen['resource']['peer_role']) == ('Secondary', 'Primary')
    node.disk = 'UpToDate'
    syncing = report_of(node)
    syncing['resource'] = dict(syncing['resource'], replication_state='SyncSource', peer_disk_state='Inconsistent',
                               volumes=[dict(syncing['resource']['volumes'][0], replication_state='SyncSource',
                                             peer_disk_state='Inconsistent')])
    seen = peer_as_seen(syncing, 'node2')['resource']
    assert (seen['replication_state'], seen['disk_state'], seen['peer_disk_state']) == (
        'SyncTarget', 'Inconsistent', 'UpToDate')
    assert seen['volumes'][0]['replication_state'] == 'SyncTarget'


def test_nothing_is_seen_of_a_peer_drbd_is_not_connected_to():
    assert peer_as_seen(report_of(Node(connection='StandAlone')), 'node2') is None
    assert peer_as_seen({'resource': None}, 'node2') is None


def test_an_observed_primary_is_not_blamed_for_a_mount_nobody_could_see():
    node = Node(role='Secondary', peer_role='Primary', mounted=False, running=(), ip=False)
    report = report_of(node)
    summary = summarise({'node2': report, 'node1': peer_as_seen(report, 'node2')})
    assert summary['verdict'] == 'healthy', summary['reasons']
    assert summary['table'][1].split() == ['node1', 'Primary', 'Connected', 'UpToDate/UpToDate', '-', '?', '?', '?']
    # control: the same Primary reported by itself without its mount is degraded
    unobserved = dict(peer_as_seen(report, 'node2'), observed=False)
    summary = summarise({'node2': report, 'node1': unobserved})
    assert summary['reasons'] == ['the filesystem is not mounted on Primary node1, so services cannot use it']
