#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: drbd_resource
short_description: Bring one configured DRBD resource up (metadata, up, adjust), never destroying data
version_added: 0.1.0
description:
  - Takes one DRBD resource whose configuration file (C(/etc/drbd.d/<name>.res)) is already
    in place to "metadata present, resource up, configuration applied", and optionally
    makes the one-time initial sync decision of a new pair.
  - "Order of work: C(drbdadm dump) must accept the configuration; the configuration's disk
    for this host (C(drbdadm sh-ll-dev)) must be O(backing_device) (after resolving
    symbolic links) and carry the GPT partition name O(expected_partlabel) if given; a
    resource that is down gets DRBD metadata if the device is blank (C(drbdadm create-md))
    and is brought up (C(drbdadm up)); a resource that is up gets the configuration applied
    when the dry run C(drbdadm -d adjust) lists commands (C(drbdadm adjust))."
  - Never destroys data. It creates metadata only on a device on which C(drbdadm dstate)
    finds no DRBD metadata and C(wipefs -n) finds no signature at all (filesystem, LVM,
    RAID, partition table, swap, ...), and it answers C(no) to every question of
    C(drbdmeta). In any unclear situation it fails, says what it found and how to resolve
    it by hand, and changes nothing. There is no option to force metadata creation.
  - Idempotent. A second run reports C(changed=false), because C(drbdadm -d adjust) prints
    nothing when the running resource matches its configuration.
  - Works with DRBD 8.4 kernels (C(drbdadm) of drbd-utils 9.x dispatches to C(drbdadm-84))
    and DRBD 9, and with the Python 2.7 of EL7.
options:
  name:
    description:
      - Name of the DRBD resource, as in C(resource <name> { ... }).
      - The resource must have exactly one volume with C(meta-disk internal).
    type: str
    required: true
  state:
    description:
      - V(up) creates metadata if needed, brings the resource up and applies its
        configuration.
      - V(down) runs C(drbdadm down) if the resource is up. It refuses while the DRBD device
        is mounted or held by device-mapper/LVM/md, naming the holder. C(--force) is never
        used.
    type: str
    choices: [up, down]
    default: up
  backing_device:
    description:
      - The block device DRBD must use on this host, for example
        C(/dev/disk/by-partlabel/hapair-mirror).
      - Symbolic links are resolved. It must be the disk that the DRBD configuration names for
        this host (C(drbdadm sh-ll-dev <name>)), otherwise the module refuses, because the
        configuration and the caller disagree.
    type: path
    required: true
  expected_partlabel:
    description:
      - If set, O(backing_device) must be a GPT partition with this partition name
        (C(PART_ENTRY_NAME) of C(blkid -p), with C(lsblk -no PARTLABEL) as fallback), proof
        that M(hapair.cluster.spare_partition) carved it. Otherwise the module refuses.
      - Leave unset for msdos (MBR) disks, which have no partition names.
    type: str
  initial_sync:
    description:
      - The one-time initial synchronisation of a new pair. Use it on the node chosen as the
        initial primary only, after both nodes ran this module and are connected.
      - V(none) does nothing.
      - V(source) runs C(drbdadm primary --force <name>); this node becomes UpToDate and
        Primary and the peer syncs from it. The node stays Primary.
      - V(skip) runs C(drbdadm new-current-uuid --clear-bitmap <name>/<volume>); both disks,
        which must be blank, are declared in sync without copying and become UpToDate. Only
        for disks whose old content nobody needs.
      - Either action is taken only when the resource is connected to the peer, the local
        and the peer disk are C(Inconsistent), and the local metadata is freshly created (the
        current UUID in C(drbdadm get-gi) is C(0000000000000004)). If the pair was synced
        before, the result is V(not-needed) and nothing changes. If the peer is not
        connected, the module fails with C(peer not connected; initial sync needs both nodes
        up) (when it has just brought the resource up, the failure reports C(changed=true)).
    type: str
    choices: [none, source, skip]
    default: none
notes:
  - Needs drbd-utils (C(drbdadm), C(drbdsetup), C(drbdmeta)) and util-linux (C(wipefs),
    C(blkid), C(lsblk)). Every command runs with C(LC_ALL=C).
  - "Probes, all read-only: C(drbdadm dump|sh-ll-dev|sh-md-idx|sh-minor|dstate|get-gi <name>),
    C(drbdadm -d adjust <name>), C(drbdsetup events2 --now <name>), C(blkid -p -o export),
    C(wipefs -n -p). C(drbdsetup) loads the drbd kernel module if it is not loaded."
  - C(--max-peers) is never passed to C(create-md); drbd-utils 9 derives it from the
    configuration, and C(drbdadm-84) (DRBD 8.4 kernels) rejects it.
  - When the running resource differs from its configuration in a way that C(drbdadm adjust)
    would handle by detaching the disk or deleting a minor, volume or peer (for example a
    different disk path string), the module refuses instead of adjusting.
  - When the connection is C(StandAlone), C(drbdadm adjust) connects it again; the module
    warns that a split brain may be the cause.
  - Shared secrets in dry-run output are masked in RV(adjust_plan) and in messages.
attributes:
  check_mode:
    support: full
    details: All probes run; no write command runs. RV(commands) lists the commands that would
      run. When the resource is down, the initial sync can only be decided after it is up, so
      in check mode RV(initial_sync) is V(none) then, with a warning.
  diff_mode:
    support: full
    details: When the running resource differs from its configuration, the diff lists the commands
      C(drbdadm -d adjust) would run (shared secrets masked).
  platform:
    support: N/A
    platforms: posix
seealso:
  - module: hapair.cluster.spare_partition
  - name: DRBD 9 User's Guide, initial device synchronization
    description: primary --force and new-current-uuid --clear-bitmap.
    link: https://linbit.com/drbd-user-guide/drbd-guide-9_0-en/
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Metadata, up, configuration applied (both nodes)
  hapair.cluster.drbd_resource:
    name: r0
    backing_device: /dev/disk/by-partlabel/hapair-mirror
    expected_partlabel: hapair-mirror

- name: Wait until both nodes are connected
  ansible.builtin.command: drbdsetup events2 --now r0
  register: ev
  until: "'connection:Connected' in ev.stdout"
  retries: 30
  delay: 2
  changed_when: false

- name: Initial sync from the first node (one node only)
  hapair.cluster.drbd_resource:
    name: r0
    backing_device: /dev/disk/by-partlabel/hapair-mirror
    initial_sync: source
  when: inventory_hostname == groups['pair'][0]

- name: Lab with throw-away disks, skip the initial sync
  hapair.cluster.drbd_resource:
    name: r0
    backing_device: /dev/vdb1
    initial_sync: skip
  when: inventory_hostname == groups['pair'][0]

- name: Take the resource down
  hapair.cluster.drbd_resource:
    name: r0
    backing_device: /dev/vdb1
    state: down
'''

RETURN = r'''
name:
  description: The resource name.
  returned: always
  type: str
  sample: r0
minor:
  description: Minor number of the DRBD device (C(/dev/drbd<minor>)).
  returned: success
  type: int
  sample: 1
backing_device:
  description: The backing device, symbolic links resolved.
  returned: success
  type: str
  sample: /dev/vdb1
metadata_created:
  description: Whether C(drbdadm create-md) ran (would run, in check mode).
  returned: always
  type: bool
  sample: true
brought_up:
  description: Whether C(drbdadm up) ran (would run, in check mode).
  returned: always
  type: bool
  sample: true
adjusted:
  description: Whether C(drbdadm adjust) ran (would run, in check mode).
  returned: always
  type: bool
  sample: false
adjust_plan:
  description: The commands that C(drbdadm -d adjust) listed (empty when the running resource
    matches its configuration). Shared secrets are masked.
  returned: success
  type: list
  elements: str
  sample: ["/usr/lib/drbd/drbdsetup-84 net-options ipv4:10.99.0.1:7789 ipv4:10.99.0.2:7789
            --set-defaults --protocol=C --max-buffers=8000 --shared-secret=********"]
initial_sync:
  description: V(started) (C(primary --force) ran), V(skipped) (C(new-current-uuid
    --clear-bitmap) ran), V(not-needed) (the pair was synced before, or the peer is the
    source) or V(none) (not requested).
  returned: always
  type: str
  sample: not-needed
commands:
  description: The write commands that ran (in check mode, that would run), in order. Probes
    are not listed.
  returned: always
  type: list
  elements: str
  sample: ["drbdadm create-md r0", "drbdadm up r0"]
state:
  description: The normalised state of the resource after the run (before it, in check mode).
    When the resource is down, C(up) is V(false) and the other values are V(null).
  returned: success
  type: dict
  contains:
    up:
      description: Whether the resource is configured in the kernel.
      type: bool
    role:
      description: C(Primary), C(Secondary) or C(Unknown).
      type: str
    disk_state:
      description: Local disk state, for example C(UpToDate), C(Inconsistent), C(Diskless).
      type: str
    peer_disk_state:
      description: Peer disk state, C(DUnknown) when not connected.
      type: str
    connection_state:
      description: C(Connected), C(Connecting), C(StandAlone), ...
      type: str
    replication_state:
      description: C(Established), C(SyncSource), C(SyncTarget), C(Off), ...
      type: str
  sample: {"up": true, "role": "Secondary", "disk_state": "Inconsistent",
           "peer_disk_state": "Inconsistent", "connection_state": "Connected",
           "replication_state": "Established"}
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_resource import (
    DOWN_STATE,
    adjust_diff,
    PlanError,
    create_md_outcome,
    events2_state,
    initial_sync_decision,
    mask_secrets,
    parse_dry_run,
    plan,
    probe_argv,
    public_state,
)

LOCALE = {'LC_ALL': 'C', 'LANG': 'C'}
MAX_PROBES = 20


class DrbdResource(object):

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params['name']
        self.bins = {}
        self.commands = []
        self.changed = False
        self.flags = {'metadata_created': False, 'brought_up': False, 'adjusted': False}
        self.warnings = []
        self.minor = None
        self.backing = None
        self.adjust_plan = []

    # -- helpers -----------------------------------------------------------

    def bin(self, tool):
        if tool not in self.bins:
            self.bins[tool] = self.module.get_bin_path(
                tool, required=True, opt_dirs=['/sbin', '/usr/sbin', '/usr/local/sbin'])
        return self.bins[tool]

    def run(self, argv, stdin=None):
        cmd = [self.bin(argv[0])] + list(argv[1:])
        if stdin is None:
            return self.module.run_command(cmd, environ_update=LOCALE)
        return self.module.run_command(cmd, data=stdin, binary_data=True, environ_update=LOCALE)

    def result(self, **extra):
        result = dict(
            changed=self.changed, name=self.name, minor=self.minor,
            backing_device=self.backing, commands=list(self.commands),
            adjust_plan=list(self.adjust_plan), initial_sync='none',
        )
        result.update(self.flags)
        result.update(extra)
        diff = adjust_diff(self.name, self.adjust_plan) if self.module._diff else None
        if diff:
            result['diff'] = diff
        return result

    def fail(self, msg, **extra):
        self.module.fail_json(msg=mask_secrets(msg), **self.result(**extra))

    @staticmethod
    def realpath(path):
        return os.path.realpath(path) if os.path.exists(path) else None

    def usage(self, device):
        """Mounts of the DRBD device and its holders (dm/LVM/md on top of it)."""
        usage = {'mounts': [], 'holders': []}
        if not device:
            return usage
        real = os.path.realpath(device)
        try:
            with open('/proc/mounts') as handle:
                for line in handle:
                    fields = line.split()
                    if len(fields) >= 3 and fields[0].startswith('/dev/') and \
                            os.path.realpath(fields[0]) == real:
                        usage['mounts'].append((fields[1], fields[2]))
        except (IOError, OSError) as exc:
            # no evidence of "not mounted": in_use_reasons counts it as in use
            usage['unreadable'] = '/proc/mounts could not be read (%s)' % exc
        holders = os.path.join('/sys/class/block', os.path.basename(real), 'holders')
        try:
            for holder in sorted(os.listdir(holders)):
                dm_name = os.path.join(holders, holder, 'dm', 'name')
                try:
                    with open(dm_name) as handle:
                        holder = '%s (%s)' % (holder, handle.read().strip())
                except (IOError, OSError):
                    pass
                usage['holders'].append(holder)
        except (IOError, OSError):
            pass
        return usage

    # -- gather, decide --------------------------------------------------------

    def decide(self):
        facts = {}
        for dummy in range(MAX_PROBES):
            decision = plan(self.params, facts)
            need = decision['need']
            if need is None:
                return decision
            if need == 'realpaths':
                facts['realpaths'] = dict((p, self.realpath(p)) for p in decision['paths'])
            elif need == 'usage':
                facts['usage'] = self.usage(decision['device'])
            else:
                facts[need] = self.run(probe_argv(need, self.params, facts))
        self.fail('internal error: too many probes')  # pragma: no cover

    def state_now(self):
        rc, out, err = self.run(['drbdsetup', 'events2', '--now', self.name])
        state, dummy, error = events2_state(self.name, (rc, out, err))
        if error:
            self.warnings.append(error)
        return state or dict(DOWN_STATE)

    # -- act -------------------------------------------------------------------

    def execute(self, action):
        argv = action['argv']
        line = ' '.join(argv)
        verb = action['verb']
        if self.module.check_mode:
            self.commands.append(line)
            self.changed = True
            self.note(verb)
            return
        rc, out, err = self.run(argv, stdin=action.get('stdin'))
        if verb == 'create-md':
            ok, msg = create_md_outcome(self.name, self.backing, (rc, out, err))
            if not ok:
                self.fail(msg)
        elif rc != 0:
            hint = ''
            if verb == 'down':
                hint = (' If the device is held open, "fuser -vm /dev/drbd%s" names the process.'
                        % self.minor)
            self.commands.append(line)
            self.changed = True
            self.fail('%s failed (rc %s): %s%s' % (line, rc, (err or out).strip(), hint))
        self.commands.append(line)
        self.changed = True
        self.note(verb)

    def note(self, verb):
        if verb == 'create-md':
            self.flags['metadata_created'] = True
        elif verb == 'up':
            self.flags['brought_up'] = True
        elif verb == 'adjust':
            self.flags['adjusted'] = True

    def verify_adjusted(self):
        """After adjust, the dry run should be empty; say so if it is not."""
        rc, out, err = self.run(['drbdadm', '-d', 'adjust', self.name])
        left = parse_dry_run(out) if rc == 0 else []
        if left:
            self.warnings.append(
                'drbdadm -d adjust %s still lists commands after adjust: %s. The next run will '
                'report changed again; compare "drbdsetup show %s" with "drbdadm dump %s".'
                % (self.name, '; '.join(left), self.name, self.name))

    def main(self):
        try:
            decision = self.decide()
        except PlanError as exc:
            self.fail(to_native(exc))
        self.minor = decision.get('minor')
        self.backing = decision.get('backing_device')
        self.adjust_plan = decision.get('pending') or []
        self.warnings.extend(decision.get('warnings') or [])
        if decision['refusal']:
            self.fail(decision['refusal'], state=public_state(decision.get('state')))

        initial_sync = decision['initial_sync']
        for action in decision['actions']:
            self.execute(action)
        if self.flags['adjusted'] and not self.module.check_mode:
            self.verify_adjusted()

        state = decision.get('state')
        if self.changed and not self.module.check_mode:
            state = self.state_now()
        if decision['deferred_initial_sync']:
            if self.module.check_mode:
                self.warnings.append(
                    'initial_sync=%s is decided once the resource is up and connected; check '
                    'mode cannot predict it.' % self.params['initial_sync'])
            else:
                gi = self.run(['drbdadm', 'get-gi', self.name])
                sync = initial_sync_decision(self.name, self.params['initial_sync'], state, gi)
                self.warnings.extend(sync['warnings'])
                if sync['refusal']:
                    self.fail(sync['refusal'], state=public_state(state))
                initial_sync = sync['result']
                if sync['action']:
                    self.execute(sync['action'])
                    state = self.state_now()

        for warning in self.warnings:
            self.module.warn(mask_secrets(warning))
        self.module.exit_json(**self.result(initial_sync=initial_sync, state=public_state(state)))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='up', choices=['up', 'down']),
            backing_device=dict(type='path', required=True),
            expected_partlabel=dict(type='str'),
            initial_sync=dict(type='str', default='none', choices=['none', 'source', 'skip']),
        ),
        supports_check_mode=True,
    )
    DrbdResource(module).main()


if __name__ == '__main__':
    main()
