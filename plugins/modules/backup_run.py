#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: backup_run
short_description: Back up the DRBD mirror with restic now, as the scheduled job does
version_added: 0.1.0
description:
  - Runs one backup of the mirror with the settings the C(hapair.cluster.backup) role wrote
    (C(/etc/hapair/backup/RESOURCE.json)) and returns what restic saved. It is the same code as the
    C(hapair-backup@RESOURCE.timer) job (C(/usr/local/lib/hapair/backup_job.py)).
  - Runs on the Primary, with the mirror mounted. On the Secondary (or when the resource is not up)
    the module fails and changes nothing, unless O(from_secondary_snapshot=true) with an
    LVM-backed mirror.
  - "The consistency modes: V(snapshot) freezes the filesystem (C(fsfreeze)) only while an LVM
    snapshot of the volume under DRBD is taken, mounts the snapshot read-only on the job's
    C(view_dir) and backs up from there, then unmounts and removes it; V(freeze) keeps the
    filesystem frozen for the whole backup (writers wait); V(live) freezes nothing (the hooks give
    the application's consistency)."
  - The filesystem is ALWAYS thawed (C(fsfreeze -u)), even when C(lvcreate) or the backup fails.
    A snapshot volume or view mount left by a run that crashed is removed first (they are the
    job's by name, C(LV-hapair-backup)).
  - "Order of a run: C(restic cat config) (a wrong password or an unreachable server stops here,
    before anything else), the pre-hook (its failure cancels the run), freeze/snapshot, C(restic
    backup), cleanup, the post-hook (also after a failure, a failed pre-hook included; it gets
    C(HAPAIR_BACKUP_STATUS=success) or V(failure)), then the retention (C(restic forget --prune))
    when the job keeps a limited number of snapshots."
  - restic reads the source directory as C(.), so the snapshot holds the mirror's content at its
    root whatever directory it was read from, and a restore into the mount point puts every file
    back in place (M(hapair.cluster.backup_restore)).
  - A backup of the same resource that is already running on this node (the timer's) is waited
    for, up to O(lock_wait) seconds; after that the module fails with "another backup of RESOURCE
    is running on this node (pid N)".
options:
  consistency:
    description: Overrides the configured consistency mode for this run.
    type: str
    choices: [snapshot, freeze, live]
  from_secondary_snapshot:
    description:
      - On the Secondary, back up an LVM snapshot of the volume under DRBD instead of refusing.
        Needs an LVM-backed mirror and an V(UpToDate) local disk.
      - Nothing can be frozen there (the filesystem is mounted on the Primary only), so the
        snapshot is crash-consistent; it is mounted read-write so that the filesystem's log is
        replayed on the throwaway snapshot. The hooks are not run on the Secondary.
      - On the Primary this option changes nothing.
    type: bool
    default: false
  lock_wait:
    description:
      - How long (seconds) to wait for another backup, restore or check of the resource running on this
        node to finish before failing. V(0) fails at once.
      - Defaults to the job's C(lock_wait) setting (the role's C(hapair_backup_lock_wait), 600 s).
    type: int
attributes:
  check_mode:
    support: full
    details: The role and the mount are checked and refusals are reported; no hook, freeze, snapshot
      or restic command runs. RV(commands) lists what would run.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
notes:
  - Needs C(restic), C(drbdadm), C(fsfreeze) (util-linux) and, for V(snapshot), the LVM tools on the node.
  - The password is read by restic from the job's 0600 password file; it is never on a command line
    nor in the result.
  - Runs restic with the job's C(host) (C(restic backup --host)), so the snapshots of both nodes form
    one series, and the retention applies to that series (C(--group-by host,tags)).
seealso:
  - module: hapair.cluster.backup_info
  - module: hapair.cluster.backup_restore
  - module: hapair.cluster.backup_repository
extends_documentation_fragment:
  - action_common_attributes
  - hapair.cluster.backup_settings
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Back up r0 now on the Primary
  hapair.cluster.backup_run:
    resource: r0
  register: backup

- name: Say what was saved
  ansible.builtin.debug:
    msg: "snapshot {{ backup.snapshot_id }}: {{ backup.bytes_added }} bytes added, frozen {{ backup.frozen_seconds }} s"

- name: One backup without freezing the filesystem
  hapair.cluster.backup_run:
    consistency: live

- name: Back up from the Secondary's LVM volume (the Primary is busy)
  hapair.cluster.backup_run:
    from_secondary_snapshot: true
'''

RETURN = r'''
resource:
  description: The resource.
  returned: always
  type: str
  sample: r0
host:
  description: The restic host name the snapshots are taken under.
  returned: always
  type: str
  sample: hapair-r0
role:
  description: This node's role for the resource; null when it is not up.
  returned: always
  type: str
  sample: Primary
consistency:
  description: The consistency mode used (V(snapshot) for a backup from the Secondary's snapshot).
  returned: always
  type: str
  sample: snapshot
from_secondary_snapshot:
  description: Whether the backup was read from an LVM snapshot on the Secondary.
  returned: always
  type: bool
source:
  description: The directory restic read (the mount point, or the view of the LVM snapshot).
  returned: success
  type: str
  sample: /run/hapair/backup-view/r0
snapshot_id:
  description: The restic snapshot made (short id); null in check mode.
  returned: always
  type: str
  sample: 807677ed
files_new:
  description: Files that were not in the parent snapshot.
  returned: always
  type: int
  sample: 2
files_changed:
  description: Files that changed since the parent snapshot.
  returned: always
  type: int
  sample: 1
files_unmodified:
  description: Files unchanged since the parent snapshot.
  returned: always
  type: int
  sample: 1534
files_processed:
  description: Files in the snapshot.
  returned: always
  type: int
  sample: 1537
bytes_added:
  description: Bytes added to the repository (after deduplication, compression, encryption).
  returned: always
  type: int
  sample: 1401
bytes_processed:
  description: Bytes of the files read.
  returned: always
  type: int
  sample: 104857600
backup_seconds:
  description: Duration of C(restic backup).
  returned: always
  type: float
  sample: 12.4
frozen_seconds:
  description: How long the filesystem was frozen (0 for V(live) and from the Secondary).
  returned: always
  type: float
  sample: 0.08
duration_seconds:
  description: Duration of the whole run, hooks and retention included.
  returned: always
  type: float
  sample: 15.2
pruned:
  description: Whether C(restic forget --prune) ran.
  returned: always
  type: bool
waited_seconds:
  description: How long the run waited for another backup of the resource on this node to finish.
  returned: always
  type: float
  sample: 0.0
incomplete:
  description: restic made the snapshot but could not read some files (exit code 3); a warning names them.
  returned: always
  type: bool
commands:
  description: The commands of the run (in check mode, that would run), hooks included.
  returned: always
  type: list
  elements: str
  sample: ["restic cat config", "sync", "fsfreeze -f /srv/hapair"]
log:
  description: The job's log lines (commands run, hook output, restic's errors). No secrets.
  returned: always
  type: list
  elements: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.backup_job import (
    CONSISTENCY, BackupError, command_runner, drbd_peer_names, load_resource_config, node_name,
    read_mountinfo, record_run, run_backup,
)


def secondary_message(result, resource, node, peers):
    """Why the module refuses on the Secondary, and what to do."""
    primary = ' (%s)' % ', '.join(peers) if peers else ''
    if result.get('role') == 'Secondary':
        return ('%s is Secondary for %s; backups run on the Primary%s or set from_secondary_snapshot=true '
                'with an LVM-backed mirror. Nothing was changed' % (node, resource, primary))
    return ('%s; backups run on the Primary%s. Nothing was changed' % (result.get('reason'), primary))


def _record(module, resource, failed, snapshot_id):
    """The run's record for the monitoring role's metrics; a node that cannot write it still backs up."""
    try:
        record_run(resource, failed, snapshot_id)
    except (IOError, OSError) as ex:
        module.warn('cannot record the run for the metrics: %s' % ex)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', default='r0'),
            config=dict(type='path'),
            consistency=dict(type='str', choices=list(CONSISTENCY)),
            from_secondary_snapshot=dict(type='bool', default=False),
            lock_wait=dict(type='int'),
        ),
        supports_check_mode=True,
    )
    resource = module.params['resource']
    try:
        cfg = load_resource_config(resource, module.params['config'])
    except BackupError as ex:
        module.fail_json(msg=ex.message, resource=resource)
    if module.params['lock_wait'] is not None:
        if module.params['lock_wait'] < 0:
            module.fail_json(msg='lock_wait must be 0 or more seconds, got %d' % module.params['lock_wait'],
                             resource=resource)
        cfg['lock_wait'] = module.params['lock_wait']

    runner = command_runner(module.run_command)
    node = node_name()
    try:
        result = run_backup(cfg, runner, consistency=module.params['consistency'],
                            from_secondary_snapshot=module.params['from_secondary_snapshot'],
                            check_mode=module.check_mode, mountinfo=read_mountinfo, node=node)
    except BackupError as ex:
        failed = dict(ex.result or {})
        if not module.check_mode and not failed.get('skipped'):
            _record(module, resource, True, None)
        failed.pop('skipped', None)
        for warning in failed.pop('warnings', []):
            module.warn(warning)
        module.fail_json(msg=ex.message, **failed)

    warnings = result.pop('warnings', [])
    if result.pop('skipped'):
        module.fail_json(msg=secondary_message(result, resource, node, drbd_peer_names(runner, resource, node)),
                         **result)
    if not module.check_mode:
        _record(module, resource, False, result.get('snapshot_id'))
    for warning in warnings:
        module.warn(warning)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
