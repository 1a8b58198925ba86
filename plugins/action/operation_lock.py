# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of the operation lock: who this run is, and whether a holder still runs.

Documentation lives in plugins/modules/operation_lock.py. The run's id is this controller,
the ansible-playbook process (the parent of the worker that runs this plugin) and that
process's start time: the same in every task of the run. When the node refuses because
another run holds the lock, the refusal is rewritten with what only the controller can tell:
whether that run, if it was taken from here, still runs or is gone (a stale lock).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import getpass
import os
import socket

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import (
    GONE,
    epoch_now,
    liveness,
    refusal,
    run_id,
    start_ticks,
)
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import DEFAULT_GROUP, left_out_refusal


def this_run():
    controller = socket.gethostname()
    pid = os.getppid()   # the worker's parent: the ansible-playbook process
    return dict(run_id=run_id(controller, pid, start_ticks(pid)), controller=controller, pid=pid,
                holder='%s@%s' % (getpass.getuser(), controller))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # the module needs no files
        args = dict(self._task.args)
        # an operation on the pair needs both nodes in the play: refused before any lock is taken
        if args.get('state', 'held') == 'held':
            left_out = left_out_refusal((task_vars.get('groups') or {}).get(DEFAULT_GROUP),
                                        task_vars.get('ansible_play_hosts_all'), DEFAULT_GROUP,
                                        u"judged and changed with both nodes in the run (a node left out would look "
                                        u"unreachable)")
            if left_out:
                result.update(failed=True, msg=left_out + u". Nothing was changed")
                return result
        for key, value in this_run().items():
            args.setdefault(key, value)
        result.update(self._execute_module(module_name='hapair.cluster.operation_lock', module_args=args,
                                           task_vars=task_vars))
        held = result.get('held_by')
        if result.get('failed') and held:
            state = liveness(held, args['controller'])
            result['stale'] = state == GONE
            result['msg'] = refusal(args.get('node') or 'the node', held, state,
                                    epoch_now(), args.get('how_to_release') or 'rerun with -e hapair_force_release_lock=RUN_ID')
        return result
