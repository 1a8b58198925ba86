# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""May this node be made Primary now? One answer for promote.yml and make_primary.yml.

promote.yml (an emergency: the Primary is gone) and make_primary.yml (the second half of a
manual failover) promote a node the same way, so they refuse the same things: an unknown
target; a stale copy forced without the data-loss confirmation; the other node reachable and
still Primary (a split brain made by hand). promote.yml asks for the confirmation always.

Pure function, Python 2.7/3.6-safe, no Ansible objects.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

NOTHING_CHANGED = u" Nothing was changed."


def confirmed(value):
    """-e hapair_confirm_data_loss=yes (or true, in any case) and nothing else."""
    return str(value).strip().lower() in (u"yes", u"true")


def target_refusal(target, hosts):
    """Why ``target`` names no node of the pair (u'' when it does): the one check of a promotion
    that needs no node's report (operation_input runs it before any node is contacted)."""
    hosts = list(hosts or [])
    if target in hosts:
        return u""
    return (u"Name the node to promote with -e hapair_target=NODE, one of %s (got %s)."
            % (u", ".join(hosts), target or u"nothing")) + NOTHING_CHANGED


def promotion_refusal(target, hosts, reports, emergency=False, confirm_data_loss=None, force_stale=False):
    """Why `target` must not be made Primary now, or u'' when it may.

    hosts: the pair's host names; reports: host -> the status role's report (None when the node
    did not answer); emergency: promote.yml's stricter rules; force_stale: the operator asks to
    promote a copy DRBD knows to be stale.
    """
    hosts = list(hosts or [])
    unknown = target_refusal(target, hosts)
    if unknown:
        return unknown
    if emergency and not confirmed(confirm_data_loss):
        return (u"An emergency promotion may lose the last writes of the old Primary. Confirm with "
                u"-e hapair_confirm_data_loss=yes; if both nodes are up, use failover.yml instead (no loss)."
                + NOTHING_CHANGED)
    if _true(force_stale) and not confirmed(confirm_data_loss):
        return (u"hapair_force_stale_promotion=true makes %s Primary even when DRBD knows its copy is stale: "
                u"the writes it missed are lost for good once it takes new ones. Confirm with "
                u"-e hapair_confirm_data_loss=yes." % target) + NOTHING_CHANGED
    for other in hosts:
        if other == target:
            continue
        resource = ((reports or {}).get(other) or {}).get("resource") or {}
        if resource.get("role") == "Primary":
            return (u"%s is reachable and still Primary: promoting %s now would make a split brain by hand. "
                    u"Use failover.yml (controlled, no data loss), or make_secondary.yml on %s first."
                    % (other, target, other)) + NOTHING_CHANGED
    return u""


def _true(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in (u"yes", u"true", u"1", u"on")


def _when(epoch, now):
    ago = max(0, int(now - epoch))
    return u"%s (%s ago)" % (time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch)),
                             u"%dh%02dm" % (ago // 3600, ago % 3600 // 60) if ago >= 3600 else u"%dm%02ds" % (ago // 60, ago % 60))


def promotion_notice(target, hosts, reports, now=None):
    """What the operator is told about the target's copy before it becomes Primary: whether the old
    Primary's fencing marked it Outdated, and when it last saw the old Primary (u'' when the target
    did not report). Reads drbd_info's resource state in each node's report."""
    now = time.time() if now is None else now
    others = [h for h in (hosts or []) if h != target]
    other = others[0] if others else u"the other node"
    resource = ((reports or {}).get(target) or {}).get("resource") or {}
    if not resource:
        return u""
    fencing = resource.get("fencing") or {}
    disk = resource.get("disk_state")
    if resource.get("connection_state") == "Connected":
        return (u"%s is connected to %s and its copy is %s: it has every write %s made."
                % (target, other, disk, other) if disk == "UpToDate" else
                u"%s is connected to %s but its copy is %s." % (target, other, disk))
    lost = fencing.get("lost_primary_at")
    seen = (u"%s last saw %s as Primary at %s; writes %s made after that are not on %s."
            % (target, other, _when(lost, now), other, target) if lost else
            u"When %s last saw %s as Primary is not in its kernel log (rebooted since?)." % (target, other))
    if disk == "Outdated":
        outdated = fencing.get("outdated_by_peer")
        how = (u"%s's fencing marked it Outdated at %s (from %s)" % (other, _when(outdated["at"], now), outdated["peer"])
               if outdated else u"DRBD knows it is stale (Outdated)")
        return u"%s was fenced: %s. %s" % (target, how, seen)
    return (u"%s was never fenced: nothing marked its copy Outdated after it lost %s, so DRBD cannot tell "
            u"whether %s wrote more (its copy says %s). %s" % (target, other, other, disk, seen))
