"""Resident memory of a simulator holding many datasets.

For each size (default 10,000 and 100,000 datasets) a fresh interpreter imports the
simulator and its HTTP app, loads a generated scenario written as JSON (each dataset
with a title, a description, keywords and one resource) and builds the simulator and
its app, as ``ods-simulator --scenario FILE`` does. It reports the resident set size
(``VmRSS``) then, and again after publishing every dataset through the service and
running the clock until idle (every dataset ends published, its jobs kept), with
the wall time of each step and the peak (``VmHWM``). Target: 100,000 datasets under
1 GB.

    python bench/memory.py [--sizes 10000,100000] [--no-publish]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def scenario(datasets: int) -> dict[str, Any]:
    return {
        "seed": 11,
        "platform": {"workers": 8},
        "datasets": [
            {
                "dataset_id": f"ds-{i:06d}",
                "metas": {
                    "default": {
                        "title": f"Dataset {i}",
                        "description": f"Generated dataset number {i} of the memory bench.",
                        "keyword": ["bench", f"group-{i % 100}"],
                    }
                },
                "resources": [{"title": "data.csv", "records": 1000 + i % 500}],
            }
            for i in range(datasets)
        ],
    }


def status_kib(field: str) -> int:
    """A ``VmRSS:``-style line of /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def child(path: str, publish: bool) -> None:
    """Runs in a fresh interpreter: print one JSON line of figures."""
    import gc
    import time

    from simulator.api import create_app
    from simulator.scenario.loading import load_scenario
    from simulator.service import Simulator

    gc.collect()
    figures: dict[str, Any] = {"imports_kib": status_kib("VmRSS")}
    started = time.perf_counter()
    sim = Simulator(load_scenario(path), overrides={"clock_mode": "manual"})
    create_app(simulator=sim)
    figures["load_s"] = time.perf_counter() - started
    gc.collect()
    figures["loaded_kib"] = status_kib("VmRSS")
    figures["datasets"] = len(sim.store.datasets)
    if publish:
        admin = sim.store.users["admin"]
        started = time.perf_counter()
        for uid in list(sim.store.datasets):
            sim.datasets.act(admin, uid, "publish")
        _, idle = sim.control.run_until_idle()
        figures["publish_s"] = time.perf_counter() - started
        assert idle
        assert all(ds.published for ds in sim.store.datasets.values())
        figures["jobs"] = len(sim.store.jobs)
        figures["transitions"] = len(sim.world.timeline)
        gc.collect()
        figures["published_kib"] = status_kib("VmRSS")
    figures["peak_kib"] = status_kib("VmHWM")
    print(json.dumps(figures))


def measure(datasets: int, publish: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "memory-bench.json"
        path.write_text(json.dumps(scenario(datasets)), encoding="utf-8")
        command = [sys.executable, __file__, "--child", str(path)]
        if not publish:
            command.append("--no-publish")
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10_000, 100_000],
        help="comma-separated dataset counts (default: 10000,100000)",
    )
    parser.add_argument("--no-publish", dest="publish", action="store_false")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.publish)
        return
    print(
        "resident memory (VmRSS) of a fresh process, imports included (target: 100,000 under 1 GB)"
    )
    for size in args.sizes:
        f = measure(size, args.publish)
        base = f["imports_kib"]
        print(f"{size:,} datasets:")
        print(f"  after imports             {mib(base):>10}")
        loaded = f["loaded_kib"]
        print(
            f"  loaded                    {mib(loaded):>10}  (+{mib(loaded - base)},"
            f" {(loaded - base) * 1024 / size:,.0f} bytes a dataset; {f['load_s']:.2f} s)"
        )
        if "published_kib" in f:
            pub = f["published_kib"]
            print(
                f"  all published, idle       {mib(pub):>10}  (+{mib(pub - base)},"
                f" {(pub - base) * 1024 / size:,.0f} bytes a dataset; {f['publish_s']:.2f} s for"
                f" {f['jobs']:,} jobs, {f['transitions']:,} transitions)"
            )
        print(f"  peak (VmHWM)              {mib(f['peak_kib']):>10}")


if __name__ == "__main__":
    main()
