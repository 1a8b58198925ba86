# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side verdict on the pair from both nodes' reports.

Documentation lives in plugins/modules/pair_status.py. Nothing is sent to the
nodes: the reports were collected by earlier tasks (playbooks/status.yml).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.action.operation_lock import this_run
from ansible_collections.hapair.cluster.plugins.action.pair_check import _plain
from ansible_collections.hapair.cluster.plugins.module_utils.cluster_verdict import failover_blockers, primary_nodes
from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import epoch_now, held_notes, liveness
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import DEFAULT_GROUP, left_out_refusal
from ansible_collections.hapair.cluster.plugins.module_utils.pair_report import node_states, summarise

RELEASE = 'run the operation again with -e hapair_force_release_lock=RUN_ID'


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('reports', 'json_path', 'resource', 'switchover_to', 'locks'))
    _requires_connection = False
    _supports_check_mode = True

    ARGUMENT_SPEC = dict(
        reports=dict(type='dict', required=True),
        json_path=dict(type='path'),
        resource=dict(type='str', default='r0'),
        switchover_to=dict(type='str'),
        locks=dict(type='dict'),
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        reports = _plain(args['reports'])
        left_out = left_out_refusal((task_vars.get('groups') or {}).get(DEFAULT_GROUP),
                                    task_vars.get('ansible_play_hosts_all'), DEFAULT_GROUP,
                                    u'judged with both nodes in the run (a node left out would look unreachable)')
        if left_out and set(reports) == set((task_vars.get('groups') or {}).get(DEFAULT_GROUP) or ()):
            result.update(failed=True, msg=left_out)
            return result
        if len(reports) != 2:
            result.update(failed=True, msg='pair_status needs the reports of exactly two nodes, got %d (%s)'
                          % (len(reports), ', '.join(sorted(reports)) or 'none'))
            return result
        summary = summarise(reports)
        result.update(changed=False, verdict=summary['verdict'], headline=summary['headline'],
                      reasons=summary['reasons'], primary=summary['primary'], secondary=summary['secondary'],
                      table=summary['table'], nodes=reports)
        states = node_states(reports)
        result['primaries'] = primary_nodes(states)
        result['operations'] = []
        if args.get('locks'):
            run = this_run()
            result['operations'] = held_notes(_plain(args['locks']), run['run_id'],
                                              lambda held: liveness(held, run['controller']), epoch_now(), RELEASE)
        if args.get('switchover_to') is not None:
            result['switchover'] = failover_blockers(states, args['switchover_to'])
        if args.get('json_path') and not self._task.check_mode:
            path = os.path.expanduser(args['json_path'])
            tmp_path = path + '.tmp'
            with open(tmp_path, 'w') as handle:
                json.dump(dict((k, result[k]) for k in ('verdict', 'headline', 'reasons', 'primary', 'secondary',
                                                        'table', 'nodes', 'operations')), handle, indent=2,
                          sort_keys=True)
                handle.write('\n')
            os.rename(tmp_path, path)
            result['json_path'] = path
        return result
