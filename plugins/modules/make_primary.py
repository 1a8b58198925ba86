#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: make_primary
short_description: Make this node Primary in one call - promote, mount, take the service IP, start the application
version_added: 0.4.0
description:
  - The new Primary's half of a switchover or an emergency takeover (the seed's C(hvmail_make_primary)) as one
    module run. In order, each step only when needed - C(drbdadm primary) and a wait until DRBD shows it, mount the
    mirror (no fsck - DRBD's copy is block-identical), take the service IP and announce it with gratuitous ARP,
    start the application (O(services)).
  - The promotion has the guards of M(hapair.cluster.drbd_role) - refused while the peer is a connected Primary
    (never overridable), and while the local disk is not V(UpToDate) unless O(force_stale_promotion=true), which
    warns what may be lost. Refused too when something other than the mirror is mounted on O(mount_point).
    A refusal changes nothing.
  - When a step fails, undoes what the earlier steps did, newest first - stops the units it started, releases the
    service IP, unmounts, becomes Secondary again - and fails with what failed and what was put back, so that the
    old Primary can take the role back.
  - A node that is already Primary with the mirror mounted, the service IP and the application running is left
    alone (C(changed=false)).
  - Works with DRBD 8.4 and 9 and with the Python 2.7 of EL7. The same code runs as the node command
    C(hapair make-primary).
options:
  force_stale_promotion:
    description:
      - Emergency-only override, as in M(hapair.cluster.drbd_role) - promote with C(drbdadm primary --force) although
        the local disk is not V(UpToDate). Only when the peer is lost for good and this copy is the best one left.
    type: bool
    default: false
  announce:
    description: How many gratuitous ARPs announce the service IP once it is up; V(0) for none.
    type: int
    default: 3
  wait_for_peer:
    description:
      - Seconds to wait, polling DRBD every 0.1 s, for a connected peer that is Primary to become Secondary before the
        node is judged - for a switchover that runs M(hapair.cluster.make_secondary) on the peer at the same time
        (failover.yml). The promotion starts the moment the peer is Secondary.
      - A peer still Primary after that long is refused as usual (nothing changes). Losing the connection while waiting
        is refused too - promoting then would be an emergency promotion nobody asked for.
      - V(0) judges the node at once. Not used in check mode.
    type: int
    default: 0
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
  - Reads the node as M(hapair.cluster.make_secondary) does. Gratuitous ARP needs a raw socket (root).
seealso:
  - module: hapair.cluster.make_secondary
  - module: hapair.cluster.drbd_role
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Make node2 Primary (the second half of a switchover)
  hapair.cluster.make_primary:
    resource: r0
    mount_point: /srv/hapair
    mount_options: noatime
    services: [greenarrow.service]
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
  sample: ["become Primary", "mount /dev/drbd1 on /srv/hapair", "take the service IP 192.0.2.10 on ens4", "start the application (greenarrow.service)"]
commands:
  description: The commands of RV(steps).
  returned: always
  type: list
  elements: str
  sample: ["drbdadm primary r0", "mount -t ext4 -o noatime /dev/drbd1 /srv/hapair", "ip addr add 192.0.2.10/24 dev ens4", "systemctl start greenarrow.service"]
refused:
  description: Whether the call was refused before anything changed (a failure with V(false) here means a step failed).
  returned: always
  type: bool
previous_role:
  description: The node's DRBD role before the call; null when the resource is not up.
  returned: always
  type: str
  sample: Secondary
role:
  description: The node's DRBD role after the call.
  returned: always
  type: str
  sample: Primary
put_back:
  description: What a failed call undid, newest first (also in the failure message).
  returned: always
  type: list
  elements: str
  sample: ["stopped the application", "released the service IP", "unmounted the mirror", "Secondary again"]
'''

from ansible_collections.hapair.cluster.plugins.module_utils.handover_module import run_module


def main():
    run_module('primary', dict(force_stale_promotion=dict(type='bool', default=False),
                               announce=dict(type='int', default=3),
                               wait_for_peer=dict(type='int', default=0)))


if __name__ == '__main__':
    main()
