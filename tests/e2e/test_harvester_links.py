"""What links a harvester and its datasets where the simulator shows them: the dataset
object's ``metas.publishing.harvester``, the dashboard's harvester lanes, and the jobs
list, which holds dataset jobs only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from tests.conftest import Live, call
from tests.e2e.test_harvesters import WORLD, wait_idle

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD + "datasets: [{dataset_id: own, dataset_uid: da_own001}]\n")


def harvest(live: Live) -> None:
    assert call(live.http, "PUT", f"{live.api}/harvesters/nachbar-portal/start/").status_code == 200
    wait_idle(live, f"{live.api}/harvesters/nachbar-portal/")


def test_a_harvested_dataset_names_its_harvester_in_its_publishing_metas(live: Live) -> None:
    api = live.api
    before = live.http.get(f"{api}/datasets/da_own001", timeout=10).json()
    assert before["metas"]["publishing"] == {"published": False}
    harvest(live)
    listed = live.http.get(f"{api}/datasets/?rows=100", timeout=10).json()["datasets"]
    publishing = {d["dataset_uid"]: d["metas"]["publishing"] for d in listed}
    assert publishing.pop("da_own001") == {"published": False}  # not harvested: as before
    assert len(publishing) == 4
    assert all(
        p == {"published": False, "harvester": "Nachbar Portal"} for p in publishing.values()
    )
    uid = next(iter(publishing))
    one = live.http.get(f"{api}/datasets/{uid}/", timeout=10).json()
    assert one["metas"]["publishing"]["harvester"] == "Nachbar Portal"
    # the name as it is now; a client sending the metas back changes nothing
    renamed = {"name": "Portail voisin"}
    assert call(live.http, "PUT", f"{api}/harvesters/nachbar-portal", renamed).status_code == 200
    r = call(live.http, "PUT", f"{api}/datasets/{uid}/", {"metas": one["metas"]})
    assert r.status_code == 200, r.text
    assert r.json()["metas"]["publishing"] == {"published": False, "harvester": "Portail voisin"}
    # deleted keeping its datasets: they are ordinary datasets from then on
    r = live.http.delete(f"{api}/harvesters/nachbar-portal/?delete_attached_datasets=false")
    assert r.status_code == 204
    after = live.http.get(f"{api}/datasets/{uid}", timeout=10).json()
    assert after["metas"]["publishing"] == {"published": False}


def test_harvests_are_not_dataset_jobs(live: Live) -> None:
    harvest(live)
    moves = requests.get(
        f"{live.url}/_sim/timeline", params={"harvester": "nachbar-portal"}, timeout=10
    ).json()
    job_id = moves[0]["job_id"]
    jobs = live.http.get(f"{live.api}/jobs/", timeout=10)
    assert jobs.status_code == 200
    assert job_id not in jobs.text
    r = live.http.get(f"{live.api}/jobs/{job_id}/", timeout=10)
    assert r.status_code == 404


def test_the_dashboard_has_a_lane_per_harvester_only_where_there_are_harvesters(
    live: Live, make_live: MakeLive
) -> None:
    plain = make_live("datasets: [{dataset_id: own}]")
    assert "harvesters" not in requests.get(f"{plain.url}/_sim/dashboard", timeout=10).json()
    lanes = requests.get(f"{live.url}/_sim/dashboard", timeout=10).json()["harvesters"]
    assert [(h["harvester_id"], h["name"], h["status"]) for h in lanes] == [
        ("nachbar-portal", "Nachbar Portal", "new")
    ]
    assert lanes[0]["datasets"] == [] and lanes[0]["moves"] == []
    harvest(live)
    lane = requests.get(f"{live.url}/_sim/dashboard", timeout=10).json()["harvesters"][0]
    assert lane["status"] == "idle"
    moves = requests.get(
        f"{live.url}/_sim/timeline", params={"harvester": "nachbar-portal"}, timeout=10
    ).json()
    assert lane["moves"] == moves
    listed = live.http.get(f"{live.api}/datasets/?rows=100", timeout=10).json()["datasets"]
    harvested = [
        {"dataset_uid": d["dataset_uid"], "dataset_id": d["dataset_id"]}
        for d in listed
        if "harvester" in d["metas"]["publishing"]
    ]
    assert lane["datasets"] == harvested and len(harvested) == 4
