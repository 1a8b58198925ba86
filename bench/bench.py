#!/usr/bin/env python
"""Measure the lab pair and write the figures to bench/results.json.

Run by `make bench` on a provisioned lab (`make lab`). Each section is
measured in the same run so that ratios (resync rate / link bandwidth) mean
something on a noisy machine. Tests never assert these numbers; they are
written down so that a reader can regenerate them with one command.

Sections written now:
  lab             accelerator and boot-to-SSH times
  link            iperf3 between the replication addresses (TCP, 10 s)
  full_resync     `drbdadm invalidate` on the Secondary: a full resync from the Primary
  provision_rerun wall time and changed count of a second provision.yml run
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LABCTL = [os.path.join(TOP, ".venv", "bin", "python"), os.path.join(TOP, "tests", "lab", "labctl")]
INVENTORY = os.path.join(TOP, ".lab", "inventory.yml")
RESULTS = os.path.join(TOP, "bench", "results.json")
RESOURCE = "r0"


def sh(node, command, check=True, timeout=300):
    res = subprocess.run(LABCTL + ["ssh", node, command], capture_output=True, text=True,
                         timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise SystemExit("bench: %s on %s failed: %s" % (command, node, res.stderr.strip()))
    return res.stdout


def events2(node):
    state = {}
    for line in sh(node, "drbdsetup events2 --now --statistics %s" % RESOURCE).splitlines():
        words = line.split()
        if len(words) > 2:
            state[words[1]] = dict(w.split(":", 1) for w in words[2:] if ":" in w)
    return state


def roles():
    primary = [n for n in ("node1", "node2") if events2(n).get("resource", {}).get("role") == "Primary"]
    if len(primary) != 1:
        raise SystemExit("bench: needs exactly one Primary (run make lab first)")
    return primary[0], "node2" if primary[0] == "node1" else "node1"


def address(node):
    out = subprocess.run([os.path.join(TOP, ".venv", "bin", "ansible-inventory"), "-i", INVENTORY, "--host", node],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["hapair_replication_address"].split("/")[0]


def measure_link(primary, secondary):
    sh(secondary, "pkill iperf3 || true; iperf3 -s -1 -D -B %s" % address(secondary))
    time.sleep(1)
    out = json.loads(sh(primary, "iperf3 -J -t 10 -c %s -B %s" % (address(secondary), address(primary)), timeout=60))
    end = out["end"]
    dev = re.search(r"\bdev (\S+)", sh(primary, "ip route get %s" % address(secondary))).group(1)
    mtu = int(sh(primary, "cat /sys/class/net/%s/mtu" % dev).strip())
    return {
        "tool": "iperf3 TCP, 10 s, replication addresses",
        "mbit_per_s": round(end["sum_received"]["bits_per_second"] / 1e6, 1),
        "retransmits": end["sum_sent"].get("retransmits"),
        "mtu": mtu,
    }


def measure_full_resync(primary, secondary):
    size_kib = int(events2(secondary)["device"]["size"])
    sh(secondary, "drbdadm invalidate %s" % RESOURCE)
    started = time.time()
    while True:
        dev = events2(secondary)
        if dev["device"].get("disk") == "UpToDate" and dev["peer-device"].get("replication") == "Established":
            break
        if time.time() - started > 3600:
            raise SystemExit("bench: resync did not finish within an hour")
        time.sleep(1)
    seconds = time.time() - started
    return {
        "what": "drbdadm invalidate on the Secondary: full resync of the device from the Primary",
        "size_mib": round(size_kib / 1024.0, 1),
        "seconds": round(seconds, 1),
        "mb_per_s": round(size_kib * 1024 / seconds / 1e6, 1),
        "polling_resolution_s": 1,
    }


def measure_provision_rerun():
    started = time.time()
    res = subprocess.run([os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-i", INVENTORY,
                          os.path.join(TOP, "playbooks", "provision.yml")],
                         capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections")))
    seconds = time.time() - started
    recap = dict((m.group(1), int(m.group(2))) for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", res.stdout, re.M))
    return {"seconds": round(seconds, 1), "rc": res.returncode, "changed": recap}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--skip", action="append", default=[], help="section to leave out (repeatable)")
    args = p.parse_args()
    results = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            results = json.load(f)
    primary, secondary = roles()
    run = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    status = json.loads(subprocess.run(LABCTL + ["status", "--json"], capture_output=True, text=True, check=False).stdout)
    run["lab"] = {"accel": status.get("accel"), "accel_reason": status.get("accel_reason"),
                  "layout": status.get("layout"),
                  "boot_to_ssh_s": dict((n, v.get("boot_seconds")) for n, v in status.get("nodes", {}).items())}
    steps = [("link", lambda: measure_link(primary, secondary)),
             ("full_resync", lambda: measure_full_resync(primary, secondary)),
             ("provision_rerun", measure_provision_rerun)]
    for name, step in steps:
        if name in args.skip:
            continue
        print("bench: measuring %s ..." % name, flush=True)
        run[name] = step()
        print("bench: %s: %s" % (name, json.dumps(run[name])), flush=True)
    if "link" in run and "full_resync" in run:
        run["ratios"] = {"full_resync_over_link": round(run["full_resync"]["mb_per_s"] * 8 / run["link"]["mbit_per_s"], 2)}
    results["provision"] = run
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    print("bench: wrote %s" % RESULTS)


if __name__ == "__main__":
    sys.exit(main())
