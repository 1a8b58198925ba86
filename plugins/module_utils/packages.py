# -*- coding: utf-8 -*-
# Copyright (c) 2026, hapair.cluster developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which of a list of packages are installed, from the package database's own query tool.

For nodes whose packages the roles do not install (hapair_manage_packages: false): the
operator installed them, and the roles check that they did before using them. The queries
need no Python bindings of the package manager, so they run on any interpreter.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# dpkg-query prints one line per package it knows; ${db:Status-Abbrev} is "ii " when installed.
DPKG_FORMAT = '${Package}\t${Version}\t${db:Status-Abbrev}\n'
# rpm -q prints one line per argument, in order: the format, or "package X is not installed".
RPM_FORMAT = '%{NAME}\t%{VERSION}-%{RELEASE}\n'


def base_name(spec):
    """'drbd-utils=9.22.0-1' or 'kmod-drbd84-8.4.11' as the query tool sees it: for dpkg the
    part before '=', for rpm the spec itself (rpm -q accepts NAME[-VERSION[-RELEASE]])."""
    return spec.split('=', 1)[0].strip()


def query_argv(tool, names):
    if tool == 'dpkg-query':
        return ['dpkg-query', '--show', '--showformat=' + DPKG_FORMAT] + [base_name(n) for n in names]
    if tool == 'rpm':
        return ['rpm', '-q', '--queryformat', RPM_FORMAT] + list(names)
    raise ValueError('unknown package query tool %s' % tool)


def parse_dpkg(names, stdout):
    """({name: version}, [missing]) from dpkg-query --show; a package dpkg only remembers
    (removed, config files left: 'rc') is missing."""
    installed = {}
    for line in stdout.splitlines():
        fields = line.split('\t')
        if len(fields) == 3 and fields[2].startswith('ii'):
            installed[fields[0].split(':', 1)[0]] = fields[1]
    found = dict((n, installed[base_name(n)]) for n in names if base_name(n) in installed)
    return found, [n for n in names if n not in found]


NOT_INSTALLED = re.compile(r'^package (\S+) is not installed$')


def _rpm_matches(spec, name):
    return spec == name or spec.startswith(name + '-')


def parse_rpm(names, stdout):
    """({spec: version-release}, [missing]) from rpm -q, which answers each argument in order:
    "package X is not installed", or one line per installed package of that name (several for
    multilib or installonly packages such as kernels)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    found, missing, i = {}, [], 0
    for spec in names:
        if i < len(lines) and NOT_INSTALLED.match(lines[i]):
            missing.append(spec)
            i += 1
            continue
        versions = []
        while i < len(lines) and len(lines[i].split('\t')) == 2 and _rpm_matches(spec, lines[i].split('\t')[0]):
            versions.append(lines[i].split('\t')[1])
            i += 1
        if versions:
            found[spec] = ' '.join(versions)
        else:
            missing.append(spec)
    return found, missing


def parse(tool, names, stdout):
    return (parse_dpkg if tool == 'dpkg-query' else parse_rpm)(list(names), stdout)


def _source_of(name, sources):
    """The hint of sources ({package name: where it comes from}) for a package spec: by the spec
    itself, else by its base name (a versioned 'kmod-drbd90-9.1.4' finds 'kmod-drbd90'), else the
    hint for every other package ('*'), if any."""
    if name in sources:
        return sources[name]
    for known in sorted(sources, key=len, reverse=True):
        rest = name[len(known) + 1:]
        if base_name(name) == known or (name.startswith(known + '-') and rest[:1].isdigit()):
            return sources[known]
    return sources.get('*')


def missing_message(missing, tool, sources=None, install_error=None):
    """What an operator reads when packages are missing: each package, the command that installs
    them and, for those that come from a repository the roles can set, that repository and the
    variable naming it (sources: {package: hint}). install_error is what the package manager said
    when the roles tried to install them (EL7's archived repositories answer "No package ...
    available")."""
    sources = sources or {}
    manager = 'apt-get install' if tool == 'dpkg-query' else 'yum install (dnf install on EL 8/9)'
    message = ('not installed: %s. Install them (%s %s), then run again'
               % (', '.join(missing), manager, ' '.join(missing)))
    where = []
    for name in missing:
        hint = _source_of(name, sources)
        if hint:
            where.append('%s comes from %s' % (name, hint))
    if where:
        message += '. ' + '; '.join(where)
    if install_error:
        message += '. The package manager said: %s' % ' '.join(str(install_error).split())
    return message
