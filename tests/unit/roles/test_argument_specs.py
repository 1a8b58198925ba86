# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role argument specs hold no templated default: Ansible templates the whole spec when it
validates a role, before facts may be there (a play with gather_facts: false then fails with
"object of type 'dict' has no attribute ..." instead of running the role). defaults/main.yml
computes such values."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..')


def templated_defaults(specs):
    """[(entry point, option)] whose default holds a Jinja2 expression."""
    found = []
    for entry, spec in sorted((specs.get('argument_specs') or {}).items()):
        for option, fields in sorted((spec.get('options') or {}).items()):
            if '{{' in str((fields or {}).get('default', '')) or '{%' in str((fields or {}).get('default', '')):
                found.append((entry, option))
    return found


def test_no_role_spec_has_a_templated_default():
    found = {}
    for path in glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')):
        with open(path) as f:
            bad = templated_defaults(yaml.safe_load(f))
        if bad:
            found[os.path.relpath(path, ROOT)] = bad
    assert found == {}


def test_the_reader_sees_a_templated_default():
    spec = {'argument_specs': {'main': {'options': {
        'x': {'type': 'str', 'default': "{{ ansible_facts['distribution_major_version'] }}"},
        'y': {'type': 'str', 'default': 'plain'}}}}}
    assert templated_defaults(spec) == [('main', 'x')]
