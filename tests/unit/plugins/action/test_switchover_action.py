# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The switchover action: which half each host runs, and with which arguments."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.action.switchover import HALVES, half_for, module_args

TASK = dict(old_primary='node1', target='node2', timeout=90, resource='r0', mount_point='/srv/hapair',
            filesystem='xfs', mount_options='noatime', services=['app.service'], backup_units=['hapair-backup@r0.service'],
            service_ip='192.0.2.10/24', service_interface='ens4', node='node1', refusal_words='playbook')


def test_the_old_primary_demotes_the_target_promotes_any_other_host_takes_no_part():
    assert half_for('node1', 'node1', 'node2') == 'secondary'
    assert half_for('node2', 'node1', 'node2') == 'primary'
    assert half_for('node3', 'node1', 'node2') is None
    assert HALVES == {'secondary': 'hapair.cluster.make_secondary', 'primary': 'hapair.cluster.make_primary'}


def test_each_half_gets_its_module_s_options_only():
    secondary = module_args('secondary', TASK)
    primary = module_args('primary', TASK)
    assert secondary['backup_units'] == ['hapair-backup@r0.service'] and 'wait_for_peer' not in secondary
    assert primary['wait_for_peer'] == 90 and 'backup_units' not in primary
    for chosen in (secondary, primary):
        assert 'old_primary' not in chosen and 'target' not in chosen and 'timeout' not in chosen
        assert chosen['service_interface'] == 'ens4' and chosen['refusal_words'] == 'playbook'
