# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Judge a two-node DRBD pair from both nodes' states.

PRIVATE to the hapair.cluster collection. Pure functions, Python 2.7 and
3.6 compatible. Input of both functions, one entry per node:

    {node_name: {"resource": <drbd_info's resource state, or None if DRBD is down; its
                              "fencing.last_attempt" is this node's last fencing attempt>,
                 "split_brain": bool,        # kernel log / split-brain handler marker
                 "mounted": bool,            # the DRBD filesystem is mounted there
                 "services_running": [...],  # application services running there
                 "service_ip": bool,         # the floating service IP is on this node
                 "reachable": bool}}         # the controller could query the node

What a node could not report (reachable false) is ignored, never trusted.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    SYNC_STATES,
    describe_sync,
)
from ansible_collections.hapair.cluster.plugins.module_utils.fencing import not_fenced_reason
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import peer


VERDICTS = ('healthy', 'degraded', 'split-brain', 'no-primary', 'two-primaries', 'unknown')


def _add(reasons, reason):
    if reason not in reasons:
        reasons.append(reason)


def _node(states, name):
    """One node's entry with defaults; resource is None when unreachable."""
    entry = states.get(name)
    if not isinstance(entry, dict):
        entry = {}
    reachable = bool(entry.get('reachable', True))
    resource = entry.get('resource') if reachable else None
    return {
        'name': name,
        'reachable': reachable,
        'resource': resource if isinstance(resource, dict) else None,
        'split_brain': reachable and bool(entry.get('split_brain')),
        'mounted': reachable and bool(entry.get('mounted')),
        'services': list(entry.get('services_running') or []) if reachable else [],
        'service_ip': reachable and bool(entry.get('service_ip')),
        'fencing': _last_attempt(resource) if reachable else None,
        'standalone': _standalone(resource) if reachable else None,
        # seen only through the other node's DRBD (node_report.peer_as_seen): mount, units, IP unknown
        'observed': reachable and bool(entry.get('observed')),
    }


def _standalone(resource):
    """drbd_info's ``standalone`` (why the resource gave up on its peer), or None."""
    cause = resource.get('standalone') if isinstance(resource, dict) else None
    return cause if isinstance(cause, dict) and cause.get('cause') else None


def _last_attempt(resource):
    fencing = resource.get('fencing') if isinstance(resource, dict) else None
    return fencing.get('last_attempt') if isinstance(fencing, dict) else None


def _role(node):
    return (node['resource'] or {}).get('role')


def _volumes(res):
    return res.get('volumes') or [res]


def _where(res, vol):
    if len(res.get('volumes') or []) > 1:
        return ' (volume %s)' % vol.get('volume')
    return ''


def _result(verdict, reasons, primary=None, secondary=None):
    return {'verdict': verdict, 'reasons': reasons, 'primary': primary, 'secondary': secondary}


def _pair(states):
    """Two node views sorted by name, or None when the input is not a pair."""
    if not isinstance(states, dict) or len(states) != 2:
        return None
    return [_node(states, name) for name in sorted(states)]


def verdict(states):
    """Classify the pair: healthy, degraded, split-brain, no-primary, two-primaries or unknown.

    Returns {"verdict", "reasons" (human readable, each naming what is
    wrong), "primary" (node or None), "secondary" (node or None)}.
    """
    pair = _pair(states)
    if pair is None:
        count = len(states) if isinstance(states, dict) else 0
        return _result('unknown', ['expected the state of exactly two nodes, got %d' % count])
    reachable = [node for node in pair if node['reachable']]
    if not reachable:
        return _result('unknown', ['neither %s nor %s could be reached, so nothing is known '
                                   'about the pair' % (pair[0]['name'], pair[1]['name'])])

    primaries = [node for node in reachable if _role(node) == 'Primary']
    if len(primaries) == 2:
        return _two_primaries(pair)

    split = _split_brain_reasons(pair)
    if split:
        primary = primaries[0]['name'] if primaries else None
        return _result('split-brain', split, primary=primary)

    reasons = []
    for node in pair:
        if not node['reachable']:
            _add(reasons, '%s is unreachable: its DRBD, mount and service state are '
                          'unknown, and it gives no redundancy' % node['name'])
    if not primaries:
        return _without_primary(pair, reasons)

    primary = primaries[0]
    secondary = [node for node in pair if node is not primary][0]
    _check_pair(primary, secondary, reasons)
    if reasons:
        return _result('degraded', reasons, primary=primary['name'],
                       secondary=secondary['name'] if _role(secondary) == 'Secondary' else None)
    return _result('healthy', [], primary=primary['name'], secondary=secondary['name'])


def _two_primaries(pair):
    reasons = ['both %s and %s are Primary: each may be taking writes the other lacks'
               % (pair[0]['name'], pair[1]['name'])]
    for node in pair:
        res = node['resource']
        if res.get('connection_state') != 'Connected':
            reasons.append('%s has its replication link %s, so the two copies are diverging'
                           % (node['name'], res.get('connection_state')))
        if node['split_brain']:
            reasons.append('split brain was detected on %s' % node['name'])
    reasons.append('stop services on the node whose recent writes matter least, demote it, '
                   'and resolve the split brain (rejoin with --discard-my-data on that node)')
    return _result('two-primaries', reasons)


def _split_brain_reasons(pair):
    """Why the pair is in split brain: the handler's marker, DRBD's kernel log line, or both nodes
    StandAlone with no other cause logged. Empty when the nodes say another cause (a refused
    handshake is not a split brain: nothing diverged and no data may be discarded)."""
    reasons = []
    for node in pair:
        cause = node['standalone']
        if node['split_brain']:
            reasons.append('split brain detected on %s (kernel log "Split-Brain detected, '
                           'dropping connection!" or the split-brain handler)' % node['name'])
        elif cause and cause['cause'] == 'split-brain':
            reasons.append('split brain detected on %s (kernel log: "%s")' % (node['name'], cause.get('line')))
    both_standalone = all(
        node['resource'] and node['resource'].get('connection_state') == 'StandAlone'
        for node in pair)
    other_cause = any(node['standalone'] and node['standalone']['cause'] not in ('split-brain', 'unknown')
                      for node in pair)
    if both_standalone and not other_cause:
        reasons.append('both nodes are StandAlone, so neither is trying to reconnect: this is '
                       'what DRBD leaves after a split brain. Check the kernel logs; if someone '
                       'only ran "drbdadm disconnect", run "drbdadm connect" on both')
    if reasons:
        reasons.append('choose the node whose changes since the split are to be discarded '
                       'and rejoin it with --discard-my-data; do not fail over until resolved')
    return reasons


def _without_primary(pair, reasons):
    for node in pair:
        if node['reachable'] and node['resource'] is None:
            _add(reasons, 'DRBD is not up on %s' % node['name'])
        elif node['reachable']:
            res = node['resource']
            _add(reasons, '%s is %s with disk %s' % (node['name'], res.get('role'), res.get('disk_state')))
        if node['mounted']:
            _add(reasons, 'the filesystem is mounted on %s although it is not Primary' % node['name'])
        if node['services']:
            _add(reasons, 'services run on %s although it is not Primary: %s'
                 % (node['name'], ', '.join(node['services'])))
    _standalone_reasons(pair, reasons)
    if all(node['reachable'] for node in pair):
        if all(node['resource'] for node in pair):
            reasons.append('no node is Primary: promote the one with UpToDate data (make_primary)')
        else:
            reasons.append('no node is Primary: bring DRBD up on both nodes (mirror role), then '
                           'promote the one with UpToDate data (make_primary)')
        return _result('no-primary', reasons)
    inferred = _primary_seen_by_peer(pair)
    if inferred:
        reasons.append('DRBD on %s still sees %s as a connected Primary'
                       % (inferred[1]['name'], inferred[0]['name']))
        return _result('degraded', reasons, primary=inferred[0]['name'])
    reasons.append('no reachable node is Primary')
    return _result('degraded', reasons)


def _standalone_reasons(nodes, reasons):
    """Why each StandAlone node gave up on its peer, in DRBD's words, and what to do."""
    for node in nodes:
        cause = node['standalone'] if node['reachable'] else None
        if cause and cause['cause'] != 'split-brain':
            said = ' (kernel log: "%s")' % cause['line'] if cause.get('line') else ''
            _add(reasons, '%s is StandAlone%s: %s' % (node['name'], said, cause['advice']))


def _primary_seen_by_peer(pair):
    """(unreachable node, reachable node) when the reachable one's DRBD is connected to a Primary."""
    for node, other in ((pair[0], pair[1]), (pair[1], pair[0])):
        res = other['resource']
        if (not node['reachable'] and res and res.get('connection_state') == 'Connected'
                and res.get('peer_role') == 'Primary'):
            return node, other
    return None


def _check_pair(primary, secondary, reasons):
    res = primary['resource']
    name = primary['name']
    if res.get('suspended'):
        _add(reasons, 'writes are suspended on Primary %s (hapair_fencing_policy=freeze): they hang until %s '
                      'is marked Outdated or the replication link is back; if %s is down for good, run '
                      'resume_writes.yml -e hapair_confirm_peer_stale=yes' % (name, secondary['name'], secondary['name']))
    connected = res.get('connection_state') == 'Connected'
    if not connected:
        _add(reasons, 'the replication link of Primary %s is %s: writes are not mirrored to %s'
             % (name, res.get('connection_state'), secondary['name']))
        _standalone_reasons([primary, secondary], reasons)
        not_fenced = not_fenced_reason(name, secondary['name'], primary['fencing'])
        if not_fenced:
            _add(reasons, not_fenced)
    for vol in _volumes(res):
        where = _where(res, vol)
        replication = vol.get('replication_state')
        if replication in SYNC_STATES:
            _add(reasons, 'resync running%s: %s' % (where, describe_sync(vol)))
        elif connected and replication != 'Established':
            _add(reasons, 'replication%s is %s, not Established' % (where, replication))
        if vol.get('disk_state') != 'UpToDate':
            _add(reasons, 'disk%s on Primary %s is %s' % (where, name, vol.get('disk_state')))
        if connected and vol.get('peer_disk_state') != 'UpToDate':
            _add(reasons, 'disk%s on %s is %s' % (where, secondary['name'], vol.get('peer_disk_state')))
    if not primary['mounted'] and not primary['observed']:
        _add(reasons, 'the filesystem is not mounted on Primary %s, so services cannot use it' % name)

    if not secondary['reachable']:
        return
    sres = secondary['resource']
    sname = secondary['name']
    if sres is None:
        _add(reasons, 'DRBD is not up on %s' % sname)
    else:
        if sres.get('role') != 'Secondary':
            _add(reasons, '%s is %s, not Secondary' % (sname, sres.get('role')))
        for vol in _volumes(sres):
            if vol.get('disk_state') != 'UpToDate':
                _add(reasons, 'disk%s on %s is %s' % (_where(sres, vol), sname, vol.get('disk_state')))
    if secondary['mounted']:
        _add(reasons, 'the filesystem is mounted on Secondary %s: unmount it' % sname)
    if secondary['services']:
        _add(reasons, 'services run on Secondary %s: %s; they belong on the Primary only'
             % (sname, ', '.join(secondary['services'])))


def primary_nodes(states):
    """The reachable nodes whose resource is Primary, sorted: the one place the collection tells
    which node is Primary (two in a split brain made by hand, none after a crash)."""
    pair = _pair(states) or [_node(states, name) for name in sorted(states or {})]
    return [node['name'] for node in pair if node['reachable'] and _role(node) == 'Primary']


def failover_blockers(states, target=None):
    """Why a controlled switchover to ``target`` must be refused.

    ``target`` None or empty means the node that is not the Primary: the only selection of a
    switchover's target (failover.yml names no node unless the operator does).
    Returns {"blockers": [...], "nothing_to_do": bool, "target": node name or None, "steps": [...]}.
    An empty blockers list with nothing_to_do false means: go, and steps says what the switchover
    does, node by node (what ``--check`` prints). nothing_to_do is true when the target already is
    the only Primary.
    """
    blockers = []
    result = {'blockers': blockers, 'nothing_to_do': False, 'target': None, 'steps': []}
    pair = _pair(states)
    if pair is None:
        blockers.append('a switchover needs the state of exactly two nodes')
        return result
    names = [node['name'] for node in pair]
    if not target:
        primaries = primary_nodes(states)
        if len(primaries) != 1:
            for node in pair:
                _node_blockers(node, blockers)
            if not blockers:
                blockers.append('both %s and %s are Primary: resolve that first' % tuple(names) if primaries else
                                'no node is Primary, so there is nothing to switch over from: promote one with '
                                'make_primary.yml -e hapair_target=NODE instead')
            return result
        target = peer(names, primaries[0])
    if target not in names:
        blockers.append('unknown target node "%s": expected one of %s' % (target, ', '.join(names)))
        return result
    result['target'] = target
    target_node = pair[names.index(target)]
    source = pair[names.index(peer(names, target))]

    for node in (source, target_node):
        _node_blockers(node, blockers)
    if blockers:
        return result

    if _role(target_node) == 'Primary':
        if _role(source) == 'Primary':
            blockers.append('both %s and %s are Primary: resolve that first' % (source['name'], target))
        else:
            result['nothing_to_do'] = True
        return result
    if _role(source) != 'Primary':
        blockers.append('no node is Primary, so there is nothing to switch over from: promote '
                        '%s with make_primary.yml -e hapair_target=%s instead' % (target, target))
        return result

    _switchover_checks(source, target_node, blockers)
    if not blockers:
        result['steps'] = switchover_steps(source, target_node)
    return result


def switchover_steps(source, target):
    """What a switchover from the Primary ``source`` to ``target`` does, one line per step, from
    what the reports show now (the roles stop and start every unit of hapair_services)."""
    src, dst = source['name'], target['name']
    running = source['services']
    units = ', '.join(running) if running else 'none runs now'
    steps = ['%s: stop a backup in progress, if any' % src,
             '%s: stop the application units (%s)' % (src, units)]
    if source['service_ip']:
        steps.append('%s: release the service IP' % src)
    if source['mounted']:
        steps.append('%s: unmount the mirror' % src)
    steps += ['%s: become Secondary' % src,
              '%s: become Primary' % dst,
              '%s: mount the mirror' % dst]
    if source['service_ip']:
        steps.append('%s: take the service IP (with gratuitous ARP)' % dst)
    steps += ['%s: start the application units (%s)' % (dst, units),
              'both: check the pair is healthy with %s as Primary' % dst]
    return steps


def _node_blockers(node, blockers):
    """What keeps ``node`` from taking part in a controlled switchover at all."""
    if not node['reachable']:
        blockers.append('%s is unreachable: a controlled switchover needs both nodes; if the '
                        'Primary is dead, use the forced promotion path instead' % node['name'])
    elif node['resource'] is None:
        blockers.append('DRBD is not up on %s' % node['name'])
    elif node['split_brain']:
        blockers.append('split brain detected on %s: resolve it (rejoin) before any '
                        'switchover' % node['name'])
    elif node['resource'].get('suspended'):
        blockers.append('writes are suspended on %s (fencing freeze): bring the replication link back, '
                        'or run resume_writes.yml first' % node['name'])


def _switchover_checks(source, target, blockers):
    sres, tres = source['resource'], target['resource']
    if sres.get('connection_state') != 'Connected' or tres.get('connection_state') != 'Connected':
        _add(blockers, 'the replication link is not Connected (%s: %s, %s: %s): %s may miss '
                       'the latest writes; reconnect and wait for both disks to be UpToDate'
             % (source['name'], sres.get('connection_state'), target['name'],
                tres.get('connection_state'), target['name']))
    # One resync seen from both ends is one problem: ask the target only if
    # the Primary's view shows none (the two snapshots are not simultaneous).
    replication = _replication_problems(sres) or _replication_problems(tres)
    for problem in replication:
        _add(blockers, problem)
    for node in (source, target):
        res = node['resource']
        for vol in _volumes(res):
            if vol.get('disk_state') != 'UpToDate':
                _add(blockers, 'disk%s on %s is %s, not UpToDate'
                     % (_where(res, vol), node['name'], vol.get('disk_state')))


def _replication_problems(res):
    problems = []
    for vol in _volumes(res):
        where = _where(res, vol)
        replication = vol.get('replication_state')
        if replication in SYNC_STATES:
            problems.append('resync running%s (%s): wait for it to finish' % (where, describe_sync(vol)))
        elif res.get('connection_state') == 'Connected' and replication != 'Established':
            problems.append('replication%s is %s, not Established' % (where, replication))
    return problems
