# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted AnsibleModule.run_command for the module tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json
import os

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:
    # ansible-core < 2.19: the module_utils of 2.16, which EL7's Python 2.7/3.6 nodes receive
    # (tests/tools/unit-node.sh), read the arguments from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args=None):
        args = dict(args or {})
        args.setdefault('_ansible_remote_tmp', '/tmp')
        args.setdefault('_ansible_keep_remote_files', False)
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


class ScriptedRunner(object):
    """{'drbdadm up r0': result or [result, ...]}; the last result repeats.

    Every command must be in the script and run with LC_ALL=C; `writes` lists the
    calls that `is_write(argv)` calls writing, so tests can assert none happened.
    """

    def __init__(self, script, is_write):
        self.script = dict((key, list(value) if isinstance(value, list) else [value])
                           for key, value in script.items())
        self.is_write = is_write
        self.calls = []

    def __call__(self, module, args, **kwargs):
        argv = [os.path.basename(args[0])] + list(args[1:])
        key = ' '.join(argv)
        self.calls.append({'argv': argv, 'key': key, 'kwargs': kwargs})
        assert kwargs.get('environ_update') == {'LC_ALL': 'C', 'LANG': 'C'}, key
        if key not in self.script:
            raise AssertionError('unexpected command: %s' % key)
        results = self.script[key]
        return results.pop(0) if len(results) > 1 else results[0]

    @property
    def bound(self):
        """A plain function, so that it binds like a method on AnsibleModule."""
        def run_command(module, args, **kwargs):
            return self(module, args, **kwargs)
        return run_command

    @property
    def keys(self):
        return [call['key'] for call in self.calls]

    @property
    def writes(self):
        return [call['key'] for call in self.calls if self.is_write(call['argv'])]

    def ran(self, tool):
        return [call['key'] for call in self.calls if call['argv'][0] == tool]


def capture_warnings(monkeypatch):
    """module.warn() calls, kept in a list (on ansible-core 2.19 they go to the
    controller display instead of the result once controller code was imported)."""
    warned = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn',
                        lambda self, warning, *args, **kwargs: warned.append(warning))
    return warned


def run_main(module, capsys, args, check_mode=False, diff=False):
    """Run a module's main() with these arguments; its JSON result."""
    args = dict(args)
    if check_mode:
        args['_ansible_check_mode'] = True
    if diff:
        args['_ansible_diff'] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)
