#!/usr/bin/env bash
# Copy the collection's working tree into a real
#   tests/output/tree/ansible_collections/hapair/cluster/
# directory (ansible-test refuses a symlinked collection root) and print the
# absolute path of the directory that contains "ansible_collections"
# (tests/output/tree) on stdout. Progress messages go to stderr.
#
# The copy holds every tracked file plus every untracked file that is not
# git-ignored (`git ls-files -co --exclude-standard`), so uncommitted work is
# included; ignored paths (.venv, .lab, tests/output, ...) never are.
# The copy gets its own empty .git so ansible-test treats it as the content root,
# and the dependency collections from galaxy.yml are symlinked next to it from
# .venv (the ansible package bundles them).
# Stale files are removed: the copy is rebuilt from scratch on every call.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD

namespace=hapair
name=cluster
tree_dir=$repo_root/tests/output/tree
dest=$tree_dir/ansible_collections/$namespace/$name

log() { printf '[collection-tree] %s\n' "$*" >&2; }

if ! git -C "$repo_root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    log "ERROR: $repo_root is not a git work tree"
    exit 1
fi

# Serialise rebuilds unless the calling tool already holds the lock.
if [[ -z ${HAPAIR_TREE_LOCKED:-} ]] && command -v flock >/dev/null 2>&1; then
    mkdir -p "$repo_root/tests/output"
    exec 9>"$repo_root/tests/output/.tree.lock"
    flock 9
fi

log "rebuilding $dest from the working tree (tracked + untracked, not ignored)"

# Wipe the previous copy (stale files must not survive). ansible-test keeps its
# per-test virtualenvs in ~/.ansible/test/venv, so nothing worth keeping is lost.
rm -rf "$tree_dir/ansible_collections"
mkdir -p "$dest"

# List files NUL-separated; skip tracked files deleted in the work tree.
count=0
list=$(mktemp)
trap 'rm -f "$list"' EXIT
while IFS= read -r -d '' f; do
    if [[ -e $f || -L $f ]]; then
        printf '%s\0' "$f" >>"$list"
        count=$((count + 1))
    fi
done < <(git ls-files -z -co --exclude-standard)

if [[ $count -eq 0 ]]; then
    log "ERROR: git ls-files returned no files"
    exit 1
fi

tar --null --no-recursion -T "$list" -cf - | tar -xf - -C "$dest"

# Make the copy its own (empty) git work tree. ansible-test looks for the
# nearest .git upwards to list content files; without this it would find this
# repository's .git, where tests/output/ is ignored, and skip every target.
# `git ls-files --others --exclude-standard` in the copy then lists exactly the
# copied files (the copied .gitignore applies).
git -c init.defaultBranch=main init -q "$dest"

# Make the collection's dependencies (galaxy.yml "dependencies") importable
# next to it: ansible-test's import/validate-modules tests and the unit tests
# only see collections under tests/output/tree/ansible_collections. Galaxy is
# unreachable, so link them from the ansible package's bundled collections in
# .venv (symlinks are fine here; only the collection under test must be real).
venv_python=$repo_root/.venv/bin/python
if [[ -x $venv_python ]]; then
    site_packages=$("$venv_python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    mapfile -t deps < <("$venv_python" -c '
import yaml
with open("galaxy.yml") as f:
    meta = yaml.safe_load(f) or {}
for dep in sorted(meta.get("dependencies") or {}):
    print(dep)
')
    for dep in "${deps[@]}"; do
        dep_ns=${dep%%.*}
        dep_name=${dep#*.}
        src=$site_packages/ansible_collections/$dep_ns/$dep_name
        if [[ -d $src ]]; then
            mkdir -p "$tree_dir/ansible_collections/$dep_ns"
            ln -sfn "$src" "$tree_dir/ansible_collections/$dep_ns/$dep_name"
            log "linked dependency $dep -> $src"
        else
            log "WARNING: dependency $dep not found in $site_packages/ansible_collections"
        fi
    done
else
    log "WARNING: $venv_python not found; dependency collections not linked"
fi

log "copied $count files"
printf '%s\n' "$tree_dir"
