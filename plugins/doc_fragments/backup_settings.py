# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The settings the backup role writes on each node, shared by backup_run, backup_info and backup_restore.
    DOCUMENTATION = r'''
options:
  resource:
    description: The DRBD resource whose mirror is backed up.
    type: str
    default: r0
  config:
    description:
      - The backup job's settings file, written by the P(hapair.cluster.backup#role) role (mode 0600).
        Default C(/etc/hapair/backup/RESOURCE.json).
    type: path
'''
