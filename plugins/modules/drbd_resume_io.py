#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: drbd_resume_io
short_description: Resume writes that a fencing freeze suspended on a DRBD Primary
version_added: 0.2.0
description:
  - With C(hapair_fencing_policy=freeze) (DRBD C(fencing resource-and-stonith)), a Primary that loses the
    replication link suspends writes until the peer is marked Outdated or the link is back. When the peer
    cannot be reached, writes stay suspended until an operator decides; this module is that decision
    (C(drbdadm resume-io)).
  - Nothing to do, and V(changed=false), when writes are not suspended on this node.
  - Refused, changing nothing, when the resource is down, when this node is not Primary, when the peer is
    connected (that suspension is not a fencing freeze), and without O(confirm_peer_stale).
options:
  resource:
    description: The DRBD resource.
    type: str
    required: true
  node:
    description: This node's name, for the messages; the host name when omitted.
    type: str
  peer:
    description: The other node's name, for the messages.
    type: str
    default: the peer
  confirm_peer_stale:
    description:
      - The operator's statement that the peer is down or cut off for good. Once writes resume, the peer's
        copy is stale without being marked Outdated; promoting it would make a split brain.
    type: bool
    default: false
  fencing_log:
    description: The fence-peer handler's record, quoted in the refusal.
    type: path
    default: /var/lib/hapair/fencing.log
attributes:
  check_mode:
    details: Reports whether writes would be resumed and changes nothing.
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
- name: Let node1 write again; node2 is known to be dead
  hapair.cluster.drbd_resume_io:
    resource: r0
    node: node1
    peer: node2
    confirm_peer_stale: true
'''

RETURN = r'''
commands:
  description: The drbdadm commands run (or that would run in check mode).
  returned: always
  type: list
  elements: str
  sample: [drbdadm resume-io r0]
fencing:
  description: The last record of the fence-peer handler on this node, or V(null).
  returned: always
  type: dict
state:
  description: The normalised resource state afterwards (see M(hapair.cluster.drbd_info)).
  returned: always
  type: dict
'''

import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import read_file, resource_state, run_drbdadm
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_resume import plan
from ansible_collections.hapair.cluster.plugins.module_utils.fencing import parse_last

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            node=dict(type='str'),
            peer=dict(type='str', default='the peer'),
            confirm_peer_stale=dict(type='bool', default=False),
            fencing_log=dict(type='path', default='/var/lib/hapair/fencing.log'),
        ),
        supports_check_mode=True,
    )
    name = module.params['resource']

    def run(argv):
        return module.run_command(argv, environ_update=LC_C)

    def state_now():
        return resource_state(run, name)

    record = parse_last(read_file(module.params['fencing_log']), name)
    before = state_now()
    node = module.params['node'] or socket.gethostname().split('.')[0]
    steps, refusal = plan(before, module.params['confirm_peer_stale'], node, module.params['peer'], record)
    if refusal:
        module.fail_json(msg=refusal, state=before or {}, fencing=record)
    commands, error = run_drbdadm(run, steps, name, module.check_mode)
    if error:
        module.fail_json(msg=error, commands=commands)
    module.exit_json(changed=bool(steps), commands=commands, fencing=record,
                     state=(state_now() if steps and not module.check_mode else before) or {})


if __name__ == '__main__':
    main()
