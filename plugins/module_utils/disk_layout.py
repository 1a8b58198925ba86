# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Decisions for the DRBD backing partition ("spare partition").

Pure functions only: no AnsibleModule, no subprocesses, no file access. The module
``hapair.cluster.spare_partition`` runs the read-only tools, hands their output to the
parsers below, builds one ``info`` dict and asks :func:`plan_partition` what to do.

Sources of truth (chosen because they exist and agree on EL7 ... Debian 12):

* ``parted -m -s DISK unit B print free``: partition table type, partitions, GPT names
  and free regions (parted 3.1 on EL7, 3.5 on Debian 12).
* ``lsblk -P -b -o NAME,KNAME,TYPE,SIZE,RO,FSTYPE,MOUNTPOINT,PARTLABEL,PARTUUID,PKNAME``
  (no device argument): the device tree, mount points, active swap, holders. ``-P``
  and these columns exist in util-linux 2.23 (EL7); ``-J`` and ``PATH`` do not.
  FSTYPE/PARTLABEL/PARTUUID come from the udev database and may be empty.
* ``wipefs -n -p DEVICE``: every signature on the disk itself.
* ``blkid -p -o export DEVICE``: low-level probe of one device (PTTYPE/PTUUID of a
  disk; TYPE and PART_ENTRY_* of a partition) - works without udev.

Engineering rule: never destroy data. Anything ambiguous is refused with a message that
says what was found and what the operator can do; the planner never plans a write on a
device that is mounted, is active swap, or has holders.

Python 2.7 / 3.6 compatible (EL7 targets).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

MIB = 1024 * 1024
ALIGN = MIB
MIN_PARTITION_SIZE = MIB
# GPT keeps a backup header (one sector) and a 16 KiB entry array at the end of the disk.
GPT_ENTRY_ARRAY_BYTES = 16384
# An MBR entry stores start and length as 32-bit sector counts.
MSDOS_MAX_SECTORS = 2 ** 32
MSDOS_MAX_PRIMARY = 4
GPT_MAX_PARTITIONS = 128

MODES = ('whole_disk', 'free_space')
WHOLE_DISK_TYPES = ('disk', 'loop')
LABEL_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$')

# wipefs/blkid type names of partition tables.
PARTITION_TABLE_SIGNATURES = frozenset([
    'gpt', 'PMBR', 'dos', 'mac', 'sun', 'sgi', 'bsd', 'atari', 'solaris', 'unixware',
    'minix', 'aix', 'ultrix',
])
_SIGNATURE_WORDS = {
    'gpt': 'gpt partition table',
    'PMBR': 'protective MBR (of a gpt partition table)',
    'dos': 'dos (MBR) partition table',
    'LVM2_member': 'LVM2_member (LVM physical volume)',
    'LVM1_member': 'LVM1_member (LVM physical volume)',
    'linux_raid_member': 'linux_raid_member (md RAID member)',
    'isw_raid_member': 'isw_raid_member (Intel firmware RAID member)',
    'ddf_raid_member': 'ddf_raid_member (firmware RAID member)',
    'swap': 'swap signature',
    'drbd': 'DRBD metadata',
    'crypto_LUKS': 'crypto_LUKS (LUKS encrypted volume)',
    'zfs_member': 'zfs_member (ZFS pool member)',
    'bcache': 'bcache signature',
    'ceph': 'ceph signature',
}
_FILESYSTEMS = frozenset([
    'xfs', 'ext2', 'ext3', 'ext4', 'ext4dev', 'btrfs', 'vfat', 'fat', 'ntfs', 'exfat',
    'iso9660', 'udf', 'reiserfs', 'jfs', 'f2fs', 'nilfs2', 'gfs2', 'ocfs2', 'squashfs',
    'hfs', 'hfsplus', 'ufs', 'minix', 'erofs',
])
RAID_SIGNATURES = frozenset(['linux_raid_member', 'isw_raid_member', 'ddf_raid_member'])

_SIZE_RE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$')
_PERCENT_RE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*%\s*FREE\s*$', re.IGNORECASE)
_SIZE_UNITS = {
    '': 1, 'b': 1,
    'k': 1024, 'kib': 1024, 'm': 1024 ** 2, 'mib': 1024 ** 2,
    'g': 1024 ** 3, 'gib': 1024 ** 3, 't': 1024 ** 4, 'tib': 1024 ** 4,
    'kb': 1000, 'mb': 1000 ** 2, 'gb': 1000 ** 3, 'tb': 1000 ** 4,
}


class DiskLayoutError(ValueError):
    """Tool output or an option value that cannot be understood."""


class _Refusal(Exception):
    pass


# ---------------------------------------------------------------------------------------
# sizes
# ---------------------------------------------------------------------------------------

def parse_size(value):
    """Parse a size option.

    Returns ``('bytes', n)`` or ``('percent', p)`` (``'100%FREE'`` -> ``('percent', 100.0)``).
    Units: plain number = bytes; ``B``; binary ``K``/``KiB``, ``M``/``MiB``, ``G``/``GiB``,
    ``T``/``TiB`` (1024-based, as in LVM and Ansible); decimal ``KB``, ``MB``, ``GB``,
    ``TB`` (1000-based, as in parted). Case-insensitive.
    """
    if isinstance(value, bool):
        raise DiskLayoutError('invalid size %r' % (value,))
    if isinstance(value, int):
        if value <= 0:
            raise DiskLayoutError('size must be positive, got %d' % value)
        return ('bytes', value)
    text = '%s' % (value,)
    match = _PERCENT_RE.match(text)
    if match:
        percent = float(match.group(1))
        if percent <= 0 or percent > 100:
            raise DiskLayoutError("'%s': the percentage must be in (0, 100]" % text)
        return ('percent', percent)
    match = _SIZE_RE.match(text)
    if not match:
        raise DiskLayoutError(
            "'%s' is not a size; use e.g. 512MiB, 10GiB, 2T, 1073741824 or 100%%FREE" % text)
    unit = match.group(2).lower()
    if unit not in _SIZE_UNITS:
        raise DiskLayoutError(
            "'%s': unknown unit '%s'; use B, KiB, MiB, GiB, TiB (or K, M, G, T), KB, MB, GB, TB"
            % (text, match.group(2)))
    number = int(float(match.group(1)) * _SIZE_UNITS[unit])
    if number <= 0:
        raise DiskLayoutError("size must be positive, got '%s'" % text)
    return ('bytes', number)


def human_size(n):
    """``536870912`` -> ``'512 MiB'``; ``1031680`` -> ``'1007.5 KiB'``."""
    n = int(n)
    for unit, factor in (('TiB', 1024 ** 4), ('GiB', 1024 ** 3), ('MiB', 1024 ** 2), ('KiB', 1024)):
        if n >= factor:
            value = n / factor
            if value == int(value):
                return '%d %s' % (int(value), unit)
            return '%.1f %s' % (value, unit)
    return '%d B' % n


def align_up(n, align=ALIGN):
    return ((n + align - 1) // align) * align


def align_down(n, align=ALIGN):
    return (n // align) * align


# ---------------------------------------------------------------------------------------
# parsers
# ---------------------------------------------------------------------------------------

def _split_parted_fields(line):
    """Split one ``parted -m`` record on unescaped ``:`` (parted writes ``\\:`` and ``\\\\``)."""
    if line.endswith(';'):
        line = line[:-1]
    fields, current, i = [], [], 0
    while i < len(line):
        char = line[i]
        if char == '\\' and i + 1 < len(line) and line[i + 1] in ':\\':
            current.append(line[i + 1])
            i += 2
            continue
        if char == ':':
            fields.append(''.join(current))
            current = []
        else:
            current.append(char)
        i += 1
    fields.append(''.join(current))
    return fields


def _bytes_field(text):
    text = text.strip()
    if not text.endswith('B') or not text[:-1].isdigit():
        raise DiskLayoutError('parted: expected a byte value like 1048576B, got %r' % text)
    return int(text[:-1])


def parse_parted_machine(text):
    """Parse ``parted -m -s DISK unit B print free``.

    Returns ``{path, size, transport, logical_sector_size, physical_sector_size, table,
    model, disk_flags, partitions: [{number, start, end, size, fs, name, flags}],
    free: [{start, end, size}]}``. ``table`` is ``'unknown'`` for a disk without a label
    (parted then exits 1 with "unrecognised disk label" but still prints the disk line)
    and ``'loop'`` when a filesystem or other signature covers the whole disk.
    """
    lines = [line.strip() for line in (text or '').splitlines() if line.strip()]
    if not lines or lines[0] != 'BYT;':
        raise DiskLayoutError('parted: machine output must start with "BYT;" (got %r)'
                              % (lines[0] if lines else ''))
    if len(lines) < 2:
        raise DiskLayoutError('parted: no disk line in the output')
    disk = _split_parted_fields(lines[1])
    if len(disk) < 6:
        raise DiskLayoutError('parted: cannot read the disk line %r' % lines[1])
    result = {
        'path': disk[0],
        'size': _bytes_field(disk[1]),
        'transport': disk[2],
        'logical_sector_size': int(disk[3]),
        'physical_sector_size': int(disk[4]),
        'table': disk[5],
        'model': disk[6] if len(disk) > 6 else '',
        'disk_flags': disk[7] if len(disk) > 7 else '',
        'partitions': [],
        'free': [],
    }
    for line in lines[2:]:
        fields = _split_parted_fields(line)
        if len(fields) == 5 and fields[4] == 'free':
            result['free'].append({
                'start': _bytes_field(fields[1]),
                'end': _bytes_field(fields[2]),
                'size': _bytes_field(fields[3]),
            })
            continue
        if len(fields) < 5 or not fields[0].isdigit():
            raise DiskLayoutError('parted: cannot read the partition line %r' % line)
        flags = fields[6] if len(fields) > 6 else ''
        result['partitions'].append({
            'number': int(fields[0]),
            'start': _bytes_field(fields[1]),
            'end': _bytes_field(fields[2]),
            'size': _bytes_field(fields[3]),
            'fs': fields[4],
            'name': fields[5] if len(fields) > 5 else '',
            'flags': [f.strip() for f in flags.split(',') if f.strip()],
        })
    return result


_LSBLK_PAIR_RE = re.compile(r'([A-Za-z0-9_:.%-]+)="((?:[^"\\]|\\.)*)"')
_HEX_RUN_RE = re.compile(r'(?:\\x[0-9a-fA-F]{2})+')


def _unhex(value):
    """Undo lsblk's ``\\xHH`` escapes; a run of them is one UTF-8 sequence."""
    def _decode(match):
        data = bytearray(int(h, 16) for h in match.group(0).split('\\x')[1:])
        return data.decode('utf-8', 'replace')
    return _HEX_RUN_RE.sub(_decode, value)


def parse_lsblk_pairs(text):
    """Parse ``lsblk -P`` output: one dict per line, values unescaped (``\\x20`` -> space)."""
    rows = []
    for line in (text or '').splitlines():
        if not line.strip():
            continue
        pairs = _LSBLK_PAIR_RE.findall(line)
        if not pairs:
            raise DiskLayoutError('lsblk: cannot read line %r' % line)
        rows.append(dict((key, _unhex(value)) for key, value in pairs))
    return rows


def parse_blkid_export(text):
    """Parse ``blkid -p -o export DEVICE`` (``KEY=value`` lines; ``\\ `` is a space)."""
    result = {}
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or '=' not in line:
            continue
        key, value = line.split('=', 1)
        result[key] = re.sub(r'\\(.)', r'\1', value)
    return result


def parse_wipefs_parsable(text):
    """Parse ``wipefs -n -p DEVICE``: ``[{offset, uuid, label, type}]``.

    util-linux 2.23 (EL7) prints a ``# offset,uuid,label,type`` header, 2.38 does not; the
    column order is the same. A header naming other columns is honoured.
    """
    columns = ['offset', 'uuid', 'label', 'type']
    result = []
    for line in (text or '').splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith('#'):
            columns = [c.strip().lower() for c in line.lstrip('#').split(',')]
            continue
        fields = line.split(',')
        if len(fields) > len(columns) and 'label' in columns:
            # a label containing commas: keep the fields around it in place
            extra = len(fields) - len(columns)
            index = columns.index('label')
            fields = (fields[:index] + [','.join(fields[index:index + extra + 1])]
                      + fields[index + extra + 1:])
        row = dict(zip(columns, fields))
        for key in ('offset', 'uuid', 'label', 'type'):
            row.setdefault(key, '')
        result.append(row)
    return result


def describe_signature(sig_type):
    """``'xfs'`` -> ``'xfs filesystem'``, ``'LVM2_member'`` -> ``'LVM2_member (LVM ...)'``."""
    if sig_type in _SIGNATURE_WORDS:
        return _SIGNATURE_WORDS[sig_type]
    if sig_type in _FILESYSTEMS:
        return '%s filesystem' % sig_type
    return '%s signature' % sig_type


# ---------------------------------------------------------------------------------------
# device tree helpers
# ---------------------------------------------------------------------------------------

def dev_path(kname):
    return '/dev/%s' % kname


def partition_path(disk, number):
    """``/dev/vdb`` + 1 -> ``/dev/vdb1``; ``/dev/nvme0n1`` + 1 -> ``/dev/nvme0n1p1``."""
    if disk and disk[-1].isdigit():
        return '%sp%d' % (disk, number)
    return '%s%d' % (disk, number)


def descendants(rows, kname):
    """Rows below ``kname`` in the lsblk forest (partitions, dm, md, ...), in order."""
    found, frontier, seen = [], [kname], set([kname])
    while frontier:
        parent = frontier.pop(0)
        for row in rows:
            if row.get('PKNAME') == parent:
                found.append(row)
                if row.get('KNAME') not in seen:
                    seen.add(row.get('KNAME'))
                    frontier.append(row.get('KNAME'))
    return found


def top_disk(rows, kname):
    """The top-level device (no PKNAME) that ``kname`` lives on."""
    by_name = {}
    for row in rows:
        by_name.setdefault(row.get('KNAME'), row)
    seen = set()
    while kname in by_name and by_name[kname].get('PKNAME') and kname not in seen:
        seen.add(kname)
        kname = by_name[kname].get('PKNAME')
    return kname


def _find_row(rows, kname):
    for row in rows:
        if row.get('KNAME') == kname:
            return row
    return None


def usage_findings(rows, kname, include_partitions=True):
    """What makes ``kname`` (and, with ``include_partitions``, its partitions) in use.

    Returns human strings: mounts (``/dev/vda2 holds the root filesystem (/)``), active
    swap, and holders (anything but a partition below the device: LVM, md, dm-crypt,
    multipath, ...). Without ``include_partitions`` only the disk's own use counts: a
    mount or swap on the whole disk and holders sitting directly on it.
    """
    disk_row = _find_row(rows, kname)
    tree = [disk_row] if disk_row is not None else []
    if include_partitions:
        tree += descendants(rows, kname)
    else:
        tree += [r for r in rows if r.get('PKNAME') == kname and r.get('TYPE') != 'part']
    findings = []
    for row in tree:
        name = dev_path(row.get('KNAME', '?'))
        if row is not disk_row and row.get('TYPE') != 'part':
            text = '%s is held by %s (%s)' % (
                dev_path(row.get('PKNAME', '?')), name, row.get('TYPE', '?'))
            if text not in findings:
                findings.append(text)
        mountpoint = row.get('MOUNTPOINT', '')
        if mountpoint == '[SWAP]':
            text = '%s is active swap' % name
        elif mountpoint == '/':
            text = '%s holds the root filesystem (/)' % name
        elif mountpoint:
            text = '%s is mounted at %s' % (name, mountpoint)
        else:
            continue
        if text not in findings:
            findings.append(text)
    return findings


# ---------------------------------------------------------------------------------------
# planning
# ---------------------------------------------------------------------------------------

def validate_options(opts):
    """Check and normalise options; raises DiskLayoutError with an operator message."""
    label = opts.get('label') or ''
    if not LABEL_RE.match(label):
        raise DiskLayoutError(
            "label '%s' is not usable: use 1-36 characters from A-Z a-z 0-9 . _ - "
            '(starting with a letter or digit)' % label)
    mode = opts.get('mode') or 'whole_disk'
    if mode not in MODES:
        raise DiskLayoutError("mode must be one of %s, got '%s'" % (', '.join(MODES), mode))
    size = parse_size(opts['size']) if opts.get('size') not in (None, '') else ('percent', 100.0)
    min_size = None
    if opts.get('min_size') not in (None, ''):
        kind, min_size = parse_size(opts['min_size'])
        if kind != 'bytes':
            raise DiskLayoutError("min_size must be an absolute size (e.g. 10GiB), not '%s'"
                                  % opts['min_size'])
    return {
        'label': label,
        'mode': mode,
        'size': size,
        'min_size': min_size,
        'force_wipe_signatures': bool(opts.get('force_wipe_signatures')),
    }


def _usable_region(start, end):
    """Align a free region to 1 MiB; returns (start, end) or None if less than 1 MiB remains."""
    a_start = max(align_up(start), ALIGN)
    a_end = align_down(end + 1) - 1
    if a_end - a_start + 1 < MIN_PARTITION_SIZE:
        return None
    return (a_start, a_end)


def free_regions(parted, table=None):
    """Candidate regions for a new partition: aligned, outside msdos extended partitions,
    below the 2 TiB MBR limit. Each: {start, end, size, raw_start, raw_end, raw_size}."""
    table = table or parted['table']
    raw = list(parted['free'])
    extended = []
    if table == 'msdos':
        extended = msdos_extended(parted)
    regions = []
    for free in raw:
        inside = any(e['start'] <= free['start'] and free['end'] <= e['end'] for e in extended)
        if inside:
            continue
        start, end = free['start'], free['end']
        if table == 'msdos':
            limit = MSDOS_MAX_SECTORS * parted['logical_sector_size'] - 1
            end = min(end, limit)
            if start > end:
                continue
        usable = _usable_region(start, end)
        if usable is None:
            continue
        regions.append({
            'start': usable[0], 'end': usable[1], 'size': usable[1] - usable[0] + 1,
            'raw_start': free['start'], 'raw_end': free['end'], 'raw_size': free['size'],
        })
    return regions


def msdos_extended(parted):
    """Extended partitions of an msdos table.

    ``parted -m`` does not print the partition type; an extended partition is recognised
    as a partition numbered 1-4 that contains logical partitions (5+) or free space (a
    primary never contains free space).
    """
    result = []
    for part in parted['partitions']:
        if part['number'] > MSDOS_MAX_PRIMARY:
            continue
        contains_logical = any(
            p['number'] > MSDOS_MAX_PRIMARY and part['start'] <= p['start'] and p['end'] <= part['end']
            for p in parted['partitions'])
        contains_free = any(
            part['start'] <= f['start'] and f['end'] <= part['end'] for f in parted['free'])
        if contains_logical or contains_free:
            result.append(part)
    return result


def predicted_gpt_region(disk_size, sector_size):
    """The aligned region a fresh GPT label leaves usable on a disk of ``disk_size`` bytes."""
    first_usable = 34 * 512 if sector_size == 512 else 6 * sector_size
    last_usable = disk_size - GPT_ENTRY_ARRAY_BYTES - sector_size - 1
    usable = _usable_region(first_usable, last_usable)
    if usable is None:
        return []
    return [{
        'start': usable[0], 'end': usable[1], 'size': usable[1] - usable[0] + 1,
        'raw_start': first_usable, 'raw_end': last_usable,
        'raw_size': last_usable - first_usable + 1,
    }]


def _choose_region(regions):
    best = None
    for region in regions:
        if best is None or region['size'] > best['size'] or (
                region['size'] == best['size'] and region['start'] > best['start']):
            best = region
    return best


def _size_in_region(disk, regions, opts, raw_free):
    """Pick the region and the size; ``raw_free``: sizes of all unallocated pieces."""
    raw_free_total = sum(raw_free)
    raw_free_largest = max(raw_free) if raw_free else 0
    region = _choose_region(regions)
    if region is None:
        if raw_free_total:
            raise _Refusal(
                '%s has only %s unallocated (largest piece %s), no free region of at least %s '
                'after 1 MiB alignment; requested %s. Only space outside existing partitions '
                'counts; grow the disk, free up space, or use another disk.'
                % (disk, human_size(raw_free_total), human_size(raw_free_largest),
                   human_size(MIN_PARTITION_SIZE), _describe_request(opts)))
        raise _Refusal('%s has no unallocated space; requested %s. Grow the disk or use '
                       'another disk.' % (disk, _describe_request(opts)))
    kind, value = opts['size']
    if kind == 'percent':
        size = align_down(int(region['size'] * value / 100.0))
        if size < MIN_PARTITION_SIZE:
            raise _Refusal('%s%%FREE of the largest free region on %s (%s) is less than 1 MiB.'
                           % (_fmt_percent(value), disk, human_size(region['size'])))
    else:
        size = align_up(value)
        if size > region['size']:
            raise _Refusal(
                '%s has only %s unallocated in its largest free region (bytes %d-%d); '
                'requested %s. Ask for less (size), free up space, or use another disk.'
                % (disk, human_size(region['size']), region['start'], region['end'],
                   human_size(value)))
    if opts['min_size'] is not None and size < opts['min_size']:
        raise _Refusal(
            'the partition would be %s (largest free region on %s: %s) but min_size is %s. '
            'Free up space, grow the disk or use another disk.'
            % (human_size(size), disk, human_size(region['size']), human_size(opts['min_size'])))
    return region, size


def _fmt_percent(value):
    return ('%d' % value) if value == int(value) else ('%s' % value)


def _describe_request(opts):
    kind, value = opts['size']
    text = ('%s%%FREE' % _fmt_percent(value)) if kind == 'percent' else human_size(value)
    if opts['min_size'] is not None:
        text += ' (min_size %s)' % human_size(opts['min_size'])
    return text


def _describe_partitions(parted, probes, disk):
    words = []
    for part in parted['partitions']:
        path = partition_path(disk, part['number'])
        bits = [str(part['number'])]
        if part['name']:
            bits.append("'%s'" % part['name'])
        fs = part['fs'] or probes.get(path, {}).get('TYPE', '')
        if fs:
            bits.append(fs)
        words.append(' '.join(bits))
    return words


def _label_elsewhere(info, disk_kname, label):
    """Partitions named ``label`` that are not on the target disk."""
    rows = info.get('lsblk') or []
    own = set()
    if info.get('parted'):
        own = set(partition_path(info['disk'], p['number']) for p in info['parted']['partitions'])
    probes = info.get('probes') or {}
    found = []
    for row in rows:
        if row.get('TYPE') != 'part':
            continue
        if top_disk(rows, row.get('KNAME')) == disk_kname:
            continue
        path = dev_path(row.get('KNAME'))
        name = row.get('PARTLABEL') or probes.get(path, {}).get('PART_ENTRY_NAME', '')
        if name == label and path not in found:
            found.append(path)
    link = info.get('by_partlabel')
    if link:
        link_kname = link.rsplit('/', 1)[-1]
        if link not in own and top_disk(rows, link_kname) != disk_kname and link not in found:
            found.append(link)
    return found


def _record_matches(record, parted, ptuuid):
    if not record or not ptuuid or record.get('ptuuid') != ptuuid:
        return None
    for part in parted['partitions']:
        if (part['number'] == record.get('number') and part['start'] == record.get('start')
                and part['end'] == record.get('end')):
            return part
    return None


def _exists(info, opts, part, table, disk, warnings):
    path = partition_path(disk, part['number'])
    if opts['min_size'] is not None and part['size'] < opts['min_size']:
        warnings.append('the existing partition %s is %s, smaller than min_size %s; it is '
                        'left as it is' % (path, human_size(part['size']),
                                           human_size(opts['min_size'])))
    for row in info.get('lsblk') or []:
        if dev_path(row.get('KNAME', '')) == path and row.get('MOUNTPOINT'):
            warnings.append('%s is mounted at %s; a DRBD backing partition is normally not '
                            'mounted itself' % (path, row['MOUNTPOINT']))
    return {
        'action': 'exists',
        'disk': disk,
        'table': table,
        'number': part['number'],
        'partition': path,
        'start': part['start'],
        'end': part['end'],
        'size_bytes': part['size'],
        'warnings': warnings,
        'msg': 'partition %s (%s) named %s already exists on %s; nothing to do'
               % (path, human_size(part['size']), opts['label'], disk)
        if table == 'gpt' else
        'partition %s (%s) recorded in %s already exists on %s; nothing to do'
        % (path, human_size(part['size']), info.get('record_path'), disk),
    }


def plan_partition(info, options):
    """Decide what to do. Never raises for a situation on the disk; returns one of

    * ``{'action': 'refuse', 'msg': ...}``: nothing may be changed; ``msg`` says what was
      found and what the operator can do.
    * ``{'action': 'exists', 'partition', 'number', 'start', 'end', 'size_bytes', ...}``
    * ``{'action': 'create', 'table', 'mklabel', 'wipe': [devices], 'number', 'partition',
      'start', 'end', 'size_bytes', 'region', 'msg', 'warnings'}``

    ``info`` keys: ``disk`` (resolved path), ``disk_arg`` (as given), ``exists``,
    ``is_block``, ``lsblk`` (rows of ``parse_lsblk_pairs`` for ALL devices), ``parted``
    (``parse_parted_machine``) or None, ``parted_rc``, ``parted_err``, ``blkid`` (disk probe),
    ``signatures`` (``parse_wipefs_parsable`` of the disk), ``probes`` (path -> blkid probe
    of partitions), ``by_partlabel`` (resolved /dev/disk/by-partlabel/LABEL or None),
    ``record`` (msdos ownership record or None), ``record_path``.
    Invalid ``options`` raise DiskLayoutError.
    """
    opts = validate_options(options)
    try:
        return _plan(info, opts)
    except _Refusal as refusal:
        return {'action': 'refuse', 'msg': refusal.args[0], 'disk': info.get('disk')}


def _plan(info, opts):
    disk = info.get('disk')
    given = info.get('disk_arg') or disk
    shown = disk if given == disk else '%s (%s)' % (given, disk)
    label = opts['label']
    warnings = []

    # --- the device itself -------------------------------------------------------------
    if not info.get('exists'):
        raise _Refusal('%s does not exist. Give the whole disk that should carry the mirror '
                       'partition, e.g. /dev/vdb or /dev/disk/by-id/...' % given)
    if not info.get('is_block'):
        raise _Refusal('%s is not a block device.' % shown)
    rows = info.get('lsblk') or []
    kname = disk.rsplit('/', 1)[-1]
    row = _find_row(rows, kname)
    if row is None:
        raise _Refusal('lsblk does not list %s; cannot tell what it is, so nothing was changed.'
                       % shown)
    if row.get('TYPE') not in WHOLE_DISK_TYPES:
        parent = row.get('PKNAME')
        hint = (' Give the whole disk instead (%s).' % dev_path(top_disk(rows, kname))
                if parent else '')
        raise _Refusal('%s is a %s, not a whole disk.%s' % (shown, row.get('TYPE'), hint))
    if row.get('RO') == '1':
        raise _Refusal('%s is read-only.' % shown)

    parted = info.get('parted')
    if parted is None or (info.get('parted_rc') and parted.get('table') != 'unknown'):
        raise _Refusal('parted could not read %s (rc=%s): %s. Nothing was changed; check the '
                       'disk with "parted %s unit B print free".'
                       % (shown, info.get('parted_rc'), (info.get('parted_err') or '').strip(), disk))
    table = parted['table']
    probes = info.get('probes') or {}
    ptuuid = (info.get('blkid') or {}).get('PTUUID', '')

    # --- is our partition already there (or somewhere else)? ---------------------------
    elsewhere = _label_elsewhere(info, kname, label)
    if elsewhere:
        raise _Refusal(
            'a partition named %s already exists on a different disk: %s (disk %s), not on %s. '
            'One name must identify one partition (/dev/disk/by-partlabel/%s). Point disk at '
            'that disk, or rename that partition (e.g. "parted DISK name N other-name") if it '
            'is not the mirror.' % (label, ', '.join(elsewhere),
                                    ', '.join(dev_path(top_disk(rows, p.rsplit('/', 1)[-1]))
                                              for p in elsewhere), shown, label))
    record = info.get('record')
    if record:
        if record.get('label') == label and record.get('ptuuid') and record.get('ptuuid') != ptuuid:
            raise _Refusal(
                'the record %s says the partition %s is partition %s of the disk with id %s '
                '(recorded as %s), but %s has id %s. Point disk at that disk; if the record is '
                'stale (that partition is gone), remove the record file.'
                % (info.get('record_path'), label, record.get('number'), record.get('ptuuid'),
                   record.get('disk'), shown, ptuuid or 'none'))
    if table == 'gpt':
        ours = [p for p in parted['partitions'] if p['name'] == label]
        if len(ours) > 1:
            raise _Refusal(
                '%s has %d partitions named %s (%s); cannot tell which one is the mirror. '
                'Rename or delete the extra one by hand.'
                % (shown, len(ours), label,
                   ', '.join(partition_path(disk, p['number']) for p in ours)))
        if ours:
            return _exists(info, opts, ours[0], table, disk, warnings)
    if table == 'msdos' and record and record.get('label') == label:
        part = _record_matches(record, parted, ptuuid)
        if part is not None:
            return _exists(info, opts, part, table, disk, warnings)
        raise _Refusal(
            'the record %s says the partition %s is partition %s (bytes %s-%s) of %s, but %s '
            'has no such partition now. The partition table changed since it was recorded. '
            'Inspect the disk; if the mirror partition is really gone and its data not needed, '
            'remove the record file and run again.'
            % (info.get('record_path'), label, record.get('number'), record.get('start'),
               record.get('end'), record.get('disk'), shown))

    if opts['mode'] == 'whole_disk':
        return _plan_whole_disk(info, opts, parted, shown, kname, warnings)
    return _plan_free_space(info, opts, parted, shown, kname, warnings)


def _raid_members(info, disk):
    found = []
    for sig in info.get('signatures') or []:
        if sig.get('type') in RAID_SIGNATURES:
            found.append('%s is an md/RAID member (%s)' % (disk, sig['type']))
    for path in sorted(info.get('probes') or {}):
        probe = info['probes'][path]
        if probe.get('TYPE') in RAID_SIGNATURES and path.startswith(disk):
            found.append('%s is an md/RAID member (%s)' % (path, probe['TYPE']))
    return found


def _plan_whole_disk(info, opts, parted, shown, kname, warnings):
    disk = info['disk']
    rows = info.get('lsblk') or []
    in_use = usage_findings(rows, kname)
    if in_use:
        raise _Refusal(
            '%s is in use: %s. mode=whole_disk never touches a disk in use, not even with '
            'force_wipe_signatures. Use an unused disk, or mode=free_space to add the '
            'partition in unallocated space next to the existing ones.'
            % (shown, '; '.join(in_use)))

    table = parted['table']
    findings = []
    probes = info.get('probes') or {}
    parts = parted['partitions'] if table != 'loop' else []
    if table not in ('unknown', 'loop'):
        if parts:
            findings.append('%s partition table with %d partition%s (%s)' % (
                table, len(parts), '' if len(parts) == 1 else 's',
                ', '.join(_describe_partitions(parted, probes, disk))))
        elif table != 'gpt':
            findings.append('%s partition table (no partitions)' % table)
    for sig in info.get('signatures') or []:
        sig_type = sig.get('type', '')
        if sig_type in PARTITION_TABLE_SIGNATURES and table not in ('unknown', 'loop'):
            continue  # described by the partition table above
        words = describe_signature(sig_type)
        if sig.get('offset'):
            words += ' at offset %s' % sig['offset']
        findings.append(words)
    kernel_parts = [dev_path(r['KNAME']) for r in rows
                    if r.get('PKNAME') == kname and r.get('TYPE') == 'part']
    if kernel_parts and not parts:
        findings.append('partitions the kernel still lists (%s) although no partition table '
                        'is found' % ', '.join(kernel_parts))
    blkid_type = (info.get('blkid') or {}).get('TYPE')
    if blkid_type and not any(s.get('type') == blkid_type for s in info.get('signatures') or []):
        findings.append(describe_signature(blkid_type))

    wipe = []
    mklabel = True
    if findings:
        if not opts['force_wipe_signatures']:
            raise _Refusal(
                '%s is not blank: %s. mode=whole_disk only uses a blank disk and never '
                'erases anything by default. If that content is not needed, erase it '
                '(wipefs -a on the partitions, then on the disk) or set '
                'force_wipe_signatures=true (DESTROYS it); to keep it and add a partition in '
                'unallocated space, use mode=free_space; or choose another disk.'
                % (shown, '; '.join(findings)))
        raid = _raid_members(info, disk)
        if raid:
            raise _Refusal(
                '%s: %s. force_wipe_signatures never wipes md/RAID members; remove the device '
                'from its array (mdadm --zero-superblock after taking it out) by hand first.'
                % (shown, '; '.join(raid)))
        # partitions the kernel knows (device nodes exist), then the disk itself
        wipe = [dev_path(r['KNAME']) for r in rows
                if r.get('PKNAME') == kname and r.get('TYPE') == 'part'] + [disk]
        warnings.append('force_wipe_signatures: erasing %s on %s' % ('; '.join(findings), disk))
    elif table == 'gpt':
        mklabel = False  # an empty GPT (e.g. left by an interrupted earlier run) is used as is

    if mklabel:
        regions = predicted_gpt_region(parted['size'], parted['logical_sector_size'])
        raw_free = [r['raw_size'] for r in regions] or [parted['size']]
    else:
        regions = free_regions(parted, 'gpt')
        raw_free = [f['size'] for f in parted['free']]
    region, size = _size_in_region(shown, regions, opts, raw_free)
    start = region['start']
    end = start + size - 1
    return _create(opts, disk, 'gpt', mklabel, wipe, 1, start, end, region, warnings)


def _plan_free_space(info, opts, parted, shown, kname, warnings):
    disk = info['disk']
    rows = info.get('lsblk') or []
    table = parted['table']
    direct = usage_findings(rows, kname, include_partitions=False)
    if direct:
        raise _Refusal('%s itself is in use: %s. mode=free_space only adds a partition to a '
                       'disk that carries a partition table.' % (shown, '; '.join(direct)))
    if table == 'unknown':
        sigs = [describe_signature(s.get('type', '')) for s in info.get('signatures') or []]
        if sigs:
            raise _Refusal('%s has no partition table but carries %s. mode=free_space needs a '
                           'gpt or msdos partition table with unallocated space.'
                           % (shown, '; '.join(sigs)))
        raise _Refusal('%s has no partition table (it looks blank). mode=free_space needs a gpt '
                       'or msdos partition table with unallocated space; to use this whole '
                       'disk, set mode=whole_disk.' % shown)
    if table == 'loop':
        what = ', '.join(describe_signature(p['fs']) for p in parted['partitions'] if p['fs']) \
            or 'a signature'
        raise _Refusal('%s has no partition table: the whole disk holds %s. Nothing was '
                       'changed; choose another disk.' % (shown, what))
    if table not in ('gpt', 'msdos'):
        raise _Refusal('%s has a %s partition table; only gpt and msdos are supported.'
                       % (shown, table))
    foreign = [s for s in info.get('signatures') or []
               if s.get('type') not in PARTITION_TABLE_SIGNATURES]
    if foreign:
        raise _Refusal(
            '%s carries a %s partition table AND %s on the disk itself; this is ambiguous '
            '(stale signatures or a device used in two ways). Nothing was changed; inspect '
            'with "wipefs -n %s".'
            % (shown, table, '; '.join(describe_signature(s.get('type', '')) for s in foreign),
               disk))

    if table == 'msdos':
        number = _msdos_checks(info, parted, shown, rows, kname, opts['label'])
    else:
        used = set(p['number'] for p in parted['partitions'])
        free_numbers = [n for n in range(1, GPT_MAX_PARTITIONS + 1) if n not in used]
        if not free_numbers:
            raise _Refusal('%s has no free gpt partition entry left.' % shown)
        number = free_numbers[0]

    regions = free_regions(parted, table)
    if any(r.get('MOUNTPOINT') == '/' for r in descendants(rows, kname)):
        shown = 'the root disk %s' % shown
    extended = msdos_extended(parted) if table == 'msdos' else []
    raw_free = [f['size'] for f in parted['free']
                if not any(e['start'] <= f['start'] and f['end'] <= e['end'] for e in extended)]
    region, size = _size_in_region(shown, regions, opts, raw_free)
    start = region['start']
    end = start + size - 1
    return _create(opts, disk, table, False, [], number, start, end, region, warnings)


def _msdos_checks(info, parted, shown, rows, kname, label):
    disk = info['disk']
    primaries = [p for p in parted['partitions'] if p['number'] <= MSDOS_MAX_PRIMARY]
    if len(primaries) >= MSDOS_MAX_PRIMARY:
        raise _Refusal(
            '%s has an msdos (MBR) partition table whose %d primary slots are all used (%s); a '
            'new partition cannot be added without an extended partition, which this module '
            'does not create. Use another disk (mode=whole_disk) or prepare the partition by '
            'hand.' % (shown, MSDOS_MAX_PRIMARY,
                       ', '.join(partition_path(disk, p['number']) for p in primaries)))
    extended = set(p['number'] for p in msdos_extended(parted))
    in_use = set()
    for row in descendants(rows, kname):
        if row.get('TYPE') == 'part':
            path = dev_path(row['KNAME'])
            if row.get('MOUNTPOINT') or descendants(rows, row['KNAME']):
                in_use.add(path)
    unused = [p for p in parted['partitions']
              if p['number'] not in extended and partition_path(disk, p['number']) not in in_use]
    if unused:
        example = json.dumps(msdos_record({'disk': disk}, label,
                                          (info.get('blkid') or {}).get('PTUUID', ''), unused[0]),
                             sort_keys=True)
        unused = [partition_path(disk, p['number']) for p in unused]
        raise _Refusal(
            '%s has an msdos (MBR) partition table, whose partitions carry no names, and '
            'partition(s) %s that the OS does not use (not mounted, not swap, no holders). '
            'Such a partition may be the mirror partition made by an earlier run whose record '
            '%s is missing, so a new one is not created. If %s is the mirror partition, '
            'recreate the record, %s; otherwise prepare the partition by hand or use another '
            'disk (mode=whole_disk).'
            % (shown, ', '.join(unused), info.get('record_path'), unused[0], example))
    used = set(p['number'] for p in parted['partitions'])
    return [n for n in range(1, MSDOS_MAX_PRIMARY + 1) if n not in used][0]


def _create(opts, disk, table, mklabel, wipe, number, start, end, region, warnings):
    size = end - start + 1
    path = partition_path(disk, number)
    steps = []
    if wipe:
        steps.append('erase all signatures on %s' % ', '.join(wipe))
    if mklabel:
        steps.append('create a gpt partition table')
    steps.append('create partition %s%s from byte %d to %d (%s)' % (
        path, (' named %s' % opts['label']) if table == 'gpt' else ' (primary)',
        start, end, human_size(size)))
    return {
        'action': 'create',
        'disk': disk,
        'table': table,
        'mklabel': mklabel,
        'wipe': wipe,
        'number': number,
        'partition': path,
        'start': start,
        'end': end,
        'size_bytes': size,
        'region': region,
        'warnings': warnings,
        'msg': '%s on %s' % ('; then '.join(steps), disk),
    }


def check_region(plan, probe, options):
    """Second step for a ``create`` plan: ``probe`` is ``blkid -p -o export -O START -S SIZE
    DISK`` of the space the new partition will cover (``{}`` when blkid found nothing,
    ``{'PROBE_ERROR': text}`` when it exited with another code than 0 or 2).

    Leftovers of older data there (a filesystem of a deleted partition, an old LVM or RAID
    signature) are not visible to the checks on the disk itself. Returns the plan unchanged,
    the plan with ``wipe_new`` (erase them inside the new partition, with
    ``force_wipe_signatures``), or a refusal.
    """
    opts = validate_options(options)
    found = dict((k, v) for k, v in (probe or {}).items()
                 if k in ('TYPE', 'PTTYPE', 'UUID', 'LABEL', 'PROBE_ERROR'))
    if plan.get('action') != 'create' or not (
            found.get('TYPE') or found.get('PTTYPE') or found.get('PROBE_ERROR')):
        return plan
    if found.get('TYPE'):
        what = describe_signature(found['TYPE'])
    elif found.get('PTTYPE'):
        what = '%s partition table' % found['PTTYPE']
    else:   # blkid exit 8 (several signatures) or another error: not "nothing"
        what = 'data blkid cannot identify unambiguously (%s)' % found['PROBE_ERROR']
    if found.get('UUID'):
        what += ' (UUID %s)' % found['UUID']
    if found.get('TYPE') in RAID_SIGNATURES:
        return {'action': 'refuse', 'disk': plan['disk'], 'msg': (
            'the space chosen for the new partition (bytes %d-%d of %s) holds %s; md/RAID members '
            'are never wiped. Nothing was changed.' % (plan['start'], plan['end'], plan['disk'], what))}
    if not opts['force_wipe_signatures']:
        return {'action': 'refuse', 'disk': plan['disk'], 'msg': (
            'the space chosen for the new partition (bytes %d-%d of %s) still holds %s, probably '
            'data of an earlier, deleted partition. Nothing was changed. Inspect it with "blkid -p '
            '-O %d %s"; if it is not needed, set force_wipe_signatures=true to erase it inside the '
            'new partition (DESTROYS it), or choose another size or disk.'
            % (plan['start'], plan['end'], plan['disk'], what, plan['start'], plan['disk']))}
    result = dict(plan)
    result['wipe_new'] = True
    result['warnings'] = list(plan.get('warnings') or []) + [
        'force_wipe_signatures: erasing %s found where the new partition %s goes'
        % (what, plan['partition'])]
    result['msg'] = '%s; then erase the old %s inside it' % (plan['msg'], what)
    return result


def build_commands(plan, label, bins):
    """argv lists that carry out a ``create`` plan. ``bins``: {'parted': path, 'wipefs': path}."""
    commands = []
    for device in plan.get('wipe') or []:
        commands.append([bins['wipefs'], '-a', device])
    argv = [bins['parted'], '-s', '-a', 'optimal', plan['disk'], 'unit', 'B']
    if plan.get('mklabel'):
        argv += ['mklabel', 'gpt']
    name = label if plan['table'] == 'gpt' else 'primary'
    argv += ['mkpart', name, '%dB' % plan['start'], '%dB' % plan['end']]
    commands.append(argv)
    if plan.get('wipe_new'):
        commands.append([bins['wipefs'], '-a', plan['partition']])
    return commands


def find_new_partition(before, after, plan, label):
    """After mkpart: the partition that appeared (by number set difference), checked against the plan.

    Returns (partition dict, None) or (None, problem string).
    """
    old = set(p['number'] for p in (before or {}).get('partitions', []))
    new = [p for p in after['partitions'] if p['number'] not in old]
    if after['table'] == 'gpt':
        new = [p for p in new if p['name'] == label] or new
    if len(new) != 1:
        return None, ('expected exactly one new partition, found %d (%s)'
                      % (len(new), ', '.join(str(p['number']) for p in new) or 'none'))
    part = new[0]
    if abs(part['start'] - plan['start']) >= ALIGN or abs(part['end'] - plan['end']) >= ALIGN:
        return part, ('partition %d spans bytes %d-%d, planned %d-%d'
                      % (part['number'], part['start'], part['end'], plan['start'], plan['end']))
    return part, None


def msdos_record(plan_or_exists, label, ptuuid, part):
    """The ownership record written for an msdos partition (which has no name)."""
    return {
        'label': label,
        'disk': plan_or_exists['disk'],
        'ptuuid': ptuuid,
        'number': part['number'],
        'start': part['start'],
        'end': part['end'],
        'created_by': 'hapair.cluster.spare_partition',
    }
