# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""module_utils.drbd_options: what the resource file may carry, and why the rest is refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_options import check_drbd_options

ROLE_NET = {"verify-alg": "sha256", "max-buffers": 8000, "max-epoch-size": 8000, "sndbuf-size": 0,
            "rcvbuf-size": 0}
ROLE_DISK = {"al-extents": 6007, "c-plan-ahead": 20, "c-fill-target": "1M", "c-max-rate": "1G",
             "c-min-rate": "10M", "resync-rate": "300M"}
SAFE = [["protocol", "C"], ["after-sb-0pri", "disconnect"], ["after-sb-1pri", "disconnect"],
        ["after-sb-2pri", "disconnect"]]


def pairs(items):
    return [list(kv) for kv in items]


def test_the_roles_defaults_pass_and_carry_the_safe_settings_first():
    out = check_drbd_options(ROLE_NET, ROLE_DISK, [])
    assert out["errors"] == []
    assert pairs(out["net"]) == SAFE + [["max-buffers", "8000"], ["max-epoch-size", "8000"], ["rcvbuf-size", "0"],
                                        ["sndbuf-size", "0"], ["verify-alg", "sha256"]]
    assert pairs(out["disk"]) == [["al-extents", "6007"], ["c-fill-target", "1M"], ["c-max-rate", "1G"],
                                  ["c-min-rate", "10M"], ["c-plan-ahead", "20"], ["resync-rate", "300M"]]


def test_nothing_given_still_writes_protocol_c_and_no_automatic_split_brain_resolution():
    out = check_drbd_options(None, None, None)
    assert out["errors"] == [] and pairs(out["net"]) == SAFE and out["disk"] == []


# (id, net, disk, allow, the one error's words that name the cause)
REFUSED = [
    ("two-primaries", {"allow-two-primaries": True}, None, None,
     ["allow-two-primaries yes is refused: two Primaries at once", "add allow-two-primaries to "
      "hapair_allow_unsafe_drbd_options"]),
    ("auto-split-brain-0pri", {"after-sb-0pri": "discard-zero-changes"}, None, None,
     ["after-sb-0pri discard-zero-changes is refused: a split brain resolved automatically"]),
    ("auto-split-brain-1pri", {"after-sb-1pri": "discard-secondary"}, None, None,
     ["after-sb-1pri discard-secondary is refused: a split brain resolved automatically"]),
    ("auto-split-brain-2pri", {"after-sb-2pri": "violently-as0p"}, None, None,
     ["after-sb-2pri violently-as0p is refused"]),
    ("async-protocol-a", {"protocol": "A"}, None, None,
     ["protocol A is refused: an asynchronous protocol: a write is acknowledged before the peer has it"]),
    ("async-protocol-b", {"protocol": "B"}, None, None, ["protocol B is refused"]),
    ("always-asbp", {"always-asbp": "yes"}, None, None, ["always-asbp yes is refused"]),
    ("discard-my-data", {"discard-my-data": True}, None, None, ["discard-my-data yes is refused"]),
    ("unknown-net-option-with-hint", {"max-bufers": 8000}, None, None,
     ["hapair_drbd_net_options: 'max-bufers' is not a DRBD net option (did you mean 'max-buffers'?)"]),
    ("disk-option-in-net", {"resync-rate": "300M"}, None, None,
     ["hapair_drbd_net_options: 'resync-rate' is not a DRBD net option"]),
    ("unknown-disk-option", None, {"c-max-rat": "1G"}, None,
     ["hapair_drbd_disk_options: 'c-max-rat' is not a DRBD disk option (did you mean 'c-max-rate'?)"]),
    ("managed-secret", {"shared-secret": "x"}, None, None,
     ["shared-secret is set by the roles from hapair_shared_secret"]),
    ("managed-fencing", None, {"fencing": "dont-care"}, None,
     ["hapair_drbd_disk_options: fencing is set by the roles from hapair_fencing"]),
    ("net-not-a-mapping", ["protocol C"], None, None,
     ["hapair_drbd_net_options must be a mapping of DRBD net option names to values"]),
    ("value-missing", {"max-buffers": None}, None, None, ["max-buffers needs a single value"]),
    ("allow-names-an-option-never-refused", {}, None, ["max-buffers"],
     ["hapair_allow_unsafe_drbd_options names 'max-buffers', which is not an option this collection refuses"]),
    ("allow-not-a-list", {}, None, "protocol", ["hapair_allow_unsafe_drbd_options must be a list"]),
    ("allowing-one-does-not-allow-another", {"protocol": "A", "allow-two-primaries": "yes"}, None, ["protocol"],
     ["allow-two-primaries yes is refused"]),
]


@pytest.mark.parametrize("net, disk, allow, words", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_with_the_cause_and_nothing_unsafe_written(net, disk, allow, words):
    out = check_drbd_options(net, disk, allow)
    assert len(out["errors"]) == 1, out["errors"]
    for w in words:
        assert w in out["errors"][0]
    written = dict((k, v) for k, v in out["net"])
    # whatever was refused, the safe settings stay in what would be written
    assert written["after-sb-0pri"] == written["after-sb-1pri"] == written["after-sb-2pri"] == "disconnect"
    assert written.get("allow-two-primaries", "no") == "no"
    if "protocol" not in (allow or []):
        assert written["protocol"] == "C"


def test_an_unsafe_option_named_on_purpose_is_written():
    out = check_drbd_options({"protocol": "A"}, None, ["protocol"])
    assert out["errors"] == []
    assert pairs(out["net"])[0] == ["protocol", "A"]
    assert ["after-sb-0pri", "disconnect"] in pairs(out["net"])


def test_safe_values_of_guarded_options_need_no_permission():
    out = check_drbd_options({"protocol": "C", "allow-two-primaries": False, "after-sb-1pri": "disconnect"}, None,
                             None)
    assert out["errors"] == []
    assert dict(pairs(out["net"]))["allow-two-primaries"] == "no"


def test_every_problem_is_listed_at_once():
    out = check_drbd_options({"protocol": "A", "bogus": 1}, {"fencing": "x", "nope": 2}, None)
    assert len(out["errors"]) == 4
