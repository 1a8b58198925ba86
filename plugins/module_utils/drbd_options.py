# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check the DRBD options an inventory adds to the resource, and compute the ones written.

``hapair_drbd_net_options`` and ``hapair_drbd_disk_options`` are rendered into the resource
file's net and disk sections. An option DRBD does not know breaks the resource; some options
DRBD does know break the product's promise: two Primaries at once, a split brain resolved
automatically (one side's writes thrown away without asking anyone), an asynchronous protocol
(a write acknowledged before the peer has it). Those are refused unless the operator names them
in ``hapair_allow_unsafe_drbd_options``.

The safe settings the product relies on (protocol C, every after-sb policy ``disconnect``) are
part of the result: the resource file renders ``effective["net"]`` and ``effective["disk"]``
as they are, so what is allowed and what is written come from this one function.

Pure functions, Python 2.7/3.6-safe, no Ansible objects.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib

# What drbd.conf(5) accepts in the net and disk sections, DRBD 8.4 and 9.
NET_OPTIONS = frozenset([
    "after-sb-0pri", "after-sb-1pri", "after-sb-2pri", "allow-remote-read", "allow-two-primaries",
    "always-asbp", "congestion-extents", "congestion-fill", "connect-int", "cram-hmac-alg",
    "csums-after-crash-only", "csums-alg", "data-integrity-alg", "discard-my-data", "fencing", "ko-count",
    "load-balance-paths", "max-buffers", "max-epoch-size", "on-congestion", "ping-int", "ping-timeout",
    "protocol", "rcvbuf-size", "rr-conflict", "rdma-ctrl-rcvbuf-size", "rdma-ctrl-sndbuf-size",
    "shared-secret", "sndbuf-size", "socket-check-timeout", "tcp-cork", "timeout", "transport",
    "unplug-watermark", "use-rle", "verify-alg",
])
DISK_OPTIONS = frozenset([
    "al-extents", "al-updates", "c-delay-target", "c-fill-target", "c-max-rate", "c-min-rate",
    "c-plan-ahead", "disable-write-same", "discard-zeroes-if-aligned", "disk-barrier", "disk-drain",
    "disk-flushes", "disk-timeout", "fencing", "md-flushes", "on-io-error", "read-balancing",
    "resync-after", "resync-rate", "rs-discard-granularity",
])

# Written by the roles from their own variables; an option here would contradict them.
MANAGED = {
    "cram-hmac-alg": "hapair_drbd_hmac_alg",
    "shared-secret": "hapair_shared_secret",
    "fencing": "hapair_fencing",
}

# The settings the product's promise rests on, and what each one guards.
SAFE_NET = (
    ("protocol", "C"),
    ("after-sb-0pri", "disconnect"),
    ("after-sb-1pri", "disconnect"),
    ("after-sb-2pri", "disconnect"),
)

# option -> (values that are safe, why any other value is not)
UNSAFE = {
    "protocol": (("C", "c"), "an asynchronous protocol: a write is acknowledged before the peer has it, "
                             "so a failover loses acknowledged writes"),
    "allow-two-primaries": (("no",), "two Primaries at once: both nodes take writes and the copies diverge"),
    "after-sb-0pri": (("disconnect",), "a split brain resolved automatically: one node's writes are thrown "
                                       "away without anyone deciding"),
    "after-sb-1pri": (("disconnect",), "a split brain resolved automatically: one node's writes are thrown "
                                       "away without anyone deciding"),
    "after-sb-2pri": (("disconnect",), "a split brain resolved automatically: one node's writes are thrown "
                                       "away without anyone deciding"),
    "always-asbp": (("no",), "automatic split-brain policies applied even when a node's data "
                             "history is unknown"),
    "rr-conflict": (("disconnect",), "a node that would become sync target while Primary goes on anyway"),
    "discard-my-data": (("no",), "this node's data thrown away at every connection"),
}

ALLOW_VAR = "hapair_allow_unsafe_drbd_options"


def drbd_value(value):
    """How a YAML value is written in drbd.conf: booleans as yes/no, the rest as text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _section(name, options, known, allowed, errors):
    """The options of one section that may be written, in name order; problems go to errors."""
    var = "hapair_drbd_%s_options" % name
    if options is None:
        return []
    if not isinstance(options, dict):
        errors.append(u"%s must be a mapping of DRBD %s option names to values (drbd.conf(5)), not %s"
                      % (var, name, type(options).__name__))
        return []
    out = []
    for key in sorted(options, key=str):
        value = options[key]
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            errors.append(u"%s: %r is not a DRBD %s option%s; see drbd.conf(5) for the %s section"
                          % (var, key, name, " (did you mean %r?)" % close[0] if close else "", name))
            continue
        if key in MANAGED:
            errors.append(u"%s: %s is set by the roles from %s; set that variable instead and remove %s here"
                          % (var, key, MANAGED[key], key))
            continue
        if isinstance(value, (dict, list)) or value is None or str(value).strip() == "":
            errors.append(u"%s: %s needs a single value, not %r" % (var, key, value))
            continue
        text = drbd_value(value)
        if key in UNSAFE and text not in UNSAFE[key][0] and name == "net":
            if key not in allowed:
                errors.append(u"%s: %s %s is refused: %s. If that is what you want, add %s to %s "
                              u"(docs/operations.md, 'Unsafe DRBD options')"
                              % (var, key, text, UNSAFE[key][1], key, ALLOW_VAR))
                continue
        out.append((key, text))
    return out


def check_drbd_options(net_options, disk_options, allow_unsafe=None):
    """Check the inventory's DRBD options.

    Returns {"errors": [...], "net": [(option, value), ...], "disk": [...]}: the options to write,
    the product's safe settings included (an allowed unsafe value replaces its safe one).
    """
    errors = []
    allowed = allow_unsafe if allow_unsafe is not None else []
    if not isinstance(allowed, list) or any(not isinstance(a, str) for a in allowed):
        errors.append(u"%s must be a list of DRBD option names, e.g. [protocol]" % ALLOW_VAR)
        allowed = []
    for name in allowed:
        if name not in UNSAFE:
            errors.append(u"%s names %r, which is not an option this collection refuses (%s)"
                          % (ALLOW_VAR, name, ", ".join(sorted(UNSAFE))))
    net = dict(SAFE_NET)
    net.update(_section("net", net_options, NET_OPTIONS, allowed, errors))
    disk = _section("disk", disk_options, DISK_OPTIONS, allowed, errors)
    order = [k for k, dummy in SAFE_NET] + sorted(k for k in net if k not in dict(SAFE_NET))
    return {"errors": errors, "net": [(k, net[k]) for k in order], "disk": disk}
