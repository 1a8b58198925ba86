# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The operator's -e input to an operator playbook, judged on the controller (documentation in
plugins/modules/operation_input.py; the rules in module_utils/operation_input.py). No node is
contacted: a wrong node name or a promotion without its target is refused in the time Ansible takes to
start, before the operation lock is taken."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.module_utils.operation_input import input_refusal
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import DEFAULT_GROUP


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('operation', 'nodes', 'group'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        nodes = args.get('nodes') or {}
        if not isinstance(nodes, dict):
            result.update(failed=True, msg='nodes must be a mapping of -e variable name to node (got %r)' % (nodes,))
            return result
        group = args.get('group') or DEFAULT_GROUP
        try:
            refusal = input_refusal(args.get('operation'), nodes, (task_vars.get('groups') or {}).get(group), group)
        except ValueError as error:   # an operation the rules do not know: the task is wrong, not the input
            result.update(failed=True, msg=str(error))
            return result
        result.update(changed=False, refused=bool(refusal))
        if refusal:
            result.update(failed=True, msg=refusal)
        return result
