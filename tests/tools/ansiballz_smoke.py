"""Every module through Ansible's own packaging (AnsiballZ) on the nodes' interpreters.

The lab runs its playbooks with mitogen's strategy, which sends modules and module_utils its own
way; an operator without mitogen gets AnsiballZ: one zip per task holding the module and the
module_utils ansible-core finds it importing. This runs each node-side module of the collection
through that path, on the host, with the interpreters the nodes run: with ansible-core 2.16
(.venv-216) on CPython 2.7 and 3.6 (EL7), and with the current ansible-core (.venv) on this host's
python3 (Debian 12's 3.11, as the default scenario's nodes).

Each module is called with one argument it does not have. A module that answers "Unsupported
parameters" or "missing required arguments" was unpacked, imported with all its module_utils, and
reached AnsibleModule's argument check; anything else (an ImportError, a traceback, no JSON) fails the run, naming the
module and the interpreter. A control module without its module_utils (a copy whose import names
a module_utils file that does not exist) must fail, or the check proves nothing.

The modules an action plugin of their own runs (node_library, and the doc stubs of controller-only
actions) are left out: their plugin would answer first.

Usage: .venv/bin/python tests/tools/ansiballz_smoke.py   (exit 1 naming what failed)
"""

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULES = os.path.join(TOP, "plugins", "modules")
ACTIONS = os.path.join(TOP, "plugins", "action")
PROBE = "_hapair_smoke"
CONTROL = "zz_ansiballz_control"
# ansible-core 2.16 is the last controller for Python 2.7/3.6 nodes
RUNS = ((".venv-216", ("2.7", "3.6")), (".venv", ("system",)))


@functools.lru_cache(maxsize=None)   # asked once per host and again in each message
def interpreter(version):
    if version == "system":
        return "/usr/bin/python3"
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        root = ""
    root = root or os.path.expanduser("~/.pyenv")
    found = sorted(glob.glob(os.path.join(root, "versions", version + ".*", "bin", "python" + version)))
    if not found:
        sys.exit("ansiballz-smoke: no CPython %s under %s/versions (pyenv versions)" % (version, root))
    return found[-1]


def node_modules():
    """The modules with a main() that no action plugin of the same name stands in front of,
    except operation_lock, whose action plugin passes every argument on to the module."""
    names = []
    for path in sorted(glob.glob(os.path.join(MODULES, "*.py"))):
        name = os.path.basename(path)[:-3]
        with open(path) as f:
            has_main = "\ndef main(" in f.read()
        if has_main and (name == "operation_lock" or not os.path.exists(os.path.join(ACTIONS, name + ".py"))):
            names.append(name)
    return names


def control_module(directory):
    """A module whose module_utils import names a file that does not exist: AnsiballZ cannot
    carry it, and the smoke must say so."""
    path = os.path.join(directory, CONTROL + ".py")
    with open(os.path.join(MODULES, "drbd_wait.py")) as f:
        text = f.read()
    text = text.replace("from ansible_collections.hapair.cluster.plugins.module_utils.",
                        "from ansible_collections.hapair.cluster.plugins.module_utils.no_such_file_", 1)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(venv, versions, names, work):
    hosts = dict(("py" + v.replace(".", ""), v) for v in versions)
    inventory = os.path.join(work, "inventory.json")
    with open(inventory, "w") as f:
        json.dump({"all": {"hosts": dict((h, {"ansible_connection": "local",
                                              "ansible_python_interpreter": interpreter(v)})
                                         for h, v in hosts.items())}}, f)
    tasks = [{"name": name, "hapair.cluster." + name: {PROBE: True}, "ignore_errors": True} for name in names]
    tasks.append({"name": CONTROL, CONTROL: {PROBE: True}, "ignore_errors": True})
    book = os.path.join(work, "smoke.yml")
    with open(book, "w") as f:
        json.dump([{"hosts": "all", "gather_facts": False, "tasks": tasks}], f)
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LIBRARY=work,
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORKS="3")
    for key in ("ANSIBLE_STRATEGY", "ANSIBLE_STRATEGY_PLUGINS"):
        env.pop(key, None)   # Ansible's own path, not mitogen's
    res = subprocess.run([os.path.join(TOP, venv, "bin", "ansible-playbook"), "-i", inventory, book],
                         capture_output=True, text=True, env=env, check=False)
    try:
        out = json.loads(res.stdout[res.stdout.index("{"):])
    except ValueError:
        return ["%s: ansible-playbook gave no JSON (exit %d): %s" % (venv, res.returncode, res.stderr[-2000:])], {}
    problems, seen = [], {}
    for task in out["plays"][0]["tasks"]:
        name = task["task"]["name"]
        for host, result in task["hosts"].items():
            said = "%s %s" % (result.get("msg", ""), result.get("module_stderr", ""))
            msg = result.get("msg", "")
            ok = ("Traceback" not in said and not result.get("module_stderr")
                  and (msg.startswith("missing required arguments: ") or ("Unsupported parameters" in msg and PROBE in msg)))
            if name == CONTROL:
                # it must fail, and for the right reason: the module_utils it names cannot be found
                ok = bool(result.get("failed")) and "no_such_file_" in said
            seen.setdefault(name, {})[host] = ok
            if name != CONTROL and not ok:
                problems.append("%s on %s (%s, %s): %s" % (name, hosts[host], venv, interpreter(hosts[host]),
                                                           said.strip()[-600:]))
    for host in hosts:
        if not seen.get(CONTROL, {}).get(host):
            problems.append("control: %s on %s was not refused for its missing module_utils; the smoke cannot "
                            "tell a module that lacks one" % (CONTROL, hosts[host]))
        missing = [n for n in names if host not in seen.get(n, {})]
        if missing:
            problems.append("%s on %s: no result for %s" % (venv, hosts[host], ", ".join(missing)))
    return problems, seen


def main():
    names = node_modules()
    problems = []
    work = tempfile.mkdtemp(prefix="ansiballz-smoke-")
    try:
        control_module(work)
        for venv, versions in RUNS:
            found, seen = run(venv, versions, names, work)
            problems += found
            ran = sum(1 for n in names for ok in seen.get(n, {}).values() if ok)
            print("[ansiballz] %s on %s: %d module runs reached the argument check (%d modules)"
                  % (venv, ", ".join(interpreter(v) for v in versions), ran, len(names)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for problem in problems:
        print("[ansiballz] FAILED: %s" % problem)
    if problems:
        return 1
    print("[ansiballz] OK: %s, each on every interpreter above; the control without its module_utils failed"
          % ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
