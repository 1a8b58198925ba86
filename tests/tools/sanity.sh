#!/usr/bin/env bash
# Run `ansible-test sanity` offline on a real copy of the collection.
#
# 1. tests/tools/collection-tree.sh copies the working tree to
#    tests/output/tree/ansible_collections/hapair/cluster (ansible-test refuses
#    a symlinked collection root).
# 2. ansible-test gives every sanity test its own virtualenv created WITHOUT
#    pip, then bootstraps pip with a get-pip script downloaded from
#    ci-files.testing.ansible.com, which is unreachable here. It first looks for
#    that script in ~/.ansible/test/cache/get_pip_<pip version>.py; we put an
#    offline stand-in there (sanity_offline_get_pip in
#    tests/tools/sanity-common.sh: ensurepip, then pip install from PyPI).
# 3. ansible-test runs with --local: it uses .venv's ansible-core directly; each
#    sanity test still gets its own cached venv under ~/.ansible/test/venv.
#    (--venv would additionally build a delegation venv inside the copy's
#    tests/output/.tmp, which costs time and gains nothing here.)
#
# Usage: bash tests/tools/sanity.sh [extra ansible-test sanity args...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
# HAPAIR_VENV / HAPAIR_PYTHON: another controller toolchain (make sanity-next: the newest
# ansible-core on PyPI, in .venv-next on Python 3.13).
venv_bin=$repo_root/${HAPAIR_VENV:-.venv}/bin
python_version=${HAPAIR_PYTHON:-3.11}

log() { printf '[sanity] %s\n' "$*" >&2; }

# shellcheck source=tests/tools/sanity-common.sh
source tests/tools/sanity-common.sh
sanity_lock_tree

if [[ ! -x $venv_bin/ansible-test ]]; then
    log "ERROR: $venv_bin/ansible-test not found; create .venv first (make venv)"
    exit 1
fi

sanity_offline_get_pip "$venv_bin" "$python_version"

tree_dir=$(bash tests/tools/collection-tree.sh)
collection_dir=$tree_dir/ansible_collections/hapair/cluster

# ansible-test sets its own collection path (the copy's tree); drop any
# ANSIBLE_COLLECTIONS_PATH inherited from the Makefile (it points at the repo).
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

log "running ansible-test sanity ($("$venv_bin/ansible" --version | sed -n 1p), Python $python_version) in $collection_dir"
cd "$collection_dir"
set +e
PATH=$venv_bin:$PATH "$venv_bin/ansible-test" sanity --local --python "$python_version" --color no "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    log "FAILED (exit $rc); results in $collection_dir/tests/output/bot and tests/output/junit"
    exit "$rc"
fi
log "OK: all sanity tests passed"
