#!/usr/bin/env bash
# What a user installs: build the collection artifact and check it.
#   1. ansible-galaxy collection build (galaxy.yml's build_ignore applies)
#   2. its file list holds the collection and nothing of the repository's lab, tests, benchmarks
#      or toolchain (tests/tools/package_contents.py)
#   3. ansible-builder introspect on the installed artifact reports the collection's own
#      requirements (requirements.txt, bindep.txt) and nothing of the developer toolchain
#   4. ansible-builder create accepts docs/examples/execution-environment (no image is built)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$PWD
venv_bin=$repo_root/.venv/bin
out=$repo_root/tests/output/package

log() { printf '[package] %s\n' "$*" >&2; }

rm -rf "$out" && mkdir -p "$out"
version=$("$venv_bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
artifact=$out/hapair-cluster-$version.tar.gz

log "== build"
"$venv_bin/ansible-galaxy" collection build --force --output-path "$out" . >&2

log "== file list"
"$venv_bin/python" tests/tools/package_contents.py "$artifact"

log "== introspect (the artifact installed alone)"
# --force and no ANSIBLE_COLLECTIONS_PATH: `make` points that at the work tree, where ansible-galaxy
# would find hapair.cluster "already installed" and install nothing
env -u ANSIBLE_COLLECTIONS_PATH "$venv_bin/ansible-galaxy" collection install --force --no-deps \
    -p "$out/installed" "$artifact" >&2
"$venv_bin/ansible-builder" introspect --sanitize "$out/installed" > "$out/introspect.txt"
cat "$out/introspect.txt" >&2
grep -q 'netaddr' "$out/introspect.txt" || { log "FAILED: introspect does not report netaddr (requirements.txt)"; exit 1; }
grep -q 'openssh' "$out/introspect.txt" || { log "FAILED: introspect does not report bindep.txt's ssh client"; exit 1; }
if grep -Eiq 'molecule|pytest|ansible-lint|vermin|antsibull' "$out/introspect.txt"; then
    log "FAILED: introspect reports the developer toolchain as the collection's requirement"
    exit 1
fi

log "== ansible-builder create (docs/examples/execution-environment)"
ee=$out/ee
cp -r docs/examples/execution-environment "$ee"
cp "$artifact" "$ee/"
grep -q "hapair-cluster-$version.tar.gz" "$ee/requirements.yml" \
    || { log "FAILED: docs/examples/execution-environment/requirements.yml does not name hapair-cluster-$version.tar.gz (galaxy.yml's version)"; exit 1; }
(cd "$ee" && "$venv_bin/ansible-builder" create --file execution-environment.yml --context context >&2)
ls "$ee/context/_build/collections/hapair-cluster-$version.tar.gz" >/dev/null \
    || { log "FAILED: the build context lacks the collection artifact"; exit 1; }
log "OK: the artifact holds the collection only; introspect and create accept it"
