#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: drbd_info
short_description: Report the DRBD state of this node
version_added: 0.1.0
description:
  - Read-only. Reports, per DRBD resource that is up, the local and peer role, the connection, disk
    and replication states, sync progress and estimated time, the out-of-sync amount, whether the
    device is mounted and where, and whether a split brain was detected.
  - One normalised result whatever DRBD version runs (8.4 kernels as on Debian 12 and EL7 with
    C(kmod-drbd84), DRBD 9 on EL8/9), parsed from C(drbdsetup events2 --now --statistics), with
    C(drbdadm status) and C(/proc/drbd) as fallbacks.
  - Commands run with C(LC_ALL=C).
options:
  resource:
    description:
      - Only this resource. All resources that are up when omitted.
    type: str
attributes:
  check_mode:
    details: The module changes nothing, so it runs the same in check mode.
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - A resource that is configured but down is absent from RV(resources); RV(resource_up) says so
    when O(resource) is given.
  - RV(resources.split_brain) is set by the split-brain handler the mirror role installs, and
    cleared by the rejoin playbook once resolved.
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Read the state of r0
  hapair.cluster.drbd_info:
    resource: r0
  register: drbd

- name: Show role and disk states
  ansible.builtin.debug:
    msg: "{{ drbd.resources.r0.role }} {{ drbd.resources.r0.disk_state }}/{{ drbd.resources.r0.peer_disk_state }}"
'''

RETURN = r'''
loaded:
  description: Whether the DRBD kernel module is loaded.
  returned: always
  type: bool
kernel_version:
  description: Version of the DRBD kernel module.
  returned: always
  type: str
  sample: 8.4.11
kernel_major:
  description: Major version of the DRBD kernel module (8 or 9).
  returned: always
  type: int
utils_version:
  description: Version of drbd-utils.
  returned: always
  type: str
  sample: 9.22.0
resource_up:
  description: Whether O(resource) is up. Only when O(resource) is given.
  returned: when O(resource) is set
  type: bool
resources:
  description: Normalised state per resource that is up.
  returned: always
  type: dict
  contains:
    role:
      description: Local role, V(Primary), V(Secondary) or V(Unknown).
      type: str
    peer_role:
      description: Peer role; V(Unknown) while not connected.
      type: str
    connection_state:
      description: V(Connected), V(Connecting), V(StandAlone), ...
      type: str
    replication_state:
      description: V(Established), V(SyncSource), V(SyncTarget), ...; V(Off) while not connected.
      type: str
    disk_state:
      description: V(UpToDate), V(Inconsistent), V(Outdated), V(Diskless), ...
      type: str
    peer_disk_state:
      description: The peer's disk as last known; V(DUnknown) when never seen.
      type: str
    sync_percent:
      description: Resync progress in percent; null when no resync runs.
      type: float
    eta_seconds:
      description: Estimated seconds until the resync ends; null when unknown.
      type: int
    out_of_sync_kib:
      description: Data still to resync, in KiB.
      type: int
    minor:
      description: Device minor.
      type: int
    device:
      description: Device path, for example V(/dev/drbd1).
      type: str
    mounted_at:
      description: Mount points of the device on this node.
      type: list
      elements: str
    split_brain:
      description: Whether a split brain was detected and not yet resolved.
      type: bool
    fencing:
      description:
        - C(last_attempt) this node's last attempt, as Primary, to fence its peer (the fence-peer handler's
          record in /var/lib/hapair/fencing.log; C(at), C(result), C(peer), C(rc), C(detail)) or V(null).
        - C(outdated_by_peer) when the peer's fencing last marked this copy Outdated (C(at), C(peer)) or V(null).
        - C(lost_primary_at) on a Secondary that is not connected, when it last saw its peer as Primary (epoch,
          from the kernel log), or V(null) when it is connected, Primary, or the log no longer has it.
      type: dict
    standalone:
      description:
        - When the resource is StandAlone (DRBD gave up on its peer and does not retry), why, from what DRBD
          logged in the kernel log just before. V(null) when it is not StandAlone.
        - C(cause) is V(split-brain), V(authentication) (different shared secrets), V(unrelated-data) (the
          peer's disk holds another resource), V(incompatible) (settings differ), V(administrator) (no error
          logged; drbdadm disconnect or down) or V(unknown) (the log does not show it); C(at) (epoch),
          C(line) (DRBD's words) and C(advice) (what to do).
      type: dict
    volumes:
      description: The same states per volume.
      type: list
      elements: dict
  sample:
    r0:
      role: Primary
      peer_role: Secondary
      connection_state: Connected
      replication_state: Established
      disk_state: UpToDate
      peer_disk_state: UpToDate
      sync_percent: null
      device: /dev/drbd1
      mounted_at: [/srv/hapair]
      split_brain: false
      fencing: {last_attempt: null, outdated_by_peer: null, lost_primary_at: null}
      standalone: null
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import node_state

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def main():
    module = AnsibleModule(
        argument_spec=dict(resource=dict(type='str')),
        supports_check_mode=True,
    )

    def run(argv):
        return module.run_command(argv, environ_update=LC_C)

    resource = module.params['resource']
    state = node_state(run, resource, with_fencing=True)
    result = dict(changed=False, loaded=state['loaded'], kernel_version=state['kernel_version'],
                  kernel_major=state['kernel_major'], utils_version=state['utils_version'],
                  resources=state['resources'])
    if resource:
        result['resource_up'] = resource in state['resources']
    module.exit_json(**result)


if __name__ == '__main__':
    main()
