#!/usr/bin/env bash
# Build the collection's HTML docs site, offline, with antsibull-docs' sphinx-init flow, and lint
# the collection's docs. Fails on any warning of either.
#
#   tests/tools/docs-site.sh                       lint, check the extra docs, build the site
#   tests/tools/docs-site.sh --update-extra-docs   first rewrite docs/docsite/rst/*.rst from docs/*.md
#
#   1. .venv-docs: a virtualenv of its own from requirements-docs.txt (every package pinned),
#      recreated when that file changes.
#   2. Extra docs: docs/*.md is the only source. antsibull-docs reads extra docs as rst only, so
#      docs/docsite/rst/NAME.rst is generated from docs/NAME.md (tests/tools/docs_md2rst.py,
#      pandoc from pypandoc_binary); this fails when the committed rst differs from what the
#      markdown gives (run again with --update-extra-docs and commit both).
#   3. The collection tree (tests/tools/collection-tree.sh), with the ansible package's bundled
#      collections from .venv next to it on ANSIBLE_COLLECTIONS_PATH.
#   4. antsibull-docs lint-collection-docs --plugin-docs: any line it prints fails.
#   5. antsibull-docs sphinx-init --use-current into tests/output/docs-site, then its build.sh:
#      antsibull-docs collection (--fail-on-error) and sphinx-build -W --keep-going. conf.py gets an
#      empty intersphinx_mapping: nothing is fetched. References into the Ansible docsite
#      (another collection's plugins, common_return_values, ...) cannot resolve offline; they are
#      named in nitpick_ignore and render as plain text. Every other dangling reference fails.
#      HTML in tests/output/docs-site/build/html; logs in tests/output/docs-site/work/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD

log() { printf '[docs-site] %s\n' "$*" >&2; }

update_extra_docs=false
for arg in "$@"; do
    case $arg in
        --update-extra-docs) update_extra_docs=true ;;
        *) log "usage: $0 [--update-extra-docs]"; exit 2 ;;
    esac
done

started=$(date +%s)
venv=$repo_root/.venv-docs
requirements=$repo_root/requirements-docs.txt
out=$repo_root/tests/output/docs-site
main_python=$repo_root/.venv/bin/python

if [[ ! -x $main_python ]]; then
    log "ERROR: $main_python not found: the ansible package's collections come from .venv (make venv)"
    exit 1
fi

# One user of tests/output/tree at a time (lint.sh does the same).
if command -v flock >/dev/null 2>&1; then
    mkdir -p tests/output
    exec 9>tests/output/.tree.lock
    flock 9
    export HAPAIR_TREE_LOCKED=1
fi

# 1. The docs virtualenv.
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ ! -x $venv/bin/antsibull-docs || $(cat "$venv/.stamp" 2>/dev/null) != "$want" ]]; then
    log "creating $venv from requirements-docs.txt"
    mkdir -p tests/output
    pip_log=tests/output/docs-venv.log
    if ! { python3 -m venv --clear "$venv" &&
        "$venv/bin/pip" install -q --upgrade pip &&
        "$venv/bin/pip" install -q -r "$requirements"; } >"$pip_log" 2>&1; then
        cat "$pip_log" >&2
        log "ERROR: could not create $venv (log above, in $pip_log)"
        exit 1
    fi
    echo "$want" >"$venv/.stamp"
fi
export PATH=$venv/bin:$PATH

# 2. Extra docs from docs/*.md.
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT
"$venv/bin/python" tests/tools/docs_md2rst.py "$generated" >&2
extra=docs/docsite/rst
if $update_extra_docs; then
    mkdir -p "$extra"
    rm -f "$extra"/*.rst
    cp "$generated"/*.rst "$extra"/
    log "rewrote $extra/ from docs/*.md"
elif ! diff -ru "$extra" "$generated" >"$generated.diff" 2>&1; then
    cat "$generated.diff" >&2
    rm -f "$generated.diff"
    log "ERROR: $extra/ is not what docs/*.md gives (above). Edit only docs/*.md, then run"
    log "       tests/tools/docs-site.sh --update-extra-docs and commit both."
    exit 1
fi
rm -f "$generated.diff"

# 3. The collection tree, and the collections it depends on.
tree_dir=$(bash tests/tools/collection-tree.sh)
collection=$tree_dir/ansible_collections/hapair/cluster
site_packages=$("$main_python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export ANSIBLE_COLLECTIONS_PATH=$tree_dir:$site_packages
# Not ~/.ansible: an older copy of this collection may be installed there (see lint.sh).
# tests/output/docs-site is sphinx-init's directory (conf.py, build.sh, rst/, build/html); the
# lint log, the front page's source and ANSIBLE_HOME go to work/ inside it.
work=$out/work
rm -rf "$out"
mkdir -m 755 -p "$out"
mkdir -p "$work/ansible-home"
export ANSIBLE_HOME=$work/ansible-home
log "ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH"

# 4. Lint the collection's docs: plugin and role docs, extra docs, semantic markup references.
lint_log=$work/lint-collection-docs.log
rc=0
(cd "$work" && antsibull-docs lint-collection-docs --plugin-docs "$collection") >"$lint_log" 2>&1 || rc=$?
if [[ $rc -ne 0 || -s $lint_log ]]; then
    cat "$lint_log" >&2
    log "ERROR: antsibull-docs lint-collection-docs reported the above (exit $rc)"
    exit 1
fi
log "lint-collection-docs: clean"

# 5. The site: sphinx-init, then its build.sh.
site=$out
index_rst=$work/index.rst
cat >"$index_rst" <<'RST'
.. _docsite_root_index:

hapair.cluster
==============

Build, operate, test and back up a two-node DRBD high-availability pair (replicated block storage
with failover) on Linux.

Start with :ref:`the playbooks <ansible_collections.hapair.cluster.docsite.playbooks>` and
:ref:`the operations runbook <ansible_collections.hapair.cluster.docsite.operations>`. The
:ref:`collection's page <plugins_in_hapair.cluster>` lists every module, plugin and role (each role
with its argument specs) and the guides.

.. toctree::
   :maxdepth: 2
   :caption: Collections:

   collections/index

.. toctree::
   :maxdepth: 1
   :caption: Plugin indexes:
   :glob:

   collections/index_*

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes:

   collections/environment_variables
RST

antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "$site" \
    --project hapair.cluster --copyright 'hapair.cluster developers' \
    --title 'hapair.cluster documentation' --html-short-title 'hapair.cluster' \
    --index-rst-source "$index_rst" hapair.cluster >&2

cat >>"$site/conf.py" <<'PY'

# ---- hapair.cluster (tests/tools/docs-site.sh): an offline build ----
# No intersphinx inventory is read or fetched.
intersphinx_mapping = {}
# antsibull-docs links some things into the Ansible docsite, which is not part of this site and
# cannot be resolved offline: other collections' plugins (ansible.builtin.dnf, ...) and these
# labels. They render as plain text; any other dangling reference is still an error (-W).
nitpick_ignore = [
    ('ref', 'common_return_values'),
    ('ref', 'action_plugins'),
    ('ref', 'ansible_configuration_settings'),
]
nitpick_ignore_regex = [
    ('ref', r'ansible_collections\.(?!hapair\.cluster\.).*'),
]
PY

build_log=$work/build.log
log "building the site (log: ${build_log#"$repo_root"/})"
build_started=$(date +%s)
rc=0
bash "$site/build.sh" >"$build_log" 2>&1 || rc=$?
build_seconds=$(($(date +%s) - build_started))
# sphinx-build -W fails on a warning; antsibull-docs only logs some of its own: any line naming a
# warning or an error fails the build too.
if [[ $rc -ne 0 ]] || grep -Eiq 'warning|error' "$build_log"; then
    grep -Ei 'warning|error' "$build_log" >&2 || tail -n 40 "$build_log" >&2
    log "ERROR: the docs site did not build cleanly (exit $rc), see ${build_log#"$repo_root"/}"
    exit 1
fi

pages=$(find "$out/build/html" -name '*.html' | wc -l)
log "OK: $pages HTML pages in tests/output/docs-site/build/html; sphinx-init build ${build_seconds} s, all $(($(date +%s) - started)) s"
