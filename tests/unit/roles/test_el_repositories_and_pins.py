# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the node and backup roles install on EL, from their vars files as Ansible would template them.

References:
- elrepo/packages, elrepo-release/el7/elrepo-release.spec and elrepo.repo: the elrepo-release package
  installs /etc/yum.repos.d/elrepo.repo with the repository id [elrepo]. epel-release installs
  /etc/yum.repos.d/epel.repo with [epel]. A yum_repository task named elrepo (file defaults to the name)
  would overwrite the package's file; the roles use ids and files of their own.
- elrepo/packages, drbd84-kmod/el7/drbd84-kmod.spec and drbd90-kmod/el8/drbd90-kmod.spec: each kmod is
  built against one kernel (kversion / kmod_kernel_version, "Requires: kernel >= ...") and linked into the
  kABI-compatible kernels by weak-modules (elrepo.org/wiki "Overrides"). kmod and utils carry versions of
  their own (drbd84-kmod 8.4.11, drbd84-utils 9.12.2). The roles hold both with yum versionlock, whose
  plugin is yum-plugin-versionlock on EL7 (yum) and python3-dnf-plugin-versionlock on EL 8/9 (dnf).
- EPEL 7 is archived: dl.fedoraproject.org/pub/epel/7 answers 404 (canonical/snap-docs issue 324); the
  archive keeps released EPEL trees under archives.fedoraproject.org/pub/archive/epel/<release>/.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import jinja2
import pytest
import yaml

ROLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'roles')
DISTRIBUTION_REPO_IDS = {'elrepo', 'epel'}   # [elrepo] of elrepo-release, [epel] of epel-release
DISTRIBUTION_REPO_FILES = {'elrepo', 'epel'}  # /etc/yum.repos.d/<file>.repo of those packages


def load(role, *names):
    values = {}
    for name in names:
        with open(os.path.join(ROLES, role, name)) as f:
            values.update(yaml.safe_load(f) or {})
    return values


def template(value, context):
    """Ansible's lazy templating of variables, enough for these vars files (strings, lists, dicts)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    for dummy in range(5):
        if isinstance(value, str) and '{{' in value:
            rendered = env.from_string(value).render(**context)
            try:
                parsed = yaml.safe_load(rendered) if rendered.strip().startswith(('{', '[')) else rendered
            except yaml.YAMLError:
                parsed = rendered
            value = parsed
        elif isinstance(value, list):
            return [template(v, context) for v in value]
        elif isinstance(value, dict):
            return dict((k, template(v, context)) for k, v in value.items())
        else:
            return value
    return value


class Vars(dict):
    def __getitem__(self, key):
        return template(dict.__getitem__(self, key), self)


def node_vars(release, **override):
    values = Vars(load('node', 'defaults/main.yml', 'vars/main.yml', 'vars/%s.yml' % release))
    values['ansible_facts'] = {'distribution_major_version': release.split('-')[-1],
                               'selinux': {'status': 'enabled'}}
    values.update(override)
    return values


def backup_vars(family, major, **override):
    values = Vars(load('backup', 'defaults/main.yml', 'vars/main.yml', 'vars/%s.yml' % family))
    values['ansible_facts'] = {'distribution_major_version': major}
    values.update(override)
    return values


def repositories_overwriting_the_distributions(repositories):
    """The repositories a yum_repository task would write over a distribution package's file or id:
    the file is the name when no file is given (ansible.builtin.yum_repository)."""
    return [r['name'] for r in repositories
            if r['name'] in DISTRIBUTION_REPO_IDS or r.get('file', r['name']) in DISTRIBUTION_REPO_FILES]


@pytest.mark.parametrize('release', ['RedHat-7', 'RedHat-8', 'RedHat-9'])
def test_elrepo_is_added_under_an_id_and_file_of_our_own(release):
    values = node_vars(release)
    repos = values['__hapair_node_repositories']
    assert [r['name'] for r in repos] == ['hapair-elrepo'] and repos[0]['file'] == 'hapair-elrepo'
    assert repositories_overwriting_the_distributions(repos) == []
    assert template(repos[0]['baseurl'], values) == (
        'https://elrepo.org/linux/elrepo/el%s/$basearch/' % release[-1])


@pytest.mark.parametrize('major, baseurl', [
    ('7', 'https://archives.fedoraproject.org/pub/archive/epel/7/$basearch/'),
    ('8', 'https://dl.fedoraproject.org/pub/epel/8/Everything/$basearch/'),
    ('9', 'https://dl.fedoraproject.org/pub/epel/9/Everything/$basearch/'),
])
def test_epel_is_added_for_restic_under_an_id_and_file_of_our_own(major, baseurl):
    values = backup_vars('RedHat', major)
    repos = values['__hapair_backup_repositories']
    assert [(r['name'], r['file']) for r in repos] == [('hapair-epel', 'hapair-epel')]
    assert repositories_overwriting_the_distributions(repos) == []
    assert template(repos[0]['baseurl'], values) == baseurl
    assert template(repos[0]['gpgkey'], values) == 'https://dl.fedoraproject.org/pub/epel/RPM-GPG-KEY-EPEL-' + major
    assert 'hapair_epel_baseurl' in values['__hapair_backup_package_sources']['restic']


def test_negative_control_the_old_elrepo_task_overwrote_elrepo_release():
    assert repositories_overwriting_the_distributions([{'name': 'elrepo'}]) == ['elrepo']
    assert repositories_overwriting_the_distributions([{'name': 'x', 'file': 'epel'}]) == ['x']


def test_debian_adds_no_repository_and_holds_nothing():
    assert node_vars('Debian-12')['__hapair_node_repositories'] == []
    assert node_vars('Debian-12')['__hapair_drbd_held_packages'] == []
    assert backup_vars('Debian', '12')['__hapair_backup_repositories'] == []


def drbd_specs(values):
    return [p for p in values['__hapair_node_packages'] if 'drbd' in p]


@pytest.mark.parametrize('release, plugin', [('RedHat-7', 'yum-plugin-versionlock'),
                                             ('RedHat-8', 'python3-dnf-plugin-versionlock'),
                                             ('RedHat-9', 'python3-dnf-plugin-versionlock')])
def test_drbd_is_installed_at_the_pinned_versions_and_held(release, plugin):
    values = node_vars(release, hapair_drbd_flavor='drbd84', hapair_drbd_version='8.4.11',
                       hapair_drbd_utils_version='9.12.2')
    assert drbd_specs(values) == ['kmod-drbd84-8.4.11', 'drbd84-utils-9.12.2']
    assert values['__hapair_drbd_held_packages'] == ['kmod-drbd84', 'drbd84-utils']
    assert plugin in values['__hapair_node_packages']
    # unpinned: whatever the repository offers, held all the same
    values = node_vars(release)
    assert drbd_specs(values) == ['kmod-drbd90', 'drbd90-utils']
    assert values['__hapair_drbd_held_packages'] == ['kmod-drbd90', 'drbd90-utils']


def test_every_held_package_is_one_the_role_installs():
    for release in ('RedHat-7', 'RedHat-8', 'RedHat-9'):
        values = node_vars(release, hapair_drbd_version='9.1.23')
        installed = values['__hapair_node_packages']
        for held in values['__hapair_drbd_held_packages']:
            assert any(p == held or p.startswith(held + '-9') for p in installed), (release, held)


def test_the_install_failure_names_elrepo_for_the_drbd_packages():
    values = node_vars('RedHat-7', hapair_drbd_flavor='drbd84')
    sources = values['__hapair_node_package_sources']
    assert 'hapair_elrepo_baseurl' in sources['kmod-drbd84'] and 'hapair_elrepo_baseurl' in sources['drbd84-utils']
    assert 'versionlock delete kmod-drbd84 drbd84-utils' in ' '.join(sources['kmod-drbd84'].split())
    assert 'vault.centos.org' in sources['*']


def test_the_roles_install_and_hold_through_these_variables():
    with open(os.path.join(ROLES, 'node', 'tasks', 'main.yml')) as f:
        tasks = yaml.safe_load(f)
    by_module = dict((k, t) for t in tasks for k in t if '.' in k)
    assert by_module['community.general.yum_versionlock']['loop'] == '{{ __hapair_drbd_held_packages }}'
    repo = by_module['ansible.builtin.yum_repository']['ansible.builtin.yum_repository']
    assert repo['file'] == '{{ item.file }}'
    with open(os.path.join(ROLES, 'backup', 'tasks', 'main.yml')) as f:
        tasks = yaml.safe_load(f)
    repo = [t for t in tasks if 'ansible.builtin.yum_repository' in t][0]
    assert repo['ansible.builtin.yum_repository']['file'] == '{{ item.file }}'
    assert 'hapair_manage_repositories and hapair_manage_packages' in repo['loop']


def held_but_not_installed(held, installed):
    return [h for h in held if not any(p == h or (p.startswith(h + '-') and p[len(h) + 1:][:1].isdigit())
                                       for p in installed)]


def test_held_packages_are_installed_ones_with_a_negative_control():
    for release in ('RedHat-7', 'RedHat-8', 'RedHat-9'):
        values = node_vars(release, hapair_drbd_version='9.1.23')
        assert held_but_not_installed(values['__hapair_drbd_held_packages'], values['__hapair_node_packages']) == []
    # control: a lock on a name the role does not install (the old flavour) is caught
    assert held_but_not_installed(['kmod-drbd84'], ['kmod-drbd90-9.1.23']) == ['kmod-drbd84']
