#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: drbd_connection
short_description: Connect a DRBD resource to its peer, or disconnect it
version_added: 0.1.0
description:
  - V(connected) makes a resource that is V(StandAlone) (after a split brain, or a manual disconnect)
    try to connect to its peer again; a resource already V(Connected) or V(Connecting) is left alone.
  - With O(discard_my_data), this node is the split-brain victim; its changes since the split are
    thrown away and replaced by the peer's data (C(drbdadm connect --discard-my-data)). Refused
    while this node is Primary.
  - V(disconnected) drops the connection (C(drbdadm disconnect)) and leaves the resource StandAlone.
options:
  resource:
    description: The DRBD resource.
    type: str
    required: true
  state:
    description: Whether the resource must try to be connected or stay disconnected.
    type: str
    choices: [connected, disconnected]
    default: connected
  discard_my_data:
    description:
      - DESTRUCTIVE. This node's writes since the split are lost; use only to resolve a split brain,
        on the node chosen as its victim, after reading what rejoin.yml reports about both sides.
    type: bool
    default: false
attributes:
  check_mode:
    details: Reports what would be done and changes nothing.
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Resolve a split brain on the victim
  hapair.cluster.drbd_connection:
    resource: r0
    discard_my_data: true
'''

RETURN = r'''
commands:
  description: The drbdadm commands run (or that would run in check mode).
  returned: always
  type: list
  elements: str
discarded_kib:
  description: With O(discard_my_data), the out-of-sync amount this node knew of before discarding (KiB).
  returned: always
  type: int
state:
  description: The normalised resource state afterwards (see M(hapair.cluster.drbd_info)).
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_connection import plan
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import resource_state, run_drbdadm

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            state=dict(type='str', default='connected', choices=['connected', 'disconnected']),
            discard_my_data=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    name = module.params['resource']

    def run(argv):
        return module.run_command(argv, environ_update=LC_C)

    def state_now():
        return resource_state(run, name)

    before = state_now()
    steps, refusal = plan(before, module.params['state'], module.params['discard_my_data'])
    if refusal:
        module.fail_json(msg='%s: %s' % (name, refusal), state=before or {})
    commands, error = run_drbdadm(run, steps, name, module.check_mode)
    if error:
        module.fail_json(msg=error, commands=commands)
    discarded = (before or {}).get('out_of_sync_kib') if module.params['discard_my_data'] and steps else 0
    module.exit_json(changed=bool(steps), commands=commands, discarded_kib=discarded or 0,
                     state=(state_now() if steps and not module.check_mode else before) or {})


if __name__ == '__main__':
    main()
