#!/usr/bin/env python
"""PostgreSQL on the pair under a real client: pgbench through a controlled switchover and a
crash of the Primary, then a backup with the pg_dump pre-hook restored in place.

Run by `make proof-pg` on a provisioned lab (`make lab`). It applies the example
(playbooks/examples/postgresql.yml) with an inventory derived from the lab's
(.lab/inventory-pg.yml: the cluster's unit added to hapair_services), then:

  switchover   pgbench runs from the lab host against whichever node answers on its
               forwarded 5432 (libpq host list, target_session_attrs=read-write); each
               transaction inserts a random id and, once the INSERT returned (committed),
               logs it on the host (pgbench \\shell). failover.yml moves the Primary.
  crash        the same load; the Primary's VM is killed (SIGKILL); promote.yml; later
               start + rejoin.yml and a switch back.
  backup       hapair_backup_pre_hook dumps the database (pg_dump -Fc) into the mirror;
               backup.yml; the ledger table is dropped (the human error); restore.yml in
               place; PostgreSQL starts and holds exactly the rows of the backup.

After each failover: every id the client logged as committed must be in the ledger on the
new Primary; the client-side gap (longest time without a commit) and PostgreSQL's start
time on the new Primary (crash recovery included) are measured. Figures go to the
"postgresql" section of bench/results.json. Exits non-zero when a committed transaction
is missing or PostgreSQL does not start by itself.
"""

import calendar
import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import yaml

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LABCTL = [os.path.join(TOP, ".venv", "bin", "python"), os.path.join(TOP, "tests", "lab", "labctl")]
INVENTORY = os.path.join(TOP, ".lab", "inventory.yml")
PG_INVENTORY = os.path.join(TOP, ".lab", "inventory-pg.yml")
RESULTS = os.path.join(TOP, "bench", "results.json")
UNIT = "postgresql@15-main.service"
PSQL = "runuser -u postgres -- psql -X -qtA -d app -c"
PRE_HOOK = ("mkdir -p /srv/hapair/dumps && chown postgres /srv/hapair/dumps && "
            "runuser -u postgres -- pg_dump -Fc -f /srv/hapair/dumps/app.dump app")


def say(msg):
    print("proof-pg: %s" % msg, flush=True)


def sh(node, command, check=True, timeout=300):
    res = subprocess.run(LABCTL + ["ssh", node, command], capture_output=True, text=True, timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise SystemExit("proof-pg: %s on %s failed: %s" % (command, node, (res.stdout + res.stderr).strip()))
    return res.stdout


def lab_status():
    return json.loads(subprocess.run(LABCTL + ["status", "--json"], capture_output=True, text=True, check=False).stdout)


def playbook(name, *extra):
    path = name if os.path.isabs(name) else os.path.join(TOP, "playbooks", name)
    argv = [os.path.join(TOP, ".venv", "bin", "ansible-playbook"), "-i", PG_INVENTORY, path]
    for e in extra:
        argv += ["-e", e]
    started = time.time()
    res = subprocess.run(argv, capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections")))
    if res.returncode != 0:
        raise SystemExit("proof-pg: %s failed:\n%s" % (name, (res.stdout + res.stderr)[-4000:]))
    return round(time.time() - started, 1), res.stdout


def primary():
    for n in ("node1", "node2"):
        if sh(n, "drbdadm role r0", check=False).strip().startswith("Primary"):
            return n
    raise SystemExit("proof-pg: no Primary")


def write_inventory(password):
    with open(INVENTORY) as f:
        inv = yaml.safe_load(f)
    group = inv["all"]["children"]["hapair_cluster"]["vars"]
    if UNIT not in group["hapair_services"]:
        group["hapair_services"] = group["hapair_services"] + [UNIT]
    group["hapair_pg_password"] = password
    # The lab host reaches PostgreSQL through QEMU's forward, from the slirp gateway 10.0.2.2.
    group["hapair_pg_clients"] = ["172.30.0.0/24", "10.0.2.2/32"]
    with open(PG_INVENTORY, "w") as f:
        yaml.safe_dump(inv, f)


class Client(threading.Thread):
    """pgbench in a loop against whichever node answers; committed ids logged on the host."""

    SCRIPT = "\\set id random(1, 9000000000000000000)\nINSERT INTO ledger (id) VALUES (:id);\n\\shell echo :id $(date +%%s.%%N) >> %s\n"

    def __init__(self, ports, password, workdir):
        threading.Thread.__init__(self, daemon=True)
        self.log = os.path.join(workdir, "committed.log")
        self.script = os.path.join(workdir, "ledger.sql")
        with open(self.script, "w") as f:
            f.write(self.SCRIPT % self.log)
        open(self.log, "w").close()
        # One node at a time, the other after each failure: QEMU's forward accepts the TCP connection
        # even when nothing listens in the VM, so libpq's host list would stop at the first node.
        self.ports = [ports["node1"], ports["node2"]]
        self.env = dict(os.environ, PGHOST="127.0.0.1", PGUSER="app", PGDATABASE="app", PGPASSWORD=password,
                        PGCONNECT_TIMEOUT="2")
        self.stopping = threading.Event()
        self.runs = 0
        self.proc = None

    def run(self):
        while not self.stopping.is_set():
            port = self.ports[self.runs % 2]
            self.runs += 1
            self.proc = subprocess.Popen([pgbench(), "-n", "-c", "2", "-T", "3600", "-p", str(port), "-f", self.script],
                                         env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.proc.wait()
            self.stopping.wait(0.2)

    def stop(self):
        self.stopping.set()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
        self.join(30)

    def committed(self):
        out = []
        with open(self.log) as f:
            for line in f:
                words = line.split()
                if len(words) == 2:
                    out.append((float(words[1]), words[0]))
        return sorted(out)

    def wait_for_commits(self, after, count=5, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if sum(1 for t, dummy in self.committed() if t > after) >= count:
                return True
            time.sleep(0.5)
        return False


def pgbench():
    for path in ("/usr/lib/postgresql/15/bin/pgbench", shutil.which("pgbench") or ""):
        if path and os.path.exists(path):
            return path
    raise SystemExit("proof-pg: pgbench not found on the lab host: apt-get install postgresql-15 (its pgbench)")


def longest_gap(commits, start, end):
    """Longest time without a commit from `start` until the first commit after `end` (None: none came)."""
    times = [t for t, dummy in commits if t >= start]
    after = [t for t in times if t > end]
    if not after or len(times) < 2:
        return None
    times = [t for t in times if t <= after[0]]
    return round(max(b - a for a, b in zip(times, times[1:])), 2)


def ledger_ids(node):
    return set(sh(node, "%s 'SELECT id FROM ledger'" % PSQL).split())


def _figure(output, words):
    """The number before ``words`` in backup.yml's summary line ("filesystem frozen 1.2 s"), or None."""
    found = re.findall(r"([0-9.]+) s%s" % re.escape(words), output)
    return float(found[-1]) if found else None


def _figure_after(output, words):
    """The number after ``words`` in backup.yml's summary line, or None."""
    found = re.findall(r"%s([0-9.]+) s" % re.escape(words), output)
    return float(found[-1]) if found else None


def _log_time(line):
    """Epoch of a PostgreSQL log line ("2026-11-30 06:52:01.123 UTC [812] LOG: ..."), or None."""
    try:
        return calendar.timegm(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return None


def pg_start_seconds(node, since):
    """From systemd starting the cluster's unit to PostgreSQL ready (crash recovery included)."""
    out = sh(node, "journalctl -u %s --since @%d -o short-unix --no-pager" % (UNIT, int(since) - 5), check=False)
    start = ready = None
    for line in out.splitlines():
        words = line.split(None, 1)
        try:
            t = float(words[0])
        except (ValueError, IndexError):
            continue
        if "Starting" in line and "PostgreSQL Cluster" in line and start is None:
            start = t
        if "Started" in line and "PostgreSQL Cluster" in line and start is not None and ready is None:
            ready = t
    # only this start's lines: the log is the node's own and keeps earlier rounds
    log = sh(node, "tail -n 200 /var/log/postgresql/postgresql-15-main.log", check=False)
    recent = [line for line in log.splitlines() if (_log_time(line) or 0) >= int(since) - 5]
    recovered = any("was interrupted" in line or "not properly shut down" in line for line in recent)
    return (round(ready - start, 2) if start and ready else None), recovered


def round_result(kind, client, before_primary, after_primary, t0, t1, playbook_s, findings):
    commits = client.committed()
    acked = set(i for dummy, i in commits)
    # ids are random, so a commit on the new Primary cannot stand in for a lost one; the counts
    # still say how many were acknowledged before the playbook returned (old Primary, or during)
    before = set(i for t, i in commits if t < t1)
    found = ledger_ids(after_primary)
    missing = sorted(acked - found)
    started_s, recovered = pg_start_seconds(after_primary, t0)
    gap = longest_gap(commits, t0 - 2, t1)
    if gap is None:
        findings.append("%s: the client committed nothing on %s after the failover" % (kind, after_primary))
    res = {"fault": kind, "from": before_primary, "to": after_primary, "committed": len(acked),
           "committed_before_failover_end": len(before), "missing_of_those": len(before - found),
           "found": len(found), "missing": len(missing), "client_gap_s": gap,
           "playbook_seconds": playbook_s, "postgres_start_seconds": started_s,
           "postgres_crash_recovery": recovered, "pgbench_runs": client.runs}
    say("%s: %s" % (kind, json.dumps(res)))
    if missing:
        findings.append("%s: %d committed transactions missing on %s (e.g. %s)"
                        % (kind, len(missing), after_primary, ", ".join(missing[:5])))
    return res


def save(out, findings, steps):
    """Write what is measured so far (after each step: a later failure keeps the earlier figures)."""
    out["findings"] = findings
    results = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            results = json.load(f)
    # PROOF_PG_STEPS runs part of the proof: the other steps' last figures are kept
    merged = results.get("postgresql", {}) if set(steps) != {"switchover", "crash", "backup"} else {}
    merged.update(out)
    results["postgresql"] = merged
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")


def main():
    pgbench()
    st = lab_status()
    if not st.get("up"):
        raise SystemExit("proof-pg: the lab is not up; run make lab")
    ports = dict((n, v["postgres_port"]) for n, v in st["nodes"].items())
    password = secrets.token_hex(12)
    write_inventory(password)
    findings = []
    out = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "client": "pgbench -c 2 on the lab host through 127.0.0.1 forwards, one INSERT per transaction, "
                     "committed ids logged by \\shell after each INSERT returned"}
    say("applying the PostgreSQL example")
    out["example_playbook_seconds"], dummy = playbook("examples/postgresql.yml")
    out["example_rerun_changed"] = sum(int(m) for m in re.findall(r"changed=(\d+)", playbook("examples/postgresql.yml")[1]))
    p = primary()
    sh(p, "%s 'CREATE TABLE IF NOT EXISTS ledger (id bigint PRIMARY KEY, at timestamptz DEFAULT now())'" % PSQL)
    sh(p, "%s 'ALTER TABLE ledger OWNER TO app'" % PSQL)
    work = tempfile.mkdtemp(prefix="proof-pg-")
    steps = os.environ.get("PROOF_PG_STEPS", "switchover,crash,backup").split(",")

    if "switchover" in steps:
        # 1. controlled switchover under load
        client = Client(ports, password, work)
        client.start()
        if not client.wait_for_commits(0):
            raise SystemExit("proof-pg: pgbench commits nothing (see %s)" % work)
        before = primary()
        t0 = time.time()
        secs, dummy = playbook("failover.yml")
        t1 = time.time()
        client.wait_for_commits(t1, count=5, timeout=60)
        client.stop()
        out["switchover"] = round_result("switchover", client, before, primary(), t0, t1, secs, findings)
        save(out, findings, steps)

    if "crash" in steps:
        # 2. crash of the Primary under load, promote.yml, then start + rejoin + switch back
        client = Client(ports, password, tempfile.mkdtemp(prefix="proof-pg-"))
        client.start()
        client.wait_for_commits(time.time())
        victim = primary()
        survivor = "node2" if victim == "node1" else "node1"
        t0 = time.time()
        subprocess.run(LABCTL + ["kill", victim], check=True, capture_output=True)
        secs, dummy = playbook("promote.yml", "hapair_target=%s" % survivor, "hapair_confirm_data_loss=yes")
        t1 = time.time()
        client.wait_for_commits(t1, count=5, timeout=60)
        client.stop()
        out["crash"] = round_result("crash", client, victim, survivor, t0, t1, secs, findings)
        subprocess.run(LABCTL + ["start", victim], check=True, capture_output=True)
        out["crash"]["rejoin_playbook_seconds"], dummy = playbook("rejoin.yml", "hapair_node=%s" % victim)
        out["crash"]["switch_back_seconds"], dummy = playbook("failover.yml", "hapair_target=%s" % victim)
        save(out, findings, steps)

    if "backup" in steps:
        # 3. the documented procedure without LVM under DRBD (this layout): a live backup whose
        # pre-hook dumps the database, the table dropped ("human error"), the snapshot restored
        # into a directory, the table restored from the dump with pg_restore. (A live copy of the
        # data directory is no point in time: restore the dump, not the directory; freeze mode is
        # refused on xfs; with LVM the snapshot mode makes an in-place restore crash-consistent.)
        p = primary()
        playbook(os.path.join(TOP, "molecule", "default", "backup_role.yml"),
                 json.dumps({"hapair_backup_pre_hook": PRE_HOOK}))
        rows = int(sh(p, "%s 'SELECT count(*) FROM ledger'" % PSQL).strip())
        secs, log = playbook("backup.yml")
        sh(p, "%s 'DROP TABLE ledger'" % PSQL)
        target = "/var/tmp/proof-pg-restore"
        sh(p, "rm -rf %s" % target)
        rsecs, dummy = playbook("restore.yml", "hapair_restore_target=%s" % target)
        dump = "%s/dumps/app.dump" % target
        sh(p, "chmod o+rx %s %s/dumps && chmod o+r %s" % (target, target, dump))  # restic made the target 0700
        # the dump's table of contents: its data entry reads "NNNN; 0 NNNNN TABLE DATA public ledger OWNER"
        listing = sh(p, "runuser -u postgres -- pg_restore -l %s" % dump, check=False)
        data_entries = [line for line in listing.splitlines() if " TABLE DATA public ledger " in line + " "]
        started = time.time()
        sh(p, "runuser -u postgres -- pg_restore -d app -t ledger %s" % dump)
        pg_restore_s = round(time.time() - started, 1)
        after = int(sh(p, "%s 'SELECT count(*) FROM ledger'" % PSQL, check=False).strip() or -1)
        sh(p, "rm -rf %s" % target)
        out["backup_restore"] = {"procedure": "live backup + pg_dump pre-hook; restore.yml into a directory; "
                                              "pg_restore -t ledger",
                                 "rows_at_backup": rows, "rows_after_restore": after,
                                 "dump_has_ledger": len(data_entries) == 1, "dump_ledger_entries": data_entries,
                                 "backup_playbook_seconds": secs, "backup_job_seconds": _figure(log, " in all"),
                                 "frozen_seconds": _figure_after(log, "filesystem frozen "),
                                 "restore_playbook_seconds": rsecs, "pg_restore_seconds": pg_restore_s}
        say("backup_restore: %s" % json.dumps(out["backup_restore"]))
        if after != rows:
            findings.append("restore: %s rows after the restore, %d at the backup" % (after, rows))
        if (len(data_entries) == 1) != (after == rows):
            # two checks of one fact disagree: one of them is wrong, and the figure proves nothing
            findings.append("contradiction: the dump lists %d data entries for table ledger, yet %s rows came back "
                            "of %d at the backup" % (len(data_entries), after, rows))
        playbook(os.path.join(TOP, "molecule", "default", "backup_role.yml"))  # back to the inventory's hook

    save(out, findings, steps)
    say("wrote %s" % RESULTS)
    if findings:
        say("FAILED: " + "; ".join(findings))
        return 1
    say("0 committed transactions lost; PostgreSQL started by itself after every failover")
    return 0


if __name__ == "__main__":
    sys.exit(main())
