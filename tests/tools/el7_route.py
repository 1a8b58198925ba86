"""Can the EL7 route install this collection? EL7's nodes need ansible-core 2.16 on the controller,
and the last `ansible` package for 2.16 (9.x, requirements-216.txt) bundles the collections an
operator gets from PyPI alone (Galaxy may be out of reach). Each dependency in galaxy.yml must be
satisfied by the version that package bundles, and every option the roles and playbooks give a
module of those collections must exist in that version (ansible-doc of the 2.16 toolchain).

Usage: .venv-216/bin/python tests/tools/el7_route.py   (exit 1 naming what does not fit)
"""

import glob
import json
import os
import re
import subprocess
import sys

import yaml

import ansible_collections

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUNDLE = os.path.dirname(list(ansible_collections.__path__)[0].rstrip("/") + "/x")


def version(text):
    return tuple(int(part) for part in re.findall(r"\d+", text.split("-")[0].split("+")[0])[:3])


def satisfies(installed, spec):
    """galaxy's version ranges: '*', or comma-separated '>=1.2.0', '<2', '!=1.3.0', '==1.2.3', '1.2.3'."""
    for clause in (c.strip() for c in str(spec).split(",")):
        if clause in ("*", ""):
            continue
        op, wanted = re.match(r"^(>=|<=|!=|==|>|<)?\s*(.+)$", clause).groups()
        have, want = version(installed), version(wanted)
        ok = {">=": have >= want, "<=": have <= want, ">": have > want, "<": have < want,
              "!=": have != want, "==": have == want, None: have == want}[op]
        if not ok:
            return False
    return True


def options_used():
    """{module FQCN: {option: [file, ...]}} of the dependency collections' modules in roles and playbooks."""
    used = {}

    def walk(node, path):
        if isinstance(node, list):
            for item in node:
                walk(item, path)
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and re.match(r"^(community\.general|ansible\.posix)\.\w+$", key) \
                        and isinstance(value, dict):
                    for option in value:
                        used.setdefault(key, {}).setdefault(option, []).append(os.path.relpath(path, TOP))
                walk(value, path)
    for path in sorted(glob.glob(os.path.join(TOP, "roles", "*", "tasks", "*.yml"))
                       + glob.glob(os.path.join(TOP, "roles", "*", "handlers", "*.yml"))
                       + glob.glob(os.path.join(TOP, "playbooks", "*.yml"))):
        with open(path) as f:
            walk(yaml.safe_load(f), path)
    return used


def module_options(fqcn):
    """The option names (and aliases) of a module, from this toolchain's ansible-doc."""
    doc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "-j", "-t", "module", fqcn],
                         capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.dirname(BUNDLE)))
    if doc.returncode != 0:
        return None
    options = json.loads(doc.stdout)[fqcn]["doc"].get("options") or {}
    names = set(options)
    for option in options.values():
        names.update(option.get("aliases") or [])
    return names


def main():
    with open(os.path.join(TOP, "galaxy.yml")) as f:
        deps = yaml.safe_load(f).get("dependencies") or {}
    import ansible
    from ansible.release import __version__ as core
    problems = []
    for name, spec in sorted(deps.items()):
        namespace, coll = name.split(".")
        manifest = os.path.join(BUNDLE, namespace, coll, "MANIFEST.json")
        if not os.path.exists(manifest):
            problems.append("%s %s: not bundled with the ansible package of this toolchain" % (name, spec))
            continue
        with open(manifest) as f:
            have = json.load(f)["collection_info"]["version"]
        state = "ok" if satisfies(have, spec) else "NOT SATISFIED"
        print("[el7-route] %s %s: bundled %s: %s" % (name, spec, have, state))
        if state != "ok":
            problems.append("%s %s: the ansible package for ansible-core %s bundles %s" % (name, spec, core, have))
    del ansible
    for fqcn, options in sorted(options_used().items()):
        known = module_options(fqcn)
        if known is None:
            problems.append("%s: not in the collections bundled for ansible-core %s" % (fqcn, core))
            continue
        missing = sorted(o for o in options if o not in known)
        print("[el7-route] %s: options %s: %s" % (fqcn, ", ".join(sorted(options)),
                                                  "ok" if not missing else "UNKNOWN " + ", ".join(missing)))
        for option in missing:
            problems.append("%s has no option %s in this version (used in %s)"
                            % (fqcn, option, ", ".join(sorted(set(options[option])))))
    for problem in problems:
        print("[el7-route] ERROR: %s; galaxy.yml must ask only for what the code needs" % problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
