#!/usr/bin/env python
"""The tuning campaign behind docs/tuning.md: which DRBD options move the mirror's figures.

Run by `make tune` on a provisioned lab (`make lab`). For each candidate set of options
(the role's defaults, DRBD's own defaults, and one change at a time from the role's
defaults) the resource file on both nodes is edited in place and applied with
`drbdadm adjust`, then measured in the same way as bench/bench.py: fio sequential 1 MiB
O_DIRECT writes to a file on the mirror (Primary, connected), 4 KiB O_SYNC write latency,
and a full resync of the Secondary (`drbdadm invalidate`, watched for at most 60 s), then
the link with iperf3, so that each candidate's ratios pair figures of the same moment. The resource file is put back and applied at the end, whatever
happened. Writes the "tuning" section of bench/results.json. Tests never assert these figures.
"""

import datetime
import json
import os
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "bench"))
import bench  # noqa: E402

RES = "/etc/drbd.d/%s.res" % bench.RESOURCE
RESYNC_LIMIT_S = 60
SAVED = "/root/%s.res.before-tuning" % bench.RESOURCE

# One change at a time from the role's defaults (roles/mirror/defaults/main.yml), plus DRBD 8.4's
# own defaults for the same keys. Every key named here is in the rendered resource file.
CANDIDATES = [
    ("role defaults", {}),
    ("DRBD 8.4 defaults", {"max-buffers": "2048", "max-epoch-size": "2048", "sndbuf-size": "0",
                           "rcvbuf-size": "0", "al-extents": "1237", "c-plan-ahead": "20",
                           "c-fill-target": "50k", "c-max-rate": "100M", "c-min-rate": "250k",
                           "resync-rate": "250k"}),
    ("fixed resync rate (c-plan-ahead 0, resync-rate 1G)", {"c-plan-ahead": "0", "resync-rate": "1G"}),
    ("c-fill-target 10M", {"c-fill-target": "10M"}),
    ("max-buffers/max-epoch-size 20000", {"max-buffers": "20000", "max-epoch-size": "20000"}),
    ("sndbuf-size/rcvbuf-size 10M", {"sndbuf-size": "10M", "rcvbuf-size": "10M"}),
    ("al-extents 1237", {"al-extents": "1237"}),
]


def set_options(name, options):
    for n in ("node1", "node2"):
        bench.sh(n, "cp -p %s %s" % (SAVED, RES))
        for key, value in sorted(options.items()):
            bench.sh(n, "grep -qE '^\\s*%s ' %s && sed -i -E 's/^(\\s*)%s [^;]+;/\\1%s %s;/' %s"
                     % (key, RES, key, key, value, RES))
    for n in ("node1", "node2"):
        bench.sh(n, "drbdadm adjust %s" % bench.RESOURCE)
    wait_connected()


def wait_connected(timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = [bench.events2(n) for n in ("node1", "node2")]
        if all(s.get("peer-device", {}).get("replication") == "Established" and
               s.get("device", {}).get("disk") == "UpToDate" for s in states):
            return
        time.sleep(1)
    raise SystemExit("tune: the pair did not come back Connected and UpToDate within %d s" % timeout)


def measure(primary, secondary):
    path = "/srv/hapair/tune.fio"
    try:
        seq = bench.fio(primary, path, "--rw=write --bs=1M --size=256M")
        lat = bench.fio(primary, path, "--rw=randwrite --bs=4k --sync=1 --iodepth=1 --size=64M --runtime=10 "
                                       "--time_based")
    finally:
        bench.sh(primary, "rm -f %s" % path)
    resync = measure_resync(secondary)
    link = bench.measure_link(primary, secondary)  # right after: the ratios pair figures of one moment
    row = {"mirrored_seq_mb_per_s": round(seq["bw_bytes"] / 1e6, 1),
           "mirrored_4k_sync_latency_ms": round(lat["clat_ns"]["mean"] / 1e6, 2),
           "link_mbit_per_s": link["mbit_per_s"]}
    row.update(resync)
    return row


def out_of_sync_kib(node):
    for line in bench.sh(node, "cat /proc/drbd").splitlines():
        for word in line.split():
            if word.startswith("oos:"):
                return int(word[4:])
    return None


def measure_resync(secondary, limit=RESYNC_LIMIT_S):
    """Full resync rate: invalidate the Secondary, watch the out-of-sync amount for at most
    ``limit`` seconds (DRBD's own defaults resync at ~0.3 MB/s: an hour for this disk). A resync
    still running afterwards finishes under the next candidate's (or the restored) options."""
    size_kib = int(bench.events2(secondary)["device"]["size"])
    bench.sh(secondary, "drbdadm invalidate %s" % bench.RESOURCE)
    started = time.time()
    left = size_kib
    while time.time() - started < limit:
        time.sleep(1)
        left = out_of_sync_kib(secondary)
        if left == 0 and bench.events2(secondary)["device"].get("disk") == "UpToDate":
            break
    seconds = time.time() - started
    done_kib = size_kib - (left or 0)
    return {"full_resync_mb_per_s": round(done_kib * 1024 / seconds / 1e6, 1), "full_resync_s": round(seconds, 1),
            "full_resync_finished": left == 0}


def main():
    primary, secondary = bench.roles()
    out = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "method": __doc__.strip().split("\n\n")[1].replace("\n", " "), "candidates": []}
    for n in ("node1", "node2"):
        bench.sh(n, "test -e %s || cp -p %s %s" % (SAVED, RES, SAVED))
    try:
        for name, options in CANDIDATES:
            print("tune: %s ..." % name, flush=True)
            set_options(name, options)
            row = {"name": name, "options": options}
            row.update(measure(primary, secondary))
            link_mbs = row["link_mbit_per_s"] / 8.0
            row["mirrored_over_link"] = round(row["mirrored_seq_mb_per_s"] / link_mbs, 2)
            row["resync_over_link"] = round(row["full_resync_mb_per_s"] / link_mbs, 2)
            out["candidates"].append(row)
            print("tune: %s" % json.dumps(row), flush=True)
    finally:
        for n in ("node1", "node2"):
            bench.sh(n, "mv %s %s && drbdadm adjust %s" % (SAVED, RES, bench.RESOURCE), check=False)
        wait_connected()
    bench.save_section("tuning", out)
    print("tune: wrote %s" % bench.RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
