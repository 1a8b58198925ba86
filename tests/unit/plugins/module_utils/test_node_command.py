# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The node command ``hapair`` (module_utils/node_command.py) against the stand-in node of
test_handover: exit codes, refusals in the words the operator types on a node, the lock."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_handover import Node  # noqa: E402 (the stand-in node, shared)

from ansible_collections.hapair.cluster.plugins.module_utils import node_command  # noqa: E402
from ansible_collections.hapair.cluster.plugins.module_utils.node_command import (  # noqa: E402
    CANNOT, DONE, FAILED, REFUSED, Lock, load_settings, main, make_primary, make_secondary, rejoin, status,
)
from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import create_lock  # noqa: E402

SETTINGS = dict(node='node2', peer='node1', resource='r0', mount_point='/srv/hapair', filesystem='ext4',
                mount_options='noatime', services=['hapair-demo.service'], backup_units=['hapair-backup@r0.service'],
                service_ip='172.30.0.10/24', service_interface='ens4', service_mac=None)


class Said(list):
    def __call__(self, text):
        self.append(text)

    def text(self):
        return '\n'.join(self)


def secondary():
    return Node(role='Secondary', peer_role='Primary', mounted=False, running=(), ip=False)


# ---------------------------------------------------------------------------
# status

def test_status_shows_the_table_with_the_peer_as_drbd_sees_it_and_exits_0_when_healthy(tmp_path):
    said = Said()
    code = status(SETTINGS, Node().run, said, files=Node(), lock_dir=str(tmp_path))
    assert code == DONE
    assert said[0].split() == ['node', 'role', 'connection', 'disk/peer', 'sync', 'mounted', 'services', 'service',
                               'IP']
    assert said[1].split() == ['node1', 'Secondary', 'Connected', 'UpToDate/UpToDate', '-', '?', '?', '?']
    assert said[2].split() == ['node2', 'Primary', 'Connected', 'UpToDate/UpToDate', '-', 'yes',
                               'hapair-demo.service', 'yes']
    assert said[3] == 'verdict: healthy'
    assert said[4].startswith('node1: its role, disk and sync as DRBD on node2 sees them')


def test_status_of_a_secondary_that_lost_its_peer_is_not_healthy(tmp_path):
    node = Node(role='Secondary', connection='WFConnection', mounted=False, running=(), ip=False)
    said = Said()
    assert status(SETTINGS, node.run, said, files=node, lock_dir=str(tmp_path)) == REFUSED
    assert said[1].split()[:2] == ['node1', 'UNREACHABLE']
    assert said[3].startswith('verdict: no-primary') or said[3].startswith('verdict: degraded'), said


def test_status_json_and_the_lock_holder(tmp_path):
    create_lock(os.path.join(str(tmp_path), 'hapair-operation-r0.lock'),
                dict(run_id='ctl:4242:77', operation='switchover (failover.yml)', holder='root@ctl', controller='ctl',
                     pid=4242, since=1796000000))
    said = Said()
    status(SETTINGS, Node().run, said, as_json=True, files=Node(), lock_dir=str(tmp_path))
    data = json.loads(said.text())
    assert data['verdict'] == 'healthy' and data['nodes']['node1']['observed'] is True
    assert data['operations'][0].startswith('An operation holds the pair on node2: switchover (failover.yml), '
                                            'run ctl:4242:77 by root@ctl since')


# ---------------------------------------------------------------------------
# make-secondary / make-primary

def test_make_secondary_says_each_step_and_a_second_run_has_nothing_to_do():
    node, said = Node(), Said()
    assert make_secondary(SETTINGS, node.run, said, files=node) == DONE
    assert said == ['done: stop the application (hapair-demo.service) (systemctl stop hapair-demo.service)',
                    'done: release the service IP 172.30.0.10 on ens4 (ip addr del 172.30.0.10/24 dev ens4)',
                    'done: unmount /srv/hapair (umount /srv/hapair)',
                    'done: become Secondary (drbdadm secondary r0)']
    said = Said()
    assert make_secondary(SETTINGS, node.run, said, files=node) == DONE
    assert said == ['nothing to do: node2 is Secondary']


def test_make_secondary_refuses_in_the_node_s_words_and_exits_1():
    node = Node(holders=[('707', 'bash', '0::/user.slice/user-0.slice/session-3.scope\n')])
    said = Said()
    assert make_secondary(SETTINGS, node.run, said, files=node) == REFUSED
    assert 'or add their unit to services in /etc/hapair/node.json), then run it again' in said.text()
    assert node.changes == []


def test_a_failed_step_exits_2_and_says_what_was_put_back():
    node, said = Node(), Said()
    node.fail['drbdadm secondary r0'] = (11, '1: State change failed: (-12) Device is held open by someone\n')
    assert make_secondary(SETTINGS, node.run, said, files=node) == FAILED
    assert 'Put back: the mirror is mounted again' in said[-1] and node.healthy_primary()


def test_make_primary_after_make_secondary_on_the_peer():
    node = Node(role='Secondary', peer_role='Secondary', mounted=False, running=(), ip=False)
    said = Said()
    assert make_primary(SETTINGS, node.run, said, files=node) == DONE
    assert said[0] == 'node2 is connected to node1 and its copy is UpToDate: it has every write node1 made.'
    assert node.healthy_primary()


def test_make_primary_beside_a_connected_primary_is_refused_naming_the_node_command():
    node, said = secondary(), Said()
    assert make_primary(SETTINGS, node.run, said, files=node, force_stale=True, yes=True) == REFUSED
    assert said[-1] == ('node1 is reachable and still Primary: promoting node2 now would make a split brain by hand. '
                        'Run `hapair make-secondary` on node1 first. Nothing was changed.')
    assert node.changes == []


def test_an_emergency_promotion_needs_yes_and_says_what_the_copy_holds():
    node = Node(role='Secondary', connection='WFConnection', mounted=False, running=(), ip=False)
    said = Said()
    assert make_primary(SETTINGS, node.run, said, files=node, now=1796000000) == REFUSED
    assert said[0].startswith('node2 was never fenced')
    assert said[1] == ('An emergency promotion may lose the last writes of the old Primary. Confirm with --yes; if '
                       'both nodes are up, run `hapair make-secondary` on the other node first instead (no loss). '
                       'Nothing was changed.')
    assert node.changes == []
    said = Said()
    assert make_primary(SETTINGS, node.run, said, files=node, yes=True, now=1796000000) == DONE
    assert node.healthy_primary()


def test_a_stale_copy_needs_force_stale_and_yes():
    node = Node(role='Secondary', disk='Outdated', connection='StandAlone', mounted=False, running=(), ip=False)
    said = Said()
    assert make_primary(SETTINGS, node.run, said, files=node, yes=True) == REFUSED
    assert 'add --force-stale if the peer is lost for good' in said[-1]
    said = Said()
    assert make_primary(SETTINGS, node.run, said, files=node, force_stale=True) == REFUSED
    assert 'Confirm with --yes' in said[-1] and node.changes == []
    said = Said()
    assert make_primary(SETTINGS, node.run, said, files=node, force_stale=True, yes=True) == DONE
    assert node.changes[0] == 'drbdadm primary --force r0'
    assert any(line.startswith('--force-stale: promoting r0 with its local disk Outdated') for line in said)


# ---------------------------------------------------------------------------
# rejoin

def test_rejoin_after_a_split_brain_needs_the_victim_to_say_so():
    node = Node(role='Secondary', connection='StandAlone', mounted=False, running=(), ip=False)
    node.kernel_log = ('2026-12-07T03:00:00+00:00 node2 kernel: block drbd1: Split-Brain detected but unresolved, '
                       'dropping connection!\n'
                       '2026-12-07T03:00:00+00:00 node2 kernel: drbd r0: conn( WFReportParams -> StandAlone )\n')
    said = Said()
    assert rejoin(SETTINGS, node.run, said, files=node) == REFUSED
    assert said[-1].startswith('refusing to rejoin node2: both nodes wrote while they were apart (split brain')
    assert node.changes == []
    said = Said()
    assert rejoin(SETTINGS, node.run, said, files=node, discard=True) == REFUSED
    assert 'Confirm with --yes' in said[-1] and node.changes == []
    said = Said()
    assert rejoin(SETTINGS, node.run, said, files=node, discard=True, yes=True, remove=lambda path: None) == DONE
    assert node.changes == ['drbdadm connect --discard-my-data r0']
    assert said[-1].startswith('node2 is connected to node1')


def test_rejoin_that_does_not_connect_exits_2_naming_the_other_half():
    node = Node(role='Secondary', connection='StandAlone', mounted=False, running=(), ip=False)
    node.peer_connects = False
    clock = iter(range(0, 1000, 30))
    said = Said()
    code = rejoin(SETTINGS, node.run, said, files=node, sleep=lambda s: None, clock=lambda: next(clock))
    assert code == FAILED
    assert said[-1].startswith('node2 is Connecting after 60 s, not Connected: if the other node shows StandAlone, '
                               'run `hapair rejoin` there too')


def test_rejoin_never_discards_on_the_primary():
    node, said = Node(connection='StandAlone'), Said()
    assert rejoin(SETTINGS, node.run, said, files=node, discard=True, yes=True) == REFUSED
    assert 'it is Primary, so its data is the current one' in said[-1]
    said = Said()
    assert rejoin(SETTINGS, node.run, said, files=node, remove=lambda path: None) == DONE
    assert node.changes == ['drbdadm connect r0'] and node.healthy_primary()


# ---------------------------------------------------------------------------
# the command line and the lock

def test_a_missing_or_broken_settings_file_exits_3(tmp_path):
    said = Said()
    assert main(['--config', str(tmp_path / 'none.json'), 'status'], out=said) == CANNOT
    assert said[0].startswith('hapair: cannot read %s (No such file or directory): the node_command role writes it'
                              % (tmp_path / 'none.json'))
    broken = tmp_path / 'node.json'
    broken.write_text(u'{"node": "node2"}')
    said = Said()
    assert main(['--config', str(broken), 'status'], out=said) == CANNOT
    assert said[0] == 'hapair: %s lacks peer, resource, mount_point: run provision.yml again to rewrite it' % broken
    with pytest.raises(node_command.CannotRun):
        load_settings(str(tmp_path / 'none.json'))


def test_a_changing_command_needs_root(tmp_path, monkeypatch):
    config = tmp_path / 'node.json'
    config.write_text(u'%s' % json.dumps(SETTINGS))
    monkeypatch.setattr(os, 'geteuid', lambda: 1000)
    said = Said()
    assert main(['--config', str(config), 'make-secondary'], out=said) == CANNOT
    assert said == ['hapair: make-secondary changes the node: run it as root (sudo hapair make-secondary)']


def test_the_lock_refuses_a_second_operation_and_names_a_stale_one(tmp_path):
    first = Lock(SETTINGS, 'make-secondary (hapair command on node2)', directory=str(tmp_path))
    assert first.take() is None
    second = Lock(SETTINGS, 'make-primary (hapair command on node2)', directory=str(tmp_path))
    second.run_id = 'other:1:1'
    second.record = dict(second.record, run_id=second.run_id)
    refusal = second.take()
    assert refusal.startswith('Another operation holds the pair on node2: make-secondary (hapair command on node2), '
                              'run %s' % first.run_id)
    assert 'That run is still going on this controller' in refusal and refusal.endswith('Nothing was changed')
    first.release()
    assert second.take() is None
    second.release()
    path = os.path.join(str(tmp_path), 'hapair-operation-r0.lock')
    create_lock(path, dict(run_id='%s:999999:1' % first.host, operation='rejoin (hapair command on node2)',
                           holder='root@node2', controller=first.host, pid=999999, since=1796000000))
    refusal = Lock(SETTINGS, 'make-primary', directory=str(tmp_path)).take()
    assert 'the lock is STALE' in refusal
    assert 'to release it: hapair COMMAND --force-release-lock %s:999999:1' % first.host in refusal
    assert Lock(SETTINGS, 'make-primary', directory=str(tmp_path), force_release='%s:999999:1' % first.host).take() \
        is None
