# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""node_metrics: this node's view as node_exporter textfile metrics, on states written out by hand."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hapair.cluster.plugins.module_utils import node_metrics as nm

PRIMARY = {'role': 'Primary', 'connection_state': 'Connected', 'disk_state': 'UpToDate',
           'peer_disk_state': 'UpToDate', 'replication_state': 'Established', 'suspended': False,
           'out_of_sync_kib': 0, 'sync_percent': None}
SYNCING = dict(PRIMARY, replication_state='SyncSource', peer_disk_state='Inconsistent',
               out_of_sync_kib=262144, sync_percent=37.5)
CUT_OFF = dict(PRIMARY, connection_state='Connecting', peer_disk_state='DUnknown', suspended=True,
               out_of_sync_kib=None)


def test_a_healthy_primary():
    assert nm.collect(PRIMARY, None, None, False, 1000.9) == {
        'hapair_up': 1, 'hapair_primary': 1, 'hapair_connected': 1, 'hapair_disk_uptodate': 1,
        'hapair_peer_disk_uptodate': 1, 'hapair_writes_suspended': 0, 'hapair_out_of_sync_bytes': 0,
        'hapair_split_brain': 0, 'hapair_last_update_timestamp_seconds': 1000}


def test_a_resync_gives_bytes_and_progress():
    values = nm.collect(SYNCING, None, None, False, 1000)
    assert values['hapair_out_of_sync_bytes'] == 268435456
    assert values['hapair_resync_progress_ratio'] == 0.375
    assert values['hapair_peer_disk_uptodate'] == 0


def test_a_primary_cut_off_with_frozen_writes():
    values = nm.collect(CUT_OFF, None, None, False, 1000)
    assert (values['hapair_connected'], values['hapair_writes_suspended']) == (0, 1)
    assert 'hapair_out_of_sync_bytes' not in values
    assert 'hapair_resync_progress_ratio' not in values


def test_a_resource_that_is_down_says_only_that():
    assert nm.collect(None, None, None, True, 1000) == {
        'hapair_up': 0, 'hapair_split_brain': 1, 'hapair_last_update_timestamp_seconds': 1000}


def test_fencing_records():
    broken = {'at': 900, 'resource': 'r0', 'result': 'broken', 'peer': 'node2', 'rc': '255', 'detail': ''}
    values = nm.collect(PRIMARY, broken, None, False, 1000)
    assert (values['hapair_fencing_last_attempt_timestamp_seconds'], values['hapair_fencing_last_attempt_fenced'],
            values['hapair_fencing_path_broken']) == (900, 0, 1)
    outdated = dict(broken, result='outdated')
    values = nm.collect(PRIMARY, outdated, None, False, 1000)
    assert (values['hapair_fencing_last_attempt_fenced'], values['hapair_fencing_path_broken']) == (1, 0)


def test_backup_records():
    failed = {'last_run_at': 950, 'last_run_success': False, 'last_success_at': 500}
    values = nm.collect(PRIMARY, None, failed, False, 1000)
    assert (values['hapair_backup_last_run_timestamp_seconds'], values['hapair_backup_last_run_success'],
            values['hapair_backup_last_success_timestamp_seconds']) == (950, 0, 500)
    never = dict(failed, last_success_at=None)
    assert 'hapair_backup_last_success_timestamp_seconds' not in nm.collect(PRIMARY, None, never, False, 1000)


def test_render_writes_help_type_and_sample_per_metric():
    text = nm.render('r0', {'hapair_up': 1, 'hapair_last_update_timestamp_seconds': 1000, 'hapair_primary': None})
    assert text == (
        '# HELP hapair_up 1 when the DRBD resource is up on this node.\n'
        '# TYPE hapair_up gauge\n'
        'hapair_up{resource="r0"} 1\n'
        '# HELP hapair_last_update_timestamp_seconds When this file was written.\n'
        '# TYPE hapair_last_update_timestamp_seconds gauge\n'
        'hapair_last_update_timestamp_seconds{resource="r0"} 1000\n')


def test_every_metric_has_a_help_line_and_a_conventional_name():
    names = [name for name, dummy in nm.HELP]
    assert len(names) == len(set(names))
    values = nm.collect(SYNCING, {'at': 1, 'result': 'outdated'},
                        {'last_run_at': 2, 'last_run_success': True, 'last_success_at': 2}, True, 3)
    assert sorted(values) == sorted(names)
    for name in names:
        assert name.startswith('hapair_') and not name.endswith('_total')


def test_main_replaces_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(nm, 'snapshot', lambda resource: {'hapair_up': 0, 'hapair_last_update_timestamp_seconds': 5})
    (tmp_path / 'hapair.prom').write_text(u'old')
    assert nm.main(['--resource', 'r0', '--textfile-dir', str(tmp_path)]) == 0
    assert (tmp_path / 'hapair.prom').read_text().startswith('# HELP hapair_up ')
    assert [p.name for p in tmp_path.iterdir()] == ['hapair.prom']
