"""Backups that follow the Primary (restic over SFTP to the lab's backup server).

One sequence on one fresh lab with an LVM-backed mirror, node1 Primary at the start.
Figures (backup and restore durations, time frozen) go to tests/output/figures/backup.json.
"""

import json
import os
import re
import time

from hapair_lab.checks import (TOP, UNIT, adhoc, clocks, drbd_state, hostvars, new_snapshots, node, node_exporter_reads, outcome,
                               playbook, snapshots, wait_for)

DATA = "/srv/hapair/data"

FIGURES = os.path.join(TOP, "tests", "output", "figures", "backup.json")
LOCK = "/run/lock/hapair-backup-r0.lock"
PROM = "/var/lib/prometheus/node-exporter/hapair.prom"
OUTPUTS = []  # every playbook output of this module: the password must be in none of them


def run(name, *extra, **kwargs):
    rc, out, secs = playbook(name, *extra, **kwargs)
    OUTPUTS.append(out)
    return rc, out, secs


def figure(key, value):
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    figures = {}
    if os.path.exists(FIGURES):
        with open(FIGURES) as f:
            figures = json.load(f)
    figures[key] = value
    figures["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(FIGURES, "w") as f:
        json.dump(figures, f, indent=2, sort_keys=True)


def write_dataset(host):
    host.check_output(
        "for d in keep victim; do mkdir -p %s/$d; for i in $(seq 1 12); do "
        "head -c $((i * 65536)) /dev/urandom > %s/$d/f$i; done; done; sync", DATA, DATA)


def checksums(host, root=DATA):
    return host.check_output("cd %s && find . -type f | sort | xargs sha256sum", root)


def primary():
    roles = dict((n, drbd_state(node(n)).get("role")) for n in ("node1", "node2"))
    return [n for n, r in roles.items() if r == "Primary"][0]


def test_1_backup_then_restore_in_place(lab):
    p = node("node1")
    assert primary() == "node1"
    write_dataset(p)
    before = checksums(p)
    ids, since = snapshots(), clocks()
    started = int(p.check_output("date +%s"))

    rc, out, secs = run("backup.yml")
    assert rc == 0, outcome(out)
    said = re.search(r"snapshot (\w+) \((\w+)\), (\d+) files, (\d+) bytes added, backup ([\d.]+) s, "
                     r"filesystem frozen ([\d.]+) s, ([\d.]+) s in all", out)
    assert said, out
    assert said.group(2) == "snapshot"  # LVM layout: the filesystem is frozen only while the snapshot is taken
    made = new_snapshots(ids, since)
    assert len(made) == 1 and made.pop().startswith(said.group(1)), (said.group(1), made)
    assert "hapair-backup" not in p.check_output("lvs --noheadings -o lv_name")  # the snapshot volume is gone
    figure("backup", {"playbook_seconds": round(secs, 1), "backup_seconds": float(said.group(5)),
                      "frozen_seconds": float(said.group(6)), "job_seconds": float(said.group(7)),
                      "files": int(said.group(3)), "bytes_added": int(said.group(4)),
                      "data_bytes": int(p.check_output("du -sb %s | cut -f1", DATA))})

    # The monitoring role's timer (in the nodes' Python 2.7 here) reports the run: node_exporter's
    # own parser reads its time and its success.
    interval = int(hostvars(p)["hapair_monitoring_interval"])

    def reported():
        text = p.file(PROM).content_string
        return text if re.search(r'^hapair_backup_last_run_success\{resource="r0"\} 1$', text, re.M) else None

    text = wait_for(reported, 4 * interval + 10, "node1's metrics to report the backup")
    samples = node_exporter_reads(text)
    assert samples["node_textfile_scrape_error"] == 0, text
    assert samples['hapair_backup_last_success_timestamp_seconds{resource="r0"}'] >= started, text
    assert "ExecStart=/opt/python/2.7/bin/python2.7 -m " in p.check_output("systemctl cat hapair-metrics@r0.service")

    p.check_output("rm -rf %s/victim && sync", DATA)  # the human error
    assert checksums(p) != before
    root_before = p.check_output("stat -c '%U:%G %a' /srv/hapair")

    rc, out, secs = run("restore.yml", "hapair_restore_in_place=true")
    assert rc == 0, outcome(out)
    assert checksums(p) == before
    # restic makes its restore directory root 0700; the mirror's root keeps its own owner and mode
    assert p.check_output("stat -c '%U:%G %a' /srv/hapair") == root_before
    assert p.service(UNIT).is_running
    m = re.search(r"restored into /srv/hapair in ([\d.]+) s", out)
    assert m, out
    figure("restore_in_place", {"playbook_seconds": round(secs, 1), "restore_seconds": float(m.group(1))})
    rc, out, dummy = run("status.yml")
    assert rc == 0, outcome(out)


def test_2_restore_into_a_directory(lab):
    p = node("node1")
    rc, out, dummy = run("restore.yml", "hapair_restore_target=/var/tmp/pick")
    assert rc == 0, outcome(out)
    assert checksums(p, "/var/tmp/pick/data") == checksums(p)
    p.check_output("rm -rf /var/tmp/pick")


def test_3_the_timer_follows_the_primary(lab):
    for name in ("node1", "node2"):
        h = node(name)
        assert h.check_output("systemctl is-enabled hapair-backup@r0.timer hapair-backup-check@r0.timer").split() == \
            ["enabled", "enabled"]
        assert h.service("hapair-backup@r0.timer").is_running
    # A backup in progress on the Primary (live and freeze modes read the mirror in place): the
    # switchover stops it rather than fail to unmount. Its stand-in holds /srv/hapair as restic would.
    holder = "/run/systemd/system/hapair-backup@r0.service.d"
    h1 = node("node1")
    h1.check_output("mkdir -p %s && printf '[Service]\\nExecStart=\\nExecStart=/bin/sh -c \"cd /srv/hapair && "
                    "exec sleep 600\"\\n' > %s/holder.conf && systemctl daemon-reload && "
                    "systemctl start --no-block hapair-backup@r0.service", holder, holder)
    wait_for(lambda: h1.run("readlink /proc/$(pgrep -f '^sleep 600$' | head -1)/cwd").stdout.strip() == "/srv/hapair",
             60, "the stand-in backup to hold the mirror")
    rc, out, dummy = run("failover.yml")
    h1.check_output("rm -rf %s && systemctl daemon-reload", holder)
    assert rc == 0, outcome(out)
    assert primary() == "node2"
    assert h1.run("systemctl is-active hapair-backup@r0.service").stdout.strip() in ("inactive", "failed")
    ids, since = snapshots(), clocks()
    for name in ("node1", "node2"):
        h = node(name)
        # Make the real timer fire now: a runtime drop-in, gone at the next boot and removed below.
        h.check_output("mkdir -p /run/systemd/system/hapair-backup@r0.timer.d && printf '[Timer]\\nOnActiveSec=3\\n"
                       "RandomizedDelaySec=0\\n' > /run/systemd/system/hapair-backup@r0.timer.d/now.conf && "
                       "systemctl daemon-reload && systemctl restart hapair-backup@r0.timer")

    def ran(name):
        log = node(name).run("journalctl -u hapair-backup@r0.service --since %s --no-pager -o cat",
                             since[name]).stdout
        return log if ("Finished" in log or "Failed" in log) else None
    logs = dict((n, wait_for(lambda n=n: ran(n), 240, "the backup timer to run on %s" % n, interval=5))
                for n in ("node2", "node1"))
    for name in ("node1", "node2"):
        node(name).check_output("rm -rf /run/systemd/system/hapair-backup@r0.timer.d && systemctl daemon-reload && "
                                "systemctl restart hapair-backup@r0.timer")
    assert '"snapshot_id"' in logs["node2"], logs["node2"]
    # the words of the job's own log line, not the unit's description ("... on the Secondary")
    assert "node1 is Secondary for r0: the Primary" in logs["node1"] and "nothing to do here" in logs["node1"] \
        and "Failed" not in logs["node1"] and '"snapshot_id": "' not in logs["node1"], logs["node1"]
    fired = re.search(r'"snapshot_id": "(\w+)"', logs["node2"]).group(1)
    assert [s for s in snapshots() - ids if s.startswith(fired)], (fired, snapshots() - ids)
    rc, out, dummy = run("failover.yml")
    assert rc == 0, outcome(out)
    assert primary() == "node1"


def test_4_secondary_backs_up_only_from_its_own_snapshot(lab):
    ids, since = snapshots(), clocks()
    rc, out = adhoc("node2", "hapair.cluster.backup_run", "resource=r0")
    OUTPUTS.append(out)
    assert rc != 0 and "node2 is Secondary for r0; backups run on the Primary" in out, out
    assert new_snapshots(ids, since) == set()
    rc, out = adhoc("node2", "hapair.cluster.backup_run", "resource=r0 from_secondary_snapshot=true")
    OUTPUTS.append(out)
    assert rc == 0, outcome(out)
    made = new_snapshots(ids, since)
    said = re.search(r'"snapshot_id": "(\w+)"', out).group(1)
    assert len(made) == 1 and made.pop().startswith(said), (said, made)
    s = node("node2")
    assert "hapair-backup" not in s.check_output("lvs --noheadings -o lv_name")
    assert drbd_state(s).get("disk") == "UpToDate" and drbd_state(s).get("connection") == "Connected"


# A stand-in for the timer's backup: holds the job's lock as backup_job.py does (its pid written in)
# until another process has opened the lock file (a run waiting for it) or HOLD seconds have passed.
HOLDER = r"""
import fcntl, glob, os, sys, time
lock, hold = sys.argv[1], float(sys.argv[2])
fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.write(fd, b"%d\n" % os.getpid())
def waiter():
    for p in glob.glob("/proc/[0-9]*/fd/*"):
        if not p.startswith("/proc/%d/" % os.getpid()):
            try:
                if os.readlink(p) == lock:
                    return True
            except OSError:
                pass
    return False
end = time.time() + hold
while time.time() < end and not waiter():
    time.sleep(0.5)
time.sleep(min(3, max(end - time.time(), 0)))
"""


def main_pid(host, unit):
    """The unit's main process id, '' while it has none."""
    pid = host.check_output("systemctl show -p MainPID --value %s", unit)
    return "" if pid == "0" else pid


def hold_the_lock(host, unit, hold):
    """Start a stand-in backup that holds the backup lock; its pid once it holds it. The hourly
    timer's backup may hold the lock first (CI's stop-26 rehearsal ran this at 07:00:30): the
    stand-in takes it when that run ends, and only then is it the holder (it writes its pid)."""
    host.check_output("printf '%%s' %s > /run/%s.py && systemd-run --unit %s --collect python3 /run/%s.py %s %s",
                      HOLDER, unit, unit, unit, LOCK, str(hold))
    pid = wait_for(lambda: main_pid(host, unit), 30, "%s to start" % unit)
    wait_for(lambda: host.run("cat %s", LOCK).stdout.strip() == pid, 600,
             "the stand-in backup (pid %s) to hold %s" % (pid, LOCK))
    return pid


def test_5_a_backup_waits_for_the_running_one_and_never_shows_the_password(lab):
    p = node("node1")
    password = hostvars(p)["hapair_backup_password"]
    # Negative control: told not to wait, a run beside the stand-in fails and names its process.
    pid = hold_the_lock(p, "hapair-test-holder-1", 120)
    rc, out = adhoc("node1", "hapair.cluster.backup_run", "resource=r0 lock_wait=0")
    OUTPUTS.append(out)
    p.run("systemctl stop hapair-test-holder-1")
    assert rc != 0 and "another backup of r0 is running on this node (pid %s)" % pid in out, out
    # The operator's backup.yml while the hourly backup runs (CI once crossed midnight): it waits.
    ids, since = snapshots(), clocks()
    hold_the_lock(p, "hapair-test-holder-2", 300)
    rc, out, dummy = run("backup.yml", options=["-vvv"])
    p.run("systemctl stop hapair-test-holder-2")
    assert rc == 0, outcome(out)
    assert re.search(r"s in all, after waiting [\d.]+ s for the backup that was running", out), outcome(out)
    assert len(new_snapshots(ids, since)) == 1
    for out in OUTPUTS:
        assert password not in out
    for name in ("node1", "node2"):
        h = node(name)
        assert password not in h.run("journalctl --no-pager -o cat").stdout
        assert password not in h.run("ps -eo args").stdout
        assert h.file("/etc/hapair/backup/r0.password").mode == 0o600
        assert h.file("/etc/hapair/backup/r0.json").mode == 0o600


def test_6_rebuild_from_backup_after_both_disks_are_lost(lab):
    p = node("node1")
    expected = checksums(p)
    rc, out, dummy = run("backup.yml")
    assert rc == 0, outcome(out)
    for name in ("node1", "node2"):
        lab("kill", name)
        lab("replace-disk", name)
    for name in ("node1", "node2"):
        lab("start", name)
    assert not node("node1").run("test -d %s", DATA).rc == 0
    rc, out, secs = run("rebuild_from_backup.yml", timeout=1800)
    assert rc == 0, out[-5000:]
    assert checksums(node("node1")) == expected
    figure("rebuild_from_backup", {"playbook_seconds": round(secs, 1)})
    rc, out, dummy = run("status.yml")
    assert rc == 0, outcome(out)
