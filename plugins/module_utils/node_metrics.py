# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""This node's view of the pair as node_exporter textfile metrics.

PRIVATE to the hapair.cluster collection. The monitoring role copies this file and the module_utils
it imports to the node and runs it from a systemd timer, with the node's own Python (EL7's 2.7
included):

    python -m ansible_collections.hapair.cluster.plugins.module_utils.node_metrics \\
        --resource r0 --textfile-dir /var/lib/prometheus/node-exporter

It reads DRBD the way the modules do (drbd_probe), the fence-peer handler's record and the backup
job's last-run record, and replaces DIR/hapair.prom atomically. Names follow Prometheus'
conventions: units in the name, gauges only (each value is a state, not a count).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import time

from ansible_collections.hapair.cluster.plugins.module_utils.backup_job import LAST_RUN_PATH, write_atomically
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_probe import (
    FENCING_LOG, read_file, read_resources, split_brain_marker,
)
from ansible_collections.hapair.cluster.plugins.module_utils.drbd_status import SYNC_STATES
from ansible_collections.hapair.cluster.plugins.module_utils.fencing import FENCED, parse_last
from ansible_collections.hapair.cluster.plugins.module_utils.local_command import run_command

TEXTFILE_NAME = 'hapair.prom'

# name -> help; the order of the file
HELP = (
    ('hapair_up', '1 when the DRBD resource is up on this node.'),
    ('hapair_primary', '1 when this node is DRBD Primary.'),
    ('hapair_connected', '1 when this node is connected to its peer.'),
    ('hapair_disk_uptodate', '1 when this node\'s disk is UpToDate.'),
    ('hapair_peer_disk_uptodate', '1 when the peer\'s disk is UpToDate, as this node sees it.'),
    ('hapair_out_of_sync_bytes', 'Data that differs between the two disks, still to resync.'),
    ('hapair_resync_progress_ratio', 'Progress of the running resync, 0 to 1.'),
    ('hapair_writes_suspended', '1 when DRBD holds the writes (fencing policy freeze, peer lost).'),
    ('hapair_split_brain', '1 when DRBD detected a split brain that is not resolved.'),
    ('hapair_fencing_last_attempt_timestamp_seconds', 'When this node last tried to fence its peer.'),
    ('hapair_fencing_last_attempt_fenced', '1 when that attempt fenced the peer.'),
    ('hapair_fencing_path_broken', '1 when that attempt found the fencing path broken.'),
    ('hapair_backup_last_run_timestamp_seconds', 'When the last backup run on this node ended.'),
    ('hapair_backup_last_run_success', '1 when the last backup run on this node succeeded.'),
    ('hapair_backup_last_success_timestamp_seconds', 'When a backup run on this node last succeeded.'),
    ('hapair_last_update_timestamp_seconds', 'When this file was written.'),
)


def _flag(value):
    return 1 if value else 0


def collect(state, fencing_record, backup_record, split_brain, now):
    """{metric name: value} from this node's view (pure: the unit tests feed it)."""
    values = {'hapair_up': _flag(state), 'hapair_split_brain': _flag(split_brain),
              'hapair_last_update_timestamp_seconds': int(now)}
    if state:
        values.update(
            hapair_primary=_flag(state.get('role') == 'Primary'),
            hapair_connected=_flag(state.get('connection_state') == 'Connected'),
            hapair_disk_uptodate=_flag(state.get('disk_state') == 'UpToDate'),
            hapair_peer_disk_uptodate=_flag(state.get('peer_disk_state') == 'UpToDate'),
            hapair_writes_suspended=_flag(state.get('suspended')),
        )
        if state.get('out_of_sync_kib') is not None:
            values['hapair_out_of_sync_bytes'] = int(state['out_of_sync_kib']) * 1024
        if state.get('replication_state') in SYNC_STATES and state.get('sync_percent') is not None:
            values['hapair_resync_progress_ratio'] = round(float(state['sync_percent']) / 100.0, 4)
    if fencing_record:
        values.update(
            hapair_fencing_last_attempt_timestamp_seconds=int(fencing_record['at']),
            hapair_fencing_last_attempt_fenced=_flag(fencing_record['result'] in FENCED),
            hapair_fencing_path_broken=_flag(fencing_record['result'] == 'broken'),
        )
    if backup_record:
        values.update(
            hapair_backup_last_run_timestamp_seconds=backup_record.get('last_run_at'),
            hapair_backup_last_run_success=_flag(backup_record.get('last_run_success')),
        )
        if backup_record.get('last_success_at') is not None:
            values['hapair_backup_last_success_timestamp_seconds'] = backup_record['last_success_at']
    return values


def render(resource, values):
    """The textfile: HELP, TYPE and one sample per metric that has a value."""
    label = '{resource="%s"}' % resource.replace('\\', '\\\\').replace('"', '\\"')
    lines = []
    for name, text in HELP:
        if values.get(name) is None:
            continue
        lines.append('# HELP %s %s' % (name, text))
        lines.append('# TYPE %s gauge' % name)
        lines.append('%s%s %s' % (name, label, values[name]))
    return '\n'.join(lines) + '\n'


def read_backup_record(resource):
    text = read_file(LAST_RUN_PATH % resource)
    try:
        record = json.loads(text) if text else None
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def snapshot(resource, run=run_command, now=None):
    """This node's values now."""
    states = {}
    if os.path.exists('/proc/drbd'):
        states, dummy, dummy = read_resources(run, resource)
    return collect(states.get(resource), parse_last(read_file(FENCING_LOG), resource),
                   read_backup_record(resource), os.path.exists(split_brain_marker(resource)),
                   time.time() if now is None else now)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Write hapair metrics for node_exporter\'s textfile collector.')
    parser.add_argument('--resource', required=True, help='the DRBD resource')
    parser.add_argument('--textfile-dir', required=True, help='node_exporter\'s --collector.textfile.directory')
    args = parser.parse_args(argv)
    write_atomically(os.path.join(args.textfile_dir, TEXTFILE_NAME), render(args.resource, snapshot(args.resource)))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
