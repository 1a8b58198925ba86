# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Why a DRBD resource went StandAlone, from the node's kernel log.

PRIVATE to the hapair.cluster collection. Pure functions, Python 2.7 and 3.6
compatible. StandAlone means DRBD gave up on the connection and will not try
again by itself; it is what a split brain leaves, but also what a refused
handshake leaves (different shared secrets, incompatible settings, another
cluster's disk) and what ``drbdadm disconnect`` leaves. The operator's next
step differs: only a split brain means that one side's data must be
discarded. DRBD says which it was in the kernel log, just before the
connection went ``-> StandAlone``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.hapair.cluster.plugins.module_utils.fencing import iso_epoch

# (cause, what DRBD 8.4 / 9 print in the kernel log), the first found wins
_SIGNS = (
    ('split-brain', ('Split-Brain detected but unresolved', 'Split-Brain detected, dropping connection')),
    ('authentication', ('Authentication of peer failed',)),
    ('unrelated-data', ('Unrelated data, aborting',)),
    ('incompatible', ('incompatible ', 'Incompatible ', 'Peer presented a ', 'uses a different', 'different protocol')),
)

ADVICE = {
    'split-brain': 'split brain: both copies took writes the other lacks. Choose the node whose changes since the '
                   'split are to be discarded and rejoin it (rejoin.yml -e hapair_split_brain_victim=NODE)',
    'authentication': 'the peer failed authentication: the two nodes have different shared secrets (or HMAC '
                      'algorithms) in their DRBD configuration. No data diverged. Give both the same '
                      'hapair_shared_secret (provision.yml), then run "drbdadm adjust %(resource)s" on both nodes '
                      'to connect them again',
    'unrelated-data': 'the peer\'s disk holds another resource\'s data (its generation identifiers share no '
                      'history with this one): check the replication addresses and disks of both nodes',
    'incompatible': 'DRBD refused the peer\'s configuration (protocol or other settings differ between the '
                    'nodes): compare /etc/drbd.d on both, run provision.yml so that both get the same',
    'administrator': 'disconnected on purpose (drbdadm disconnect or down): no error was logged. Run '
                     '"drbdadm connect %(resource)s" on this node, or rejoin.yml',
    'unknown': 'the kernel log no longer says why (rotated, or the node rebooted since): check '
               '"journalctl -k" on both nodes around the time it happened',
}

_TO_STANDALONE = re.compile(r'conn\( \w+ -> StandAlone \)')
# a connection attempt starting (8.4: WFConnection, 9: Connecting): the cause of going StandAlone
# is logged after it, so the search stops there
_ATTEMPT = re.compile(r'conn\( (StandAlone -> \w+|\w+ -> (WFConnection|Connecting|Unconnected)) \)')


def _mentions(line, resource, minors):
    if 'drbd %s: ' % resource in line or 'drbd %s ' % resource in line or 'drbd %s/' % resource in line:
        return True
    return any('drbd%s: ' % minor in line for minor in minors)


def standalone_cause(kernel_log, resource, minors=()):
    """{'cause', 'at' (epoch or None), 'line' (DRBD's words or None), 'advice'} for the last time
    ``resource`` went StandAlone in ``journalctl -k -o short-iso`` output; cause is one of
    split-brain, authentication, unrelated-data, incompatible, administrator (no error logged
    in that attempt) or unknown (the log does not show the resource going StandAlone)."""
    lines = [line for line in (kernel_log or '').splitlines() if _mentions(line, resource, minors)]
    end = None
    for index in range(len(lines) - 1, -1, -1):
        if _TO_STANDALONE.search(lines[index]):
            end = index
            break
    if end is None:
        return _cause('unknown', None, None, resource)
    start = end
    while start > 0 and not _ATTEMPT.search(lines[start - 1]):
        start -= 1
    at = iso_epoch(lines[end].split(None, 1)[0])
    for cause, signs in _SIGNS:
        for line in reversed(lines[start:end]):
            if any(sign in line for sign in signs):
                return _cause(cause, at, _message(line), resource)
    return _cause('administrator', at, _message(lines[end]), resource)


def _message(line):
    """The kernel's words without the timestamp and host: 'drbd r0: Authentication of peer failed'."""
    fields = line.split(None, 3)
    return fields[3].strip() if len(fields) == 4 and fields[2].startswith('kernel') else line.strip()


def _cause(cause, at, line, resource):
    return {'cause': cause, 'at': at, 'line': line, 'advice': ADVICE[cause] % {'resource': resource}}
