# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What an operator typed (-e), judged before any node is contacted.

PRIVATE to the hapair.cluster collection. Each operator playbook names nodes and overrides on the
command line; a name that is not in the pair, or a promotion that names no target, is wrong
whatever state the pair is in, so it is refused first, by the controller alone, before the
operation lock is taken or a node is asked anything. What depends on the pair's state (no single
Primary, a peer still Primary, a Secondary that is not UpToDate) is judged later, on the nodes'
reports.

Pure functions, Python 2.7/3.6-safe, no Ansible objects.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils.promotion import NOTHING_CHANGED, target_refusal

# operation -> the -e variables naming a node that it reads (the promotions require theirs)
OPERATIONS = {
    'switchover': ('hapair_target',),
    'promote': ('hapair_target',),
    'make_primary': ('hapair_target',),
    'make_secondary': ('hapair_node',),
    'rejoin': ('hapair_node', 'hapair_split_brain_victim'),
    'restore': ('hapair_restore_node',),
}

# how an unknown node is refused, in the words the playbook used before (docs/bad-inputs.md)
_UNKNOWN = {
    'switchover': u'unknown target node "%(value)s": expected one of %(hosts)s; name the node to make Primary with '
                  u'-e hapair_target=NODE, or leave it out for the node that is not the Primary.',
    'make_secondary': u'%(name)s %(value)s is not in group %(group)s (%(hosts)s); name the node to demote with '
                      u'-e hapair_node=NODE, or leave it out for the Primary.',
    'rejoin': u'Which node should rejoin? %(value)s is not in group %(group)s; name it with -e %(name)s=NODE, '
              u'one of %(hosts)s.',
    'restore': u'No node to restore on: %(value)s is not in group %(group)s; name one with -e %(name)s=NODE, '
               u'one of %(hosts)s, or leave it out for the Primary.',
}


def input_refusal(operation, nodes, hosts, group):
    """Why the operator's input to ``operation`` cannot be right, or u''.

    nodes: -e variable name -> the node it names ('' or None when not given); hosts: the pair's
    host names; group: the pair's inventory group (for the message). The promotions require their
    target (promotion.py's check).
    """
    if operation not in OPERATIONS:
        raise ValueError('unknown operation %r: expected one of %s' % (operation, ', '.join(sorted(OPERATIONS))))
    names = OPERATIONS[operation]
    hosts = list(hosts or [])
    nodes = nodes or {}
    given = dict((name, nodes[name]) for name in names if nodes.get(name) not in (None, u''))
    if operation in ('promote', 'make_primary'):
        # only the target: a missing confirmation is refused later, after the guard has told the
        # operator what the target's copy holds (fenced or not, when it last saw the Primary), which
        # is what they need to know before they confirm
        return target_refusal(given.get(names[0], u''), hosts)
    for name in names:
        if name in given and given[name] not in hosts:
            return (_UNKNOWN[operation] % dict(name=name, value=given[name], group=group, hosts=u', '.join(hosts))
                    + NOTHING_CHANGED)
    if len(set(given.values())) > 1:   # only rejoin reads two names
        return (u'%s name different nodes (%s): the split brain\'s victim is the node that rejoins; give only '
                u'-e hapair_split_brain_victim=NODE after a split brain, or only -e hapair_node=NODE.'
                % (u' and '.join(sorted(given)), u', '.join(u'%s=%s' % item for item in sorted(given.items())))
                + NOTHING_CHANGED)
    return u''
