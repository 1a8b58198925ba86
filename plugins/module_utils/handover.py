# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A node's half of a switchover in one call: make it Secondary, or make it Primary.

Between "application stopped" and "application started" a switchover runs only these two
calls (the modules make_secondary and make_primary, and the node command ``hapair``).

* ``read_node()`` gathers what the plans need, through a ``run(argv) -> (rc, out, err)``
  function: the resource's DRBD state, what is mounted on the mount point, who holds it, which
  units run, where the service IP is.
* ``plan_secondary()`` and ``plan_primary()`` are pure: from those facts they return a refusal
  (nothing may change) or the steps still needed, each with the command that undoes it. A step
  already done is left out, so a second call changes nothing.
* ``execute()`` runs the steps in order. When one fails it undoes, newest first, what the earlier
  steps did (and what a half-done start or stop did) and says what it put back.

PRIVATE to the hapair.cluster collection. Python 2.7 and 3.6 compatible (EL7 nodes).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import socket
import time

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import (
    mounts_by_device, read_file, resource_state,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_role import (
    device_names, explain_failure, plan_role,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import demotion_blockers
from ansible_collections.hapair.cluster.plugins.module_utils.mount_holders import (
    describe, foreign, fuser_rows, refusal as holders_refusal, unit_of,
)
from ansible_collections.hapair.cluster.plugins.module_utils.service_ip import (
    announce, parse_ip_addr, parse_ip_link, plan as ip_plan, split_cidr,
)

# `systemctl is-active` states in which a unit still runs (and may hold the mirror)
RUNNING = ('active', 'activating', 'deactivating', 'reloading', 'refreshing')


class SettingsError(ValueError):
    """A setting the node cannot act on (no such NIC, a malformed address)."""


def _step(name, argv, undo=None, undo_name=None, undo_partial=False, then=None):
    """One change. ``undo`` puts back what ``argv`` did; ``undo_partial``: run it even when
    ``argv`` itself failed (a start or stop of several units may have done part of its work);
    ``then``: a check or action of execute()'s caller after ``argv`` succeeded."""
    return dict(name=name, argv=argv, undo=undo, undo_name=undo_name, undo_partial=undo_partial, then=then)


def _text(argv):
    return ' '.join(argv)


# ---------------------------------------------------------------------------
# facts

def unit_states(run, units):
    """{unit: `systemctl is-active` state} ('unknown' when systemctl says nothing)."""
    if not units:
        return {}
    dummy, out, dummy = run(['systemctl', 'is-active'] + list(units))
    lines = [line.strip() for line in (out or '').splitlines()]
    lines += ['unknown'] * (len(units) - len(lines))
    return dict(zip(units, lines))


class NodeFiles(object):
    """What the plans read from the node's files (a stand-in replaces it in unit tests)."""

    @staticmethod
    def mounts():
        return read_file('/proc/mounts')

    @staticmethod
    def cgroup(pid):
        return read_file('/proc/%s/cgroup' % pid)

    @staticmethod
    def drbd_loaded():
        return os.path.exists('/proc/drbd')

    @staticmethod
    def is_mount(path):
        return os.path.ismount(path)  # novermin (POSIX has had it since 2.x; vermin counts Windows')


def mount_holders(run, mount_point, read_cgroup=NodeFiles.cgroup):
    """The processes using the filesystem on ``mount_point`` (fuser -vm), each with its unit."""
    rc, out, err = run(['fuser', '-vm', mount_point])
    if rc not in (0, 1):   # 1: nobody uses it
        raise SettingsError('fuser -vm %s failed (exit code %s): %s' % (mount_point, rc, (err or '').strip()))
    holders = []
    for row in fuser_rows(out, err):
        if row['kernel']:
            continue
        row['unit'] = unit_of(read_cgroup(row['pid'])) if row['pid'] else None
        holders.append(row)
    return holders


def service_ip_facts(run, address, interface=None, mac=None):
    """Where the service IP is: {'address', 'prefix', 'interface', 'mac', 'present', 'prefix_on_nic'};
    None when the pair has no service IP. Raises SettingsError for a NIC this node lacks."""
    if not address:
        return None
    try:
        ip, prefix = split_cidr(address)
    except ValueError as error:
        raise SettingsError(str(error))
    dummy, links, dummy = run(['ip', '-o', 'link', 'show'])
    macs = parse_ip_link(links)
    if mac:
        matches = sorted(name for name, found in macs.items() if found == mac.lower())
        if not matches:
            raise SettingsError('no NIC with MAC %s on this node (hapair_service_mac); its NICs: %s'
                                % (mac, ', '.join('%s %s' % item for item in sorted(macs.items()))))
        interface = matches[0]
    elif not interface:
        raise SettingsError('the service IP %s is set but neither hapair_service_interface nor hapair_service_mac '
                            'names its NIC on this node; its NICs: %s' % (address, ', '.join(sorted(macs))))
    elif interface not in macs:
        raise SettingsError('no NIC named %s on this node (hapair_service_interface); its NICs: %s'
                            % (interface, ', '.join(sorted(macs))))
    dummy, addrs, dummy = run(['ip', '-o', '-4', 'addr', 'show'])
    present = parse_ip_addr(addrs)
    return dict(address=ip, prefix=prefix, interface=interface, mac=macs[interface], present=present)


def read_node(run, resource, mount_point, units, service_ip=None, interface=None, mac=None, files=NodeFiles):
    """The facts plan_secondary() and plan_primary() judge."""
    state = resource_state(run, resource)
    mounts = mounts_by_device(files.mounts())
    mounted = sorted(device for device, points in mounts.items() if mount_point in points)
    return dict(
        state=state,
        mounted=mounted,
        holders=mount_holders(run, mount_point, files.cgroup) if mounted and files.is_mount(mount_point) else [],
        units=unit_states(run, units),
        ip=service_ip_facts(run, service_ip, interface, mac),
    )


# ---------------------------------------------------------------------------
# plans

def _ip_steps(ip, wanted):
    """The service IP's step towards ``wanted`` ('present' or 'absent'), or []; ValueError from
    service_ip.plan when it sits on another NIC."""
    if not ip:
        return []
    action = ip_plan(wanted, ip['address'], ip['prefix'], ip['interface'], ip['present'])
    if action is None:
        return []
    on_nic = [a['prefix'] for a in ip['present']
              if a['address'] == ip['address'] and a['interface'] == ip['interface']]
    cidr = '%s/%s' % (ip['address'], on_nic[0] if on_nic else ip['prefix'])
    add = ['ip', 'addr', 'add', cidr, 'dev', ip['interface']]
    delete = ['ip', 'addr', 'del', cidr, 'dev', ip['interface']]
    where = '%s on %s' % (ip['address'], ip['interface'])
    if action == 'add':
        return [_step('take the service IP %s' % where, add, delete, 'released the service IP', then='announce')]
    return [_step('release the service IP %s' % where, delete, add, 'the service IP is back')]


def _running(facts, units):
    return [unit for unit in units if facts['units'].get(unit) in RUNNING]


def _other_mounts(facts, mount_point, device):
    """Why the mount point cannot be the mirror's: something else is mounted there ('' when not)."""
    others = [dev for dev in facts['mounted'] if dev != device]
    if not others:
        return ''
    return ('%s has %s mounted on it, not the mirror %s: unmount it or fix hapair_mount_point'
            % (mount_point, ', '.join(others), device))


def _mount_argv(device, mount_point, filesystem, options):
    argv = ['mount', '-t', filesystem]
    if options:
        argv += ['-o', options]
    return argv + [device, mount_point]


def plan_secondary(node, facts, resource, mount_point, services, stop_first=(), filesystem='ext4',
                   mount_options=''):
    """{'refusal': str or None, 'steps': [...], 'warnings': [...]} to make ``node`` Secondary:
    stop a running backup (``stop_first``), stop the application, release the service IP,
    unmount, ``drbdadm secondary``. Refused, before anything is stopped, when a process the
    demotion does not stop holds the mirror, when I/O is frozen, or when the resource is down."""
    state = facts['state']
    result = dict(refusal=None, steps=[], warnings=[])
    prefix = 'refusing to make %s Secondary: ' % node
    if not state:
        result['refusal'] = prefix + ('resource %s is not up on this node: check `drbdadm status` '
                                      '(provision.yml brings it up)' % resource)
        return result
    role = state.get('role')
    if role not in ('Primary', 'Secondary'):
        result['refusal'] = prefix + ('the local role of %s is %s, neither Primary nor Secondary: check '
                                      '`drbdadm status %s` and the kernel log' % (resource, role, resource))
        return result
    device = (device_names(state) or ['/dev/drbd'])[0]
    if _other_mounts(facts, mount_point, device):
        result['refusal'] = prefix + _other_mounts(facts, mount_point, device)
        return result
    stopped = list(stop_first) + list(services)
    outside = foreign(facts['holders'], stopped)
    if outside:
        result['refusal'] = prefix + holders_refusal(node, mount_point, outside, stopped)
        return result
    if role == 'Primary':
        blockers = demotion_blockers(state)
        if blockers:
            result['refusal'] = prefix + '; '.join(blockers)
            return result
    steps = []
    backup = _running(facts, stop_first)
    if backup:
        steps.append(_step('stop the running backup (%s)' % ', '.join(backup), ['systemctl', 'stop'] + backup))
    running = _running(facts, services)
    if running:
        steps.append(_step('stop the application (%s)' % ', '.join(running), ['systemctl', 'stop'] + running,
                           ['systemctl', 'start'] + running, 'the application runs again', undo_partial=True))
    try:
        steps += _ip_steps(facts['ip'], 'absent')
    except ValueError as error:
        result['refusal'] = prefix + str(error)
        return result
    if device in facts['mounted']:
        steps.append(_step('unmount %s' % mount_point, ['umount', mount_point],
                           _mount_argv(device, mount_point, filesystem, mount_options),
                           'the mirror is mounted again'))
    if role == 'Primary':
        steps.append(_step('become Secondary', ['drbdadm', 'secondary', resource], then='wait_secondary'))
        if not (state.get('connection_state') == 'Connected'):
            result['warnings'].append(
                'the peer is not connected (%s is %s): after this no node is Primary for %s until one is '
                'made Primary' % (resource, state.get('connection_state') or 'not connected', resource))
    result['steps'] = steps
    return result


def plan_primary(node, facts, resource, mount_point, services, filesystem='ext4', mount_options='',
                 force_stale_promotion=False):
    """{'refusal', 'steps', 'warnings', 'forced'} to make ``node`` Primary: ``drbdadm primary``
    (with drbd_role's guards: never beside a connected Primary, never with stale data unless
    forced), mount, take the service IP, start the application."""
    state = facts['state']
    result = dict(refusal=None, steps=[], warnings=[], forced=False)
    prefix = 'refusing to make %s Primary: ' % node
    role_plan = plan_role('primary', state, force_stale_promotion=force_stale_promotion, resource=resource)
    if role_plan['refusal']:
        result['refusal'] = prefix + role_plan['refusal'].replace('refusing to promote %s: ' % resource, '')
        return result
    device = (device_names(state) or ['/dev/drbd'])[0]
    if _other_mounts(facts, mount_point, device):
        result['refusal'] = prefix + _other_mounts(facts, mount_point, device)
        return result
    steps = []
    if role_plan['action']:
        argv = ['drbdadm', 'primary'] + (['--force'] if role_plan['action'] == 'primary-force' else []) + [resource]
        steps.append(_step('become Primary', argv, ['drbdadm', 'secondary', resource], 'Secondary again',
                           then='wait_primary'))
        result['forced'] = role_plan['action'] == 'primary-force'
    result['warnings'] = role_plan['warnings']
    if device not in facts['mounted']:
        steps.append(_step('mount %s on %s' % (device, mount_point),
                           _mount_argv(device, mount_point, filesystem, mount_options),
                           ['umount', mount_point], 'unmounted the mirror'))
    try:
        steps += _ip_steps(facts['ip'], 'present')
    except ValueError as error:
        result['refusal'] = prefix + str(error)
        result['forced'] = False
        return result
    stopped = [unit for unit in services if facts['units'].get(unit) != 'active']
    if stopped:
        steps.append(_step('start the application (%s)' % ', '.join(stopped), ['systemctl', 'start'] + stopped,
                           ['systemctl', 'stop'] + stopped, 'stopped the application', undo_partial=True))
    result['steps'] = steps
    return result


# ---------------------------------------------------------------------------
# running a plan

def explain(step, rc, out, err, holders_of=None):
    """A failed step's message, in the words of the tool that failed plus what to do."""
    argv = step['argv']
    if argv[0] == 'drbdadm':
        return explain_failure(_text(argv), rc, out, err)
    text = '; '.join(line.strip() for line in ((err or '') + '\n' + (out or '')).splitlines() if line.strip())
    message = '%s failed (exit code %s): %s' % (_text(argv), rc, text.rstrip('.') or 'no output')
    if argv[0] == 'umount' and holders_of is not None:
        holders = holders_of(argv[-1])
        if holders:
            message += '. In use by %s' % ', '.join(describe(h) for h in holders)
    if argv[0] == 'systemctl':
        message += '. `systemctl status %s` and `journalctl -u` say why' % ' '.join(argv[2:])
    return message


def execute(steps, run, hooks=None, holders_of=None):
    """Run ``steps`` in order; on the first failure undo, newest first, what ran.

    ``hooks`` maps a step's ``then`` to a function returning an error message or None (waiting for
    DRBD's new role, announcing the service IP). Returns {'done': [names], 'failed': name or None,
    'error': message or None, 'put_back': [what the undo restored], 'not_put_back': [messages]}.
    """
    hooks = hooks or {}
    report = dict(done=[], failed=None, error=None, put_back=[], not_put_back=[])
    ran = []
    for step in steps:
        rc, out, err = run(step['argv'])
        error = explain(step, rc, out, err, holders_of) if rc != 0 else None
        if error is None and step.get('then') in hooks:
            error = hooks[step['then']]()
            if error:
                ran.append(step)   # the command itself succeeded: undo it too
        if error:
            report.update(failed=step['name'], error=error)
            if rc != 0 and step.get('undo_partial'):
                ran.append(step)
            break
        ran.append(step)
        report['done'].append(step['name'])
    if report['failed'] is None:
        return report
    for step in reversed(ran):
        if not step.get('undo'):
            continue
        rc, out, err = run(step['undo'])
        if rc == 0:
            report['put_back'].append(step['undo_name'] or _text(step['undo']))
            if step['undo'][:3] == ['ip', 'addr', 'add'] and 'announce' in hooks:
                hooks['announce']()
        else:
            report['not_put_back'].append(explain(dict(step, argv=step['undo']), rc, out, err))
    return report


def failure_message(node, verb, report, role_now):
    """The message of a failed call: the step, its error, what was put back and the role the node has now."""
    message = "Making %s %s failed at '%s': %s." % (node, verb, report['failed'], report['error'].rstrip('.'))
    if report['put_back']:
        message += ' Put back: %s.' % ', '.join(report['put_back'])
    if report['not_put_back']:
        message += ' Could not put back: %s.' % '; '.join(report['not_put_back'])
    if not report['put_back'] and not report['not_put_back']:
        message += ' Nothing needed putting back.'
    message += ' %s is %s now. Fix the cause, then run it again.' % (node, role_now or 'without the resource up')
    return message


def _peer_is_primary(state):
    return bool(state) and state.get('connection_state') == 'Connected' and state.get('peer_role') == 'Primary'


def wait_for_peer_secondary(run, resource, seconds, sleep=time.sleep, clock=time.time):
    """Poll DRBD until the connected peer is no longer Primary (its make_secondary runs at the same
    time): (state, None), or (last state, message) when the connection is lost meanwhile (promoting
    then would be an emergency promotion nobody asked for). At the deadline, the state as it is:
    plan_primary() refuses a peer that is still Primary."""
    deadline = clock() + max(0, seconds)
    while True:
        state = resource_state(run, resource)
        if not _peer_is_primary(state):
            if not state or state.get('connection_state') != 'Connected':
                return state, ('refusing to make %%(node)s Primary: the connection to the peer was lost (%s) while '
                               'waiting for it to become Secondary, so it is not known whether it still writes; '
                               'nothing was changed here. Check the pair (status) and use the emergency promotion '
                               'only if the peer is down' % ((state or {}).get('connection_state') or 'resource down'))
            return state, None
        if clock() >= deadline:
            return state, None
        sleep(0.1)


def wait_role(run, resource, wanted, seconds, sleep=time.sleep, clock=time.time):
    """None once the resource's role is ``wanted``; a message when it is not after ``seconds``."""
    deadline = clock() + max(0, seconds)
    while True:
        state = resource_state(run, resource)
        role = state.get('role') if state else None
        if role == wanted:
            return None
        if clock() >= deadline:
            return ('drbdadm succeeded, but the role of %s is %s, not %s, after %d s: check `drbdadm status %s` '
                    'and the kernel log' % (resource, role, wanted, seconds, resource))
        sleep(0.2)


# ---------------------------------------------------------------------------
# the whole call, for the modules and the node command

ROLES = {'secondary': 'Secondary', 'primary': 'Primary'}

# The refusals of drbd_role's rules name the module's options and the playbooks; each interface
# says them in what its operator types (the first matching phrase wins, longer ones first).
WORDS = {
    'module': (),
    'playbook': (
        ('set force_stale_promotion=true', 'add -e hapair_force_stale_promotion=true'),
        ('force_stale_promotion=true', 'hapair_force_stale_promotion=true'),
    ),
    'node': (
        ('-e hapair_confirm_data_loss=yes; if both nodes are up, use failover.yml instead (no loss)',
         '--yes; if both nodes are up, run `hapair make-secondary` on the other node first instead (no loss)'),
        ('-e hapair_confirm_data_loss=yes', '--yes'),
        ('Use failover.yml (controlled, no data loss), or make_secondary.yml on', 'Run `hapair make-secondary` on'),
        ('hapair_force_stale_promotion=true', '--force-stale'),
        ('set force_stale_promotion=true', 'add --force-stale'),
        ('force_stale_promotion=true', '--force-stale'),
        ('demote it first (make_secondary.yml) or use failover.yml', 'run `hapair make-secondary` there first'),
        ('demote the peer first (make_secondary)', 'run `hapair make-secondary` on the peer first'),
        ('(rejoin.yml)', '(`hapair rejoin` on the other node)'),
        ('resume_writes.yml (drbdadm resume-io)', '`drbdadm resume-io`'),
        ('provision.yml brings it up', '`drbdadm up` brings it up'),
        ('hapair_services', 'services in /etc/hapair/node.json'),
        ('then run the playbook again', 'then run it again'),
    ),
}


def in_words(text, interface):
    """``text`` with the overrides and next steps named as the ``interface`` ('module', 'playbook'
    or 'node') spells them."""
    pairs = WORDS[interface]
    if not pairs:
        return text
    said = dict(pairs)
    # one pass, so that a replacement is never matched again
    pattern = re.compile('|'.join(re.escape(phrase) for phrase, dummy in pairs))
    return pattern.sub(lambda match: said[match.group(0)], text)


# The options make_secondary and make_primary share (doc_fragments/handover.py documents them).
HANDOVER_SPEC = dict(
    resource=dict(type='str', required=True),
    mount_point=dict(type='path', required=True),
    filesystem=dict(type='str', default='ext4'),
    mount_options=dict(type='str', default=''),
    services=dict(type='list', elements='str', default=[]),
    service_ip=dict(type='str', default=''),
    service_interface=dict(type='str'),
    service_mac=dict(type='str'),
    node=dict(type='str'),
    wait=dict(type='int', default=10),
    refusal_words=dict(type='str', default='module', choices=['module', 'playbook']),
)


def node_hooks(run, resource, wait, ip, announce_count, warn, announce_ip=announce):
    """execute()'s hooks on a real node: wait for DRBD's new role, announce the service IP."""
    def gratuitous_arp():
        if ip and announce_count > 0:
            try:
                announce_ip(ip['interface'], ip['mac'], ip['address'], announce_count)
            except (OSError, socket.error) as error:
                warn('the service IP is up but announcing it by gratuitous ARP failed: %s' % error)
        return None
    return {
        'announce': gratuitous_arp,
        'wait_primary': lambda: wait_role(run, resource, 'Primary', wait),
        'wait_secondary': lambda: wait_role(run, resource, 'Secondary', wait),
    }


def make(target, run, settings, check_mode=False, warn=None, files=NodeFiles, announce_ip=announce):
    """Make this node ``target`` ('secondary' or 'primary') in one call: read, plan, act.

    ``settings``: node, resource, mount_point, filesystem, mount_options, services, backup_units,
    service_ip, service_interface, service_mac, force_stale_promotion, announce, wait, and
    refusal_words (how messages name the overrides: 'module', 'playbook' or 'node').
    Returns (result, failure): ``result`` has changed, steps (what ran, or would run in check
    mode), commands, previous_role, role, put_back; warnings go to ``warn``; ``failure`` is the
    message of a refusal or a failed step (then what ran was undone as far as possible), else None.
    """
    words = settings.get('refusal_words') or 'module'
    result, failure = _make(target, run, settings, check_mode,
                            lambda text: warn(in_words(text, words)) if warn else None, files, announce_ip)
    return result, in_words(failure, words) if failure else None


def _make(target, run, settings, check_mode, warn, files, announce_ip):
    node, resource, mount_point = settings['node'], settings['resource'], settings['mount_point']
    services = list(settings.get('services') or [])
    backup_units = list(settings.get('backup_units') or [])
    result = dict(changed=False, steps=[], commands=[], previous_role=None, role=None, put_back=[], refused=True)
    try:
        facts = read_node(run, resource, mount_point, backup_units + services, settings.get('service_ip'),
                          settings.get('service_interface'), settings.get('service_mac'), files=files)
    except SettingsError as error:
        return result, 'refusing to make %s %s: %s' % (node, ROLES[target], error)
    role = facts['state'].get('role') if facts['state'] else None
    result.update(previous_role=role, role=role)
    common = dict(filesystem=settings.get('filesystem') or 'ext4', mount_options=settings.get('mount_options') or '')
    if target == 'secondary':
        plan = plan_secondary(node, facts, resource, mount_point, services, backup_units, **common)
    elif settings.get('wait_for_peer') and not check_mode and _peer_is_primary(facts['state']):
        facts['state'], lost = wait_for_peer_secondary(run, resource, settings['wait_for_peer'])
        if lost:
            return result, lost % dict(node=node)
        plan = plan_primary(node, facts, resource, mount_point, services,
                            force_stale_promotion=settings.get('force_stale_promotion'), **common)
        if plan['refusal'] and _peer_is_primary(facts['state']):
            plan['refusal'] += (' (after waiting %d s for it to become Secondary: its half of the switchover did '
                                'not end in time, or failed)' % settings['wait_for_peer'])
    else:
        plan = plan_primary(node, facts, resource, mount_point, services,
                            force_stale_promotion=settings.get('force_stale_promotion'), **common)
    if plan['refusal']:
        return result, plan['refusal']
    result['refused'] = False
    for warning in plan['warnings']:
        warn(warning)
    result.update(steps=[step['name'] for step in plan['steps']],
                  commands=[_text(step['argv']) for step in plan['steps']], changed=bool(plan['steps']))
    if check_mode or not plan['steps']:
        return result, None
    hooks = node_hooks(run, resource, settings.get('wait', 10), facts['ip'], settings.get('announce', 3), warn,
                       announce_ip)
    report = execute(plan['steps'], run, hooks, lambda path: mount_holders(run, path, files.cgroup))
    state = resource_state(run, resource)
    result.update(role=state.get('role') if state else None, steps=report['done'], put_back=report['put_back'],
                  changed=bool(report['done'] or report['put_back']))
    result['commands'] = result['commands'][:len(report['done'])]
    if report['failed']:
        return result, failure_message(node, ROLES[target], report, result['role'])
    return result, None
