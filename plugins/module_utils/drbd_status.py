# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Turn DRBD status output into one normalised structure, and judge it.

PRIVATE to the hapair.cluster collection. Pure functions only: no
AnsibleModule, no I/O, Python 2.7 and 3.6 compatible (EL7 targets).

Every parser returns ``{resource_name: resource_state}``; see
``RESOURCE_KEYS`` and ``VOLUME_KEYS`` for the exact keys. Parsers never
raise on unexpected input: unknown lines and keys are skipped, and input
that holds no resource gives ``{}``.

Sources understood:
  parse_events2      drbdsetup events2 --now [--statistics]  (8.4.6+ kernels and 9)
  parse_status_json  drbdsetup status --json [--verbose --statistics]  (9 only)
  parse_status_text  drbdadm status / drbdsetup status [--verbose --statistics]
  parse_proc_drbd    /proc/drbd  (resources on 8.4; version only on 9)
  parse_version      drbdadm --version, /sys/module/drbd/version, /proc/drbd
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math
import re


RESOURCE_KEYS = (
    'name', 'role', 'suspended', 'minor', 'disk_state', 'peer_name',
    'peer_role', 'connection_state', 'replication_state', 'peer_disk_state',
    'sync_percent', 'out_of_sync_kib', 'eta_seconds', 'volumes', 'source',
)
VOLUME_KEYS = (
    'volume', 'minor', 'disk_state', 'peer_disk_state', 'replication_state',
    'sync_percent', 'out_of_sync_kib', 'eta_seconds',
)

SYNC_SOURCE_STATES = ('StartingSyncS', 'WFBitMapS', 'SyncSource', 'PausedSyncS')
SYNC_TARGET_STATES = ('StartingSyncT', 'WFBitMapT', 'WFSyncUUID', 'SyncTarget', 'PausedSyncT')
SYNC_STATES = SYNC_SOURCE_STATES + SYNC_TARGET_STATES
# Replication states that exist only while the peer is connected (DRBD 9 names).
LIVE_REPLICATION_STATES = ('Established',) + SYNC_STATES + ('VerifyS', 'VerifyT', 'Ahead', 'Behind')
# DRBD 8.4 merges these into its single "cs:" state; all mean "nothing is replicated".
_NOT_REPLICATING = (
    'Off', 'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe',
    'NetworkFailure', 'ProtocolError', 'TearDown', 'WFConnection', 'WFReportParams',
    'Connecting', 'Unconfigured',
)

_ANSI_RE = re.compile(r'\x1b\[[0-9;]*m')
_TIMESTAMP_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d')
_STRING_TYPES = (type(''), type(u''))
# drbdsetup prints this for "no estimate" (db <= 0) in the JSON output.
_NO_ETA = 987654321


# ---------------------------------------------------------------------------
# small helpers

def _lines(text):
    """Yield the lines of text (str, bytes or None) without colour codes."""
    if text is None:
        return []
    if not isinstance(text, _STRING_TYPES):
        try:
            text = text.decode('utf-8', 'replace')
        except (AttributeError, UnicodeError):
            return []
    return _ANSI_RE.sub('', text).splitlines()


def _kv(tokens):
    """key:value tokens -> dict; "old->new" change values keep the new one."""
    result = {}
    for token in tokens:
        key, sep, value = token.partition(':')
        if sep and key:
            result[key] = value.rsplit('->', 1)[-1]
    return result


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return default


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):  # drbdsetup prints "nan" eta
        return None
    return number


def _is_string(value):
    return isinstance(value, _STRING_TYPES) and value != ''


def _suspended(value):
    """'no' / 'user,fencing' / true / false -> bool."""
    if isinstance(value, bool):
        return value
    if _is_string(value):
        return value.lower() not in ('no', 'false', '0')
    return False


def split_cstate(state):
    """Map a connection state of either DRBD generation to (connection, replication).

    DRBD 8.4 has one per-device "cs" that merges both: WFConnection is
    DRBD 9's Connecting, SyncSource means Connected + SyncSource, and so on.
    Also accepts DRBD 9 names unchanged.
    """
    if not _is_string(state):
        return None, None
    if state == 'WFConnection':
        return 'Connecting', 'Off'
    if state == 'WFReportParams':  # handshake: TCP is up, replication not yet
        return 'Connected', 'Off'
    if state in ('Connected', 'Established'):
        return 'Connected', 'Established'
    if state in LIVE_REPLICATION_STATES:
        return 'Connected', state
    return state, 'Off'


def _replication(state):
    if not _is_string(state):
        return None
    if state == 'Connected':  # 8.4 per-device name for DRBD 9's Established
        return 'Established'
    if state in _NOT_REPLICATING:
        return 'Off'
    return state


# ---------------------------------------------------------------------------
# raw model shared by the parsers, finished into the normalised dict by _finish

def _raw_resource(resources, name):
    if name not in resources:
        resources[name] = {
            'name': name, 'role': None, 'suspended': False,
            'devices': {}, 'connections': [],
        }
    return resources[name]


def _raw_device(res, volume):
    return res['devices'].setdefault(volume, {'minor': None, 'disk': None, 'size': None})


def _raw_connection(res, node_id=None, name=None):
    """Find the connection by peer node id and/or name, or add it.

    8.4 lines may carry neither, or only one of them (conn-name is missing
    while StandAlone), so a missing identity matches any connection.
    """
    for conn in res['connections']:
        if node_id is not None and conn['node_id'] is not None and conn['node_id'] != node_id:
            continue
        if name and conn['name'] and conn['name'] != name:
            continue
        if conn['node_id'] is None:
            conn['node_id'] = node_id
        if not conn['name']:
            conn['name'] = name
        return conn
    conn = {'node_id': node_id, 'name': name or None, 'state': None,
            'implied_replication': None, 'role': None, 'peer_devices': {}}
    res['connections'].append(conn)
    return conn


def _raw_peer_device(conn, volume):
    return conn['peer_devices'].setdefault(volume, {
        'replication': None, 'peer_disk': None, 'out_of_sync': None,
        'stats_seen': False, 'done': None, 'eta': None,
    })


def _apply_resource(res, kv):
    if 'role' in kv:
        res['role'] = kv['role']
    if 'suspended' in kv:
        res['suspended'] = _suspended(kv['suspended'])


def _apply_device(dev, kv):
    if 'minor' in kv:
        dev['minor'] = _int(kv['minor'])
    if 'disk' in kv:
        dev['disk'] = kv['disk']
    if 'size' in kv:
        dev['size'] = _int(kv['size'])


def _apply_connection(conn, kv):
    if 'connection' in kv:
        conn['state'], conn['implied_replication'] = split_cstate(kv['connection'])
    if 'role' in kv:
        conn['role'] = kv['role']


def _apply_peer_device(pdev, kv):
    if 'replication' in kv:
        pdev['replication'] = kv['replication']
    if 'peer-disk' in kv:
        pdev['peer_disk'] = kv['peer-disk']
    if 'out-of-sync' in kv:
        pdev['out_of_sync'] = _int(kv['out-of-sync'])
    if 'received' in kv or 'sent' in kv:
        pdev['stats_seen'] = True
    if 'done' in kv:
        pdev['done'] = _float(kv['done'])
    if 'eta' in kv:
        pdev['eta'] = _int(kv['eta'])


def _finish_volume(volume, dev, pdev, conn, connected):
    replication = _replication(pdev.get('replication'))
    if replication is None:
        replication = (conn or {}).get('implied_replication') or ('Established' if connected else 'Off')
    if not connected:
        replication = 'Off'
    syncing = replication in SYNC_STATES

    out_of_sync = pdev.get('out_of_sync')
    if out_of_sync is None and pdev.get('stats_seen'):
        out_of_sync = 0  # drbdsetup omits a zero out-of-sync unless --verbose

    percent = None
    eta = None
    if syncing:
        percent = pdev.get('done')
        size = dev.get('size')
        if percent is None and out_of_sync is not None and size:
            percent = round(100.0 * (1 - float(out_of_sync) / size), 2)
        eta = pdev.get('eta')
        if eta is not None and (eta < 0 or eta >= _NO_ETA):
            eta = None

    return {
        'volume': volume,
        'minor': dev.get('minor'),
        'disk_state': dev.get('disk'),
        'peer_disk_state': pdev.get('peer_disk') or 'DUnknown',
        'replication_state': replication,
        'sync_percent': percent,
        'out_of_sync_kib': out_of_sync,
        'eta_seconds': eta,
    }


def _finish(raw, source):
    """Raw model -> the normalised resource_state (one peer: the first connection)."""
    conn = raw['connections'][0] if raw['connections'] else None
    if conn is None:
        connection_state = 'StandAlone'
    else:
        connection_state = conn['state'] or 'Unknown'
    connected = connection_state == 'Connected'
    peer_devices = conn['peer_devices'] if conn else {}

    volumes = []
    for number in sorted(set(raw['devices']) | set(peer_devices)):
        volumes.append(_finish_volume(number, raw['devices'].get(number, {}),
                                      peer_devices.get(number, {}), conn, connected))
    first = volumes[0] if volumes else _finish_volume(None, {}, {}, None, False)

    return {
        'name': raw['name'],
        'role': _role(raw['role']),
        'suspended': bool(raw['suspended']),
        'minor': first['minor'],
        'disk_state': first['disk_state'],
        'peer_name': conn['name'] if conn else None,
        'peer_role': _role(conn['role']) if connected else 'Unknown',
        'connection_state': connection_state,
        'replication_state': first['replication_state'],
        'peer_disk_state': first['peer_disk_state'],
        'sync_percent': first['sync_percent'],
        'out_of_sync_kib': first['out_of_sync_kib'],
        'eta_seconds': first['eta_seconds'],
        'volumes': volumes,
        'source': source,
    }


def _role(role):
    return role if role in ('Primary', 'Secondary') else 'Unknown'


def _finish_all(resources, source):
    return dict((name, _finish(raw, source)) for name, raw in resources.items())


# ---------------------------------------------------------------------------
# parsers

def parse_events2(text):
    """Parse ``drbdsetup events2 --now [--statistics] [--timestamps]``.

    Also accepts the streaming form (create/change/destroy lines, old->new
    values); the last value seen wins.
    """
    resources = {}
    for line in _lines(text):
        tokens = line.split()
        if tokens and _TIMESTAMP_RE.match(tokens[0]):
            tokens = tokens[1:]
        if len(tokens) < 3 or tokens[0] not in ('exists', 'create', 'change', 'destroy'):
            continue
        action, kind, kv = tokens[0], tokens[1], _kv(tokens[2:])
        name = kv.get('name')
        if not name:
            continue
        if action == 'destroy':
            _destroy(resources, kind, kv)
            continue
        if kind not in ('resource', 'device', 'connection', 'peer-device'):
            continue  # path, helper, ...
        res = _raw_resource(resources, name)
        volume = _int(kv.get('volume'), 0)
        if kind == 'resource':
            _apply_resource(res, kv)
        elif kind == 'device':
            _apply_device(_raw_device(res, volume), kv)
        else:
            conn = _raw_connection(res, _int(kv.get('peer-node-id')), kv.get('conn-name'))
            if kind == 'connection':
                _apply_connection(conn, kv)
            else:
                _apply_peer_device(_raw_peer_device(conn, volume), kv)
    return _finish_all(resources, 'events2')


def _destroy(resources, kind, kv):
    res = resources.get(kv['name'])
    if res is None:
        return
    volume = _int(kv.get('volume'), 0)
    if kind == 'resource':
        del resources[kv['name']]
    elif kind == 'device':
        res['devices'].pop(volume, None)
    elif kind in ('connection', 'peer-device'):
        conn = _raw_connection(res, _int(kv.get('peer-node-id')), kv.get('conn-name'))
        if kind == 'connection':
            res['connections'].remove(conn)
        else:
            conn['peer_devices'].pop(volume, None)


def parse_status_json(text):
    """Parse ``drbdsetup status --json [--verbose] [--statistics]`` (DRBD 9)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RuntimeError):  # RuntimeError: absurd nesting
        return {}
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return {}

    resources = {}
    for item in data:
        if not isinstance(item, dict) or not _is_string(item.get('name')):
            continue
        res = _raw_resource(resources, item['name'])
        res['role'] = item.get('role') if _is_string(item.get('role')) else None
        res['suspended'] = _suspended(item.get('suspended'))
        for device in _dicts(item.get('devices')):
            dev = _raw_device(res, _int(device.get('volume'), 0))
            dev['minor'] = _int(device.get('minor'))
            dev['disk'] = device.get('disk-state')
            dev['size'] = _int(device.get('size'))
        for connection in _dicts(item.get('connections')):
            conn = _raw_connection(res, _int(connection.get('peer-node-id')), connection.get('name'))
            _apply_connection(conn, {'connection': connection.get('connection-state'),
                                     'role': connection.get('peer-role')})
            peer_devices = connection.get('peer_devices', connection.get('peer-devices'))
            for peer_device in _dicts(peer_devices):
                pdev = _raw_peer_device(conn, _int(peer_device.get('volume'), 0))
                pdev['replication'] = peer_device.get('replication-state')
                pdev['peer_disk'] = peer_device.get('peer-disk-state')
                pdev['out_of_sync'] = _int(peer_device.get('out-of-sync'))
                pdev['done'] = _float(peer_device.get('percent-resync-done'))
                pdev['eta'] = _int(peer_device.get('estimated-seconds-to-finish'))
    return _finish_all(resources, 'status_json')


def _dicts(value):
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def parse_status_text(text):
    """Parse ``drbdadm status`` (8.4 kernel: the peer is named "peer"; 9: by host).

    The layout is by indentation: resource at column 0, device and
    connection at 2, peer device at 4; drbdsetup wraps long lines (80
    columns even without a TTY) and puts --statistics on extra lines,
    both indented further, so any deeper line continues the previous object.
    A connection line without "connection:" is Connected (drbdsetup only
    prints the state when it is not).
    """
    resources = {}
    res = conn = None
    last = None  # (apply function, object) that continuation lines extend
    for line in _lines(text):
        tokens = line.split()
        if not tokens:
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            res = conn = last = None
            kv = _kv(tokens[1:])
            if ':' in tokens[0] or 'role' not in kv:
                continue  # "r0: No such resource", "# No currently configured DRBD found."
            res = _raw_resource(resources, tokens[0])
            _apply_resource(res, kv)
            last = (_apply_resource, res)
        elif res is None:
            continue
        elif indent <= 2:
            first = tokens[0]
            if first.startswith('volume:') or first.startswith('disk:'):
                kv = _kv(tokens)
                dev = _raw_device(res, _int(kv.get('volume'), 0))
                _apply_device(dev, kv)
                last = (_apply_device, dev)
            else:
                name = None if ':' in first else first
                kv = _kv(tokens if name is None else tokens[1:])
                conn = _raw_connection(res, _int(kv.get('node-id')), name)
                _apply_connection(conn, kv)
                last = (_apply_connection, conn)
        elif indent <= 4 and conn is not None:
            kv = _kv(tokens)
            pdev = _raw_peer_device(conn, _int(kv.get('volume'), 0))
            _apply_peer_device(pdev, kv)
            last = (_apply_peer_device, pdev)
        elif last is not None:
            last[0](last[1], _kv(tokens))

    for raw in resources.values():
        for connection in raw['connections']:
            if connection['state'] is None:
                connection['state'], connection['implied_replication'] = 'Connected', None
    return _finish_all(resources, 'status_text')


_PROC_DEVICE_RE = re.compile(r'^\s*(\d+):\s+cs:(\S+)')
_PROC_ROLES_RE = re.compile(r'\b(?:ro|st):(\w+)/(\w+)')
_PROC_DISKS_RE = re.compile(r'\bds:(\w+)/(\w+)')
# I/O flags follow the protocol letter, which is a blank without a net config.
_PROC_FLAGS_RE = re.compile(r'\bds:\S+\s+(?:[ABC]\s+)?([rs])[-a-z]{3}')
_PROC_OOS_RE = re.compile(r'\boos:(\d+)')
_PROC_SYNCED_RE = re.compile(r"sync'ed:\s*([\d.]+)%")
_PROC_FINISH_RE = re.compile(r'\bfinish:\s*(\d+):(\d\d):(\d\d)')


def parse_proc_drbd(text, names=None):
    """Parse /proc/drbd of DRBD 8.4 (DRBD 9 shows only its version: gives {}).

    /proc/drbd knows minors, not resource names: ``names`` maps a minor
    (int or str) to "r0" or "r0/1" (resource/volume, as drbd-overview
    shows it). Unmapped minors are keyed by their device name, "drbd1".
    """
    names = names or {}
    resources = {}
    current = None  # raw peer device of the minor whose detail lines follow
    for line in _lines(text):
        match = _PROC_DEVICE_RE.match(line)
        if match:
            current = _proc_device(resources, names, int(match.group(1)), match.group(2), line)
            continue
        pdev = current
        if pdev is None:
            continue
        oos = _PROC_OOS_RE.search(line)
        if oos:
            pdev['out_of_sync'] = int(oos.group(1))
            pdev['stats_seen'] = True
        synced = _PROC_SYNCED_RE.search(line)
        if synced:
            pdev['done'] = _float(synced.group(1))
        finish = _PROC_FINISH_RE.search(line)
        if finish:
            hours, minutes, seconds = (int(part) for part in finish.groups())
            pdev['eta'] = hours * 3600 + minutes * 60 + seconds
    return _finish_all(resources, 'proc_drbd')


def _proc_device(resources, names, minor, cstate, line):
    if cstate == 'Unconfigured':
        return None
    label = names.get(minor, names.get(str(minor)))
    if _is_string(label):
        name, _sep, volume = label.partition('/')
        volume = _int(volume, 0)
    else:
        name, volume = 'drbd%d' % minor, 0
    res = _raw_resource(resources, name)
    conn = _raw_connection(res)
    if conn['state'] is None or volume == min(list(res['devices']) + [volume]):
        conn['state'], conn['implied_replication'] = split_cstate(cstate)

    dev = _raw_device(res, volume)
    dev['minor'] = minor
    pdev = _raw_peer_device(conn, volume)
    pdev['replication'] = split_cstate(cstate)[1]
    roles = _PROC_ROLES_RE.search(line)
    if roles:
        # Roles are per minor on 8.4; one Primary volume makes the resource Primary.
        if res['role'] in (None, 'Unknown', 'Secondary'):
            res['role'] = roles.group(1)
        if conn['role'] in (None, 'Unknown', 'Secondary'):
            conn['role'] = roles.group(2)
    disks = _PROC_DISKS_RE.search(line)
    if disks:
        dev['disk'], pdev['peer_disk'] = disks.group(1), disks.group(2)
    flags = _PROC_FLAGS_RE.search(line)
    if flags and flags.group(1) == 's':
        res['suspended'] = True
    return pdev


_VERSION_RE = re.compile(r'^(\d+\.\d+\.\d+)\S*$')
_PROC_VERSION_RE = re.compile(r'^version:\s*(\d+\.\d+\.\d+)')


def parse_version(text):
    """Kernel module and drbd-utils versions -> {"kernel", "utils", "kernel_major"}.

    Understands ``drbdadm --version`` (KEY=value lines; drbdadm-84 prints
    only the hex DRBD_KERNEL_VERSION_CODE), a bare "8.4.11" as in
    /sys/module/drbd/version, and the "version:" line of /proc/drbd or
    modinfo. Unknown parts are None; "module not loaded" (code 0) is None.
    """
    found = {}
    for line in _lines(text):
        line = line.strip()
        key, sep, value = line.partition('=')
        if sep:
            found[key.strip()] = value.strip().strip('"\'')
            continue
        match = _PROC_VERSION_RE.match(line) or _VERSION_RE.match(line)
        if match:
            found.setdefault('kernel', match.group(1))

    kernel = (_version_string(found.get('DRBD_KERNEL_VERSION'))
              or _version_from_code(found.get('DRBD_KERNEL_VERSION_CODE'))
              or _version_string(found.get('kernel')))
    utils = (_version_string(found.get('DRBDADM_VERSION'))
             or _version_from_code(found.get('DRBDADM_VERSION_CODE')))
    return {
        'kernel': kernel,
        'utils': utils,
        'kernel_major': _int(kernel.split('.')[0]) if kernel else None,
    }


def _version_string(value):
    if not _is_string(value):
        return None
    match = _VERSION_RE.match(value.replace('\\', ''))
    if not match or match.group(1) == '0.0.0':
        return None
    return value


def _version_from_code(value):
    try:
        code = int(value, 16)
    except (TypeError, ValueError):
        return None
    if code <= 0:
        return None
    return '%d.%d.%d' % ((code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff)


# ---------------------------------------------------------------------------
# predicates on one normalised resource_state

def _volumes(res):
    """The per-volume dicts, or the top level itself for a volume-less state."""
    return res.get('volumes') or [res]


def is_connected(res):
    return bool(res) and res.get('connection_state') == 'Connected'


def is_healthy(res):
    """Connected, Established, UpToDate on both sides for every volume, no suspended I/O."""
    if not is_connected(res) or res.get('suspended') or not res.get('volumes'):
        return False
    return all(vol.get('replication_state') == 'Established'
               and vol.get('disk_state') == 'UpToDate'
               and vol.get('peer_disk_state') == 'UpToDate'
               for vol in res['volumes'])


def is_syncing(res):
    """A resync (either direction, paused included) runs on some volume."""
    return bool(res) and any(vol.get('replication_state') in SYNC_STATES for vol in _volumes(res))


def describe_sync(vol):
    """'SyncTarget, 45.67% done, about 120 s left' for messages."""
    text = vol.get('replication_state') or 'resync'
    if vol.get('sync_percent') is not None:
        text += ', %.2f%% done' % vol['sync_percent']
    if vol.get('eta_seconds') is not None:
        text += ', about %d s left' % vol['eta_seconds']
    return text


def _where(res, vol):
    """Prefix naming the volume, only when there is more than one."""
    if len(res.get('volumes') or []) > 1:
        return 'volume %s: ' % vol.get('volume')
    return ''


def demotion_blockers(res):
    """Reasons why demoting this node to Secondary now is not safe; [] means go.

    Demoting never discards data, so only states where it cannot work
    cleanly block it.
    """
    if not res:
        return ['the DRBD resource is not up on this node, so there is nothing to demote; '
                'check "drbdadm status"']
    if res.get('suspended'):
        return ['I/O is suspended on this node (a fencing freeze): demoting now would fail the '
                'writes that are queued. Bring the replication link back, or resume writes with '
                'resume_writes.yml (drbdadm resume-io) if the peer is down for good, then demote']
    return []


def safe_to_demote(res):
    return not demotion_blockers(res)


_FORCE_HINT = ', or set force_stale_promotion=true if the peer is lost for good'
_DISK_REASONS = {
    'Outdated': 'local disk is Outdated: the peer fenced this node while it kept writing; '
                'promoting would lose those writes. Rejoin instead' + _FORCE_HINT,
    'Inconsistent': 'local disk is Inconsistent: it holds a partial copy (a sync never '
                    'finished); promoting would serve incomplete data. Connect to the '
                    'UpToDate peer and let the resync finish' + _FORCE_HINT,
    'Consistent': 'local disk is Consistent, but DRBD cannot tell whether it is current '
                  '(no peer to compare with); promoting could lose newer writes made on '
                  'the peer. Reconnect so DRBD can decide' + _FORCE_HINT,
    'DUnknown': 'local disk state is unknown (DUnknown); check the backing device and '
                '"drbdadm status" first' + _FORCE_HINT,
    'Diskless': 'local disk is Diskless: no backing device is attached (never attached, or '
                'detached after an I/O error); a Primary here would run on the peer\'s disk '
                'or fail. Attach the disk ("drbdadm attach") and let it resync' + _FORCE_HINT,
    'Failed': 'local disk Failed: the backing device reported I/O errors. Repair or replace '
              'it, then attach and resync' + _FORCE_HINT,
}


def promotion_blockers(res, force_stale=False):
    """Reasons why promoting this node to Primary now would risk data; [] means go.

    With force_stale=True the operator accepts stale or partial local data
    (peer lost for good, or first bring-up): only "the peer is a connected
    Primary" remains, which can never be forced. A resource that is not up
    at all is reported too, since there is nothing to promote.
    """
    if not res:
        return ['the DRBD resource is not up on this node: bring it up first '
                '("drbdadm up", or the mirror role), then check again']
    if res.get('role') == 'Primary':
        return []  # already promoted: nothing to risk
    reasons = []
    if is_connected(res) and res.get('peer_role') == 'Primary':
        reasons.append('peer %s is Primary and connected: DRBD allows one Primary only; '
                       'demote the peer first (make_secondary). This cannot be forced'
                       % (res.get('peer_name') or ''))
    if force_stale:
        return reasons
    for vol in _volumes(res):
        where = _where(res, vol)
        replication = vol.get('replication_state')
        disk = vol.get('disk_state')
        if replication in SYNC_TARGET_STATES:
            reasons.append('%sresync in progress as target (%s): this node\'s data is '
                           'incomplete until it finishes; wait for it instead of promoting'
                           % (where, describe_sync(vol)) + _FORCE_HINT)
        elif replication == 'Behind':
            reasons.append('%sreplication is Behind: this node lags the peer (congestion '
                           'mode); wait until it is Established again' % where + _FORCE_HINT)
        elif disk != 'UpToDate':
            reason = _DISK_REASONS.get(disk or 'DUnknown')
            if reason is None:
                reason = ('local disk is %s, not UpToDate (a transition or an unknown state); '
                          'wait a few seconds and check again' % disk) + _FORCE_HINT
            reasons.append(where + reason)
    return reasons
