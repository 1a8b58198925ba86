#!/usr/bin/env bash
# Print the few lines of a molecule log that say what failed (ansible's fatal/failed
# lines, pytest's FAILED and E lines), shortened, so that the tail of a CI log names
# the failing task or test instead of only molecule's recap.
# Usage: bash tests/tools/failure-digest.sh LOG [MAX_LINES]
set -uo pipefail
log=$1
max=${2:-24}
[[ -f $log ]] || exit 0
echo "---- what failed (from $log; the whole log is there) ----"
grep -E '^(fatal|failed): |^FAILED |^E  |^ERROR |CRITICAL |Idempotence test failed|lab link: |^\* \[' "$log" \
  | grep -v '\.\.\.ignoring' | cut -c1-400 | tail -n "$max"
echo "---- end ----"
