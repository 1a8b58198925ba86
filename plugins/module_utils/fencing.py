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

import time

RESULTS = ('outdated', 'peer-primary', 'unreachable', 'broken')
FENCED = ('outdated', 'peer-primary')


def parse_last(text):
    """The last complete record of the log text as a dict, or None."""
    for line in reversed((text or '').splitlines()):
        fields = line.split(None, 5)
        if len(fields) >= 5 and fields[0].isdigit() and fields[2] in RESULTS:
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
