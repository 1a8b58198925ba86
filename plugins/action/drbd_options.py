# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side check of the DRBD options the resource file will carry.

Documentation lives in plugins/modules/drbd_options.py. Nothing is sent to the nodes: the
options are handed to module_utils.drbd_options.check_drbd_options as plain values.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.hapair.cluster.plugins.action.pair_check import _plain
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_options import check_drbd_options

HEADER = "The DRBD options are refused (%d problem%s); nothing was changed:"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    ARGUMENT_SPEC = dict(
        net_options=dict(type="raw"),
        disk_options=dict(type="raw"),
        allow_unsafe=dict(type="raw"),
    )

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # no remote files
        dummy, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        outcome = check_drbd_options(_plain(args.get("net_options")), _plain(args.get("disk_options")),
                                     _plain(args.get("allow_unsafe")))
        result["changed"] = False
        result["net"] = [list(kv) for kv in outcome["net"]]
        result["disk"] = [list(kv) for kv in outcome["disk"]]
        if outcome["errors"]:
            errors = outcome["errors"]
            result["failed"] = True
            result["errors"] = errors
            result["msg"] = "\n".join([HEADER % (len(errors), "" if len(errors) == 1 else "s")]
                                      + ["%d. %s" % (n, e) for n, e in enumerate(errors, 1)])
        else:
            result["msg"] = "net: %s; disk: %s" % (
                ", ".join("%s %s" % kv for kv in outcome["net"]),
                ", ".join("%s %s" % kv for kv in outcome["disk"]) or "(DRBD's defaults)")
        return result
