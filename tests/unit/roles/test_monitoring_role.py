# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring role installs node_metrics and the module_utils it imports (module node_library,
one call) as the collection's package path, and the unit runs it with `python -m` from there."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')
MODULE_UTILS = os.path.join(ROOT, 'plugins', 'module_utils')
IMPORT = re.compile(r'^from ansible_collections\.hapair\.cluster\.plugins\.module_utils\.(\w+) import', re.M)


def every_import(name, seen=None):
    """An independent reading of node_metrics' imports, to check the product's closure against."""
    seen = set() if seen is None else seen
    if name not in seen:
        seen.add(name)
        with open(os.path.join(MODULE_UTILS, name + '.py')) as f:
            for module in IMPORT.findall(f.read()):
                every_import(module, seen)
    return seen


def test_the_role_installs_node_metrics_with_node_library():
    with open(os.path.join(ROOT, 'roles', 'monitoring', 'tasks', 'present.yml')) as f:
        tasks = yaml.safe_load(f)
    installs = [t['hapair.cluster.node_library'] for t in tasks if 'hapair.cluster.node_library' in t]
    assert installs == [{'dest': '{{ __hapair_monitoring_lib }}', 'entries': ['node_metrics']}]


def test_the_library_holds_the_import_closure_of_node_metrics():
    from ansible_collections.hapair.cluster.plugins.action.node_library import library_files
    files = library_files(['node_metrics'], MODULE_UTILS)
    package = 'ansible_collections/hapair/cluster/plugins/module_utils/'
    assert sorted(p[len(package):-3] for p in files if p.startswith(package) and not p.endswith('__init__.py')) == \
        sorted(every_import('node_metrics'))
    assert 'drbd_status' in every_import('node_metrics')   # the reading sees imports at all


def test_the_unit_runs_the_module_with_the_nodes_python():
    with open(os.path.join(ROOT, 'roles', 'monitoring', 'templates', 'hapair-metrics@.service.j2')) as f:
        unit = f.read()
    assert ('ExecStart={{ __hapair_monitoring_python }} -m '
            'ansible_collections.hapair.cluster.plugins.module_utils.node_metrics') in unit
    assert 'Environment=PYTHONPATH={{ __hapair_monitoring_lib }}' in unit
