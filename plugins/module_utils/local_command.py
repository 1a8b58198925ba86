# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running a program from the collection's code that runs on a node without Ansible.

PRIVATE to the hapair.cluster collection. The `hapair` command (node_command) and the metrics timer
(node_metrics) run outside any module, where AnsibleModule.run_command does not exist; this is their
one way to run a program, with the locale the parsers read.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess


def run_command(argv):
    """Run argv with LC_ALL=C: (rc, stdout, stderr) as text; a missing program is rc 127."""
    env = dict(os.environ, LC_ALL='C', LANG='C')
    try:
        # no AnsibleModule here to call run_command on: these programs run from a shell or a timer
        proc = subprocess.Popen(  # pylint: disable=ansible-bad-function
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    except OSError as error:
        return 127, '', '%s: %s' % (argv[0], error.strerror)
    out, err = proc.communicate()
    return proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
