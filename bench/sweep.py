"""What a fault sweep costs: 200 cases over an in-process client test.

The client publishes two datasets and polls their statuses every 5 s with
``time.sleep`` (virtual) through one ``requests`` session, retrying 429s, 500s, 503s
and calls lost on the wire; it is run intercepted. The sweep runs it clean, then
once per case (a seeded sample of 200 of every fault at every point). Target: the
whole sweep under 10 s on two cores. Beside it, the reference measured in the same
run: one run of the same client on its own (a reset, then the client), which is
what a case costs at the least; a case costs more when its fault makes the client
poll longer (a stage ten times slower, a quarter of an hour of worker outage).

    python bench/sweep.py [--cases 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests

from simulator.sweep.inprocess import Settings, sweep
from simulator.testing import intercept

PORTAL = "https://bench.opendatasoft.com/api/management/v2/datasets"
SCENARIO = """
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 6000}]}
  - {dataset_id: bikes, dataset_uid: da_bikes1, resources: [{records: 9000}]}
"""
HEADERS = {"Authorization": "Apikey bench"}
DONE = ("idle", "error", "limit_reached")


def call(session: requests.Session, method: str, url: str) -> requests.Response:
    for _ in range(6):
        try:
            answer = session.request(method, url, headers=HEADERS, timeout=30)
        except requests.RequestException:
            time.sleep(1)
            continue
        if answer.status_code not in (429, 500, 503):
            return answer
        time.sleep(int(answer.headers.get("Retry-After", "1")))
    return answer


def client() -> None:
    """Publish both datasets, then poll until each has ended one way or another."""
    session = requests.Session()
    for uid in ("da_trees1", "da_bikes1"):
        call(session, "PUT", f"{PORTAL}/{uid}/publish")
    waiting = {"da_trees1", "da_bikes1"}
    while waiting:
        for uid in sorted(waiting):
            answer = call(session, "GET", f"{PORTAL}/{uid}/status")
            if answer.ok and answer.json()["name"] in DONE:
                waiting.discard(uid)
        if waiting:
            time.sleep(5)


def one_run(handle: object) -> float:
    started = time.perf_counter()
    handle.reset()  # type: ignore[attr-defined]  # a SimulatorHandle
    with handle.virtual_sleep():  # type: ignore[attr-defined]
        client()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with intercept(SCENARIO) as ods, tempfile.TemporaryDirectory() as out:
        singles = [one_run(ods) for _ in range(20)]
        sweeps, cases = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = sweep(
                ods, client, "bench", Settings(max_cases=args.cases, directory=Path(out))
            )
            sweeps.append(time.perf_counter() - started)
            cases = len(report.outcomes)
    single = statistics.median(singles)
    whole = statistics.median(sweeps)
    print(f"a sweep of {cases} cases (of {report.planned} planned), {len(report.failures)} failed")
    print(f"  {'whole sweep (target: under 10 s)':44} {whole:8.2f} s  (median of {len(sweeps)})")
    print(f"  {'per case':44} {whole / (cases + 1) * 1000:8.1f} ms")
    print(f"  {'reference: the client run alone':44} {single * 1000:8.1f} ms  (median of 20)")
    print(f"  {'per case / reference':44} {whole / (cases + 1) / single:8.2f} x")


if __name__ == "__main__":
    main()
