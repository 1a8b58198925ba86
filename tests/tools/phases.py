#!/usr/bin/env python
"""Where `make test`'s time goes: phase -> seconds, for CI's closing lines.

  phases.py run NAME -- CMD...   run CMD, append "NAME<TAB>seconds<TAB>rc" to tests/output/phases.tsv
  phases.py stamp FILE           copy stdin to stdout unchanged, and to FILE with each line
                                 prefixed by the epoch second it arrived (molecule's output)
  phases.py table                the table from phases.tsv and the stamped molecule log, also
                                 written to tests/output/ci-phases.txt

A molecule phase is a scenario's step (create, converge, idempotence, verify, ...): from its
"Executing" line to the next step's, or to the log's end.
"""

import os
import re
import subprocess
import sys
import time

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "output")
TSV = os.path.join(OUT, "phases.tsv")
STAMPED = os.path.join(OUT, "molecule.stamped.log")
TABLE = os.path.join(OUT, "ci-phases.txt")
# make test runs these beside the molecule scenarios (Makefile), so they add no wall time
BESIDE = ("unit", "unit-node", "el7-route", "lint", "sanity", "sanity-216", "unit-next", "sanity-next",
          "ansiballz", "package", "docs", "alerts")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# molecule prints "INFO     default ➜ converge: Executing" on a terminal and
# "INFO     [default > converge] Executing" otherwise (CI)
STEP = re.compile(r"^\s*INFO\s+(?:\[(?P<s1>[\w.-]+)\s*>\s*(?P<t1>[\w-]+)\]|(?P<s2>[\w.-]+)\s+\S+\s+(?P<t2>[\w-]+):)"
                  r"\s+Executing\s*$")


def run(name, argv):
    os.makedirs(OUT, exist_ok=True)
    started = time.time()
    rc = subprocess.call(argv)
    with open(TSV, "a") as f:
        f.write("%s\t%.0f\t%d\n" % (name, time.time() - started, rc))
    return rc


def stamp(path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as out:
        for line in sys.stdin:
            sys.stdout.write(line)
            sys.stdout.flush()
            out.write("%.1f %s" % (time.time(), line))
            out.flush()
    return 0


def molecule_phases(lines):
    """[(scenario, step, seconds)] from stamped lines "EPOCH text"."""
    starts = []
    last = None
    for line in lines:
        stamp_text, dummy, text = line.partition(" ")
        try:
            at = float(stamp_text)
        except ValueError:
            continue
        last = at
        m = STEP.match(ANSI.sub("", text))
        if m:
            starts.append((m.group("s1") or m.group("s2"), m.group("t1") or m.group("t2"), at))
    phases = []
    for i, (scenario, step, at) in enumerate(starts):
        end = starts[i + 1][2] if i + 1 < len(starts) else last
        phases.append((scenario, step, round(end - at)))
    return phases


def table():
    rows = []
    if os.path.exists(TSV):
        with open(TSV) as f:
            for line in f:
                name, seconds, rc = line.rstrip("\n").split("\t")
                rows.append((name, int(seconds), "" if rc == "0" else "exit %s" % rc))
    if os.path.exists(STAMPED):
        with open(STAMPED) as f:
            rows += [("%s %s" % (scenario, step), seconds, "") for scenario, step, seconds in molecule_phases(f)]
    width = max([len(r[0]) for r in rows] + [5])
    lines = ["%-*s  %7s" % (width, "phase", "seconds")]
    lines += ["%-*s  %7s  %s" % (width, name, seconds, note) for name, seconds, note in rows]
    total = sum(int(r[1]) for r in rows if r[0] not in BESIDE)
    lines.append("%-*s  %7s  (%.1f min; %s ran beside the scenarios, not counted)"
                 % (width, "sum of phases", total, total / 60.0, ", ".join(BESIDE)))
    text = "\n".join(line.rstrip() for line in lines) + "\n"
    os.makedirs(OUT, exist_ok=True)
    with open(TABLE, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "run" and argv[2] == "--":
        return run(argv[1], argv[3:])
    if len(argv) == 2 and argv[0] == "stamp":
        return stamp(argv[1])
    if argv == ["table"]:
        return table()
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
