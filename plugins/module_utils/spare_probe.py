# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read-only probe of the spare disk, shared by ``spare_partition`` and ``preflight_facts``.

PRIVATE to the hapair.cluster collection. Runs the read-only tools (``lsblk``, ``parted ...
print free``, ``wipefs -n``, ``blkid -p``) through a ``run(argv) -> (rc, out, err)`` callable,
builds the ``info`` dict of :func:`disk_layout.plan_partition` and asks the planner, then probes
the space a new partition would cover (:func:`disk_layout.check_region`). Nothing here writes.

``spare_partition`` runs :func:`judge` before it writes anything, and the preflight runs the very
same function, so the preflight reports exactly what ``spare_partition`` would do or refuse.

Python 2.7 / 3.6 compatible (EL7 targets).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hapair.cluster.plugins.module_utils.disk_layout import (
    DiskLayoutError,
    check_region,
    dev_path,
    parse_blkid_export,
    parse_lsblk_pairs,
    parse_parted_machine,
    parse_wipefs_parsable,
    plan_partition,
    top_disk,
    validate_options,
)

C_ENV = {'LC_ALL': 'C', 'LANG': 'C'}
LSBLK_COLUMNS = 'NAME,KNAME,TYPE,SIZE,RO,FSTYPE,MOUNTPOINT,PARTLABEL,PARTUUID,PKNAME'
REQUIRED_TOOLS = ('lsblk', 'parted', 'wipefs', 'blkid')
OPTIONAL_TOOLS = ('partprobe', 'udevadm', 'partx')


class SpareProbeError(Exception):
    """A read-only tool failed; ``msg`` is what spare_partition fails with, ``disk`` the disk."""

    def __init__(self, msg, disk=None):
        super(SpareProbeError, self).__init__(msg)
        self.msg = msg
        self.disk = disk


def tool_package(name):
    """The package that provides one of the REQUIRED_TOOLS."""
    return 'parted' if name == 'parted' else 'util-linux'


def record_path(record_dir, label):
    """Path of the ownership record of an msdos partition."""
    return os.path.join(record_dir, 'spare-partition-%s.json' % label)


# File-system access lives in these small functions so that unit tests can replace them.

def disk_state(path):
    """(resolved path, exists, is a block device)."""
    resolved = os.path.realpath(path)
    try:
        mode = os.stat(resolved).st_mode
    except OSError:
        return resolved, False, False
    return resolved, True, stat.S_ISBLK(mode)


def resolve_link(path):
    """Realpath of ``path`` if it exists (as a link or file), else None."""
    if os.path.lexists(path):
        return os.path.realpath(path)
    return None


def read_record(path):
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


# Read-only commands.

def read_parted(run, parted, disk):
    """``parted -m -s DISK unit B print free``: (parsed or None, rc, stderr/problem)."""
    rc, out, err = run([parted, '-m', '-s', disk, 'unit', 'B', 'print', 'free'])
    try:
        parsed = parse_parted_machine(out)
    except DiskLayoutError as exc:
        return None, rc, '%s %s' % (err.strip(), to_native(exc))
    return parsed, rc, err


def probe_device(run, blkid, device):
    """``blkid -p -o export DEVICE`` as a dict; ``{}`` when blkid finds nothing or fails."""
    rc, out, dummy = run([blkid, '-p', '-o', 'export', device])
    return parse_blkid_export(out) if rc == 0 else {}


def gather_info(run, bins, disk_arg, label, record_file,
                disk_state=disk_state, resolve_link=resolve_link, read_record=read_record):
    """The ``info`` dict of :func:`disk_layout.plan_partition` for ``disk_arg``.

    ``bins`` maps lsblk, parted, wipefs and blkid to their paths. Raises SpareProbeError when a
    tool fails in a way that leaves nothing to decide on.
    """
    disk, exists, is_block = disk_state(disk_arg)
    info = {'disk': disk, 'disk_arg': disk_arg, 'exists': exists, 'is_block': is_block,
            'record_path': record_file}
    if not (exists and is_block):
        return info
    rc, out, err = run([bins['lsblk'], '-P', '-b', '-o', LSBLK_COLUMNS])
    if rc != 0:
        raise SpareProbeError('lsblk failed (rc=%d): %s' % (rc, err.strip()), disk)
    try:
        rows = parse_lsblk_pairs(out)
    except DiskLayoutError as exc:
        raise SpareProbeError(to_native(exc), disk)
    info['lsblk'] = rows
    kname = disk.rsplit('/', 1)[-1]

    info['parted'], info['parted_rc'], info['parted_err'] = read_parted(run, bins['parted'], disk)
    info['blkid'] = probe_device(run, bins['blkid'], disk)
    rc, out, err = run([bins['wipefs'], '-n', '-p', disk])
    if rc != 0:
        raise SpareProbeError('wipefs -n -p %s failed (rc=%d): %s' % (disk, rc, err.strip()), disk)
    info['signatures'] = parse_wipefs_parsable(out)

    probes = {}
    for row in rows:
        if row.get('TYPE') != 'part':
            continue
        on_disk = top_disk(rows, row.get('KNAME')) == kname
        # Partitions elsewhere are probed only when udev left PARTLABEL/PARTUUID empty.
        if on_disk or not (row.get('PARTLABEL') or row.get('PARTUUID')):
            path = dev_path(row['KNAME'])
            if path not in probes:
                probes[path] = probe_device(run, bins['blkid'], path)
    info['probes'] = probes
    info['by_partlabel'] = resolve_link('/dev/disk/by-partlabel/%s' % label)
    try:
        info['record'] = read_record(record_file)
    except (IOError, OSError, ValueError) as exc:
        raise SpareProbeError('cannot read the ownership record %s: %s. Fix or remove it by hand.'
                              % (record_file, to_native(exc)), disk)
    return info


def probe_region(run, blkid, plan):
    """What ``blkid -p`` finds in the space a ``create`` plan would cover (see check_region)."""
    rc, out, err = run([blkid, '-p', '-o', 'export', '-O', str(plan['start']),
                        '-S', str(plan['size_bytes']), plan['disk']])
    if rc == 0:
        return parse_blkid_export(out)
    if rc == 2:     # nothing found
        return {}
    # 8: ambivalent (several signatures), or an error: not "nothing"
    return {'PROBE_ERROR': 'blkid -p exit %d: %s' % (rc, (err or out).strip())}


def judge(run, bins, params, record_file, **fs):
    """Everything spare_partition decides before it writes: ``(plan, info)``.

    ``params`` are spare_partition's options (disk, label, mode, size, min_size,
    force_wipe_signatures). The plan is a refusal, ``exists`` or ``create`` (with the result of
    the region probe applied). Raises DiskLayoutError for unusable options and SpareProbeError
    when a read-only tool fails. ``fs`` may replace disk_state, resolve_link and read_record.
    """
    validate_options(params)
    info = gather_info(run, bins, params['disk'], params['label'], record_file, **fs)
    plan = plan_partition(info, params)
    if plan['action'] == 'create':
        plan = check_region(plan, probe_region(run, bins['blkid'], plan), params)
    return plan, info
