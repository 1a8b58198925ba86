# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is the built collection artifact the collection, and only the collection?

Usage: python3 tests/tools/package_contents.py ARTIFACT.tar.gz
Exit 0 when the file list holds what a user needs and none of the repository's lab, tests,
benchmarks or developer toolchain; otherwise 1, naming each problem.
"""

from __future__ import print_function

import fnmatch
import sys
import tarfile

# What a user of the collection needs, at least.
REQUIRED = (
    'MANIFEST.json',
    'FILES.json',
    'README.md',
    'LICENSE',
    'requirements.txt',
    'bindep.txt',
    'meta/runtime.yml',
    'meta/execution-environment.yml',
    'plugins/modules/drbd_role.py',
    'plugins/module_utils/drbd_status.py',
    'plugins/action/pair_status.py',
    'roles/mirror/meta/argument_specs.yml',
    'roles/failover/meta/argument_specs.yml',
    'playbooks/failover.yml',
    'playbooks/provision.yml',
    'docs/operations.md',
)

# What belongs to the repository, not to the collection.
FORBIDDEN = (
    'tests/*', 'molecule/*', 'bench/*', 'proof/*', 'Makefile', '.ci/*',
    'requirements-dev.txt', 'requirements-216.txt', 'requirements-next.txt', 'requirements-docs.txt',
    '.ansible-lint', '.yamllint',
    '.venv*', '.lab/*', '.cache/*', '.git*', '*.qcow2', '*.pyc', '*/__pycache__/*',
    'changelogs/.plugin-cache.yaml',
)


def problems(names):
    """The list of what is wrong with an artifact holding these member names."""
    names = [n[2:] if n.startswith('./') else n for n in names]
    present = set(names)
    found = []
    for required in REQUIRED:
        if required not in present:
            found.append('missing: %s' % required)
    for name in sorted(present):
        for pattern in FORBIDDEN:
            if fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(name + '/', pattern):
                found.append('does not belong in the artifact: %s (matches %s)' % (name, pattern))
                break
    return found


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with tarfile.open(argv[1]) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    found = problems(names)
    for line in found:
        print('package: %s' % line)
    if not found:
        print('package: %s holds the collection only (%d files)' % (argv[1], len(names)))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
