# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller side of node_library: read the collection's own module_utils files.

Documentation lives in plugins/modules/node_library.py. The files come from this installed
collection (the directory beside this plugin's), never from the node: the entry points and every
module_utils file they import are sent in one module call, which writes what differs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import os

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.module_utils.node_library import NotInstallable, closure, tree

MODULE_UTILS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'module_utils')


def read_module_utils(name, directory=MODULE_UTILS):
    path = os.path.join(directory, name + '.py')
    if not os.path.isfile(path):
        return None
    with io.open(path, encoding='utf-8') as handle:
        return handle.read()


def library_files(entries, directory=MODULE_UTILS):
    """{path under the library directory: text} for these entry points."""
    names = closure(entries, lambda name: read_module_utils(name, directory))
    return tree(dict((name, read_module_utils(name[:-3], directory)) for name in names))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('dest', 'entries'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # the module writes the files itself
        args = dict(self._task.args)
        entries = args.get('entries') or []
        if not isinstance(entries, list) or not entries:
            result.update(failed=True, msg='entries must be a non-empty list of module_utils names, e.g. [node_metrics]')
            return result
        try:
            files = library_files([str(e) for e in entries])
        except NotInstallable as e:
            result.update(failed=True, msg=str(e))
            return result
        result.update(self._execute_module(module_name='hapair.cluster.node_library',
                                           module_args=dict(dest=args.get('dest'), files=files),
                                           task_vars=task_vars))
        return result
