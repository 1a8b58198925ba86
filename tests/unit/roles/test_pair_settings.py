# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A setting has one home: the settings in roles/pair_settings have their only default there.
No role or playbook carries a fallback of its own (``hapair_resource | default('r0')``), every role
that reads one depends on pair_settings, and every play that reads one in its own tasks imports it.
Each check is also shown finding what it looks for."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import re

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
SETTINGS_ROLE = 'hapair.cluster.pair_settings'


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


SHARED = sorted(load(os.path.join(ROOT, 'roles', 'pair_settings', 'defaults', 'main.yml')))


def uses(text, names=None):
    """The shared settings ``text`` names (as whole words)."""
    return sorted(n for n in (names or SHARED) if re.search(r'\b%s\b' % re.escape(n), text))


def fallbacks(text):
    """'hapair_resource | default(' and the like: a second default for a shared setting."""
    return sorted(set(re.findall(r'\b(%s)\s*\|\s*default\(' % '|'.join(map(re.escape, SHARED)), text)))


def role_files(role_dir):
    found = []
    for part in ('tasks', 'vars', 'templates', 'defaults', 'handlers'):
        found += glob.glob(os.path.join(role_dir, part, '**', '*'), recursive=True)
    return [p for p in found if os.path.isfile(p)]


def roles_missing_the_dependency(roles_dir):
    """{role: [shared settings it reads]} for roles that read shared settings without depending on pair_settings."""
    missing = {}
    for role_dir in sorted(glob.glob(os.path.join(roles_dir, '*'))):
        name = os.path.basename(role_dir)
        if name == 'pair_settings':
            continue
        read = set()
        for path in role_files(role_dir):
            with open(path) as f:
                read.update(uses(f.read()))
        meta = load(os.path.join(role_dir, 'meta', 'main.yml')) or {}
        deps = [d['role'] if isinstance(d, dict) else d for d in meta.get('dependencies') or []]
        if read and SETTINGS_ROLE not in deps:
            missing[name] = sorted(read)
    return missing


def imports_the_settings(task):
    return any(task.get(k, {}).get('name') == SETTINGS_ROLE if isinstance(task.get(k), dict) else False
               for k in ('ansible.builtin.import_role', 'import_role'))


def plays_missing_the_import(playbook_text):
    """[(play name, [shared settings its own tasks and vars read])] for plays that read shared settings
    outside a role without importing pair_settings (role defaults are not seen by a play's own tasks)."""
    missing = []
    for play in yaml.safe_load(playbook_text) or []:
        if 'import_playbook' in play or 'ansible.builtin.import_playbook' in play:
            continue
        own = dict((k, v) for k, v in play.items() if k in ('vars', 'tasks', 'pre_tasks', 'post_tasks', 'handlers'))
        read = uses(yaml.safe_dump(own))
        if read and not any(imports_the_settings(t) for t in play.get('tasks') or []):
            missing.append((play.get('name'), read))
    return missing


def test_no_role_or_playbook_has_a_fallback_for_a_shared_setting():
    found = {}
    for path in glob.glob(os.path.join(ROOT, 'roles', '*', '**', '*.*'), recursive=True) + \
            glob.glob(os.path.join(ROOT, 'playbooks', '**', '*.yml'), recursive=True):
        if not os.path.isfile(path) or path.endswith('.md'):
            continue
        with open(path) as f:
            bad = fallbacks(f.read())
        if bad:
            found[os.path.relpath(path, ROOT)] = bad
    assert found == {}


def test_the_fallback_finder_sees_one():
    assert fallbacks('resource: "{{ hapair_resource | default(\'r0\') }}"') == ['hapair_resource']
    assert fallbacks("x: {{ (hapair_services|default([])) }}") == ['hapair_services']
    assert fallbacks("x: {{ hapair_resource_extra | default('y') }}") == []


def test_only_pair_settings_gives_shared_settings_a_default():
    found = {}
    for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'defaults', 'main.yml')):
        if '/pair_settings/' in path:
            continue
        again = sorted(set(load(path) or {}) & set(SHARED))
        if again:
            found[os.path.relpath(path, ROOT)] = again
    assert found == {}


def test_the_spec_documents_the_defaults_as_they_are():
    spec = load(os.path.join(ROOT, 'roles', 'pair_settings', 'meta', 'argument_specs.yml'))
    options = spec['argument_specs']['main']['options']
    defaults = load(os.path.join(ROOT, 'roles', 'pair_settings', 'defaults', 'main.yml'))
    assert sorted(options) == sorted(defaults)
    assert dict((k, options[k].get('default')) for k in options) == defaults


def test_every_role_that_reads_a_shared_setting_depends_on_pair_settings():
    assert roles_missing_the_dependency(os.path.join(ROOT, 'roles')) == {}


def test_the_dependency_check_sees_a_role_without_it(tmp_path):
    for name, deps in (('reads', []), ('depends', [{'role': SETTINGS_ROLE}])):
        (tmp_path / name / 'tasks').mkdir(parents=True)
        (tmp_path / name / 'meta').mkdir()
        (tmp_path / name / 'tasks' / 'main.yml').write_text(u'- ansible.builtin.debug:\n    msg: "{{ hapair_mount_point }}"\n')
        (tmp_path / name / 'meta' / 'main.yml').write_text(yaml.safe_dump({'dependencies': deps}))
    assert roles_missing_the_dependency(str(tmp_path)) == {'reads': ['hapair_mount_point']}


def test_every_play_that_reads_a_shared_setting_imports_pair_settings():
    found = {}
    for path in glob.glob(os.path.join(ROOT, 'playbooks', '**', '*.yml'), recursive=True):
        if '/vars/' in path:
            continue
        with open(path) as f:
            missing = plays_missing_the_import(f.read())
        if missing:
            found[os.path.relpath(path, ROOT)] = missing
    assert found == {}


def test_the_import_check_sees_a_play_without_it():
    reads = '- name: Reads\n  hosts: all\n  tasks:\n    - ansible.builtin.debug:\n        msg: "{{ hapair_resource }}"\n'
    imports = ('- name: Imports\n  hosts: all\n  tasks:\n    - ansible.builtin.import_role:\n        name: %s\n'
               '    - ansible.builtin.debug:\n        msg: "{{ hapair_resource }}"\n' % SETTINGS_ROLE)
    only_roles = '- name: Roles only\n  hosts: all\n  tasks:\n    - ansible.builtin.include_role:\n        name: hapair.cluster.status\n'
    assert plays_missing_the_import(reads) == [('Reads', ['hapair_resource'])]
    assert plays_missing_the_import(imports) == []
    assert plays_missing_the_import(only_roles) == []
