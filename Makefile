# hapair.cluster — the two commands are `make lab` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
LABCTL  := $(PY) tests/lab/labctl
COLL    := $(CURDIR)/.cache/collections
export ANSIBLE_COLLECTIONS_PATH := $(COLL)
export ANSIBLE_FORCE_COLOR ?= 0
export ANSIBLE_NOCOLOR ?= 1
export ANSIBLE_HOST_KEY_CHECKING := False
export ANSIBLE_INTERPRETER_PYTHON := auto_silent
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export MOLECULE_GLOB := molecule/*/molecule.yml
# mitogen's strategy plugins, linked into the venv at a path that does not name the Python
# version (molecule.yml of the scenarios that use it, and `make lab`).
MITOGEN := $(CURDIR)/$(VENV)/mitogen_strategy
PHASE   := python3 tests/tools/phases.py

.PHONY: help venv venv-216 host-deps collection lab lab-down lab-status lab-soak lab-time test unit lint sanity sanity-216 molecule bench tune proof proof-pg clean unit-node package venv-next unit-next sanity-next docs alerts ansiballz

help:
	@echo "make lab      build and boot the two-node lab, provision it, print its status"
	@echo "make test     unit tests, lint, sanity, molecule scenarios on the lab"
	@echo "make lab-down stop the lab"
	@echo "make docs     the docs site (tests/output/docs-site/build/html), lint-collection-docs"
	@echo "on a running lab: make bench (bench/results.json), make tune (its tuning section),"
	@echo "  make lab-soak (>= 100 resync/reconnect/pulled-link cycles: does the lab's link hold?),"
	@echo "  make lab-time (with the lab down: make lab from a fresh machine, timed),"
	@echo "  make proof (proof/results.json, REPORT.md), make proof-pg (PostgreSQL under pgbench)"

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements-dev.txt requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt -r requirements.txt
	ln -sfn "$$($(PY) -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy" $(MITOGEN)
	touch $@

# ansible-core 2.16: the last controller for EL7's Python 2.7/3.6 nodes. unit-node takes the
# module_utils the nodes receive from it.
venv-216: .venv-216/.stamp
.venv-216/.stamp: requirements-216.txt
	python3 -m venv .venv-216
	.venv-216/bin/pip install -q --upgrade pip
	.venv-216/bin/pip install -q -r requirements-216.txt
	ln -sfn "$$(.venv-216/bin/python -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy" .venv-216/mitogen_strategy
	touch $@

# The newest ansible-core on PyPI (it needs a controller Python >= 3.12: pyenv's 3.13).
PYNEXT ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13.*/bin/python3.13))
venv-next: .venv-next/.stamp
.venv-next/.stamp: requirements-next.txt
	@[ -n "$(PYNEXT)" ] || { echo "venv-next: no Python 3.13 (pyenv install 3.13, or make PYNEXT=/path/to/python3.13)"; exit 1; }
	$(PYNEXT) -m venv .venv-next
	.venv-next/bin/pip install -q --upgrade pip
	.venv-next/bin/pip install -q -r requirements-next.txt
	touch $@

host-deps:
	bash tests/tools/host-deps.sh

collection: venv
	@bash tests/tools/collection-link.sh >/dev/null

# Provisioning runs with mitogen's strategy here (one Python per node); the playbooks do not need it.
lab: venv host-deps collection
	$(LABCTL) up
	ANSIBLE_STRATEGY_PLUGINS=$(MITOGEN) ANSIBLE_STRATEGY=mitogen_linear \
	  ansible-playbook -i .lab/inventory.yml playbooks/provision.yml
	ansible-playbook -i .lab/inventory.yml playbooks/status.yml

lab-down: venv
	$(LABCTL) down

lab-status: venv
	$(LABCTL) status

# Each phase's seconds go to tests/output/phases.tsv; .ci/run prints them as a table.
# unit, unit-node, unit-next, lint, sanity, sanity-216, sanity-next, ansiballz, package, docs and alerts need no lab: they run beside the first scenario
# (its VMs boot and provision meanwhile), their output is printed after the scenarios, and any
# failure of theirs fails make test.
test: venv venv-216 venv-next host-deps collection
	@mkdir -p tests/output; rm -f tests/output/phases.tsv tests/output/molecule.stamped.log
	@$(MAKE) --no-print-directory unit unit-node unit-next lint sanity sanity-216 sanity-next ansiballz package docs alerts > tests/output/checks.log 2>&1 & checks=$$!; \
	  rc=0; $(MAKE) --no-print-directory molecule || rc=$$?; \
	  crc=0; wait $$checks || crc=$$?; \
	  echo "---- unit, lint, sanity (ran beside the molecule scenarios) ----"; cat tests/output/checks.log; \
	  if [ $$crc -ne 0 ]; then echo "make test: unit/unit-node/unit-next/lint/sanity/sanity-216/sanity-next/ansiballz/package/docs/alerts FAILED (exit $$crc), see above"; fi; \
	  if [ $$rc -ne 0 ]; then echo "make test: molecule FAILED (exit $$rc)"; fi; \
	  [ $$rc -eq 0 ] && [ $$crc -eq 0 ]

unit: venv
	$(PHASE) run unit -- bash tests/tools/unit.sh

# The tests of what runs on the nodes, under EL7's Python 2.7 and 3.6 (tests/tools/unit-node.sh).
unit-node: venv venv-216
	$(PHASE) run unit-node -- bash tests/tools/unit-node.sh
	$(PHASE) run el7-route -- .venv-216/bin/python tests/tools/el7_route.py

lint: venv collection
	$(PHASE) run lint -- bash tests/tools/lint.sh

sanity: venv
	$(PHASE) run sanity -- bash tests/tools/sanity.sh

# The unit tests and ansible-test sanity with the newest ansible-core on PyPI (.venv-next).
unit-next: venv-next collection
	HAPAIR_VENV=.venv-next $(PHASE) run unit-next -- bash tests/tools/unit.sh -q

sanity-next: venv-next collection
	HAPAIR_VENV=.venv-next HAPAIR_PYTHON=3.13 $(PHASE) run sanity-next -- bash tests/tools/sanity.sh

# ansible-test sanity of ansible-core 2.16 (compile, import on Python 2.7 and 3.6; validate-modules):
# what EL7's nodes run (tests/tools/sanity-216.sh).
sanity-216: venv venv-216
	$(PHASE) run sanity-216 -- bash tests/tools/sanity-216.sh

# Every node-side module through Ansible's own packaging (AnsiballZ), as an operator without
# mitogen runs it: ansible-core 2.16 on CPython 2.7 and 3.6, the current one on python3
# (tests/tools/ansiballz_smoke.py; the scenarios run their playbooks with mitogen).
ansiballz: venv venv-216 collection
	$(PHASE) run ansiballz -- .venv/bin/python tests/tools/ansiballz_smoke.py

# The artifact users install: built, its file list checked, ansible-builder introspect and create
# run on it (tests/tools/package.sh).
package: venv
	$(PHASE) run package -- bash tests/tools/package.sh

# The docs site (antsibull-docs sphinx-init, offline, zero warnings: tests/output/docs-site/build/html)
# and antsibull-docs lint-collection-docs (tests/tools/docs-site.sh; its own .venv-docs).
docs: venv
	$(PHASE) run docs -- bash tests/tools/docs-site.sh

# The example alert rules of docs/monitoring.md, tested with promtool (tests/tools/alert-rules.sh).
alerts: host-deps
	$(PHASE) run alerts -- bash tests/tools/alert-rules.sh

# The closing line of CI says how the lab ran (KVM or TCG), or that it failed.
# Each scenario with the toolchain its molecule.yml names (tests/tools/molecule-all.sh).
molecule: venv venv-216 host-deps collection
	@mkdir -p tests/output; rm -f tests/output/lab-run.txt .lab/last-run.json
	@rc=0; bash tests/tools/molecule-all.sh 2>&1 | $(PHASE) stamp tests/output/molecule.stamped.log | tee tests/output/molecule.log || rc=$$?; \
	  run=$$($(LABCTL) last-run) || true; \
	  if [ $$rc -eq 0 ]; then echo "$$run; molecule scenarios passed" > tests/output/lab-run.txt; \
	  else echo "$$run; molecule FAILED (exit $$rc)" > tests/output/lab-run.txt; \
	    bash tests/tools/failure-digest.sh tests/output/molecule.log; fi; \
	  exit $$rc

clean: lab-down
	rm -rf tests/output .cache

# Does the lab's replication link hold? >= 100 cycles of full resync / reconnect / link
# pulled under write load, stalls counted from the bridge's counters (bench/soak.py); needs
# the lab (make lab). Writes the "lab_soak" section of bench/results.json. Not in make test.
lab-soak: venv collection
	$(PY) bench/soak.py

# How long make lab takes from a fresh machine (venv, image and all removed first), and a second
# make lab; writes the "make_lab" section of bench/results.json. Needs the lab down. Not in make test.
# System python3: the script removes the venv it would otherwise run in.
lab-time:
	python3 bench/lab_time.py

# Figures for the closing notes: needs the lab (make lab); writes bench/results.json.
bench: venv collection
	$(PY) bench/bench.py

# The DRBD option campaign behind docs/tuning.md (bench/tune.py); needs the lab (make lab).
# Writes the "tuning" section of bench/results.json; puts the resource file back at the end.
tune: venv collection
	$(PY) bench/tune.py

# The data-loss rounds and the fault matrix (proof/proof.py); needs the lab (make lab). Writes
# proof/results.json and proof/REPORT.md; PROOF_ROUNDS=N (default 20), PROOF_FAULTS=0 skips the faults.
proof: venv collection
	$(PY) proof/proof.py

# PostgreSQL on the pair (playbooks/examples/postgresql.yml) under pgbench through a switchover,
# a crash of the Primary and a backup/restore; needs the lab (make lab). Writes the
# "postgresql" section of bench/results.json and fails when a committed transaction is lost.
proof-pg: venv collection
	$(PY) proof/pg_failover.py
