# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fence-peer handler's record (/var/lib/hapair/fencing.log), read back.

One line per attempt: ``EPOCH RESOURCE RESULT PEER SSH_RC DETAIL``; RESULT is ``outdated``,
``peer-primary``, ``unreachable`` or ``broken`` (roles/mirror/templates/fence-peer.j2).

Pure functions, Python 2.7/3.6-safe.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import calendar
import re
import time

RESULTS = ('outdated', 'peer-primary', 'unreachable', 'broken')
FENCED = ('outdated', 'peer-primary')


def _lines(text):
    """The log's lines without NUL bytes: a node that crashed soon after a write can show the
    unwritten end of the file as NULs, and the next record then follows them on the same line."""
    return (text or '').replace('\x00', '').splitlines()


def parse_last(text, resource=None):
    """The last complete record of the log text (of ``resource``, when given) as a dict, or None."""
    for line in reversed(_lines(text)):
        fields = line.split(None, 5)
        if len(fields) >= 5 and fields[0].isdigit() and fields[2] in RESULTS and resource in (None, fields[1]):
            return {'at': int(fields[0]), 'resource': fields[1], 'result': fields[2], 'peer': fields[3],
                    'rc': fields[4], 'detail': fields[5].strip() if len(fields) > 5 else ''}
    return None


def when(epoch):
    return time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(epoch))


def not_fenced_reason(primary, peer, record):
    """Why the pair is degraded when the Primary's last fencing attempt did not fence its peer
    (the link is down, so this is the state the peer is in now), or None."""
    if not record or record.get('result') in FENCED:
        return None
    if record['result'] == 'broken':
        return ('%s not fenced since %s: the fencing path of %s is broken (%s), not a dead peer; %s\'s copy '
                'is not marked Outdated, so it could be promoted with stale data. Fix the fencing key '
                '(provision.yml) and look at "journalctl -t hapair" on %s'
                % (peer, when(record['at']), primary, record.get('detail') or 'no detail', peer, primary))
    return ('%s not fenced since %s: it did not answer over the service network (%s); if it is alive, its '
            'copy is stale and not marked Outdated' % (peer, when(record['at']), record.get('detail') or 'no detail'))


def parse_outdated_by_peer(text, resource=None):
    """The last record of /var/lib/hapair/outdated-by-peer.log (``EPOCH RESOURCE PEER``, written by
    the outdate-self forced command when the peer's fencing marked this copy Outdated), or None."""
    for line in reversed(_lines(text)):
        fields = line.split()
        if len(fields) >= 3 and fields[0].isdigit() and resource in (None, fields[1]):
            return {'at': int(fields[0]), 'resource': fields[1], 'peer': fields[2]}
    return None


def iso_epoch(stamp):
    """'2026-12-04T21:50:01+0000' or '...+00:00' (journalctl -o short-iso) -> epoch, or None.
    Without %z: Python 2.7's strptime does not know it."""
    match = re.match(r'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?([+-])(\d\d):?(\d\d)$', stamp)
    if not match:
        return None
    fields = [int(v) for v in match.group(1, 2, 3, 4, 5, 6)]
    offset = (int(match.group(8)) * 60 + int(match.group(9))) * 60
    return calendar.timegm(tuple(fields) + (0, 0, 0)) - (offset if match.group(7) == '+' else -offset)


def lost_primary_at(kernel_log, resource):
    """When this node's DRBD last saw its peer stop being a connected Primary: the epoch of the last
    kernel line for ``resource`` with ``peer( Primary -> ...`` in ``journalctl -k -o short-iso``
    output (EL7's journalctl has neither -o short-unix nor --grep), or None. DRBD 8.4 prints "drbd r0: peer( Primary -> Unknown ) conn( Connected -> ...",
    DRBD 9 "drbd r0 node1: conn( Connected -> ... ) peer( Primary -> Unknown )"."""
    marks = ('drbd %s: ' % resource, 'drbd %s ' % resource)
    for line in reversed((kernel_log or '').splitlines()):
        if 'peer( Primary -> ' not in line or not any(m in line for m in marks):
            continue
        epoch = iso_epoch(line.split(None, 1)[0]) if line.strip() else None
        if epoch is not None:
            return epoch
    return None
