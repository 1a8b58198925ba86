#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: drbd_wait
short_description: Wait until a DRBD resource reaches a state
version_added: 0.1.0
description:
  - Read-only. Polls the resource once a second until it is connected to its peer, or in sync with
    it, or until O(timeout) runs out, and reports the progress of a running resync.
  - Short waits in a loop let a playbook print the progress of a long resync (see EXAMPLES).
options:
  resource:
    description: The DRBD resource.
    type: str
    required: true
  condition:
    description:
      - V(connected) - connected to the peer (any replication state).
      - V(synced) - connected, replication V(Established), both disks V(UpToDate).
      - V(uptodate) - the local disk is V(UpToDate).
      - V(disconnected) - not connected to the peer (DRBD noticed that the peer is gone).
    type: str
    choices: [connected, synced, uptodate, disconnected]
    default: synced
  timeout:
    description: Seconds to wait at most.
    type: int
    default: 60
  fail_on_timeout:
    description:
      - Fail when the condition is not reached in time. With V(false) the module returns
        RV(reached=false) and the progress instead, for callers that wait in steps.
    type: bool
    default: true
attributes:
  check_mode:
    details: The module changes nothing, so it runs the same in check mode.
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
- name: Wait until the peer is connected
  hapair.cluster.drbd_wait:
    resource: r0
    condition: connected
    timeout: 60

- name: Wait for the resync in steps of 15 s, printing the progress each time
  hapair.cluster.drbd_wait:
    resource: r0
    condition: synced
    timeout: 15
    fail_on_timeout: false
  register: sync
'''

RETURN = r'''
reached:
  description: Whether the condition holds.
  returned: always
  type: bool
waited:
  description: Seconds waited.
  returned: always
  type: float
progress:
  description: One line for people, for example V(SyncTarget, 45.10% done, about 30 s left).
  returned: always
  type: str
state:
  description: The normalised resource state at the end (see M(hapair.cluster.drbd_info)); empty when the resource is down.
  returned: always
  type: dict
'''

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import read_resources
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    describe_sync, is_connected, is_healthy,
)

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}
CONDITIONS = {
    'connected': is_connected,
    'disconnected': lambda res: not is_connected(res),
    'synced': is_healthy,
    'uptodate': lambda res: all(v['disk_state'] == 'UpToDate' for v in res['volumes']) if res['volumes']
    else res['disk_state'] == 'UpToDate',
}


def progress_line(res):
    if not res:
        return 'resource is down'
    if res.get('sync_percent') is not None or res.get('replication_state', '').startswith(('Sync', 'PausedSync')):
        return describe_sync(res)
    return '%s %s, disk %s/%s, %s' % (res['role'], res['connection_state'], res['disk_state'],
                                      res['peer_disk_state'], res['replication_state'])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            condition=dict(type='str', default='synced', choices=list(CONDITIONS)),
            timeout=dict(type='int', default=60),
            fail_on_timeout=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    name = module.params['resource']
    holds = CONDITIONS[module.params['condition']]
    started = time.time()
    deadline = started + max(0, module.params['timeout'])
    while True:
        states, dummy, error = read_resources(lambda argv: module.run_command(argv, environ_update=LC_C), name)
        res = states.get(name)
        reached = bool(res) and holds(res)
        if reached or time.time() >= deadline:
            break
        time.sleep(1)
    result = dict(changed=False, reached=reached, waited=round(time.time() - started, 1),
                  progress=progress_line(res), state=res or {})
    if not reached and module.params['fail_on_timeout']:
        module.fail_json(msg='DRBD resource %s is not %s after %d s: %s%s' % (
            name, module.params['condition'], module.params['timeout'], result['progress'],
            ' (%s)' % error if error else ''), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
