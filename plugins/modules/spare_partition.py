#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: spare_partition
short_description: Carve the backing partition of the DRBD mirror, never destroying data
version_added: 0.1.0
description:
  - Creates one partition, identified by its GPT partition name O(label), that the
    DRBD mirror will use as its backing device.
  - "Two ways to find room for it. V(whole_disk): a blank, unused disk gets a GPT label and
    one partition. V(free_space): a disk that already has a partition table (typically the
    OS disk installed as \"20 GB root, rest unallocated\") gets one more partition in its
    largest unallocated region, next to the OS partitions, which may be mounted."
  - Idempotent. When a partition named O(label) already exists on O(disk) the module
    reports it with C(changed=false), whatever its size and content (DRBD metadata or a
    filesystem on it are expected). It never creates a second one.
  - Refuses, changing nothing, whenever the situation is not clear-cut, and says what it
    found and what the operator can do. Examples are a partition path instead of a disk,
    a disk in use, a filesystem/LVM/RAID signature or partition table on a disk given
    for V(whole_disk), too little unallocated space, or a partition with the same name on
    another disk.
  - Every decision is made by pure functions in the collection's C(disk_layout) module
    utility; this module only runs C(lsblk), C(parted), C(wipefs), C(blkid) (read-only)
    and, when a partition is created, C(parted mklabel/mkpart), C(partprobe) and, only with
    O(force_wipe_signatures), C(wipefs -a).
options:
  disk:
    description:
      - The whole disk, for example C(/dev/vdb) or C(/dev/disk/by-id/virtio-data).
      - Symbolic links are resolved. A partition, LVM volume or other non-disk device is
        refused.
    type: path
    required: true
  label:
    description:
      - The GPT partition name that identifies the mirror partition (it appears as
        C(/dev/disk/by-partlabel/<label>)).
      - 1 to 36 characters from C(A-Z a-z 0-9 . _ -).
      - On an msdos (MBR) disk, which has no partition names, the partition is identified
        by an ownership record instead; see O(record_dir).
    type: str
    default: hapair-mirror
  mode:
    description:
      - V(whole_disk) uses a disk that must be blank (no partition table, no signature
        reported by C(wipefs)) and not in use; it creates a GPT label and one partition.
        An empty GPT label (no partitions) counts as blank and is kept.
      - V(free_space) adds one partition in the largest unallocated region of a disk that
        has a gpt or msdos partition table. Existing partitions, mounted or not, are left
        alone. On msdos a primary partition is created; if all four primary slots are used
        the module refuses.
    type: str
    choices: [whole_disk, free_space]
    default: whole_disk
  size:
    description:
      - Size of the new partition. Plain numbers are bytes; units C(B), C(K)/C(KiB),
        C(M)/C(MiB), C(G)/C(GiB), C(T)/C(TiB) are powers of 1024, C(KB), C(MB), C(GB),
        C(TB) powers of 1000. Rounded up to a whole MiB.
      - C(N%FREE) takes N percent of the largest free region (rounded down to a whole MiB).
      - Default is the whole largest free region (C(100%FREE)); the partition starts on a
        1 MiB boundary. If the requested size does not fit the largest free region the
        module refuses.
      - Ignored when the partition already exists.
    type: str
  min_size:
    description:
      - Refuse unless the new partition is at least this large (same units as O(size), no
        C(%FREE)).
      - When the partition already exists and is smaller, only a warning is given.
    type: str
  state:
    description:
      - Only V(present) is implemented; the module never deletes partitions.
    type: str
    choices: [present]
    default: present
  force_wipe_signatures:
    description:
      - "B(DESTRUCTIVE: data is lost.) Leave it V(false) unless you have checked that nothing
        that would be erased is needed."
      - "With O(mode=whole_disk): when the disk is not blank, erase every signature on it
        (C(wipefs -a) on each partition the kernel knows, then on the disk: partition tables,
        filesystems, LVM and swap signatures), then create the GPT label and the partition.
        Everything on the disk is lost."
      - "In both modes: when the space chosen for the new partition still holds a signature
        (for example the filesystem of an earlier, deleted partition, found with
        C(blkid -p -O start -S size)), erase it with C(wipefs -a) on the new partition. Without
        this option that case is refused. Existing partitions are never touched in
        O(mode=free_space)."
      - Even with this option the module never touches a disk that, or any partition of
        which, is mounted, holds the root filesystem, is active swap, has holders (an
        active LVM physical volume, an md array, dm-crypt, multipath), and never wipes an md
        RAID member.
    type: bool
    default: false
  record_dir:
    description:
      - Directory for the ownership record of a partition created on an msdos (MBR) disk,
        C(<record_dir>/spare-partition-<label>.json). It holds the disk identifier
        (C(PTUUID)), the partition number and its start and end in bytes, and is how later
        runs recognise the partition.
      - Without a record, an msdos disk that has a partition the OS does not use (not
        mounted, not swap, no holders) is refused, because that partition could be the
        mirror partition of an earlier run.
      - Not used on GPT disks.
    type: path
    default: /etc/hapair
  wait_timeout:
    description:
      - Seconds to wait for the device node of a new partition to appear.
    type: int
    default: 30
notes:
  - Needs C(parted) (for C(parted -m ... unit B print free) and C(mkpart)) and util-linux
    (C(lsblk -P), C(wipefs), C(blkid)); C(partprobe), C(udevadm) and C(partx) are used when
    present. Works with the versions of EL7 (parted 3.1, util-linux 2.23) up to Debian 12.
  - "Free space is counted the way C(parted ... print free) reports it: only unallocated
    space outside existing partitions (and outside an msdos extended partition) counts.
    Regions smaller than 1 MiB after alignment are ignored. On msdos the partition must end
    below 2 TiB."
  - On msdos disks the created partition is recorded in O(record_dir). If that record is
    lost, the module refuses and prints the record it would expect; recreate it by hand with
    the keys C(label), C(disk), C(ptuuid) (from C(blkid -p -o export DISK)), C(number),
    C(start) and C(end) (bytes, from C(parted -m -s DISK unit B print)).
  - Before writing, the space the new partition will cover is probed with
    C(blkid -p -O start -S size); leftovers of older data there are refused (or erased with
    O(force_wipe_signatures)). Anything C(blkid) still finds in the new partition afterwards
    is only reported, in RV(stale_signatures), with a warning.
  - The module does not create LVM volumes, DRBD metadata or filesystems.
attributes:
  check_mode:
    support: full
    details: In check mode the planned partition (start, end, size, commands) is returned.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Use the whole second disk for the mirror
  hapair.cluster.spare_partition:
    disk: /dev/disk/by-id/virtio-mirror
  register: spare

- name: Add the mirror partition in the unallocated space of the OS disk
  hapair.cluster.spare_partition:
    disk: /dev/sda
    mode: free_space
    min_size: 10GiB
  register: spare

- name: Show what would be created, without writing anything
  hapair.cluster.spare_partition:
    disk: /dev/vdb
    size: 512MiB
  check_mode: true

- name: Reuse a scratch disk that still holds an old filesystem (DESTROYS its data)
  hapair.cluster.spare_partition:
    disk: /dev/vdc
    force_wipe_signatures: true

- name: Point DRBD at the partition
  ansible.builtin.debug:
    msg: "disk {{ spare.by_partlabel | default(spare.partition, true) }}"
'''

RETURN = r'''
partition:
  description: Device path of the partition (planned path in check mode).
  returned: success
  type: str
  sample: /dev/vdb1
number:
  description: Partition number.
  returned: success
  type: int
  sample: 1
partuuid:
  description: Partition UUID (GPT partition GUID, or C(<disk id>-<nn>) on msdos).
    V(null) in check mode or when it cannot be probed.
  returned: success
  type: str
  sample: 9c7e2c4e-1b7a-4c52-8a1e-3f5d8f0f2a61
by_partlabel:
  description: The udev name of the partition, C(/dev/disk/by-partlabel/<label>). V(null) on
    msdos disks. The link exists only where udev runs.
  returned: success
  type: str
  sample: /dev/disk/by-partlabel/hapair-mirror
size_bytes:
  description: Size of the partition in bytes (planned size in check mode).
  returned: success
  type: int
  sample: 10736369664
start_bytes:
  description: First byte of the partition on the disk.
  returned: success
  type: int
  sample: 1048576
end_bytes:
  description: Last byte of the partition on the disk.
  returned: success
  type: int
  sample: 10737418239
disk:
  description: The disk, symbolic links resolved.
  returned: always
  type: str
  sample: /dev/vdb
table:
  description: Partition table type of the disk (V(gpt) or V(msdos)).
  returned: success
  type: str
  sample: gpt
created:
  description: Whether this run created the partition (V(false) in check mode and when it
    already existed).
  returned: success
  type: bool
  sample: true
mode:
  description: The O(mode) used.
  returned: always
  type: str
  sample: whole_disk
record:
  description: Path of the ownership record (msdos disks only), else V(null).
  returned: success
  type: str
  sample: /etc/hapair/spare-partition-hapair-mirror.json
commands:
  description: The commands that changed the disk (planned commands in check mode).
  returned: success
  type: list
  elements: str
  sample: ["/usr/sbin/parted -s -a optimal /dev/vdb unit B mklabel gpt mkpart hapair-mirror 1048576B 10736369663B"]
stale_signatures:
  description: What C(blkid -p) still finds inside the new partition after it was created
    (normally empty, since leftovers are refused or erased before). Only reported.
  returned: when a partition was created
  type: dict
  sample: {"TYPE": "xfs", "USAGE": "filesystem"}
msg:
  description: What was done, would be done, or why the module refused.
  returned: always
  type: str
  sample: "created partition /dev/vdb1 named hapair-mirror (10239 MiB, bytes 1048576-10736369663) on /dev/vdb"
'''

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hapair.cluster.plugins.module_utils.disk_layout import (
    DiskLayoutError,
    build_commands,
    dev_path,
    find_new_partition,
    human_size,
    msdos_record,
    partition_path,
)
from ansible_collections.hapair.cluster.plugins.module_utils.spare_probe import (
    C_ENV,
    OPTIONAL_TOOLS,
    REQUIRED_TOOLS,
    SpareProbeError,
    disk_state,
    judge,
    probe_device,
    read_parted,
    read_record,
    record_path,
    resolve_link,
    tool_package,
)


# File-system access lives in small functions so that unit tests can replace them: disk_state,
# resolve_link and read_record (shared with the preflight, in module_utils.spare_probe), and
# the two below, which only this module needs.

def write_record(path, record):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    tmp = '%s.tmp.%d' % (path, os.getpid())
    with open(tmp, 'w') as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
        handle.write('\n')
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)


def partition_node(disk, number):
    """Device node of partition ``number`` of ``disk`` once the kernel knows it, else None."""
    kname = disk.rsplit('/', 1)[-1]
    sys_dir = '/sys/class/block/%s' % kname
    try:
        children = os.listdir(sys_dir)
    except OSError:
        children = []
    for child in children:
        try:
            with open(os.path.join(sys_dir, child, 'partition')) as handle:
                if int(handle.read().strip()) != number:
                    continue
        except (IOError, OSError, ValueError):
            continue
        node = dev_path(child)
        if os.path.exists(node):
            return node
    return None


class SparePartition(object):

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.label = self.params['label']
        self.record_path = record_path(self.params['record_dir'], self.label)
        self.changed = False
        self.ran = []
        self.bins = {}
        for name in REQUIRED_TOOLS:
            path = module.get_bin_path(name)
            if not path:
                module.fail_json(msg='%s is not installed; install the %s package.'
                                 % (name, tool_package(name)),
                                 changed=False, mode=self.params['mode'])
            self.bins[name] = path
        for name in OPTIONAL_TOOLS:
            self.bins[name] = module.get_bin_path(name)

    # --- commands -----------------------------------------------------------------------
    def run(self, argv):
        rc, out, err = self.module.run_command(argv, environ_update=C_ENV)
        return rc, out, err

    def fail(self, msg, **kwargs):
        kwargs.setdefault('changed', self.changed)
        kwargs.setdefault('mode', self.params['mode'])
        if self.ran:
            kwargs.setdefault('commands', self.ran)
        self.module.fail_json(msg=msg, **kwargs)

    def read_parted(self, disk):
        return read_parted(self.run, self.bins['parted'], disk)

    def probe(self, device):
        return probe_device(self.run, self.bins['blkid'], device)

    # --- facts and decision (read-only; the preflight runs the same) ---------------------
    def judge(self):
        """spare_probe.judge with this module's file-system helpers (looked up at call time)."""
        try:
            return judge(self.run, self.bins, self.params, self.record_path,
                         disk_state=disk_state, resolve_link=resolve_link, read_record=read_record)
        except DiskLayoutError as exc:
            self.fail(to_native(exc))
        except SpareProbeError as exc:
            self.fail(exc.msg, disk=exc.disk)

    # --- result -------------------------------------------------------------------------
    def result(self, plan, created, partuuid, commands, **extra):
        table = plan['table']
        result = dict(
            changed=self.changed,
            created=created,
            mode=self.params['mode'],
            disk=plan['disk'],
            table=table,
            partition=plan['partition'],
            number=plan['number'],
            partuuid=partuuid,
            by_partlabel=('/dev/disk/by-partlabel/%s' % self.label) if table == 'gpt' else None,
            size_bytes=plan['size_bytes'],
            start_bytes=plan['start'],
            end_bytes=plan['end'],
            record=self.record_path if table == 'msdos' else None,
            commands=[' '.join(c) for c in commands],
            msg=plan['msg'],
        )
        result.update(extra)
        return result

    def partuuid_of(self, path, rows=None):
        for row in rows or []:
            if dev_path(row.get('KNAME', '')) == path and row.get('PARTUUID'):
                return row['PARTUUID']
        return self.probe(path).get('PART_ENTRY_UUID') or None

    # --- main ---------------------------------------------------------------------------
    def main(self):
        plan, info = self.judge()
        if plan['action'] == 'refuse':
            self.fail(plan['msg'], disk=plan.get('disk'))
        if plan['action'] == 'exists':
            for warning in plan.get('warnings') or []:
                self.module.warn(warning)
            self.module.exit_json(**self.result(
                plan, False, self.partuuid_of(plan['partition'], info.get('lsblk')), []))
        for warning in plan.get('warnings') or []:
            self.module.warn(warning)

        commands = build_commands(plan, self.label, self.bins)
        if self.module.check_mode:
            self.changed = True
            self.module.exit_json(**self.result(plan, False, None, commands,
                                                msg='check mode, nothing written; would ' + plan['msg']))
        self.create(info, plan, commands)

    def create(self, info, plan, commands):
        disk = plan['disk']
        wipe_new = commands[-1] if plan.get('wipe_new') else None
        if wipe_new:
            commands = commands[:-1]
        for argv in commands:
            rc, out, err = self.run(argv)
            self.ran.append(' '.join(argv))
            self.changed = True
            if rc != 0:
                self.fail('%s failed (rc=%d): %s. The disk may be partly changed; inspect it '
                          'with "parted %s unit B print free" before running again.'
                          % (' '.join(argv), rc, (err or out).strip(), disk), disk=disk)

        # make the kernel and udev see the new partition
        if self.bins.get('partprobe'):
            self.run([self.bins['partprobe'], disk])
        if self.bins.get('udevadm'):
            self.run([self.bins['udevadm'], 'settle'])

        after, rc, err = self.read_parted(disk)
        if after is None or rc != 0:
            self.fail('the partition was written but parted cannot read %s back (rc=%s): %s'
                      % (disk, rc, err.strip()), disk=disk)
        before = None if plan['mklabel'] else info['parted']
        part, problem = find_new_partition(before, after, plan, self.label)
        if part is None:
            self.fail('after mkpart on %s: %s; inspect the disk by hand.' % (disk, problem),
                      disk=disk)
        if problem:
            self.module.warn('parted placed the partition differently: %s' % problem)
        plan = dict(plan, number=part['number'], start=part['start'], end=part['end'],
                    size_bytes=part['size'], partition=partition_path(disk, part['number']))
        if plan['table'] == 'msdos':
            # record it at once: without the record a later run cannot recognise it
            self.record_msdos(info, plan, part)

        node = self.wait_for_node(disk, part['number'])
        if node is None:
            self.fail('partition %d was created on %s but its device node did not appear within '
                      '%d s; the kernel may still use the old partition table (run "partprobe %s" '
                      'or reboot), then run again.'
                      % (part['number'], disk, self.params['wait_timeout'], disk), disk=disk,
                      partition=plan['partition'], created=True)
        plan['partition'] = node
        if wipe_new:
            argv = wipe_new[:-1] + [node]
            rc, out, err = self.run(argv)
            self.ran.append(' '.join(argv))
            commands = commands + [argv]
            if rc != 0:
                self.fail('%s failed (rc=%d): %s' % (' '.join(argv), rc, (err or out).strip()),
                          disk=disk, partition=node, created=True)

        probe = self.probe(node)
        stale = dict((k, v) for k, v in probe.items() if not k.startswith('PART_ENTRY_') and k != 'DEVNAME')
        if stale:
            self.module.warn('the new partition %s contains an old %s signature (data that was on '
                             'the disk at that place before); it was not erased. DRBD create-md '
                             'will notice it.' % (node, stale.get('TYPE', 'unknown')))

        plan['msg'] = 'created partition %s%s (%s, bytes %d-%d) on %s%s' % (
            node, (' named %s' % self.label) if plan['table'] == 'gpt' else '',
            human_size(plan['size_bytes']), plan['start'], plan['end'], disk,
            (' after erasing all signatures on the disk' if plan['wipe'] else '')
            + (' and erasing old signatures inside it' if plan.get('wipe_new') else ''))
        self.module.exit_json(**self.result(plan, True, probe.get('PART_ENTRY_UUID'), commands,
                                            stale_signatures=stale))

    def record_msdos(self, info, plan, part):
        disk = plan['disk']
        ptuuid = self.probe(disk).get('PTUUID') or (info.get('blkid') or {}).get('PTUUID')
        record = msdos_record(plan, self.label, ptuuid, part)
        problem = None
        if not ptuuid:
            problem = 'blkid -p reports no disk identifier (PTUUID) for %s' % disk
        else:
            try:
                write_record(self.record_path, record)
            except (IOError, OSError) as exc:
                problem = to_native(exc)
        if problem:
            self.fail('partition %s was created but its ownership record %s could not be written '
                      '(%s). Write it by hand (ptuuid from "blkid -p -o export %s"), or the next run '
                      'will refuse: %s' % (plan['partition'], self.record_path, problem, disk,
                                           json.dumps(record, sort_keys=True)),
                      disk=disk, partition=plan['partition'], created=True)

    def wait_for_node(self, disk, number):
        deadline = time.time() + max(self.params['wait_timeout'], 1)
        tried_partx = False
        while True:
            node = partition_node(disk, number)
            if node:
                return node
            if time.time() >= deadline:
                return None
            if not tried_partx and self.bins.get('partx'):
                tried_partx = True
                self.run([self.bins['partx'], '-a', '--nr', str(number), disk])
                continue
            time.sleep(0.5)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            disk=dict(type='path', required=True),
            label=dict(type='str', default='hapair-mirror'),
            mode=dict(type='str', default='whole_disk', choices=['whole_disk', 'free_space']),
            size=dict(type='str'),
            min_size=dict(type='str'),
            state=dict(type='str', default='present', choices=['present']),
            force_wipe_signatures=dict(type='bool', default=False),
            record_dir=dict(type='path', default='/etc/hapair'),
            wait_timeout=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    SparePartition(module).main()


if __name__ == '__main__':
    main()
