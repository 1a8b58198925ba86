# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""module_utils.promotion: the one rule set of promote.yml and make_primary.yml."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

import io
import os

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import parse_events2
from ansible_collections.hapair.cluster.plugins.module_utils.promotion import promotion_notice, promotion_refusal

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


FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'drbd')
NOW = 1796421001 + 3600 + 125   # 1h02m05s after node2 lost node1


def report(fixture, **fencing):
    with io.open(os.path.join(FIXTURES, fixture), encoding='utf-8') as f:
        resource = list(parse_events2(f.read()).values())[0]
    resource['fencing'] = dict({'last_attempt': None, 'outdated_by_peer': None, 'lost_primary_at': None}, **fencing)
    return {"reachable": True, "resource": resource}


def test_notice_of_a_copy_never_fenced():
    secondary = report('events2_84_lab_linkdown_node2.txt', lost_primary_at=1796421001)
    secondary['resource']['disk_state'] = 'UpToDate'
    assert promotion_notice("node2", HOSTS, {"node1": None, "node2": secondary}, now=NOW) == (
        "node2 was never fenced: nothing marked its copy Outdated after it lost node1, so DRBD cannot tell whether "
        "node1 wrote more (its copy says UpToDate). node2 last saw node1 as Primary at 2026-12-04 21:50:01 UTC "
        "(1h02m ago); writes node1 made after that are not on node2.")


def test_notice_of_a_fenced_copy():
    secondary = report('events2_84_lab_linkdown_node2.txt', lost_primary_at=1796421001,
                       outdated_by_peer={'at': 1796421003, 'resource': 'r0', 'peer': '172.30.0.11'})
    secondary['resource']['disk_state'] = 'Outdated'
    notice = promotion_notice("node2", HOSTS, {"node1": None, "node2": secondary}, now=NOW)
    assert notice.startswith("node2 was fenced: node1's fencing marked it Outdated at 2026-12-04 21:50:03 UTC "
                             "(1h02m ago) (from 172.30.0.11). node2 last saw node1 as Primary at 2026-12-04 21:50:01")


def test_notice_when_the_kernel_log_has_forgotten():
    secondary = report('events2_84_lab_linkdown_node2.txt')
    secondary['resource']['disk_state'] = 'Outdated'
    notice = promotion_notice("node2", HOSTS, {"node1": None, "node2": secondary}, now=NOW)
    assert notice == ("node2 was fenced: DRBD knows it is stale (Outdated). When node2 last saw node1 as Primary is "
                      "not in its kernel log (rebooted since?).")


def test_notice_of_a_connected_copy():
    connected = report('events2_84_connected_secondary.txt')
    assert promotion_notice("node2", HOSTS, {"node1": None, "node2": connected}) == (
        "node2 is connected to node1 and its copy is UpToDate: it has every write node1 made.")


def test_no_notice_without_a_report():
    assert promotion_notice("node2", HOSTS, {"node1": None, "node2": None}) == ""
