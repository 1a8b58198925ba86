# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/mount_holders_info.py driven through main() with a scripted fuser."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.module_utils import basic

from ansible_collections.hapair.cluster.plugins.modules import mount_holders_info as mod
from fake_runner import ScriptedRunner, run_main

# captured on the lab's node1 (see tests/unit/plugins/module_utils/test_mount_holders.py)
OUT = 'kernel  1607  1714'
ERR = ('                     USER        PID ACCESS COMMAND\n'
       '/srv/hapair:         root      mount /srv/hapair\n'
       '                     root      F.... python3\n'
       '                     root      ..c.. bash\n')
CGROUPS = {'1607': '0::/system.slice/hapair-demo.service\n', '1714': '0::/user.slice/user-0.slice/session-3.scope\n'}


def scripted(monkeypatch, mounted, script):
    runner = ScriptedRunner(script, lambda argv: False)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', runner.bound)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', lambda self, name, required=False: '/usr/bin/' + name)
    real_ismount = os.path.ismount
    monkeypatch.setattr(mod.os.path, 'ismount', lambda p: mounted if p == '/srv/hapair' else real_ismount(p))
    monkeypatch.setattr(mod, 'read_cgroup', CGROUPS.get)
    return runner


def test_a_shell_is_named_before_anything_stops(monkeypatch, capsys):
    runner = scripted(monkeypatch, True, {'fuser -vm /srv/hapair': (0, OUT, ERR)})
    res = run_main(mod, capsys, dict(path='/srv/hapair/', stopped_units=['hapair-demo.service'], node='node1'))
    assert not res.get('failed') and res['changed'] is False and res['mounted'] is True
    assert [(h['pid'], h['unit']) for h in res['holders']] == [('1607', 'hapair-demo.service'), ('1714', 'session-3.scope')]
    assert res['foreign'] == ['bash (pid 1714, user root, in session-3.scope)']
    assert res['refusal'].startswith('/srv/hapair on node1 is in use by bash (pid 1714, user root, in session-3.scope)')
    assert runner.keys == ['fuser -vm /srv/hapair']


def test_the_application_alone_is_no_refusal(monkeypatch, capsys):
    scripted(monkeypatch, True, {'fuser -vm /srv/hapair': (0, 'kernel  1607', ERR.rsplit('\n', 2)[0] + '\n')})
    res = run_main(mod, capsys, dict(path='/srv/hapair', stopped_units=['hapair-demo.service']))
    assert res['foreign'] == [] and res['refusal'] is None


def test_nothing_uses_it(monkeypatch, capsys):
    scripted(monkeypatch, True, {'fuser -vm /srv/hapair': (1, '', '')})
    res = run_main(mod, capsys, dict(path='/srv/hapair'))
    assert (res['holders'], res['refusal']) == ([], None)


def test_not_mounted_runs_nothing(monkeypatch, capsys):
    """fuser -m on a plain directory would name every user of the root filesystem."""
    runner = scripted(monkeypatch, False, {})
    res = run_main(mod, capsys, dict(path='/srv/hapair', stopped_units=['hapair-demo.service']))
    assert (res['mounted'], res['holders'], res['refusal']) == (False, [], None)
    assert runner.keys == []


def test_fuser_failing_is_an_error(monkeypatch, capsys):
    scripted(monkeypatch, True, {'fuser -vm /srv/hapair': (2, '', 'fuser: unknown option')})
    res = run_main(mod, capsys, dict(path='/srv/hapair'))
    assert res['failed'] and 'fuser -vm /srv/hapair failed (exit code 2): fuser: unknown option' in res['msg']
