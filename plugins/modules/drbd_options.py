#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation only: the work is done on the controller by the action plugin
# plugins/action/drbd_options.py; nothing is executed on the nodes.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: drbd_options
short_description: Check the DRBD net and disk options of the hapair resource and return the ones to write
version_added: 0.2.0
description:
  - Checks the options an inventory adds to the DRBD resource's net and disk sections against what
    drbd.conf(5) accepts (DRBD 8.4 and 9), and returns the options the resource file is to carry, the
    product's safe settings included (C(protocol C), every C(after-sb-*pri) policy C(disconnect)).
  - Refuses options that would break the pair's promise unless O(allow_unsafe) names them, each with the
    reason; C(allow-two-primaries yes) (two Primaries), C(after-sb-0pri), C(after-sb-1pri),
    C(after-sb-2pri) other than C(disconnect) (a split brain resolved automatically, throwing one node's
    writes away), C(protocol A) or C(B) (a write acknowledged before the peer has it), C(always-asbp yes),
    C(rr-conflict) other than C(disconnect), C(discard-my-data yes).
  - Refuses options the roles set from their own variables (C(cram-hmac-alg), C(shared-secret),
    C(fencing)) and names the variable to use.
  - All problems are listed at once. Runs on the controller; no connection to the nodes is made.
options:
  net_options:
    description:
      - Mapping of DRBD net option names to values (C(hapair_drbd_net_options)). Booleans are written
        C(yes)/C(no).
    type: raw
  disk_options:
    description:
      - Mapping of DRBD disk option names to values (C(hapair_drbd_disk_options)).
    type: raw
  allow_unsafe:
    description:
      - List of option names whose unsafe values are accepted on purpose
        (C(hapair_allow_unsafe_drbd_options)). Only names of the refused options above are valid.
    type: raw
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.conn
  - action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Makes no changes, so it runs the same in check mode.
  connection:
    support: none
  delegation:
    support: none
    details: Runs on the controller whatever the host.
  diff_mode:
    support: none
  platform:
    platforms: all
author:
  - hapair.cluster developers (!UNKNOWN)
"""

EXAMPLES = r"""
- name: Check the DRBD options and compute the ones to write
  hapair.cluster.drbd_options:
    net_options: "{{ hapair_drbd_net_options }}"
    disk_options: "{{ hapair_drbd_disk_options }}"
    allow_unsafe: "{{ hapair_allow_unsafe_drbd_options }}"
  register: drbd_options

- name: An asynchronous link on purpose (a failover may lose the last acknowledged writes)
  hapair.cluster.drbd_options:
    net_options:
      protocol: A
    allow_unsafe: [protocol]
"""

RETURN = r"""
msg:
  description:
    - On success the options to write, one line. On failure a header line, then one numbered line per
      problem.
  returned: always
  type: str
  sample: "net: protocol C, after-sb-0pri disconnect, after-sb-1pri disconnect, after-sb-2pri disconnect,
    max-buffers 8000; disk: c-max-rate 1G"
net:
  description: The net section's options to write, as [option, value] pairs, the safe settings first.
  returned: always
  type: list
  elements: list
  sample: [["protocol", "C"], ["after-sb-0pri", "disconnect"], ["max-buffers", "8000"]]
disk:
  description: The disk section's options to write, as [option, value] pairs.
  returned: always
  type: list
  elements: list
  sample: [["al-extents", "6007"], ["c-max-rate", "1G"]]
errors:
  description: One message per problem.
  returned: failed
  type: list
  elements: str
"""
