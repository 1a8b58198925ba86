#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: mount_holders_info
short_description: Name the processes that keep a mounted filesystem busy, and their systemd units
version_added: 0.3.0
description:
  - Runs C(fuser -vm) on O(path) when a filesystem is mounted there, and places each process in its systemd
    unit (from C(/proc/PID/cgroup)).
  - A demotion stops the application units and a running backup, then unmounts the mirror. The failover role
    reads this module before it stops anything, so that a process the demotion would not stop (an operator's
    shell under the mount point, a cron job) refuses the switchover while the application still runs, instead
    of failing at the unmount after the application is down and the service IP released.
  - Changes nothing. Nothing is reported when O(path) is not a mount point (C(fuser -m) would then name the
    users of the filesystem that holds the directory, usually C(/)).
options:
  path:
    description: The mount point, for example the mirror's C(/srv/hapair).
    type: path
    required: true
  stopped_units:
    description:
      - The systemd units the caller stops before it unmounts (for a demotion, hapair_services and the backup
        service). A holder outside them is in RV(foreign).
    type: list
    elements: str
    default: []
  node:
    description: This node's name, for the message; the host name when omitted.
    type: str
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
requirements:
  - fuser (psmisc)
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Find what holds the mirror besides the application
  hapair.cluster.mount_holders_info:
    path: /srv/hapair
    stopped_units: [greenarrow.service, hapair-backup@r0.service]
  register: holders

- name: Refuse before anything is stopped
  ansible.builtin.assert:
    that: holders.refusal is none
    fail_msg: "{{ holders.refusal }}"
'''

RETURN = r'''
mounted:
  description: Whether a filesystem is mounted on O(path).
  returned: always
  type: bool
holders:
  description: Every process that uses the filesystem (the kernel's own mount entry left out).
  returned: always
  type: list
  elements: dict
  sample: [{pid: "707", user: root, command: bash, unit: session-3.scope, description: "bash (pid 707, user root, in session-3.scope)"}]
foreign:
  description: The holders outside O(stopped_units), described as in RV(holders).
  returned: always
  type: list
  elements: str
  sample: ["bash (pid 707, user root, in session-3.scope)"]
refusal:
  description: Why a demotion must not start, naming each foreign holder and what to do; V(null) when none.
  returned: always
  type: str
'''

import os
import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hapair.cluster.plugins.module_utils.handover import SettingsError, mount_holders
from ansible_collections.hapair.cluster.plugins.module_utils.mount_holders import describe, foreign, refusal


def read_cgroup(pid):
    try:
        with open('/proc/%s/cgroup' % pid) as f:
            return f.read()
    except (IOError, OSError):
        return None   # it ended in between


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            stopped_units=dict(type='list', elements='str', default=[]),
            node=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    path = module.params['path'].rstrip('/') or '/'
    stopped = module.params['stopped_units']
    node = module.params['node'] or socket.gethostname().split('.')[0]
    if not os.path.ismount(path):  # novermin (POSIX has had it since 2.x; vermin counts Windows')
        module.exit_json(changed=False, mounted=False, holders=[], foreign=[], refusal=None)

    fuser = module.get_bin_path('fuser', required=True)

    def run(argv):
        # fuser exits 1 when nothing uses the filesystem; its table goes to stderr
        return module.run_command([fuser] + argv[1:], environ_update={'LC_ALL': 'C', 'LANG': 'C'})

    try:
        holders = mount_holders(run, path, read_cgroup)   # the reader make_secondary uses
    except SettingsError as error:
        module.fail_json(msg=str(error))
    for row in holders:
        row['description'] = describe(row)
        del row['kernel']
    outside = foreign(holders, stopped)
    module.exit_json(changed=False, mounted=True, holders=holders, foreign=[h['description'] for h in outside],
                     refusal=refusal(node, path, outside, stopped))


if __name__ == '__main__':
    main()
