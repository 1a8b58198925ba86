# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's node-side Python code, as a package tree a node runs without Ansible.

Tools that run on a node by themselves (the metrics timer's job) are the collection's own
module_utils, run with ``python -m ansible_collections.hapair.cluster.plugins.module_utils.NAME``
from a directory on PYTHONPATH: one implementation, the same files the modules import. These
functions decide which files that takes (an entry point and every module_utils file it imports,
directly or not), and lay them out under the collection's package path, with the
``__init__.py`` files Python 2.7 needs.

PRIVATE to the hapair.cluster collection. Pure functions, Python 2.7 and 3.6 compatible.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

PACKAGE = 'ansible_collections/hapair/cluster/plugins/module_utils'
_IMPORT_RE = re.compile(r'^from ansible_collections\.hapair\.cluster\.plugins\.module_utils(?:\.(\w+))? import', re.M)
_NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


class NotInstallable(ValueError):
    """An entry point that is not a module_utils file, or one that imports the package itself."""


def imports(text):
    """The module_utils modules ``text`` imports; '' for ``from ...module_utils import x``."""
    return _IMPORT_RE.findall(text or '')


def closure(entries, read):
    """The file names of ``entries`` (module_utils names, without .py) and of everything they
    import from module_utils, sorted. ``read(name)``: the text of module_utils/NAME.py, None when
    there is no such file."""
    seen, todo = set(), list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if not _NAME_RE.match(name or ''):
            raise NotInstallable('%r is not a module_utils module name' % (name,))
        text = read(name)
        if text is None:
            raise NotInstallable('module_utils/%s.py does not exist in hapair.cluster' % name)
        seen.add(name)
        for module in imports(text):
            if not module:
                raise NotInstallable('module_utils/%s.py imports from the module_utils package itself; import '
                                     'the module by name so that its file can be installed' % name)
            todo.append(module)
    return sorted('%s.py' % name for name in seen)


def tree(sources):
    """{path under the library directory: text}: each module_utils file in the collection's package
    path, and an empty __init__.py in every directory of that path."""
    files = {}
    parts = PACKAGE.split('/')
    for depth in range(1, len(parts) + 1):
        files['/'.join(parts[:depth]) + '/__init__.py'] = ''
    for name, text in sources.items():
        files['%s/%s' % (PACKAGE, name)] = text
    return files


def plan(wanted, existing):
    """The paths of ``wanted`` ({path: text}) whose file is missing or differs from ``existing``
    ({path: text or None}), sorted."""
    return sorted(path for path, text in wanted.items() if existing.get(path) != text)
