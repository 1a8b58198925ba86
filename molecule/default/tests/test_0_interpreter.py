"""Which controller and which node Python this scenario's run used (issue 16).

The scenario names them in its molecule.yml: HAPAIR_TOOLCHAIN (.venv-216 = ansible-core 2.16,
the last controller for EL7's Python 2.7/3.6 nodes) and HAPAIR_LAB_PYTHON (labctl up --python:
Debian's own python3, or EL7's 2.7 / 3.6 copied into the image; one for both nodes, or one per
node: "2.7,3.6"). The operations scenario includes this file, so both scenarios record what
each node ran on in tests/output/figures/interpreters.json.
"""

import json
import os
import subprocess

from hapair_lab.access import node_pythons
from hapair_lab.checks import BIN, TOP

# labctl up --python -> the major.minor the nodes must report
EXPECTED_PYTHON = {"system": "3.11", "2.7": "2.7", "3.6": "3.6"}
# HAPAIR_TOOLCHAIN -> the ansible-core major.minor that must be driving the run
EXPECTED_CORE = {".venv-216": "2.16"}
FIGURES = os.path.join(TOP, "tests", "output", "figures", "interpreters.json")


def controller_core():
    out = subprocess.run([os.path.join(BIN, "ansible"), "--version"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("core ", 1)[1].split("]", 1)[0]


def major_minor(version):
    return ".".join(version.split(".")[:2])


def record(scenario, node, value):
    figures = {}
    if os.path.exists(FIGURES):
        with open(FIGURES) as f:
            figures = json.load(f)
    figures.setdefault(scenario, {})[node] = value
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    with open(FIGURES, "w") as f:
        json.dump(figures, f, indent=2, sort_keys=True)


def test_the_run_uses_the_scenarios_controller_and_node_python(host):
    """ansible_facts.python_version of each node is the scenario's, and so is the controller's
    ansible-core. Control: the same comparison made with Debian's own /usr/bin/python3 on the
    node must differ whenever the scenario asks for an EL7 interpreter, so a lab that quietly
    ran Debian's Python cannot pass."""
    name = host.backend.get_hostname()
    wanted = node_pythons(os.environ.get("HAPAIR_LAB_PYTHON", "system"), ("node1", "node2"))[name]
    toolchain = os.environ.get("HAPAIR_TOOLCHAIN", ".venv")
    facts = host.ansible("setup", "gather_subset=min")["ansible_facts"]
    version, executable = facts["ansible_python_version"], facts["ansible_python"]["executable"]
    core = controller_core()
    record(os.environ.get("MOLECULE_SCENARIO_NAME", "?"), name,
           {"python_version": version, "python": executable, "ansible_core": core, "toolchain": toolchain})
    assert major_minor(version) == EXPECTED_PYTHON[wanted], (version, executable)
    if toolchain in EXPECTED_CORE:
        assert major_minor(core) == EXPECTED_CORE[toolchain], core
    debian = host.check_output("/usr/bin/python3 -c 'import platform; print(platform.python_version())'")
    assert (major_minor(debian) == EXPECTED_PYTHON[wanted]) == (wanted == "system"), debian


def test_the_backup_job_runs_with_the_nodes_python(host):
    """The backup units start the job with the interpreter Ansible runs the modules with (on EL7
    that is /usr/bin/python 2.7; here the scenario's), not an assumed path."""
    unit = host.file("/etc/systemd/system/hapair-backup@.service")
    if not unit.exists:
        return  # this scenario's pair has no backups
    executable = host.ansible("setup", "gather_subset=min")["ansible_facts"]["ansible_python"]["executable"]
    starts = [line for line in unit.content_string.splitlines() if line.startswith(("ExecStart=", "ExecStopPost="))]
    assert starts and all(line.split("=", 1)[1].split()[0] == executable for line in starts), (executable, starts)
