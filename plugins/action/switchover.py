# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Each node's half of a switchover in one task, so that both run at once: make_secondary on the
old Primary, make_primary (waiting for its peer to be Secondary) on the target. Ansible's own
async needs a job wrapper that mitogen's strategy does not keep alive; one task on two hosts
needs nothing but forks >= 2."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.module_utils.handover import HANDOVER_SPEC

HALVES = {'secondary': 'hapair.cluster.make_secondary', 'primary': 'hapair.cluster.make_primary'}


def half_for(host, old_primary, target):
    """'secondary', 'primary', or None for a host that takes no part."""
    if host == old_primary:
        return 'secondary'
    if host == target:
        return 'primary'
    return None


def module_args(half, args):
    """The module's arguments for this half, from the task's."""
    chosen = dict((key, args[key]) for key in HANDOVER_SPEC if key in args)
    if half == 'secondary':
        chosen['backup_units'] = args.get('backup_units') or []
    else:
        chosen['wait_for_peer'] = int(args.get('timeout', 120))
    return chosen


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(set(HANDOVER_SPEC) | set(('old_primary', 'target', 'timeout', 'backup_units')))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if not args.get('old_primary') or not args.get('target') or args['old_primary'] == args['target']:
            result.update(failed=True, msg='switchover needs old_primary and target, two different nodes (got %s and %s)'
                          % (args.get('old_primary'), args.get('target')))
            return result
        half = half_for(task_vars.get('inventory_hostname'), args['old_primary'], args['target'])
        if half is None:
            result.update(skipped=True, msg='this host takes no part in the switchover')
            return result
        result.update(self._execute_module(module_name=HALVES[half], module_args=module_args(half, args),
                                           task_vars=task_vars))
        result['half'] = half
        return result
