# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions of the drbd_resource module: bring one configured DRBD resource up.

PRIVATE to the hapair.cluster collection. Pure functions only: no
AnsibleModule, no I/O, Python 2.7 and 3.6 compatible (EL7 targets).

The module gathers facts by running read-only probes, one at a time, as
``plan()`` asks for them (``plan()`` returns ``need``: the name of the next
probe, see ``probe_argv``), then executes the write commands ``plan()`` lists
in ``actions``, or fails with ``plan()``'s ``refusal`` without writing.

Facts are ``(rc, stdout, stderr)`` tuples keyed by probe name, except
``realpaths`` (``{path: realpath}``) and ``usage`` (``{'mounts': [...],
'holders': [...]}``), which the module computes itself.

Probes (all read-only; the DRBD ones work for 8.4 kernels through
``drbdadm-84``/``drbdsetup-84`` and for DRBD 9)::

  dump       drbdadm dump RES           config parses, RES defined for this host
  ll_dev     drbdadm sh-ll-dev RES      backing disk(s) of this host, one per volume
  md_idx     drbdadm sh-md-idx RES      "internal" for internal metadata
  minor      drbdadm sh-minor RES       device minor(s)
  events2    drbdsetup events2 --now RES   is it up, and its state
  blkid      blkid -p -o export DEV     GPT partition name (PART_ENTRY_NAME)
  lsblk      lsblk -dno PARTLABEL DEV   fallback partition name (needs udev)
  dstate     drbdadm dstate RES         metadata present? ("No valid meta data found")
  wipefs     wipefs -n -p DEV           any other signature on the device
  adjust     drbdadm -d adjust RES      what adjust would change (dry run)
  gi         drbdadm get-gi RES         current data generation UUID
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

try:
    from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import parse_events2
except ImportError:  # pragma: no cover - only when drbd_status is missing
    parse_events2 = None


# Current UUID of metadata that "create-md" has just written and that was never
# used: UUID_JUST_CREATED in the DRBD kernel sources. The lowest bit of a UUID is
# the "was primary" flag, so it is masked off before comparing.
UUID_JUST_CREATED = 0x4

INITIAL_SYNC_MODES = ('none', 'source', 'skip')

# Commands that change something; the unit tests assert that none of these is run
# on refusal or in check mode.
WRITE_VERBS = ('create-md', 'up', 'adjust', 'primary', 'new-current-uuid', 'down')

# drbdadm -d adjust lines that take the backing disk away or remove objects. They show
# up when the running device uses another disk path or minor than the config, or when a
# volume or peer was removed from it. Disruptive on a Primary: never done automatically.
DISRUPTIVE_ADJUST = ('detach', 'del-minor', 'del-peer', 'del-resource', 'down')

# Disk states that mean "this disk holds data the peer can sync from".
DATA_DISK_STATES = ('UpToDate', 'Consistent', 'Outdated')

NO_METADATA_TEXT = 'No valid meta data found'
CREATE_MD_OK_TEXT = 'New drbd meta data block successfully created'
# Texts drbdmeta prints when it would need a "yes" (which it never gets from us).
CREATE_MD_PROMPT_TEXTS = (
    'Do you want to proceed?', 'Do you really want to', 'convert to', 'So you want me to',
    'Move internal meta data', 'not waiting for confirmation', '[need to type',
    'Operation canceled', 'Operation cancelled', 'Operation refused',
)
# drbdsetup events2 / status when the resource is not configured in the kernel.
NOT_UP_TEXTS = ('No such resource', 'not defined', 'Unknown resource')
# ... and when the kernel module is absent or cannot be loaded.
NO_MODULE_TEXTS = (
    'Failed to modprobe drbd', "Could not connect to 'drbd' generic netlink family",
    'Could not stat /proc/drbd', 'Module drbd not found',
)

_GI_RE = re.compile(r'^([0-9A-Fa-f]{16})(?::[0-9A-Fa-f]{16}){3}(?::\d+)+\s*$')
_SECRET_RES = (
    (re.compile(r'(--shared-secret=)(\S+)'), r'\1********'),
    (re.compile(r'(shared-secret\s+)("[^"]*"|\S+?)(\s*;)'), r'\1"********"\3'),
)
# drbdadm prints this noise on stderr when no DRBD module is installed at all.
_NOISE_RE = re.compile(r'^modinfo: ERROR: Module drbd not found\.?$')

_SIGNATURE_NAMES = {
    'gpt': 'a GPT partition table', 'PMBR': 'a protective MBR', 'dos': 'an MBR partition table',
    'LVM2_member': 'an LVM physical volume', 'linux_raid_member': 'an MD RAID member',
    'swap': 'a swap area', 'crypto_LUKS': 'a LUKS container', 'drbd': 'DRBD metadata',
    'zfs_member': 'a ZFS pool member', 'bcache': 'a bcache device', 'VMFS': 'a VMFS volume',
    'ceph_bluestore': 'a Ceph OSD',
}
_FILESYSTEMS = (
    'xfs', 'ext2', 'ext3', 'ext4', 'btrfs', 'vfat', 'exfat', 'ntfs', 'jfs', 'reiserfs',
    'f2fs', 'nilfs2', 'iso9660', 'udf', 'squashfs', 'hfsplus', 'minix', 'ocfs2', 'gfs2',
)


class PlanError(Exception):
    """Raised for invalid option combinations (the module turns it into fail_json)."""


# ---------------------------------------------------------------------------
# small parsers

def _text(value):
    """str (unicode) from str, bytes or None."""
    if value is None:
        return u''
    if isinstance(value, bytes):  # also Python 2's str
        return value.decode('utf-8', 'replace')
    return value


def lines(text):
    """Non-empty, stripped lines."""
    return [line.strip() for line in _text(text).splitlines() if line.strip()]


def clean_stderr(text):
    """stderr without the modinfo noise of hosts that have no DRBD module, one line."""
    kept = [line for line in lines(text) if not _NOISE_RE.match(line)]
    return ' '.join(kept)


def mask_secrets(text):
    """Hide shared-secret values in drbdadm output (dry runs print them)."""
    text = _text(text)
    for regex, repl in _SECRET_RES:
        text = regex.sub(repl, text)
    return text


def parse_gi(text):
    """``drbdadm get-gi`` / ``drbdmeta get-gi`` -> current UUID (int) or None.

    8.4 prints 4 UUIDs and 7 flags, DRBD 9 4 UUIDs and 12 flags, e.g.
    ``0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:0:0:0``.
    The first field is the current data generation UUID in both.
    """
    for line in lines(text):
        match = _GI_RE.match(line)
        if match:
            return int(match.group(1), 16)
    return None


def is_fresh_uuid(current):
    """True for the UUID of metadata that create-md wrote and that was never synced."""
    return current is not None and (current & ~1) == UUID_JUST_CREATED


def parse_wipefs(text):
    """``wipefs -n -p DEV`` -> [{'offset', 'uuid', 'label', 'type'}].

    Columns are ``offset,uuid,label,type``; util-linux 2.23 (EL7) prints a
    ``# offset,uuid,label,type`` header first. A label may contain commas, so
    the type is taken from the end.
    """
    result = []
    for line in lines(text):
        if line.startswith('#'):
            continue
        head = line.split(',', 2)
        if len(head) < 3:
            continue
        rest, sep, sig_type = head[2].rpartition(',')
        if not sep:
            continue
        result.append({'offset': head[0], 'uuid': head[1], 'label': rest,
                       'type': sig_type.strip()})
    return result


def _unescape_blkid(value):
    return re.sub(r'\\(.)', r'\1', value)


def parse_blkid_export(text):
    """``blkid -p -o export DEV`` -> {KEY: value} with blkid's backslash escapes undone."""
    result = {}
    for line in lines(text):
        key, sep, value = line.partition('=')
        if sep and key:
            result[key] = _unescape_blkid(value)
    return result


def parse_dry_run(text):
    """``drbdadm -d adjust RES`` stdout -> the command lines it would run (secrets masked)."""
    return [mask_secrets(line) for line in lines(text) if not line.startswith('#')]


def adjust_diff(name, plan):
    """Diff mode: what ``drbdadm -d adjust NAME`` listed (already masked), or None when nothing."""
    if not plan:
        return None
    return {'prepared': 'drbdadm adjust %s would run (drbdadm -d adjust %s):\n%s\n'
                        % (name, name, '\n'.join('  ' + line for line in plan))}


def describe_signature(sig_type):
    """'xfs' -> 'an xfs filesystem', 'gpt' -> 'a GPT partition table', ..."""
    if sig_type in _SIGNATURE_NAMES:
        return _SIGNATURE_NAMES[sig_type]
    if sig_type in _FILESYSTEMS:
        article = 'an' if sig_type[0] in 'aeiox' else 'a'
        return '%s %s filesystem' % (article, sig_type)
    return 'a %s signature' % sig_type


def normalise_state(events2_text, name):
    """``drbdsetup events2 --now`` text -> the resource's state dict, or None if absent."""
    if parse_events2 is None:  # pragma: no cover
        raise PlanError('module_utils drbd_status is missing from the collection')
    resources = parse_events2(events2_text)
    res = resources.get(name)
    if res is None:
        return None
    volumes = res.get('volumes') or []
    return {
        'up': True,
        'role': res.get('role'),
        'disk_state': res.get('disk_state'),
        'peer_disk_state': res.get('peer_disk_state'),
        'connection_state': res.get('connection_state'),
        'replication_state': res.get('replication_state'),
        'minor': res.get('minor'),
        'volume': volumes[0].get('volume') if volumes else None,
        'volumes': len(volumes),
    }


DOWN_STATE = {
    'up': False, 'role': None, 'disk_state': None, 'peer_disk_state': None,
    'connection_state': None, 'replication_state': None, 'minor': None,
    'volume': None, 'volumes': 0,
}


def public_state(state):
    """The ``state`` return value: the five normalised keys plus ``up``."""
    state = state or DOWN_STATE
    return dict((key, state.get(key)) for key in (
        'up', 'role', 'disk_state', 'peer_disk_state', 'connection_state', 'replication_state'))


# ---------------------------------------------------------------------------
# probes

def probe_argv(probe, params, facts):
    """The read-only command line of a probe (binary names unresolved)."""
    name = params['name']
    dev = backing_real(params, facts)
    table = {
        'dump': ['drbdadm', 'dump', name],
        'll_dev': ['drbdadm', 'sh-ll-dev', name],
        'md_idx': ['drbdadm', 'sh-md-idx', name],
        'minor': ['drbdadm', 'sh-minor', name],
        'events2': ['drbdsetup', 'events2', '--now', name],
        'blkid': ['blkid', '-p', '-o', 'export', dev],
        'lsblk': ['lsblk', '-dno', 'PARTLABEL', dev],
        'dstate': ['drbdadm', 'dstate', name],
        'wipefs': ['wipefs', '-n', '-p', dev],
        'adjust': ['drbdadm', '-d', 'adjust', name],
        'gi': ['drbdadm', 'get-gi', name],
    }
    return table[probe]


def write_argv(verb, name, volume=None):
    """The command line of a write action."""
    table = {
        'create-md': ['drbdadm', 'create-md', name],
        'up': ['drbdadm', 'up', name],
        'adjust': ['drbdadm', 'adjust', name],
        'primary-force': ['drbdadm', 'primary', '--force', name],
        'new-current-uuid': ['drbdadm', 'new-current-uuid', '--clear-bitmap',
                             '%s/%s' % (name, 0 if volume is None else volume)],
        'down': ['drbdadm', 'down', name],
    }
    return table[verb]


def _action(verb, name, volume=None):
    action = {'verb': verb, 'argv': write_argv(verb, name, volume)}
    if verb == 'create-md':
        # drbdmeta asks before it overwrites anything; "no" (and drbd-utils 9.x's
        # "stdin not a TTY") means such a question always ends in a refusal.
        action['stdin'] = 'no\n'
    return action


def backing_real(params, facts):
    """The resolved backing device (the given path until realpaths are known)."""
    return (facts.get('realpaths') or {}).get(params['backing_device']) or params['backing_device']


# ---------------------------------------------------------------------------
# decisions

def validate_params(params):
    if params.get('initial_sync', 'none') not in INITIAL_SYNC_MODES:
        raise PlanError('initial_sync must be one of %s' % ', '.join(INITIAL_SYNC_MODES))
    if params.get('state', 'up') == 'down' and params.get('initial_sync', 'none') != 'none':
        raise PlanError('initial_sync=%s needs state=up' % params['initial_sync'])


def config_refusal(name, result):
    """drbdadm dump RES -> refusal text, or None when the config is valid."""
    rc, out, err = result
    if rc == 0 and lines(out):
        return None
    detail = clean_stderr(err) or 'no output'
    if rc == 10:
        return ('the DRBD configuration does not parse (drbdadm dump %s: rc 10, config invalid): '
                '%s. Fix /etc/drbd.d/%s.res; nothing was changed.' % (name, detail, name))
    if 'not defined in your config' in detail:
        return ("resource '%s' is not defined for this host in the DRBD configuration (%s). "
                "Check that /etc/drbd.d/%s.res exists and has an 'on <host>' section whose "
                "name is this host's 'uname -n'; nothing was changed." % (name, detail, name))
    return 'drbdadm dump %s failed (rc %s): %s; nothing was changed.' % (name, rc, detail)


def events2_state(name, result):
    """drbdsetup events2 --now RES -> (state or None, module_missing text or None, error or None).

    A resource that is not configured in the kernel gives (None, None, None); a
    kernel without a loadable drbd module gives (None, why, None): the resource
    is down then, too.
    """
    rc, out, err = result
    state = normalise_state(out, name) if rc == 0 else None
    if state is not None:
        return state, None, None
    text = clean_stderr(err)
    if rc == 0 or rc == 10 or any(t in text for t in NOT_UP_TEXTS):
        return None, None, None
    if any(t in _text(err) for t in NO_MODULE_TEXTS):
        return None, text or 'rc %s' % rc, None
    return None, False, ('cannot read the state of %s (drbdsetup events2 --now %s: rc %s): %s'
                         % (name, name, rc, text or 'no output'))


def _partlabel_of(facts):
    """(label or None, facts missing?)"""
    blkid = facts.get('blkid')
    if blkid is None:
        return None, 'blkid'
    label = parse_blkid_export(blkid[1]).get('PART_ENTRY_NAME') if blkid[0] == 0 else None
    if label:
        return label, None
    lsblk = facts.get('lsblk')
    if lsblk is None:
        return None, 'lsblk'
    label = lines(lsblk[1])[0] if lsblk[0] == 0 and lines(lsblk[1]) else None
    return label, None


def metadata_probe(result):
    """drbdadm dstate RES (resource down) -> ('present'|'absent'|'error', detail)."""
    rc, out, err = result
    out_lines = lines(out)
    if rc == 0 and out_lines:
        return 'present', out_lines[0]
    if NO_METADATA_TEXT in _text(err) or NO_METADATA_TEXT in _text(out):
        return 'absent', None
    return 'error', clean_stderr(err) or 'rc %s, no output' % rc


def signature_refusal(dev, name, signatures):
    """Refusal text for a device without readable DRBD metadata that is not blank."""
    drbd = [s for s in signatures if s['type'] == 'drbd']
    if drbd:
        return ("%s holds DRBD metadata (wipefs finds a drbd signature at offset %s) that "
                "'drbdadm dstate %s' cannot read (\"%s\"): most likely metadata of the other "
                "format (v08 written by DRBD 8.4, v09 by DRBD 9, e.g. after an upgrade) or of a "
                "device that was resized. This module does not convert or replace metadata: "
                "follow the DRBD upgrade guide ('drbdadm create-md %s' asks to convert) or, if "
                "the data is expendable, wipe it yourself (wipefs -a %s). Nothing was changed."
                % (dev, drbd[0]['offset'], name, NO_METADATA_TEXT, name, dev))
    found = []
    for sig in signatures:
        text = '%s (at offset %s)' % (describe_signature(sig['type']), sig['offset'])
        if text not in found:
            found.append(text)
    return ("%s holds %s; DRBD internal metadata would overwrite the end of it. This module "
            "never wipes data. If that data is expendable, wipe it yourself: wipefs -a %s "
            "(then run again). Nothing was changed." % (dev, ', '.join(found), dev))


def create_md_outcome(name, dev, result):
    """drbdadm create-md RES result -> (ok, message)."""
    rc, out, err = result
    both = _text(out) + '\n' + _text(err)
    if rc == 0 and CREATE_MD_OK_TEXT in both:
        return True, None
    detail = ' '.join(line for line in lines(both) if not _NOISE_RE.match(line))
    if any(t in both for t in CREATE_MD_PROMPT_TEXTS):
        return False, ("drbdadm create-md %s stopped at a safety question of drbdmeta, which this "
                       "module always answers 'no' (rc %s): %s. %s holds data that wipefs could "
                       "not name, or metadata at an unexpected place. If the data is expendable, "
                       "clear it yourself (wipefs -a %s; for unnamed data at the start of the "
                       "device: dd if=/dev/zero of=%s bs=1M count=1 oflag=direct) and run again. "
                       "Nothing was written." % (name, rc, detail, dev, dev, dev))
    return False, 'drbdadm create-md %s failed (rc %s): %s' % (name, rc, detail or 'no output')


def adjust_decision(name, result, state):
    """drbdadm -d adjust RES (resource up) -> (pending lines, refusal, warnings)."""
    rc, out, err = result
    if rc != 0:
        return [], ('drbdadm -d adjust %s failed (rc %s): %s; nothing was changed.'
                    % (name, rc, clean_stderr(err) or 'no output')), []
    pending = parse_dry_run(out)
    if not pending:
        return [], None, []
    disruptive = [line for line in pending if _drbdsetup_verb(line) in DISRUPTIVE_ADJUST]
    if disruptive:
        return pending, ("drbdadm adjust %s would detach or remove parts of the running resource "
                         "(%s): the running device uses another backing disk path, minor, volume "
                         "or peer than the configuration. That is disruptive (on a Primary the "
                         "data would be served from the peer or I/O would fail), so this module "
                         "does not do it. Check 'drbdsetup show %s' against 'drbdadm dump %s' and "
                         "run 'drbdadm adjust %s' by hand in a maintenance window if intended. "
                         "Nothing was changed."
                         % (name, '; '.join(disruptive), name, name, name)), []
    warnings = []
    verbs = [_drbdsetup_verb(line) for line in pending]
    if 'connect' in verbs and (state or {}).get('connection_state') == 'StandAlone':
        warnings.append(
            "%s was StandAlone (split brain, failed authentication or a manual "
            "'drbdadm disconnect'); adjust connects it again. If it falls back to StandAlone, "
            "look for 'Split-Brain detected' in the kernel log of both nodes and resolve it by "
            "hand." % name)
    return pending, None, warnings


def _drbdsetup_verb(line):
    """'/usr/lib/drbd/drbdsetup-84 detach 7' -> 'detach'; 'drbdmeta 7 v08 ... apply-al' -> 'apply-al'."""
    words = line.split()
    if not words:
        return None
    tool = words[0].rsplit('/', 1)[-1]
    if tool.startswith('drbdsetup') and len(words) > 1:
        return words[1]
    if tool.startswith('drbdmeta'):
        plain = [w for w in words[1:] if not w.startswith('-')]
        return plain[3] if len(plain) > 3 else None
    return words[1] if len(words) > 1 else None


def initial_sync_decision(name, mode, state, gi_result):
    """Decide the one-time initial sync.

    Returns {'result': 'none'|'not-needed'|'started'|'skipped', 'action': action or None,
    'refusal': text or None, 'warnings': [...]}.
    """
    decision = {'result': 'none', 'action': None, 'refusal': None, 'warnings': []}
    if mode == 'none':
        return decision
    state = state or DOWN_STATE
    if not state.get('up'):
        decision['refusal'] = 'initial_sync=%s: resource %s is not up' % (mode, name)
        return decision

    rc, out, err = gi_result
    current = parse_gi(out) if rc == 0 else None
    if current is None:
        decision['refusal'] = ('initial_sync=%s: cannot read the generation UUIDs of %s '
                               '(drbdadm get-gi %s: rc %s): %s; nothing was changed.'
                               % (mode, name, name, rc, clean_stderr(err) or _text(out).strip()
                                  or 'no output'))
        return decision

    disk = state.get('disk_state')
    peer_disk = state.get('peer_disk_state')
    fresh = is_fresh_uuid(current)
    if disk != 'Inconsistent' or not fresh:
        decision['result'] = 'not-needed'
        if disk == 'Inconsistent' and peer_disk == 'Inconsistent' and not fresh:
            decision['warnings'].append(
                'initial_sync=%s: both disks of %s are Inconsistent but the local metadata is not '
                'freshly created (current UUID %016X): this pair was synced before, or a sync was '
                'interrupted. Not forcing a sync direction; decide by hand which node has the '
                'good data.' % (mode, name, current))
        return decision

    if state.get('connection_state') != 'Connected':
        decision['refusal'] = ('peer not connected; initial sync needs both nodes up '
                               '(%s: connection %s, local disk %s)'
                               % (name, state.get('connection_state'), disk))
        return decision
    if peer_disk in DATA_DISK_STATES:
        # The peer has data (it was made the sync source): it syncs to us.
        decision['result'] = 'not-needed'
        return decision
    if peer_disk != 'Inconsistent' or state.get('replication_state') != 'Established':
        decision['refusal'] = ('initial_sync=%s: the peer of %s is connected but not ready '
                               '(peer disk %s, replication %s); run again when both disks show '
                               'Inconsistent and replication is Established.'
                               % (mode, name, peer_disk, state.get('replication_state')))
        return decision

    if mode == 'source':
        decision['result'] = 'started'
        decision['action'] = _action('primary-force', name)
    else:
        decision['result'] = 'skipped'
        decision['action'] = _action('new-current-uuid', name, state.get('volume'))
    return decision


def in_use_reasons(device, usage):
    """usage {'mounts': [(mountpoint, fstype)], 'holders': [name], 'open_count': n,
    'unreadable': why} -> texts. What could not be read counts as in use."""
    reasons = []
    if (usage or {}).get('unreadable'):
        reasons.append('whether %s is mounted is unknown: %s; that counts as in use'
                       % (device, usage['unreadable']))
    for mountpoint, fstype in (usage or {}).get('mounts') or []:
        reasons.append('%s is mounted on %s (%s)' % (device, mountpoint, fstype))
    for holder in (usage or {}).get('holders') or []:
        reasons.append('%s is held by %s (device-mapper/LVM/md on top of it)' % (device, holder))
    return reasons


def _result(**kwargs):
    base = {
        'need': None, 'refusal': None, 'actions': [], 'warnings': [], 'minor': None,
        'backing_device': None, 'state': None, 'initial_sync': 'none', 'pending': [],
        'deferred_initial_sync': False, 'module_missing': False,
    }
    base.update(kwargs)
    return base


def plan(params, facts):  # noqa: C901 - one linear decision list reads best
    """Decide what to do.

    params: name, state (up|down), backing_device, expected_partlabel, initial_sync.
    facts: gathered probe results (see the module docstring).

    Returns a dict; exactly one of these holds:
      need      the name of the next probe to run (the module runs it and calls again);
      refusal   a message: change nothing and fail;
      otherwise ``actions`` (possibly empty) are the write commands to run, in order.
    """
    validate_params(params)
    name = params['name']
    mode = params.get('initial_sync') or 'none'
    wanted = params.get('state') or 'up'
    out = _result()

    # 1. the configuration parses and defines the resource for this host
    if 'dump' not in facts:
        return _result(need='dump')
    refusal = config_refusal(name, facts['dump'])
    if refusal:
        return _result(refusal=refusal)
    dump_warnings = clean_stderr(facts['dump'][2])
    if dump_warnings:  # e.g. "IP 10.99.0.1 not found on this host."
        out['warnings'].append('drbdadm dump %s: %s' % (name, dump_warnings))

    # 2. the config's disk for this host is the backing device we were given
    for probe in ('ll_dev', 'md_idx', 'minor'):
        if probe not in facts:
            return _result(need=probe)
    rc, ll_out, ll_err = facts['ll_dev']
    config_disks = lines(ll_out)
    if rc != 0 or not config_disks:
        return _result(refusal='drbdadm sh-ll-dev %s failed (rc %s): %s'
                       % (name, rc, clean_stderr(ll_err) or 'no output'))
    if len(config_disks) != 1:
        return _result(refusal='resource %s has %d volumes (%s); this module manages '
                       'single-volume resources only. Nothing was changed.'
                       % (name, len(config_disks), ', '.join(config_disks)))
    md_idx = lines(facts['md_idx'][1])
    if facts['md_idx'][0] != 0 or md_idx != ['internal']:
        return _result(refusal='resource %s does not use internal metadata (drbdadm sh-md-idx: '
                       '%s); this module only manages "meta-disk internal". Nothing was changed.'
                       % (name, ' '.join(md_idx) or clean_stderr(facts['md_idx'][2])))
    minors = lines(facts['minor'][1])
    minor = int(minors[0]) if facts['minor'][0] == 0 and minors and minors[0].isdigit() else None
    out['minor'] = minor

    if 'realpaths' not in facts:
        return _result(need='realpaths', paths=[params['backing_device'], config_disks[0]])
    realpaths = facts['realpaths']
    given = params['backing_device']
    given_real = realpaths.get(given, given)
    config_real = realpaths.get(config_disks[0], config_disks[0])
    if given_real is None:
        return _result(refusal='backing_device %s does not exist on this host. Nothing was '
                       'changed.' % given, minor=minor)
    if config_real is None:
        return _result(refusal='the DRBD configuration of %s names the disk %s for this host, '
                       'which does not exist. Nothing was changed.' % (name, config_disks[0]),
                       minor=minor)
    out['backing_device'] = given_real
    if given_real != config_real:
        return _result(refusal=(
            'backing_device %s (%s) is not the disk that the DRBD configuration uses for %s on '
            'this host: %s (%s). The configuration and the role disagree; refusing to touch '
            'either. Nothing was changed.' % (given, given_real, name, config_disks[0], config_real)),
            minor=minor, backing_device=given_real)

    # 3. proof that our spare_partition module carved it
    expected = params.get('expected_partlabel')
    if expected:
        label, missing = _partlabel_of(facts)
        if missing:
            return _result(need=missing)
        if label != expected:
            found = "carries the partition name '%s'" % label if label else \
                'carries no GPT partition name (PARTLABEL)'
            return _result(refusal=(
                "backing device %s %s, expected '%s': it is not the partition that "
                "hapair.cluster.spare_partition carved for the mirror. Refusing to put DRBD "
                "metadata on it. Nothing was changed." % (given_real, found, expected)),
                minor=minor, backing_device=given_real)

    # 4. is it up?
    if 'events2' not in facts:
        return _result(need='events2')
    state, module_missing, error = events2_state(name, facts['events2'])
    if error:
        return _result(refusal=error + '; nothing was changed.', minor=minor,
                       backing_device=given_real)
    out['state'] = state or dict(DOWN_STATE)
    out['module_missing'] = bool(module_missing)
    if state and state.get('minor') is not None:
        out['minor'] = state['minor']
    device = '/dev/drbd%s' % out['minor'] if out['minor'] is not None else None

    # 5. state=down
    if wanted == 'down':
        if not state:
            return out
        if 'usage' not in facts:
            return _result(need='usage', device=device)
        reasons = in_use_reasons(device, facts['usage'])
        if reasons:
            out['refusal'] = ('refusing to take %s down: it is %s and in use: %s. Stop the '
                              'services, unmount it (and remove what holds it), then run again. '
                              'Nothing was changed.'
                              % (name, state.get('role') or 'Unknown', '; '.join(reasons)))
            return out
        out['actions'].append(_action('down', name))
        return out

    # 6. state=up, resource down: metadata, then up
    if not state:
        if module_missing:
            out['refusal'] = ('the DRBD kernel module is not loaded and cannot be loaded (%s); '
                              'install it (and reboot into the matching kernel if needed). '
                              'Nothing was changed.' % module_missing)
            return out
        if 'dstate' not in facts:
            return _result(need='dstate')
        found, detail = metadata_probe(facts['dstate'])
        if found == 'error':
            out['refusal'] = ('cannot tell whether %s holds DRBD metadata (drbdadm dstate %s: %s); '
                              'nothing was changed.' % (given_real, name, detail))
            return out
        if found == 'absent':
            if 'wipefs' not in facts:
                return _result(need='wipefs')
            rc, w_out, w_err = facts['wipefs']
            if rc != 0:
                out['refusal'] = ('cannot probe %s for signatures (wipefs -n -p: rc %s): %s; '
                                  'nothing was changed.' % (given_real, rc, clean_stderr(w_err)))
                return out
            signatures = parse_wipefs(w_out)
            if signatures:
                out['refusal'] = signature_refusal(given_real, name, signatures)
                return out
            out['actions'].append(_action('create-md', name))
        out['actions'].append(_action('up', name))
        if mode != 'none':
            out['deferred_initial_sync'] = True
        return out

    # 7. state=up, resource up: apply the configuration
    if 'adjust' not in facts:
        return _result(need='adjust')
    pending, refusal, warnings = adjust_decision(name, facts['adjust'], state)
    out['pending'] = pending
    out['warnings'].extend(warnings)
    if refusal:
        out['refusal'] = refusal
        return out
    if pending:
        out['actions'].append(_action('adjust', name))

    # 8. the one-time initial sync
    if mode != 'none':
        if 'gi' not in facts:
            return _result(need='gi')
        decision = initial_sync_decision(name, mode, state, facts['gi'])
        out['warnings'].extend(decision['warnings'])
        if decision['refusal']:
            out['refusal'] = decision['refusal']
            return out
        out['initial_sync'] = decision['result']
        if decision['action']:
            out['actions'].append(decision['action'])
    return out
