# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One node's report, read in one call: what pair_report and cluster_verdict judge.

``read_report()`` is what the module node_report returns to the status role (one module run per
node instead of three) and what the node command ``hapair status`` shows: the resource's DRBD
state with the fencing record (as drbd_info), whether the mirror is mounted on the mount point,
which application units run, whether the service IP is on this node.

``peer_as_seen()`` turns this node's view of its connected peer (role, disk, replication) into a
report of the peer marked ``observed``: its DRBD state only, its mount, units and service IP not
known. The node command judges the pair from that when it cannot ask the peer itself.

PRIVATE to the hapair.cluster collection. Python 2.7 and 3.6 compatible (EL7 nodes).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import node_state
from ansible_collections.hapair.cluster.plugins.module_utils.handover import NodeFiles, unit_states
from ansible_collections.hapair.cluster.plugins.module_utils.service_ip import parse_ip_addr

# a replication state as the peer names it
MIRRORED = {
    'SyncSource': 'SyncTarget', 'SyncTarget': 'SyncSource',
    'PausedSyncS': 'PausedSyncT', 'PausedSyncT': 'PausedSyncS',
    'StartingSyncS': 'StartingSyncT', 'StartingSyncT': 'StartingSyncS',
    'WFBitMapS': 'WFBitMapT', 'WFBitMapT': 'WFBitMapS',
    'WFSyncUUID': 'WFSyncUUID', 'Ahead': 'Behind', 'Behind': 'Ahead',
    'VerifyS': 'VerifyT', 'VerifyT': 'VerifyS',
}


def read_report(run, resource, mount_point, services, service_ip, files=NodeFiles):
    """This node's report: {reachable, resource (drbd_info's state, None when not up), split_brain,
    mounted, services_running, service_ip}."""
    res = node_state(run, resource, proc_mounts=files.mounts(), with_fencing=True,
                     loaded=files.drbd_loaded())['resources'].get(resource)
    units = unit_states(run, list(services or []))
    addresses = []
    if service_ip:
        dummy, out, dummy = run(['ip', '-o', '-4', 'addr', 'show'])
        addresses = ['%s/%s' % (a['address'], a['prefix']) for a in parse_ip_addr(out)]
    return dict(
        reachable=True,
        resource=res or None,
        split_brain=bool(res and res.get('split_brain')),
        mounted=bool(res) and mount_point in (res.get('mounted_at') or []),
        services_running=[unit for unit in services or [] if units.get(unit) == 'active'],
        service_ip=bool(service_ip) and service_ip in addresses,
    )


def _swapped(entry):
    entry = dict(entry)
    entry['disk_state'], entry['peer_disk_state'] = entry.get('peer_disk_state'), entry.get('disk_state')
    if entry.get('replication_state') in MIRRORED:
        entry['replication_state'] = MIRRORED[entry['replication_state']]
    return entry


def peer_as_seen(report, node):
    """The peer's report as DRBD on ``node`` sees it, or None when DRBD is not connected to it
    (then nothing current is known about the peer)."""
    res = (report or {}).get('resource') or {}
    if res.get('connection_state') != 'Connected':
        return None
    seen = _swapped(res)
    seen.update(role=res.get('peer_role'), peer_role=res.get('role'), peer_name=node, suspended=False,
                volumes=[_swapped(vol) for vol in res.get('volumes') or []], mounted_at=[], split_brain=False,
                fencing=None, standalone=None)
    return dict(reachable=True, observed=True, resource=seen, split_brain=False, mounted=False,
                services_running=[], service_ip=False)
