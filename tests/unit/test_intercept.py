"""Interception of requests and httpx, with no socket."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable

import httpx
import pytest
import requests
import requests.adapters

from simulator.testing.intercept import NotIntercepted, current, intercept
from tests.conftest import Live

URL = "https://mydomain.opendatasoft.com/api/management/v2"
KEY = {"Authorization": "Apikey production-key"}


def test_calls_to_the_platform_reach_the_simulator_with_any_credentials() -> None:
    with intercept("datasets: [{dataset_id: t, dataset_uid: da_tttttt}]") as ods:
        r = requests.get(f"{URL}/datasets", headers=KEY)
        assert (r.status_code, r.json()["nhits"]) == (200, 1)
        assert r.headers["Content-Type"] == "application/json"
        r = requests.put(f"{URL}/datasets/da_tttttt/publish", auth=("someone", "their-password"))
        assert len(r.json()["job_id"]) == 40
        assert ods.status("t") == "processing_dataset"
        assert requests.get(f"{URL}/datasets").status_code == 401  # credentials are still required


def test_credentials_can_be_checked_as_the_live_server_does() -> None:
    with intercept(any_credentials=False):
        assert requests.get(f"{URL}/datasets", headers=KEY).status_code == 401
        assert requests.get(
            f"{URL}/datasets", headers={"Authorization": "Apikey ods-sim-admin-key"}
        ).ok


def test_the_transport_is_restored_afterwards() -> None:
    original = requests.adapters.HTTPAdapter.send
    with intercept():
        assert requests.adapters.HTTPAdapter.send is not original
    assert requests.adapters.HTTPAdapter.send is original


def test_other_hosts_fail_loudly_but_loopback_and_passthrough_go_through(
    make_live: Callable[..., Live],
) -> None:
    live = make_live()
    with intercept():
        with pytest.raises(NotIntercepted, match="not intercepted"):
            requests.get("https://api.example.com/x")
        assert requests.get(f"{live.url}/_sim/health").json() == {"status": "ok"}
    with intercept(hosts=["api.example.com"]) as ods:
        assert requests.get("https://api.example.com/api/management/v2/datasets", headers=KEY).ok
        assert ods.url.endswith(".opendatasoft.com")


def test_as_a_decorator_with_the_active_handle_at_hand() -> None:
    @intercept("datasets: [{dataset_id: t}]")
    def check() -> str:
        requests.get(f"{URL}/datasets", headers=KEY)
        return current().status("t")

    assert check() == "idle"
    with pytest.raises(RuntimeError, match="no interception is active"):
        current()


def test_interceptors_nest_the_inner_one_answering_first() -> None:
    with intercept("datasets: [{dataset_id: outer}]", hosts=["outer.example.org"]):
        with intercept("datasets: [{dataset_id: inner}]"):
            ids = [
                d["dataset_id"]
                for d in requests.get(f"{URL}/datasets", headers=KEY).json()["datasets"]
            ]
            assert ids == ["inner"]
            outer = requests.get(
                "https://outer.example.org/api/management/v2/datasets", headers=KEY
            ).json()
            assert [d["dataset_id"] for d in outer["datasets"]] == ["outer"]
        ids = [
            d["dataset_id"] for d in requests.get(f"{URL}/datasets", headers=KEY).json()["datasets"]
        ]
        assert ids == ["outer"]


def test_bodies_of_every_kind_arrive() -> None:
    with intercept():
        r = requests.post(
            f"{URL}/datasets", data=iter([b'{"dataset_id": ', b'"chunks"}']), headers=KEY
        )
        assert r.json()["dataset_id"] == "chunks"
        r = requests.post(f"{URL}/files", files={"file": ("a.csv", b"x\n1\n2\n")}, headers=KEY)
        assert r.json()["properties"]["records"] == 2


def test_httpx_is_intercepted_sync_and_async() -> None:
    with intercept("datasets: [{dataset_id: t, dataset_uid: da_tttttt}]"):
        assert httpx.get(f"{URL}/datasets/da_tttttt", headers=KEY).json()["dataset_id"] == "t"

        async def fetch() -> int:
            async with httpx.AsyncClient() as client:
                r = await client.put(f"{URL}/datasets/da_tttttt/publish", headers=KEY)
                return r.status_code

        assert asyncio.run(fetch()) == 200


def test_a_finished_interception_lets_its_world_go() -> None:
    interceptor = intercept("datasets: [{dataset_id: t, dataset_uid: da_tttttt}]")
    with interceptor:
        assert requests.get(f"{URL}/datasets", headers=KEY).json()["nhits"] == 1
    world = weakref.ref(interceptor.simulator)
    del interceptor
    gc.collect()
    assert world() is None  # the app it borrowed went back to the pool without it
    with intercept() as ods:  # the pool's app serves the next one
        assert requests.get(f"{URL}/datasets", headers=KEY).json()["nhits"] == 0
        assert ods.simulator is not None


def test_a_library_scenario_by_its_name() -> None:
    with intercept("license-limit") as ods:
        url = "https://city.opendatasoft.com/api/management/v2/datasets/"
        answer = requests.get(url, headers={"Authorization": "Apikey prod"}, timeout=10)
        ids = {d["dataset_id"] for d in answer.json()["datasets"]}
        assert ids == {d.dataset_id for d in ods.simulator.scenario.datasets} and ids
