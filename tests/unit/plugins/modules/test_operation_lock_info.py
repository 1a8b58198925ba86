# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugins/modules/operation_lock_info.py driven through main() on a lock directory under tmp_path."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.hapair.cluster.plugins.modules import operation_lock as lock_mod
from ansible_collections.hapair.cluster.plugins.modules import operation_lock_info as mod
from fake_runner import run_main

ALICE = dict(run_id='ctl:5151:880000', controller='ctl', pid=5151, holder='alice@ctl')


def read(capsys, tmp_path, **args):
    return run_main(mod, capsys, dict(dict(resource='r0', directory=str(tmp_path)), **args))


def test_no_lock_then_the_lock_a_run_took(capsys, tmp_path):
    res = read(capsys, tmp_path)
    assert not res.get('failed') and res['changed'] is False and res['lock'] is None
    assert res['path'] == os.path.join(str(tmp_path), 'hapair-operation-r0.lock')
    run_main(lock_mod, capsys, dict(ALICE, resource='r0', node='node1', directory=str(tmp_path),
                                    operation='switchover (failover.yml)'))
    res = read(capsys, tmp_path)
    assert res['changed'] is False
    assert (res['lock']['run_id'], res['lock']['operation'], res['lock']['holder']) == \
        ('ctl:5151:880000', 'switchover (failover.yml)', 'alice@ctl')


def test_a_file_it_did_not_write_is_a_lock_with_no_fields(capsys, tmp_path):
    with open(os.path.join(str(tmp_path), 'hapair-operation-r0.lock'), 'w') as f:
        f.write('{"run_id": "ctl:1')   # cut short
    res = read(capsys, tmp_path)
    assert not res.get('failed') and res['lock'] is not None and res['lock']['run_id'] is None


def test_a_bad_resource_name_is_refused(capsys, tmp_path):
    res = read(capsys, tmp_path, resource='../etc/x')
    assert res['failed'] and "resource '../etc/x' is not a usable DRBD resource name" in res['msg']
