# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A node's half of a switchover in one call (module_utils/handover.py): the plans, and make()
run against a stand-in node that answers the commands as a Debian 12 lab node does and keeps
its state, so that a failed step and what was put back can be checked on the state itself."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.handover import (
    execute, make, plan_primary, plan_secondary, read_node,
)

# events2 of the lab's r0 (drbd 8.4, Debian 12), with the role, peer role, disks and
# connection filled in by the stand-in
EVENTS2 = ('exists resource name:r0 role:{role} suspended:{suspended} write-ordering:flush\n'
           'exists connection name:r0 peer-node-id:0 conn-name:peer connection:{connection} role:{peer_role} '
           'congested:no\n'
           'exists device name:r0 volume:0 minor:1 disk:{disk} read:3561 written:20480\n'
           'exists peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 minor:1 replication:{replication} '
           'peer-disk:{peer_disk} resync-suspended:no received:0 sent:20480\n'
           'exists -\n')
IP_LINK = ('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default '
           'qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n'
           '2: ens3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group '
           'default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n'
           '3: ens4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group '
           'default qlen 1000\\    link/ether 52:54:00:5e:00:01 brd ff:ff:ff:ff:ff:ff\n')
FUSER_HEADER = '                     USER        PID ACCESS COMMAND\n/srv/hapair:         root      mount /srv/hapair\n'

SETTINGS = dict(node='node1', resource='r0', mount_point='/srv/hapair', filesystem='ext4',
                mount_options='noatime', services=['hapair-demo.service'],
                backup_units=['hapair-backup@r0.service'], service_ip='172.30.0.10/24',
                service_interface='ens4', service_mac=None, force_stale_promotion=False, announce=3, wait=1)


class Node(object):
    """A lab node as the commands see it. ``fail`` maps a command line to (rc, stderr): that
    command fails once, changing nothing."""

    def __init__(self, role='Primary', peer_role='Secondary', disk='UpToDate', connection='Connected',
                 mounted=True, running=('hapair-demo.service',), ip=True, holders=(), suspended='no'):
        self.role, self.peer_role, self.disk, self.connection = role, peer_role, disk, connection
        self.suspended = suspended
        self.mounted = mounted
        self.running = set(running)
        self.addresses = ['172.30.0.10/24'] if ip else []
        self.holders = list(holders)  # (pid, command, cgroup)
        self.fail = {}
        self.changes = []
        self.announced = []
        self.kernel_log = ''
        self.peer_changes = None   # (reads of the state until the peer changes, what it changes to)
        self.peer_connects = True   # a connect reaches Connected (the peer is waiting for it)

    # NodeFiles
    def mounts(self):
        text = '/dev/vda1 / ext4 rw 0 0\n'
        return text + ('/dev/drbd1 /srv/hapair ext4 rw,noatime 0 0\n' if self.mounted else '')

    def cgroup(self, pid):
        return dict((h[0], h[2]) for h in self.holders).get(pid)

    @staticmethod
    def drbd_loaded():
        return True

    def is_mount(self, path):
        return self.mounted and path == '/srv/hapair'

    def announce(self, interface, mac, address, count):
        self.announced.append((interface, mac, address, count))

    def _events2(self):
        connected = self.connection == 'Connected'
        return EVENTS2.format(role=self.role, suspended=self.suspended, connection=self.connection,
                              peer_role=self.peer_role if connected else 'Unknown', disk=self.disk,
                              replication='Established' if connected else 'Off',
                              peer_disk='UpToDate' if connected else 'DUnknown')

    def _ip_addr(self):
        lines = ['1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
                 '2: ens3    inet 10.0.2.15/24 brd 10.0.2.255 scope global ens3\\       valid_lft forever']
        lines += ['3: ens4    inet %s scope global secondary ens4\\       valid_lft forever' % a
                  for a in self.addresses]
        return '\n'.join(lines) + '\n'

    def run(self, argv):
        line = ' '.join(argv)
        if line in self.fail:
            rc, err = self.fail.pop(line)
            return rc, '', err
        if argv[:2] == ['drbdsetup', 'events2']:
            if self.peer_changes:
                reads, change = self.peer_changes
                self.peer_changes = (reads - 1, change) if reads > 1 else None
                if reads <= 1:
                    for key, value in change.items():
                        setattr(self, key, value)
            return 0, self._events2(), ''
        if argv == ['drbdadm', '--version']:
            return 0, 'DRBDADM_API_VERSION=1\nDRBD_KERNEL_VERSION_CODE=0x080411\nDRBDADM_VERSION=9.22.0\n', ''
        if argv[0] == 'journalctl':
            return 0, self.kernel_log, ''
        if argv[:2] == ['systemctl', 'is-active']:
            return 0, ''.join('%s\n' % ('active' if u in self.running else 'inactive') for u in argv[2:]), ''
        if argv == ['ip', '-o', 'link', 'show']:
            return 0, IP_LINK, ''
        if argv == ['ip', '-o', '-4', 'addr', 'show']:
            return 0, self._ip_addr(), ''
        if argv[:2] == ['fuser', '-vm']:
            if not self.mounted:
                return 1, '', 'Cannot stat /srv/hapair\n'
            pids = ' '.join(['kernel'] + [h[0] for h in self.holders])
            rows = ''.join('                     root      ..c.. %s\n' % h[1] for h in self.holders)
            return 0, pids, FUSER_HEADER + rows
        self.changes.append(line)
        if argv[:2] == ['systemctl', 'stop']:
            self.running -= set(argv[2:])
        elif argv[:2] == ['systemctl', 'start']:
            self.running |= set(argv[2:])
        elif argv[:3] == ['ip', 'addr', 'add']:
            self.addresses.append(argv[3])
        elif argv[:3] == ['ip', 'addr', 'del']:
            self.addresses.remove(argv[3])
        elif argv[0] == 'umount':
            if self.holders:
                return 32, '', 'umount: /srv/hapair: target is busy.'
            self.mounted = False
        elif argv[0] == 'mount':
            if self.role != 'Primary':
                return 32, '', 'mount: /srv/hapair: wrong medium type.'
            self.mounted = True
        elif argv[:2] == ['drbdadm', 'secondary']:
            if self.mounted:
                return 11, '', '1: State change failed: (-12) Device is held open by someone\n'
            self.role = 'Secondary'
        elif argv[:2] == ['drbdadm', 'disconnect']:
            self.connection = 'StandAlone'
        elif argv[:2] == ['drbdadm', 'connect']:
            self.connection = 'Connected' if self.peer_connects else 'WFConnection'
            if '--discard-my-data' in argv:
                self.disk = 'Inconsistent'
        elif argv[:2] == ['drbdadm', 'primary']:
            if self.connection == 'Connected' and self.peer_role == 'Primary':
                return 11, '', '1: State change failed: (-1) Multiple primaries not allowed by config\n'
            self.role = 'Primary'
        else:
            raise AssertionError('unexpected command %s' % line)
        return 0, '', ''

    def healthy_primary(self):
        return (self.role == 'Primary' and self.mounted and self.running == {'hapair-demo.service'}
                and self.addresses == ['172.30.0.10/24'])

    def clean_secondary(self):
        return self.role == 'Secondary' and not self.mounted and not self.running and not self.addresses


def call(target, node, check_mode=False, **settings):
    warnings = []
    result, failure = make(target, node.run, dict(SETTINGS, **settings), check_mode, warnings.append,
                           files=node, announce_ip=node.announce)
    return result, failure, warnings


def facts_of(node, **settings):
    s = dict(SETTINGS, **settings)
    return read_node(node.run, s['resource'], s['mount_point'], s['backup_units'] + s['services'],
                     s['service_ip'], s['service_interface'], s['service_mac'], files=node)


# ---------------------------------------------------------------------------
# make secondary

def test_a_healthy_primary_is_made_secondary_in_order_and_a_second_call_changes_nothing():
    node = Node()
    result, failure, dummy = call('secondary', node)
    assert failure is None
    assert node.changes == ['systemctl stop hapair-demo.service', 'ip addr del 172.30.0.10/24 dev ens4',
                            'umount /srv/hapair', 'drbdadm secondary r0']
    assert result['changed'] and result['previous_role'] == 'Primary' and result['role'] == 'Secondary'
    assert node.clean_secondary()
    node.changes = []
    result, failure, dummy = call('secondary', node)
    assert (failure, result['changed'], node.changes) == (None, False, [])


def test_a_running_backup_is_stopped_first_and_not_restarted_by_an_undo():
    node = Node(running=('hapair-demo.service', 'hapair-backup@r0.service'))
    node.fail['drbdadm secondary r0'] = (11, '1: State change failed: (-10) State change was refused by peer node\n')
    dummy, failure, dummy = call('secondary', node)
    assert node.changes[0] == 'systemctl stop hapair-backup@r0.service'
    assert 'hapair-backup@r0.service' not in node.running
    assert node.healthy_primary(), failure


def test_a_shell_under_the_mount_point_is_refused_before_anything_stops():
    node = Node(holders=[('707', 'bash', '0::/user.slice/user-0.slice/session-3.scope\n'),
                         ('1714', 'python3', '0::/system.slice/hapair-demo.service\n')])
    result, failure, dummy = call('secondary', node)
    assert failure.startswith('refusing to make node1 Secondary: /srv/hapair on node1 is in use by bash (pid 707, '
                              'user root, in session-3.scope), which a switchover does not stop')
    assert 'python3' not in failure
    assert node.changes == [] and node.healthy_primary()
    assert result['changed'] is False


def test_the_application_itself_holding_the_mirror_is_no_refusal():
    node = Node(holders=[('1714', 'python3', '0::/system.slice/hapair-demo.service\n')])
    node.fail['umount /srv/hapair'] = (32, 'umount: /srv/hapair: target is busy.')
    dummy, failure, dummy = call('secondary', node)
    assert 'is in use by' not in failure
    assert 'umount /srv/hapair failed (exit code 32): umount: /srv/hapair: target is busy.' in failure


def test_a_failed_demotion_puts_back_mount_service_ip_and_application_while_still_primary():
    node = Node()
    node.fail['drbdadm secondary r0'] = (11, '1: State change failed: (-12) Device is held open by someone\n')
    result, failure, dummy = call('secondary', node)
    assert node.healthy_primary()
    assert node.changes[-3:] == ['mount -t ext4 -o noatime /dev/drbd1 /srv/hapair',
                                 'ip addr add 172.30.0.10/24 dev ens4', 'systemctl start hapair-demo.service']
    assert failure.startswith("Making node1 Secondary failed at 'become Secondary': drbdadm secondary r0 failed "
                              '(exit code 11): 1: State change failed: (-12) Device is held open by someone')
    assert ('Put back: the mirror is mounted again, the service IP is back, the application runs again. '
            'node1 is Primary now.') in failure
    assert result['put_back'] == ['the mirror is mounted again', 'the service IP is back', 'the application runs again']
    assert result['steps'] == ['stop the application (hapair-demo.service)',
                               'release the service IP 172.30.0.10 on ens4', 'unmount /srv/hapair']
    assert node.announced == [('ens4', '52:54:00:5e:00:01', '172.30.0.10', 3)]


def test_a_stop_that_fails_half_way_starts_the_units_again():
    node = Node(running=('app-a.service', 'app-b.service'))
    node.fail['systemctl stop app-a.service app-b.service'] = (1, 'Job for app-b.service canceled.')
    result, failure, dummy = call('secondary', node, services=['app-a.service', 'app-b.service'])
    assert node.changes == ['systemctl start app-a.service app-b.service']
    assert node.running == {'app-a.service', 'app-b.service'}
    assert 'Put back: the application runs again.' in failure
    assert '`systemctl status app-a.service app-b.service`' in failure


def test_frozen_io_is_refused():
    node = Node(suspended='user,fencing')
    dummy, failure, dummy = call('secondary', node)
    assert failure.startswith('refusing to make node1 Secondary: I/O is suspended on this node')
    assert node.changes == []


def test_a_disconnected_primary_is_made_secondary_with_a_warning():
    node = Node(connection='StandAlone')
    dummy, failure, warnings = call('secondary', node)
    assert failure is None and node.clean_secondary()
    assert warnings == ['the peer is not connected (r0 is StandAlone): after this no node is Primary for r0 until '
                        'one is made Primary']


def test_check_mode_judges_and_lists_the_steps_without_running_them():
    node = Node()
    result, failure, dummy = call('secondary', node, check_mode=True)
    assert failure is None and node.changes == [] and node.healthy_primary()
    assert result['changed'] is True
    assert result['commands'] == ['systemctl stop hapair-demo.service', 'ip addr del 172.30.0.10/24 dev ens4',
                                  'umount /srv/hapair', 'drbdadm secondary r0']
    node = Node(holders=[('707', 'bash', '0::/user.slice/user-0.slice/session-3.scope\n')])
    dummy, failure, dummy = call('secondary', node, check_mode=True)
    assert 'is in use by bash' in failure


def test_a_resource_that_is_not_up_is_refused():
    node = Node()
    node.fail['drbdsetup events2 --now --statistics r0'] = (10, "r0: No such resource")
    node.fail['drbdadm status r0'] = (10, "r0: No such resource")
    dummy, failure, dummy = call('secondary', node)
    assert failure == ('refusing to make node1 Secondary: resource r0 is not up on this node: check `drbdadm status` '
                       '(provision.yml brings it up)')


# ---------------------------------------------------------------------------
# make primary

def test_an_uptodate_secondary_is_made_primary_in_order_and_a_second_call_changes_nothing():
    node = Node(role='Secondary', mounted=False, running=(), ip=False)
    result, failure, dummy = call('primary', node)
    assert failure is None
    assert node.changes == ['drbdadm primary r0', 'mount -t ext4 -o noatime /dev/drbd1 /srv/hapair',
                            'ip addr add 172.30.0.10/24 dev ens4', 'systemctl start hapair-demo.service']
    assert node.healthy_primary() and node.announced == [('ens4', '52:54:00:5e:00:01', '172.30.0.10', 3)]
    node.changes = []
    result, failure, dummy = call('primary', node)
    assert (failure, result['changed'], node.changes) == (None, False, [])


def test_a_connected_primary_peer_is_refused_and_nothing_changes():
    node = Node(role='Secondary', peer_role='Primary', mounted=False, running=(), ip=False)
    dummy, failure, dummy = call('primary', node, force_stale_promotion=True)
    assert failure.startswith('refusing to make node1 Primary: peer is Primary and connected')
    assert node.changes == []


def test_an_outdated_copy_needs_the_force_and_then_says_what_may_be_lost():
    node = Node(role='Secondary', disk='Outdated', connection='StandAlone', mounted=False, running=(), ip=False)
    dummy, failure, dummy = call('primary', node)
    assert failure.startswith('refusing to make node1 Primary: ')
    assert 'force_stale_promotion=true' in failure and node.changes == []
    result, failure, warnings = call('primary', node, force_stale_promotion=True)
    assert failure is None and node.changes[0] == 'drbdadm primary --force r0'
    assert warnings[0].startswith('force_stale_promotion=true: promoting r0 with its local disk Outdated')


def test_a_failed_start_undoes_the_promotion():
    node = Node(role='Secondary', mounted=False, running=(), ip=False)
    node.fail['systemctl start hapair-demo.service'] = (1, 'Job for hapair-demo.service failed.')
    result, failure, dummy = call('primary', node)
    assert node.clean_secondary()
    assert node.changes[-4:] == ['systemctl stop hapair-demo.service', 'ip addr del 172.30.0.10/24 dev ens4',
                                 'umount /srv/hapair', 'drbdadm secondary r0']
    assert failure.startswith("Making node1 Primary failed at 'start the application (hapair-demo.service)': "
                              'systemctl start hapair-demo.service failed (exit code 1)')
    assert failure.endswith('Put back: stopped the application, released the service IP, unmounted the mirror, '
                            'Secondary again. node1 is Secondary now. Fix the cause, then run it again.')
    assert result['role'] == 'Secondary' and result['changed'] is True


def test_a_failed_mount_demotes_again():
    node = Node(role='Secondary', mounted=False, running=(), ip=False)
    node.fail['mount -t ext4 -o noatime /dev/drbd1 /srv/hapair'] = (32, 'mount: /srv/hapair: wrong fs type')
    dummy, failure, dummy = call('primary', node)
    assert node.clean_secondary() and 'Put back: Secondary again.' in failure


def test_another_filesystem_on_the_mount_point_is_refused():
    node = Node(role='Secondary', mounted=False, running=(), ip=False)
    node.mounts = lambda: '/dev/vda1 / ext4 rw 0 0\n/dev/vdb1 /srv/hapair ext4 rw 0 0\n'
    dummy, failure, dummy = call('primary', node)
    assert failure == ('refusing to make node1 Primary: /srv/hapair has /dev/vdb1 mounted on it, not the mirror '
                       '/dev/drbd1: unmount it or fix hapair_mount_point')
    assert node.changes == []


# ---------------------------------------------------------------------------
# the service IP's NIC

@pytest.mark.parametrize('settings, message', [
    (dict(service_interface='eth9'), 'no NIC named eth9 on this node (hapair_service_interface); its NICs: ens3, ens4'),
    (dict(service_interface=None, service_mac='52:54:00:aa:bb:cc'),
     'no NIC with MAC 52:54:00:aa:bb:cc on this node (hapair_service_mac); its NICs: ens3 52:54:00:12:34:56, '
     'ens4 52:54:00:5e:00:01'),
    (dict(service_interface=None), 'the service IP 172.30.0.10/24 is set but neither hapair_service_interface nor '
                                   'hapair_service_mac names its NIC on this node; its NICs: ens3, ens4'),
    (dict(service_ip='172.30.0.10'), "'172.30.0.10' is not an IPv4 address with a prefix length, like 192.0.2.10/24"),
])
def test_a_service_ip_setting_the_node_cannot_act_on_is_refused_before_anything_changes(settings, message):
    node = Node()
    dummy, failure, dummy = call('secondary', node, **settings)
    assert failure == 'refusing to make node1 Secondary: ' + message
    assert node.changes == []


def test_the_nic_is_found_by_its_mac():
    node = Node(role='Secondary', mounted=False, running=(), ip=False)
    dummy, failure, dummy = call('primary', node, service_interface=None, service_mac='52:54:00:5E:00:01')
    assert failure is None and 'ip addr add 172.30.0.10/24 dev ens4' in node.changes


def test_without_a_service_ip_or_services_only_drbd_and_the_mount_change():
    node = Node(running=(), ip=False)
    dummy, failure, dummy = call('secondary', node, service_ip='', services=[], backup_units=[])
    assert failure is None and node.changes == ['umount /srv/hapair', 'drbdadm secondary r0']


# ---------------------------------------------------------------------------
# the pure pieces

def test_plans_leave_out_what_is_already_done():
    node = Node(running=(), ip=False)  # an earlier run stopped the application and released the IP
    plan = plan_secondary('node1', facts_of(node), 'r0', '/srv/hapair', ['hapair-demo.service'])
    assert [step['name'] for step in plan['steps']] == ['unmount /srv/hapair', 'become Secondary']
    node = Node(role='Primary', mounted=True, running=(), ip=False)  # promoted and mounted, then stopped
    plan = plan_primary('node1', facts_of(node), 'r0', '/srv/hapair', ['hapair-demo.service'])
    assert [step['name'] for step in plan['steps']] == ['take the service IP 172.30.0.10 on ens4',
                                                        'start the application (hapair-demo.service)']


def test_execute_undoes_a_step_whose_own_check_failed():
    calls = []

    def run(argv):
        calls.append(argv)
        return 0, '', ''
    steps = [dict(name='one', argv=['a'], undo=['undo-a'], undo_name='a undone', undo_partial=False, then=None),
             dict(name='two', argv=['b'], undo=['undo-b'], undo_name='b undone', undo_partial=False, then='check')]
    report = execute(steps, run, {'check': lambda: 'b did not take'})
    assert calls == [['a'], ['b'], ['undo-b'], ['undo-a']]
    assert report == dict(done=['one'], failed='two', error='b did not take', put_back=['b undone', 'a undone'],
                          not_put_back=[])


def test_an_undo_that_fails_is_said():
    node = Node()
    node.fail['drbdadm secondary r0'] = (11, '1: State change failed: (-12) Device is held open by someone\n')
    node.fail['mount -t ext4 -o noatime /dev/drbd1 /srv/hapair'] = (32, 'mount: /srv/hapair: bad superblock')
    dummy, failure, dummy = call('secondary', node)
    assert ('Could not put back: mount -t ext4 -o noatime /dev/drbd1 /srv/hapair failed (exit code 32): '
            'mount: /srv/hapair: bad superblock.') in failure
    assert 'Put back: the service IP is back, the application runs again.' in failure


@pytest.mark.parametrize('words, override', [
    ('module', 'set force_stale_promotion=true if the peer is lost for good'),
    ('playbook', 'add -e hapair_force_stale_promotion=true if the peer is lost for good'),
    ('node', 'add --force-stale if the peer is lost for good'),
])
def test_a_stale_copy_s_refusal_names_the_override_the_operator_types_there(words, override):
    node = Node(role='Secondary', disk='Outdated', connection='StandAlone', mounted=False, running=(), ip=False)
    dummy, failure, dummy = call('primary', node, refusal_words=words)
    assert override in failure, failure
    assert node.changes == []


# ---------------------------------------------------------------------------
# both halves at once (failover.yml): the target waits for the peer to be Secondary

def test_the_target_takes_over_the_moment_the_peer_is_secondary():
    node = secondary_beside_a_primary()
    node.peer_changes = (4, dict(peer_role='Secondary'))
    dummy, failure, dummy = call('primary', node, wait_for_peer=30)
    assert failure is None and node.healthy_primary()
    assert node.changes[0] == 'drbdadm primary r0'


def test_a_peer_that_stays_primary_is_refused_after_the_wait_and_nothing_changes():
    node = secondary_beside_a_primary()
    dummy, failure, dummy = call('primary', node, wait_for_peer=1)
    assert failure.startswith('refusing to make node1 Primary: peer is Primary and connected')
    assert failure.endswith('(after waiting 1 s for it to become Secondary: its half of the switchover did not end '
                            'in time, or failed)')
    assert node.changes == []


def test_losing_the_peer_while_waiting_is_no_licence_for_an_emergency_promotion():
    node = secondary_beside_a_primary()
    node.peer_changes = (3, dict(connection='Connecting'))
    dummy, failure, dummy = call('primary', node, wait_for_peer=30)
    assert failure.startswith('refusing to make node1 Primary: the connection to the peer was lost (Connecting) while '
                              'waiting for it to become Secondary')
    assert node.changes == []
    # control: without the wait, the same disconnected UpToDate Secondary is promoted (with a warning)
    dummy, failure, warnings = call('primary', node)
    assert failure is None and node.healthy_primary() and warnings[0].startswith('peer not connected')


def test_without_the_wait_a_primary_peer_is_refused_at_once():
    node = secondary_beside_a_primary()
    node.peer_changes = (2, dict(peer_role='Secondary'))   # it demotes just after the node was read
    dummy, failure, dummy = call('primary', node)
    assert failure.startswith('refusing to make node1 Primary: peer is Primary and connected')


def secondary_beside_a_primary():
    return Node(role='Secondary', peer_role='Primary', mounted=False, running=(), ip=False)
