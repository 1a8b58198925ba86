#!/usr/bin/env bash
# Run `ansible-test sanity` offline on a real copy of the collection.
#
# 1. tests/tools/collection-tree.sh copies the working tree to
#    tests/output/tree/ansible_collections/hapair/cluster (ansible-test refuses
#    a symlinked collection root).
# 2. ansible-test gives every sanity test its own virtualenv created WITHOUT
#    pip, then bootstraps pip with a get-pip script downloaded from
#    ci-files.testing.ansible.com, which is unreachable here. It first looks for
#    that script in ~/.ansible/test/cache/get_pip_<pip version>.py
#    (ansible_test/_util/target/setup/requirements.py: bootstrap()). We put an
#    offline stand-in there: it bootstraps pip with the standard library's
#    ensurepip in a SUBPROCESS (ensurepip run in-process sets
#    PIP_CONFIG_FILE=/dev/null, which would drop this machine's pip config:
#    index, certificate, constraints) and then runs `python -m pip install`
#    with the arguments ansible-test passed, minus --no-setuptools/--no-wheel
#    (get-pip options that pip itself does not know).
# 3. ansible-test runs with --local: it uses .venv's ansible-core directly; each
#    sanity test still gets its own cached venv under ~/.ansible/test/venv.
#    (--venv would additionally build a delegation venv inside the copy's
#    tests/output/.tmp, which costs time and gains nothing here.)
#
# Usage: bash tests/tools/sanity.sh [extra ansible-test sanity args...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
venv_bin=$repo_root/.venv/bin

log() { printf '[sanity] %s\n' "$*" >&2; }

# One user of tests/output/tree at a time (e.g. `make -j test`): hold a lock for
# the whole run; collection-tree.sh sees HAPAIR_TREE_LOCKED and does not re-lock.
if command -v flock >/dev/null 2>&1; then
    mkdir -p tests/output
    exec 9>tests/output/.tree.lock
    flock 9
    export HAPAIR_TREE_LOCKED=1
fi

if [[ ! -x $venv_bin/ansible-test ]]; then
    log "ERROR: $venv_bin/ansible-test not found; create .venv first (pip install -r requirements.txt)"
    exit 1
fi

# The pip version ansible-test bootstraps into its sanity venvs (24.2 for
# ansible-test 2.19); ask ansible-test rather than hard-coding it.
pip_version=$("$venv_bin/python" - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages


class _Python:  # minimal stand-in for the PythonConfig of ansible-test
    version = '3.11'


print(get_venv_packages(_Python())['pip'])
PY
)
cache_dir=${HOME}/.ansible/test/cache
get_pip=$cache_dir/get_pip_${pip_version//./_}.py
log "installing offline pip bootstrap stand-in: $get_pip"
mkdir -p "$cache_dir"
tmp_get_pip=$(mktemp "$cache_dir/.get_pip.XXXXXX")
cat >"$tmp_get_pip" <<'PY'
"""Offline stand-in for ansible-test's get-pip bootstrap script.

Installed by hapair.cluster's tests/tools/sanity.sh. ansible-test runs it as
`python get_pip_X_Y.py --disable-pip-version-check pip==X.Y [--no-setuptools]
[--no-wheel]` inside a fresh virtualenv that has no pip.
"""
import os
import subprocess
import sys

DROP = ('--no-setuptools', '--no-wheel')


def main():
    args = [a for a in sys.argv[1:] if a not in DROP]
    env = dict(os.environ)
    env.pop('GET_PIP', None)
    # ensurepip in a subprocess: in-process it would set PIP_CONFIG_FILE=/dev/null
    # for the rest of this process and lose the machine's pip configuration.
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], env=env)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args, env=env)


if __name__ == '__main__':
    try:
        main()
    except subprocess.CalledProcessError as ex:
        sys.stderr.write('offline get-pip stand-in failed: %s\n' % ex)
        sys.exit(ex.returncode or 1)
PY
mv -f "$tmp_get_pip" "$get_pip"

tree_dir=$(bash tests/tools/collection-tree.sh)
collection_dir=$tree_dir/ansible_collections/hapair/cluster

# ansible-test sets its own collection path (the copy's tree); drop any
# ANSIBLE_COLLECTIONS_PATH inherited from the Makefile (it points at the repo).
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

log "running ansible-test sanity in $collection_dir"
cd "$collection_dir"
set +e
PATH=$venv_bin:$PATH "$venv_bin/ansible-test" sanity --local --python 3.11 --color no "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    log "FAILED (exit $rc); results in $collection_dir/tests/output/bot and tests/output/junit"
    exit "$rc"
fi
log "OK: all sanity tests passed"
