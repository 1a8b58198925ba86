# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: fuser_holders
short_description: The processes in the result of C(fuser -vm PATH), as readable strings
version_added: 0.1.0
description:
  - Pairs the PIDs C(fuser -vm) prints on stdout with the rows (user, access, command) it prints
    on stderr, the same parser M(hapair.cluster.drbd_role) uses before a demotion.
  - Mount, swap and knfsd entries (the kernel's, not a process's) are left out.
options:
  _input:
    description: The registered result of C(ansible.builtin.command) running C(fuser -vm PATH).
    type: dict
    required: true
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Find the processes that keep the mirror busy
  ansible.builtin.command:
    argv: [fuser, -vm, /srv/hapair]
  register: busy
  changed_when: false
  failed_when: false

- name: Name them
  ansible.builtin.debug:
    msg: "In use by {{ busy | hapair.cluster.fuser_holders | join(', ') }}"
    # for example: In use by sleep (pid 707, user root)
'''

RETURN = r'''
_value:
  description: One string per process, C(COMMAND (pid PID, user USER)).
  type: list
  elements: str
'''

from ansible_collections.hapair.cluster.plugins.module_utils.drbd_role import parse_fuser


def fuser_holders(result):
    holders = parse_fuser((result or {}).get('stdout', ''), (result or {}).get('stderr', ''))
    return [holder for holder in holders if not holder.startswith('kernel ')]


class FilterModule(object):
    def filters(self):
        return {'fuser_holders': fuser_holders}
