#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: operation_lock
short_description: Take or release the pair's operation lock on a node
version_added: 0.3.0
description:
  - One changing operation on the pair at a time. The operator playbooks take this lock on both nodes, one after
    the other in a fixed order, before they judge the pair's state, and release it when they end, whatever
    happened. A second operation refuses at once and changes nothing, naming who holds the lock, since when and
    doing what.
  - The lock is the file C(hapair-operation-RESOURCE.lock) in O(directory), created only if there is none (of two
    runs that race, one wins).
  - A run is identified by the controller, the C(ansible-playbook) process and that process's start time, which
    the action plugin of this module fills in (O(run_id), O(controller), O(pid), O(holder)). Every task of one
    run has the same id, so the release needs no variable from the take.
  - A lock whose run is gone (interrupted, killed) is never broken silently. When the lock was taken from this
    controller, the refusal says whether that run still runs or is gone (the lock is stale); when it was taken
    from another controller, it says where to look. Only an operator who names the lock's run in
    O(force_release) removes it.
  - V(changed) is V(false) when a run takes or releases its own lock (it leaves the node as it found it, so a
    second run of a playbook reports no change), and V(true) when a lock named in O(force_release) is removed.
options:
  resource:
    description:
      - The DRBD resource the operation works on; one lock per resource. A name DRBD would not take (at most 32
        letters, digits, C(_) or C(-)) is refused.
    type: str
    required: true
  state:
    description:
      - V(held) takes the lock for this run (nothing to do if this run holds it already).
      - V(released) removes this run's lock; another run's lock is left in place.
    type: str
    choices: [held, released]
    default: held
  operation:
    description: What the run does, for the message of a run that finds the lock held.
    type: str
    default: an operation
  force_release:
    description:
      - The run id of a lock to remove, as the refusal prints it (C(unreadable) for a lock file this collection
        did not write). With O(state=held), this run then takes the lock. Use it only after checking that the run
        that holds the lock is gone. A lock held by another run is still refused.
    type: str
  how_to_release:
    description: What the operator types to release a stale lock, in the interface in use; C(RUN_ID) is replaced.
    type: str
    default: rerun with -e hapair_force_release_lock=RUN_ID
  node:
    description: This node's name, for the messages; the host name when omitted.
    type: str
  directory:
    description: Where the lock file lives. Under C(/run) by default, so a reboot, which ends any operation on the node, ends its lock too.
    type: path
    default: /run/lock
  run_id:
    description: The run's id. Filled in by the action plugin; set it only to act for another run.
    type: str
  controller:
    description: The controller's host name. Filled in by the action plugin.
    type: str
  pid:
    description: The C(ansible-playbook) process id. Filled in by the action plugin.
    type: int
  holder:
    description: Who runs the operation (C(user@controller)). Filled in by the action plugin.
    type: str
attributes:
  action:
    support: full
    details: The action plugin fills in the run's id from the controller, then runs the module on the node.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    details: Says whether the lock is free or held and writes nothing.
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Take the lock on both nodes, one after the other
  hapair.cluster.operation_lock:
    resource: r0
    operation: switchover (failover.yml)
    node: "{{ item }}"
  delegate_to: "{{ item }}"
  loop: [node1, node2]
  run_once: true

- name: Release it, whatever happened
  hapair.cluster.operation_lock:
    resource: r0
    state: released
    node: "{{ item }}"
  delegate_to: "{{ item }}"
  loop: [node1, node2]
  run_once: true
  ignore_unreachable: true
'''

RETURN = r'''
lock:
  description: The lock this node holds after the task (V(null) when there is none).
  returned: always
  type: dict
  sample: {run_id: "ctl:4242:771234", operation: switchover (failover.yml), holder: root@ctl, controller: ctl,
           pid: 4242, since: 1796608146}
held_by:
  description: The lock of another run that made the task refuse.
  returned: when the lock is held by another run
  type: dict
stale:
  description: Whether the run that holds the lock is known to be gone (it was taken from this controller).
  returned: when the lock is held by another run
  type: bool
run_id:
  description: This run's id.
  returned: always
  type: str
'''

import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import (
    ELSEWHERE,
    create_lock,
    lock_path,
    epoch_now,
    parse,
    plan_release,
    plan_take,
    read_lock,
    record,
    refusal,
    remove_lock,
)
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import RESOURCE_RE


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            state=dict(type='str', choices=['held', 'released'], default='held'),
            operation=dict(type='str', default='an operation'),
            force_release=dict(type='str'),
            how_to_release=dict(type='str', default='rerun with -e hapair_force_release_lock=RUN_ID'),
            node=dict(type='str'),
            directory=dict(type='path', default='/run/lock'),
            run_id=dict(type='str'),
            controller=dict(type='str'),
            pid=dict(type='int'),
            holder=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not p['run_id']:
        module.fail_json(msg='run_id is missing: this module runs through its action plugin, which fills it in')
    if not RESOURCE_RE.match(p['resource']):
        module.fail_json(msg="resource '%s' is not a usable DRBD resource name (at most 32 letters, digits, '_' or '-', "
                             "e.g. r0); nothing was changed" % p['resource'])
    node = p['node'] or socket.gethostname().split('.')[0]
    path = lock_path(p['resource'], p['directory'])
    held = parse(read_lock(path))
    forced = False

    if p['state'] == 'released':
        if plan_release(held, p['run_id'], p['force_release']) == 'remove':
            forced = held.get('run_id') != p['run_id']
            if not module.check_mode:
                remove_lock(path)
            held = None
        module.exit_json(changed=forced, lock=held, run_id=p['run_id'])

    step = plan_take(held, p['run_id'], p['force_release'])
    if step == 'take':
        mine = record(p['run_id'], p['operation'], p['holder'], p['controller'], p['pid'], epoch_now())
        if module.check_mode:
            module.exit_json(changed=held is not None, lock=mine, run_id=p['run_id'])
        if held is not None:   # the stale lock the operator named
            remove_lock(path)
            forced = True
        if create_lock(path, mine):
            module.exit_json(changed=forced, lock=mine, run_id=p['run_id'])
        held = parse(read_lock(path))   # another run took it in between
        if held is None or held.get('run_id') == p['run_id']:
            module.fail_json(msg='the lock file %s changed under this run; run the operation again' % path)
    elif step == 'keep':
        module.exit_json(changed=False, lock=held, run_id=p['run_id'])
    module.fail_json(msg=refusal(node, held, ELSEWHERE, epoch_now(), p['how_to_release']), held_by=held,
                     stale=False, lock=held, run_id=p['run_id'])


if __name__ == '__main__':
    main()
