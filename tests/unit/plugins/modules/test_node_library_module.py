# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/node_library.py driven through main() on a library directory under tmp_path."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.hapair.cluster.plugins.modules import node_library as mod
from fake_runner import run_main

FILES = {
    'ansible_collections/__init__.py': '',
    'ansible_collections/hapair/cluster/plugins/module_utils/node_metrics.py': 'print("metrics")\n',
}


def install(capsys, tmp_path, files=None, check_mode=False):
    return run_main(mod, capsys, dict(dest=str(tmp_path / 'lib'), files=files or FILES), check_mode=check_mode)


def on_disk(tmp_path, path):
    full = os.path.join(str(tmp_path), 'lib', path)
    if not os.path.exists(full):
        return None
    with open(full) as f:
        return f.read(), oct(os.stat(full).st_mode & 0o777)


def test_writes_then_changes_nothing(capsys, tmp_path):
    res = install(capsys, tmp_path)
    assert res['changed'] is True and res['written'] == sorted(FILES)
    assert on_disk(tmp_path, 'ansible_collections/hapair/cluster/plugins/module_utils/node_metrics.py') == \
        ('print("metrics")\n', oct(0o644))
    res = install(capsys, tmp_path)
    assert res['changed'] is False and res['written'] == []


def test_a_changed_file_is_rewritten_alone(capsys, tmp_path):
    install(capsys, tmp_path)
    changed = dict(FILES)
    changed['ansible_collections/hapair/cluster/plugins/module_utils/node_metrics.py'] = 'print("v2")\n'
    res = install(capsys, tmp_path, changed)
    assert res['written'] == ['ansible_collections/hapair/cluster/plugins/module_utils/node_metrics.py']


def test_check_mode_writes_nothing(capsys, tmp_path):
    res = install(capsys, tmp_path, check_mode=True)
    assert res['changed'] is True and res['written'] == sorted(FILES)
    assert not os.path.exists(str(tmp_path / 'lib'))


def test_a_path_outside_dest_is_refused(capsys, tmp_path):
    res = install(capsys, tmp_path, {'../escape.py': 'x'})
    assert res['failed'] and 'is not a path under' in res['msg'] and 'nothing was written' in res['msg']
    assert not os.path.exists(str(tmp_path / 'escape.py'))


def test_entries_need_the_action_plugin(capsys, tmp_path):
    res = run_main(mod, capsys, dict(dest=str(tmp_path), entries=['node_metrics']))
    assert res['failed'] and 'read by the action plugin on the controller' in res['msg']
