#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: backup_restore
short_description: Restore a restic snapshot of the DRBD mirror, into a directory or in place
version_added: 0.1.0
description:
  - Restores one snapshot of the mirror from the restic repository of the C(hapair.cluster.backup)
    role's settings (C(/etc/hapair/backup/RESOURCE.json)) with C(restic restore).
  - The snapshot is looked up first, among the pair's snapshots; an unknown id fails before anything
    is written and lists the newest snapshots. Use check mode to resolve V(latest) to an id before
    stopping anything.
  - "Into a directory (O(in_place=false), the default): O(target) is created if missing (mode 0700)
    and must not be inside the mirror's mount point. Works on either node."
  - "In place (O(in_place=true)): only on the Primary of the resource, with the mirror mounted, and
    O(target) must be the mount point. Every file of the snapshot is put back as it was then; files
    created since the snapshot stay. On the Secondary the module refuses and changes nothing: its
    copy of the mirror belongs to DRBD."
  - The module does not stop the application; the restore playbook stops it before an in-place
    restore and starts it after.
  - While the restore runs, the job's lock is held, so the scheduled backup of the same resource
    does not save a half-restored mirror.
options:
  snapshot:
    description: V(latest), or a snapshot id (full, short, or an unambiguous prefix).
    type: str
    default: latest
  target:
    description: Directory to restore into; the mount point when O(in_place=true).
    type: path
    required: true
  in_place:
    description: Restore over the live mirror (Primary only, O(target) = the mount point).
    type: bool
    default: false
  exact:
    description:
      - Leave O(target) exactly as the snapshot was, B(removing) files and directories created since. restic 0.14
        has no C(restore --delete), so the snapshot is restored into a staging directory inside O(target) (on the
        same filesystem, which needs room for a full copy) and C(rsync -aHAX --delete) makes O(target) match it.
      - Needed for a database's data directory (WAL segments newer than the snapshot left in place would be
        replayed on top of it). C(restore.yml) sets it for in-place restores unless told otherwise.
      - With V(false) the snapshot's files are put back over what is there and newer files stay.
    type: bool
    default: false
  include:
    description: Restore only these paths of the snapshot (C(restic restore --include)); paths are
      relative to the mirror's root, for example V(/data/www).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    details: The refusals are checked and the snapshot is resolved (RV(snapshot_id),
      RV(snapshot_time)); nothing is created or restored.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
notes:
  - "The snapshots hold the mirror's content at their root (the job backs up C(.) in the mount point),
    so O(target) receives the mirror's top-level files and directories."
  - restic 0.14 does not count the restored files; RV(files_restored) is null then.
seealso:
  - module: hapair.cluster.backup_info
  - module: hapair.cluster.backup_run
extends_documentation_fragment:
  - action_common_attributes
  - hapair.cluster.backup_settings
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Find the snapshot before stopping anything
  hapair.cluster.backup_restore:
    snapshot: latest
    target: /srv/hapair
    in_place: true
  check_mode: true
  register: plan

- name: Restore it in place on the Primary (application stopped)
  hapair.cluster.backup_restore:
    snapshot: "{{ plan.snapshot_id }}"
    target: /srv/hapair
    in_place: true

- name: Pick files from an older snapshot into a directory
  hapair.cluster.backup_restore:
    snapshot: 807677ed
    target: /var/tmp/hapair-restore/807677ed
    include: [/data/www]
'''

RETURN = r'''
snapshot_id:
  description: Full id of the restored (in check mode, the chosen) snapshot.
  returned: success
  type: str
  sample: 807677ed00a4df8a935eb4496c7228342179118ae6f00631c963eb4d626ad8b0
short_id:
  description: Short id of the snapshot.
  returned: success
  type: str
  sample: 807677ed
snapshot_time:
  description: When the snapshot was taken.
  returned: success
  type: str
  sample: "2026-11-30T03:36:56.872251552Z"
target:
  description: The directory restored into.
  returned: always
  type: str
  sample: /srv/hapair
in_place:
  description: Whether the live mirror was restored.
  returned: always
  type: bool
exact:
  description: Whether O(target) was made exactly the snapshot (newer files removed).
  returned: success
  type: bool
files_restored:
  description: Files restored, when restic says (restic 0.17 and later); null otherwise.
  returned: success
  type: int
duration_seconds:
  description: Duration of the restore, the lookup included.
  returned: success
  type: float
  sample: 42.1
role:
  description: This node's role for the resource; null when it is not up.
  returned: always
  type: str
  sample: Primary
commands:
  description: The restic command that ran (in check mode, that would run).
  returned: success
  type: list
  elements: str
log:
  description: The job's log lines.
  returned: success
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.backup_job import (
    BackupError, check_restore_target, command_runner, drbd_role, load_resource_config, node_name,
    read_mountinfo, restore,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', default='r0'),
            config=dict(type='path'),
            snapshot=dict(type='str', default='latest'),
            target=dict(type='path', required=True),
            in_place=dict(type='bool', default=False),
            include=dict(type='list', elements='str', default=[]),
            exact=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    resource = params['resource']
    result = dict(changed=False, target=params['target'], in_place=params['in_place'], role=None)
    try:
        cfg = load_resource_config(resource, params['config'])
        runner = command_runner(module.run_command)
        role, dummy, dummy2 = drbd_role(runner, resource)
        result['role'] = role
        target = check_restore_target(cfg, params['target'], params['in_place'], role, read_mountinfo(),
                                      node_name())
        result['target'] = target
        result.update(restore(cfg, params['snapshot'], target, params['include'], runner,
                              check_mode=module.check_mode, exact=params['exact']))
    except BackupError as ex:
        result.update(ex.result or {})
        module.fail_json(msg=ex.message, kind=ex.kind, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
