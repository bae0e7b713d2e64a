"""Loading scenarios over the control API; script results, fault log, exports, samples."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]
ROOT = Path(__file__).resolve().parents[2]

SCRIPTED = """
seed: 3
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1000}]}
faults:
  - {type: record_errors, dataset: trees, count: 5, field: height}
script:
  - {at: 10, action: publish, dataset: trees}
  - {at: 12, action: publish, dataset: trees}
  - {at: 60, expect: {dataset: trees, status: idle, published: true, records_errors: 5}}
  - {at: 60, expect: {dataset: trees, records: 999}}
"""


def test_a_scenario_sent_as_yaml_replaces_the_world(client: FlaskClient) -> None:
    r = client.put("/_sim/scenario", data=SCRIPTED, headers={"Content-Type": "application/x-yaml"})
    assert r.status_code == 200
    summary = r.get_json()
    assert (summary["name"], summary["seed"], summary["datasets"], summary["script_steps"]) == (
        "<request>",
        3,
        1,
        4,
    )
    listed = client.get(f"{API}/datasets", headers=AUTH).get_json()
    assert [d["dataset_id"] for d in listed["datasets"]] == ["trees"]
    assert client.get("/_sim/scenario").get_json()["text"] == SCRIPTED


def test_a_refused_scenario_says_where_and_changes_nothing(make_client: Make) -> None:
    c = make_client("datasets: [{dataset_id: keep}]")
    r = c.put("/_sim/scenario", data="platform:\n  wrokers: 3\n")
    assert r.status_code == 400
    error = r.get_json()
    assert error["error_key"] == "InvalidScenarioException"
    assert error["message"] == (
        "<request>:2: platform.wrokers: unknown key (did you mean 'workers'?); "
        "known: workers, license, stages, domain_id, minute_level_schedules"
    )
    assert error["raw_params"]["line"] == 2
    listed = c.get(f"{API}/datasets", headers=AUTH).get_json()
    assert [d["dataset_id"] for d in listed["datasets"]] == ["keep"]


def test_the_script_plays_as_time_is_advanced_and_reports_each_step(client: FlaskClient) -> None:
    client.put("/_sim/scenario", data=SCRIPTED)
    assert client.get("/_sim/script").get_json()["results"] == []
    client.post("/_sim/clock/advance", json={"seconds": 11})
    status = client.get(f"{API}/datasets/da_trees1/status", headers=AUTH).get_json()
    assert status["name"] == "processing"
    client.post("/_sim/clock/advance", json={"seconds": 100})
    script = client.get("/_sim/script").get_json()
    assert (script["steps"], script["done"], script["failed"]) == (4, True, 1)
    first, second, third, fourth = script["results"]
    assert first["ok"] and first["job_id"]
    assert not second["ok"]
    assert second["error"]["error_key"] == "InvalidDatasetStatusPreconditionException"
    assert third["ok"]
    assert fourth["expect"] == {"records": 999}
    assert fourth["actual"]["records"] == 1000
    assert not fourth["ok"]


def test_reset_replays_the_loaded_scenario_from_zero(client: FlaskClient) -> None:
    client.put("/_sim/scenario", data=SCRIPTED)
    client.post("/_sim/clock/advance", json={"seconds": 100})
    first = client.get("/_sim/timeline").get_json()
    client.post("/_sim/reset")
    assert client.get("/_sim/timeline").get_json() == []
    client.post("/_sim/clock/advance", json={"seconds": 100})
    assert client.get("/_sim/timeline").get_json() == first


def test_the_fault_log_lists_what_was_injected(client: FlaskClient) -> None:
    client.put("/_sim/scenario", data=SCRIPTED)
    client.post("/_sim/clock/advance", json={"seconds": 100})
    assert client.get("/_sim/faults").get_json() == [
        {
            "t": 35.0,
            "kind": "record_errors",
            "target": "trees",
            "stage": "processing_all_dataset_data",
            "count": 5,
        }
    ]


def test_the_timeline_exports_as_ndjson_csv_and_a_table(client: FlaskClient) -> None:
    client.put("/_sim/scenario", data=SCRIPTED)
    client.post("/_sim/clock/advance", json={"seconds": 100})
    as_json = client.get("/_sim/timeline").get_json()
    nd = client.get("/_sim/timeline?format=ndjson")
    assert nd.mimetype == "application/x-ndjson"
    assert [json.loads(line) for line in nd.get_data(as_text=True).splitlines()] == as_json
    by_accept = client.get("/_sim/timeline", headers={"Accept": "text/csv"})
    assert by_accept.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(by_accept.get_data(as_text=True))))
    assert [(r["from"], r["to"]) for r in rows] == [(e["from"], e["to"]) for e in as_json]
    table = client.get("/_sim/timeline?format=table&dataset=trees&since=10&until=15").get_data(
        as_text=True
    )
    assert "idle -> queued" in table and "-> idle" not in table
    assert client.get("/_sim/timeline?format=xml").status_code == 400


def test_sample_records_are_seeded_and_follow_the_resource_fields(client: FlaskClient) -> None:
    text = """
seed: 5
datasets:
  - dataset_id: people
    resources:
      - {records: 3, fields: {who: name, where: city, when: date}}
      - {records: 100}
"""
    client.put("/_sim/scenario", data=text)
    body = client.get("/_sim/datasets/people/records?rows=5").get_json()
    records = body["records"]
    assert len(records) == 5
    assert set(records[0]) == {"resource_uid", "who", "where", "when"}
    assert set(records[4]) == {"resource_uid", "id", "name", "city", "date", "value"}
    again = client.get(f"/_sim/datasets/{body['dataset_uid']}/records?rows=5").get_json()
    assert again["records"] == records
    assert client.get("/_sim/datasets/nobody/records").status_code == 404
    assert client.get("/_sim/datasets/people/records?rows=5000").status_code == 400


def test_loaded_scenarios_keep_the_servers_overrides(make_client: Make) -> None:
    c = make_client(workers=5)
    c.put("/_sim/scenario", data="platform: {workers: 1}\nclock: {mode: realtime}")
    clock = c.get("/_sim/clock").get_json()
    assert (clock["workers"], clock["mode"]) == (5, "manual")


def test_every_library_scenario_loads_over_the_control_api(client: FlaskClient) -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        r = client.put("/_sim/scenario", data=path.read_bytes())
        assert r.status_code == 200, (path.name, r.get_json())
