"""Helpers for the molecule scenarios' testinfra tests (imported by their conftest.py).

Tests that take `host` run once per node of the inventory; tests that act on
the whole lab (reboot, kill, cut the link) use the `lab` fixture and `node()`.
"""

import json
import os
import re
import subprocess
import sys
import time

import testinfra

from . import ledger

TOP = os.environ.get("MOLECULE_PROJECT_DIRECTORY") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLAYBOOKS = os.path.join(TOP, "playbooks")
INVENTORY = os.path.join(TOP, ".lab", "inventory.yml")
RESOURCE = "r0"
UNIT = "hapair-demo.service"   # the lab's application (molecule/*/converge.yml)
# The controller toolchain is the one whose Python runs these tests: .venv (the current
# ansible-core) or .venv-216 (ansible-core 2.16, for the scenarios whose nodes run EL7's Python).
BIN = os.path.dirname(os.path.abspath(sys.executable))


class Lab(object):
    """tests/lab/labctl, from the tests."""

    def __init__(self, top):
        self.argv = [os.path.join(top, ".venv", "bin", "python"), os.path.join(top, "tests", "lab", "labctl")]

    def __call__(self, *args, **kwargs):
        res = subprocess.run(self.argv + list(args), check=False,
                             capture_output=True, text=True, timeout=kwargs.get("timeout", 400))
        if kwargs.get("check", True) and res.returncode != 0:
            # what labctl said (a QEMU that did not start, a boot timeout with the console's tail),
            # not only its exit status
            said = res.stdout[-3000:] + res.stderr[-3000:]
            raise AssertionError("labctl %s: exit %d\n%s" % (" ".join(args), res.returncode, said))
        return res

    def status(self):
        return json.loads(self("status", "--json", check=False).stdout)


def lab_fixture():
    return Lab(TOP)


def playbook(name, *extra_vars, **kwargs):
    """Run one of playbooks/ against the lab as an operator would: (rc, output, seconds)."""
    argv = [os.path.join(BIN, "ansible-playbook"), "-i", kwargs.get("inventory", INVENTORY),
            os.path.join(PLAYBOOKS, name)] + list(kwargs.get("options", ()))
    for ev in extra_vars:
        argv += ["-e", ev]
    started = time.time()
    res = subprocess.run(argv, capture_output=True, text=True, timeout=kwargs.get("timeout", 900), check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections")))
    return res.returncode, res.stdout + res.stderr, time.time() - started


def outcome(out, size=4000):
    """A failed playbook's output for an assertion message: its failed tasks first, then its end.
    Reports show a message's head, and a -vvv run's head is pages of passing tasks."""
    failed = [line for line in out.splitlines() if line.startswith(("fatal:", "failed:")) or "FAILED!" in line]
    return "\n".join(["failed tasks:"] + failed[:10] + ["... the output's last %d characters:" % size, out[-size:]])


def node(name):
    return testinfra.get_host("ansible://%s?ansible_inventory=%s" % (name, INVENTORY))


def drbd_state(host, resource=RESOURCE):
    """A few fields of `drbdsetup events2 --now` for the resource ({} when it is down)."""
    out = host.run("drbdsetup events2 --now %s", resource).stdout
    state = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) < 2:
            continue
        kv = dict(w.split(":", 1) for w in words[2:] if ":" in w)
        if words[1] == "resource":
            state["role"] = kv.get("role")
            state["suspended"] = kv.get("suspended")   # "no", or why: "fencing", "user", ...
        elif words[1] == "connection":
            state["connection"] = kv.get("connection")
            state["peer_role"] = kv.get("role")
        elif words[1] == "device":
            state["disk"] = kv.get("disk")
        elif words[1] == "peer-device":
            state["replication"] = kv.get("replication")
            state["peer_disk"] = kv.get("peer-disk")
    return state


def wait_for(predicate, timeout, what, interval=3):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %d s waiting for %s (last: %r)" % (timeout, what, last))


def hostvars(host):
    return host.ansible.get_variables()


def primary_and_secondary():
    """(Primary, Secondary) by DRBD's role on each node; exactly one Primary."""
    roles = dict((n, drbd_state(node(n)).get("role")) for n in ("node1", "node2"))
    primary = [n for n, r in roles.items() if r == "Primary"]
    assert len(primary) == 1, roles
    return primary[0], [n for n in roles if n != primary[0]][0]


def assert_serves_only_on(name):
    """The application, the service IP and the mount on ``name`` and nowhere else."""
    other = "node2" if name == "node1" else "node1"
    p, s = node(name), node(other)
    ip = address(hostvars(p)["hapair_service_ip"])
    assert p.service(UNIT).is_running and not s.service(UNIT).is_running
    assert ip in p.check_output("ip -4 -o addr show") and ip not in s.check_output("ip -4 -o addr show")
    assert p.mount_point("/srv/hapair").exists and not s.mount_point("/srv/hapair").exists


def replication_interface(host):
    mac = hostvars(host)["hapair_replication_mac"].lower()
    for line in host.run("ip -o link show").stdout.splitlines():
        if "link/ether " + mac in line:
            return line.split(":")[1].strip()
    raise AssertionError("no NIC with MAC %s on %s" % (mac, host.backend.get_hostname()))


def address(cidr):
    return cidr.split("/")[0]


def peer_name(host):
    return "node2" if host.backend.get_hostname() == "node1" else "node1"


def adhoc(pattern, module, args, **kwargs):
    """One module on some nodes, as `ansible -m`: (rc, output)."""
    argv = [os.path.join(BIN, "ansible"), "-i", kwargs.get("inventory", INVENTORY), pattern,
            "-m", module, "-a", args]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=kwargs.get("timeout", 300), check=False,
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".cache", "collections")))
    return res.returncode, res.stdout + res.stderr


BACKUP_REPOSITORY = os.path.join(TOP, ".lab", "backup-server", "root", RESOURCE)


def snapshots():
    """The ids of the repository's snapshots (read on the lab's backup server's disk)."""
    path = os.path.join(BACKUP_REPOSITORY, "snapshots")
    return set(os.listdir(path)) if os.path.isdir(path) else set()


def clocks():
    """Each node's clock now, for journalctl --since (scheduled_snapshots())."""
    return dict((n, node(n).check_output("date '+%Y-%m-%d %H:%M:%S'")) for n in ("node1", "node2"))


def scheduled_runs_script(since):
    """A shell snippet for one node: wait (up to 10 min) for a scheduled backup run still going, so
    that a snapshot it has written is never read before the run has reported it, then print the
    ids the timers' runs reported since ``since`` (that node's clock, from clocks()). It is meant
    to end a script that reads other things, so that it costs no round trip of its own."""
    unit = "hapair-backup@%s.service" % RESOURCE
    return ("for i in $(seq 300); do case $(systemctl is-active %s) in active|activating|deactivating) sleep 2;; "
            "*) break;; esac; done; journalctl -u %s --since '%s' --no-pager -o cat | grep -o '\"snapshot_id\": \"[0-9a-f]*\"'"
            " || true" % (unit, unit, since))


def scheduled_ids(text):
    """The snapshot ids in the output of scheduled_runs_script()."""
    return set(re.findall(r'"snapshot_id": "(\w+)"', text))


def scheduled_snapshots(since):
    """Ids of the snapshots the timers' runs reported on either node since ``since`` (clocks()).
    The hourly timer may fire during any test (CI runs cross the hour): its snapshots are accounted
    for, never counted as a test's own."""
    ids = set()
    for name, when in since.items():
        ids.update(scheduled_ids(node(name).run(scheduled_runs_script(when)).stdout))
    return ids


def without_scheduled(ids, scheduled):
    """``ids`` (snapshots()) less those in ``scheduled`` (scheduled_snapshots(); restic reports short ids)."""
    return set(s for s in ids if not any(s.startswith(i) for i in scheduled))


def new_snapshots(before, since):
    """Snapshots added since ``before`` (snapshots()) that no scheduled run reported."""
    scheduled = scheduled_snapshots(since)
    return without_scheduled(snapshots() - before, scheduled)


LOCK_FILE = "/run/lock/hapair-operation-%s.lock" % RESOURCE


def operation_lock(name):
    """The pair's operation lock on a node (plugins/module_utils/operation_lock.py), or None."""
    out = node(name).run("cat %s", LOCK_FILE)
    return json.loads(out.stdout) if out.rc == 0 else None


def write_stale_lock(name, operation):
    """Leave on a node the lock of a run of this controller that is gone (as a killed
    ansible-playbook leaves it): the collection's own run id of a process that has ended.
    Returns that run id."""
    sys.path.insert(0, os.path.join(TOP, ".cache", "collections"))
    from ansible_collections.hapair.cluster.plugins.action.operation_lock import start_ticks, this_run
    from ansible_collections.hapair.cluster.plugins.module_utils.operation_lock import record, run_id
    proc = subprocess.Popen(["sleep", "0.1"])
    ticks = start_ticks(proc.pid)
    proc.wait()
    me = this_run()
    lock = record(run_id(me["controller"], proc.pid, ticks), operation, me["holder"], me["controller"], proc.pid,
                  time.time() - 600)
    node(name).check_output("printf '%%s' %s > %s", json.dumps(lock), LOCK_FILE)
    return lock["run_id"]


def records_lost(host, acknowledged, path="/srv/hapair/demo/records.log"):
    """{writer: [wseq, ...]} of acknowledged records (probe.acknowledged()) that the demo
    application's log on host does not hold, counted per writer (ledger.py)."""
    return ledger.lost(host.check_output("cat %s", path), acknowledged)


def node_exporter_reads(text):
    """What node_exporter's own textfile collector makes of `text` (a hapair.prom): a dict of
    {sample name with labels: value} for the hapair_ samples plus node_textfile_scrape_error.
    Debian's prometheus-node-exporter, on 127.0.0.1 only, with only the textfile collector."""
    import shutil
    import socket
    import tempfile
    import urllib.request

    directory = tempfile.mkdtemp(prefix="hapair-textfile-")
    try:
        with open(os.path.join(directory, "hapair.prom"), "w") as f:
            f.write(text)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen(["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % port,
                                 "--collector.disable-defaults", "--collector.textfile",
                                 "--collector.textfile.directory=%s" % directory],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 20
            while True:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
                        body = r.read().decode()
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        raise AssertionError("node_exporter did not serve /metrics: %s" % proc.stderr.read())
                    time.sleep(0.3)
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        shutil.rmtree(directory)
    samples = {}
    for line in body.splitlines():
        if line.startswith(("hapair_", "node_textfile_scrape_error")):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples
