#!/usr/bin/env python
"""Measure the lab pair and write the figures to bench/results.json.

Run by `make bench` on a provisioned lab (`make lab`). Each section is
measured in the same run so that ratios (resync rate / link bandwidth) mean
something on a noisy machine. Tests never assert these numbers; they are
written down so that a reader can regenerate them with one command.

Sections:
  provision.lab             accelerator and boot-to-SSH times
  provision.link            iperf3 between the replication addresses (TCP, 10 s)
  provision.disk            fio, O_DIRECT: sequential 1 MiB writes and 4 KiB synchronous write latency,
                            through DRBD (a file on the mounted mirror) on the Primary while connected,
                            then raw on the Secondary's backing device with DRBD down there; the raw
                            writes overwrite the Secondary's copy, so it is invalidated at once and
                            the full resync that follows is measured (full_resync)
  provision.full_resync     `drbdadm invalidate` on the Secondary: a full resync from the Primary
  provision.provision_rerun wall time and changed count of a second provision.yml run
  operations.switchover     failover.yml there and back: wall time and the service gap a probe
                            outside the VMs saw; then the same steps typed by hand over SSH (the floor);
                            then make_secondary.yml + make_primary.yml back to back, there and back;
                            then `hapair make-secondary` + `hapair make-primary` over SSH (the node command)
  operations.switchover_baseline
                            with --baseline REV: the same, with the playbooks and plugins of commit REV
                            (a git worktree under .cache/), on the same lab in the same run
  operations.emergency      Primary killed, promote.yml: wall time and gap; then start + rejoin.yml;
                            the same with `hapair make-primary --yes` on the node, and with the DRBD
                            steps typed by hand (the floor: it includes DRBD noticing the dead peer)
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
sys.path.insert(0, os.path.join(TOP, "tests", "lab"))
from hapair_lab.probe import Probe  # noqa: E402
LABCTL = [os.path.join(TOP, ".venv", "bin", "python"), os.path.join(TOP, "tests", "lab", "labctl")]
INVENTORY = os.path.join(TOP, ".lab", "inventory.yml")
RESULTS = os.path.join(TOP, "bench", "results.json")
RESOURCE = "r0"


def save_section(name, data):
    """Replace one section of bench/results.json, keeping the others (bench, tune, soak)."""
    results = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            results = json.load(f)
    results[name] = data
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")


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


def inventory_var(node, name):
    out = subprocess.run([os.path.join(TOP, ".venv", "bin", "ansible-inventory"), "-i", INVENTORY, "--host", node],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)[name]


def address(node):
    return inventory_var(node, "hapair_replication_address").split("/")[0]


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


FIO = ("fio --name=bench --filename={path} --ioengine=psync --direct=1 --group_reporting --output-format=json "
       "{extra}")


def fio(node, path, extra):
    out = json.loads(sh(node, FIO.format(path=path, extra=extra), timeout=600))
    return out["jobs"][0]["write"]


def backing_device(node):
    return re.search(r"disk\s+(\S+);", sh(node, "drbdadm dump %s" % RESOURCE)).group(1)


def measure_disk(primary, secondary):
    """The mirror, then the raw backing disk, same sizes, same tool; then the full resync.

    The raw writes overwrite the Secondary's copy behind DRBD's back, so the Secondary is
    invalidated as soon as DRBD is up again: the full resync that follows is measured and
    returned as the second value (the copy is never left silently different).
    """
    size = "256M"
    seq = "--rw=write --bs=1M --size=%s" % size
    lat = "--rw=randwrite --bs=4k --sync=1 --iodepth=1 --size=%s --runtime=15 --time_based" % size
    mirrored = "/srv/hapair/bench.fio"
    try:
        mir_seq = fio(primary, mirrored, seq)
        mir_lat = fio(primary, mirrored, lat)
    finally:
        sh(primary, "rm -f %s" % mirrored)
    dev = backing_device(secondary)
    sh(secondary, "drbdadm down %s" % RESOURCE)
    try:
        raw_seq = fio(secondary, dev, seq)
        raw_lat = fio(secondary, dev, lat)
    finally:
        sh(secondary, "drbdadm up %s" % RESOURCE)
    wait = time.time() + 120
    while events2(secondary).get("peer-device", {}).get("replication") != "Established" and time.time() < wait:
        time.sleep(1)
    resync = measure_full_resync(primary, secondary)

    def mbs(w):
        return round(w["bw_bytes"] / 1e6, 1)

    def lat_ms(w):
        return round(w["clat_ns"]["mean"] / 1e6, 2)
    return {
        "tool": "fio psync O_DIRECT; sequential 1 MiB writes of %s; 4 KiB O_SYNC random writes, queue depth 1, 15 s"
                % size,
        "raw_device": dev,
        "raw_seq_mb_per_s": mbs(raw_seq), "mirrored_seq_mb_per_s": mbs(mir_seq),
        "raw_4k_sync_latency_ms": lat_ms(raw_lat), "mirrored_4k_sync_latency_ms": lat_ms(mir_lat),
        "mirrored_path": "a file on the mounted mirror (xfs on /dev/drbdN): writing /dev/drbdN itself would destroy "
                         "the filesystem",
    }, resync


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


def playbook(name, *extra, tree=TOP):
    """Run playbooks/NAME of ``tree`` (this checkout, or a baseline worktree) with its collection."""
    argv = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-i", INVENTORY, os.path.join(tree, "playbooks", name)]
    for e in extra:
        argv += ["-e", e]
    started = time.time()
    res = subprocess.run(argv, capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(tree, ".cache", "collections")))
    if res.returncode != 0:
        raise SystemExit("bench: %s failed:\n%s" % (name, (res.stdout + res.stderr)[-3000:]))
    return round(time.time() - started, 1)


def http_ports():
    status = json.loads(subprocess.run(LABCTL + ["status", "--json"], capture_output=True, text=True, check=False).stdout)
    return dict((n, v["http_port"]) for n, v in status["nodes"].items())


def with_probe(action, new_primary):
    """Run action() while a probe polls the application; (action's result, service gap in s)."""
    probe = Probe(http_ports(), interval=0.05)
    probe.start()
    deadline = time.time() + 30
    while not probe.answers and time.time() < deadline:
        time.sleep(0.2)
    started = time.time()
    result = action()
    deadline = time.time() + 60
    while time.time() < deadline and not any(a[1] == new_primary and a[0] > started for a in probe.answers):
        time.sleep(0.2)
    time.sleep(1)
    probe.stop()
    return result, (round(probe.longest_gap(started - 1), 2) if probe.longest_gap(started - 1) else None)


def by_hand(source, target):
    """The floor: the switchover's steps as one SSH command per node, no Ansible."""
    vip = inventory_var(source, "hapair_service_ip")
    # The lab's service NIC sits in PCI slot 4, hence ens4 on both nodes.
    started = time.time()
    sh(source, "systemctl stop hapair-demo; ip addr del %s dev ens4 2>/dev/null; umount /srv/hapair; "
               "drbdadm secondary %s" % (vip, RESOURCE))
    sh(target, "drbdadm primary %s && mount -o noatime /dev/drbd1 /srv/hapair && ip addr add %s dev ens4 && "
               "systemctl start hapair-demo" % (RESOURCE, vip))
    return round(time.time() - started, 1)


def _ratio(gaps, floor):
    if None in gaps or None in floor or not gaps or not floor:
        return None
    return round(sum(gaps) / sum(floor), 2)


def node_command(source, target):
    """The two halves with the node command, one SSH command per node (no controller in the loop)."""
    started = time.time()
    sh(source, "hapair make-secondary")
    sh(target, "hapair make-primary")
    return round(time.time() - started, 1)


def measure_switchover(primary, secondary, tree=TOP):
    def two_step(source, target):
        return (playbook("make_secondary.yml", "hapair_node=%s" % source, tree=tree)
                + playbook("make_primary.yml", "hapair_target=%s" % target, tree=tree))
    wall, gap = with_probe(lambda: playbook("failover.yml", "hapair_target=%s" % secondary, tree=tree), secondary)
    wall_back, gap_back = with_probe(lambda: playbook("failover.yml", "hapair_target=%s" % primary, tree=tree), primary)
    hand, hand_gap = with_probe(lambda: by_hand(primary, secondary), secondary)
    hand_back, hand_gap_back = with_probe(lambda: by_hand(secondary, primary), primary)
    two, two_gap = with_probe(lambda: two_step(primary, secondary), secondary)
    two_back, two_gap_back = with_probe(lambda: two_step(secondary, primary), primary)
    node, node_gap = with_probe(lambda: node_command(primary, secondary), secondary) if tree == TOP else (None, None)
    node_back, node_gap_back = (with_probe(lambda: node_command(secondary, primary), primary) if tree == TOP
                                else (None, None))
    floor = [hand_gap, hand_gap_back]
    return {
        "playbook_seconds": [wall, wall_back], "playbook_service_gap_s": [gap, gap_back],
        "by_hand_seconds": [hand, hand_back], "by_hand_service_gap_s": floor,
        "playbook_over_by_hand_gap": _ratio([gap, gap_back], floor),
        "two_step_seconds": [two, two_back], "two_step_service_gap_s": [two_gap, two_gap_back],
        "two_step_over_by_hand_gap": _ratio([two_gap, two_gap_back], floor),
        "node_command_seconds": [node, node_back], "node_command_service_gap_s": [node_gap, node_gap_back],
        "node_command_over_by_hand_gap": _ratio([node_gap, node_gap_back], floor),
        "probe": "HTTP GET of the demo application on both nodes every 50 ms via 127.0.0.1 forwards",
        "two_step": "make_secondary.yml then make_primary.yml, each a separate ansible-playbook run",
    }


def baseline_tree(rev):
    """A worktree of commit ``rev`` under .cache/, with its own collection link; (path, full sha)."""
    path = os.path.join(TOP, ".cache", "bench-baseline")
    subprocess.run(["git", "-C", TOP, "worktree", "remove", "--force", path], capture_output=True, check=False)
    subprocess.run(["git", "-C", TOP, "worktree", "prune"], capture_output=True, check=False)
    subprocess.run(["git", "-C", TOP, "worktree", "add", "--detach", path, rev], capture_output=True, check=True)
    subprocess.run(["bash", os.path.join(path, "tests", "tools", "collection-link.sh")], capture_output=True, check=True)
    sha = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    return path, sha


def emergency_by_hand(target):
    """The floor: as soon as DRBD lets it (it notices the dead peer first), promote, mount, take the
    service IP and start the application, in one SSH command."""
    vip = inventory_var(target, "hapair_service_ip")
    sh(target, "for i in $(seq 600); do drbdadm primary %s 2>/dev/null && break; sleep 0.1; done; "
               "mount -o noatime /dev/drbd1 /srv/hapair && ip addr add %s dev ens4 && systemctl start hapair-demo"
               % (RESOURCE, vip))


def emergency_node_command(target):
    """`hapair make-primary --yes` once DRBD on the target no longer sees the dead peer."""
    sh(target, "for i in $(seq 600); do drbdsetup events2 --now %s | grep -q 'connection:Connected' || break; "
               "sleep 0.1; done; hapair make-primary --yes" % RESOURCE)


def measure_emergency(primary, secondary):
    def crash_and(promote):
        def run():
            subprocess.run(LABCTL + ["kill", primary], check=True, capture_output=True)
            started = time.time()
            promote()
            return round(time.time() - started, 1)
        return run

    def recover():
        subprocess.run(LABCTL + ["start", primary], check=True, capture_output=True)
        seconds = playbook("rejoin.yml", "hapair_node=%s" % primary)
        return seconds, playbook("failover.yml", "hapair_target=%s" % primary)

    wall, gap = with_probe(crash_and(lambda: playbook("promote.yml", "hapair_target=%s" % secondary,
                                                      "hapair_confirm_data_loss=yes")), secondary)
    rejoin, back = recover()
    node, node_gap = with_probe(crash_and(lambda: emergency_node_command(secondary)), secondary)
    recover()
    hand, hand_gap = with_probe(crash_and(lambda: emergency_by_hand(secondary)), secondary)
    recover()
    return {"promote_playbook_seconds": wall, "service_gap_s": gap, "rejoin_playbook_seconds": rejoin,
            "switch_back_seconds": back, "node_command_seconds": node, "node_command_service_gap_s": node_gap,
            "by_hand_seconds": hand, "by_hand_service_gap_s": hand_gap,
            "playbook_over_by_hand_gap": _ratio([gap], [hand_gap]),
            "node_command_over_by_hand_gap": _ratio([node_gap], [hand_gap]),
            "note": "gaps run from the kill to the first answer of the new Primary: DRBD noticing the dead peer "
                    "is in all three"}


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
    p.add_argument("--baseline", metavar="REV", help="also measure the switchover with the playbooks of commit REV")
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

    def disk_and_resync():
        run["disk"], resync = measure_disk(primary, secondary)
        return resync
    steps = [("link", lambda: measure_link(primary, secondary)),
             ("full_resync", disk_and_resync if "disk" not in args.skip else lambda: measure_full_resync(primary, secondary)),
             ("provision_rerun", measure_provision_rerun)]
    for name, step in steps:
        if name in args.skip:
            continue
        print("bench: measuring %s ..." % name, flush=True)
        run[name] = step()
        if name == "full_resync" and "disk" in run:
            print("bench: disk: %s" % json.dumps(run["disk"]), flush=True)
        print("bench: %s: %s" % (name, json.dumps(run[name])), flush=True)
    ops = results.get("operations", {})
    sections = [("switchover", lambda: measure_switchover(primary, secondary)),
                ("emergency", lambda: measure_emergency(primary, secondary))]
    if args.baseline:
        tree, sha = baseline_tree(args.baseline)
        sections.insert(0, ("switchover_baseline",
                            lambda: dict(measure_switchover(primary, secondary, tree=tree), commit=sha, at=run["at"])))
    for name, step in sections:
        if name in args.skip:
            continue
        print("bench: measuring %s ..." % name, flush=True)
        ops[name] = step()
        print("bench: %s: %s" % (name, json.dumps(ops[name])), flush=True)
    ops["at"] = run["at"]
    results["operations"] = ops
    if "link" in run and "full_resync" in run:
        link_mbs = run["link"]["mbit_per_s"] / 8.0
        run["ratios"] = {"full_resync_over_link": round(run["full_resync"]["mb_per_s"] / link_mbs, 2)}
        if "disk" in run:
            floor = min(run["disk"]["raw_seq_mb_per_s"], link_mbs)
            run["ratios"]["mirrored_seq_over_min_raw_link"] = round(run["disk"]["mirrored_seq_mb_per_s"] / floor, 2)
            run["ratios"]["mirrored_over_raw_4k_sync_latency"] = round(
                run["disk"]["mirrored_4k_sync_latency_ms"] / run["disk"]["raw_4k_sync_latency_ms"], 2)
    results["provision"] = run
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    print("bench: wrote %s" % RESULTS)


if __name__ == "__main__":
    sys.exit(main())
