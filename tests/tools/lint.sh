#!/usr/bin/env bash
# Offline lint of the hapair.cluster collection:
#   1. yamllint (config: .yamllint, --strict so warnings fail too, as they do
#      in ansible-lint's yaml rule)
#   2. ansible-lint (config: .ansible-lint, profile production, offline), run
#      from the repo root with ANSIBLE_COLLECTIONS_PATH pointing at a fresh copy
#      of the collection (tests/output/tree) and at the ansible package's
#      bundled collections, so hapair.cluster.* and its dependencies resolve
#   3. vermin: module and module_utils code runs on the managed nodes and must
#      work on Python 2.7 and 3.6 (EL7); fail if anything needs newer Python
#      (plus a real byte-compile with python2.7 / python3.6 when available)
#   4. antsibull-changelog lint (changelog fragments)
# Exits non-zero if any step fails (all steps run; the summary lists failures).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
venv_bin=$repo_root/.venv/bin

log() { printf '[lint] %s\n' "$*" >&2; }

# One user of tests/output/tree at a time (e.g. `make -j test`): hold a lock for
# the whole run; collection-tree.sh sees HAPAIR_TREE_LOCKED and does not re-lock.
if command -v flock >/dev/null 2>&1; then
    mkdir -p tests/output
    exec 9>tests/output/.tree.lock
    flock 9
    export HAPAIR_TREE_LOCKED=1
fi

for tool in yamllint ansible-lint vermin antsibull-changelog python; do
    if [[ ! -x $venv_bin/$tool ]]; then
        log "ERROR: $venv_bin/$tool not found; create .venv first (make venv)"
        exit 1
    fi
done

failed=()
run_step() {
    local name=$1
    shift
    log "== $name: $*"
    if "$@"; then
        log "-- $name: OK"
    else
        log "-- $name: FAILED (exit $?)"
        failed+=("$name")
    fi
}

# Byte-compile node_files (set below) with the given interpreter, in memory.
compile_with() {
    "$1" - "${node_files[@]}" <<'PY'
import sys
bad = 0
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        source = f.read()
    try:
        compile(source, path, "exec")
    except SyntaxError as ex:
        sys.stderr.write("%s:%s: %s\n" % (path, ex.lineno, ex.msg))
        bad += 1
sys.exit(1 if bad else 0)
PY
}

# 1. yamllint
run_step yamllint "$venv_bin/yamllint" --strict -c .yamllint .

# 2. ansible-lint
tree_dir=$(bash tests/tools/collection-tree.sh)
# The ansible package installs its bundled collections (ansible.posix,
# community.general, ...) under site-packages/ansible_collections.
site_packages=$("$venv_bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
collections_path=$tree_dir:$site_packages
log "ANSIBLE_COLLECTIONS_PATH=$collections_path"
# ANSIBLE_HOME of its own: ansible-lint puts $ANSIBLE_HOME/collections (default ~/.ansible)
# first on the collections path, where molecule's prerun leaves an older copy of this
# collection; linting against that copy misses every module added since.
lint_home=$repo_root/tests/output/ansible-lint-home
rm -rf "$lint_home" && mkdir -p "$lint_home"
run_step ansible-lint env \
    ANSIBLE_HOME="$lint_home" \
    ANSIBLE_COLLECTIONS_PATH="$collections_path" \
    PATH="$venv_bin:$PATH" \
    "$venv_bin/ansible-lint" --offline --nocolor

# 3. Managed-node Python compatibility (modules + module_utils only; controller
#    plugins such as filters/actions run on the controller's Python 3.11).
node_dirs=()
for d in plugins/modules plugins/module_utils; do
    if [[ -d $d ]]; then
        node_dirs+=("$d")
    fi
done
if [[ ${#node_dirs[@]} -eq 0 ]]; then
    log "== vermin: no plugins/modules or plugins/module_utils yet, nothing to check"
else
    run_step vermin "$venv_bin/vermin" --no-tips --violations --eval-annotations \
        --target=2.7- --target=3.6- "${node_dirs[@]}"

    mapfile -d '' node_files < <(find "${node_dirs[@]}" -name '*.py' -print0 | sort -z)
    for ver in 2.7 3.6; do
        py=""
        for cand in "$(command -v "python$ver" 2>/dev/null || true)" "$HOME"/.pyenv/versions/"$ver".*/bin/python"$ver"; do
            if [[ -n $cand && -x $cand ]] && "$cand" -c 'pass' >/dev/null 2>&1; then
                py=$cand
                break
            fi
        done
        if [[ -z $py ]]; then
            log "== compile-$ver: no working python$ver interpreter, skipped (vermin covers it)"
            continue
        fi
        if [[ ${#node_files[@]} -gt 0 ]]; then
            run_step "compile-$ver" compile_with "$py"
        fi
    done
fi

# 4. Changelog fragments
run_step antsibull-changelog "$venv_bin/antsibull-changelog" lint

if [[ ${#failed[@]} -gt 0 ]]; then
    log "FAILED: ${failed[*]}"
    exit 1
fi
log "OK: all lint steps passed"
