#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: service_ip
short_description: Put the floating service IP on this node, or take it away
version_added: 0.1.0
description:
  - Adds or removes one IPv4 address on the service NIC at run time only (C(ip addr)); it is never
    written into the network configuration, so after a reboot no node holds it until a playbook
    decides which one is Primary.
  - After adding it, announces the address with gratuitous ARP so that clients and switches learn the
    new owner at once instead of after their ARP cache expires.
options:
  address:
    description: The service IP with its prefix length, for example V(192.0.2.10/24).
    type: str
    required: true
  interface:
    description: The NIC to put it on. Either this or O(mac).
    type: str
  mac:
    description: MAC address of the NIC to put it on. Either this or O(interface).
    type: str
  state:
    description: Whether the address must be on this node.
    type: str
    choices: [present, absent]
    default: present
  announce:
    description: Number of gratuitous ARP packets sent after adding the address (0 sends none).
    type: int
    default: 3
attributes:
  check_mode:
    details: Reports what would change and changes nothing.
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Refuses to add the address when another NIC of the node already carries it.
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: The service IP follows the Primary
  hapair.cluster.service_ip:
    address: 192.0.2.10/24
    mac: "52:54:00:5e:00:01"
    state: present
'''

RETURN = r'''
interface:
  description: The NIC the address was put on or taken from.
  returned: always
  type: str
  sample: ens4
action:
  description: V(add), V(delete) or null when nothing changed.
  returned: always
  type: str
'''

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.service_ip import (
    announce, parse_ip_addr, parse_ip_link, plan, split_cidr,
)

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            address=dict(type='str', required=True),
            interface=dict(type='str'),
            mac=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            announce=dict(type='int', default=3),
        ),
        required_one_of=[('interface', 'mac')],
        mutually_exclusive=[('interface', 'mac')],
        supports_check_mode=True,
    )
    p = module.params
    try:
        address, prefix = split_cidr(p['address'])
    except ValueError as e:
        module.fail_json(msg=str(e))

    dummy, links, dummy = module.run_command(['ip', '-o', 'link', 'show'], environ_update=LC_C, check_rc=True)
    macs = parse_ip_link(links)
    interface = p['interface']
    if p['mac']:
        matches = [name for name, mac in macs.items() if mac == p['mac'].lower()]
        if not matches:
            module.fail_json(msg='no NIC with MAC %s on this node; its NICs: %s' % (
                p['mac'], ', '.join('%s %s' % item for item in sorted(macs.items()))))
        interface = matches[0]
    elif interface not in macs:
        module.fail_json(msg='no NIC named %s on this node; its NICs: %s' % (interface, ', '.join(sorted(macs))))

    dummy, addrs, dummy = module.run_command(['ip', '-o', '-4', 'addr', 'show'], environ_update=LC_C, check_rc=True)
    present = parse_ip_addr(addrs)
    try:
        action = plan(p['state'], address, prefix, interface, present)
    except ValueError as e:
        module.fail_json(msg=str(e))
    if action == 'delete':
        # `ip addr del` only matches the address with the prefix length it has on the NIC
        prefix = [a['prefix'] for a in present if a['address'] == address and a['interface'] == interface][0]

    if action and not module.check_mode:
        verb = 'add' if action == 'add' else 'del'
        module.run_command(['ip', 'addr', verb, '%s/%d' % (address, prefix), 'dev', interface],
                           environ_update=LC_C, check_rc=True)
        if action == 'add' and p['announce'] > 0:
            try:
                announce(interface, macs[interface], address, p['announce'])
            except (OSError, socket.error) as e:
                module.warn('the address is up but announcing it by gratuitous ARP failed: %s' % e)
    module.exit_json(changed=bool(action), action=action, interface=interface)


if __name__ == '__main__':
    main()
