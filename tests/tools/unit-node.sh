#!/usr/bin/env bash
# The unit tests of the code that runs on the nodes (plugins/modules, plugins/module_utils,
# the backup job) under EL7's interpreters: Python 2.7 (the platform python) and 3.6.
#
# The nodes do not get the controller's ansible: each module arrives with the module_utils
# of the controller that sends it, and for EL7 that controller is ansible-core 2.16, the last
# release that manages Python 2.7/3.6 nodes. So the tests import ansible.module_utils from
# ansible-core 2.16 (.venv-216, `make venv-216`) and nothing else of ansible, as a node would.
#
# Each interpreter gets its own small venv (.venv-py27, .venv-py36) with the last pytest that
# supports it. The interpreters come from pyenv (this machine kind ships 2.7.18 and 3.6.15);
# a missing one is a failure, not a skip.
#
# Usage: bash tests/tools/unit-node.sh [2.7|3.6 ...] [-- extra pytest args]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
log() { printf '[unit-node] %s\n' "$*" >&2; }

versions=()
while [[ $# -gt 0 && $1 != -- ]]; do versions+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
[[ ${#versions[@]} -eq 0 ]] && versions=(2.7 3.6)

# the last pytest for each interpreter (4.6 for 2.7, 7.0 for 3.6); netaddr for pair_config
# (module_utils that the controller runs: EL7 keeps them importable on its Pythons too)
declare -A pytest_pin=([2.7]="pytest==4.6.11 netaddr==0.8.0" [3.6]="pytest==7.0.1 netaddr==0.8.0")

interpreter() {
    local v=$1 root candidate
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for candidate in "$root"/versions/"$v".*/bin/python"$v" "$(command -v "python$v" || true)"; do
        if [[ -x $candidate ]]; then echo "$candidate"; return 0; fi
    done
    return 1
}

# sets $venv; pip's resolver honours Requires-Python only from pip 9 on, well enough from 20:
# the 3.6 venv's own pip (18.1) is upgraded to the last for 3.6 first
venv_for() {
    local v=$1 python=$2 dir=$repo_root/.venv-py${1/./}
    venv=$dir
    [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "${pytest_pin[$v]}" ]] && return 0
    log "creating $dir (Python $v, ${pytest_pin[$v]})"
    rm -rf "$dir"
    # virtualenv 20.21 is the last that creates Python 2.7 environments (with pip 20.3); 3.6 has venv
    if [[ $v == 2.7 ]]; then
        "$repo_root/.venv/bin/virtualenv" -q -p "$python" "$dir" >&2
    else
        "$python" -m venv "$dir"
        pip_quiet "$dir" "pip==21.3.1"
    fi
    # shellcheck disable=SC2086  # the pins are words
    pip_quiet "$dir" ${pytest_pin[$v]}
    echo "${pytest_pin[$v]}" > "$dir/.stamp"
}

# pip install, without the warnings about the machine's empty local indexes
pip_quiet() {
    local dir=$1; shift
    "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@" > "$dir.pip.log" 2>&1 || {
        grep -v "^ *\(WARNING: \)\?\(Url\|Location\) .file:" "$dir.pip.log" >&2
        log "ERROR: pip install $* failed in $dir"
        return 1
    }
}

module_utils_216=$("$repo_root/.venv-216/bin/python" -c \
    'import ansible.module_utils, os; print(os.path.dirname(ansible.module_utils.__file__))' 2>/dev/null) || {
    log "ERROR: .venv-216 has no ansible-core 2.16; run make venv-216"
    exit 1
}

tree_dir=$(bash tests/tools/collection-tree.sh)
# What a node has: ansible.module_utils of 2.16 under an empty ansible package (as AnsiballZ
# ships it), and the collection as regular packages (Python 2.7 has no namespace packages).
node_tree=$repo_root/tests/output/node-tree
rm -rf "$node_tree"
mkdir -p "$node_tree/ansible"
: > "$node_tree/ansible/__init__.py"
cp -r "$module_utils_216" "$node_tree/ansible/module_utils"
cp -r "$tree_dir/ansible_collections" "$node_tree/"
collection=$node_tree/ansible_collections/hapair/cluster
rm -rf "$node_tree/ansible_collections/ansible" "$node_tree/ansible_collections/community"
for d in ansible_collections ansible_collections/hapair ansible_collections/hapair/cluster \
         ansible_collections/hapair/cluster/plugins ansible_collections/hapair/cluster/plugins/modules \
         ansible_collections/hapair/cluster/plugins/module_utils; do
    [[ -f $node_tree/$d/__init__.py ]] || : > "$node_tree/$d/__init__.py"
done

rc=0
for v in "${versions[@]}"; do
    python=$(interpreter "$v") || { log "ERROR: no Python $v (pyenv versions): cannot test EL7's interpreter"; rc=1; continue; }
    venv_for "$v" "$python" || { rc=1; continue; }
    log "Python $("$venv/bin/python" -c 'import platform; print(platform.python_version())'), ansible.module_utils of ansible-core 2.16"
    set +e
    (cd "$collection" && PYTHONPATH=$node_tree PYTHONDONTWRITEBYTECODE=1 \
        "$venv/bin/python" -m pytest -p no:cacheprovider --rootdir "$collection" -q -ra "$@" \
        tests/unit/plugins/module_utils tests/unit/plugins/modules)
    r=$?
    set -e
    if [[ $r -eq 0 ]]; then log "OK: Python $v"; else log "FAILED: Python $v (pytest exit $r)"; rc=1; fi
done
exit "$rc"
