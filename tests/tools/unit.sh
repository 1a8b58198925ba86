#!/usr/bin/env bash
# Run the unit tests (tests/unit) with plain pytest against a fresh copy of the
# collection at tests/output/tree/ansible_collections/hapair/cluster.
#
# pytest runs inside the copy, with PYTHONPATH=tests/output/tree (the directory
# that contains ansible_collections/), so both the tests and
# `ansible_collections.hapair.cluster.plugins.module_utils...` imports resolve
# to the same copied files. Options are given on the command line (no pytest
# config file in tests/unit): no cache directory, rootdir = the copy.
# A run that collects no tests (pytest exit 5) is a failure.
#
# Usage: bash tests/tools/unit.sh [extra pytest args...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
# HAPAIR_VENV: another controller toolchain (make unit-next: .venv-next, the newest ansible-core).
venv_bin=$repo_root/${HAPAIR_VENV:-.venv}/bin

log() { printf '[unit] %s\n' "$*" >&2; }

# One user of tests/output/tree at a time (e.g. `make -j test`): hold a lock for
# the whole run; collection-tree.sh sees HAPAIR_TREE_LOCKED and does not re-lock.
if command -v flock >/dev/null 2>&1; then
    mkdir -p tests/output
    exec 9>tests/output/.tree.lock
    flock 9
    export HAPAIR_TREE_LOCKED=1
fi

if [[ ! -x $venv_bin/pytest ]]; then
    log "ERROR: $venv_bin/pytest not found; create .venv first (make venv)"
    exit 1
fi

tree_dir=$(bash tests/tools/collection-tree.sh)
collection_dir=$tree_dir/ansible_collections/hapair/cluster

if [[ ! -d $collection_dir/tests/unit ]]; then
    log "ERROR: no tests/unit directory: there are no unit tests to run"
    exit 1
fi

log "running pytest in $collection_dir (PYTHONPATH=$tree_dir)"
cd "$collection_dir"
set +e
PYTHONPATH=$tree_dir${PYTHONPATH:+:$PYTHONPATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=$venv_bin:$PATH \
    "$venv_bin/pytest" \
    -p no:cacheprovider \
    --rootdir "$collection_dir" \
    -q -ra \
    "$@" \
    tests/unit
rc=$?
set -e
case $rc in
    0) log "OK: unit tests passed" ;;
    5) log "FAILED: pytest collected no tests (exit 5); an empty suite is a defect" ;;
    *) log "FAILED: pytest exit $rc" ;;
esac
exit "$rc"
