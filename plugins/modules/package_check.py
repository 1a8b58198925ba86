#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: package_check
short_description: Check that packages are installed, without installing anything
version_added: 0.1.0
description:
  - Read-only. Asks the package database (C(dpkg-query) on Debian, C(rpm) on Red Hat) whether each
    package is installed and fails, naming every missing one, when any is not.
  - For nodes whose packages the operator installs (the roles' C(hapair_manage_packages=false)),
    such as servers whose repositories are out of reach or archived (EL7's are), or whose packages
    another tool manages.
  - Needs no Python bindings of the package manager, so it also runs on an interpreter that has
    none (Python 2.7 or 3.6 on EL7, where M(ansible.builtin.yum) and M(ansible.builtin.dnf) must
    re-run themselves under the platform Python).
options:
  names:
    description:
      - The packages. A Debian name may carry V(=version), which is ignored; a Red Hat name may
        carry V(-version[-release]), which C(rpm -q) then matches.
    type: list
    elements: str
    required: true
  sources:
    description:
      - Where packages come from, as package name to a hint naming the repository and the variable that
        sets it, for example V(restic) to V(EPEL, set hapair_epel_baseurl and hapair_epel_gpgkey). The key V(*)
        gives the hint for every other package. The failure message names the hint of each missing package.
    type: dict
    default: {}
  install_error:
    description:
      - What the package manager said when the roles tried to install O(names) (for example yum's
        C(No package restic available.)). Added to the failure message.
    type: str
    default: ""
attributes:
  check_mode:
    details: The module changes nothing, so it runs the same in check mode.
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Refuse to go on unless DRBD's tools are installed
  hapair.cluster.package_check:
    names: [drbd-utils, xfsprogs]

- name: Say which package could not be installed and which repository variable to set
  hapair.cluster.package_check:
    names: [restic]
    sources:
      restic: EPEL (hapair_epel_baseurl, hapair_epel_gpgkey)
    install_error: No package restic available.
'''

RETURN = r'''
installed:
  description: The installed packages with their versions (several, space-separated, when rpm has more than one).
  returned: always
  type: dict
  sample: {drbd-utils: 9.22.0-1}
missing:
  description: The packages that are not installed.
  returned: always
  type: list
  elements: str
tool:
  description: The query tool used.
  returned: always
  type: str
  sample: dpkg-query
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hapair.cluster.plugins.module_utils.packages import missing_message, parse, query_argv

LC_C = {'LC_ALL': 'C', 'LANG': 'C'}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            names=dict(type='list', elements='str', required=True),
            sources=dict(type='dict', default={}),
            install_error=dict(type='str', default=''),
        ),
        supports_check_mode=True,
    )
    names = module.params['names']
    tool = 'dpkg-query' if module.get_bin_path('dpkg-query') else 'rpm' if module.get_bin_path('rpm') else None
    if tool is None:
        module.fail_json(msg='neither dpkg-query nor rpm is on this node: cannot tell which packages are installed')
    rc, out, err = module.run_command(query_argv(tool, names), environ_update=LC_C)
    installed, missing = parse(tool, names, out)
    result = dict(changed=False, installed=installed, missing=missing, tool=tool)
    if missing:
        module.fail_json(msg=missing_message(missing, tool, module.params['sources'],
                                             module.params['install_error']), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
