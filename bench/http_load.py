"""The HTTP surface under load: the real command-line server, driven by wrk.

1. Writes a scenario of N datasets (default 20,000, uids ``da_000000``...) as JSON,
   starts ``ods-simulator --scenario FILE --clock manual --port 0`` as a process (the
   CLI's default of 8 waitress threads unless ``--threads``), then runs wrk
   (``bench/http_load.lua``) against ``GET .../datasets/<uid>/status`` and
   ``PUT .../datasets/<uid>/publish`` at 1, 8, 16 and 32 connections, each request
   naming the next dataset. It prints requests per second (median, and the range of
   the repeats), p50 and p99 latency (medians), the server's CPU time per request
   (user and system time of its process: steadier than requests per second when
   other work shares the machine) and the count of error answers (status 400 and
   above, as wrk counts them); then the same for a trivial Flask endpoint on
   waitress measured in the same run, for scale.
   The world is reset (``POST /_sim/reset``) before each run: every publish finds
   its dataset idle and is accepted (200 and a job id; the job waits in the queue,
   as the manual clock does not move). There are more datasets than publishes in a
   run, and each run starts past the datasets the previous one named (a publish
   still in the server's hands when wrk stops can land after the reset); the
   error column would show it otherwise.
   Target: at least 1,500 status reads/s at 16 connections, p99 under 50 ms; the
   Automation status read within 10 % of the v2 one (the two are measured in turns,
   run by run, so that both see the same machine).
2. Start to first answer: wall time from spawning ``ods-simulator --port 0`` on the
   built-in scenario to the first 200 of ``GET .../datasets/da_trees1/status``
   (median of several runs).

    python bench/http_load.py [--datasets 20000] [--duration 5] [--repeat 3]
                         [--connections 1,8,16,32] [--threads N]
                         [--only status|automation|publish|start]

Needs wrk (Debian's ``wrk`` package) on the PATH. (Not named ``http.py``: run as a
script, it would stand in for the standard library's ``http`` package.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the process starter is the suite's: tests/spawn.py
from tests.spawn import Spawned  # noqa: E402

LUA = Path(__file__).with_suffix(".lua")
API_KEY = "ods-sim-admin-key"

#: A trivial Flask JSON endpoint on waitress: the ceiling the simulator is held to.
TRIVIAL = """
import sys
from flask import Flask, jsonify
from waitress.server import create_server
app = Flask("trivial")
@app.get("/api/management/v2/datasets/<uid>/status")
def status(uid):
    return jsonify({"name": "idle", "published": False})
server = create_server(app, host="127.0.0.1", port=0, threads=int(sys.argv[1]))
print(f"  API          http://127.0.0.1:{server.effective_port}/api/management/v2/")
print("  curl (the end of the banner, as the simulator writes it)", flush=True)
server.run()
"""


#: What each measured action is called in the table.
LABELS = {
    "status": "GET v2 .../status",
    "automation": "GET v1.0 .../status/",
    "publish": "PUT v2 .../publish",
}


def scenario(datasets: int) -> dict[str, Any]:
    return {
        "seed": 7,
        "platform": {"workers": 2},
        "datasets": [
            {
                "dataset_id": f"ds-{i:06d}",
                "dataset_uid": f"da_{i:06d}",
                "metas": {"default": {"title": f"Dataset {i}"}},
                "resources": [{"title": "data.csv", "records": 1000 + i % 500}],
            }
            for i in range(datasets)
        ],
    }


def cli_command() -> list[str]:
    """The installed ``ods-simulator``, else the checkout's ``run_simulator.py``."""
    script = Path(sys.executable).with_name("ods-simulator")
    if script.exists():
        return [str(script)]
    return [sys.executable, str(ROOT / "run_simulator.py")]


class Server(Spawned):
    """A server process; its URL is read from the banner it prints."""

    def __init__(self, command: list[str]) -> None:
        try:
            super().__init__(command=command, stderr=subprocess.DEVNULL, cwd=ROOT)
        except RuntimeError as exc:
            raise RuntimeError(f"the server did not start ({exc}): {' '.join(command)}") from None
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port = host, int(port)

    def call(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        try:
            headers = {"Authorization": f"Apikey {API_KEY}"}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far (Linux)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    server: Server, action: str, connections: int, duration: float, datasets: int, first: int = 0
) -> dict[str, Any]:
    command = [
        "wrk",
        "-t1",  # one wrk thread keeps up with 32 connections and leaves a core to the server
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        server.url,
        "--",
        action,
        str(datasets),
        API_KEY,
        "1",
        str(first),
    ]
    cpu = server.cpu_seconds()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["cpu_us"] = cpu * 1e6 / max(1, figures["requests"])
    return figures


def summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    med = statistics.median
    return {
        "rps": med(r["rps"] for r in runs),
        "rps_min": min(r["rps"] for r in runs),
        "rps_max": max(r["rps"] for r in runs),
        "p50_ms": med(r["p50_us"] for r in runs) / 1000,
        "p99_ms": med(r["p99_us"] for r in runs) / 1000,
        "cpu_us": med(r["cpu_us"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "errors": sum(r["socket_errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
    }


def row(label: str, connections: int, s: dict[str, float]) -> None:
    spread = f"{s['rps_min']:,.0f}-{s['rps_max']:,.0f}"
    print(
        f"  {label:22} {connections:5d} {s['rps']:9,.0f} {spread:>13} {s['p50_ms']:8.2f}"
        f" {s['p99_ms']:8.2f} {s['cpu_us']:7.0f} {s['non2xx']:8.0f} {s['errors']:6.0f}",
        flush=True,
    )


def header() -> None:
    print(
        f"  {'endpoint':22} {'conns':>5} {'req/s':>9} {'(min-max)':>13} {'p50 ms':>8}"
        f" {'p99 ms':>8} {'CPU us':>7} {'errors':>8} {'socket':>6}"
    )


def load(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "http-bench.json"
        path.write_text(json.dumps(scenario(args.datasets)), encoding="utf-8")
        command = [*cli_command(), "--scenario", str(path), "--clock", "manual", "--port", "0"]
        if args.threads is not None:
            command += ["--threads", str(args.threads)]
        server = Server(command)
    threads = args.threads if args.threads is not None else "8 (the CLI's default)"
    print(f"ods-simulator, {args.datasets:,} datasets, manual clock, {threads} waitress threads")
    print(f"wrk: 1 thread, {args.duration:g} s per run, median of {args.repeat} runs")
    try:
        status, _ = server.call("GET", "/api/management/v2/datasets/da_000000/status")
        assert status == 200, status
        wrk(server, "status", 8, 2, args.datasets)  # warm-up
        header()
        # the two status reads alternate run by run; publishes come after
        groups = [[a for a in ("status", "automation") if a in args.only]]
        groups += [["publish"]] if "publish" in args.only else []
        for actions in filter(None, groups):
            first = 0
            for connections in args.connections:
                runs: dict[str, list[dict[str, Any]]] = {a: [] for a in actions}
                for _ in range(args.repeat):
                    for action in actions:
                        status, _ = server.call("POST", "/_sim/reset")
                        assert status == 200, status
                        run = wrk(server, action, connections, args.duration, args.datasets, first)
                        runs[action].append(run)
                        # Requests still in the server's hands when wrk stops may land
                        # after the next reset: the next run starts past the datasets
                        # they name.
                        first = (first + run["requests"] + 4 * connections) % args.datasets
                for action in actions:
                    row(LABELS[action], connections, summary(runs[action]))
    finally:
        server.stop()
    if args.trivial:
        trivial = Server([sys.executable, "-c", TRIVIAL, str(args.threads or 8)])
        try:
            wrk(trivial, "status", 8, 2, args.datasets)
            runs = [wrk(trivial, "status", 16, args.duration, 1) for _ in range(args.repeat)]
            print("for scale, a trivial Flask JSON endpoint on waitress, same threads:")
            row("GET (constant answer)", 16, summary(runs))
        finally:
            trivial.stop()


def first_answer(runs: int) -> list[float]:
    """Spawn to the first 200 of a status read, on the built-in scenario."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        server = Server([*cli_command(), "--port", "0"])
        try:
            while True:
                try:
                    status, _ = server.call("GET", "/api/management/v2/datasets/da_trees1/status")
                except ConnectionError:
                    continue
                if status == 200:
                    break
            times.append(time.perf_counter() - started)
        finally:
            server.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="wrk runs per figure (median)")
    parser.add_argument(
        "--connections",
        type=lambda text: [int(c) for c in text.split(",")],
        default=[1, 8, 16, 32],
        help="comma-separated (default: 1,8,16,32)",
    )
    parser.add_argument("--threads", type=int, help="the server's --threads (default: the CLI's)")
    parser.add_argument(
        "--only",
        choices=("status", "automation", "publish", "start"),
        action="append",
        help="measure only this (repeatable; default: everything)",
    )
    parser.add_argument("--starts", type=int, default=10, help="runs of start to first answer")
    parser.add_argument(
        "--no-trivial",
        dest="trivial",
        action="store_false",
        help="skip the trivial Flask endpoint measured for scale",
    )
    args = parser.parse_args()
    args.only = args.only or ["status", "automation", "publish", "start"]
    if shutil.which("wrk") is None:
        print(
            "error: wrk is not installed; it is Debian's wrk package (apt-get install wrk)",
            file=sys.stderr,
        )
        return 2
    if {"status", "automation", "publish"} & set(args.only):
        load(args)
    else:
        args.trivial = False
    if "start" in args.only:
        times = first_answer(args.starts)
        print(
            f"start to first answer (ods-simulator --port 0, built-in scenario): median "
            f"{statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms,"
            f" max {max(times) * 1000:.0f} ms (n={len(times)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
