"""Interception of urllib3 (and requests), httpx, with no socket; the platform guard."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Callable

import aiohttp
import httpx
import pytest
import requests
import urllib3
import urllib3.connectionpool
from urllib3.util.retry import Retry

from simulator.testing import virtual_sleep
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
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen
    with intercept():
        assert urllib3.connectionpool.HTTPConnectionPool.urlopen is not original
    assert urllib3.connectionpool.HTTPConnectionPool.urlopen is original
    # and the platform guard of the plugin, on in this session, refuses what is no longer
    with pytest.raises(NotIntercepted, match="nothing intercepts; in a test, use the ods_int"):
        requests.get(f"{URL}/datasets", headers=KEY)


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


def test_plain_urllib3_is_intercepted_through_a_pool_manager_and_a_pool() -> None:
    with intercept("datasets: [{dataset_id: t, dataset_uid: da_tttttt}]"):
        answer = urllib3.request("GET", f"{URL}/datasets/da_tttttt", headers=KEY)
        assert (answer.status, answer.json()["dataset_id"]) == (200, "t")
        assert answer.headers["Content-Type"] == "application/json"
        pool = urllib3.HTTPSConnectionPool("city.opendatasoft.com", 443)
        answer = pool.request("GET", "/api/management/v2/datasets/da_tttttt", headers=KEY)
        assert answer.json()["dataset_uid"] == "da_tttttt"
        missing = pool.request("GET", "/api/management/v2/datasets/da_nope", headers=KEY)
        assert missing.status == 404 and missing.json()["status_code"] == 404


def test_requests_streams_and_raises_as_over_the_network() -> None:
    with intercept("datasets: [{dataset_id: t, dataset_uid: da_tttttt}]"):
        answer = requests.get(f"{URL}/datasets/da_tttttt", headers=KEY, stream=True)
        assert isinstance(answer.raw, urllib3.HTTPResponse)
        assert answer.raw.status == 200 and answer.reason == "OK"
        streamed = b"".join(answer.iter_content(chunk_size=7))
        assert b'"dataset_id": "t"' in streamed or b'"dataset_id":"t"' in streamed
        missing = requests.get(f"{URL}/datasets/da_nope", headers=KEY)
        with pytest.raises(requests.HTTPError, match="404 Client Error: Not Found for url"):
            missing.raise_for_status()


def test_urllib3_retries_a_429_after_its_retry_after_in_virtual_time() -> None:
    world = """
datasets: [{dataset_id: t, dataset_uid: da_tttttt}]
faults:
  - {type: http, method: PUT, path: /api/management/v2/datasets/*/publish, nth: 1,
     status: 429, headers: {Retry-After: "5"}}
"""
    with intercept(world) as ods, virtual_sleep(ods):
        session = requests.Session()
        retry = Retry(total=3, status_forcelist=[429], allowed_methods=None)
        session.mount("https://", requests.adapters.HTTPAdapter(max_retries=retry))
        answer = session.put(f"{URL}/datasets/da_tttttt/publish", headers=KEY)
        assert answer.status_code == 200 and "job_id" in answer.json()
        assert ods.now == 5  # urllib3 slept as Retry-After said, virtually
        assert [f["status"] for f in ods.faults()] == [429]


def test_the_guard_refuses_every_library_outside_interception(
    make_live: Callable[..., Live],
) -> None:
    live = make_live()
    for call in (
        lambda: requests.get("https://city.opendatasoft.com/api/"),
        lambda: urllib3.request("GET", "https://data.huwise.com/api/"),
        lambda: httpx.get("https://city.opendatasoft.com/api/"),
    ):
        with pytest.raises(NotIntercepted, match="a call to the platform"):
            call()

    async def with_aiohttp() -> None:
        async with aiohttp.ClientSession() as session:
            await session.get("https://city.opendatasoft.com/api/")

    with pytest.raises(NotIntercepted, match=r"a call to the platform .* through aiohttp"):
        asyncio.run(with_aiohttp())
    assert requests.get(f"{live.url}/_sim/health").json() == {"status": "ok"}  # loopback


def test_aiohttp_is_intercepted_too() -> None:
    async def client() -> tuple[int, dict, int]:
        async with aiohttp.ClientSession(headers=KEY) as session:
            async with session.post(f"{URL}/datasets", data='{"dataset_id": "trees"}') as made:
                uid = (await made.json())["dataset_uid"]
            async with session.put(f"{URL}/datasets/{uid}/publish") as published:
                assert published.status == 200
            await asyncio.sleep(0)
            async with session.get(f"{URL}/datasets/{uid}/status") as status:
                return made.status, await status.json(), status.status

    with intercept() as ods, ods.virtual_sleep():
        made, status, code = asyncio.run(client())
        assert (made, code, status["name"]) == (200, 200, "processing")
        ods.requests.assert_order(["POST */datasets", "PUT */publish", "GET */status"])
        ods.run_until_idle()
        assert ods.status("trees") == "idle"


def test_aiohttp_meets_transport_faults_on_a_real_connection() -> None:
    async def fetch() -> int:
        async with (
            aiohttp.ClientSession(headers=KEY) as session,
            session.get(f"{URL}/datasets") as answer,
        ):
            return answer.status

    with intercept() as ods:
        reset = {"type": "http", "path": "/api/*", "transport": "reset"}
        with ods.inject(reset), pytest.raises(aiohttp.ClientError):
            asyncio.run(fetch())
        assert asyncio.run(fetch()) == 200
