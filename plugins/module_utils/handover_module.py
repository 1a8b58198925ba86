# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The body of the make_secondary and make_primary modules: AnsibleModule around handover.make().

PRIVATE to the hapair.cluster collection. Kept apart from handover.py, which the node command
runs where Ansible is not installed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.handover import HANDOVER_SPEC, make

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def run_module(target, extra_spec):
    """Make this node ``target`` ('secondary' or 'primary') with the module's parameters."""
    module = AnsibleModule(argument_spec=dict(HANDOVER_SPEC, **extra_spec),
                           mutually_exclusive=[('service_interface', 'service_mac')], supports_check_mode=True)
    settings = dict(module.params, node=module.params['node'] or socket.gethostname().split('.')[0])

    def run(argv):
        return module.run_command(argv, environ_update=LC_C)

    result, failure = make(target, run, settings, module.check_mode, module.warn)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)
