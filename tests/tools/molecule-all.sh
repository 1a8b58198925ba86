#!/usr/bin/env bash
# Every molecule scenario, each with the controller toolchain it names: a scenario whose
# molecule.yml sets HAPAIR_TOOLCHAIN (.venv-216: ansible-core 2.16 for nodes on EL7's
# Python 2.7/3.6) runs with that venv's molecule, ansible and pytest; the others with .venv.
# All scenarios run even when one fails; the exit status is 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
failed=()
for file in molecule/*/molecule.yml; do
  scenario=$(basename "$(dirname "$file")")
  venv=$(sed -n 's/^ *HAPAIR_TOOLCHAIN: *\([^ #]*\).*/\1/p' "$file")
  venv=${venv:-.venv}
  if [ ! -x "$venv/bin/molecule" ]; then
    echo "molecule-all: scenario $scenario needs the toolchain $venv, which has no molecule: make venv venv-216" >&2
    exit 2
  fi
  echo "==== scenario $scenario: $("$venv/bin/ansible" --version | sed -n 1p) ($venv)"
  if ! PATH="$PWD/$venv/bin:$PATH" "$venv/bin/molecule" test -s "$scenario"; then
    rc=1
    failed+=("$scenario")
  fi
done
[ $rc -eq 0 ] || echo "molecule-all: FAILED scenarios: ${failed[*]}"
exit $rc
