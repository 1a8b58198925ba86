# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Drive hapair.cluster.spare_partition's main() against a fake disk.

``run_command`` is replaced by FakeDisk.run_command, which answers the read-only tools with outputs
captured from real loop devices (../module_utils/fixtures/disk/) and records every call;
after ``parted ... mkpart`` it answers with the captured "after" state. The tests check the
result and, above all, that no write command runs when the module refuses or is in check
mode.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible.module_utils import basic
from fake_runner import patch_module_args

from ansible_collections.hapair.cluster.plugins.module_utils import disk_layout as dl
from ansible_collections.hapair.cluster.plugins.modules import spare_partition

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module_utils',
                        'fixtures', 'disk')
RECORD = '/etc/hapair/spare-partition-hapair-mirror.json'
PARTED_WRITES = ('mklabel', 'mkpart', 'rm', 'resizepart', 'name', 'set', 'toggle', 'rescue')


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def disk_of(parted_fixture):
    return dl.parse_parted_machine(fixture(parted_fixture))['path']


def is_write(argv):
    tool = os.path.basename(argv[0])
    if tool == 'parted':
        return any(word in argv for word in PARTED_WRITES)
    if tool == 'wipefs':
        return '-a' in argv or '--all' in argv or '-n' not in argv
    return tool in ('sgdisk', 'sfdisk', 'dd', 'mkfs', 'pvcreate', 'mdadm') or tool.startswith('mkfs.')


class FakeDisk(object):
    """AnsibleModule.run_command stand-in: one disk whose partition table changes after mkpart."""

    def __init__(self, parted_before, lsblk, parted_after=None, wipefs='wipefs-blank.txt',
                 blkid_disk=None, probes=None, after_probes=None, fail_on=None, region=None):
        self.disk = disk_of(parted_before)
        self.parted_before = fixture(parted_before)
        self.parted_before_rc = 1 if ':unknown:' in self.parted_before else 0
        self.parted_after = fixture(parted_after) if parted_after else None
        self.lsblk = fixture(lsblk)
        self.wipefs = fixture(wipefs)
        self.blkid_disk = fixture(blkid_disk) if blkid_disk else ''
        self.probes = dict((k, fixture(v)) for k, v in (probes or {}).items())
        self.after_probes = dict((k, fixture(v)) for k, v in (after_probes or {}).items())
        self.region = fixture(region) if region and region != 'AMBIVALENT' else (region or '')
        self.fail_on = fail_on
        self.written = False
        self.calls = []

    @property
    def writes(self):
        return [argv for argv, dummy in self.calls if is_write(argv)]

    def run_command(self, args, **kwargs):
        argv = list(args)
        self.calls.append((argv, kwargs))
        tool = os.path.basename(argv[0])
        if self.fail_on and self.fail_on in argv:
            return 1, '', 'Error: simulated failure of %s' % self.fail_on
        if tool == 'lsblk':
            return 0, self.lsblk, ''
        if tool == 'parted':
            if is_write(argv):
                self.written = True
                return 0, '', ''
            if self.written and self.parted_after:
                return 0, self.parted_after, ''
            err = 'Error: %s: unrecognised disk label\n' % self.disk if self.parted_before_rc else ''
            return self.parted_before_rc, self.parted_before, err
        if tool == 'wipefs':
            return 0, ('' if is_write(argv) else self.wipefs), ''
        if tool == 'blkid':
            device = argv[-1]
            if '-O' in argv:   # probe of the space the new partition will cover
                if self.region == 'AMBIVALENT':
                    return 8, '', 'ambivalent result (probably more filesystems on the device)'
                text = self.region
            elif device == self.disk:
                text = self.blkid_disk
            else:
                text = (self.after_probes if self.written else self.probes).get(device, '')
                if not text and not self.written:
                    text = self.probes.get(device, '')
            return (0, text, '') if text else (2, '', '')
        if tool in ('partprobe', 'udevadm', 'partx'):
            return 0, '', ''
        raise AssertionError('unexpected command %r' % (argv,))


class FakeClock(object):
    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def env(monkeypatch):
    """Patch the module's file-system helpers; returns a dict tests can adjust."""
    state = {
        'exists': True, 'is_block': True, 'resolve': None, 'by_partlabel': None,
        'record': None, 'written_records': [], 'node_appears': True, 'fake': None,
    }

    def disk_state(path):
        resolved = state['resolve'] or path
        return resolved, state['exists'], state['is_block']

    def partition_node(disk, number):
        fake = state['fake']
        if state['node_appears'] and fake is not None and fake.written:
            return dl.partition_path(disk, number)
        return None

    monkeypatch.setattr(spare_partition, 'disk_state', disk_state)
    monkeypatch.setattr(spare_partition, 'resolve_link', lambda path: state['by_partlabel'])
    monkeypatch.setattr(spare_partition, 'read_record', lambda path: state['record'])
    monkeypatch.setattr(spare_partition, 'write_record',
                        lambda path, record: state['written_records'].append((path, record)))
    monkeypatch.setattr(spare_partition, 'partition_node', partition_node)
    monkeypatch.setattr(spare_partition, 'time', FakeClock())
    # Under pytest ansible-core counts as "controller" and sends module warnings to its
    # display instead of the result; collect them here.
    state['warnings'] = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn',
                        lambda self, warning, **kwargs: state['warnings'].append(warning))
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, arg, required=False, opt_dirs=None: '/usr/sbin/%s' % arg)
    state['monkeypatch'] = monkeypatch
    return state


def run_module(env, fake, capsys, check_mode=False, **args):
    env['fake'] = fake
    # a bound method stored on the class is not re-bound: AnsibleModule.run_command(argv, ...)
    # arrives as fake.run_command(argv, ...)
    env['monkeypatch'].setattr(basic.AnsibleModule, 'run_command', fake.run_command)
    args.setdefault('disk', fake.disk)
    if check_mode:
        args['_ansible_check_mode'] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            spare_partition.main()
    out = capsys.readouterr().out
    return json.loads(out)


def assert_refused_without_writes(result, fake, *needles):
    assert result.get('failed') is True, result
    assert result['changed'] is False
    for needle in needles:
        assert needle in result['msg'], (needle, result['msg'])
    assert fake.writes == [], fake.writes


# ---------------------------------------------------------------------------------------
# fakes for the captured disks
# ---------------------------------------------------------------------------------------

def gpt_os_disk(after=True, **kwargs):
    disk = disk_of('parted-osdisk-gpt.txt')
    return FakeDisk('parted-osdisk-gpt.txt', 'lsblk-osdisk-gpt.txt',
                    parted_after='parted-osdisk-gpt-ours.txt' if after else None,
                    wipefs='wipefs-gpt-root.txt', blkid_disk='blkid-osdisk-gpt.txt',
                    probes={disk + 'p1': 'blkid-osdisk-gpt-p1.txt'},
                    after_probes={disk + 'p3': 'blkid-osdisk-gpt-p3-ours.txt'}, **kwargs)


def gpt_os_disk_second_run():
    disk = disk_of('parted-osdisk-gpt-ours.txt')
    return FakeDisk('parted-osdisk-gpt-ours.txt', 'lsblk-osdisk-gpt.txt',
                    wipefs='wipefs-gpt-root.txt', blkid_disk='blkid-osdisk-gpt.txt',
                    probes={disk + 'p3': 'blkid-osdisk-gpt-p3-ours.txt'})


def msdos_os_disk():
    disk = disk_of('parted-osdisk-msdos.txt')
    return FakeDisk('parted-osdisk-msdos.txt', 'lsblk-osdisk-msdos.txt',
                    parted_after='parted-osdisk-msdos-ours.txt', wipefs='wipefs-osdisk-msdos.txt',
                    blkid_disk='blkid-osdisk-msdos.txt',
                    probes={disk + 'p1': 'blkid-osdisk-msdos-p1.txt'},
                    after_probes={disk + 'p3': 'blkid-osdisk-msdos-p3-ours.txt'})


def blank_disk(**kwargs):
    disk = disk_of('parted-blank-loopdev.txt')
    return FakeDisk('parted-blank-loopdev.txt', 'lsblk-blank-loopdev.txt',
                    parted_after='parted-blank-loopdev-after.txt',
                    after_probes={disk + 'p1': 'blkid-blank-loopdev-after-p1.txt'}, **kwargs)


def xfs_disk():
    # the blank loop device's lsblk rows, with a whole-disk xfs on it
    fake = blank_disk(wipefs='wipefs-xfs.txt', blkid_disk='blkid-xfs.txt')
    fake.parted_before = fixture('parted-loop-xfs.txt').replace('/images/xfs.img', fake.disk)
    fake.parted_before_rc = 0
    return fake


# ---------------------------------------------------------------------------------------
# refusals: failed, explained, nothing written
# ---------------------------------------------------------------------------------------

def test_refuses_missing_disk_without_running_anything(env, capsys):
    env['exists'] = False
    fake = blank_disk()
    result = run_module(env, fake, capsys, disk='/dev/disk/by-id/nope')
    assert_refused_without_writes(result, fake, '/dev/disk/by-id/nope does not exist')
    assert fake.calls == []


def test_refuses_whole_disk_in_use(env, capsys):
    fake = gpt_os_disk()
    result = run_module(env, fake, capsys, force_wipe_signatures=True)
    assert_refused_without_writes(result, fake, 'is in use', 'is mounted at /scratch/root',
                                  'not even with force_wipe_signatures')
    assert result['mode'] == 'whole_disk'
    assert result['disk'] == fake.disk


def test_refuses_xfs_disk_without_force(env, capsys):
    fake = xfs_disk()
    result = run_module(env, fake, capsys)
    assert_refused_without_writes(result, fake, 'is not blank', 'xfs filesystem',
                                  'force_wipe_signatures=true (DESTROYS it)')


def test_refuses_partition_path(env, capsys):
    fake = gpt_os_disk()
    result = run_module(env, fake, capsys, disk=fake.disk + 'p2')
    assert_refused_without_writes(result, fake, 'is a part, not a whole disk',
                                  'Give the whole disk instead (%s)' % fake.disk)


def test_refuses_full_disk_in_free_space_mode(env, capsys):
    fake = gpt_os_disk()
    result = run_module(env, fake, capsys, mode='free_space', size='2GiB')
    assert_refused_without_writes(result, fake, 'only 1.5 GiB unallocated', 'requested 2 GiB')


def test_refuses_blank_disk_in_free_space_mode(env, capsys):
    fake = blank_disk()
    result = run_module(env, fake, capsys, mode='free_space')
    assert_refused_without_writes(result, fake, 'no partition table', 'mode=whole_disk')


def test_refuses_label_on_another_disk(env, capsys):
    fake = blank_disk()
    env['by_partlabel'] = '/dev/vda'   # a device that is not on the blank disk
    result = run_module(env, fake, capsys)
    assert_refused_without_writes(result, fake, 'already exists on a different disk: /dev/vda')


def test_refuses_unknown_msdos_partition_without_record(env, capsys):
    fake = msdos_os_disk()
    fake.parted_before = fixture('parted-osdisk-msdos-ours.txt')
    result = run_module(env, fake, capsys, mode='free_space')
    assert_refused_without_writes(result, fake, 'that the OS does not use', RECORD)


def test_refuses_bad_options_before_touching_anything(env, capsys):
    fake = blank_disk()
    result = run_module(env, fake, capsys, size='lots')
    assert_refused_without_writes(result, fake, "'lots' is not a size")
    assert fake.calls == []
    result = run_module(env, fake, capsys, label='no spaces please')
    assert_refused_without_writes(result, fake, 'label')


def test_read_only_commands_run_in_c_locale(env, capsys):
    fake = gpt_os_disk()
    run_module(env, fake, capsys)
    assert fake.calls
    for argv, kwargs in fake.calls:
        assert kwargs.get('environ_update') == {'LC_ALL': 'C', 'LANG': 'C'}, argv
    tools = [os.path.basename(argv[0]) for argv, dummy in fake.calls]
    assert tools[:4] == ['lsblk', 'parted', 'blkid', 'wipefs']
    assert fake.calls[0][0] == ['/usr/sbin/lsblk', '-P', '-b', '-o',
                                'NAME,KNAME,TYPE,SIZE,RO,FSTYPE,MOUNTPOINT,PARTLABEL,PARTUUID,PKNAME']
    assert fake.calls[1][0] == ['/usr/sbin/parted', '-m', '-s', fake.disk, 'unit', 'B', 'print', 'free']


# ---------------------------------------------------------------------------------------
# check mode
# ---------------------------------------------------------------------------------------

def test_check_mode_whole_disk_plans_and_writes_nothing(env, capsys):
    fake = blank_disk()
    result = run_module(env, fake, capsys, check_mode=True)
    assert result['changed'] is True
    assert result['created'] is False
    assert fake.writes == []
    assert result['partition'] == fake.disk + 'p1'
    assert (result['start_bytes'], result['end_bytes']) == (1048576, 1072693247)
    assert result['size_bytes'] == 1071644672
    assert result['partuuid'] is None
    assert result['by_partlabel'] == '/dev/disk/by-partlabel/hapair-mirror'
    assert result['commands'] == [
        '/usr/sbin/parted -s -a optimal %s unit B mklabel gpt mkpart hapair-mirror '
        '1048576B 1072693247B' % fake.disk]
    assert result['msg'].startswith('check mode, nothing written; would create a gpt partition table')


def test_check_mode_free_space_and_force_write_nothing(env, capsys):
    fake = gpt_os_disk()
    result = run_module(env, fake, capsys, check_mode=True, mode='free_space', size='1GiB')
    assert result['changed'] is True and fake.writes == []
    assert result['size_bytes'] == 1024 ** 3
    assert result['number'] == 3
    fake = xfs_disk()
    result = run_module(env, fake, capsys, check_mode=True, force_wipe_signatures=True)
    assert result['changed'] is True and fake.writes == []
    assert result['commands'][0] == '/usr/sbin/wipefs -a %s' % fake.disk
    assert env['written_records'] == []


# ---------------------------------------------------------------------------------------
# creating, then idempotence
# ---------------------------------------------------------------------------------------

def test_free_space_gpt_creates_then_second_run_is_unchanged(env, capsys):
    fake = gpt_os_disk()
    result = run_module(env, fake, capsys, mode='free_space')
    assert result['changed'] is True and result['created'] is True
    assert fake.writes == [['/usr/sbin/parted', '-s', '-a', 'optimal', fake.disk, 'unit', 'B',
                            'mkpart', 'hapair-mirror', '538968064B', '2146435071B']]
    tools = [os.path.basename(argv[0]) for argv, dummy in fake.calls]
    assert 'partprobe' in tools and 'udevadm' in tools
    assert result['partition'] == fake.disk + 'p3'
    assert result['number'] == 3
    partuuid = '9458a230-1438-41c5-b510-26a37c101852'   # PART_ENTRY_UUID in blkid-osdisk-gpt-p3-ours.txt
    assert result['partuuid'] == partuuid
    assert result['by_partlabel'] == '/dev/disk/by-partlabel/hapair-mirror'
    assert result['size_bytes'] == 1607467008
    assert result['table'] == 'gpt' and result['record'] is None
    assert result['stale_signatures'] == {}
    assert result['msg'].startswith('created partition %sp3 named hapair-mirror' % fake.disk)
    assert env['written_records'] == []

    again = gpt_os_disk_second_run()
    result = run_module(env, again, capsys, mode='free_space')
    assert result['changed'] is False and result['created'] is False
    assert again.writes == []
    assert result['partition'] == fake.disk + 'p3'
    assert result['partuuid'] == partuuid
    assert 'already exists' in result['msg']


def test_whole_disk_creates_on_blank_disk(env, capsys):
    fake = blank_disk()
    result = run_module(env, fake, capsys)
    assert result['changed'] is True and result['created'] is True
    assert fake.writes == [['/usr/sbin/parted', '-s', '-a', 'optimal', fake.disk, 'unit', 'B',
                            'mklabel', 'gpt', 'mkpart', 'hapair-mirror', '1048576B', '1072693247B']]
    assert result['partition'] == fake.disk + 'p1'
    assert result['partuuid'] == '0d9c6ac3-dc4a-46ff-9a7d-6c93a7ecd8ca'   # in blkid-blank-loopdev-after-p1.txt


def test_force_wipe_erases_then_partitions(env, capsys):
    fake = xfs_disk()
    result = run_module(env, fake, capsys, force_wipe_signatures=True)
    assert result['changed'] is True and result['created'] is True
    assert fake.writes[0] == ['/usr/sbin/wipefs', '-a', fake.disk]
    assert 'mklabel' in fake.writes[1]
    assert result['msg'].endswith('after erasing all signatures on the disk')
    assert any('force_wipe_signatures: erasing xfs filesystem' in w for w in env['warnings'])


def test_msdos_creates_and_records_then_second_run_is_unchanged(env, capsys):
    fake = msdos_os_disk()
    result = run_module(env, fake, capsys, mode='free_space')
    assert result['changed'] is True and result['created'] is True
    assert fake.writes == [['/usr/sbin/parted', '-s', '-a', 'optimal', fake.disk, 'unit', 'B',
                            'mkpart', 'primary', '537919488B', '2147483647B']]
    assert result['table'] == 'msdos'
    assert result['by_partlabel'] is None
    assert result['record'] == RECORD
    assert result['partuuid'].endswith('-03')
    path, record = env['written_records'][0]
    assert path == RECORD
    assert record == {'label': 'hapair-mirror', 'disk': fake.disk, 'ptuuid': '9ac9da48', 'number': 3,
                      'start': 537919488, 'end': 2147483647,
                      'created_by': 'hapair.cluster.spare_partition'}

    again = msdos_os_disk()
    again.parted_before = fixture('parted-osdisk-msdos-ours.txt')
    env['record'] = record
    result = run_module(env, again, capsys, mode='free_space')
    assert result['changed'] is False and again.writes == []
    assert result['partition'] == fake.disk + 'p3'


def test_leftovers_in_the_chosen_space_are_refused(env, capsys):
    fake = gpt_os_disk(region='blkid-region-stale-xfs.txt')
    result = run_module(env, fake, capsys, mode='free_space')
    assert_refused_without_writes(result, fake, 'still holds xfs filesystem (UUID ',
                                  'bytes 538968064-2146435071', 'force_wipe_signatures=true')
    probe = [argv for argv, dummy in fake.calls if '-O' in argv]
    assert probe == [['/usr/sbin/blkid', '-p', '-o', 'export', '-O', '538968064', '-S',
                      '1607467008', fake.disk]]


def test_ambivalent_region_probe_is_refused(env, capsys):
    fake = blank_disk(region='AMBIVALENT')
    result = run_module(env, fake, capsys)
    assert_refused_without_writes(result, fake, 'cannot identify unambiguously', 'exit 8')


def test_leftovers_with_force_are_erased_inside_the_new_partition_only(env, capsys):
    fake = gpt_os_disk(region='blkid-region-stale-xfs.txt')
    result = run_module(env, fake, capsys, check_mode=True, mode='free_space',
                        force_wipe_signatures=True)
    assert result['changed'] is True and fake.writes == []
    assert result['commands'][-1] == '/usr/sbin/wipefs -a %sp3' % fake.disk
    fake = gpt_os_disk(region='blkid-region-stale-xfs.txt')
    result = run_module(env, fake, capsys, mode='free_space', force_wipe_signatures=True)
    assert result['created'] is True
    assert fake.writes == [
        ['/usr/sbin/parted', '-s', '-a', 'optimal', fake.disk, 'unit', 'B', 'mkpart',
         'hapair-mirror', '538968064B', '2146435071B'],
        ['/usr/sbin/wipefs', '-a', fake.disk + 'p3'],
    ]
    assert result['commands'] == [' '.join(argv) for argv in fake.writes]
    assert result['msg'].endswith('on %s and erasing old signatures inside it' % fake.disk)
    assert any('erasing xfs filesystem' in w for w in env['warnings'])


def test_msdos_record_is_written_even_if_the_node_is_late(env, capsys):
    env['node_appears'] = False
    fake = msdos_os_disk()
    result = run_module(env, fake, capsys, mode='free_space', wait_timeout=1)
    assert result['failed'] is True and result['created'] is True
    assert env['written_records'][0][1]['number'] == 3


def test_msdos_record_that_cannot_be_written_is_reported_with_its_content(env, capsys, monkeypatch):
    def refuse(path, record):
        raise OSError(30, 'Read-only file system')
    monkeypatch.setattr(spare_partition, 'write_record', refuse)
    fake = msdos_os_disk()
    result = run_module(env, fake, capsys, mode='free_space')
    assert result['failed'] is True and result['changed'] is True and result['created'] is True
    assert 'Read-only file system' in result['msg']
    assert '"number": 3' in result['msg'] and '"start": 537919488' in result['msg']


# ---------------------------------------------------------------------------------------
# failures while writing
# ---------------------------------------------------------------------------------------

def test_mkpart_failure_is_reported_as_changed(env, capsys):
    fake = gpt_os_disk(fail_on='mkpart')
    result = run_module(env, fake, capsys, mode='free_space')
    assert result['failed'] is True and result['changed'] is True
    assert 'simulated failure of mkpart' in result['msg']
    assert 'may be partly changed' in result['msg']
    assert result['commands'] == [' '.join(fake.writes[0])]


def test_device_node_that_never_appears(env, capsys):
    env['node_appears'] = False
    fake = gpt_os_disk()
    result = run_module(env, fake, capsys, mode='free_space', wait_timeout=2)
    assert result['failed'] is True and result['changed'] is True and result['created'] is True
    assert 'device node did not appear within 2 s' in result['msg']
    assert ['/usr/sbin/partx', '-a', '--nr', '3', fake.disk] in [c for c, dummy in fake.calls]


def test_stale_signature_in_new_partition_is_reported_not_erased(env, capsys):
    fake = gpt_os_disk()
    fake.after_probes[fake.disk + 'p3'] += 'TYPE=xfs\nUSAGE=filesystem\n'
    result = run_module(env, fake, capsys, mode='free_space')
    assert result['created'] is True
    assert result['stale_signatures'] == {'TYPE': 'xfs', 'USAGE': 'filesystem'}
    assert any('contains an old xfs signature' in w for w in env['warnings'])
    assert len(fake.writes) == 1
