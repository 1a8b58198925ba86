# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring role copies node_metrics and exactly the module_utils it imports, as the
collection's package path, so that `python -m` finds them on a node without Ansible."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
IMPORT = re.compile(r'^from ansible_collections\.hapair\.cluster\.plugins\.module_utils(?:\.(\w+))? import', re.M)


def role_vars():
    with open(os.path.join(ROOT, 'roles', 'monitoring', 'vars', 'main.yml')) as f:
        return yaml.safe_load(f)


def closure(name, seen=None):
    """node_metrics.py and every module_utils file it imports, directly or not."""
    seen = set() if seen is None else seen
    if name in seen:
        return seen
    seen.add(name)
    with open(os.path.join(MODULE_UTILS, name)) as f:
        text = f.read()
    for module in IMPORT.findall(text):
        assert module, '%s imports from the module_utils package itself; the role copies files' % name
        closure(module + '.py', seen)
    return seen


def test_the_role_copies_the_import_closure_of_node_metrics():
    assert sorted(role_vars()['__hapair_monitoring_module_utils']) == sorted(closure('node_metrics.py'))


def test_the_closure_reader_sees_a_missing_file():
    """The negative control: drop one file of the closure and the lists differ."""
    copied = [f for f in role_vars()['__hapair_monitoring_module_utils'] if f != 'fencing.py']
    assert sorted(copied) != sorted(closure('node_metrics.py'))


def test_every_package_directory_gets_an_init():
    v = role_vars()
    assert v['__hapair_monitoring_packages'][-1] == v['__hapair_monitoring_package']
    parts = v['__hapair_monitoring_package'].split('/')
    assert v['__hapair_monitoring_packages'] == ['/'.join(parts[:i + 1]) for i in range(len(parts))]


def test_the_unit_runs_the_module_with_the_nodes_python():
    with open(os.path.join(ROOT, 'roles', 'monitoring', 'templates', 'hapair-metrics@.service.j2')) as f:
        unit = f.read()
    assert ('ExecStart={{ __hapair_monitoring_python }} -m '
            'ansible_collections.hapair.cluster.plugins.module_utils.node_metrics') in unit
    assert 'Environment=PYTHONPATH={{ __hapair_monitoring_lib }}' in unit
