"""Virtual sleep: a client's ``time.sleep``/``asyncio.sleep`` move the virtual clock."""

from __future__ import annotations

import asyncio
import threading
import time
import types
from typing import Any

import httpx
import pytest
import requests

from simulator.testing import SleepBudgetExceeded, current, intercept, virtual_sleep
from simulator.testing.virtual_sleep import real_monotonic, real_sleep

URL = "https://mydomain.opendatasoft.com/api/management/v2/datasets/da_tttttt"
KEY = {"Authorization": "Apikey production-key"}
WORLD = """
status_names: fine
datasets:
  - {dataset_id: t, dataset_uid: da_tttttt, resources: [{records: 5000}, {records: 3000}]}
"""
#: publish, then unpublish: eight transitions
PATH = [
    "idle",
    "queued",
    "processing_dataset",
    "processing_all_dataset_data",
    "idle",
    "queued",
    "deleting_all_dataset_data",
    "deleting_dataset",
    "idle",
]


def wait_until_idle(session: requests.Session, seen: list[tuple[float, str, int]]) -> None:
    """What real clients do: read the status every 10 s until the dataset is idle.

    ``seen``: each poll's virtual time, the status read, the transitions made by then.
    """
    while True:
        status = session.get(f"{URL}/status").json()["name"]
        seen.append((current().now, status, len(current().timeline("t"))))
        if status == "idle":
            return
        time.sleep(10)


def status_after(timeline: list[dict[str, Any]], made: int) -> str:
    """The fine status after the first ``made`` transitions of the timeline."""
    return timeline[made - 1]["to"] if made else timeline[0]["from"]


def collapse(names: list[str]) -> list[str]:
    return [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]


def test_a_client_polling_every_10_seconds_sees_every_status_in_virtual_time() -> None:
    with intercept(WORLD) as ods, virtual_sleep(ods) as sleeping:
        session = requests.Session()
        session.headers.update(KEY)
        seen: list[tuple[float, str, int]] = []
        session.put(f"{URL}/publish").raise_for_status()
        wait_until_idle(session, seen)
        session.put(f"{URL}/unpublish").raise_for_status()
        wait_until_idle(session, seen)
        ods.assert_transitions("t", PATH)
        # each poll saw what the platform had at that instant: those lasting 10 s or more
        timeline = ods.timeline("t")
        assert [s for _, s, _ in seen] == [status_after(timeline, made) for _, _, made in seen]
        assert [t for t, _, _ in seen] == [10.0 * n for n in range(11)] + [100.0, 110.0, 120.0]
        assert collapse([s for _, s, _ in seen]) == [
            "processing_dataset",
            "processing_all_dataset_data",
            "idle",
            "deleting_all_dataset_data",
            "idle",
        ]
        assert sleeping.slept == ods.now == 120
    assert time.sleep is real_sleep


def test_a_deadline_on_the_clients_own_clock_ends_when_it_would_have() -> None:
    with intercept() as ods, ods.virtual_sleep():
        started, wall = time.monotonic(), time.time()
        deadline = started + 600
        polls = 0
        while time.monotonic() < deadline:
            time.sleep(10)
            polls += 1
        assert polls == 60 and ods.now == 600
        assert time.time() - wall >= 600
        assert time.perf_counter_ns() > 0 and time.monotonic_ns() >= int(deadline * 1e9)
    assert time.monotonic() < deadline  # the real clock again


def test_other_threads_sleep_for_real_and_keep_their_clock() -> None:
    with intercept() as ods, virtual_sleep(ods):
        seen: dict[str, float] = {}

        def other() -> None:
            started = time.monotonic()
            time.sleep(0.03)
            seen["took"] = real_monotonic() - started
            seen["offset"] = time.monotonic() - real_monotonic()

        thread = threading.Thread(target=other)
        time.sleep(3600)  # virtual, before the other thread starts
        thread.start()
        thread.join()
        assert seen["took"] >= 0.03  # it really slept
        assert abs(seen["offset"]) < 1  # and its clock is the real one
        assert ods.now == 3600


def test_an_asyncio_client_sleeps_virtually() -> None:
    async def client() -> list[tuple[float, str, int]]:
        seen: list[tuple[float, str, int]] = []
        async with httpx.AsyncClient(headers=KEY) as http:
            (await http.put(f"{URL}/publish")).raise_for_status()
            while True:
                status = (await http.get(f"{URL}/status")).json()["name"]
                seen.append((current().now, status, len(current().timeline("t"))))
                if status == "idle":
                    return seen
                await asyncio.sleep(10)

    with intercept(WORLD) as ods, virtual_sleep(ods) as sleeping:
        seen = asyncio.run(client())
        timeline = ods.timeline("t")
        assert [s for _, s, _ in seen] == [status_after(timeline, made) for _, _, made in seen]
        assert collapse([s for _, s, _ in seen]) == PATH[2:5]
        assert sleeping.slept == ods.now == 10 * (len(seen) - 1) == 100
        assert asyncio.run(asyncio.sleep(0, "yielded")) == "yielded"
        with pytest.raises(SleepBudgetExceeded):
            asyncio.run(asyncio.sleep(float("inf")))


def test_a_client_that_waits_forever_meets_the_budget_naming_the_statuses() -> None:
    def hopeless() -> None:
        while True:
            try:
                if requests.get(f"{URL}/status", headers=KEY).json()["name"] == "error":
                    return
                time.sleep(600)
            except Exception:  # a client that retries on anything
                continue

    with intercept(WORLD) as ods, virtual_sleep(ods, budget=86400):
        with pytest.raises(SleepBudgetExceeded) as failed:
            hopeless()
        assert str(failed.value).startswith(
            "slept 86400 virtual seconds and asked for 600 more, past the budget of 86400"
        )
        assert "dataset statuses: t=idle; jobs waiting or running: 0" in str(failed.value)
        assert (failed.value.slept, failed.value.budget) == (86400, 86400)
        assert failed.value.statuses == {"t": "idle"}
        assert ods.now == 86400
        with pytest.raises(SleepBudgetExceeded):  # and every sleep after it
            time.sleep(1)


def test_names_bound_before_the_patch_in_the_listed_modules() -> None:
    client = types.ModuleType("client")
    exec("from time import sleep, monotonic\nfrom asyncio import sleep as nap", vars(client))
    with intercept() as ods, virtual_sleep(ods, modules=[client]):
        client.sleep(30)
        asyncio.run(client.nap(30))
        assert ods.now == 60
        real = real_monotonic()
        assert client.monotonic() - real >= 60
    assert client.sleep is real_sleep and client.nap is asyncio.tasks.sleep


def test_bad_input_is_refused_as_time_sleep_refuses_it() -> None:
    with intercept() as ods:
        for budget in (-1, float("nan"), "week"):
            with pytest.raises(ValueError, match="budget: expected virtual seconds"):
                virtual_sleep(ods, budget=budget)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="is not imported"):
            virtual_sleep(ods, modules=["no.such.module"]).start()
        assert time.sleep is real_sleep  # a refused start patches nothing
        with virtual_sleep(ods):
            with pytest.raises(ValueError, match="non-negative"):
                time.sleep(-1)
            with pytest.raises(ValueError, match="NaN"):
                time.sleep(float("nan"))
            with pytest.raises(TypeError):
                time.sleep("10")  # type: ignore[arg-type]
            time.sleep(0)
            assert ods.now == 0


def test_contexts_nest_and_the_innermost_sleeps() -> None:
    with intercept() as outer, virtual_sleep(outer) as first:
        time.sleep(5)
        with intercept() as inner, virtual_sleep(inner) as second:
            time.sleep(7)
            assert (outer.now, inner.now, first.slept, second.slept) == (5, 7, 5, 7)
            real = real_monotonic()
            assert time.monotonic() - real >= 12
        time.sleep(1)
        assert (outer.now, inner.now) == (6, 7)
    assert time.sleep is real_sleep
    real_sleep(0)


def test_the_budgets_message_stays_short_in_a_big_world() -> None:
    with intercept("datasets: [{generate: 25, prefix: counter}]") as ods:
        with virtual_sleep(ods, budget=0), pytest.raises(SleepBudgetExceeded) as failed:
            time.sleep(0)  # no time: within any budget
            time.sleep(1)
        message = str(failed.value)
        assert "counter-20=idle and 5 more; jobs waiting" in message
        assert "counter-21" not in message and len(failed.value.statuses) == 25
