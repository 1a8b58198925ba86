#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: drbd_role
short_description: Promote or demote a DRBD resource on this node, refusing anything that risks data
version_added: 0.1.0
description:
  - Makes this node V(Primary) or V(Secondary) for one DRBD resource with C(drbdadm primary) or
    C(drbdadm secondary), after checking that the change cannot lose data or break a running
    service. The building block of the failover, make_primary and make_secondary playbooks.
  - Never makes things worse. When the change is not safe the module fails, says which state
    caused the refusal and what to do, and changes nothing.
  - "Promotion is refused while the peer is Primary and connected (this can never be forced), and
    while the local disk is not V(UpToDate) (V(Outdated): the peer fenced this node while it kept
    writing; V(Inconsistent): a resync into this node has not finished; V(Consistent), V(DUnknown),
    V(Diskless), ...) unless O(force_stale_promotion=true)."
  - Promoting an V(UpToDate) Secondary whose peer is not connected (emergency takeover) is allowed
    and returns a warning, because writes made on the old Primary after the link was lost are not
    here. The caller must make sure that the old Primary is really gone.
  - Demotion is refused while the device is mounted (naming the mount points) or held open (naming
    the processes that C(fuser -vm) finds, and device-mapper holders). The module never unmounts
    and never uses C(--force) to demote.
  - When the resource already has the requested role, nothing is run and C(changed=false). A
    resource that is not up is a refusal.
  - "When C(drbdadm) fails, its own message (for example 'State change failed: (-7) Refusing to be
    Primary while peer is not outdated') is returned with an explanation of the DRBD error code."
  - Works with DRBD 8.4 kernels (Debian 12, EL7 with C(kmod-drbd84)) and DRBD 9, and with the
    Python 2.7 of EL7. Commands run with C(LC_ALL=C).
options:
  resource:
    description: The DRBD resource.
    type: str
    required: true
  state:
    description: The role this node must have.
    type: str
    required: true
    choices: [primary, secondary]
  force_stale_promotion:
    description:
      - Emergency-only override. Promotes even though the local data may be older than the peer's
        (local disk V(Outdated), V(Inconsistent), V(Consistent), ...), with
        C(drbdadm primary --force); says what may be lost (the disk state and the out-of-sync amount)
        in a warning.
      - Only for when the peer is lost for good and this node's copy is the best one left. When the
        old peer comes back, its newer writes are in conflict with this node's (split brain) and one
        side's changes must be discarded.
      - Does not override a connected Primary peer. With an V(UpToDate) local disk it has no effect
        (plain C(drbdadm primary) is used).
    type: bool
    default: false
  wait:
    description:
      - Seconds to wait, after C(drbdadm primary) or C(drbdadm secondary) succeeded, until the new
        role shows in the state. The module fails if it does not show in time.
      - V(0) reads the state once and only warns if the role has not changed yet.
    type: int
    default: 10
attributes:
  check_mode:
    support: full
    details: All checks run and refusals are reported; C(drbdadm primary) and C(drbdadm secondary)
      are not run. RV(commands) lists the command that would run.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
notes:
  - Reads the state like M(hapair.cluster.drbd_info) (C(drbdsetup events2 --now --statistics),
    C(/proc/mounts)). Before a demotion of a device that is not mounted, looks for processes that
    hold it open with C(fuser -vm) (package C(psmisc)) and for device-mapper/LVM/md holders in
    C(/sys/class/block/drbdN/holders).
  - "DRBD's refusal codes, as C(drbdadm) passes them through from C(drbdsetup): exit code 17 means
    no UpToDate data is reachable ('(-2) Need access to UpToDate data'); 11 another refused state
    change, for example '(-1) Multiple primaries not allowed by config', '(-7) Refusing to be
    Primary while peer is not outdated' or '(-12) Device is held open by someone'; 10 a request
    the kernel module refused."
seealso:
  - module: hapair.cluster.drbd_info
  - module: hapair.cluster.drbd_wait
  - name: DRBD 9 User's Guide, manual failover
    description: drbdadm secondary on the old Primary, then drbdadm primary on the other node.
    link: https://linbit.com/drbd-user-guide/drbd-guide-9_0-en/
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Demote r0 on the old Primary (services stopped and unmounted before)
  hapair.cluster.drbd_role:
    resource: r0
    state: secondary

- name: Promote r0 on the new Primary
  hapair.cluster.drbd_role:
    resource: r0
    state: primary

- name: Emergency only - promote stale data because the peer is lost for good
  hapair.cluster.drbd_role:
    resource: r0
    state: primary
    force_stale_promotion: true
  register: forced

- name: Show what may have been lost
  ansible.builtin.debug:
    var: forced.warnings
'''

RETURN = r'''
resource:
  description: The resource.
  returned: always
  type: str
  sample: r0
previous_role:
  description: Local role before the module ran; null when the resource is not up.
  returned: always
  type: str
  sample: Secondary
role:
  description: Local role when the module ended (in check mode, the unchanged role).
  returned: always
  type: str
  sample: Primary
action:
  description: V(primary), V(primary-force), V(secondary), or null when nothing is (or would be) run.
  returned: always
  type: str
  sample: primary
commands:
  description: The command that ran (in check mode, that would run).
  returned: always
  type: list
  elements: str
  sample: [drbdadm primary r0]
holders:
  description: What holds the device open besides mounts, when a demotion looked for it.
  returned: always
  type: list
  elements: str
  sample: ["sleep (pid 2917, user root)", "dm-0 (vg0-data)"]
state:
  description: The normalised state of the resource at the end (see M(hapair.cluster.drbd_info)); empty when the resource is not up.
  returned: always
  type: dict
'''

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import (
    mounts_by_device, node_state, read_file,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_role import (
    ROLES, device_names, explain_failure, parse_fuser, plan_role, role_argv,
)

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def read_state(run, name):
    """(normalised state or None, whether the drbd module is loaded) of one resource."""
    info = node_state(run, name)
    return info['resources'].get(name), info['loaded']


UNKNOWN_MOUNTS = 'a place this module cannot tell (/proc/mounts could not be read, so it counts as mounted)'


def all_mounts(state):
    """Mount points of every volume's device (drbd_probe reports the first volume's). An
    unreadable /proc/mounts is no evidence of "not mounted": it counts as in use."""
    text = read_file('/proc/mounts')
    if text is None:
        return [UNKNOWN_MOUNTS]
    mounts = mounts_by_device(text)
    found = []
    for device in device_names(state):
        for mount_point in mounts.get(device, []):
            if mount_point not in found:
                found.append(mount_point)
    return found


def sysfs_holders(device):
    """device-mapper/LVM/md devices stacked on the DRBD device."""
    holders = []
    directory = os.path.join('/sys/class/block', os.path.basename(device), 'holders')
    try:
        names = sorted(os.listdir(directory))
    except (IOError, OSError):
        return holders
    for holder in names:
        dm_name = read_file(os.path.join(directory, holder, 'dm', 'name'))
        holders.append('%s (%s)' % (holder, dm_name.strip()) if dm_name else holder)
    return holders


def open_holders(module, run, state):
    """Processes and stacked devices that hold the resource's devices open."""
    devices = device_names(state)
    holders = []
    for device in devices:
        holders.extend(sysfs_holders(device))
    fuser = module.get_bin_path('fuser', opt_dirs=['/sbin', '/usr/sbin', '/bin', '/usr/bin'])
    if fuser and devices:
        rc, out, err = run([fuser, '-vm'] + devices)
        if rc == 0:
            holders.extend(parse_fuser(out, err))
    return holders


def main():
    module = AnsibleModule(
        argument_spec=dict(
            resource=dict(type='str', required=True),
            state=dict(type='str', required=True, choices=list(ROLES)),
            force_stale_promotion=dict(type='bool', default=False),
            wait=dict(type='int', default=10),
        ),
        supports_check_mode=True,
    )

    def run(argv):
        return module.run_command(argv, environ_update=LC_C)

    name = module.params['resource']
    target = module.params['state']
    state, loaded = read_state(run, name)
    previous = state.get('role') if state else None
    mounted_at = all_mounts(state) if state else []
    holders = []
    if target == 'secondary' and previous == 'Primary' and not mounted_at:
        holders = open_holders(module, run, state)

    plan = plan_role(target, state, mounted_at, holders, module.params['force_stale_promotion'],
                     resource=name)
    argv = role_argv(plan['action'], name)
    result = dict(changed=False, resource=name, previous_role=previous, role=previous,
                  action=plan['action'], commands=[' '.join(argv)] if argv else [],
                  holders=holders, state=state or {})
    if plan['refusal']:
        msg = plan['refusal']
        if not state and not loaded:
            msg += ' (the drbd kernel module is not loaded)'
        result.update(action=None, commands=[])
        module.fail_json(msg=msg, **result)
    if argv is None or module.check_mode:
        for warning in plan['warnings']:
            module.warn(warning)
        result['changed'] = argv is not None
        module.exit_json(**result)

    rc, out, err = run(argv)
    state, dummy = read_state(run, name)
    wanted = ROLES[target]
    if rc != 0:
        result.update(changed=bool(state) and state.get('role') != previous,
                      role=state.get('role') if state else None, state=state or {})
        module.fail_json(msg=explain_failure(result['commands'][0], rc, out, err,
                                             (device_names(state) or [None])[0]), **result)

    deadline = time.time() + max(0, module.params['wait'])
    while (not state or state.get('role') != wanted) and time.time() < deadline:
        time.sleep(1)
        state, dummy = read_state(run, name)
    role = state.get('role') if state else None
    result.update(changed=True, role=role, state=state or {})
    for warning in plan['warnings']:
        module.warn(warning)
    if role != wanted:
        msg = ('%s succeeded, but the role of %s is %s, not %s, after %d s'
               % (result['commands'][0], name, role, wanted, module.params['wait']))
        if module.params['wait'] > 0:
            module.fail_json(msg=msg + ': check `drbdadm status %s` and the kernel log' % name,
                             **result)
        module.warn(msg)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
