# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The artifact check (tests/tools/package_contents.py) on file lists whose verdict is known."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))

import package_contents  # noqa: E402

GOOD = list(package_contents.REQUIRED) + ['roles/mirror/tasks/main.yml', 'changelogs/changelog.yaml']


def test_the_collection_alone_passes():
    assert package_contents.problems(GOOD) == []


def test_the_lab_tests_and_toolchain_are_named():
    found = package_contents.problems(GOOD + [
        'molecule/default/molecule.yml', 'tests/lab/labctl', 'bench/bench.py', 'proof/proof.py',
        'Makefile', 'requirements-dev.txt', 'plugins/modules/__pycache__/drbd_role.cpython-311.pyc'])
    assert found == [
        'does not belong in the artifact: Makefile (matches Makefile)',
        'does not belong in the artifact: bench/bench.py (matches bench/*)',
        'does not belong in the artifact: molecule/default/molecule.yml (matches molecule/*)',
        'does not belong in the artifact: plugins/modules/__pycache__/drbd_role.cpython-311.pyc (matches *.pyc)',
        'does not belong in the artifact: proof/proof.py (matches proof/*)',
        'does not belong in the artifact: requirements-dev.txt (matches requirements-dev.txt)',
        'does not belong in the artifact: tests/lab/labctl (matches tests/*)',
    ]


def test_a_missing_playbook_or_ee_file_is_named():
    names = [n for n in GOOD if n not in ('playbooks/failover.yml', 'meta/execution-environment.yml')]
    assert package_contents.problems(names) == [
        'missing: meta/execution-environment.yml', 'missing: playbooks/failover.yml']


def test_tar_member_prefix_is_ignored():
    assert package_contents.problems(['./' + n for n in GOOD]) == []
