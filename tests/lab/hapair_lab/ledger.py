"""Which acknowledged writes are missing, counted per writer.

The lab's application (image.py, hapair-demo) appends one fsynced record at a time:

    <seq> <host> <time> <writer> <wseq>

`writer` names one run of the application (host and start time in ms), `wseq` counts that
writer's records from 1. Over HTTP it answers `<host> <seq> <writer> <wseq>`: `wseq` is the last
record whose fsync returned. A client outside the VMs (probe.py) keeps, per writer, the highest
`wseq` it was told: that writer's acknowledged records are 1..wseq.

A record counts as present only if the same writer's record with that number is in the log on
the node that serves now. The global `seq` is not used: a new Primary's application continues
it from the highest number in its own copy, so records missing from the old Primary would be
written again under the same numbers by another writer, and a count by number would see none
missing.
"""


def parse(text):
    """{writer: set(wseq)} of the complete records in a log; lines that are not a complete record
    (a line cut off by a crash, an older format) are skipped."""
    present = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 5 or not (fields[0].isdigit() and fields[4].isdigit()):
            continue
        present.setdefault(fields[3], set()).add(int(fields[4]))
    return present


def lost(text, acknowledged):
    """{writer: [wseq, ...]} of acknowledged records that the log `text` does not hold; only
    writers with something missing appear. `acknowledged` is {writer: highest wseq acknowledged}."""
    present = parse(text)
    missing = {}
    for writer, upto in sorted(acknowledged.items()):
        have = present.get(writer, set())
        gone = [n for n in range(1, int(upto) + 1) if n not in have]
        if gone:
            missing[writer] = gone
    return missing


def count(missing):
    return sum(len(v) for v in missing.values())


def drop_records(text, writer, first, last):
    """The log without `writer`'s records first..last (by its own numbers): the loss a negative
    control makes. Count them from the acknowledged number, not from the log's end: the writer
    may have written a record after the client's last reading."""
    keep = []
    for line in text.splitlines(True):
        fields = line.split()
        if len(fields) == 5 and fields[3] == writer and fields[4].isdigit() and first <= int(fields[4]) <= last:
            continue
        keep.append(line)
    return "".join(keep)
