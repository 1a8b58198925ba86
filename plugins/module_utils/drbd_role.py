# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions of the drbd_role module: promote or demote one DRBD resource.

PRIVATE to the hapair.cluster collection. Pure functions only: no
AnsibleModule, no I/O, Python 2.7 and 3.6 compatible (EL7 targets).

``plan_role()`` judges one normalised resource state (drbd_status /
drbd_probe) and says what to run, or why not. It never makes things worse:
a refusal says which state caused it and what to do, and means that
nothing may be changed. ``parse_fuser()`` names the processes that hold a
device open; ``explain_failure()`` turns a failed ``drbdadm primary`` /
``drbdadm secondary`` into a message for the operator.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    demotion_blockers, is_connected, promotion_blockers,
)
from ansible_collections.hapair.cluster.plugins.module_utils.mount_holders import fuser_rows

ACTIONS = (None, 'primary', 'primary-force', 'secondary')
ROLES = {'primary': 'Primary', 'secondary': 'Secondary'}
FORCE_OPTION = 'force_stale_promotion'


def role_argv(action, resource):
    """drbdadm command line of an action of plan_role(); None for no action."""
    if action == 'primary':
        return ['drbdadm', 'primary', resource]
    if action == 'primary-force':
        return ['drbdadm', 'primary', '--force', resource]
    if action == 'secondary':
        return ['drbdadm', 'secondary', resource]
    return None


def device_names(state):
    """/dev/drbdN of every volume of a resource state (the first volume first)."""
    minors = [vol.get('minor') for vol in (state or {}).get('volumes') or []]
    if not minors:
        minors = [(state or {}).get('minor')]
    return ['/dev/drbd%s' % minor for minor in minors if minor is not None]


def _device(state):
    names = device_names(state)
    return state.get('device') or (names[0] if names else 'the DRBD device')


def _kib(amount):
    if amount >= 1024 * 1024:
        return '%d KiB (%.1f GiB)' % (amount, amount / 1048576.0)
    if amount >= 1024:
        return '%d KiB (%.1f MiB)' % (amount, amount / 1024.0)
    return '%d KiB' % amount


def _out_of_sync(state):
    """Known out-of-sync KiB summed over the volumes, or None when unknown."""
    known = [vol.get('out_of_sync_kib') for vol in state.get('volumes') or [state]
             if vol.get('out_of_sync_kib') is not None]
    return sum(known) if known else None


def _disks(state):
    """'Inconsistent' or 'volume 0 Inconsistent, volume 1 UpToDate'."""
    volumes = state.get('volumes') or []
    if len(volumes) > 1:
        return ', '.join('volume %s %s' % (vol.get('volume'), vol.get('disk_state') or 'DUnknown')
                         for vol in volumes)
    return state.get('disk_state') or 'DUnknown'


def _peer_up_to_date(state):
    volumes = state.get('volumes') or [state]
    return all(vol.get('peer_disk_state') == 'UpToDate' for vol in volumes)


def _peer_is_connected_primary(state):
    return is_connected(state) and state.get('peer_role') == 'Primary'


def _split_brain_warning(name, state):
    if not state.get('split_brain'):
        return []
    return ['a split brain was detected on %s and is not resolved yet: the copies on the two '
            'nodes have diverged. Promoting this node makes its copy the one the services use; '
            'the changes made only on the peer are not here and must be discarded or merged by '
            'hand when the pair is rejoined (rejoin.yml)' % name]


def _force_warning(name, state):
    """What a forced promotion risks, with the disk state and out-of-sync amount."""
    oos = _out_of_sync(state)
    text = ('%s=true: promoting %s with its local disk %s, not UpToDate. '
            % (FORCE_OPTION, name, _disks(state)))
    if is_connected(state) and _peer_up_to_date(state):
        return text + (
            'The peer is connected and UpToDate, so DRBD reads the blocks this node lacks from the '
            'peer until the resync finishes%s; if the peer or the replication link fails before '
            'then, those blocks cannot be read here.'
            % (' (%s still out of sync)' % _kib(oos) if oos else ''))
    if is_connected(state):
        return text + (
            'The peer is connected with its disk %s: this node\'s data becomes the current one '
            'and DRBD resyncs it over the peer\'s copy%s; whatever only the peer had is lost.'
            % (state.get('peer_disk_state') or 'DUnknown',
               ' (%s differ)' % _kib(oos) if oos else ''))
    if oos:
        text += ('Data may be lost: %s are marked out of sync here (blocks this node never received '
                 'from the peer), and writes the peer made after the link was lost are not counted '
                 'in that figure and are missing too. ' % _kib(oos))
    else:
        text += ('Data may be lost: writes the peer made that never reached this node are not '
                 'here (their amount is unknown). ')
    return text + (
        'This node\'s data becomes the current one; when the old peer reconnects, DRBD reports a '
        'split brain if it changed its copy too, and one side\'s changes must be discarded '
        '(rejoin.yml).')


def _plan_primary(name, state, force):
    """(action, refusal, warnings) for state=primary of a Secondary."""
    reasons = []
    if _peer_is_connected_primary(state):
        peer = state.get('peer_name')
        reasons.append(
            'peer is Primary and connected%s: demote it first (make_secondary.yml) or use '
            'failover.yml. DRBD allows one Primary only (single-primary mode) and would refuse '
            'too; %s does not override this'
            % (' (%s)' % peer if peer and peer != 'peer' else '', FORCE_OPTION))
    # promotion_blockers() words the peer reason its own way: keep only the data reasons.
    peer_reasons = promotion_blockers(state, force_stale=True)
    blockers = [reason for reason in promotion_blockers(state) if reason not in peer_reasons]
    if reasons or (blockers and not force):
        shown = reasons + ([] if force else blockers)
        return None, 'refusing to promote %s: %s' % (name, '; '.join(shown)), []

    warnings = _split_brain_warning(name, state)
    if blockers:
        return 'primary-force', None, [_force_warning(name, state)] + warnings
    if not is_connected(state):
        warnings.insert(0, (
            'peer not connected: writes made on the old Primary after the link was lost are not '
            'here (%s is %s, last known peer disk %s). Make sure the old Primary is down or '
            'demoted: if it still runs as Primary, the two copies diverge (split brain)'
            % (name, state.get('connection_state') or 'not connected',
               state.get('peer_disk_state') or 'DUnknown')))
    return 'primary', None, warnings


def _plan_secondary(name, state, mounted_at, holders):
    """(action, refusal, warnings) for state=secondary of a Primary."""
    device = _device(state)
    if mounted_at:
        return None, (
            'refusing to demote %s: %s is mounted on %s. Stop the services that use it and '
            'unmount it first (make_secondary.yml does both); this module never unmounts. '
            '"fuser -vm %s" lists the processes that use it'
            % (name, device, ', '.join(mounted_at), device)), []
    if holders:
        return None, (
            'refusing to demote %s: %s is not mounted but still held open by %s. Stop them '
            '(or remove what sits on top of the device), then demote again; DRBD itself would '
            'refuse with "Device is held open by someone"' % (name, device, '; '.join(holders))), []
    blockers = demotion_blockers(state)
    if blockers:
        return None, 'refusing to demote %s: %s' % (name, '; '.join(blockers)), []
    warnings = []
    if not is_connected(state):
        warnings.append(
            'peer not connected (%s is %s): after this demotion no node is Primary for %s until '
            'one is promoted' % (name, state.get('connection_state') or 'not connected', name))
    return 'secondary', None, warnings


def plan_role(target, state, mounted_at=None, holders=None, force_stale_promotion=False,
              resource=None):
    """Decide how to bring a resource to the role ``target`` ('primary' or 'secondary').

    ``state`` is the normalised state of the resource (None or {} when it is
    not up), ``mounted_at`` the mount points of its device(s), ``holders``
    descriptions of whatever else holds it open (processes, device-mapper;
    None when not looked up). Returns ``{"action", "refusal", "warnings"}``:
    ``action`` is None (nothing to do, or refused), 'primary',
    'primary-force' or 'secondary'; ``refusal`` a message when the change
    is refused (then nothing may be run).
    """
    name = resource or (state or {}).get('name') or 'the resource'
    result = {'action': None, 'refusal': None, 'warnings': []}
    if target not in ROLES:
        result['refusal'] = "unknown target role '%s': use primary or secondary" % (target,)
        return result
    if not state:
        result['refusal'] = ('resource %s is not up on this node: run provision.yml or check '
                             '`drbdadm status`' % name)
        return result
    role = state.get('role')
    if role == ROLES[target]:
        return result
    if role not in ROLES.values():
        result['refusal'] = ('the local role of %s is %s, neither Primary nor Secondary: check '
                             '`drbdadm status %s` and the kernel log' % (name, role, name))
        return result

    if target == 'primary':
        action, refusal, warnings = _plan_primary(name, state, bool(force_stale_promotion))
    else:
        action, refusal, warnings = _plan_secondary(name, state, mounted_at or [], holders or [])
    result.update(action=action, refusal=refusal, warnings=warnings)
    return result


# ---------------------------------------------------------------------------
# fuser -vm

def parse_fuser(stdout, stderr):
    """Holders from ``fuser -vm DEVICE...`` as readable strings (mount_holders.fuser_rows)."""
    holders = []
    for row in fuser_rows(stdout, stderr):
        if row['kernel']:
            holders.append(('kernel %s %s' % (row['access'], row['command'])).strip())
        elif row['user'] is None:
            holders.append('process %s' % row['pid'])
        elif row['pid'] is None:
            holders.append('%s (user %s)' % (row['command'] or '?', row['user']))
        else:
            holders.append('%s (pid %s, user %s)' % (row['command'] or '?', row['pid'], row['user']))
    return holders


# ---------------------------------------------------------------------------
# failed drbdadm primary / secondary

_STATE_ERROR_RE = re.compile(r'State change failed: \((-\d+)\)')
_FAILURE_RE = re.compile(r'Failure: \((\d+)\)')

# drbdsetup's exit codes (drbd-utils user/v84/drbdsetup.c and user/v9/drbdsetup.c,
# print_config_error()); drbdadm ends with the exit code of the drbdsetup it ran.
EXIT_CODES = {
    5: 'DRBD refused: the disk state is lower than Outdated',
    10: 'the kernel module refused the request (or drbdadm found the configuration invalid)',
    11: 'DRBD refused the state change',
    16: 'DRBD refused: no local disk',
    17: 'DRBD refused: no UpToDate data is reachable (neither the local disk nor a connected peer)',
    20: 'drbdsetup failed or got an error code it does not know',
}

# State change errors (enum drbd_state_rv; texts from drbd_strings.c): what to do.
STATE_ERRORS = {
    -1: 'the peer is Primary (single-primary mode): demote it first (make_secondary.yml) or use '
        'failover.yml',
    -2: 'neither the local disk nor a connected peer is UpToDate: connect the peer and let the '
        'resync finish; only if the peer is lost for good, set %s=true' % FORCE_OPTION,
    -7: 'the local disk is only Consistent and DRBD could not outdate the peer (no or failed '
        'fence-peer handler). Make sure the old Primary is down, then run "drbdadm outdate" there '
        'if it is reachable, or set %s=true if it is lost for good' % FORCE_OPTION,
    -10: 'the peer refused the state change (udev or blkid may have the device open there for '
         'a moment): retry in a few seconds',
    -11: 'the device is Diskless: attach the backing disk ("drbdadm attach") and let it resync',
    -12: 'the device is still open: unmount it and stop the processes that use it '
         '("fuser -vm %(device)s" names them), then demote again',
    -16: 'the local disk is below Outdated (Inconsistent or worse): let the resync finish first',
    -18: 'DRBD is in a transient state (attaching, connecting, resync starting): retry in a few '
         'seconds',
    -19: 'another state change ran at the same time: retry',
    -20: 'another volume of this resource is Primary on the peer: demote the peer first',
}


def explain_failure(command, rc, stdout, stderr, device=None):
    """Message for a failed drbdadm role change, keeping DRBD's own words."""
    text = '; '.join(line.strip() for line in ((stderr or '') + '\n' + (stdout or '')).splitlines()
                     if line.strip())
    message = '%s failed (exit code %s): %s' % (command, rc, text or 'no output')
    match = _STATE_ERROR_RE.search(stderr or '')
    hint = None
    if match:
        hint = STATE_ERRORS.get(int(match.group(1)))
    if hint is None and rc in EXIT_CODES and not _FAILURE_RE.search(stderr or ''):
        hint = EXIT_CODES[rc]
    if hint:
        message += '. %s' % (hint % {'device': device or '/dev/drbdN'})
    return message
