# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who holds the mirror's filesystem, and whether a switchover may stop them.

A demotion stops the application units (hapair_services) and a running backup, then unmounts.
Anything else that keeps the filesystem busy (an operator's shell whose working directory is
under the mount point, a cron job, an editor) makes the unmount fail: found only then, the
application is already down and the service IP released, so the refusal is an outage. These
functions name such holders before anything is stopped: each process ``fuser -vm`` reports is
placed in its systemd unit (``/proc/PID/cgroup``), and those outside the units the demotion
stops are foreign.

PRIVATE to the hapair.cluster collection. Pure functions, Python 2.7 and 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

_FUSER_HEADER_RE = re.compile(r'^\s*USER\s+PID\s+ACCESS\s+COMMAND\s*$')
_FUSER_NAME_RE = re.compile(r'^(/\S*):')
_UNIT_RE = re.compile(r'^[^/]+\.(service|scope|socket|mount|swap|timer|slice)$')


def fuser_rows(stdout, stderr):
    """The processes of ``fuser -vm PATH`` (psmisc; LC_ALL=C): dicts with pid (None when the PIDs
    and the rows cannot be paired), user, access, command and kernel (a mount, swap or knfsd entry).

    fuser prints the PIDs (or "kernel") on stdout and the table without them on stderr, one row
    per PID in the same order; stderr may start with "Cannot stat ..." noise. Rows look like
    "/dev/drbd1:          root      f.... sleep" (the first of each name) or
    "                     root      mount /srv/data". Without a table: the PIDs alone.
    """
    pids = (stdout or '').split()
    lines = (stderr or '').splitlines()
    for index, line in enumerate(lines):
        if _FUSER_HEADER_RE.match(line):
            lines = lines[index + 1:]
            break
    else:
        return [dict(pid=pid, user=None, access=None, command=None, kernel=False) for pid in pids if pid != 'kernel']

    rows = []
    for line in lines:
        text = _FUSER_NAME_RE.sub('', line, count=1).strip()
        if text:
            rows.append(text.split(None, 2))
    if len(rows) != len(pids):
        pids = [None] * len(rows)
    found = []
    for pid, fields in zip(pids, rows):
        while len(fields) < 3:
            fields.append('')
        user, access, command = fields
        kernel = pid == 'kernel' or access in ('mount', 'swap', 'knfsd')
        found.append(dict(pid=None if kernel else pid, user=user, access=access, command=command, kernel=kernel))
    return found


def unit_of(cgroup):
    """The systemd unit a process runs in, from the text of /proc/PID/cgroup (cgroup v2
    "0::/system.slice/app.service", or v1's "1:name=systemd:/..."), or None when it is in none."""
    path = None
    for line in (cgroup or '').splitlines():
        parts = line.split(':', 2)
        if len(parts) == 3 and (parts[0] == '0' and parts[1] == '' or parts[1] == 'name=systemd'):
            path = parts[2]
            if parts[1] == 'name=systemd':
                break
    if not path:
        return None
    units = [part for part in path.split('/') if _UNIT_RE.match(part) and not part.endswith('.slice')]
    return units[-1] if units else None


def describe(holder):
    """'sleep (pid 707, user root, in session-3.scope)'."""
    inside = [('pid %s' % holder['pid']) if holder.get('pid') else None,
              ('user %s' % holder['user']) if holder.get('user') else None,
              ('in %s' % holder['unit']) if holder.get('unit') else None]
    return '%s (%s)' % (holder.get('command') or 'process', ', '.join(i for i in inside if i))


def foreign(holders, stopped_units):
    """The holders a demotion would not stop: those outside ``stopped_units`` (the application
    units and the backup service). A process whose unit is unknown is foreign: better refuse
    than stop the application and fail at the unmount."""
    stopped = set(stopped_units or ())
    return [h for h in holders if not h.get('kernel') and h.get('unit') not in stopped]


def refusal(node, path, foreign_holders, stopped_units):
    """Why the demotion must not start, naming each holder and what to do; None when it may."""
    if not foreign_holders:
        return None
    return ('%s on %s is in use by %s, which a switchover does not stop (it stops %s). Nothing was '
            'stopped: end those processes (or add their unit to hapair_services), then run the '
            'playbook again' % (path, node, ', '.join(describe(h) for h in foreign_holders),
                                ', '.join(stopped_units) if stopped_units else 'no unit'))
