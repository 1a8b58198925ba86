# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""module_utils.promotion: the one rule set of promote.yml and make_primary.yml."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.promotion import promotion_refusal

HOSTS = ["node1", "node2"]
PRIMARY = {"reachable": True, "resource": {"role": "Primary", "connection": "StandAlone"}}
SECONDARY = {"reachable": True, "resource": {"role": "Secondary", "connection": "Connected"}}


def refusal(target="node2", reports=None, **kw):
    return promotion_refusal(target, HOSTS, reports if reports is not None else {"node1": None, "node2": SECONDARY},
                             **kw)


# (id, arguments, words of the refusal)
REFUSED = [
    ("unknown-target", dict(target="node9"),
     ["Name the node to promote with -e hapair_target=NODE, one of node1, node2 (got node9)."]),
    ("no-target", dict(target=""), ["(got nothing)"]),
    ("emergency-unconfirmed", dict(emergency=True, confirm_data_loss="no"),
     ["An emergency promotion may lose the last writes", "-e hapair_confirm_data_loss=yes"]),
    ("emergency-confirmation-misspelt", dict(emergency=True, confirm_data_loss="y"), ["hapair_confirm_data_loss=yes"]),
    ("make-primary-forcing-stale-unconfirmed", dict(force_stale=True),
     ["hapair_force_stale_promotion=true makes node2 Primary even when DRBD knows its copy is stale",
      "-e hapair_confirm_data_loss=yes"]),
    ("make-primary-forcing-stale-as-string", dict(force_stale="true", confirm_data_loss="no"),
     ["hapair_force_stale_promotion=true"]),
    # the other node is Primary and disconnected: the check make_primary.yml lacked
    ("peer-primary-disconnected", dict(reports={"node1": PRIMARY, "node2": SECONDARY}),
     ["node1 is reachable and still Primary: promoting node2 now would make a split brain by hand",
      "make_secondary.yml on node1 first"]),
    ("peer-primary-even-when-confirmed-and-forced",
     dict(reports={"node1": PRIMARY, "node2": SECONDARY}, emergency=True, confirm_data_loss="yes", force_stale=True),
     ["node1 is reachable and still Primary"]),
]


@pytest.mark.parametrize("kw, words", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_the_cause(kw, words):
    msg = refusal(**kw)
    for w in words:
        assert w in msg
    assert msg.endswith("Nothing was changed.")


# (id, arguments): promotions that may go on
ALLOWED = [
    ("make-primary-peer-secondary", dict(reports={"node1": SECONDARY, "node2": SECONDARY})),
    ("make-primary-peer-unreachable", dict()),
    ("emergency-confirmed-peer-dead", dict(emergency=True, confirm_data_loss="yes")),
    ("emergency-confirmed-as-true", dict(emergency=True, confirm_data_loss=True)),
    ("forced-stale-confirmed", dict(force_stale=True, confirm_data_loss="YES")),
    ("target-primary-already", dict(target="node1", reports={"node1": PRIMARY, "node2": SECONDARY})),
]


@pytest.mark.parametrize("kw", [c[1] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_allowed(kw):
    assert refusal(**kw) == ""
