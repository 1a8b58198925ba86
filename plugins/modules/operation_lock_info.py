#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: operation_lock_info
short_description: Read the pair's operation lock on a node
version_added: 0.3.0
description:
  - Reads the lock file M(hapair.cluster.operation_lock) keeps on the node while an operation runs on the pair
    (C(hapair-operation-RESOURCE.lock) in O(directory)), and returns its record. Changes nothing.
  - The status role reads it so that C(status.yml) says when an operation holds the pair, who runs it since when,
    and whether its run is gone (a stale lock that refuses every operation until an operator releases it).
options:
  resource:
    description: The DRBD resource whose lock to read. A name DRBD would not take is refused.
    type: str
    required: true
  directory:
    description: Where the lock file lives (as in M(hapair.cluster.operation_lock)).
    type: path
    default: /run/lock
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
- name: Read the operation lock
  hapair.cluster.operation_lock_info:
    resource: r0
  register: lock

- name: Say who holds the pair
  ansible.builtin.debug:
    msg: "{{ lock.lock.operation }} by {{ lock.lock.holder }} (run {{ lock.lock.run_id }})"
  when: lock.lock is not none
'''

RETURN = r'''
lock:
  description:
    - The lock's record, V(null) when there is no lock file.
    - A file this collection did not write (or one cut short) is returned with every field V(null); it still
      blocks the operations.
  returned: always
  type: dict
  sample: {run_id: "ctl:4242:771234", operation: switchover (failover.yml), holder: root@ctl, controller: ctl,
           pid: 4242, since: 1796608146}
path:
  description: The lock file's path.
  returned: always
  type: str
  sample: /run/lock/hapair-operation-r0.lock
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import lock_path, parse, read_lock
from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import RESOURCE_RE


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            directory=dict(type='path', default='/run/lock'),
        ),
        supports_check_mode=True,
    )
    resource = module.params['resource']
    if not RESOURCE_RE.match(resource):
        module.fail_json(msg="resource '%s' is not a usable DRBD resource name (at most 32 letters, digits, '_' or '-', "
                             "e.g. r0)" % resource)
    path = lock_path(resource, module.params['directory'])
    try:
        text = read_lock(path)
    except (IOError, OSError) as e:
        module.fail_json(msg='cannot read the operation lock %s: %s' % (path, e))
    module.exit_json(changed=False, lock=parse(text), path=path)


if __name__ == '__main__':
    main()
