# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The node command ``hapair``: the pair's status and a switchover's halves, typed on a node.

At 3 a.m. the operator may have SSH to the surviving server and no working controller. The
node_command role installs this file and the module_utils it imports on every node (the same
files the modules run: no second implementation) with /etc/hapair/node.json, the pair's
settings as the inventory gives them, and /usr/local/sbin/hapair, which runs::

    hapair status [--json]
    hapair make-secondary [--check]
    hapair make-primary [--check] [--force-stale] [--yes]
    hapair rejoin [--check] [--discard-my-data --yes] [--wait-sync]

Exit codes (docs/operations.md, "Without the controller"):

    0  done, or nothing to do; status: the pair is healthy
    1  refused, nothing was changed; status: the pair is not healthy
    2  failed part way: what ran was undone as far as possible, the message says what was put back
    3  cannot run here: the settings file is missing or unreadable, not root, bad arguments

Every changing command takes the pair's operation lock on this node (the lock the playbooks
take on both nodes), so a playbook and a node command never change the pair at the same time.

PRIVATE to the hapair.cluster collection. Python 2.7 and 3.6 compatible (EL7 nodes).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import getpass
import json
import os
import socket
import sys
import time

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_connection import plan as connection_plan
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import (
    node_state, resource_state, run_drbdadm, split_brain_marker,
)
from ansible_collections.hapair.cluster.plugins.module_utils.handover import NodeFiles, in_words, make
from ansible_collections.hapair.cluster.plugins.module_utils.local_command import run_command
from ansible_collections.hapair.cluster.plugins.module_utils.node_report import peer_as_seen, read_report
from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import (
    create_lock, epoch_now, held_notes, liveness, lock_path, parse, plan_release, plan_take, read_lock, record,
    refusal as lock_refusal, remove_lock, run_id, start_ticks,
)
from ansible_collections.hapair.cluster.plugins.module_utils.pair_report import summarise
from ansible_collections.hapair.cluster.plugins.module_utils.promotion import promotion_notice, promotion_refusal

CONFIG = '/etc/hapair/node.json'
DONE, REFUSED, FAILED, CANNOT = 0, 1, 2, 3
SETTINGS = ('node', 'peer', 'resource', 'mount_point', 'filesystem', 'mount_options', 'services', 'service_ip',
            'service_interface', 'service_mac')
# the backup role's job, which a demotion stops first (the backup role installs its unit file)
BACKUP_UNIT_FILE = '/etc/systemd/system/hapair-backup@.service'
RELEASE = 'hapair COMMAND --force-release-lock RUN_ID'


class CannotRun(Exception):
    """The command cannot run on this node at all (exit code 3)."""


def load_settings(path):
    """The pair's settings the node_command role wrote; CannotRun naming what is wrong."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError) as error:
        raise CannotRun('cannot read %s (%s): the node_command role writes it (provision.yml, '
                        'hapair_node_command: true)' % (path, getattr(error, 'strerror', error)))
    except ValueError as error:
        raise CannotRun('%s is not JSON (%s): run provision.yml again to rewrite it' % (path, error))
    missing = [key for key in ('node', 'peer', 'resource', 'mount_point') if not data.get(key)]
    if missing:
        raise CannotRun('%s lacks %s: run provision.yml again to rewrite it' % (path, ', '.join(missing)))
    settings = dict((key, data.get(key)) for key in SETTINGS)
    settings['services'] = list(settings['services'] or [])
    settings['backup_units'] = backup_units(settings['resource'])
    return settings


def backup_units(resource, exists=os.path.exists):
    """The backup job's unit on this node, when the backup role installed it."""
    return ['hapair-backup@%s.service' % resource] if exists(BACKUP_UNIT_FILE) else []


# ---------------------------------------------------------------------------
# the lock

class Lock(object):
    """The pair's operation lock on this node, held for one command."""

    def __init__(self, settings, operation, directory='/run/lock', force_release=None, now=epoch_now):
        self.node = settings['node']
        self.path = lock_path(settings['resource'], directory)
        self.operation = operation
        self.force_release = force_release
        self.now = now
        self.host = socket.gethostname()
        pid = os.getpid()
        self.run_id = run_id(self.host, pid, start_ticks(pid))
        self.record = record(self.run_id, operation, '%s@%s' % (getpass.getuser(), self.host), self.host, pid, now())

    def take(self):
        """None once held; the refusal otherwise (nothing was changed)."""
        held = parse(read_lock(self.path))
        step = plan_take(held, self.run_id, self.force_release)
        if step == 'take':
            if held is not None:   # the stale lock the operator named
                remove_lock(self.path)
            if create_lock(self.path, self.record):
                return None
            held = parse(read_lock(self.path))
        if held is None:
            return 'the lock file %s changed under this command; run it again' % self.path
        return lock_refusal(self.node, held, liveness(held, self.host), self.now(), RELEASE)

    def release(self):
        if plan_release(parse(read_lock(self.path)), self.run_id) == 'remove':
            remove_lock(self.path)


# ---------------------------------------------------------------------------
# the commands

def _report(settings, run, files):
    return read_report(run, settings['resource'], settings['mount_point'], settings['services'],
                       settings['service_ip'], files)


def status(settings, run, out, as_json=False, files=NodeFiles, lock_dir='/run/lock'):
    """The pair as this node sees it: the status table and verdict of status.yml, the peer's row
    from DRBD's view of it. Exit 0 when healthy, 1 otherwise."""
    node, peer = settings['node'], settings['peer']
    report = _report(settings, run, files)
    reports = {node: report, peer: peer_as_seen(report, node)}
    summary = summarise(reports)
    notes = []
    if reports[peer] is not None:
        notes.append('%s: its role, disk and sync as DRBD on %s sees them; its mount, services and service IP are '
                     'not known here (status.yml asks both nodes)' % (peer, node))
    held = parse(read_lock(lock_path(settings['resource'], lock_dir)))
    host = socket.gethostname()
    operations = held_notes({node: held}, None, lambda h: liveness(h, host), epoch_now(), RELEASE)
    if as_json:
        out(json.dumps(dict(node=node, verdict=summary['verdict'], headline=summary['headline'],
                            reasons=summary['reasons'], primary=summary['primary'], secondary=summary['secondary'],
                            table=summary['table'], nodes=reports, notes=notes, operations=operations),
                       indent=2, sort_keys=True))
    else:
        for line in summary['table'] + ['verdict: %s' % summary['headline']] + notes + operations:
            out(line)
    return DONE if summary['verdict'] == 'healthy' else REFUSED


def _said(result, failure, out, check):
    for step, command in zip(result['steps'], result['commands']):
        out(('would: %s (%s)' if check else 'done: %s (%s)') % (step, command))
    if failure:
        out(failure)
        return REFUSED if result['refused'] else FAILED
    if not result['steps']:
        out('nothing to do: %s is %s' % (result.get('node'), result['role']))
    elif check:
        out('--check: nothing was changed')
    return DONE


def make_secondary(settings, run, out, check=False, files=NodeFiles):
    """The Primary's half of a switchover (make_secondary module, the same code)."""
    result, failure = make('secondary', run, dict(settings, refusal_words='node'), check, out, files)
    return _said(dict(result, node=settings['node']), failure, out, check)


def make_primary(settings, run, out, check=False, force_stale=False, yes=False, files=NodeFiles, now=None):
    """The new Primary's half, or an emergency takeover: promotion.py's rules (an emergency and a
    forced stale copy need --yes), then the make_primary module's code."""
    node, peer = settings['node'], settings['peer']
    report = _report(settings, run, files)
    reports = {node: report, peer: peer_as_seen(report, node)}
    res = report['resource'] or {}
    if res.get('role') != 'Primary':
        notice = promotion_notice(node, [node, peer], reports, now)
        if notice:
            out(notice)
        refusal = promotion_refusal(node, [node, peer], reports, emergency=reports[peer] is None,
                                    confirm_data_loss='yes' if yes else 'no', force_stale=force_stale)
        if refusal:
            out(in_words(refusal, 'node'))
            return REFUSED
    result, failure = make('primary', run, dict(settings, refusal_words='node', force_stale_promotion=force_stale),
                           check, out, files)
    return _said(dict(result, node=node), failure, out, check)


def rejoin(settings, run, out, check=False, discard=False, yes=False, wait_sync=False, timeout=60,
           files=NodeFiles, sleep=time.sleep, clock=time.time, remove=os.remove):
    """Reconnect this node to its peer. On the Secondary that comes back, after a split brain,
    --discard-my-data --yes throws away its writes since the split; on the Primary it only
    reconnects (it never discards, never demotes)."""
    node, peer, resource = settings['node'], settings['peer'], settings['resource']
    state = node_state(run, resource, proc_mounts=files.mounts(), with_fencing=True,
                       loaded=files.drbd_loaded())['resources'].get(resource)
    if not state:
        out('refusing to rejoin %s: resource %s is not up on this node: `drbdadm up %s` brings it up'
            % (node, resource, resource))
        return REFUSED
    split = state.get('split_brain') or (state.get('standalone') or {}).get('cause') == 'split-brain'
    if discard and not yes:
        out('refusing to rejoin %s: --discard-my-data throws away every write %s made since the split (%s out of '
            'sync). Confirm with --yes. Nothing was changed' % (node, node, _mib(state)))
        return REFUSED
    if discard and state.get('role') == 'Primary':
        out('refusing to rejoin %s: it is Primary, so its data is the current one; run `hapair make-secondary` here '
            'first if its writes since the split are the ones to throw away. Nothing was changed' % node)
        return REFUSED
    if split and not discard and state.get('role') != 'Primary' and state.get('connection_state') != 'Connected':
        out('refusing to rejoin %s: both nodes wrote while they were apart (split brain; %s out of sync here). '
            'Nothing was changed. Decide whose data survives: on the node whose writes since the split are to be '
            'thrown away, run `hapair rejoin --discard-my-data --yes`; then `hapair rejoin` on the other node'
            % (node, _mib(state)))
        return REFUSED
    steps, refusal = connection_plan(state, 'connected', discard)
    if refusal:
        out('refusing to rejoin %s: %s' % (node, in_words(refusal, 'node')))
        return REFUSED
    commands, error = run_drbdadm(run, steps, resource, check)
    for command in commands:
        out('%s %s' % ('would run:' if check else 'done:', command))
    if error:
        out(error)
        return FAILED
    if check:
        return DONE
    deadline = clock() + timeout
    while True:
        state = resource_state(run, resource) or {}
        if state.get('connection_state') == 'Connected':
            break
        if clock() >= deadline:
            out('%s is %s after %d s, not Connected: if the other node shows StandAlone, run `hapair rejoin` '
                'there too; after a split brain, `hapair rejoin --discard-my-data --yes` on the node whose writes '
                'are to be thrown away' % (node, state.get('connection_state') or 'down', timeout))
            return FAILED
        sleep(1)
    try:
        remove(split_brain_marker(resource))
    except OSError:
        pass
    out('%s is connected to %s (%s/%s)' % (node, peer, state.get('disk_state'), state.get('peer_disk_state')))
    while wait_sync and state.get('replication_state') not in ('Established', None):
        out('resync: %s%%' % state.get('sync_percent'))
        sleep(5)
        state = resource_state(run, resource) or {}
    return DONE


def _mib(state):
    kib = state.get('out_of_sync_kib')
    return '%.1f MiB' % (kib / 1024.0) if kib is not None else 'an unknown amount'


# ---------------------------------------------------------------------------
# the command line

def parser():
    top = argparse.ArgumentParser(prog='hapair', description='The hapair pair, from this node (no controller needed).')
    top.add_argument('--config', default=CONFIG, help='the settings file (default %(default)s)')
    commands = top.add_subparsers(dest='command', metavar='COMMAND')
    show = commands.add_parser('status', help='the pair as this node sees it (exit 0 when healthy)')
    show.add_argument('--json', action='store_true', help='JSON for scripts and monitoring')
    for name, text in (('make-secondary', 'stop the application, free the mirror, demote this node'),
                       ('make-primary', 'promote this node, mount, take the service IP, start the application'),
                       ('rejoin', 'reconnect this node to its peer (after a split brain: --discard-my-data --yes)')):
        sub = commands.add_parser(name, help=text)
        sub.add_argument('--check', action='store_true', help='judge and say what would run; change nothing')
        sub.add_argument('--force-release-lock', metavar='RUN_ID',
                         help='replace the stale operation lock of run RUN_ID (as a refusal names it)')
        if name == 'make-primary':
            sub.add_argument('--force-stale', action='store_true',
                             help='promote a copy DRBD knows to be stale (needs --yes): emergency only')
        if name == 'rejoin':
            sub.add_argument('--discard-my-data', action='store_true',
                             help='after a split brain: throw away this node\'s writes since the split (needs --yes)')
            sub.add_argument('--wait-sync', action='store_true', help='wait until the resync is over')
        if name in ('make-primary', 'rejoin'):
            sub.add_argument('--yes', action='store_true', help='confirm that writes may be lost')
    return top


def write_line(text):
    """One line on standard output (what a terminal that cannot show a character gets instead)."""
    line = text + '\n'
    try:
        sys.stdout.write(line)
    except UnicodeEncodeError:   # Python 2 with LC_ALL=C
        sys.stdout.write(line.encode('ascii', 'replace').decode('ascii'))


def main(argv=None, out=write_line, run=run_command):
    args = parser().parse_args(argv)
    if not args.command:
        parser().print_help()
        return CANNOT
    try:
        settings = load_settings(args.config)
    except CannotRun as error:
        out('hapair: %s' % error)
        return CANNOT
    if args.command == 'status':
        return status(settings, run, out, args.json)
    if os.geteuid() != 0:
        out('hapair: %s changes the node: run it as root (sudo hapair %s)' % (args.command, args.command))
        return CANNOT
    lock = Lock(settings, '%s (hapair command on %s)' % (args.command, settings['node']),
                force_release=args.force_release_lock)
    if not args.check:
        refused = lock.take()
        if refused:
            out(refused.replace('COMMAND', args.command))
            return REFUSED
    try:
        if args.command == 'make-secondary':
            return make_secondary(settings, run, out, args.check)
        if args.command == 'make-primary':
            return make_primary(settings, run, out, args.check, args.force_stale, args.yes)
        return rejoin(settings, run, out, args.check, args.discard_my_data, args.yes, args.wait_sync)
    finally:
        if not args.check:
            lock.release()


if __name__ == '__main__':
    raise SystemExit(main())
