"""Snapshots: what journaling costs, how long a save takes, how fast a restore replays.

Makes N changes (default 10,000) through the service, the calls the HTTP
views make: datasets created, metadata set, processors added, publishes, with the
clock moving in between so jobs run and end. Then it saves a snapshot to a state
file (document, write, fsync, rename) and restores it (read, replay, check), and
prints operations replayed per second. For the journal's own cost it times 10,000
publishes through the service with and without their journal lines.

    python bench/snapshot.py [--operations 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path
from typing import Any

from simulator.api.management.surface import ManagementV2
from simulator.scenario.loading import (
    DatasetSpec,
    ResourceSpec,
    Scenario,
    default_user,
    load_scenario_text,
)
from simulator.service import Simulator, statefile
from simulator.service.datasets import Datasets
from simulator.service.operation import operation

SCENARIO = """
seed: 11
platform: {workers: 4}
datasets:
  - {generate: 50, prefix: base, records: 2000}
faults:
  - {type: record_errors, dataset: "*", rate: 0.001, field: value}
"""


def busy(operations: int) -> Simulator:
    """A simulator after ``operations`` journaled changes, made as the HTTP views make them."""
    sim = Simulator(load_scenario_text(SCENARIO, "bench.yaml"))
    v2 = ManagementV2(sim)
    admin = sim.store.users["admin"]
    made: list[str] = []
    while len(sim.journal) < operations:
        step = len(sim.journal) % 4
        if step == 0 or not made:
            body = {"metas": {"default": {"title": f"Dataset {len(made)}"}}}
            made.append(v2.create_dataset(admin, body)["dataset_uid"])
        elif step == 1:
            value = {"value": f"Description {len(sim.journal)}"}
            v2.set_metadata(admin, made[-1], "default", "description", value)
        elif step == 2:
            expression = {"output_field": "x", "expression": "=name"}
            v2.create_processor(admin, made[-1], {"name": "expression", "args": expression})
        else:
            base = list(sim.store.datasets)[len(sim.journal) % 50]
            if sim.store.datasets[base].job is None:
                sim.datasets.act(admin, base, "publish")
            else:
                v2.create_dataset(admin, {})
            sim.control.advance(7)
    return sim


def save_and_restore(sim: Simulator, directory: Path) -> dict[str, Any]:
    sim.state_file = directory / "state.json"
    gc.collect()
    t0 = time.perf_counter()
    saved = sim.snapshots.save()
    t1 = time.perf_counter()
    document = statefile.read(sim.state_file)
    t2 = time.perf_counter()
    copy = Simulator.from_snapshot(document)
    t3 = time.perf_counter()
    assert copy.control.timeline() == sim.control.timeline()
    return {
        "save_s": t1 - t0,
        "bytes": saved["bytes"],
        "read_s": t2 - t1,
        "restore_s": t3 - t2,
        "operations": saved["operations"],
        "transitions": len(sim.world.timeline),
    }


def journal_cost(datasets: int, repeat: int) -> tuple[float, float]:
    """Microseconds per ``act`` (a publish), journaled as the service does, and not.

    The same calls over the same world, through the journaling decorator and through
    the plain one every read-only operation uses; the best of ``repeat`` runs each,
    taken in turns.
    """
    specs = tuple(
        DatasetSpec(
            f"ds-{i}",
            None,
            {},
            "domain",
            False,
            (ResourceSpec("d.csv", 1000, "odsfile://d.csv"),),
            "admin",
        )
        for i in range(datasets)
    )
    # Datasets.act is operation(journaled(act)): the plain one skips the journaling layer
    plain = operation(Datasets.act.__wrapped__.__wrapped__)  # type: ignore[attr-defined]
    best = {"journaled": float("inf"), "plain": float("inf")}
    for run in range(repeat * 2):
        label, act = ("journaled", Datasets.act) if run % 2 == 0 else ("plain", plain)
        sim = Simulator(Scenario(users=(default_user(),), datasets=specs))
        admin = sim.store.users["admin"]
        uids = list(sim.store.datasets)
        gc.collect()
        t0 = time.perf_counter()
        for uid in uids:
            act(sim.datasets, admin, uid, "publish")
        best[label] = min(best[label], (time.perf_counter() - t0) / datasets * 1e6)
    return best["journaled"], best["plain"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--operations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    sim = busy(args.operations)
    made = time.perf_counter() - t0
    print(f"{args.operations:,} changes through the service in {made:.2f} s")
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(save_and_restore(sim, Path(tmp)))
    save = min(runs, key=lambda r: r["save_s"])
    restore = min(runs, key=lambda r: r["restore_s"])
    read = min(r["read_s"] for r in runs)
    ops = restore["operations"]
    print(f"best of {args.repeat} runs:")
    print(
        f"  save          {save['save_s'] * 1000:.0f} ms "
        f"({save['bytes'] / 1e6:.1f} MB, {ops:,} operations, "
        f"{save['transitions']:,} transitions)"
    )
    print(f"  read          {read * 1000:.0f} ms (JSON and the scenario)")
    print(
        f"  restore       {restore['restore_s']:.2f} s: "
        f"{ops / restore['restore_s']:,.0f} operations replayed/s (integrity check included)"
    )
    journaled, plain = journal_cost(10_000, args.repeat)
    print(
        f"publish (act)  {journaled:.1f} us journaled, {plain:.1f} us not: "
        f"the journal adds {journaled - plain:.1f} us ({(journaled - plain) / plain:.0%})"
    )


if __name__ == "__main__":
    main()
