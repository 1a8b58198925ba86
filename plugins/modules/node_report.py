#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: node_report
short_description: Everything the pair's verdict needs from one node, in one call
version_added: 0.4.0
description:
  - Reads this node's view of the pair - the resource's DRBD state with the fencing record and why a StandAlone
    resource gave up on its peer (as M(hapair.cluster.drbd_info)), whether the mirror is mounted on O(mount_point),
    which of O(services) run, whether O(service_ip) is on this node - and returns it as RV(report), the input of
    M(hapair.cluster.pair_status).
  - The status role's report entry point runs it once per node (it ran three modules before). The node command
    C(hapair status) reads the same report with the same code.
  - Changes nothing.
options:
  resource:
    description: The DRBD resource (hapair_resource).
    type: str
    required: true
  mount_point:
    description: Where the Primary mounts the mirror (hapair_mount_point).
    type: path
    required: true
  services:
    description: The application's systemd units (hapair_services).
    type: list
    elements: str
    default: []
  service_ip:
    description: The floating address with its prefix length (hapair_service_ip); empty for none.
    type: str
    default: ''
extends_documentation_fragment:
  - action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
seealso:
  - module: hapair.cluster.drbd_info
  - module: hapair.cluster.pair_status
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Read this node's view of the pair
  hapair.cluster.node_report:
    resource: r0
    mount_point: /srv/hapair
    services: [greenarrow.service]
    service_ip: 192.0.2.10/24
  register: node

- name: Judge the pair
  hapair.cluster.pair_status:
    reports: "{{ dict(groups['hapair_cluster'] | zip(groups['hapair_cluster'] | map('extract', hostvars, ['node', 'report']))) }}"
  run_once: true
'''

RETURN = r'''
report:
  description: This node's view, as M(hapair.cluster.pair_status) reads it.
  returned: always
  type: dict
  contains:
    reachable:
      description: Always V(true) (a node that does not answer has no report).
      type: bool
    resource:
      description: The resource's state as M(hapair.cluster.drbd_info) returns it; null when it is not up.
      type: dict
    split_brain:
      description: Whether the split-brain handler left its marker for the resource.
      type: bool
    mounted:
      description: Whether the mirror is mounted on O(mount_point).
      type: bool
    services_running:
      description: The units of O(services) that are active.
      type: list
      elements: str
    service_ip:
      description: Whether O(service_ip) is on one of this node's NICs.
      type: bool
  sample:
    reachable: true
    resource: {role: Primary, connection_state: Connected, disk_state: UpToDate, peer_disk_state: UpToDate}
    split_brain: false
    mounted: true
    services_running: [greenarrow.service]
    service_ip: true
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.node_report import read_report

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            mount_point=dict(type='path', required=True),
            services=dict(type='list', elements='str', default=[]),
            service_ip=dict(type='str', default=''),
        ),
        supports_check_mode=True,
    )
    p = module.params

    def run(argv):
        return module.run_command(argv, environ_update=LC_C)

    module.exit_json(changed=False, report=read_report(run, p['resource'], p['mount_point'], p['services'],
                                                       p['service_ip']))


if __name__ == '__main__':
    main()
