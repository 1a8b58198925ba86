#!/usr/bin/env bash
# Run `ansible-test sanity` of ansible-core 2.16 offline on a real copy of the
# collection, for EL7's Python 2.7 and 3.6.
#
# Why: the modules and module_utils run on the nodes, and EL7's nodes (Python
# 2.7 / 3.6) can only be managed by ansible-core 2.16, the last release that
# supports those Pythons; the ansible-test of the current ansible-core
# (tests/tools/sanity.sh) no longer tests them. So ansible-test 2.16 (.venv-216,
# `make venv-216`) checks the collection here:
#   compile and import on Python 2.7 and on Python 3.6 (the module and
#   module_utils code, as a node would import it), and validate-modules once,
#   on the controller's Python (3.11; it checks the modules' documentation and
#   argument specs).
#
# How (as tests/tools/sanity.sh, with the helpers of tests/tools/sanity-common.sh):
# 1. tests/tools/collection-tree.sh copies the working tree to
#    tests/output/tree/ansible_collections/hapair/cluster.
# 2. Offline get-pip stand-ins for the pip versions ansible-test 2.16 bootstraps
#    (23.1.2 on the controller; 20.3.4 / 21.3.1 on 2.7 / 3.6) go into
#    ~/.ansible/test/cache; only PyPI is reachable.
# 3. ansible-test finds a target Python as `pythonX.Y` on PATH: a directory of
#    symlinks to pyenv's 2.7.18 and 3.6.15 goes first on PATH (pyenv's shims
#    would fail for a version that is not selected).
# 4. Python 2.7's stdlib has no venv: ansible-test 2.16 then tries
#    `python2.7 -m virtualenv`, and failing that `python3.X -m virtualenv
#    --python python2.7` with the first other Python whose `-m virtualenv
#    --version` prints a bare version number. Only virtualenv < 20 does that
#    (20.x prints "virtualenv 20.21.1 from ..." and ansible-test then SKIPS the
#    import test), so .venv-216, whose python3.11 is found first, has
#    virtualenv 16.7.12, the version ansible-test 2.16 pins itself
#    (requirements-216.txt; it re-runs itself under python2.7 to create the
#    env). pyenv's 2.7 stays untouched (ansible-test would pip-install
#    virtualenv into it only with --requirements). The 2.7/3.6 import venvs
#    install nothing (no pip bootstrap there).
# 5. --local: ansible-test 2.16 runs from .venv-216 (Python 3.11; 2.16 needs a
#    3.10+ controller), one ansible-test run per target Python; all runs happen,
#    the script fails if any did, or if ansible-test skipped a test (it exits 0
#    then, e.g. for an import test without a virtualenv).
#
# Usage: bash tests/tools/sanity-216.sh [extra ansible-test sanity args...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
venv_bin=$repo_root/.venv-216/bin
target_pythons=(2.7 3.6)

log() { printf '[sanity-216] %s\n' "$*" >&2; }

# shellcheck source=tests/tools/sanity-common.sh
source tests/tools/sanity-common.sh
sanity_lock_tree

if [[ ! -x $venv_bin/ansible-test ]] \
    || [[ $("$venv_bin/python" -c 'from ansible.release import __version__; print(__version__)') != 2.16.* ]]; then
    log "ERROR: $venv_bin has no ansible-core 2.16; run make venv-216"
    exit 1
fi
if ! [[ $("$venv_bin/python" -m virtualenv --version 2>/dev/null) =~ ^[0-9.]+$ ]]; then
    log "ERROR: $venv_bin has no virtualenv that ansible-test 2.16 can use for Python 2.7 (see 4.); run make venv-216"
    exit 1
fi

# pythonX.Y for each target, from pyenv (a missing one is a failure, not a skip)
bin_dir=$repo_root/tests/output/sanity-216-bin
rm -rf "$bin_dir"
mkdir -p "$bin_dir"
pyenv_root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for v in "${target_pythons[@]}"; do
    python=
    for candidate in "$pyenv_root"/versions/"$v".*/bin/python"$v"; do
        [[ -x $candidate ]] && python=$candidate
    done
    if [[ -z $python ]]; then
        log "ERROR: no Python $v under $pyenv_root/versions: cannot test EL7's interpreter"
        exit 1
    fi
    ln -s "$python" "$bin_dir/python$v"
    log "python$v -> $python"
done

sanity_offline_get_pip "$venv_bin" 3.11 "${target_pythons[@]}"

tree_dir=$(bash tests/tools/collection-tree.sh)
collection_dir=$tree_dir/ansible_collections/hapair/cluster

# ansible-test sets its own collection path (the copy's tree); drop any
# ANSIBLE_COLLECTIONS_PATH inherited from the Makefile (it points at the repo).
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
export PATH=$bin_dir:$venv_bin:$PATH

cd "$collection_dir"
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# A test ansible-test skips (e.g. "Skipping sanity test "import" on Python 2.7 due to
# missing virtual environment support") exits 0: count a skip as a failure.
run() {
    local name=$1 rc
    shift
    log "== $name: ansible-test sanity --local $*"
    set +e
    "$venv_bin/ansible-test" sanity --local --color no "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    set -e
    if [[ $rc -ne 0 ]]; then
        log "-- $name: FAILED (exit $rc)"
        failed+=("$name")
    elif grep -q '^WARNING: Skipping sanity test' "$out"; then
        log "-- $name: FAILED (a test was skipped, see the warning above)"
        failed+=("$name")
    else
        log "-- $name: OK"
    fi
}
for v in "${target_pythons[@]}"; do
    run "Python $v" --python "$v" --test compile --test import "$@"
done
run "validate-modules" --python 3.11 --test validate-modules "$@"

if [[ ${#failed[@]} -gt 0 ]]; then
    log "FAILED: ${failed[*]}; results in $collection_dir/tests/output/bot and tests/output/junit"
    exit 1
fi
log "OK: compile and import on Python ${target_pythons[*]}, validate-modules: all passed"
