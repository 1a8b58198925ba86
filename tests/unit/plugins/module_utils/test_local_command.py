# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import sys

from ansible_collections.hapair.cluster.plugins.module_utils.local_command import run_command


def test_output_and_exit_code_come_back_as_text():
    rc, out, err = run_command([sys.executable, '-c',
                                'import sys; sys.stdout.write("out"); sys.stderr.write("err"); sys.exit(3)'])
    assert (rc, out, err) == (3, 'out', 'err')


def test_the_program_runs_in_the_c_locale():
    rc, out, err = run_command([sys.executable, '-c', 'import os, sys; sys.stdout.write(os.environ["LC_ALL"])'])
    assert (rc, out) == (0, 'C')


def test_a_missing_program_is_127_and_named():
    rc, out, err = run_command(['/nonexistent/hapair-no-such-program'])
    assert rc == 127 and out == ''
    assert err.startswith('/nonexistent/hapair-no-such-program: ')
