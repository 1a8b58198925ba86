# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which files a node-side tool takes, and how they are laid out."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.node_library import (
    PACKAGE,
    NotInstallable,
    closure,
    imports,
    plan,
    tree,
)

MU = 'from ansible_collections.hapair.cluster.plugins.module_utils.%s import x\n'
FAKE = {
    'entry': MU % 'a' + MU % 'b',
    'a': MU % 'c',
    'b': MU % 'a',
    'c': 'import json\n',
    'loose': 'from ansible_collections.hapair.cluster.plugins.module_utils import a\n',
}


def test_imports():
    assert imports(FAKE['entry']) == ['a', 'b']
    assert imports('from ansible.module_utils.basic import AnsibleModule\n') == []


def test_closure_follows_imports_once_each():
    assert closure(['entry'], FAKE.get) == ['a.py', 'b.py', 'c.py', 'entry.py']
    assert closure(['c'], FAKE.get) == ['c.py']


@pytest.mark.parametrize('entries, said', [
    (['missing'], 'module_utils/missing.py does not exist in hapair.cluster'),
    (['../etc/passwd'], "is not a module_utils module name"),
    (['loose'], 'imports from the module_utils package itself'),
])
def test_closure_refuses(entries, said):
    with pytest.raises(NotInstallable) as caught:
        closure(entries, FAKE.get)
    assert said in str(caught.value)


def test_tree_adds_every_init_py_of_the_package_path():
    files = tree({'c.py': FAKE['c']})
    assert files == {
        'ansible_collections/__init__.py': '',
        'ansible_collections/hapair/__init__.py': '',
        'ansible_collections/hapair/cluster/__init__.py': '',
        'ansible_collections/hapair/cluster/plugins/__init__.py': '',
        'ansible_collections/hapair/cluster/plugins/module_utils/__init__.py': '',
        PACKAGE + '/c.py': 'import json\n',
    }


def test_plan_writes_what_is_missing_or_differs():
    wanted = {'x.py': 'new\n', 'y.py': 'same\n', 'z.py': ''}
    assert plan(wanted, {'x.py': 'old\n', 'y.py': 'same\n', 'z.py': None}) == ['x.py', 'z.py']
    assert plan(wanted, dict(wanted)) == []
