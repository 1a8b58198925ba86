"""A client outside the VMs: polls the lab application on both nodes.

The demo application answers "<host> <seq> <writer> <wseq>" on port 8080, which
QEMU forwards to 127.0.0.1 for each node: wseq is the last record of that writer
(one run of the application) whose fsync returned. The probe records every answer,
so a test can tell which records each writer acknowledged to a client (none of them
may be lost; ledger.py) and how long no node served (the service gap).
"""

import http.client
import threading
import time
import urllib.request


class Probe(threading.Thread):
    def __init__(self, ports, interval=0.1, timeout=0.5):
        super().__init__(daemon=True)
        self.ports = ports  # {"node1": 12345, ...} on 127.0.0.1
        self.interval = interval
        self.timeout = timeout
        self.answers = []   # (time, node, host_reported, seq, writer, wseq)
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            for node, port in sorted(self.ports.items()):
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=self.timeout) as r:
                        host, seq, writer, wseq = r.read().decode().split()
                    self.answers.append((time.time(), node, host, int(seq), writer, int(wseq)))
                except (OSError, ValueError, http.client.HTTPException):
                    # no answer, or an answer cut off by a crash (IncompleteRead): nothing acknowledged
                    pass
            time.sleep(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join(5)

    def max_acked(self):
        return max([a[3] for a in self.answers] or [0])

    def acknowledged(self, until=None):
        """{writer: highest wseq it acknowledged} from the answers up to `until` (epoch s)."""
        out = {}
        for a in self.answers:
            if until is None or a[0] <= until:
                out[a[4]] = max(out.get(a[4], 0), a[5])
        return out

    def longest_gap(self, after=0.0):
        """Longest time (s) with no answer from any node, counted from `after`."""
        times = [a[0] for a in self.answers if a[0] >= after]
        if len(times) < 2:
            return None
        return max(b - a for a, b in zip(times, times[1:]))

    def served_by(self):
        return sorted(set(a[1] for a in self.answers))
