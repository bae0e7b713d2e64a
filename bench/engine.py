"""Engine throughput against raw simpy, measured in the same run.

Publishes N datasets (default 10,000) on 8 workers through the engine: one publish
job submitted per dataset, then the clock runs until every job is done. It prints
wall time and transitions per second, then the same through the service
(the calls the HTTP views make, with their lock, clock sync and permission checks),
and for scale raw simpy: processes that do nothing but wait on timeouts.

    python bench/engine.py [--datasets 10000] [--workers 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

import simpy

from simulator.domain.platform import Platform
from simulator.scenario.loading import DatasetSpec, ResourceSpec, Scenario, default_user
from simulator.service import Simulator, World
from simulator.service.commands import Body, Listing


def world(datasets: int, workers: int) -> Scenario:
    specs = tuple(
        DatasetSpec(
            dataset_id=f"ds-{i}",
            dataset_uid=None,
            metas={"default": {"title": f"Dataset {i}"}},
            visibility="domain",
            published=False,
            resources=(ResourceSpec("data.csv", 1000 + i % 500, "odsfile://data.csv"),),
            owner="admin",
        )
        for i in range(datasets)
    )
    return Scenario(
        name="bench",
        clock_mode="manual",
        platform=Platform(workers=workers),
        users=(default_user(),),
        datasets=specs,
    )


def engine_run(datasets: int, workers: int) -> dict[str, float]:
    w = World(world(datasets, workers))
    engine, store = w.engine, w.store
    targets = list(store.datasets.values())
    gc.collect()
    t0 = time.perf_counter()
    for ds in targets:
        engine.submit(ds, "publish", "admin")
    t1 = time.perf_counter()
    idle = engine.run_until_idle()
    t2 = time.perf_counter()
    assert idle, "every job must end"
    return _figures(t0, t1, t2, len(w.timeline), datasets, engine.now, targets)


def _figures(
    t0: float, t1: float, t2: float, transitions: int, datasets: int, now: float, targets: list
) -> dict[str, float]:  # type: ignore[type-arg]
    assert transitions == 4 * datasets
    assert all(ds.published and ds.records for ds in targets), "every dataset must end published"
    return {
        "submit_s": t1 - t0,
        "run_s": t2 - t1,
        "wall_s": t2 - t0,
        "transitions": transitions,
        "transitions_per_s": transitions / (t2 - t0),
        "virtual_s": now,
    }


def service_run(datasets: int, workers: int) -> dict[str, float]:
    """The same publishes through the service, as the API's views call it."""
    sim = Simulator(world(datasets, workers))
    admin = sim.store.users["admin"]
    uids = list(sim.store.datasets)
    gc.collect()
    t0 = time.perf_counter()
    for uid in uids:
        sim.datasets.act(admin, uid, "publish")
    t1 = time.perf_counter()
    clock, idle = sim.control.run_until_idle()
    t2 = time.perf_counter()
    assert idle, "every job must end"
    assert sim.datasets.list(admin, Body.of(Listing(limit=1))).total == datasets
    targets = list(sim.store.datasets.values())
    return _figures(t0, t1, t2, len(sim.world.timeline), datasets, clock.now, targets)


def raw_simpy(events: int, processes: int = 8) -> float:
    """Timeout events per second of bare simpy processes."""
    env = simpy.Environment()
    per = events // processes

    def proc(env: simpy.Environment) -> simpy.events.ProcessGenerator:
        for _ in range(per):
            yield env.timeout(1)

    for _ in range(processes):
        env.process(proc(env))
    gc.collect()
    t0 = time.perf_counter()
    env.run()
    return per * processes / (time.perf_counter() - t0)


def best(fn: Callable[[], dict[str, float]], repeat: int, key: str) -> dict[str, float]:
    runs = [fn() for _ in range(repeat)]
    return max(runs, key=lambda r: r[key])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measure; the best is shown"
    )
    args = parser.parse_args()

    engine = best(lambda: engine_run(args.datasets, args.workers), args.repeat, "transitions_per_s")
    service = best(
        lambda: service_run(args.datasets, args.workers), args.repeat, "transitions_per_s"
    )
    raws = [raw_simpy(400_000) for _ in range(args.repeat)]
    raw = max(raws)
    print(f"{args.datasets} publishes on {args.workers} workers, best of {args.repeat} runs")
    for name, r in (("engine", engine), ("service", service)):
        print(f"{name}:")
        wall, submit, run = r["wall_s"], r["submit_s"], r["run_s"]
        print(f"  wall time           {wall:.3f} s (submit {submit:.3f} s, run {run:.3f} s)")
        print(f"  transitions         {r['transitions']:.0f} over {r['virtual_s']:.0f} virtual s")
        rate = r["transitions_per_s"]
        print(f"  transitions/s       {rate:,.0f} ({rate / raw:.0%} of raw simpy)")
    print(f"raw simpy timeouts/s  {raw:,.0f} (median {statistics.median(raws):,.0f})")
    print(f"engine / raw simpy    {engine['transitions_per_s'] / raw:.0%}  (target: at least 25 %)")


if __name__ == "__main__":
    main()
