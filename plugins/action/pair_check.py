# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side check that the inventory describes one valid hapair pair.

Documentation lives in plugins/modules/pair_check.py.  Nothing is sent to the
nodes: the plugin reads both hosts' variables (templated, in their own host
context), optionally their interface networks, and hands plain values to
module_utils.pair_config.check_pair.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections.abc import Mapping

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.module_utils.pair_config import (
    DEFAULT_GROUP,
    NetaddrMissingError,
    check_pair,
)

HEADER = "The inventory does not describe one valid hapair pair (%d problem%s):"


def _plain(value):
    """Deep-copy a templated value into plain dict/list/str/int/float/bool/None.

    On ansible-core 2.19 hostvars hand out tagged strings and lazy containers;
    older cores hand out AnsibleUnicode and vault objects.  The checks (and
    the returned result) want ordinary Python values.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return dict((_plain(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value[:])  # str() of a str subclass yields an exact str
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if hasattr(value, "_ciphertext"):  # vaulted value not yet decrypted by templating
        return str(value)
    return value


def _networks_from_facts(facts, node_vars):
    """{"network": 'address/prefix', "interface": name} for every IPv4/IPv6 address in
    gathered facts, leaving out lo and the replication NIC (matched by
    hapair_replication_mac or hapair_replication_device)."""
    names = facts.get("interfaces")
    if not isinstance(names, list):
        return None
    rep_mac = str(node_vars.get("hapair_replication_mac") or "").lower().replace("-", ":")
    rep_dev = node_vars.get("hapair_replication_device")
    networks = []
    for name in names:
        iface = facts.get(str(name).replace("-", "_"))
        if not isinstance(iface, Mapping) or name == "lo":
            continue
        if name == rep_dev or (rep_mac and str(iface.get("macaddress") or "").lower() == rep_mac):
            continue
        v4 = iface.get("ipv4")
        entries = [v4] if isinstance(v4, Mapping) else list(v4 or [])
        entries += list(iface.get("ipv4_secondaries") or [])
        entries += list(iface.get("ipv6") or [])
        for entry in entries:
            if not isinstance(entry, Mapping) or not entry.get("address"):
                continue
            prefix = entry.get("prefix")
            if prefix in (None, "") and entry.get("netmask"):
                prefix = entry.get("netmask")
            if prefix in (None, ""):
                continue
            networks.append({"network": "%s/%s" % (entry["address"], prefix), "interface": str(name)})
    return networks


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("group", "interface_networks"))
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False

    ARGUMENT_SPEC = dict(
        group=dict(type="str", default=DEFAULT_GROUP),
        interface_networks=dict(type="dict"),
    )

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # no remote files

        dummy, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        group = args["group"]
        result["changed"] = False

        groups = task_vars.get("groups") or {}
        if group not in groups:
            known = sorted(g for g in groups if g not in ("all", "ungrouped"))
            return self._fail(result, [
                "group %s is not in the inventory (groups: %s); put the two nodes in a group named %s, "
                "or pass group: <name> to hapair.cluster.pair_check"
                % (group, ", ".join(known) or "none", group)])
        hosts = [str(h) for h in groups[group]]

        hostvars = task_vars.get("hostvars") or {}
        node_vars, errors, unresolved = {}, [], []
        for host in hosts:
            node_vars[host] = self._hapair_vars(host, hostvars, errors, unresolved)

        facts, checked = None, []
        given = args.get("interface_networks")
        if given is not None:
            facts = dict((str(h), _plain(v)) for h, v in given.items())
            checked = [h for h in hosts if facts.get(h) is not None]
        else:
            derived = {}
            for host in hosts:
                gathered, unreadable = self._gathered_facts(host, hostvars)
                if unreadable:
                    # facts that exist but cannot be read are no reason to skip the check
                    errors.append("%s: its gathered facts could not be read (%s), so the replication subnet "
                                  "cannot be checked against its other networks; gather facts again "
                                  "(gather_subset: [min, network])" % (host, unreadable))
                if gathered:
                    networks = _networks_from_facts(gathered, node_vars[host])
                    if networks is not None:
                        derived[host] = networks
            if derived:
                facts, checked = derived, [h for h in hosts if h in derived]

        play_hosts = task_vars.get("ansible_play_hosts_all")
        if play_hosts is not None:
            play_hosts = [str(h) for h in play_hosts]
        try:
            outcome = check_pair(hosts, node_vars, facts=facts, group=group, play_hosts=play_hosts)
        except NetaddrMissingError as exc:
            result["failed"] = True
            result["msg"] = str(exc)
            return result

        result["pair"] = outcome["pair"]
        result["interface_networks_checked"] = checked
        if outcome["warnings"]:
            result["warnings"] = list(outcome["warnings"])
        # A variable that failed to template is then "not set"; its own message says more.
        consequences = tuple(["%s: %s " % hv for hv in unresolved] + ["%s " % v for h, v in unresolved])
        all_errors = errors + [e for e in outcome["errors"] if not e.startswith(consequences)]
        if all_errors:
            return self._fail(result, all_errors)
        result["msg"] = "%s: %s is the initial primary, %s the initial secondary; replication %s (MTU %s), " \
            "resource %s on port %s" % (group, outcome["pair"]["initial_primary"],
                                        outcome["pair"]["initial_secondary"],
                                        outcome["pair"]["replication_network"],
                                        outcome["pair"]["replication_mtu"],
                                        outcome["pair"]["resource"], outcome["pair"]["drbd_port"])
        return result

    @staticmethod
    def _fail(result, errors):
        lines = [HEADER % (len(errors), "" if len(errors) == 1 else "s")]
        lines += ["%d. %s" % (n, e) for n, e in enumerate(errors, 1)]
        result["failed"] = True
        result["errors"] = list(errors)
        result["msg"] = "\n".join(lines)
        return result

    @staticmethod
    def _hapair_vars(host, hostvars, errors, unresolved):
        """All hapair_* variables of host, templated in its own context, as plain values."""
        try:
            view = hostvars[host]
            names = [str(k) for k in view if str(k).startswith("hapair_")]
        except Exception as exc:  # pylint: disable=broad-except
            errors.append("%s: its variables could not be read (%s); fix the inventory" % (host, exc))
            return {}
        values = {}
        for name in names:
            try:
                values[name] = _plain(view[name])
            except Exception as exc:  # pylint: disable=broad-except
                text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if name == "hapair_shared_secret":
                    text = type(exc).__name__  # never risk echoing the secret
                unresolved.append((host, name))
                errors.append("%s: %s could not be templated (%s); fix the expression or define the "
                              "variables it uses" % (host, name, text))
        return values

    @staticmethod
    def _gathered_facts(host, hostvars):
        """(facts or None, why they could not be read or None). No facts gathered: (None, None)."""
        try:
            view = hostvars[host]
            if "ansible_facts" not in view:
                return None, None
            return _plain(view["ansible_facts"]), None
        except Exception as exc:  # pylint: disable=broad-except
            return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
