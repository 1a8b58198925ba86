# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read a node's DRBD state through one `run(argv) -> (rc, out, err)` callable.

PRIVATE to the hapair.cluster collection. Shared by drbd_info, drbd_wait and
drbd_role so that every module sees the node the same way. The callable is
AnsibleModule.run_command in the modules and a fake in the unit tests.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_disconnect import standalone_cause
from ansible_collections.hapair.cluster.plugins.module_utils.fencing import (
    lost_primary_at, parse_last, parse_outdated_by_peer,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import (
    parse_events2, parse_proc_drbd, parse_status_text, parse_version,
)

SPLIT_BRAIN_DIR = '/var/lib/hapair'
# the fence-peer handler's attempts as Primary (roles/mirror/templates/fence-peer.j2)
FENCING_LOG = '/var/lib/hapair/fencing.log'
# written by the outdate-self forced command when the peer's fencing outdated this copy
OUTDATED_BY_PEER_LOG = '/var/lib/hapair/outdated-by-peer.log'


def split_brain_marker(resource):
    """File the split-brain handler writes; removed when the split brain is resolved."""
    return os.path.join(SPLIT_BRAIN_DIR, 'split-brain-%s' % resource)


def read_file(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def mounts_by_device(proc_mounts_text):
    """{'/dev/drbd1': ['/srv/hapair'], ...} from /proc/mounts."""
    result = {}
    for line in (proc_mounts_text or '').splitlines():
        fields = line.split()
        if len(fields) >= 2:
            mount_point = fields[1].replace('\\040', ' ')
            result.setdefault(fields[0], []).append(mount_point)
    return result


def read_resources(run, resource=None):
    """Normalised states of the resources that are up: (states, source, error).

    events2 (8.4.6+ kernels and DRBD 9) first; `drbdadm status` text, then
    /proc/drbd (8.4) as fallbacks for old tools.
    """
    target = resource or 'all'
    rc, out, err = run(['drbdsetup', 'events2', '--now', '--statistics', target])
    if rc == 0:
        return parse_events2(out), 'events2', None
    rc2, out2, err2 = run(['drbdadm', 'status', target])
    if rc2 == 0:
        return parse_status_text(out2), 'status_text', None
    proc = read_file('/proc/drbd')
    if proc is not None and resource is None:
        return parse_proc_drbd(proc), 'proc_drbd', None
    return {}, None, (err or err2 or '').strip()


def resource_state(run, name):
    """The normalised state of one resource, or None when it is not up."""
    states, dummy, dummy = read_resources(run, name)
    return states.get(name)


def run_drbdadm(run, steps, name, check_mode):
    """``drbdadm STEP... NAME`` for each step, in order: (commands, error). ``error`` is the message
    of the first that failed (the later ones are not run); in check mode nothing runs."""
    commands = []
    for step in steps:
        argv = ['drbdadm'] + step + [name]
        commands.append(' '.join(argv))
        if not check_mode:
            rc, out, err = run(argv)
            if rc != 0:
                return commands, '%s failed: %s' % (' '.join(argv), (err or out).strip())
    return commands, None


class KernelLog(object):
    """This boot's kernel log (``journalctl -k -o short-iso``: EL7's journalctl has neither
    -o short-unix nor --grep), read once and only when asked; None when it cannot be read."""

    def __init__(self, run):
        self.run = run
        self.read = False
        self.value = None

    def text(self):
        if not self.read:
            self.read = True
            rc, out, err = self.run(['journalctl', '-k', '-o', 'short-iso', '--no-pager', '-q'])
            self.value = out if rc == 0 else None
        return self.value


def fencing_state(run, name, state, kernel_log=None):
    """What this node knows about fencing: its last attempt to fence the peer (as Primary), when the
    peer last outdated this copy, and, on a Secondary cut off from its peer, when it last saw the
    peer as Primary (from the kernel log; None when the log no longer has it)."""
    lost = None
    if state.get('role') != 'Primary' and state.get('connection_state') != 'Connected':
        lost = lost_primary_at((kernel_log or KernelLog(run)).text(), name)
    return {
        'last_attempt': parse_last(read_file(FENCING_LOG), name),
        'outdated_by_peer': parse_outdated_by_peer(read_file(OUTDATED_BY_PEER_LOG), name),
        'lost_primary_at': lost,
    }


def minors_of(state):
    """The device minors of a resource's state (its own and its volumes')."""
    minors = [state.get('minor')] + [vol.get('minor') for vol in state.get('volumes') or []]
    return sorted(set(m for m in minors if m is not None))


def node_state(run, resource=None, proc_mounts=None, with_fencing=False, loaded=None):
    """Everything drbd_info reports about this node. With ``with_fencing`` (drbd_info), what the
    node's logs say too: ``fencing``, and ``standalone`` (why a StandAlone resource gave up on its
    peer, drbd_disconnect.standalone_cause; None when it is not StandAlone). ``loaded``: whether
    the drbd kernel module is loaded, when the caller knows (else /proc/drbd tells)."""
    if loaded is None:
        loaded = os.path.exists('/proc/drbd')
    version = parse_version(read_file('/sys/module/drbd/version') or read_file('/proc/drbd') or '')
    rc, out, err = run(['drbdadm', '--version'])
    utils = parse_version(out).get('utils') if rc == 0 else None
    states, source, error = ({}, None, None)
    if loaded:
        states, source, error = read_resources(run, resource)
    mounts = mounts_by_device(proc_mounts if proc_mounts is not None else read_file('/proc/mounts'))
    kernel_log = KernelLog(run)
    for name, state in states.items():
        device = '/dev/drbd%s' % state['minor'] if state.get('minor') is not None else None
        state['device'] = device
        state['mounted_at'] = mounts.get(device, []) if device else []
        state['split_brain'] = os.path.exists(split_brain_marker(name))
        if with_fencing:
            state['fencing'] = fencing_state(run, name, state, kernel_log)
            state['standalone'] = (standalone_cause(kernel_log.text(), name, minors_of(state))
                                   if state.get('connection_state') == 'StandAlone' else None)
    return {
        'loaded': loaded,
        'kernel_version': version.get('kernel'),
        'kernel_major': version.get('kernel_major'),
        'utils_version': utils,
        'source': source,
        'error': error,
        'resources': states,
    }
