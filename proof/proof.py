#!/usr/bin/env python
"""The product's core promise, measured: no write acknowledged to a client is lost.

Run by `make proof` on a provisioned lab (`make lab`); PROOF_ROUNDS (default 20) rounds
alternate a controlled switchover (failover.yml) and a crash of the Primary's VM
(labctl kill) followed by promote.yml, start and rejoin.yml, all under the demo
application's write load: it appends fsynced records numbered per writer (one run of the
application), and a probe outside the VMs (HTTP on 127.0.0.1 forwards) records, per writer,
the highest number acknowledged. After every round: acknowledged records missing on the new
Primary, a record counting only if the same writer's record is there (ledger.py; must be 0
with protocol C); in the first switchover round the negative control (the same count on the
new Primary's log with the old writer's last 15 records taken out must say 15);
checksums of a fixed data set, the pair healthy (status.yml) after a rejoin.

Then the fault matrix, each followed by the same checks and by a DRBD online verify
(`drbdadm verify`: the two copies compared block by block, out-of-sync must be 0):
Secondary crash and return; link cut during writes (how much was resynced when it came
back); link cut during a resync; both nodes powered off and on; the Secondary's disk failing
under writes and being replaced (provision.yml on the node with its new blank disk).

Before every round and fault, `labctl link-check` proves the lab's replication link (the
bridge in the lab's namespace, not DRBD) carries traffic; one that does not ends the
campaign as a finding, with the evidence under "lab_link". Nothing repairs it.

Writes proof/results.json and proof/REPORT.md (or into PROOF_OUT); exits non-zero when a
round lost an acknowledged record or a check failed. PROOF_FAULTS=0 skips the fault matrix,
PROOF_FAULTS=secondary_crash,link_cut_during_writes runs only those faults; PROOF_STALE_CONTROL=0
skips the stale-promotion control (it runs first otherwise). CI runs two
rounds of it in the operations scenario (molecule/operations/tests).
"""

import datetime
import json
import os
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "lab"))
from hapair_lab import ledger  # noqa: E402
from hapair_lab.checks import Lab, address, drbd_state, hostvars, node, playbook, records_lost, wait_for  # noqa: E402
from hapair_lab.probe import Probe  # noqa: E402

# PROOF_OUT: where results.json and REPORT.md go (CI's short run writes under tests/output)
OUT = os.environ.get("PROOF_OUT") or os.path.join(TOP, "proof")
RESULTS = os.path.join(OUT, "results.json")
REPORT = os.path.join(OUT, "REPORT.md")
DATA = "/srv/hapair/proofdata"
LAB = Lab(TOP)
UNIT = "hapair-demo.service"


def say(msg):
    print("proof: %s" % msg, flush=True)


def other(name):
    return "node2" if name == "node1" else "node1"


def roles():
    primaries = [n for n in ("node1", "node2") if drbd_state(node(n)).get("role") == "Primary"]
    if len(primaries) != 1:
        raise SystemExit("proof: needs exactly one Primary, found %s (make lab first)" % primaries)
    return primaries[0], other(primaries[0])


def in_sync(name):
    s = drbd_state(node(name))
    return s if (s.get("connection"), s.get("disk"), s.get("peer_disk")) == ("Connected", "UpToDate", "UpToDate") \
        else None


def run(book, *extra):
    rc, out, secs = playbook(book, *extra, timeout=1200)
    if rc != 0:
        raise RoundFailed("%s failed: %s" % (book, out[-2000:]))
    return round(secs, 1)


class RoundFailed(Exception):
    pass


def link_checked(results, where):
    """The lab's replication link carries traffic before a step. False, with the evidence
    recorded as a finding, when it does not: the campaign stops, nothing is repaired."""
    res = LAB("link-check", "--json", check=False, timeout=300)
    try:
        seen = json.loads(res.stdout)
    except ValueError:
        results["findings"].append("%s: labctl link-check failed: %s" % (where, (res.stderr or res.stdout)[-300:]))
        return False
    if seen.get("ok"):
        return True
    results.setdefault("lab_link", []).append(dict(seen, where=where))
    results["findings"].append("%s: the lab's replication link carried no traffic before the step; "
                               "evidence in lab_link" % where)
    return False


def checksums(name):
    return node(name).check_output("cd %s && sha256sum f*", DATA)


def write_dataset(name):
    """Fresh random files on ``name`` (the Primary); their checksums."""
    node(name).check_output("mkdir -p %s && for i in $(seq 1 16); do head -c 262144 /dev/urandom > %s/f$i; "
                            "done && sync", DATA, DATA)
    return checksums(name)


def oos_kib(name):
    """KiB DRBD marks out of sync. DRBD 9's status prints out-of-sync:N; 8.4's emulated status
    leaves the field out when it is 0, so /proc/drbd's oos:N (8.4) comes first."""
    for word in node(name).run("cat /proc/drbd 2>/dev/null; drbdsetup status r0 --statistics").stdout.split():
        if word.startswith(("oos:", "out-of-sync:")):
            return int(word.split(":")[1])
    return None


def verify(primary):
    """Online verify from the Primary: the copies compared block by block; out-of-sync KiB found."""
    started = time.time()
    node(primary).check_output("drbdadm verify r0")
    wait_for(lambda: "Verify" not in node(primary).run("drbdsetup status r0").stdout, 600,
             "the online verify to finish", interval=3)
    if drbd_state(node(primary)).get("connection") != "Connected":
        # a verify cut short by a lost connection leaves no result: its oos counts the writes since
        raise RoundFailed("the online verify was interrupted: the connection dropped (%s)"
                          % drbd_state(node(primary)))
    return oos_kib(primary), round(time.time() - started, 1)


def probe_ports():
    return dict((n, v["http_port"]) for n, v in LAB.status()["nodes"].items())


def start_probe():
    probe = Probe(probe_ports(), interval=0.05)
    probe.start()
    wait_for(lambda: probe.answers, 60, "the probe to see the application", interval=1)
    time.sleep(2)
    return probe


def settle_probe(probe, new_primary, since):
    wait_for(lambda: any(a[1] == new_primary and a[0] > since for a in probe.answers), 120,
             "%s to serve" % new_primary, interval=1)
    time.sleep(1)
    probe.stop()


def serves_only_on(name):
    """The application, the mount and the service IP on ``name`` and not on its peer."""
    service_ip = address(hostvars(node(name))["hapair_service_ip"])
    ip = node(name).check_output("ip -4 -o addr show | grep -c ' %s/' || true", service_ip)
    peer_ip = node(other(name)).check_output("ip -4 -o addr show | grep -c ' %s/' || true", service_ip)
    return (node(name).service(UNIT).is_running and not node(other(name)).service(UNIT).is_running
            and node(name).mount_point("/srv/hapair").exists and not node(other(name)).mount_point("/srv/hapair").exists
            and ip.strip() == "1" and peer_ip.strip() == "0")


def one_round(number, kind, controls):
    primary, secondary = roles()
    # written by this round's Primary, read on the next one: never a node's own files
    expected = write_dataset(primary)
    probe = start_probe()
    t0 = time.time()
    row = {"round": number, "fault": kind, "from": primary, "to": secondary}
    if kind == "switchover":
        row["playbook_s"] = run("failover.yml", "hapair_target=%s" % secondary)
    else:
        LAB("kill", primary)
        row["playbook_s"] = run("promote.yml", "hapair_target=%s" % secondary, "hapair_confirm_data_loss=yes")
    settle_probe(probe, secondary, t0)
    # every answer counts: a writer's acknowledged records are its own, whoever serves later
    row["acknowledged"], row["lost"] = loss(probe, secondary)
    if kind == "switchover" and not any(c["kind"] == "tail-removed" for c in controls):
        controls.append(control_tail_removed(probe, primary, secondary))
    row["recovery_s"] = round(probe.longest_gap(t0 - 1) or 0, 2)
    row["data_ok"] = checksums(secondary) == expected
    if kind == "crash":
        LAB("start", primary)
        row["rejoin_s"] = run("rejoin.yml", "hapair_node=%s" % primary)
        wait_for(lambda: in_sync(primary), 300, "%s in sync as Secondary" % primary)
    # after the rejoin for a crash: the old Primary, back, must not serve
    row["serves_only_on_new_primary"] = serves_only_on(secondary)
    rc, out, dummy = playbook("status.yml")
    row["healthy"] = rc == 0
    return row


def loss(probe, name, until=None):
    """(records acknowledged, records lost) on `name`, counted per writer (ledger.py): each
    writer's acknowledged records 1..wseq must be that writer's records in the log."""
    acknowledged = probe.acknowledged(until)
    return sum(acknowledged.values()), ledger.count(records_lost(node(name), acknowledged))


CONTROL_RECORDS = 15


def control_tail_removed(probe, old_primary, new_primary):
    """The negative control of a switchover round: the new Primary's real log with the old
    writer's last CONTROL_RECORDS records taken out (in memory) must show exactly that loss."""
    old_writer = [a[4] for a in probe.answers if a[1] == old_primary][-1]
    acknowledged = probe.acknowledged()
    last = acknowledged[old_writer]
    text = node(new_primary).check_output("cat /srv/hapair/demo/records.log")
    cut = ledger.drop_records(text, old_writer, last - CONTROL_RECORDS + 1, last)
    reported = ledger.count(ledger.lost(cut, acknowledged))
    return {"kind": "tail-removed",
            "control": "switchover %s->%s; the old writer's last %d acknowledged records removed from the new "
                       "Primary's log (in memory) before the count" % (old_primary, new_primary, CONTROL_RECORDS),
            "expected_lost": CONTROL_RECORDS, "reported_lost": reported, "ok": reported == CONTROL_RECORDS}


def control_unfenced_stale_promotion():
    """The negative control a real loss makes: the Secondary stops accepting the fencing key,
    the link is cut, the Primary writes on alone (unfenced, so the Secondary still looks
    UpToDate), the Primary dies, the Secondary is promoted. Every record the old writer
    acknowledged after the cut is gone, and the count must say so: at most those acknowledged
    after labctl began the cut, at least those acknowledged after it returned plus one reading
    interval of the probe (seen on the lab: without that interval the count, 345, was one under
    the bound, 346, because the probe had seen a mirrored record late). Then the old Primary
    rejoins as the split brain's victim and the key is put back."""
    primary, secondary = roles()
    keys = "/root/.ssh/authorized_keys"
    node(secondary).check_output("cp -p %s %s.hapair-control", keys, keys)
    probe = start_probe()
    try:
        # grep -v exits 1 when nothing is left (the lab's own key is in authorized_keys2)
        node(secondary).check_output("{ grep -v outdate-self %s.hapair-control || true; } > %s", keys, keys)
        before_cut = time.time()
        LAB("link", "down")
        after_cut = time.time()
        # DRBD needs up to ping-int (10 s) plus its timeouts to give up on the peer, and writes wait
        # meanwhile; then the Primary writes on, unmirrored and unfenced
        time.sleep(30)
        writer = [a[4] for a in probe.answers if a[1] == primary][-1]
        LAB("kill", primary)
        acked_at_kill = probe.acknowledged().get(writer, 0)
        # acknowledged before labctl began the cut: mirrored. The probe sees a record one reading
        # interval late at worst (it asks both nodes in turn; the Secondary's forward answers
        # slowly), so what it had seen one interval after the cut bounds what was mirrored
        seen = [a[0] for a in probe.answers if a[1] == primary and a[0] <= before_cut][-100:]
        lag = max([b - a for a, b in zip(seen, seen[1:])] or [1.0]) + 0.1
        mirrored_at_least = probe.acknowledged(before_cut).get(writer, 0)
        mirrored_at_most = probe.acknowledged(after_cut + lag).get(writer, 0)
        run("promote.yml", "hapair_target=%s" % secondary, "hapair_confirm_data_loss=yes")
        settle_probe(probe, secondary, after_cut)
        missing = records_lost(node(secondary), {writer: acked_at_kill})
        reported = ledger.count(missing)
    finally:
        LAB("link", "up")
        node(secondary).check_output("mv %s.hapair-control %s", keys, keys)
        if not LAB.status()["nodes"][primary]["running"]:
            LAB("start", primary)
    run("rejoin.yml", "hapair_node=%s" % primary, "hapair_split_brain_victim=%s" % primary)
    wait_for(lambda: in_sync(secondary), 300, "%s back in sync as Secondary" % primary)
    low, high = acked_at_kill - mirrored_at_most, acked_at_kill - mirrored_at_least
    return {"kind": "stale-promotion",
            "control": "link cut with fencing refused by %s, %s writes on alone for 30 s and is killed, %s "
                       "promoted; the records acknowledged after the cut are lost (the range: the time labctl's "
                       "cut took plus the probe's reading interval, %.2f s)" % (secondary, primary, secondary, lag),
            "expected_lost": "%d-%d" % (low, high), "reported_lost": reported,
            "ok": low > 0 and low <= reported <= high}


def fault_secondary_crash(expected):
    primary, secondary = roles()
    probe = start_probe()
    LAB("kill", secondary)
    time.sleep(10)  # the Primary keeps writing alone
    oos = oos_kib(primary)
    started = time.time()
    LAB("start", secondary)
    wait_for(lambda: in_sync(primary), 300, "%s back in sync" % secondary)
    probe.stop()
    acknowledged, lost = loss(probe, primary)
    return {"fault": "secondary crash and return", "acknowledged": acknowledged, "lost": lost, "resynced_kib": oos,
            "recovery_s": round(time.time() - started, 1), "data_ok": checksums(primary) == expected}


def fault_link_cut_during_writes(expected):
    primary, secondary = roles()
    probe = start_probe()
    LAB("link", "down")
    try:
        time.sleep(30)  # the Primary carries on; the fence-peer handler outdates the Secondary
        primary_kept_writing = node(primary).service("hapair-demo.service").is_running
        oos = oos_kib(primary)
    finally:
        LAB("link", "up")
    started = time.time()
    wait_for(lambda: in_sync(primary), 300, "the resync after the link came back")
    probe.stop()
    acknowledged, lost = loss(probe, primary)
    return {"fault": "link cut during writes", "acknowledged": acknowledged, "lost": lost, "resynced_kib": oos,
            "primary_kept_writing": primary_kept_writing, "recovery_s": round(time.time() - started, 1),
            "data_ok": checksums(primary) == expected}


def fault_link_cut_during_resync(expected):
    primary, secondary = roles()
    node(secondary).check_output("drbdadm invalidate r0")  # a full resync into the Secondary
    wait_for(lambda: "SyncTarget" in node(secondary).run("drbdsetup status r0").stdout, 60, "the resync to start")
    time.sleep(3)
    LAB("link", "down")
    try:
        time.sleep(15)
        left = oos_kib(primary)
    finally:
        LAB("link", "up")
    started = time.time()
    wait_for(lambda: in_sync(primary), 600, "the interrupted resync to finish")
    return {"fault": "link cut during a resync", "resync_left_kib_at_cut": left,
            "recovery_s": round(time.time() - started, 1), "data_ok": checksums(primary) == expected}


def fault_power_cycle_both(expected):
    primary, secondary = roles()
    probe = start_probe()
    for n in (primary, secondary):
        LAB("kill", n)
    killed = time.time()
    started = time.time()
    for n in (primary, secondary):
        LAB("start", n)
    # Nobody becomes Primary by itself after both went down: the operator says who.
    run("make_primary.yml", "hapair_target=%s" % primary)
    settle_probe(probe, primary, started)
    wait_for(lambda: in_sync(primary), 300, "the pair in sync after the power cycle")
    acknowledged, lost = loss(probe, primary, until=killed)
    return {"fault": "both nodes powered off and on", "acknowledged": acknowledged,
            "lost": lost, "recovery_s": round(time.time() - started, 1),
            "data_ok": checksums(primary) == expected}


def fault_secondary_disk_failure(expected):
    """The Secondary's disk fails under write load (QEMU drive_del: every I/O to it gets EIO),
    then the node is stopped, given a new blank disk and provisioned again (docs/operations.md)."""
    primary, secondary = roles()
    probe = start_probe()
    LAB("hmp", secondary, "drive_del", "spare")
    wait_for(lambda: drbd_state(node(secondary)).get("disk") == "Diskless", 180,
             "DRBD on %s to detach the failed disk" % secondary)
    acked_at_failure = probe.max_acked()
    time.sleep(10)  # the Primary carries on without a second copy
    kept_writing = probe.max_acked() > acked_at_failure and node(primary).service(UNIT).is_running
    started = time.time()
    LAB("kill", secondary)
    LAB("replace-disk", secondary)
    LAB("start", secondary)
    provision_s = run("provision.yml")
    wait_for(lambda: in_sync(primary), 900, "the new disk of %s to be in sync" % secondary)
    probe.stop()
    acknowledged, lost = loss(probe, primary)
    return {"fault": "Secondary disk failure and replacement", "acknowledged": acknowledged,
            "lost": lost, "primary_kept_writing": kept_writing,
            "provision_s": provision_s, "recovery_s": round(time.time() - started, 1),
            "data_ok": checksums(primary) == expected}


def report(results):
    controls = []
    for c in results.get("controls", []):
        controls.append("| %s | %s | %s | %s |" % (c["control"], c["expected_lost"], c["reported_lost"],
                                                   "yes" if c["ok"] else "NO"))
    header = "Generated by `make proof` (proof/proof.py) on %s; lab %s." % (results["at"], results["lab"])
    lines = ["# Proof report", "", header, "", "## Negative controls (a loss made on purpose must be counted)", "",
             "| control | expected lost | reported lost | ok |", "| --- | ---: | ---: | --- |"]
    lines += controls + ["", "## Rounds", "",
                         "| round | fault | acknowledged writes | lost | recovery (s) | data set | healthy after |",
                         "| ---: | --- | ---: | ---: | ---: | --- | --- |"]
    for r in results["rounds"]:
        lines.append("| %s | %s %s→%s | %s | %s | %s | %s | %s |" % (
            r["round"], r["fault"], r["from"], r["to"], r.get("acknowledged"), r.get("lost"), r.get("recovery_s"),
            "ok" if r.get("data_ok") else "DIFFERS", "yes" if r.get("healthy") else "NO"))
    if results.get("faults"):
        lines += ["", "| fault | acknowledged writes | lost | resynced (KiB) | recovery (s) | data set | verify out-of-sync (KiB) |",
                  "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
        for f in results["faults"]:
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                f["fault"], f.get("acknowledged", "-"), f.get("lost", "-"),
                f.get("resynced_kib", f.get("resync_left_kib_at_cut", "-")), f.get("recovery_s"),
                "ok" if f.get("data_ok") else "DIFFERS", f.get("verify_oos_kib")))
    if results["findings"]:
        lines += ["", "## Findings", ""] + ["- %s" % f for f in results["findings"]]
    with open(REPORT, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    rounds = int(os.environ.get("PROOF_ROUNDS", "20"))
    st = LAB.status()
    if not st.get("up"):
        raise SystemExit("proof: the lab is not up; run make lab")
    results = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "lab": "%s, layout %s" % (st.get("accel"), st.get("layout")),
               "writer": "hapair-demo: 20 fsynced records/s, numbered per writer (one run of the application); "
                         "each writer's acknowledged number read over HTTP every 50 ms from outside the VMs; a "
                         "record counts as kept only if the same writer's record is on the new Primary",
               "controls": [], "rounds": [], "faults": [], "findings": []}
    if os.environ.get("PROOF_STALE_CONTROL", "1") == "1":
        say("control: an unfenced stale promotion must lose the writes made after the cut")
        try:
            results["controls"].append(control_unfenced_stale_promotion())
        except (RoundFailed, AssertionError) as ex:
            results["findings"].append("the stale-promotion control did not run to the end: %s" % str(ex)[-300:])
    for number in range(1, rounds + 1):
        kind = "switchover" if number % 2 else "crash"
        say("round %d/%d: %s" % (number, rounds, kind))
        if not link_checked(results, "round %d" % number):
            break
        try:
            row = one_round(number, kind, results["controls"])
        except (RoundFailed, AssertionError) as ex:
            row = {"round": number, "fault": kind, "from": "?", "to": "?", "error": str(ex)[-1500:]}
            results["findings"].append("round %d (%s): %s" % (number, kind, str(ex)[-300:]))
        results["rounds"].append(row)
        say("round %d: %s" % (number, json.dumps(row)))
        if row.get("lost") or row.get("data_ok") is False or row.get("healthy") is False \
                or row.get("serves_only_on_new_primary") is False:
            results["findings"].append("round %d (%s): lost %s, data %s, healthy %s" % (
                number, kind, row.get("lost"), row.get("data_ok"), row.get("healthy")))
        if "error" in row:
            break
    for c in results["controls"]:
        say("control: %s" % json.dumps(c))
        if not c["ok"]:
            results["findings"].append("control failed, the loss count cannot be trusted: %s reported %s lost, "
                                       "%s expected" % (c["control"], c["reported_lost"], c["expected_lost"]))
    faults = [fault_secondary_crash, fault_link_cut_during_writes, fault_link_cut_during_resync,
              fault_power_cycle_both, fault_secondary_disk_failure]
    wanted = os.environ.get("PROOF_FAULTS", "1")
    if wanted not in ("0", "1"):  # a comma list of names: secondary_crash,secondary_disk_failure
        faults = [f for f in faults if f.__name__[len("fault_"):] in wanted.split(",")]
    if wanted != "0" and not results["findings"]:
        expected = write_dataset(roles()[0])   # each fault must leave the Primary's data as it was
        for step in faults:
            say("fault: %s" % step.__name__)
            if not link_checked(results, step.__name__):
                break
            try:
                row = step(expected)
            except (RoundFailed, AssertionError) as ex:
                row = {"fault": step.__name__, "error": str(ex)[-1500:]}
            else:
                try:
                    row["verify_oos_kib"], row["verify_s"] = verify(roles()[0])
                except (RoundFailed, AssertionError) as ex:
                    row["error"] = "online verify: %s" % str(ex)[-1500:]
            results["faults"].append(row)
            say("fault: %s" % json.dumps(row))
            if row.get("error") or row.get("lost") or row.get("data_ok") is False or row.get("verify_oos_kib") != 0:
                results["findings"].append("%s: %s" % (row["fault"], json.dumps(row)[:400]))
                break
    os.makedirs(OUT, exist_ok=True)
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    report(results)
    say("wrote %s and %s" % (RESULTS, REPORT))
    return 1 if results["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
