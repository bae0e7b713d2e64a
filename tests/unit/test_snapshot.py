"""Snapshots: a world saved and replayed is the same world, and goes on the same way."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from simulator.api.automation.attachment_surface import AttachmentsV1
from simulator.api.automation.governance_surface import Governance
from simulator.api.automation.resource_surface import ResourcesV1
from simulator.api.automation.surface import AutomationV1
from simulator.api.management.render import Ask
from simulator.cli import main
from simulator.domain.errors import InvalidSnapshot, SnapshotUnavailable, StateFileError
from simulator.scenario.loading import Scenario, default_user
from simulator.service import statefile
from simulator.service.commands import Body, ConnectionFields
from simulator.service.journal import INJECT, MUTATIONS
from tests.conftest import FakeWall, scenario_from
from tests.facade import Simulated

KEY = "ods-sim-admin-key"
EXPRESSION = {"name": "expression", "args": {"output_field": "x", "expression": "=name & '!'"}}

#: Faults of every kind the snapshot must carry: HTTP faults drawing from their seeded
#: generator and adding latency, an outage, record errors, a failure that fires once.
FAULTY = """
seed: 7
platform:
  workers: 2
  stages:
    processing_all_dataset_data: {base: 10, rate: 100, jitter: 0.2}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ed, password: ed, permissions: [edit_dataset, publish_dataset]}
groups:
  - {group_id: editors, title: Editors, permissions: [create_dataset], usernames: [ed]}
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    published: true
    resources:
      - {title: trees.csv, records: 2000, fields: {name: name, height: float}}
      - {title: feed, type: realtime, url: "realtime://feed", records: 5}
  - {dataset_id: bikes, dataset_uid: da_bikes1, resources: [{records: 3000}]}
  - dataset_id: cars
    dataset_uid: da_cars01
    resources: [{records: 800}]
    feedbacks:
      - {record_id: r1, comment: "Wrong colour", ago: 60}
      - {uid: df_kept01, record_id: r2, user: ed, comment: "Misspelt"}
faults:
  - {type: http, path: "/api/management/v2/datasets*", probability: 0.5, latency: 1.5}
  - {type: http, path: "/api/management/v2/jobs", nth: [2], status: 503}
  - {type: worker_outage, from: 20, until: 90, workers: 1}
  - {type: record_errors, dataset: trees, rate: 0.01, field: height}
  - {type: processing_error, dataset: bikes, times: 1, at_fraction: 0.5}
script:
  - {at: 5, action: publish, dataset: cars}
  - {at: 40, expect: {dataset: cars, status: processing}}
  - {at: 400, expect: {dataset: cars, status: idle, published: true}}
"""


def restored(sim: Simulated, **kwargs: Any) -> Simulated:
    """A new simulator from ``sim``'s snapshot, through its text."""
    return Simulated.from_snapshot(statefile.parse(sim.snapshot(), "<test>"), **kwargs)


def everything(sim: Simulated) -> dict[str, Any]:
    """All a client or a test can see of a world, through the facade."""
    admin = sim.store.users[sim.scenario.users[0].username]
    fine = Ask("fine", frozenset({"status", "changes", "metadata"}))
    per_dataset = {
        uid: [
            sim.get_dataset(admin, uid, fine),
            sim.records_errors(admin, uid),
            sim.list_resources(admin, uid),
            sim.list_processors(admin, uid),
            sim.list_field_specs(admin, uid),
            sim.list_rulesets(admin, uid),
            sim.list_group_rulesets(admin, uid),
            sim.get_default_security(admin, uid),
            sim.list_changes(admin, uid, fine),
            sim.list_versions(admin, uid, fine),
            sim.list_metadata(admin, uid),
            sim.list_attached(admin, uid, "attachments"),
            sim.list_attached(admin, uid, "alternative_exports"),
            sim.simulator.schedules.list(admin, uid),
            sim.simulator.feedbacks.list(admin, uid, archived=True),
            sim.simulator.feedbacks.list(admin, uid),
        ]
        for uid in sim.store.datasets
    }
    dashboard = sim.dashboard()
    del dashboard["generation"]  # counts rebuilds of this process's world
    return {
        "clock": sim.clock_state(),
        "timeline": sim.timeline(),
        "datasets": per_dataset,
        "jobs": sim.list_jobs(admin, Ask("fine")),
        "files": {f: sim.get_file(admin, f, fine) for f in sim.store.files},
        "listed files": sim.list_files(admin, fine),
        "pages": sim.list_pages(admin, fine, rows=100),
        "harvesters": sim.list_harvesters(admin),
        "script": sim.script_results(),
        "faults": sim.fault_log(),
        "dashboard": dashboard,
        "users": sim.list_users(admin, rows=100),
        "groups": {g: sim.list_members(admin, g, rows=100) for g in sim.store.groups},
        "listed groups": sim.list_groups(admin),
        "keys": sim.list_api_keys(admin),
        "journal": list(sim.journal.lines()),
        "fault rules": sim.simulator.fault_rules.rules(),
    }


def busy_day(sim: Simulated) -> None:
    """Changes of every area, with time moving in between, ending with jobs half-way."""
    admin, ed = sim.store.users["admin"], sim.store.users["ed"]
    for _ in range(6):  # HTTP faults: counters, seeded draws, latency
        sim.admit("GET", "/api/management/v2/datasets", KEY, None, None)
    sim.admit("GET", "/api/management/v2/jobs", KEY, None, None)
    sim.admit("GET", "/api/management/v2/jobs", KEY, None, None)
    sim.act(admin, "da_trees1", "publish")
    sim.act(ed, "da_bikes1", "publish")
    sim.advance(3)
    made = sim.create_dataset(admin, {"metas": {"default": {"title": "New ones"}}}, Ask())
    uid = made["dataset_uid"]
    upload = sim.upload_file(admin, "a.csv", "text/csv", b"name,height\nx,1\ny,2\n", Ask())
    sim.create_resource(admin, uid, {"url": f"odsfile://{upload['filename']}"})
    sim.set_metadata(admin, uid, "default", "description", {"value": "Some rows"})
    processor = sim.create_processor(admin, uid, EXPRESSION)
    replaced = {"name": "string_replace", "label": "Keep", "args": {"all_fields": "true"}}
    sim.replace_processor(admin, uid, processor["processor_uid"], replaced)
    sim.create_ruleset(admin, uid, {"user": {"username": "ed"}})
    sim.set_access_policy(admin, uid, "restricted")
    sim.restore_change(admin, uid, {"change_uid": 2}, Ask())
    sim.advance_to_next_event()
    sim.act(admin, uid, "publish")
    sim.run_until_idle()
    sim.update_dataset(admin, uid, {"metas": {"default": {"keyword": ["a"]}}}, Ask())
    resource = next(iter(sim.store.datasets[uid].resources))
    sim.replace_resource(admin, uid, resource, {"url": "https://x.test/a.csv", "records": 9})
    extra = sim.create_resource(admin, uid, {"url": "https://x.test/b.csv", "records": 1})
    sim.delete_resource(admin, uid, extra["resource_uid"])
    sim.reset_metadata(admin, uid, "default", "description")
    bulk = [{"template_name": "default", "metadata_name": "title", "value": "Renamed"}]
    sim.set_metadata_bulk(admin, uid, {"metas": bulk})
    again = sim.create_processor(admin, uid, EXPRESSION)
    rename = {"from_name": "height", "to_name": "tall", "label": "Tall"}
    spec = sim.create_field_spec(admin, uid, {"name": "rename", "args": rename})
    facet = {"field": "name", "annotation": "facet"}
    sim.replace_field_spec(admin, uid, spec["processor_uid"], {"name": "annotate", "args": facet})
    order = sim.create_field_spec(admin, uid, {"name": "order", "args": ["height", "name"]})
    sim.delete_field_spec(admin, uid, order["processor_uid"])
    sim.delete_processor(admin, uid, again["processor_uid"])
    sim.replace_ruleset(admin, uid, "ed", {"user": {"username": "ed"}, "is_data_visible": False})
    sim.delete_ruleset(admin, uid, "ed")
    sim.create_group_ruleset(admin, uid, {"group": {"group_id": "editors"}})
    sim.replace_group_ruleset(admin, uid, "editors", {"permissions": ["edit_dataset"]})
    sim.set_default_security(admin, uid, {"is_data_visible": "false", "visible_fields": []})
    sim.create_dataset(ed, {"dataset_id": "by-a-member"}, Ask())  # the group's create_dataset
    sim.create_group_ruleset(admin, "da_bikes1", {"group_id": "editors"})
    sim.delete_group_ruleset(admin, "da_bikes1", "editors")
    sim.set_default_security(admin, "da_bikes1", {"filter_query": "height > 2"})
    sim.reset_default_security(admin, "da_bikes1")
    attached = sim.attach(admin, uid, "attachments", {"url": upload["url"]})
    sim.attach_upload(admin, uid, "alternative_exports", "b.zip", None, b"PK")
    sim.attach(admin, uid, "alternative_exports", {"url": "https://x.test/b.zip"})
    sim.detach(admin, uid, "attachments", attached["attachment_uid"])
    sim.datasets.copy_dataset(admin, uid)  # resources, processors, security, exports
    automation = AutomationV1(sim.simulator)
    rules = {"filter_query": "height > 1", "api_calls_quota": {"unit": "day", "limit": 5}}
    automation.update_dataset(admin, "da_cars01", {"default_security": rules})
    automation.create_dataset(admin, {"default_security": {"visible_fields": None}})
    _automation_configuration(automation, admin, uid)
    _automation_governance(sim, admin, uid)
    exports = AttachmentsV1(sim.simulator)
    made = exports.create_export(
        admin, uid, {"title": "T", "type": "uploaded_file"}, ("c.csv", b"a\n1\n", None)
    )
    exports.update_export(admin, uid, made["uid"], {"title": "T2", "type": "uploaded_file"})
    ResourcesV1(sim.simulator).create_resource(
        admin,
        uid,
        {"type": "http", "connection": {"url": "https://x.test"}, "relative_url": "a.json"},
    )
    sim.realtime_action(admin, "da_trees1", _realtime(sim), "recover")
    for enabled in (False, True):
        ResourcesV1(sim.simulator).set_push(admin, "da_trees1", _realtime(sim), enabled)
    sim.act_as_first_user("cars", "save_version")
    gone = sim.create_dataset(admin, {"dataset_id": "gone"}, Ask(), strict=True)
    sim.delete_dataset(admin, gone["dataset_uid"])
    sim.create_page(admin, {"slug": "about", "title": {"en": "About"}, "restricted": "true"})
    sim.create_page(admin, {"slug": "news", "tags": ["a"]})
    sim.update_page(admin, "about", {"content": {"html": {"en": "<p>Hi</p>"}}})
    sim.delete_page(admin, "news")
    sim.create_page(admin, {"slug": "old"})
    sim.delete_pages(admin, [{"slug": "old"}])
    sim.create_page_ruleset(admin, "about", "user", {"user": {"username": "ed"}})
    sim.replace_page_ruleset(admin, "about", "group", "editors", {"permissions": ["edit_page"]})
    sim.delete_page_ruleset(admin, "about", "user", "ed")
    sim.run_until_idle()
    sim.act(admin, "da_trees1", "publish")
    sim.push(admin, "da_trees1", _realtime(sim), [{"a": 1}, {"a": 2}])  # buffered: a job runs
    _people(sim, admin)
    _harvesters(sim, admin)
    _fault_rules(sim)
    sim.advance(12)  # the publish is half-way through its records


def _automation_configuration(automation: AutomationV1, admin: Any, uid: str) -> None:
    """The Automation API's own changes of a dataset's configuration."""
    automation.set_metadata_field(admin, uid, "custom", "colour", {"value": {"a": [1]}})
    automation.set_metadata_field(admin, uid, "default", "license_id", {"value": "cc-by"})
    automation.delete_metadata_field(admin, uid, "custom", "colour")
    automation.replace_template_metadata(admin, uid, "dcat", {"creator": {"value": "Parks"}})
    whole = automation.all_metadata(admin, uid)
    whole["admin"] = {"note": {"value": "kept", "override_remote_value": True}}
    automation.replace_all_metadata(admin, uid, whole)
    rename = {"type": "rename", "label": "R", "from_name": "a", "to_name": "b", "field_label": "B"}
    made = automation.create_field_configuration(admin, uid, rename)
    automation.update_field_configuration(admin, uid, made["uid"], {**rename, "label": "S"})


def _automation_governance(sim: Simulated, admin: Any, uid: str) -> None:
    """Dataset schedules (one left armed) and feedbacks, as the Automation API changes them."""
    governance = Governance(sim.simulator)
    made = governance.create_schedule(admin, "da_cars01", {"cron_schedule": "0 4 * * *"})
    governance.update_schedule(admin, "da_cars01", made["uid"], {"cron_schedule": "0 2 * * *"})
    gone = governance.create_schedule(admin, uid, {"cron_schedule": "0 5 * * *"})
    governance.delete_schedule(admin, uid, gone["uid"])
    governance.archive_feedback(admin, "da_cars01", "df_kept01")


def _harvesters(sim: Simulated, admin: Any) -> None:
    """Harvesters: every change of theirs, the last harvest still running."""
    sim.create_harvester(admin, {"fetcher": "ods", "name": "Neighbour"})
    sim.update_harvester(admin, "neighbour", {"params": {"domain_id": "x.example.org"}})
    sim.act_on_harvester(admin, "neighbour", "start")
    sim.advance(60)
    sim.act_on_harvester(admin, "neighbour", "publish")
    sim.create_harvester(admin, {"fetcher": "wfs", "name": "Short-lived"})
    sim.delete_harvester(admin, "short-lived", "1")
    sim.create_harvester(admin, {"fetcher": "ods", "name": "Aborted"})
    sim.update_harvester(admin, "aborted", {"params": {"domain_id": "z.example.org"}})
    sim.act_on_harvester(admin, "aborted", "start")
    aborted = sim.store.harvesters["aborted"]
    for _ in range(100):  # until a worker takes it
        if aborted.status == "processing":
            break
        sim.advance(5)
    sim.simulator.harvesters.abort_harvester(admin, "aborted")  # the Automation API's
    sim.create_harvester(admin, {"fetcher": "ods", "name": "Second"})
    sim.update_harvester(admin, "second", {"params": {"domain_id": "y.example.org"}})
    sim.act_on_harvester(admin, "second", "start")
    connections = sim.simulator.connections
    made = connections.create_connection(
        admin, Body.of(ConnectionFields(type="ftp", url="ftp://f.org", given=["type", "url"]))
    )
    changed = ConnectionFields(is_reusable="false", given=["is_reusable"])
    connections.update_connection(admin, made.uid, Body.of(changed))
    other = connections.create_connection(
        admin, Body.of(ConnectionFields(type="sharepoint", given=["type"]))
    )
    connections.delete_connection(admin, other.uid)


def _people(sim: Simulated, admin: Any) -> None:
    """Users, groups and API keys: every change of theirs."""
    sim.invite_users(admin, {"emails": ["fay@example.org", "gus@example.org"]})
    sim.update_user(admin, "fay", {"permissions": ["edit_page"], "group_ids": ["editors"]})
    sim.delete_user(admin, "gus")
    sim.create_group(admin, {"title": "Keepers", "permissions": ["edit_dataset"]})
    sim.update_group(admin, "keepers", {"title": "Park keepers"})
    sim.add_members(admin, "keepers", {"usernames": ["fay", "ed"]})
    sim.remove_member(admin, "keepers", "ed")
    sim.create_group(admin, {"title": "Short-lived"})
    sim.delete_group(admin, "short-lived")
    key = sim.create_api_key(admin, {"label": "ci"})["key"]
    sim.update_api_key(admin, key, {"permissions": ["edit_dataset"]})
    other = sim.create_api_key(admin, None)["key"]
    sim.delete_api_key(admin, other)


def _fault_rules(sim: Simulated) -> None:
    rules = sim.simulator.fault_rules
    rules.add_fault({"type": "http", "path": "/api/management/v2/jobs", "status": 503})
    slow = rules.add_fault({"type": "slow_stage", "factor": 1.5})
    rules.remove_fault(slow["id"])
    rules.remove_added_faults()
    rules.add_fault({"type": "http", "path": "/api/*/x", "status": 500, "nth": [2, 3]})


def _realtime(sim: Simulated) -> str:
    ds = sim.store.datasets["da_trees1"]
    return next(uid for uid, r in ds.resources.items() if r.type == "realtime")


def test_a_restored_world_is_the_same_and_goes_on_the_same() -> None:
    sim = Simulated(scenario_from(FAULTY))
    busy_day(sim)
    journal = [json.loads(line) for line in sim.journal.lines()]
    assert {line[1] for line in journal} == {*MUTATIONS, INJECT}, "every kind of change is here"
    compact = [json.dumps(line, separators=(",", ":")) for line in journal]
    assert compact == sim.journal.lines()  # each line as the JSON encoder writes it
    assert {f["kind"] for f in sim.fault_log()} == {
        "http",
        "worker_outage",
        "record_errors",
        "processing_error",
    }
    copy = restored(sim)
    assert everything(copy) == everything(sim)
    for world in (sim, copy):  # the same requests from here: the same futures
        for _ in range(4):
            world.admit("GET", "/api/management/v2/datasets/x", KEY, None, None)
        world.run_until_idle()
        world.advance(500)
    assert everything(copy) == everything(sim)
    assert sim.script_results()["failed"] == 0


def test_a_job_snapshotted_half_way_ends_when_it_would_have() -> None:
    text = "datasets: [{dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 5000}]}]"
    plain, saved = Simulated(scenario_from(text)), Simulated(scenario_from(text))
    for sim in (plain, saved):
        sim.act(sim.store.users["admin"], "da_aaaaaa", "publish")
        sim.advance(20)
    copy = restored(saved)
    assert copy.dashboard()["datasets"][0]["job"]["records_done"] == 500
    plain.run_until_idle()
    copy.run_until_idle()
    assert copy.timeline() == plain.timeline()
    assert copy.timeline()[-1]["t"] == 65  # 5 + 10 + 5000 / 100
    assert copy.clock_state()["now"] == plain.clock_state()["now"]


def test_realtime_resumes_from_the_saved_time_not_the_wall_clock() -> None:
    text = "datasets: [{dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 1000}]}]"
    wall = FakeWall()
    sim = Simulated(scenario_from(text, clock_mode="realtime", speed=10), wall=wall)
    sim.act(sim.store.users["admin"], "da_aaaaaa", "publish")
    wall.t = 1.25
    document = statefile.parse(sim.snapshot(), "<test>")
    later = FakeWall(1000.0)  # the process restarts much later
    copy = Simulated.from_snapshot(document, wall=later)
    clock = copy.clock_state()
    assert (clock["now"], clock["mode"], clock["speed"]) == (12.5, "realtime", 10)
    later.t += 1.0
    assert copy.clock_state()["now"] == 22.5
    assert copy.timeline() == sim.timeline()


def test_resets_and_loaded_scenarios_start_the_journal_again() -> None:
    sim = Simulated(scenario_from(FAULTY))
    admin = sim.store.users["admin"]
    sim.act(admin, "da_cars01", "publish")
    sim.reset()
    assert len(sim.journal) == 0
    sim.load_scenario("seed: 3\ndatasets: [{dataset_id: z, resources: [{records: 10}]}]\n")
    z = sim.store.dataset_by_id("z")
    assert z is not None
    sim.act(sim.store.users["admin"], z.dataset_uid, "publish")
    sim.advance(4)
    document = json.loads(sim.snapshot())
    assert document["scenario"]["source"] == "<request>"
    assert len(document["journal"]) == 1
    assert everything(restored(sim)) == everything(sim)


def test_command_line_settings_are_kept_for_scenarios_loaded_later() -> None:
    sim = Simulated(scenario_from(""), overrides={"workers": 5, "seed": 9})
    copy = restored(sim)
    copy.load_scenario("datasets: []\n")
    assert (copy.scenario.platform.workers, copy.scenario.seed) == (5, 9)


def test_refusals_and_reads_leave_the_journal_alone() -> None:
    sim = Simulated(scenario_from(FAULTY))
    admin = sim.store.users["admin"]
    with pytest.raises(Exception, match="Unknown dataset"):
        sim.act(admin, "da_nothere", "publish")
    with pytest.raises(Exception, match="dataset_id"):
        sim.create_dataset(admin, {"dataset_id": "no spaces"}, Ask())
    sim.list_datasets(admin, Ask())
    sim.timeline()
    sim.admit("GET", "/_sim/nothing-matches", KEY, None, None)
    assert len(sim.journal) == 0


def test_each_change_is_one_line_with_its_time_and_readable_arguments() -> None:
    sim = Simulated(scenario_from(FAULTY))
    admin = sim.store.users["admin"]
    sim.advance(2.5)
    sim.upload_file(admin, "b.csv", None, b"a\n1\n", Ask())
    sim.act(admin, "da_cars01", "publish")
    assert [json.loads(line) for line in sim.journal.lines()] == [
        [
            2.5,
            "upload_file",
            {"user": "admin", "filename": "b.csv", "mimetype": None, "content": "YQoxCg=="},
        ],
        [2.5, "act", {"user": "admin", "dataset_uid": "da_cars01", "action": "publish"}],
    ]


def test_any_credentials_is_kept() -> None:
    sim = Simulated(scenario_from(""))
    sim.any_credentials = True
    assert restored(sim).authenticate("not-a-real-key").username == "admin"


def test_a_world_the_journal_cannot_replay_is_not_snapshotted() -> None:
    sim = Simulated(Scenario(users=(default_user(),)))  # built in code: no text
    with pytest.raises(SnapshotUnavailable, match="built in code"):
        sim.snapshot()
    sim = Simulated(scenario_from("datasets: [{dataset_id: a}]"))
    admin = sim.store.users["admin"]
    uid = sim.store.dataset_by_id("a").dataset_uid  # type: ignore[union-attr]
    sim.set_access_policy(admin, uid, "restricted")
    odd = {"url": "https://x.test/a.csv", "records": 1, "params": {"note": {1, 2}}}  # a set
    sim.create_resource(admin, uid, odd)
    with pytest.raises(SnapshotUnavailable, match="create_resource was given arguments"):
        sim.snapshot()
    sim.reset()
    assert json.loads(sim.snapshot())["journal"] == []


# refusals ---------------------------------------------------------------------------


def test_a_state_file_written_before_groups_still_loads() -> None:
    """Written by the simulator before groups, group rulesets and the default ruleset."""
    path = Path(__file__).resolve().parents[2] / "fixtures" / "snapshots"
    text = (path / "written-before-groups.json").read_text(encoding="utf-8")
    assert '"groups"' not in text and '"base"' in text, "a base and a journal, both older"
    sim = Simulated.from_snapshot(statefile.parse(text, "written-before-groups.json"))
    admin = sim.store.users["admin"]
    fresh = sim.store.dataset_by_id("fresh")
    assert fresh is not None and len(sim.list_changes(admin, fresh.dataset_uid, Ask())) == 7
    assert sim.list_rulesets(admin, fresh.dataset_uid)[0]["is_data_visible"] is True
    assert sim.get_default_security(admin, fresh.dataset_uid)["visible_fields"] == ["*"]
    assert sim.store.groups == {}
    sim.set_default_security(admin, fresh.dataset_uid, {"filter_query": "x > 1"})
    assert everything(restored(sim)) == everything(sim)


def test_a_file_that_is_not_a_snapshot_is_refused_clearly() -> None:
    good = Simulated(scenario_from(FAULTY))
    good.act(good.store.users["admin"], "da_cars01", "publish")
    text = good.snapshot()
    document = json.loads(text)
    cases: list[tuple[Any, str]] = [
        (b"\xff\xfe", "not UTF-8 text"),
        ("{not json", "not JSON (Expecting property name"),
        (text[: len(text) // 2], "not JSON"),  # a torn write, were writes not atomic
        ("[]", "not a simulator snapshot"),
        ({**document, "version": 99}, "format version 99 is not one this simulator reads"),
        ({**document, "journal": {}}, "'journal' is missing or not a JSON array"),
        ({**document, "scenario": {"text": "platform: {wrokers: 2}", "source": "s.yaml"}},
         "its scenario does not load: s.yaml:1: platform.wrokers: unknown key"),
        ({**document, "settings": {"workers": -1}}, "'settings.workers' has a value"),
        ({**document, "clock": {**document["clock"], "mode": "fast"}}, "'clock.mode' must be"),
    ]  # fmt: skip
    for raw, problem in cases:
        data = raw if isinstance(raw, (str, bytes)) else json.dumps(raw)
        with pytest.raises(InvalidSnapshot) as caught:
            statefile.parse(data, "state.json")
        assert caught.value.message.startswith("state.json: "), raw
        assert problem in caught.value.message, caught.value.message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 72 levels"),
        ('{"format": "ods-simulator-snapshot", "version": ' + "9" * 400 + "}", "400 digits"),
        ('{"clock": {"now": ' + "1" * 5000 + "}}", "5000 digits"),
        ('{"clock": {"now": NaN}}', "NaN is not a JSON value"),
    ],
    ids=["deep", "400-digits", "5000-digits", "nan"],
)
def test_a_state_file_past_the_bounds_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    path = tmp_path / "state.json"
    path.write_text(text, encoding="utf-8")
    assert main(["--state-file", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: not JSON") and problem in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda d: d["state"]["datasets"][2].update(status="idle"),
            "the replayed world is not the one saved, at state.datasets[2].status: "
            'saved "idle", replayed "processing_dataset"',
        ),
        (lambda d: d["journal"].pop(), "at state.counts.jobs: saved 2, replayed 1"),
        (
            lambda d: d["journal"].append([9, "act", {"user": "admin"}]),
            "journal[2]: act at t=9: missing argument 'action', 'dataset_uid'",
        ),
        (lambda d: d["journal"].append([9, "format_disk", {}]), "unknown operation 'format_disk'"),
        (lambda d: d["journal"].insert(0, [99, "reset", {}]), "unknown operation 'reset'"),
        (lambda d: d["journal"][1].__setitem__(0, -1), "act at -1: expected a time from 0 on"),
        (
            lambda d: d["journal"][1][2].update(user="mallory"),
            "no user 'mallory' in the scenario",
        ),
        (
            lambda d: d["journal"][1][2].update(dataset_uid="da_gone00"),
            "act at t=4 was refused on replay: Unknown dataset: da_gone00",
        ),
    ],
)
def test_an_edited_snapshot_fails_the_replay_or_its_check(edit: Any, problem: str) -> None:
    sim = Simulated(scenario_from(FAULTY))
    admin = sim.store.users["admin"]
    sim.act(admin, "da_cars01", "publish")
    sim.advance(4)
    sim.act(admin, "da_bikes1", "publish")
    document = json.loads(sim.snapshot())
    edit(document)
    with pytest.raises(InvalidSnapshot) as caught:
        Simulated.from_snapshot(statefile.check(document, "s.json"))
    assert problem in caught.value.message, caught.value.message


def test_a_refused_restore_leaves_the_running_world_as_it_was() -> None:
    sim = Simulated(scenario_from(FAULTY))
    busy_day(sim)
    before = everything(sim)
    document = json.loads(sim.snapshot())
    document["state"]["counts"]["jobs"] += 1
    with pytest.raises(InvalidSnapshot, match=r"state\.counts\.jobs"):
        sim.restore_snapshot(document)
    assert everything(sim) == before


def test_a_restore_in_place_replaces_the_world() -> None:
    source = Simulated(scenario_from(FAULTY))
    busy_day(source)
    target = Simulated(scenario_from("datasets: [{dataset_id: other}]"))
    answer = target.restore_snapshot(json.loads(source.snapshot()))
    assert answer["operations"] == len(source.journal)
    assert everything(target) == everything(source)


# the file --------------------------------------------------------------------------------


def test_saves_replace_the_file_whole_and_leave_nothing_behind(tmp_path: Path) -> None:
    sim = Simulated(scenario_from(FAULTY))
    sim.state_file = tmp_path / "state.json"
    first = sim.save_snapshot()
    sim.act(sim.store.users["admin"], "da_cars01", "publish")
    second = sim.save_snapshot()
    assert (first["operations"], second["operations"]) == (0, 1)
    assert second["bytes"] == sim.state_file.stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert everything(Simulated.from_snapshot(statefile.read(sim.state_file))) == everything(sim)


def test_a_save_that_cannot_be_written_says_why_and_keeps_the_old_file(tmp_path: Path) -> None:
    sim = Simulated(scenario_from(""))
    with pytest.raises(SnapshotUnavailable, match="No state file is configured"):
        sim.save_snapshot()
    sim.state_file = tmp_path / "missing" / "state.json"
    with pytest.raises(StateFileError, match="No such file or directory"):
        sim.save_snapshot()


def test_leftovers_of_a_killed_write_are_harmless_and_swept(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    statefile.write_atomic(path, b"old")
    leftover = tmp_path / ".state.json.k1ll3d.tmp"
    leftover.write_bytes(b'{"half": ')
    statefile.write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert statefile.remove_stale_temporaries(path) == [leftover]
    assert sorted(os.listdir(tmp_path)) == ["state.json"]
