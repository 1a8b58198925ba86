# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qemu.all_cpus undoes a caller's pinning (mitogen pinned labctl, and so both VMs, to one CPU)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, '..', '..', 'lab')

CHILD = '''
import json, os, sys
sys.path.insert(0, %r)
from hapair_lab import qemu
os.sched_setaffinity(0, {0})          # as mitogen leaves the processes it starts
print(json.dumps(sorted(os.sched_getaffinity(0))))
if sys.argv[1] == "reset":
    qemu.all_cpus()
print(json.dumps(sorted(os.sched_getaffinity(0))))
''' % LAB


def affinity(mode):
    out = subprocess.check_output([sys.executable, '-c', CHILD, mode], universal_newlines=True)
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.skipif(not hasattr(os, 'sched_setaffinity') or (os.cpu_count() or 1) < 2
                    or len(os.sched_getaffinity(0)) < 2, reason='needs two CPUs this process may use')
def test_all_cpus_undoes_a_pinning():
    pinned, kept = affinity('keep')
    assert pinned == kept == [0]            # the control: pinned stays pinned without it
    pinned, reset = affinity('reset')
    assert pinned == [0] and reset == sorted(os.sched_getaffinity(0)) and len(reset) >= 2
