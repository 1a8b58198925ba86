#!/usr/bin/env bash
# The example alert rules (docs/examples/prometheus-alerts.yml): promtool checks them, then runs
# tests/monitoring/alerts.test.yml, where every alert fires in one case and stays silent in another.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v promtool >/dev/null || { echo "[alerts] ERROR: promtool not found (make host-deps installs Debian's prometheus)" >&2; exit 1; }
promtool check rules docs/examples/prometheus-alerts.yml
(cd tests/monitoring && promtool test rules alerts.test.yml)
