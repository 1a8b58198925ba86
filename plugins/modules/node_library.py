#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: node_library
short_description: Install the collection's own node-side Python code on a node, in one call
version_added: 0.3.0
description:
  - Tools that run on a node without Ansible (the monitoring role's metrics job) are the collection's own
    module_utils, run with C(python -m ansible_collections.hapair.cluster.plugins.module_utils.NAME) and
    C(PYTHONPATH=DEST), the same files the modules import, not a second implementation.
  - The action plugin reads, on the controller, the module_utils files named in O(entries) and every module_utils
    file they import (directly or not) from this installed collection, and sends them in one module call. The
    module writes those that are missing or differ under O(dest), in the collection's package path, with the
    C(__init__.py) files Python 2.7 needs. One call instead of a task per file and directory.
  - Files under O(dest) that are not part of the library are left alone.
options:
  dest:
    description: The library directory, the one the tools put on C(PYTHONPATH). Created when missing.
    type: path
    required: true
  entries:
    description:
      - The module_utils modules the node runs (names without C(.py)), for example V(node_metrics). Their
        imports are added by the action plugin.
      - Set by the action plugin as O(files); give one or the other.
    type: list
    elements: str
  files:
    description: What to write, as paths under O(dest) and their text. Filled in by the action plugin from O(entries).
    type: dict
attributes:
  action:
    support: full
    details: The action plugin reads the files on the controller; the module writes them on the node.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    details: Says which files it would write and writes nothing.
    support: full
  diff_mode:
    details: Lists the files that would change.
    support: partial
  platform:
    platforms: posix
extends_documentation_fragment:
  - action_common_attributes
  - action_common_attributes.flow
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Install the metrics job's code
  hapair.cluster.node_library:
    dest: /usr/local/lib/hapair/metrics
    entries: [node_metrics]
'''

RETURN = r'''
written:
  description: The files written (or, in check mode, that would be), as paths under O(dest).
  returned: always
  type: list
  elements: str
  sample: [ansible_collections/hapair/cluster/plugins/module_utils/node_metrics.py]
files:
  description: Every file of the library, as paths under O(dest).
  returned: always
  type: list
  elements: str
'''

import errno
import io
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.hapair.cluster.plugins.module_utils.node_library import plan


def read_text(path):
    try:
        with io.open(path, encoding='utf-8') as handle:
            return handle.read()
    except (IOError, OSError) as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    except UnicodeDecodeError:
        return None   # not ours: rewritten


def write_text(path, text):
    """Replace the file atomically (a reader never sees half of it), mode 0644, root's."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.hapair-')
    try:
        with io.open(fd, 'w', encoding='utf-8') as handle:
            handle.write(to_text(text))
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main():
    module = AnsibleModule(
        argument_spec=dict(
            dest=dict(type='path', required=True),
            entries=dict(type='list', elements='str'),
            files=dict(type='dict'),
        ),
        mutually_exclusive=[('entries', 'files')],
        required_one_of=[('entries', 'files')],
        supports_check_mode=True,
    )
    if module.params['files'] is None:
        module.fail_json(msg='entries are read by the action plugin on the controller: run this module through it '
                             '(hapair.cluster.node_library), not with -m on the node')
    dest = module.params['dest']
    files = dict((to_text(k), to_text(v if v is not None else '')) for k, v in module.params['files'].items())
    for path in files:
        if path.startswith('/') or '..' in path.split('/'):
            module.fail_json(msg='%s is not a path under %s; nothing was written' % (path, dest))
    existing = dict((path, read_text(os.path.join(dest, path))) for path in files)
    written = plan(files, existing)
    if not module.check_mode:
        for path in written:
            write_text(os.path.join(dest, path), files[path])
    result = dict(changed=bool(written), written=written, files=sorted(files))
    if module._diff and written:
        result['diff'] = dict(before='', after=''.join('%s\n' % path for path in written),
                              before_header=dest, after_header='%s (written)' % dest)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
