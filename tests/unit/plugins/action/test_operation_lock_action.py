# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The controller side of the operation lock: this run's id, and whether a holder still runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import subprocess

from ansible_collections.hapair.cluster.plugins.action.operation_lock import this_run
from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import (
    liveness,
    start_ticks,
    ELSEWHERE,
    GONE,
    RUNNING,
    record,
    run_id,
)

HOST = socket.gethostname()


def held_by(pid, ticks, controller=HOST):
    return record(run_id(controller, pid, ticks), 'switchover (failover.yml)', 'root@' + controller, controller, pid, 0)


def test_this_run_is_the_parent_process():
    run = this_run()
    assert run['pid'] == os.getppid() and run['controller'] == HOST
    assert run['run_id'] == run_id(HOST, os.getppid(), start_ticks(os.getppid()))
    assert this_run() == run   # the same in every task of the run


def test_a_running_holder_is_running():
    assert liveness(held_by(os.getpid(), start_ticks(os.getpid())), HOST) == RUNNING


def test_a_holder_whose_process_ended_is_gone():
    proc = subprocess.Popen(['true'])
    ticks = start_ticks(proc.pid)
    proc.wait()
    assert liveness(held_by(proc.pid, ticks), HOST) == GONE


def test_a_recycled_pid_is_gone():
    # the same pid started at another time: another process, not the run that took the lock
    assert liveness(held_by(os.getpid(), start_ticks(os.getpid()) - 1), HOST) == GONE


def test_a_lock_from_another_controller_is_not_judged():
    assert liveness(held_by(os.getpid(), start_ticks(os.getpid()), controller='other-ctl'), HOST) == ELSEWHERE


def test_start_ticks_reads_past_a_command_name_with_spaces_and_parentheses(tmp_path, monkeypatch):
    stat = '4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 771234 1000 10'
    real_open = open

    def fake_open(path, *args, **kwargs):
        if path == '/proc/4242/stat':
            path = str(tmp_path / 'stat')
            with real_open(path, 'w') as f:
                f.write(stat)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr('builtins.open', fake_open)
    assert start_ticks(4242) == 771234
