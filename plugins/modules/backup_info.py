#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: backup_info
short_description: List the restic snapshots of the DRBD mirror
version_added: 0.1.0
description:
  - Lists the snapshots of one resource's mirror in the restic repository of the C(hapair.cluster.backup)
    role's settings (C(/etc/hapair/backup/RESOURCE.json)), oldest first.
  - Only the pair's series is listed (the job's restic host name, the same on both nodes), so other
    machines' snapshots in a shared repository are left out.
  - Read-only, on either node; runs C(restic snapshots --no-lock), so it works while a prune holds
    the repository's lock.
  - A repository that cannot be reached or opened (wrong password, no repository) makes the module
    fail with restic's reason and what to do.
options: {}
attributes:
  check_mode:
    support: full
    details: Read-only; it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
seealso:
  - module: hapair.cluster.backup_run
  - module: hapair.cluster.backup_restore
extends_documentation_fragment:
  - action_common_attributes
  - hapair.cluster.backup_settings
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: List the backups of r0
  hapair.cluster.backup_info:
    resource: r0
  register: backups

- name: Show the latest
  ansible.builtin.debug:
    msg: "{{ backups.count }} snapshots, the latest {{ backups.latest.short_id }} of {{ backups.latest.time }}"
  when: backups.latest
'''

RETURN = r'''
snapshots:
  description: The snapshots, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Full snapshot id.
      type: str
      sample: 807677ed00a4df8a935eb4496c7228342179118ae6f00631c963eb4d626ad8b0
    short_id:
      description: Short snapshot id.
      type: str
      sample: 807677ed
    time:
      description: When the snapshot was taken (restic's RFC 3339 time).
      type: str
      sample: "2026-11-30T03:36:56.872251552Z"
    hostname:
      description: The restic host name (the pair's, whichever node took it).
      type: str
      sample: hapair-r0
    paths:
      description: The directory restic read (the mount point or the view of an LVM snapshot); the content is at the snapshot's root.
      type: list
      elements: str
      sample: [/run/hapair/backup-view/r0]
    tags:
      description: The snapshot's tags.
      type: list
      elements: str
      sample: [hapair, r0]
latest:
  description: The newest snapshot (same keys as an item of RV(snapshots)); null when there is none.
  returned: always
  type: dict
count:
  description: Number of snapshots.
  returned: always
  type: int
  sample: 14
repository:
  description: The repository (a password in a URL is hidden).
  returned: always
  type: str
  sample: sftp:hapair@10.0.2.100:/r0
host:
  description: The restic host name of the series.
  returned: always
  type: str
  sample: hapair-r0
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.backup_job import (
    BackupError, command_runner, list_snapshots, load_resource_config, redact,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', default='r0'),
            config=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    resource = module.params['resource']
    try:
        cfg = load_resource_config(resource, module.params['config'])
        snapshots = list_snapshots(cfg, command_runner(module.run_command))
    except BackupError as ex:
        module.fail_json(msg=ex.message, kind=ex.kind)
    module.exit_json(changed=False, snapshots=snapshots, latest=snapshots[-1] if snapshots else None,
                     count=len(snapshots), repository=redact(cfg['repository']), host=cfg['host'])


if __name__ == '__main__':
    main()
