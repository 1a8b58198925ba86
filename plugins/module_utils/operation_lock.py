# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One changing operation on the pair at a time: the operation lock.

Each operator playbook that changes the pair (switchover, promotion, rejoin, restore...) takes
a lock file on both nodes (under /run: a reboot ends whatever operation held it there), one node after the other in a fixed order, before it judges the
state, and removes it when it ends, whatever happened. A second operation finds the lock and
refuses at once, naming who holds it, since when and doing what. A lock whose run is gone
(killed, interrupted, its controller lost) is never broken silently: it is reported as stale,
and only an operator who names its run id removes it.

A run is identified by its controller, the ansible-playbook process and that process's start
time (so a recycled pid is a different run): the same in every task of one run, without any
variable passed between tasks.

PRIVATE to the hapair.cluster collection. Pure apart from the file functions at the end,
Python 2.7/3.6-safe.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import json
import os
import time

from ansible_collections.hapair.cluster.plugins.module_utils.fencing import when

LOCK_DIR = '/run/lock'
FIELDS = ('run_id', 'operation', 'holder', 'controller', 'pid', 'since')


def lock_path(resource, directory=LOCK_DIR):
    return os.path.join(directory, 'hapair-operation-%s.lock' % resource)


def run_id(controller, pid, started):
    """The id of one ansible-playbook run: controller host, pid and the pid's start time
    (clock ticks since boot, or None where /proc is not there)."""
    return '%s:%d:%s' % (controller, pid, started if started is not None else '-')


def record(run, operation, holder, controller, pid, now):
    return dict(run_id=run, operation=operation, holder=holder, controller=controller, pid=pid, since=int(now))


def parse(text):
    """The lock's record, None when there is no lock file (``text`` None), or a record whose
    run_id is None when the file is not a lock this collection wrote (it still blocks)."""
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not data.get('run_id'):
        return dict((k, None) for k in FIELDS)
    return dict((k, data.get(k)) for k in FIELDS)


def _ago(seconds):
    seconds = max(0, int(seconds))
    if seconds < 120:
        return '%d s ago' % seconds
    if seconds < 7200:
        return '%d min ago' % (seconds // 60)
    return '%.1f h ago' % (seconds / 3600.0)


def describe(held, now):
    """'switchover (failover.yml), run root@ctl:4242:77 by root@ctl since 2026-12-07 01:02:03 UTC (5 min ago)'."""
    if not held.get('run_id'):
        return 'an unreadable lock file (not written by this collection, or cut short)'
    since = held.get('since')
    return '%s, run %s by %s since %s' % (
        held.get('operation') or 'an operation', held['run_id'], held.get('holder') or 'someone',
        '%s (%s)' % (when(since), _ago(now - since)) if isinstance(since, int) else 'an unknown time')


# liveness of the holder's run, as the controller that takes the lock sees it
RUNNING, GONE, ELSEWHERE = 'running', 'gone', 'elsewhere'


def liveness_note(held, liveness):
    if not held.get('run_id'):
        return 'Look at the file: if no operation is running, remove it'
    if liveness == GONE:
        return ('That run is gone (process %s no longer runs on this controller, %s): the lock is STALE, left '
                'by a run that was interrupted or killed. Check the pair (status.yml) before going on'
                % (held.get('pid'), held.get('controller')))
    if liveness == RUNNING:
        return 'That run is still going on this controller (process %s): wait for it to end' % held.get('pid')
    return ('It was taken from controller %s: wait for that run to end, or check on %s that process %s no '
            'longer runs before releasing it' % (held.get('controller'), held.get('controller'), held.get('pid')))


def _holds(who, where, held, liveness, now, how_to_release):
    said = '%s holds the pair on %s: %s. %s' % (who, where, describe(held, now), liveness_note(held, liveness))
    if liveness != RUNNING or not held.get('run_id'):
        said += '; to release it: %s' % how_to_release.replace('RUN_ID', held.get('run_id') or 'unreadable')
    return said


def refusal(node, held, liveness, now, how_to_release):
    """Why a run may not take the lock on ``node``, and what to do.
    ``how_to_release``: what the operator types, in the interface they use (with RUN_ID in it)."""
    return _holds('Another operation', node, held, liveness, now, how_to_release) + '. Nothing was changed'


def held_notes(locks, this_run, liveness_of, now, how_to_release):
    """What the pair's status says about the operation locks: one line per run that holds a lock
    (naming every node it holds), this run's own lock left out. ``locks``: {node: record or None};
    ``liveness_of``: record -> RUNNING, GONE or ELSEWHERE."""
    nodes_of, first = {}, {}
    for node in sorted(locks):
        held = locks[node]
        if not held or (held.get('run_id') and held.get('run_id') == this_run):
            continue
        key = held.get('run_id') or 'unreadable'
        nodes_of.setdefault(key, []).append(node)
        first.setdefault(key, held)
    return [_holds('An operation', ' and '.join(nodes), first[key], liveness_of(first[key]), now, how_to_release)
            for key, nodes in sorted(nodes_of.items(), key=lambda item: item[1])]


def _named(held, force_release):
    """Whether the operator named this lock's run (``unreadable`` for a file we did not write)."""
    return bool(force_release) and force_release == (held.get('run_id') or 'unreadable')


def plan_take(held, run, force_release=None):
    """What taking the lock does: 'take' (free, or the stale lock the operator named is replaced),
    'keep' (this run holds it already) or 'refuse'."""
    if held is None:
        return 'take'
    if held.get('run_id') == run:
        return 'keep'
    return 'take' if _named(held, force_release) else 'refuse'


def plan_release(held, run, force_release=None):
    """'remove' when this run holds the lock (or the operator named the run that does), else
    'none': a release never removes another run's lock."""
    if held is None:
        return 'none'
    return 'remove' if held.get('run_id') == run or _named(held, force_release) else 'none'


# ---------------------------------------------------------------------------
# the file (node side)

def read_lock(path):
    try:
        with open(path) as f:
            return f.read()
    except IOError as e:
        if e.errno == errno.ENOENT:
            return None
        raise


def create_lock(path, data):
    """Create the lock file only if there is none (O_EXCL: of two runs, one wins). True when created."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as e:
        if e.errno == errno.EEXIST:
            return False
        raise
    try:
        os.write(fd, json.dumps(data, sort_keys=True).encode('utf-8'))
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def remove_lock(path):
    try:
        os.unlink(path)
    except OSError as e:
        if e.errno != errno.ENOENT:
            raise


def epoch_now():
    return time.time()


# ---------------------------------------------------------------------------
# the holder's process (on the machine that took the lock)

def start_ticks(pid):
    """A process's start time in clock ticks since boot (/proc/PID/stat field 22), or None."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except (IOError, OSError):
        return None
    # the command name (field 2) may hold spaces and parentheses: count from the last ')'
    return int(stat[stat.rindex(')') + 2:].split()[19])


def liveness(held, controller):
    """Whether the run that holds ``held`` still runs, as this controller can tell."""
    pid = held.get('pid')
    if held.get('controller') != controller or not isinstance(pid, int):
        return ELSEWHERE
    if os.path.isdir('/proc'):
        ticks = start_ticks(pid)
        return RUNNING if ticks is not None and run_id(controller, pid, ticks) == held.get('run_id') else GONE
    try:
        os.kill(pid, 0)
    except OSError:
        return GONE
    return RUNNING
