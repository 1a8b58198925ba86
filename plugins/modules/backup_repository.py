#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: backup_repository
short_description: Make sure a restic repository exists and opens with the given password
version_added: 0.1.0
description:
  - Opens the restic repository (C(restic cat config)). When there is none at that location, it
    is initialised (C(restic init)).
  - A repository that exists but does not open with O(password), or a server that cannot be reached
    (DNS, refused or timed-out connection, SSH host key or login refused), makes the module fail
    with restic's reason and what to do. Nothing is created then.
  - The password goes to restic in a temporary 0600 file that is removed afterwards; it is never on
    a command line nor in the result.
  - "For an SFTP repository (C(sftp:user@host:/path) or C(sftp://user@host:port//path)) with
    O(ssh_key_file) or O(known_hosts_file), restic connects through C(ssh -i KEY -o
    IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=FILE -o
    ConnectTimeout=N [-p PORT] user@host -s sftp) (restic's C(sftp.command) option): no password
    prompt, and an unknown or changed host key is refused."
options:
  repository:
    description: Any restic repository string (a local path, C(sftp:), C(s3:), C(rest:), ...).
    type: str
    required: true
  password:
    description: The repository's password.
    type: str
    required: true
  environment:
    description: Extra environment for restic, for example C(AWS_ACCESS_KEY_ID) and C(AWS_SECRET_ACCESS_KEY)
      for S3. Not logged.
    type: dict
    default: {}
  ssh_key_file:
    description: Private key for an SFTP repository. The path must not contain blanks, quotes or commas.
    type: path
  known_hosts_file:
    description: known_hosts file that pins the SFTP server's host key. Default, root's own.
    type: path
  ssh_connect_timeout:
    description: SSH connect timeout in seconds for an SFTP repository.
    type: int
    default: 10
  state:
    description: V(present) is the only state; a repository is never removed.
    type: str
    default: present
    choices: [present]
attributes:
  check_mode:
    support: full
    details: The repository is opened (read-only); a missing one is reported as C(changed) and not
      initialised.
  diff_mode:
    support: none
  platform:
    support: N/A
    platforms: posix
notes:
  - Needs C(restic) on the node (and C(ssh) for SFTP).
seealso:
  - module: hapair.cluster.backup_run
  - name: restic documentation, preparing a new repository
    description: The repository strings restic accepts.
    link: https://restic.readthedocs.io/en/stable/030_preparing_a_new_repo.html
extends_documentation_fragment:
  - action_common_attributes
author:
  - hapair.cluster developers (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Open (or initialise) the SFTP repository
  hapair.cluster.backup_repository:
    repository: sftp:hapair@10.0.2.100:/r0
    password: "{{ hapair_backup_password }}"
    ssh_key_file: /etc/hapair/backup/ssh_key
    known_hosts_file: /etc/hapair/backup/known_hosts

- name: An S3 bucket
  hapair.cluster.backup_repository:
    repository: s3:https://s3.example.com/backups/hapair
    password: "{{ hapair_backup_password }}"
    environment:
      AWS_ACCESS_KEY_ID: "{{ s3_key_id }}"
      AWS_SECRET_ACCESS_KEY: "{{ s3_secret }}"
'''

RETURN = r'''
exists:
  description: Whether the repository exists at the end (in check mode, whether it existed).
  returned: always
  type: bool
  sample: true
initialised:
  description: Whether the module initialised a new repository.
  returned: always
  type: bool
  sample: false
repository:
  description: The repository (a password in a URL is hidden).
  returned: always
  type: str
  sample: sftp:hapair@10.0.2.100:/r0
'''

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.hapair.cluster.plugins.module_utils.backup_job import (
    BackupError, command_runner, ensure_repository, redact, repository_config,
)


def write_password(password, directory=None):
    """The password in a new 0600 file (mkstemp); its path."""
    handle, path = tempfile.mkstemp(prefix='hapair-restic-', dir=directory)
    try:
        os.write(handle, to_bytes(password, errors='surrogate_or_strict'))
    finally:
        os.close(handle)
    return path


def main():
    module = AnsibleModule(
        argument_spec=dict(
            repository=dict(type='str', required=True),
            password=dict(type='str', required=True, no_log=True),
            environment=dict(type='dict', default={}, no_log=True),
            ssh_key_file=dict(type='path'),
            known_hosts_file=dict(type='path'),
            ssh_connect_timeout=dict(type='int', default=10),
            state=dict(type='str', default='present', choices=['present']),
        ),
        supports_check_mode=True,
    )
    params = module.params
    result = dict(changed=False, exists=False, initialised=False, repository=redact(params['repository']))
    if not params['password']:
        module.fail_json(msg='password must not be empty', **result)
    ssh = None
    if params['ssh_key_file'] or params['known_hosts_file']:
        ssh = dict(key_file=params['ssh_key_file'], known_hosts_file=params['known_hosts_file'],
                   connect_timeout=params['ssh_connect_timeout'])
    restic = module.get_bin_path('restic', required=True)
    password_file = write_password(params['password'], module.tmpdir)
    try:
        cfg = repository_config(params['repository'], password_file, params['environment'], ssh, restic)
        found = ensure_repository(cfg, command_runner(module.run_command), check_mode=module.check_mode)
    except BackupError as ex:
        module.fail_json(msg=ex.message, kind=ex.kind, **result)
    finally:
        os.unlink(password_file)
    found.pop('log', None)
    result.update(found)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
