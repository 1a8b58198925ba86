#!/usr/bin/env python
"""How long `make lab` takes from a fresh machine: `make lab-time` (not in make test).

Needs the lab down. With LAB_TIME_FRESH=1 (the default) it first removes what a fresh
machine does not have: the venv (.venv), the collection link (.cache/collections) and the
cached lab image (~/.cache/hapair-lab), so the run includes `make venv host-deps collection`,
the image build, the boot and the provisioning, and ends with the pair's status table. Then
it times a second `make lab` (the lab already up: provisioning run again, status).
Writes the "make_lab" section of bench/results.json; fails when make lab fails or the pair's
status is not healthy.
"""

import datetime
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, ".."))
sys.path.insert(0, HERE)

import bench  # noqa: E402


def make(target):
    started = time.time()
    res = subprocess.run(["make", "-C", TOP, target], capture_output=True, text=True, check=False)
    return res.returncode, res.stdout + res.stderr, round(time.time() - started, 1)


def main():
    if os.path.exists(os.path.join(TOP, ".lab", "state.json")):
        raise SystemExit("lab-time: the lab is up; make lab-down first")
    fresh = os.environ.get("LAB_TIME_FRESH", "1") == "1"
    if fresh:
        for path in (os.path.join(TOP, ".venv"), os.path.join(TOP, ".cache", "collections"),
                     os.path.expanduser("~/.cache/hapair-lab")):
            shutil.rmtree(path, ignore_errors=True)
    rc, out, secs = make("lab")
    with open(os.path.join(TOP, "tests", "output", "lab-time.log"), "w") as f:
        f.write(out)
    healthy = "verdict: healthy" in out
    run = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "fresh": fresh, "seconds": secs, "rc": rc, "status_healthy": healthy,
           "image_built": "lab image built in" in out,
           "image_build_seconds": _number(out, r"lab image built in (\d+) s"),
           "boot_to_ssh_seconds": [int(v) for v in re.findall(r"SSH up after (\d+) s", out)],
           "provision_recap": re.findall(r"^(node\d)\s+: (ok=\d+\s+changed=\d+)", out, re.M)[:2]}
    if rc == 0:
        rc2, out2, secs2 = make("lab")
        run["second_run_seconds"], run["second_run_rc"] = secs2, rc2
        run["second_run_changed"] = sum(int(v) for v in re.findall(r"changed=(\d+)", out2))
    print("lab-time: %s" % run)
    bench.save_section("make_lab", run)
    if rc != 0 or not healthy:
        raise SystemExit("lab-time: make lab failed (exit %s) or the pair is not healthy; tests/output/lab-time.log"
                         % rc)


def _number(text, pattern):
    m = re.search(pattern, text)
    return int(m.group(1)) if m else None


if __name__ == "__main__":
    main()
