#!/usr/bin/env python
"""Does the lab's replication link hold? `make lab-soak`, on a provisioned lab (`make lab`).

Under a bounded write load on the Primary, SOAK_CYCLES (default 102) cycles rotate through
  resync     `drbdadm invalidate` on the Secondary: a full resync from the Primary
  reconnect  `drbdadm disconnect` then `connect` on the Secondary
  link       the replication cable pulled for 3 s (labctl link down / up)
each waiting until both copies are UpToDate and connected again (SOAK_CYCLE_TIMEOUT, 300 s).
These are faults injected by a benchmark, never a repair: a cycle that does not recover
ends the soak and is reported.

Meanwhile a watcher outside the VMs reads the counters of both replication ports on the
lab's bridge once a second. A stall is a port that carried nothing from its VM for
STALL_SECONDS (15) while DRBD should be talking (connected, or connecting; not while the
cable is pulled or DRBD disconnected on purpose): DRBD sends at least every 10 s on a live
link (its pings, or its connection attempts).

Before the cycles: iperf3 over the replication link and one full resync, the link's figures;
then the control: the Secondary's VM is paused (QMP stop) for STALL_SECONDS + 5 s, a stall
the watcher must count (its port carries nothing while DRBD should be talking); a watcher
that misses it ends the soak. Writes the "lab_soak" section of bench/results.json.
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lab"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hapair_lab import faults, net  # noqa: E402
from hapair_lab.lab import NODES, Lab  # noqa: E402

import bench  # noqa: E402

CYCLES = int(os.environ.get("SOAK_CYCLES", "102"))
CYCLE_TIMEOUT = int(os.environ.get("SOAK_CYCLE_TIMEOUT", "300"))
STALL_SECONDS = 15
KINDS = ("resync", "reconnect", "link")
RESOURCE = "r0"
LOAD_SECONDS = 3600       # the write load stops by itself, at the latest after this
LOAD_ROUNDS = 100000      # ... or after this many 8 MiB writes
LOAD_PID = "/run/hapair-soak-load.pid"


class Watcher(threading.Thread):
    """Reads the replication ports' counters once a second; counts stall spells."""

    def __init__(self, ns, ports):
        super().__init__(daemon=True)
        self.ns = ns
        self.ports = ports
        self.talking = True
        self.stalls = []
        self.samples = 0
        self.stop = threading.Event()

    def read(self):
        res = subprocess.run(["ip", "-n", self.ns, "-s", "-j", "link", "show"], capture_output=True, text=True,
                             check=False)
        out = {}
        for link in json.loads(res.stdout or "[]"):
            if link.get("ifname") in self.ports:
                s = link.get("stats64", {})
                out[link["ifname"]] = (s.get("rx", {}).get("packets"), s.get("tx", {}).get("packets"))
        return out

    def run(self):
        last = {}
        quiet_since = {}
        flagged = set()
        while not self.stop.is_set():
            now = time.time()
            counters = self.read()
            self.samples += 1
            for port, (rx, tx) in counters.items():
                if not self.talking:
                    quiet_since[port] = now
                    flagged.discard(port)
                elif last.get(port) is None or last[port][0] != rx:
                    quiet_since[port] = now
                    flagged.discard(port)
                elif now - quiet_since.get(port, now) >= STALL_SECONDS and port not in flagged:
                    flagged.add(port)
                    self.stalls.append({"port": port, "at": time.strftime("%H:%M:%S"), "rx": rx, "tx": tx,
                                        "all_ports": self.read()})
                    print("soak: STALL: port %s carried nothing from its VM for %d s" % (port, STALL_SECONDS),
                          flush=True)
                last[port] = (rx, tx)
            self.stop.wait(1.0)


class Pair(object):
    def __init__(self, lab):
        self.lab = lab
        self.state = lab.require()

    def sh(self, node, script, timeout=120):
        rc, out = self.lab.ssh(node, self.state, script, timeout=timeout)
        if rc != 0:
            raise RuntimeError("%s on %s: rc %d" % (script, node, rc))
        return out

    def events2(self, node):
        state = {}
        for line in self.sh(node, "drbdsetup events2 --now %s" % RESOURCE).splitlines():
            words = line.split()
            if len(words) > 2:
                state[words[1]] = dict(w.split(":", 1) for w in words[2:] if ":" in w)
        return state

    def in_sync(self, node):
        e = self.events2(node)
        return (e.get("device", {}).get("disk") == "UpToDate"
                and e.get("peer-device", {}).get("peer-disk") == "UpToDate"
                and e.get("peer-device", {}).get("replication") == "Established")

    def wait_in_sync(self, nodes):
        deadline = time.time() + CYCLE_TIMEOUT
        while time.time() < deadline:
            if all(self.in_sync(n) for n in nodes):
                return True
            time.sleep(1)
        return False


def cycle(pair, watcher, kind, primary, secondary):
    if kind == "resync":
        pair.sh(secondary, "drbdadm invalidate %s" % RESOURCE)
    elif kind == "reconnect":
        watcher.talking = False
        pair.sh(secondary, "drbdadm disconnect %s" % RESOURCE)
        time.sleep(2)
        pair.sh(secondary, "drbdadm connect %s" % RESOURCE)
        watcher.talking = True
    else:
        watcher.talking = False
        faults.link(pair.lab, "down", lambda *_: None)
        time.sleep(3)
        faults.link(pair.lab, "up", lambda *_: None)
        watcher.talking = True
    return pair.wait_in_sync([primary, secondary])


def control(pair, watcher, primary, secondary):
    """A stall made on purpose: the Secondary's VM paused longer than STALL_SECONDS."""
    vm = pair.lab.vm(secondary)
    vm.qmp("stop")
    try:
        time.sleep(STALL_SECONDS + 5)
    finally:
        vm.qmp("cont")
    seen = [dict(port=s["port"], at=s["at"]) for s in watcher.stalls]
    recovered = pair.wait_in_sync([primary, secondary])
    return {"injected": "%s's VM paused (QMP stop) for %d s" % (secondary, STALL_SECONDS + 5),
            "stalls_seen": len(seen), "stalls": seen, "in_sync_after": recovered}


def main():
    lab = Lab(TOP)
    pair = Pair(lab)
    primary, secondary = bench.roles()
    if not pair.wait_in_sync([primary, secondary]):
        raise SystemExit("soak: the pair is not connected and UpToDate to begin with")
    run = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "what": "cycles of full resync, DRBD disconnect/reconnect and a pulled replication link under a "
                   "bounded write load on the Primary; stalls counted outside the VMs from the bridge ports",
           "script": "bench/soak.py (make lab-soak)",
           "stall_definition": "a replication bridge port that carried nothing from its VM for %d s while DRBD "
                               "should be talking" % STALL_SECONDS}
    print("soak: link figures (iperf3, one full resync) ...", flush=True)
    run["link"] = bench.measure_link(primary, secondary)
    run["full_resync"] = bench.measure_full_resync(primary, secondary)
    print("soak: %s; %s" % (json.dumps(run["link"]), json.dumps(run["full_resync"])), flush=True)

    ports = [net.tap_name(n["index"], "replication") for n in NODES.values()]
    watcher = Watcher(lab.ns, ports)
    pair.sh(primary, "nohup timeout %d sh -c 'i=0; while [ $i -lt %d ]; do "
                     "dd if=/dev/zero of=/srv/hapair/soak.bin bs=1M count=8 conv=fsync status=none; "
                     "i=$((i+1)); sleep 0.5; done' >/dev/null 2>&1 & echo $! > %s" % (LOAD_SECONDS, LOAD_ROUNDS, LOAD_PID))
    watcher.start()
    run["control"] = control(pair, watcher, primary, secondary)
    print("soak: control: %s" % json.dumps(run["control"]), flush=True)
    if run["control"]["stalls_seen"] < 1:
        watcher.stop.set()
        raise SystemExit("soak: the watcher did not see the stall injected on purpose; its count means nothing")
    watcher.stalls = []
    took = dict((k, []) for k in KINDS)
    failed = None
    started = time.time()
    try:
        for i in range(CYCLES):
            kind = KINDS[i % len(KINDS)]
            t0 = time.time()
            ok = cycle(pair, watcher, kind, primary, secondary)
            took[kind].append(round(time.time() - t0, 1))
            print("soak: cycle %d/%d %s: %s in %.1f s; stalls so far %d" % (
                i + 1, CYCLES, kind, "in sync" if ok else "NOT IN SYNC", time.time() - t0, len(watcher.stalls)),
                flush=True)
            if not ok:
                failed = {"cycle": i + 1, "kind": kind, "link_report": faults.link_report(lab)}
                break
    finally:
        watcher.talking = True
        watcher.stop.set()
        watcher.join()
        if lab.require()["link"] == "down":
            faults.link(lab, "up", lambda *_: None)
        # `timeout` passes the TERM on to the loop; then the file goes
        rc, dummy = lab.ssh(primary, pair.state, "kill $(cat %s) && sleep 2; rm -f %s /srv/hapair/soak.bin"
                            % (LOAD_PID, LOAD_PID))
        if rc != 0:
            print("soak: stopping the write load on %s failed (rc %d); it stops by itself within %d s"
                  % (primary, rc, LOAD_SECONDS), flush=True)
    run.update({
        "cycles": sum(len(v) for v in took.values()),
        "cycles_planned": CYCLES,
        "stalls": len(watcher.stalls),
        "stall_details": watcher.stalls,
        "failed_cycle": failed,
        "seconds": round(time.time() - started, 1),
        "watcher_samples": watcher.samples,
        "per_kind": dict((k, {"count": len(v), "median_s": statistics.median(v) if v else None,
                              "max_s": max(v) if v else None}) for k, v in took.items()),
    })
    bench.save_section("lab_soak", run)
    print("soak: %d cycles, %d stalls%s; bench/results.json (lab_soak)" % (
        run["cycles"], run["stalls"], "; FAILED at cycle %d (%s)" % (failed["cycle"], failed["kind"]) if failed else ""))
    return 1 if failed or run["stalls"] else 0


if __name__ == "__main__":
    sys.exit(main())
