"""Resident memory of a simulator under steady churn, minute by minute.

Two simulators run side by side, each in a process of its own (``ods-simulator``,
realtime clock at 1,000x, an HTTP fault on status reads so the fault log grows), and
one client thread each keeps a steady rate of requests (default 100 a second) on a
world of constant size: upload a file, create a dataset with metadata and a resource
on it, edit its metadata, publish, poll its status until idle, list datasets, save a
version, delete the dataset, read one job. The first simulator runs with the
default retention; the reference is the same churn with every retention bound
raised out of reach, in the same run, which shows what the bounds hold back.

It prints each one's resident set size (``VmRSS``) at every minute, then the growth
over the last 8 minutes. Target: under 5 MB with the default retention.

    python bench/memory_soak.py [--minutes 10] [--rate 100]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.spawn import Spawned

API = "/api/management/v2"
KEY = {"Authorization": "Apikey ods-sim-admin-key"}
BASE = """
seed: 5
platform: {workers: 4}
faults:
  - {type: http, method: GET, path: "/api/management/v2/datasets/*/status", latency: 0.5,
     probability: 0.3}
"""
#: Every bound raised out of reach: what the simulator did before retention.
UNBOUNDED = """
retention:
  transitions: 1000000000
  jobs: 1000000000
  faults: 1000000000
  changes: 1000000000
  versions: 1000000000
  unused_files: 1000000000
  unused_file_bytes: 1000000000000
  journal: 1000000000
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS (Linux only)")


class Churn(threading.Thread):
    """One client keeping a steady rate of requests on a world of constant size."""

    def __init__(self, url: str, rate: float, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.interval, self.stop = url + API, 1.0 / rate, stop
        self.http = requests.Session()
        self.http.headers.update(KEY)
        self.requests = 0
        self.errors = 0
        self._next = time.perf_counter()

    def call(self, method: str, path: str, **kwargs: object) -> requests.Response:
        self._next += self.interval
        pause = self._next - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        answer = self.http.request(method, self.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]
        self.requests += 1
        self.errors += answer.status_code >= 500
        return answer

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            csv = "name,height\n" + "".join(f"tree-{i},{i % 30}\n" for i in range(200))
            # a new name each time: an upload of a name uploaded before replaces that file
            files = {"file": (f"trees-{n}.csv", io.BytesIO(csv.encode()), "text/csv")}
            url = self.call("POST", "/files", files=files).json()["url"]
            body = {"metas": {"default": {"title": f"Churn {n}", "description": "x" * 500}}}
            uid = self.call("POST", "/datasets", data=json.dumps(body)).json()["dataset_uid"]
            resource = {"url": url, "title": "trees"}
            self.call("POST", f"/datasets/{uid}/resources", data=json.dumps(resource))
            meta = {"value": f"Edited {n}"}
            self.call("PUT", f"/datasets/{uid}/metadata/default/description", data=json.dumps(meta))
            self.call("PUT", f"/datasets/{uid}/publish")
            for _ in range(50):
                if self.call("GET", f"/datasets/{uid}/status").json().get("name") == "idle":
                    break
            self.call("GET", "/datasets?rows=10")
            job = self.call("PUT", f"/datasets/{uid}/save_version").json().get("job_id")
            for _ in range(50):
                if self.call("GET", f"/datasets/{uid}/status").json().get("name") == "idle":
                    break
            self.call("DELETE", f"/datasets/{uid}")
            if job:
                self.call("GET", f"/jobs/{job}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second, each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for name, extra in (("default retention", ""), ("reference: unbounded", UNBOUNDED)):
            path = Path(tmp) / f"{name.split()[0]}.yaml"
            path.write_text(BASE + extra, encoding="utf-8")
            server = Spawned("--port", "0", "--scenario", str(path), "--speed", "1000")
            runs[name] = server
        stop = threading.Event()
        clients = {name: Churn(s.url, args.rate, stop) for name, s in runs.items()}
        for client in clients.values():
            client.start()
        samples: dict[str, list[int]] = {name: [] for name in runs}
        print(f"{'minute':>6}  " + "  ".join(f"{name:>22}" for name in runs))
        try:
            for minute in range(args.minutes + 1):
                if minute:
                    time.sleep(60)
                row = []
                for name, server in runs.items():
                    kib = rss_kib(server.proc.pid)
                    samples[name].append(kib)
                    row.append(f"{kib / 1024:>18.1f} MiB")
                print(f"{minute:>6}  " + "  ".join(row), flush=True)
        finally:
            stop.set()
            for client in clients.values():
                client.join(timeout=60)
            for server in runs.values():
                server.stop()
        print()
        for name, kib in samples.items():
            client = clients[name]
            window = kib[-9:] if len(kib) >= 9 else kib
            growth = (window[-1] - window[0]) / 1024
            rate = client.requests / (60 * args.minutes)
            print(
                f"{name}: {client.requests:,} requests ({rate:.0f}/s), {client.errors} errors; "
                f"growth over the last {len(window) - 1} minutes: {growth:+.1f} MiB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
