# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for plugins/module_utils/disk_layout.py.

The fixtures in fixtures/disk/ are real outputs of parted 3.5 / util-linux 2.38 captured by
fixtures/disk/capture.sh on image files and loop devices, except the *-synthetic* files
(formats of tools or situations that cannot be produced here: parted 3.1, an md member,
device-mapper holders, a udev database). See fixtures/disk/README.md.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils import disk_layout as dl

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'disk')
MIB = 1024 * 1024


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def parted(name):
    return dl.parse_parted_machine(fixture(name))


# the blank loop device of the capture (its number depends on the capture machine)
BLANK = parted('parted-blank-loopdev.txt')['path']


def make_info(parted_name, lsblk_name, disk=None, wipefs_name='wipefs-blank.txt',
              blkid_name=None, probes=None, **extra):
    """Build the planner input the way the module does, from fixture files."""
    parsed = parted(parted_name)
    disk = disk or parsed['path']
    info = {
        'disk': disk,
        'disk_arg': disk,
        'exists': True,
        'is_block': True,
        'lsblk': dl.parse_lsblk_pairs(fixture(lsblk_name)),
        'parted': parsed,
        'parted_rc': 1 if parsed['table'] == 'unknown' else 0,
        'parted_err': '',
        'blkid': dl.parse_blkid_export(fixture(blkid_name)) if blkid_name else {},
        'signatures': dl.parse_wipefs_parsable(fixture(wipefs_name)),
        'probes': probes or {},
        'by_partlabel': None,
        'record': None,
        'record_path': '/etc/hapair/spare-partition-hapair-mirror.json',
    }
    info.update(extra)
    return info


def opts(**kwargs):
    base = {'label': 'hapair-mirror', 'mode': 'whole_disk', 'size': None, 'min_size': None,
            'force_wipe_signatures': False}
    base.update(kwargs)
    return base


def plan(info, **kwargs):
    return dl.plan_partition(info, opts(**kwargs))


def assert_refused(result, *needles):
    assert result['action'] == 'refuse', result
    for needle in needles:
        assert needle in result['msg'], (needle, result['msg'])
    return result['msg']


# ---------------------------------------------------------------------------------------
# parse_parted_machine
# ---------------------------------------------------------------------------------------

def test_parted_blank_image_has_unknown_table():
    result = parted('parted-blank.txt')
    assert fixture('parted-blank.rc').strip() == '1'
    assert 'unrecognised disk label' in fixture('parted-blank.stderr')
    assert result['table'] == 'unknown'
    assert result['size'] == 1073741824
    assert result['transport'] == 'file'
    assert result['logical_sector_size'] == 512
    assert result['partitions'] == []
    assert result['free'] == []


def test_parted_gpt_with_root_and_free_space():
    result = parted('parted-gpt-root-free.txt')
    assert result['table'] == 'gpt'
    assert result['partitions'] == [{
        'number': 1, 'start': 1048576, 'end': 268435455, 'size': 267386880,
        'fs': '', 'name': 'root', 'flags': [],
    }]
    assert result['free'] == [
        {'start': 17408, 'end': 1048575, 'size': 1031168},
        {'start': 268435456, 'end': 1073724927, 'size': 805289472},
    ]


def test_parted_real_device_line_fs_and_flags():
    result = parted('parted-osdisk-msdos.txt')
    assert result['path'].startswith('/dev/loop')
    assert result['transport'] == 'loopback'
    assert result['model'] == 'Loopback device'
    assert result['table'] == 'msdos'
    boot, swap = result['partitions']
    assert (boot['fs'], boot['name'], boot['flags']) == ('ext4', '', ['boot'])
    assert (swap['fs'], swap['flags']) == ('linux-swap(v1)', ['swap'])
    gpt = parted('parted-osdisk-gpt.txt')
    assert gpt['partitions'][0]['flags'] == ['bios_grub']
    assert gpt['partitions'][1]['name'] == 'root'


def test_parted_escaped_names():
    result = parted('parted-gpt-odd-names.txt')
    assert [p['name'] for p in result['partitions']] == ['a:b;c\\d', 'with space']


def test_parted_whole_disk_filesystem_is_loop_table():
    for name, fs in (('parted-loop-xfs.txt', 'xfs'), ('parted-loop-ext4.txt', 'ext4')):
        result = parted(name)
        assert result['table'] == 'loop'
        assert result['partitions'][0]['fs'] == fs
        assert result['partitions'][0]['start'] == 0


def test_parted_31_disk_line_without_flags_field():
    result = parted('parted-el7-synthetic.txt')
    assert result['model'] == 'ATA VBOX HARDDISK'
    assert result['disk_flags'] == ''
    assert result['partitions'][1]['flags'] == ['lvm']


@pytest.mark.parametrize('text', ['', 'Error: /dev/x: unrecognised disk label',
                                  'BYT;\n', 'BYT;\n/dev/x:12B:file:512:512:gpt::;\nfoo;'])
def test_parted_garbage_raises(text):
    with pytest.raises(dl.DiskLayoutError):
        dl.parse_parted_machine(text)


# ---------------------------------------------------------------------------------------
# lsblk / blkid / wipefs
# ---------------------------------------------------------------------------------------

def test_lsblk_pairs_real_output():
    rows = dl.parse_lsblk_pairs(fixture('lsblk-osdisk-msdos.txt'))
    disk = parted('parted-osdisk-msdos.txt')['path'].rsplit('/', 1)[-1]
    mine = [r for r in rows if r['KNAME'].startswith(disk)]
    assert [r['TYPE'] for r in mine] == ['loop', 'part', 'part']
    assert mine[1]['MOUNTPOINT'] == '/scratch/boot'
    assert mine[2]['MOUNTPOINT'] == '[SWAP]'
    assert mine[1]['PKNAME'] == disk
    assert mine[0]['SIZE'] == '2147483648'
    vda = [r for r in rows if r['KNAME'] == 'vda'][0]
    assert vda['MOUNTPOINT'] == '/'


def test_lsblk_pairs_unescapes_hex():
    rows = dl.parse_lsblk_pairs(fixture('lsblk-holders-synthetic.txt'))
    assert [r for r in rows if r['KNAME'] == 'dm-2'][0]['MOUNTPOINT'] == '/srv/my data'


def test_lsblk_pairs_unescapes_utf8_runs():
    rows = dl.parse_lsblk_pairs('KNAME="sdb1" MOUNTPOINT="/srv/caf\\xc3\\xa9\\x20x"\n')
    assert rows[0]['MOUNTPOINT'] == u'/srv/caf\u00e9 x'


def test_lsblk_garbage_raises():
    with pytest.raises(dl.DiskLayoutError):
        dl.parse_lsblk_pairs('NAME sda\n')


def test_blkid_export():
    assert dl.parse_blkid_export(fixture('blkid-lvm2.txt'))['VERSION'] == 'LVM2 001'
    assert dl.parse_blkid_export(fixture('blkid-xfs.txt'))['TYPE'] == 'xfs'
    assert dl.parse_blkid_export(fixture('blkid-osdisk-msdos.txt'))['PTTYPE'] == 'dos'
    part = dl.parse_blkid_export(fixture('blkid-osdisk-gpt-p3-ours.txt'))
    assert part['PART_ENTRY_NAME'] == 'hapair-mirror'
    assert part['PART_ENTRY_NUMBER'] == '3'
    assert dl.parse_blkid_export(fixture('blkid-blank.txt')) == {}


def test_wipefs_parsable():
    assert [s['type'] for s in dl.parse_wipefs_parsable(fixture('wipefs-gpt-root.txt'))] == \
        ['gpt', 'gpt', 'PMBR']
    xfs = dl.parse_wipefs_parsable(fixture('wipefs-xfs.txt'))
    assert xfs[0]['offset'] == '0x0' and xfs[0]['type'] == 'xfs'
    assert dl.parse_wipefs_parsable(fixture('wipefs-ext4.txt'))[0]['offset'] == '0x438'
    assert dl.parse_wipefs_parsable(fixture('wipefs-swap.txt'))[0]['type'] == 'swap'
    assert dl.parse_wipefs_parsable(fixture('wipefs-msdos.txt'))[0]['type'] == 'dos'
    assert dl.parse_wipefs_parsable(fixture('wipefs-blank.txt')) == []
    el7 = dl.parse_wipefs_parsable(fixture('wipefs-el7-header-synthetic.txt'))
    assert el7 == [{'offset': '0x0', 'uuid': '1f1f15b5-ca41-4a46-9be4-8abc176e36a4',
                    'label': '', 'type': 'xfs'}]
    md = dl.parse_wipefs_parsable(fixture('wipefs-md-synthetic.txt'))
    assert md[0]['type'] == 'linux_raid_member' and md[0]['label'] == 'node1:0'


def test_wipefs_label_with_comma():
    rows = dl.parse_wipefs_parsable('0x438,abc,my,label,ext4\n')
    assert rows[0]['label'] == 'my,label' and rows[0]['type'] == 'ext4'


@pytest.mark.parametrize('sig, words', [
    ('xfs', 'xfs filesystem'),
    ('LVM2_member', 'LVM2_member (LVM physical volume)'),
    ('linux_raid_member', 'linux_raid_member (md RAID member)'),
    ('swap', 'swap signature'),
    ('foo', 'foo signature'),
])
def test_describe_signature(sig, words):
    assert dl.describe_signature(sig) == words


# ---------------------------------------------------------------------------------------
# sizes and small helpers
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    ('512MiB', ('bytes', 512 * MIB)),
    ('512M', ('bytes', 512 * MIB)),
    ('1G', ('bytes', 1024 ** 3)),
    ('10GiB', ('bytes', 10 * 1024 ** 3)),
    ('10 gib', ('bytes', 10 * 1024 ** 3)),
    ('1.5GiB', ('bytes', 1536 * MIB)),
    ('2T', ('bytes', 2 * 1024 ** 4)),
    ('1MB', ('bytes', 1000000)),
    ('1GB', ('bytes', 1000 ** 3)),
    ('1073741824', ('bytes', 1073741824)),
    ('4096B', ('bytes', 4096)),
    (1048576, ('bytes', 1048576)),
    ('100%FREE', ('percent', 100.0)),
    ('50%free', ('percent', 50.0)),
])
def test_parse_size(text, expected):
    assert dl.parse_size(text) == expected


@pytest.mark.parametrize('text', ['', 'abc', 'MiB', '10 parsecs', '0', '0%FREE', '150%FREE',
                                  '-1G', '10%', True, 0])
def test_parse_size_invalid(text):
    with pytest.raises(dl.DiskLayoutError):
        dl.parse_size(text)


@pytest.mark.parametrize('n, text', [
    (536870912, '512 MiB'), (1031680, '1007.5 KiB'), (1024 ** 3, '1 GiB'),
    (1536 * MIB, '1.5 GiB'), (100, '100 B'),
])
def test_human_size(n, text):
    assert dl.human_size(n) == text


@pytest.mark.parametrize('disk, number, path', [
    ('/dev/vdb', 1, '/dev/vdb1'), ('/dev/sda', 12, '/dev/sda12'),
    ('/dev/nvme0n1', 2, '/dev/nvme0n1p2'), ('/dev/loop7', 1, '/dev/loop7p1'),
    ('/dev/mmcblk0', 1, '/dev/mmcblk0p1'),
])
def test_partition_path(disk, number, path):
    assert dl.partition_path(disk, number) == path


def test_tree_helpers_on_holders():
    rows = dl.parse_lsblk_pairs(fixture('lsblk-holders-synthetic.txt'))
    assert [r['KNAME'] for r in dl.descendants(rows, 'sda')] == ['sda1', 'sda2', 'dm-0', 'dm-1']
    assert dl.top_disk(rows, 'dm-0') == 'sda'
    assert dl.top_disk(rows, 'sda') == 'sda'
    findings = dl.usage_findings(rows, 'sda')
    assert '/dev/sda1 is mounted at /boot' in findings
    assert '/dev/sda2 is held by /dev/dm-0 (lvm)' in findings
    assert '/dev/dm-0 holds the root filesystem (/)' in findings
    assert '/dev/dm-1 is active swap' in findings
    # the disk itself is not used directly: its partitions are
    assert dl.usage_findings(rows, 'sda', include_partitions=False) == []
    assert dl.usage_findings(rows, 'vdb', include_partitions=False) == [
        '/dev/vdb is held by /dev/dm-2 (lvm)', '/dev/dm-2 is mounted at /srv/my data']


def test_msdos_extended_detection():
    assert [p['number'] for p in dl.msdos_extended(parted('parted-msdos-extended.txt'))] == [2]
    assert dl.msdos_extended(parted('parted-msdos-four-primaries.txt')) == []
    assert dl.msdos_extended(parted('parted-osdisk-msdos.txt')) == []


def test_free_regions_are_aligned_and_skip_slivers():
    regions = dl.free_regions(parted('parted-gpt-root-free.txt'))
    assert [(r['start'], r['end']) for r in regions] == [(268435456, 1072693247)]
    assert dl.free_regions(parted('parted-gpt-full.txt')) == []


def test_free_regions_skip_space_inside_extended_partition():
    regions = dl.free_regions(parted('parted-msdos-extended.txt'))
    assert [(r['start'], r['end']) for r in regions] == [(1074790400, 2147483647)]


def test_free_regions_msdos_2tib_limit():
    text = ('BYT;\n/dev/sdb:4398046511104B:scsi:512:512:msdos:X;\n'
            '1:1048576B:1073741823B:1072693248B:::;\n'
            '1:1073741824B:4398046511103B:4397972766720B:free;\n')
    regions = dl.free_regions(dl.parse_parted_machine(text))
    assert regions[0]['end'] == 2 ** 32 * 512 - 1


def test_predicted_gpt_region_matches_real_parted():
    """The region a fresh GPT label leaves must equal what parted reports for one."""
    empty = parted('parted-gpt-empty.txt')
    real = dl.free_regions(empty)
    predicted = dl.predicted_gpt_region(empty['size'], 512)
    assert [(r['start'], r['end']) for r in predicted] == [(r['start'], r['end']) for r in real]
    assert predicted[0]['raw_end'] == empty['free'][0]['end']
    assert predicted[0]['raw_start'] == empty['free'][0]['start']
    # 4Kn disk: the same 1 MiB-aligned start, end below the 5-sector backup GPT
    region = dl.predicted_gpt_region(1024 ** 3, 4096)[0]
    assert region['start'] == MIB and region['raw_end'] == 1024 ** 3 - 5 * 4096 - 1


@pytest.mark.parametrize('bad, needle', [
    ({'label': 'has space'}, 'label'),
    ({'label': ''}, 'label'),
    ({'label': 'x' * 37}, 'label'),
    ({'mode': 'lvm'}, 'mode'),
    ({'size': 'lots'}, 'not a size'),
    ({'min_size': '50%FREE'}, 'min_size'),
])
def test_validate_options(bad, needle):
    with pytest.raises(dl.DiskLayoutError) as exc:
        dl.validate_options(opts(**bad))
    assert needle in str(exc.value)


# ---------------------------------------------------------------------------------------
# plan_partition: whole_disk
# ---------------------------------------------------------------------------------------

def blank_info(**extra):
    return make_info('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt', **extra)


def test_whole_disk_blank_creates_gpt_and_one_partition():
    info = blank_info()
    result = plan(info)
    assert result['action'] == 'create'
    assert result['mklabel'] is True and result['wipe'] == []
    assert result['table'] == 'gpt' and result['number'] == 1
    assert result['partition'] == info['disk'] + 'p1'
    # the same bytes parted reported after the real mkpart (parted-blank-loopdev-after.txt)
    after = parted('parted-blank-loopdev-after.txt')['partitions'][0]
    assert (result['start'], result['end']) == (after['start'], after['end'])
    assert result['size_bytes'] == after['size']
    assert 'create a gpt partition table' in result['msg']


def test_whole_disk_size_and_percent():
    result = plan(blank_info(), size='512MiB')
    assert (result['start'], result['end']) == (MIB, MIB + 512 * MIB - 1)
    result = plan(blank_info(), size='300000000')   # rounded up to whole MiB
    assert result['size_bytes'] == 287 * MIB
    result = plan(blank_info(), size='50%FREE')
    assert result['size_bytes'] == 511 * MIB      # half of 1022 MiB usable... rounded down
    assert result['size_bytes'] % MIB == 0


def test_whole_disk_too_small_for_request():
    msg = assert_refused(plan(blank_info(), size='2GiB'), 'only 1022 MiB unallocated',
                         'requested 2 GiB')
    assert 'Ask for less' in msg
    assert_refused(plan(blank_info(), min_size='1GiB'), 'min_size is 1 GiB', 'would be 1022 MiB')


def test_whole_disk_empty_gpt_is_kept():
    result = plan(make_info('parted-gpt-empty.txt', 'lsblk-blank-loopdev.txt',
                            disk=BLANK, wipefs_name='wipefs-gpt-root.txt'))
    assert result['action'] == 'create'
    assert result['mklabel'] is False
    assert (result['start'], result['end']) == (MIB, 1072693247)


def test_whole_disk_refuses_xfs_and_names_it():
    info = make_info('parted-loop-xfs.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-xfs.txt', blkid_name='blkid-xfs.txt')
    msg = assert_refused(plan(info), 'is not blank', 'xfs filesystem at offset 0x0',
                         'force_wipe_signatures=true (DESTROYS it)', 'mode=free_space')
    assert msg.count('xfs filesystem') == 1


def test_whole_disk_force_wipes_xfs():
    info = make_info('parted-loop-xfs.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-xfs.txt', blkid_name='blkid-xfs.txt')
    result = plan(info, force_wipe_signatures=True)
    assert result['action'] == 'create'
    assert result['wipe'] == [BLANK]
    assert result['mklabel'] is True
    assert any('xfs filesystem' in w for w in result['warnings'])
    assert dl.build_commands(result, 'hapair-mirror', {'parted': 'parted', 'wipefs': 'wipefs'}) == [
        ['wipefs', '-a', BLANK],
        ['parted', '-s', '-a', 'optimal', BLANK, 'unit', 'B', 'mklabel', 'gpt',
         'mkpart', 'hapair-mirror', '%dB' % result['start'], '%dB' % result['end']],
    ]


@pytest.mark.parametrize('wipefs_name, words', [
    ('wipefs-lvm2.txt', 'LVM2_member (LVM physical volume)'),
    ('wipefs-ext4.txt', 'ext4 filesystem at offset 0x438'),
    ('wipefs-swap.txt', 'swap signature'),
    ('wipefs-msdos.txt', 'dos (MBR) partition table'),
])
def test_whole_disk_refuses_signatures(wipefs_name, words):
    info = make_info('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt',
                     wipefs_name=wipefs_name)
    assert_refused(plan(info), words)


def test_whole_disk_refuses_partitions_only_the_kernel_knows():
    # lsblk (the kernel) lists partitions of the GPT OS disk, parted finds no table on it
    disk = parted('parted-osdisk-gpt.txt')['path']
    info = make_info('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt', disk=disk)
    assert_refused(plan(info), 'partitions the kernel still lists (%sp1, %sp2, %sp3)'
                   % (disk, disk, disk))


def test_whole_disk_refuses_md_member_even_with_force():
    info = make_info('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt',
                     wipefs_name='wipefs-md-synthetic.txt')
    assert_refused(plan(info), 'linux_raid_member (md RAID member)')
    assert_refused(plan(info, force_wipe_signatures=True), 'never wipes md/RAID members')


def test_whole_disk_refuses_partition_table_with_partitions():
    info = make_info('parted-gpt-root-free.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-gpt-root.txt')
    msg = assert_refused(plan(info), "gpt partition table with 1 partition (1 'root')")
    assert 'PMBR' not in msg


def test_whole_disk_refuses_disk_in_use_even_with_force():
    info = make_info('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt')
    for force in (False, True):
        assert_refused(plan(info, force_wipe_signatures=force), 'is in use',
                       info['disk'] + 'p2 is mounted at /scratch/root',
                       'not even with force_wipe_signatures')


def test_whole_disk_refuses_root_disk():
    info = make_info('parted-loop-ext4.txt', 'lsblk-osdisk-gpt.txt', disk='/dev/vda',
                     wipefs_name='wipefs-ext4.txt')
    assert_refused(plan(info, force_wipe_signatures=True),
                   '/dev/vda holds the root filesystem (/)')


def test_whole_disk_refuses_holders_and_swap_on_lvm():
    info = make_info('parted-el7-synthetic.txt', 'lsblk-holders-synthetic.txt')
    msg = assert_refused(plan(info, force_wipe_signatures=True), '/dev/sda is in use')
    assert '/dev/sda2 is held by /dev/dm-0 (lvm)' in msg
    assert '/dev/dm-1 is active swap' in msg
    info = make_info('parted-blank-loopdev.txt', 'lsblk-holders-synthetic.txt', disk='/dev/vdb',
                     wipefs_name='wipefs-lvm2.txt')
    assert_refused(plan(info, force_wipe_signatures=True), '/dev/vdb is held by /dev/dm-2 (lvm)')
    info = make_info('parted-blank-loopdev.txt', 'lsblk-holders-synthetic.txt', disk='/dev/vdc',
                     wipefs_name='wipefs-md-synthetic.txt')
    assert_refused(plan(info, force_wipe_signatures=True), '/dev/vdc is held by /dev/md127 (raid1)')


# ---------------------------------------------------------------------------------------
# plan_partition: identity, labels, idempotence
# ---------------------------------------------------------------------------------------

def test_refuses_missing_and_non_block_device():
    assert_refused(plan({'disk': '/dev/vdz', 'disk_arg': '/dev/vdz', 'exists': False}),
                   '/dev/vdz does not exist')
    assert_refused(plan({'disk': '/tmp/x.img', 'disk_arg': '/tmp/x.img', 'exists': True,
                         'is_block': False}), 'is not a block device')


def test_refuses_partition_instead_of_disk():
    info = make_info('parted-loop-ext4.txt', 'lsblk-osdisk-gpt.txt')
    disk = parted('parted-osdisk-gpt.txt')['path']
    info['disk'] = info['disk_arg'] = disk + 'p2'
    assert_refused(plan(info), 'is a part, not a whole disk', 'Give the whole disk instead (%s)' % disk)


def test_refuses_other_device_types_and_read_only():
    info = make_info('parted-blank-loopdev.txt', 'lsblk-holders-synthetic.txt', disk='/dev/dm-0')
    assert_refused(plan(info), 'is a lvm, not a whole disk', '(/dev/sda)')
    info = make_info('parted-blank-loopdev.txt', 'lsblk-holders-synthetic.txt', disk='/dev/sr0')
    assert_refused(plan(info), 'is a rom, not a whole disk')
    info = make_info('parted-blank-loopdev.txt', 'lsblk-holders-synthetic.txt', disk='/dev/vde')
    assert_refused(plan(info), 'read-only')


def test_refuses_when_lsblk_does_not_know_the_disk():
    info = blank_info(disk='/dev/sdq')
    assert_refused(plan(info), 'lsblk does not list /dev/sdq')


def test_refuses_unreadable_partition_table():
    info = blank_info(parted=None, parted_rc=1, parted_err='Error: Invalid partition table')
    assert_refused(plan(info), 'parted could not read', 'Invalid partition table')


def test_by_id_path_is_shown_with_resolved_disk():
    info = make_info('parted-loop-xfs.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-xfs.txt', disk_arg='/dev/disk/by-id/virtio-mirror')
    assert_refused(plan(info), '/dev/disk/by-id/virtio-mirror (%s) is not blank' % BLANK)


def test_existing_partition_is_reported_in_any_mode():
    info = make_info('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt')
    for mode in ('whole_disk', 'free_space'):
        result = plan(info, mode=mode, size='100GiB')
        assert result['action'] == 'exists'
        assert result['partition'] == info['disk'] + 'p3'
        assert result['number'] == 3
        assert result['size_bytes'] == 1607467008
        assert 'already exists' in result['msg']


def test_existing_partition_smaller_than_min_size_only_warns():
    info = make_info('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt')
    result = plan(info, min_size='10GiB')
    assert result['action'] == 'exists'
    assert 'smaller than min_size' in result['warnings'][0]


def test_existing_partition_other_label_is_not_ours():
    info = make_info('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt')
    result = plan(info, mode='free_space', label='other-mirror')
    assert_refused(result, 'has only 2.0 MiB unallocated (largest piece 1007.5 KiB)')


def test_two_partitions_with_our_label_are_refused():
    text = fixture('parted-gpt-ours.txt').replace('::root:;', '::hapair-mirror:;')
    info = blank_info(parted=dl.parse_parted_machine(text), parted_rc=0, disk=BLANK)
    assert_refused(plan(info), '2 partitions named hapair-mirror', '%sp1, %sp2' % (BLANK, BLANK))


def test_label_on_other_disk_via_lsblk_partlabel():
    info = make_info('parted-gpt-root-free.txt', 'lsblk-udev-partlabel-synthetic.txt',
                     disk='/dev/vdb')
    for mode in ('whole_disk', 'free_space'):
        assert_refused(plan(info, mode=mode), 'already exists on a different disk: /dev/vdc1 '
                       '(disk /dev/vdc), not on /dev/vdb')


def test_label_on_other_disk_via_blkid_probe_without_udev():
    ours = dl.parse_blkid_export(fixture('blkid-osdisk-gpt-p3-ours.txt'))
    other = parted('parted-osdisk-gpt-ours.txt')['path'] + 'p3'
    info = blank_info(probes={other: ours})
    assert_refused(plan(info), 'different disk: %s' % other)


def test_label_on_other_disk_via_by_partlabel_link():
    info = make_info('parted-gpt-root-free.txt', 'lsblk-holders-synthetic.txt', disk='/dev/vdb',
                     by_partlabel='/dev/sda1')
    assert_refused(plan(info), 'different disk: /dev/sda1 (disk /dev/sda)')


def test_by_partlabel_link_to_our_disk_is_fine():
    info = make_info('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt')
    info['by_partlabel'] = info['disk'] + 'p3'
    assert plan(info)['action'] == 'exists'


# ---------------------------------------------------------------------------------------
# plan_partition: free_space
# ---------------------------------------------------------------------------------------

def test_free_space_on_gpt_os_disk():
    info = make_info('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt',
                     wipefs_name='wipefs-gpt-root.txt', blkid_name='blkid-osdisk-gpt.txt')
    result = plan(info, mode='free_space')
    assert result['action'] == 'create'
    assert result['table'] == 'gpt' and result['mklabel'] is False and result['wipe'] == []
    assert result['number'] == 3
    # exactly where the real run put it (parted-osdisk-gpt-ours.txt)
    ours = parted('parted-osdisk-gpt-ours.txt')['partitions'][2]
    assert (result['start'], result['end']) == (ours['start'], ours['end'])
    assert dl.build_commands(result, 'hapair-mirror', {'parted': 'parted', 'wipefs': 'wipefs'}) == [
        ['parted', '-s', '-a', 'optimal', info['disk'], 'unit', 'B', 'mkpart', 'hapair-mirror',
         '538968064B', '2146435071B']]


def test_free_space_on_msdos_os_disk_with_boot_and_swap_in_use():
    info = make_info('parted-osdisk-msdos.txt', 'lsblk-osdisk-msdos.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt', blkid_name='blkid-osdisk-msdos.txt')
    result = plan(info, mode='free_space')
    assert result['action'] == 'create'
    assert result['table'] == 'msdos' and result['number'] == 3
    ours = parted('parted-osdisk-msdos-ours.txt')['partitions'][2]
    assert (result['start'], result['end']) == (ours['start'], ours['end'])
    assert dl.build_commands(result, 'hapair-mirror', {'parted': 'p', 'wipefs': 'w'})[0][-3:] == \
        ['primary', '537919488B', '2147483647B']


def test_free_space_on_el7_style_lvm_os_disk():
    info = make_info('parted-el7-synthetic.txt', 'lsblk-holders-synthetic.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt')
    result = plan(info, mode='free_space', min_size='50GiB')
    assert result['action'] == 'create'
    assert result['number'] == 3
    assert result['start'] == 21474836480 and result['end'] == 107374182399


def test_free_space_msdos_record_makes_it_idempotent():
    info = make_info('parted-osdisk-msdos-ours.txt', 'lsblk-osdisk-msdos.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt', blkid_name='blkid-osdisk-msdos.txt')
    ptuuid = info['blkid']['PTUUID']
    part = info['parted']['partitions'][2]
    info['record'] = dl.msdos_record({'disk': info['disk']}, 'hapair-mirror', ptuuid, part)
    result = plan(info, mode='free_space')
    assert result['action'] == 'exists'
    assert result['partition'] == info['disk'] + 'p3'
    assert 'recorded in /etc/hapair/spare-partition-hapair-mirror.json' in result['msg']
    # whole_disk mode finds it the same way
    assert plan(info)['action'] == 'exists'


def test_free_space_msdos_without_record_refuses_unused_partition():
    # the same disk after our partition was made, but the record is gone
    info = make_info('parted-osdisk-msdos-ours.txt', 'lsblk-osdisk-msdos.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt', blkid_name='blkid-osdisk-msdos.txt')
    disk = info['disk']
    msg = assert_refused(plan(info, mode='free_space'), 'partition(s) %sp3 that the OS does not use' % disk,
                         'recreate the record')
    assert '%sp1' % disk not in msg.split('partition(s)')[1].split('that')[0]


def test_free_space_msdos_record_mismatch_is_refused():
    info = make_info('parted-osdisk-msdos.txt', 'lsblk-osdisk-msdos.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt', blkid_name='blkid-osdisk-msdos.txt')
    info['record'] = {'label': 'hapair-mirror', 'disk': info['disk'],
                      'ptuuid': info['blkid']['PTUUID'], 'number': 3,
                      'start': 537919488, 'end': 2147483647}
    assert_refused(plan(info, mode='free_space'), 'has no such partition now')


def test_record_for_other_disk_is_refused():
    info = make_info('parted-osdisk-msdos.txt', 'lsblk-osdisk-msdos.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt', blkid_name='blkid-osdisk-msdos.txt')
    info['record'] = {'label': 'hapair-mirror', 'disk': '/dev/sdb', 'ptuuid': 'deadbeef',
                      'number': 1, 'start': MIB, 'end': 2 * MIB - 1}
    assert_refused(plan(info, mode='free_space'), 'disk with id deadbeef', 'recorded as /dev/sdb')


def test_free_space_msdos_four_primaries():
    info = make_info('parted-msdos-four-primaries.txt', 'lsblk-blank-loopdev.txt',
                     disk=BLANK, wipefs_name='wipefs-msdos.txt')
    assert_refused(plan(info, mode='free_space'), 'primary slots are all used',
                   ', '.join('%sp%d' % (BLANK, n) for n in (1, 2, 3, 4)))


def test_free_space_msdos_extended_uses_space_outside_it():
    # partitions 1 (primary) and 5 (logical) are in use; 2 is the extended container
    kname = BLANK[len('/dev/'):]
    rows = fixture('lsblk-blank-loopdev.txt') + ''.join(
        'NAME="%sp%d" KNAME="%sp%d" TYPE="part" SIZE="1" RO="0" FSTYPE="" MOUNTPOINT="/m%d" '
        'PARTLABEL="" PARTUUID="" PKNAME="%s"\n' % (kname, n, kname, n, n, kname) for n in (1, 5))
    info = make_info('parted-msdos-extended.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-msdos.txt', lsblk=dl.parse_lsblk_pairs(rows))
    result = plan(info, mode='free_space')
    assert result['action'] == 'create'
    assert result['number'] == 3
    assert result['start'] == 1074790400


def test_free_space_refuses_full_disk():
    info = make_info('parted-gpt-full.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-gpt-root.txt')
    assert_refused(plan(info, mode='free_space', size='512MiB'),
                   BLANK + ' has only 2.0 MiB unallocated (largest piece 1007.5 KiB), no free '
                   'region of at least 1 MiB',
                   'requested 512 MiB')


def test_free_space_refuses_too_large_request():
    info = make_info('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt')
    assert_refused(plan(info, mode='free_space', size='2GiB'),
                   'has only 1.5 GiB unallocated in its largest free region', 'requested 2 GiB')
    assert_refused(plan(info, mode='free_space', min_size='20GiB'), 'min_size is 20 GiB')


def test_free_space_names_the_root_disk():
    info = make_info('parted-el7-synthetic.txt', 'lsblk-holders-synthetic.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt')
    assert_refused(plan(info, mode='free_space', size='100GiB'),
                   'the root disk /dev/sda has only 80 GiB unallocated', 'requested 100 GiB')


def test_free_space_size_is_taken_from_the_start_of_the_region():
    info = make_info('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt')
    result = plan(info, mode='free_space', size='512MiB')
    assert result['start'] == 538968064
    assert result['size_bytes'] == 512 * MIB


def test_free_space_refuses_blank_disk_and_whole_disk_fs():
    assert_refused(plan(blank_info(), mode='free_space'), 'no partition table (it looks blank)',
                   'mode=whole_disk')
    info = make_info('parted-loop-xfs.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     wipefs_name='wipefs-xfs.txt')
    assert_refused(plan(info, mode='free_space'), 'the whole disk holds xfs filesystem')
    info = make_info('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt',
                     wipefs_name='wipefs-lvm2.txt')
    assert_refused(plan(info, mode='free_space'), 'no partition table but carries LVM2_member')


def test_free_space_refuses_table_plus_foreign_signature():
    info = make_info('parted-gpt-root-free.txt', 'lsblk-blank-loopdev.txt', disk=BLANK,
                     signatures=dl.parse_wipefs_parsable(
                         fixture('wipefs-gpt-root.txt') + fixture('wipefs-lvm2.txt')))
    assert_refused(plan(info, mode='free_space'), 'AND LVM2_member', 'ambiguous')


def test_free_space_refuses_disk_held_directly():
    info = make_info('parted-gpt-root-free.txt', 'lsblk-holders-synthetic.txt', disk='/dev/vdb')
    assert_refused(plan(info, mode='free_space'), '/dev/vdb itself is in use',
                   '/dev/vdb is held by /dev/dm-2 (lvm)')


def test_free_space_unsupported_table():
    text = fixture('parted-gpt-root-free.txt').replace(':gpt::;', ':sun::;')
    info = blank_info(parted=dl.parse_parted_machine(text), parted_rc=0, disk=BLANK)
    assert_refused(plan(info, mode='free_space'), 'sun partition table; only gpt and msdos')


def test_free_space_msdos_refusal_shows_the_record_to_restore():
    info = make_info('parted-osdisk-msdos-ours.txt', 'lsblk-osdisk-msdos.txt',
                     wipefs_name='wipefs-osdisk-msdos.txt', blkid_name='blkid-osdisk-msdos.txt')
    msg = plan(info, mode='free_space')['msg']
    expected = json.dumps(dl.msdos_record({'disk': info['disk']}, 'hapair-mirror',
                                          info['blkid']['PTUUID'], info['parted']['partitions'][2]),
                          sort_keys=True)
    assert expected in msg
    assert '"start": 537919488' in msg


# ---------------------------------------------------------------------------------------
# check_region: leftovers in the space the partition will cover
# ---------------------------------------------------------------------------------------

def stale_probe():
    return dl.parse_blkid_export(fixture('blkid-region-stale-xfs.txt'))


def test_region_probe_finds_what_disk_checks_miss():
    info = blank_info()
    assert fixture('wipefs-stale.txt') == ''         # wipefs on the disk sees nothing
    result = plan(info)
    assert result['action'] == 'create'
    assert dl.check_region(result, {}, opts()) is result
    refused = dl.check_region(result, stale_probe(), opts())
    assert refused['action'] == 'refuse'
    assert 'still holds xfs filesystem (UUID %s)' % stale_probe()['UUID'] in refused['msg']
    assert 'bytes 1048576-1072693247' in refused['msg']


def test_region_leftovers_with_force_are_wiped_in_the_new_partition():
    result = plan(blank_info(), force_wipe_signatures=True)
    forced = dl.check_region(result, stale_probe(), opts(force_wipe_signatures=True))
    assert forced['action'] == 'create' and forced['wipe_new'] is True
    assert 'erase the old xfs filesystem' in forced['msg']
    commands = dl.build_commands(forced, 'hapair-mirror', {'parted': 'parted', 'wipefs': 'wipefs'})
    assert commands[-1] == ['wipefs', '-a', forced['partition']]
    assert len(commands) == 2
    assert 'wipe_new' not in result   # the input plan is not modified


def test_region_raid_member_and_partition_table():
    result = plan(blank_info())
    raid = dl.check_region(result, {'TYPE': 'linux_raid_member'}, opts(force_wipe_signatures=True))
    assert raid['action'] == 'refuse' and 'never wiped' in raid['msg']
    table = dl.check_region(result, {'PTTYPE': 'dos', 'PTUUID': 'abcd'}, opts())
    assert table['action'] == 'refuse' and 'dos partition table' in table['msg']


def test_region_ambivalent_probe_is_not_nothing():
    result = plan(blank_info())
    refused = dl.check_region(result, {'PROBE_ERROR': 'blkid -p exit 8: ambivalent result'}, opts())
    assert refused['action'] == 'refuse'
    assert 'cannot identify unambiguously (blkid -p exit 8' in refused['msg']


def test_region_check_leaves_other_plans_alone():
    exists = plan(make_info('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt'))
    assert dl.check_region(exists, stale_probe(), opts()) is exists


# ---------------------------------------------------------------------------------------
# after creation
# ---------------------------------------------------------------------------------------

def test_find_new_partition_gpt():
    before = parted('parted-osdisk-gpt.txt')
    after = parted('parted-osdisk-gpt-ours.txt')
    info = make_info('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt')
    result = plan(info, mode='free_space')
    part, problem = dl.find_new_partition(before, after, result, 'hapair-mirror')
    assert problem is None and part['number'] == 3


def test_find_new_partition_whole_disk_and_msdos():
    result = plan(blank_info())
    part, problem = dl.find_new_partition(None, parted('parted-blank-loopdev-after.txt'),
                                          result, 'hapair-mirror')
    assert problem is None and part['number'] == 1
    info = make_info('parted-osdisk-msdos.txt', 'lsblk-osdisk-msdos.txt')
    result = plan(info, mode='free_space')
    part, problem = dl.find_new_partition(info['parted'], parted('parted-osdisk-msdos-ours.txt'),
                                          result, 'hapair-mirror')
    assert problem is None and part['number'] == 3


def test_find_new_partition_reports_surprises():
    before = parted('parted-osdisk-gpt.txt')
    result = plan(make_info('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt'), mode='free_space')
    part, problem = dl.find_new_partition(before, before, result, 'hapair-mirror')
    assert part is None and 'found 0' in problem
    moved = dict(result, start=result['start'] + 8 * MIB)
    part, problem = dl.find_new_partition(before, parted('parted-osdisk-gpt-ours.txt'), moved,
                                          'hapair-mirror')
    assert part['number'] == 3 and 'planned' in problem
