"""A client outside the VMs: polls the lab application on both nodes.

The demo application answers "<host> <last acknowledged record>" on port 8080,
which QEMU forwards to 127.0.0.1 for each node. The probe records every answer,
so a test can tell which records were acknowledged to a client (none of them
may be lost) and how long no node served (the service gap).
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
        self.answers = []   # (time, node, host_reported, acked)
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            for node, port in sorted(self.ports.items()):
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=self.timeout) as r:
                        host, acked = r.read().decode().split()
                    self.answers.append((time.time(), node, host, int(acked)))
                except (OSError, ValueError, http.client.HTTPException):
                    # no answer, or an answer cut off by a crash (IncompleteRead): nothing acknowledged
                    pass
            time.sleep(self.interval)

    def stop(self):
        self._stop_event.set()
        self.join(5)

    def max_acked(self):
        return max([a[3] for a in self.answers] or [0])

    def longest_gap(self, after=0.0):
        """Longest time (s) with no answer from any node, counted from `after`."""
        times = [a[0] for a in self.answers if a[0] >= after]
        if len(times) < 2:
            return None
        return max(b - a for a, b in zip(times, times[1:]))

    def served_by(self):
        return sorted(set(a[1] for a in self.answers))
