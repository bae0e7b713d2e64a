"""Headless runs of scenarios: a generated one of 10,000 datasets, and the library.

1. Writes a scenario of N datasets (default 10,000) with faults of every engine kind
   and a script that publishes them all, as JSON and as YAML, then plays each file
   to its end the way ``ods-simulator simulate`` does, validation included, and
   prints the wall time and transitions per second. Target: under 2 s.
2. Loads and plays each scenario of ``scenarios/`` (median of several runs, after
   one warm-up run that pays one-off imports). Target: under 100 ms each.

    python bench/scenarios.py [--datasets 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from simulator.scenario.headless import simulate
from simulator.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def generated(datasets: int) -> dict[str, Any]:
    return {
        "seed": 2026,
        "platform": {
            "workers": 8,
            "license": {"max_records_by_dataset": 4000},
            "stages": {"processing_all_dataset_data": {"base": 10, "rate": 100, "jitter": 0.2}},
        },
        "datasets": [
            {
                "dataset_id": f"ds-{i:05d}",
                "metas": {"default": {"title": f"Dataset {i}", "keyword": ["bench"]}},
                "resources": [{"title": "data.csv", "records": 500 + (i * 37) % 4000}],
            }
            for i in range(datasets)
        ],
        "faults": [
            {"type": "processor_misconfigured", "dataset": "ds-0001?"},
            {"type": "processing_error", "dataset": "ds-002??", "at_fraction": 0.3},
            {"type": "record_errors", "dataset": "*", "rate": 0.001, "field": "value"},
            {"type": "slow_stage", "dataset": "ds-003??", "factor": 2},
            {"type": "worker_outage", "from": 600, "until": 1800, "workers": 4},
        ],
        "script": [
            {"at": 0, "action": "publish", "dataset": "ds-*"},
            {"at": 60, "action": "abort_processing", "dataset": "ds-00000"},
            {"at": 10, "expect": {"dataset": "ds-00001", "status": "processing"}},
        ],
    }


def play(path: Path) -> tuple[float, int, str]:
    """Wall seconds from reading the file to the report, exit code, summary line."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    code = simulate(load_scenario(path), out=out, err=err)
    return time.perf_counter() - started, code, err.getvalue().strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    document = generated(args.datasets)
    with tempfile.TemporaryDirectory() as tmp:
        as_json = Path(tmp, "generated.json")
        as_json.write_text(json.dumps(document), encoding="utf-8")
        as_yaml = Path(tmp, "generated.yaml")
        as_yaml.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        print(f"generated scenario: {args.datasets:,} datasets, 5 faults, publish all at 0")
        for label, path in (("JSON", as_json), ("YAML", as_yaml)):
            runs = [play(path) for _ in range(max(1, args.repeat // 2))]
            best = min(runs)
            size = path.stat().st_size / 1e6
            print(f"  {label} ({size:.1f} MB): best {best[0]:.2f} s wall, exit {best[1]}")
            print(f"    {best[2]}")

    print(f"library scenarios, median of {args.repeat} runs after a warm-up:")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        play(path)
        times = [play(path)[0] for _ in range(args.repeat)]
        print(f"  {path.name:28} {statistics.median(times) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
