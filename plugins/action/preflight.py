# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side preflight of the pair: every unmet requirement of both nodes, in one table.

Documentation lives in plugins/modules/preflight.py. Nothing is sent to the nodes: the facts
were gathered by hapair.cluster.preflight_facts (registered on every node), the settings are the
nodes' hapair_* variables; module_utils.preflight judges them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import time

from collections.abc import Mapping

from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ANSIBLE_CORE_VERSION

from ansible_collections.hapair.cluster.plugins.action.pair_check import ActionModule as PairCheck
from ansible_collections.hapair.cluster.plugins.action.pair_check import _plain
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import DEFAULT_GROUP
from ansible_collections.hapair.cluster.plugins.module_utils.preflight import (
    core_min_target_python,
    evaluate_pair,
    problems,
    render_table,
    summarise,
    to_json,
)

DEFAULT_FACTS_VAR = 'hapair_preflight_facts'
PYTHON_WORDS = ('python', 'interpreter', 'syntaxerror')
MISSING_WORDS = ('no such file', 'not found')


def _last_line(text):
    lines = [line.strip() for line in ('%s' % (text or '')).splitlines() if line.strip()]
    return lines[-1] if lines else ''


def _python_hint(error):
    """A pointer to the controller/target Python rule when a gather failed on the interpreter."""
    text = error.lower()
    if 'python' in text and any(word in text for word in MISSING_WORDS):
        return '. Install Python 3 on the node, or set ansible_python_interpreter to a Python it has'
    if not any(word in text for word in PYTHON_WORDS):
        return ''
    parts = ANSIBLE_CORE_VERSION.split('.')
    try:
        core = (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        return ''
    minimum = core_min_target_python(core)
    if minimum <= (3, 6):
        return ''
    return ('. ansible-core %s on the controller runs modules with Python %d.%d or newer: EL7 targets need '
            'ansible-core 2.16 on the controller; on EL8 install python39 (or newer) and set '
            'ansible_python_interpreter' % (ANSIBLE_CORE_VERSION, minimum[0], minimum[1]))


def facts_from_result(value, facts_var):
    """(preflight_facts, None) or (None, why not) from what ``facts_var`` holds for one host."""
    if not isinstance(value, Mapping):
        return None, '%s is not the registered result of hapair.cluster.preflight_facts' % facts_var
    if value.get('unreachable'):
        return None, 'unreachable: %s' % (_last_line(value.get('msg')) or 'no message')
    if value.get('skipped'):
        return None, 'the preflight_facts task was skipped (%s)' % (value.get('skip_reason') or 'no reason given')
    facts = value.get('preflight_facts')
    if isinstance(facts, Mapping) and not value.get('failed'):
        return dict(facts), None
    if value.get('failed'):
        msg = ('%s' % (value.get('msg') or 'failed')).splitlines()[0].strip()
        extra = _last_line(value.get('module_stderr')) or _last_line(value.get('module_stdout'))
        error = '%s%s' % (msg, (': %s' % extra) if extra and extra not in msg else '')
        return None, error + _python_hint(error)
    if 'time' in value and 'os' in value:   # the preflight_facts dict itself (set_fact)
        return dict(value), None
    return None, '%s holds no preflight_facts' % facts_var


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('group', 'facts_var', 'json_path'))
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    ARGUMENT_SPEC = dict(
        group=dict(type='str', default=DEFAULT_GROUP),
        facts_var=dict(type='str', default=DEFAULT_FACTS_VAR),
        json_path=dict(type='path'),
    )

    def run(self, tmp=None, task_vars=None):
        controller_time = time.time()   # every node's gather is over by now
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # no remote files

        dummy, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        group, facts_var = args['group'], args['facts_var']
        result['changed'] = False

        groups = task_vars.get('groups') or {}
        if group not in groups:
            known = sorted(g for g in groups if g not in ('all', 'ungrouped'))
            result.update(failed=True, msg='group %s is not in the inventory (groups: %s); put the two nodes in a '
                                           'group named %s, or pass group: <name> to hapair.cluster.preflight'
                                           % (group, ', '.join(known) or 'none', group))
            return result
        hosts = [str(h) for h in groups[group]]
        if len(hosts) != 2:
            result.update(failed=True, msg='the preflight needs exactly the two nodes of the pair in group %s; it has '
                                           '%d (%s)' % (group, len(hosts), ', '.join(hosts) or 'none'))
            return result

        hostvars = task_vars.get('hostvars') or {}
        facts_by_node, errors, settings, inventory_errors = {}, {}, {}, {}
        for host in hosts:
            template_errors = []
            values = PairCheck._hapair_vars(host, hostvars, template_errors, [])
            values['inventory_hostname'] = host
            values['controller_ansible_version'] = ANSIBLE_CORE_VERSION
            settings[host] = values
            if template_errors:
                prefix = '%s: ' % host
                inventory_errors[host] = [e[len(prefix):] if e.startswith(prefix) else e for e in template_errors]
            facts, error = self._facts(host, hostvars, facts_var)
            facts_by_node[host] = facts
            if error:
                errors[host] = error

        results = evaluate_pair(facts_by_node, settings, errors=errors, controller_time=controller_time)
        for host, texts in inventory_errors.items():
            results['nodes'][host].insert(0, {'check': 'inventory', 'status': 'fail', 'detail': '; '.join(texts)})
        results['summary'] = summary = summarise(results)

        text = render_table(results)
        failures = problems(results, 'fail')
        result.update(results=results, summary=summary, table=text.splitlines(), failures=failures,
                      warns=problems(results, 'warn'))
        if failures:
            lines = ['The preflight found %d unmet requirement%s on %s (nothing was changed):'
                     % (len(failures), '' if len(failures) == 1 else 's', ' and '.join(hosts))]
            lines += ['%d. %s' % (n, f) for n, f in enumerate(failures, 1)]
            result['failed'] = True
            result['msg'] = '\n'.join(lines) + '\n\n' + text
        else:
            result['msg'] = 'The preflight of %s passed: %d pass, %d warn.\n\n%s' % (
                ' and '.join(hosts), summary['pass'], summary['warn'], text)

        if args.get('json_path') and not self._task.check_mode:
            path = os.path.expanduser(args['json_path'])
            tmp_path = path + '.tmp'
            with open(tmp_path, 'w') as handle:
                handle.write(to_json(dict(results, group=group, controller_time=controller_time,
                                          controller_ansible_version=ANSIBLE_CORE_VERSION)))
            os.rename(tmp_path, path)
            result['json_path'] = path
        return result

    @staticmethod
    def _facts(host, hostvars, facts_var):
        try:
            view = hostvars[host]
            if facts_var not in view:
                return None, ('no result in %s: the host was unreachable or failed before hapair.cluster.'
                              'preflight_facts ran (see the play output above)' % facts_var)
            value = _plain(view[facts_var])
        except Exception as exc:  # pylint: disable=broad-except
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return None, 'its variables could not be read (%s)' % text
        return facts_from_result(value, facts_var)
