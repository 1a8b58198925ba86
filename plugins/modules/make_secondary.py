#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: make_secondary
short_description: Make this node Secondary in one call - stop the application, free the mirror, demote
version_added: 0.4.0
description:
  - The old Primary's half of a switchover (the seed's C(hvmail_make_secondary)) as one module run. In order, each
    step only when needed - stop a running backup (O(backup_units)), stop the application (O(services)), release
    the service IP, unmount the mirror, C(drbdadm secondary) - then wait until DRBD shows the node Secondary.
  - Refuses before anything is stopped, and changes nothing, when the mirror is in use by a process outside
    O(services) and O(backup_units) (an operator's shell under the mount point; the message names its command, pid,
    user and systemd unit), when I/O is frozen by fencing, when something other than the mirror is mounted on
    O(mount_point), or when the resource is not up.
  - When a step fails, undoes what the earlier steps did, newest first, while the node is still Primary - mounts
    the mirror again, puts the service IP back, starts the units it stopped (a backup is not restarted) - and
    fails with what failed, what was put back and the node's role.
  - A node that is already Secondary, unmounted, without the service IP and with the application stopped is left
    alone (C(changed=false)).
  - Works with DRBD 8.4 and 9 and with the Python 2.7 of EL7. The same code runs as the node command
    C(hapair make-secondary).
options:
  backup_units:
    description:
      - Units of a backup job that reads the mirror (C(hapair-backup@RESOURCE.service)). Stopped first when running,
        so that the mirror can be unmounted; never restarted by an undo.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - action_common_attributes
  - hapair.cluster.handover
attributes:
  check_mode:
    support: full
    details: The node is read and judged as in a real run, refusals included; RV(steps) and RV(commands) say what
      would run.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
notes:
  - Reads the DRBD state with C(drbdsetup events2 --now), the mounts from C(/proc/mounts), the mirror's users with
    C(fuser -vm) (package C(psmisc)) and their units from C(/proc/PID/cgroup), the units with
    C(systemctl is-active), the service IP with C(ip -o addr show).
seealso:
  - module: hapair.cluster.make_primary
  - module: hapair.cluster.drbd_role
  - module: hapair.cluster.mount_holders_info
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Make node1 Secondary (the first half of a switchover)
  hapair.cluster.make_secondary:
    resource: r0
    mount_point: /srv/hapair
    services: [greenarrow.service]
    backup_units: [hapair-backup@r0.service]
    service_ip: 192.0.2.10/24
    service_interface: ens4
'''

RETURN = r'''
changed:
  description: Whether a step ran (or, in check mode, would run).
  returned: always
  type: bool
steps:
  description: The steps that ran, in order (in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: ["stop the application (greenarrow.service)", "release the service IP 192.0.2.10 on ens4", "unmount /srv/hapair", "become Secondary"]
commands:
  description: The commands of RV(steps).
  returned: always
  type: list
  elements: str
  sample: ["systemctl stop greenarrow.service", "ip addr del 192.0.2.10/24 dev ens4", "umount /srv/hapair", "drbdadm secondary r0"]
refused:
  description: Whether the call was refused before anything changed (a failure with V(false) here means a step failed).
  returned: always
  type: bool
previous_role:
  description: The node's DRBD role before the call; null when the resource is not up.
  returned: always
  type: str
  sample: Primary
role:
  description: The node's DRBD role after the call.
  returned: always
  type: str
  sample: Secondary
put_back:
  description: What a failed call restored, newest first (also in the failure message).
  returned: always
  type: list
  elements: str
  sample: ["the mirror is mounted again", "the service IP is back", "the application runs again"]
'''

from ansible_collections.hapair.cluster.plugins.module_utils.handover_module import run_module


def main():
    run_module('secondary', dict(backup_units=dict(type='list', elements='str', default=[])))


if __name__ == '__main__':
    main()
