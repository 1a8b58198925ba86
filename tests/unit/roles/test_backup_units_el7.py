# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The backup role's systemd units as they render for EL7, read the way systemd 219 reads them.

Reference: EL7 ships systemd 219 (Version: 219 in the systemd.spec of CentOS 7 rebuilds such as
xcp-ng-rpms/systemd and Amazon Linux 2). The directives 219 knows are the lines of its
src/core/load-fragment-gperf.gperf.m4; RandomizedDelaySec= is not among them: it was added
after 228 as RandomSec= and renamed before 229 (systemd pull request #2040,
man/systemd.timer.xml). An unknown directive is logged as "Unknown lvalue" and ignored.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import jinja2
import pytest
import yaml

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles', 'backup')
UNITS = ['hapair-backup@.service', 'hapair-backup@.timer', 'hapair-backup-check@.service',
         'hapair-backup-check@.timer']

# What systemd 219 accepts in the sections these units use (from its gperf table above; only
# the directives a unit of this role could plausibly use are listed).
SYSTEMD_219 = {
    'Unit': {'Description', 'Documentation', 'After', 'Before', 'Wants', 'Requires', 'BindsTo', 'PartOf',
             'Conflicts', 'ConditionPathExists', 'ConditionPathIsMountPoint'},
    'Service': {'Type', 'ExecStart', 'ExecStartPre', 'ExecStartPost', 'ExecStop', 'ExecStopPost', 'Nice',
                'IOSchedulingClass', 'IOSchedulingPriority', 'TimeoutStartSec', 'TimeoutStopSec', 'KillMode',
                'Environment', 'EnvironmentFile', 'User', 'Group', 'WorkingDirectory'},
    'Timer': {'OnActiveSec', 'OnBootSec', 'OnStartupSec', 'OnUnitActiveSec', 'OnUnitInactiveSec', 'OnCalendar',
              'Persistent', 'WakeSystem', 'AccuracySec', 'Unit'},
    'Install': {'WantedBy', 'RequiredBy', 'Alias', 'Also', 'DefaultInstance'},
}


def role_vars(*files):
    values = {}
    for name in files:
        with open(os.path.join(ROLE, 'vars', name)) as f:
            values.update(yaml.safe_load(f) or {})
    with open(os.path.join(ROLE, 'defaults', 'main.yml')) as f:
        values.update(yaml.safe_load(f))
    values.update({'ansible_managed': 'Ansible managed', '__hapair_backup_python': '/usr/bin/python',
                   '__hapair_backup_dir': '/etc/hapair/backup'})
    return values


def render(unit, values):
    # Ansible's template module renders with trim_blocks on.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, 'templates')), trim_blocks=True,
                             undefined=jinja2.StrictUndefined)
    template = env.get_template(unit + '.j2')
    return template.render(**dict((k, v) for k, v in values.items() if not isinstance(v, str) or '{{' not in v))


def directives(text):
    section, found = None, []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('['):
            section = line.strip('[]')
            continue
        found.append((section, line.split('=', 1)[0]))
    return found


def unknown_to_219(text):
    return [(s, d) for s, d in directives(text) if d not in SYSTEMD_219.get(s, set())]


@pytest.mark.parametrize('unit', UNITS)
def test_el7_units_use_only_what_systemd_219_knows(unit):
    assert unknown_to_219(render(unit, role_vars('main.yml', 'RedHat.yml', 'RedHat-7.yml'))) == []


def test_the_timers_spread_their_start_where_systemd_can():
    for unit in ('hapair-backup@.timer', 'hapair-backup-check@.timer'):
        debian = render(unit, role_vars('main.yml', 'Debian.yml'))
        el9 = render(unit, role_vars('main.yml', 'RedHat.yml'))
        assert ('Timer', 'RandomizedDelaySec') in directives(debian) and debian == el9
        # control: the same check flags the directive 219 does not know
        assert unknown_to_219(debian) == [('Timer', 'RandomizedDelaySec')]
