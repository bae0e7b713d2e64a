"""The Automation API v1.0's dataset security and versions over HTTP, sent as real
clients send them, and read back on both surfaces."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Live
from tests.e2e.test_automation_datasets import DATASET_KEYS, Client, MakeLive

pytestmark = pytest.mark.e2e

V2 = "/api/management/v2"
UID = "da_trees1"

WORLD = """
platform: {workers: 1}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ana, password: ana, permissions: []}
  - {username: bob, password: bob, permissions: []}
groups:
  - {group_id: editors, title: Editors, permissions: [], usernames: [bob]}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 100}]}
"""

SECURITY = {
    "is_data_visible": True,
    "visible_fields": ["*"],
    "filter_query": "",
    "api_calls_quota": None,
}


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def v2(live: Live, method: str, path: str, **kwargs: Any) -> Any:
    r = live.http.request(method, f"{live.api}{path}", timeout=10, **kwargs)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


# user rulesets ------------------------------------------------------------------------------


def test_a_user_ruleset_is_created_read_listed_changed_and_deleted(
    client: Client, live: Live
) -> None:
    base = f"/datasets/{UID}/security/users"
    r = client.call("POST", f"{base}/", {"user": {"username": "ana"}, "permissions": []})
    assert r.status_code == 201, r.text
    assert r.json() == {"security": SECURITY, "permissions": [], "user": {"username": "ana"}}
    assert list(r.json()) == ["security", "permissions", "user"]
    body = {
        "user": {"username": "ana"},
        "permissions": ["publish_dataset", "edit_dataset"],
        "security": {
            "is_data_visible": "false",
            "visible_fields": ["height"],
            "filter_query": "height>3",
            "api_calls_quota": {"unit": "day", "limit": 100},
        },
    }
    r = client.call("PUT", f"{base}/ana", body)
    assert r.status_code == 200, r.text
    assert r.json()["permissions"] == ["edit_dataset", "publish_dataset"]
    assert r.json()["security"]["is_data_visible"] is False
    assert client.call("GET", f"{base}/ana/").json() == r.json()
    page = client.call("GET", base).json()
    assert page["total_count"] == 1 and page["results"] == [r.json()]
    # the same ruleset on v2
    ruleset = v2(live, "GET", f"/datasets/{UID}/security/users/ana")
    assert ruleset["permissions"] == ["edit_dataset", "publish_dataset"]
    assert ruleset["filter_query"] == "height>3"
    r = client.call("DELETE", f"{base}/ana/")
    assert r.status_code == 204 and r.content == b""
    assert client.call("GET", f"{base}/ana/").status_code == 404


def test_user_ruleset_refusals_name_the_field_and_change_nothing(client: Client) -> None:
    base = f"/datasets/{UID}/security/users/"
    cases = [
        ({"permissions": []}, "user"),
        ({"user": {"username": "nobody"}}, "user"),
        ({"user": {"username": "ana"}, "permissions": ["edit_datset"]}, "permissions[0]"),
        ({"user": {"username": "ana"}, "permisions": []}, "permisions"),
        (
            {"user": {"username": "ana"}, "security": {"is_data_visible": "maybe"}},
            "is_data_visible",
        ),
        ({"user": "ana"}, "user"),
    ]
    for body, field in cases:
        r = client.call("POST", base, body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error_code"] == "validation_error", r.text
        assert field in r.json()["detail"], (field, r.json())
    assert client.call("GET", base).json()["total_count"] == 0
    assert client.call("POST", base, {"user": {"username": "ana"}}).status_code == 201
    r = client.call("POST", base, {"user": {"username": "ana"}})
    assert r.status_code == 400 and r.json()["error_code"] == "bad_request"
    r = client.call("PUT", f"{base}ana/", {"user": {"username": "bob"}})
    assert r.status_code == 400 and "user" in r.json()["detail"]
    assert client.call("GET", "/datasets/da_nope99/security/users/").status_code == 404


# group rulesets -----------------------------------------------------------------------------


def test_a_group_ruleset_names_its_group_by_uid(client: Client, live: Live) -> None:
    base = f"/datasets/{UID}/security/groups"
    body = {"group": {"uid": "editors"}, "permissions": ["edit_dataset"]}
    r = client.call("POST", base, body)
    assert r.status_code == 201, r.text
    assert r.json() == {
        "security": SECURITY,
        "permissions": ["edit_dataset"],
        "group": {"uid": "editors"},
    }
    assert v2(live, "GET", f"/datasets/{UID}/security/groups/editors")["permissions"] == [
        "edit_dataset"
    ]
    r = client.call("PUT", f"{base}/editors/", {"permissions": ["manage_dataset"]})
    assert r.json()["permissions"] == ["manage_dataset"]
    assert client.call("GET", f"{base}/?limit=0").json() == {
        "total_count": 1,
        "next": None,
        "previous": None,
        "results": [],
    }
    r = client.call("POST", base, {"group": {"uid": "nobody"}})
    assert r.status_code == 400 and "group" in r.json()["detail"]
    assert client.call("DELETE", f"{base}/editors").status_code == 204
    assert client.call("DELETE", f"{base}/editors").status_code == 404


# versions -----------------------------------------------------------------------------------


def _versions(client: Client) -> list[dict[str, Any]]:
    r = client.call("GET", f"/datasets/{UID}/versions/?limit=100")
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    return list(page["results"])


def test_versions_list_the_change_log_newest_first(client: Client, live: Live) -> None:
    client.call("PUT", f"/datasets/{UID}/metadata/default/title/", {"value": "Trees"})
    client.call("POST", f"/datasets/{UID}/security/users/", {"user": {"username": "ana"}})
    versions = _versions(client)
    assert len(versions) >= 2
    newest = versions[0]
    assert list(newest) == ["uid", "sections", "created_by", "can_restore", "created_at"]
    assert newest["sections"] == ["security"]
    assert versions[1]["sections"] == ["metadata"]
    assert newest["created_by"] == {"username": "admin"}
    assert client.call("GET", f"/datasets/{UID}/versions/{newest['uid']}").json() == newest
    changes = v2(live, "GET", f"/datasets/{UID}/changes")
    assert len(changes) == len(versions)
    for bad in ("ch_999999", "nope", "ch_", "ch_1234567890"):
        assert client.call("GET", f"/datasets/{UID}/versions/{bad}/").status_code == 404, bad


def test_at_most_twenty_versions_are_shown(client: Client) -> None:
    for i in range(25):
        client.call("PUT", f"/datasets/{UID}/metadata/default/title/", {"value": f"T{i}"})
    page = client.call("GET", f"/datasets/{UID}/versions/?limit=5&offset=5").json()
    assert page["total_count"] == 20
    assert page["next"].endswith("limit=5&offset=10")
    shown = _versions(client)
    assert len(shown) == 20
    oldest = int(shown[-1]["uid"].removeprefix("ch_"))
    hidden = f"ch_{oldest - 1:06d}"
    assert client.call("GET", f"/datasets/{UID}/versions/{hidden}/").status_code == 404
    r = client.call("POST", f"/datasets/{UID}/versions/{hidden}/restore/")
    assert r.status_code == 404
    assert _versions(client) == shown


def test_a_restore_brings_the_configuration_back_and_adds_a_version(
    client: Client, live: Live
) -> None:
    path = f"/datasets/{UID}/metadata/default/title/"
    client.call("PUT", path, {"value": "First"})
    first = _versions(client)[0]["uid"]
    client.call("PUT", path, {"value": "Second"})
    count = len(_versions(client))
    r = client.call("POST", f"/datasets/{UID}/versions/{first}/restore/")
    assert r.status_code == 200, r.text
    assert list(r.json()) == DATASET_KEYS
    assert r.json()["metadata"]["default"]["title"] == {"value": "First"}
    assert len(_versions(client)) == count + 1
    assert v2(live, "GET", f"/datasets/{UID}")["metas"]["default"]["title"] == "First"


# schedules ----------------------------------------------------------------------------------

DAY = 86_400.0


def _schedules(client: Client) -> list[dict[str, Any]]:
    page: dict[str, Any] = client.call("GET", f"/datasets/{UID}/schedules").json()
    return list(page["results"])


def test_a_schedule_is_created_read_listed_changed_and_deleted(client: Client) -> None:
    base = f"/datasets/{UID}/schedules"
    r = client.call("POST", f"{base}/", {"cron_schedule": "0 3 * * *"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == ["uid", "cron_schedule"]
    assert made["uid"].startswith("sc_") and made["cron_schedule"] == "0 3 * * *"
    assert client.call("GET", f"{base}/{made['uid']}").json() == made
    assert _schedules(client) == [made]
    r = client.call("PUT", f"{base}/{made['uid']}/", {"cron_schedule": "15  4 * * mon"})
    assert r.json() == {"uid": made["uid"], "cron_schedule": "15 4 * * mon"}
    r = client.call("DELETE", f"{base}/{made['uid']}/")
    assert r.status_code == 204 and r.content == b""
    assert _schedules(client) == []
    assert client.call("GET", f"{base}/{made['uid']}/").status_code == 404


def test_a_sub_daily_or_bad_cron_is_a_validation_error_and_changes_nothing(
    client: Client, live: Live
) -> None:
    before = live.control("GET", "snapshot")
    for body in (
        {"cron_schedule": "0 * * * *"},
        {"cron_schedule": "*/5 3 * * *"},
        {"cron_schedule": "0 3 * *"},
        {"cron_schedule": "61 3 * * *"},
        {"cron_schedule": 3},
        {},
        {"cron_shedule": "0 3 * * *"},
    ):
        r = client.call("POST", f"/datasets/{UID}/schedules/", body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["error_code"] == "validation_error"
        assert set(r.json()["detail"]) <= {"cron_schedule", "cron_shedule"}, r.json()
    assert live.control("GET", "snapshot") == before
    assert client.call("POST", "/datasets/da_nope99/schedules/", {}).status_code == 404


def test_minute_level_scheduling_is_a_setting_of_the_scenario(make_live: MakeLive) -> None:
    live = make_live(
        WORLD.replace(
            "platform: {workers: 1}", "platform: {workers: 1, minute_level_schedules: true}"
        )
    )
    r = Client(live).call("POST", f"/datasets/{UID}/schedules/", {"cron_schedule": "0 * * * *"})
    assert r.status_code == 201, r.text


def test_a_second_identical_schedule_is_a_conflict(client: Client) -> None:
    first = client.call("POST", f"/datasets/{UID}/schedules/", {"cron_schedule": "0 3 * * *"})
    r = client.call("POST", f"/datasets/{UID}/schedules/", {"cron_schedule": "0  3 * * *"})
    assert r.status_code == 409
    assert r.json()["error_code"] == "bad_request"
    assert first.json()["uid"] in r.json()["message"]
    assert len(_schedules(client)) == 1


def test_a_schedule_fires_in_paris_time_and_enters_queued(client: Client, live: Live) -> None:
    # virtual second zero is 2026-01-01T00:00Z, 01:00 in Paris: 00:30 in Paris comes
    # at 23:30Z, not at 00:30Z
    client.call("POST", f"/datasets/{UID}/schedules/", {"cron_schedule": "30 0 * * *"})
    assert live.control("GET", "clock")["next_event"] == DAY - 1800
    live.advance(1801)
    assert client.status(UID)["status"] == "idle"
    live.advance(DAY - 1800 - live.control("GET", "clock")["now"])
    timeline = live.control("GET", "timeline", params={"since": DAY - 1801})
    moves = [(e["to"], e["cause"]) for e in timeline if e.get("dataset_uid") == UID]
    assert moves[0] == ("queued", "publish"), timeline
    client.wait_for(UID, {"idle"})
    assert client.call("GET", f"/datasets/{UID}").json()["is_published"] is True
    assert live.control("GET", "clock")["next_event"] == 2 * DAY - 1800


@pytest.mark.parametrize("retention", ["", "retention: {journal: 1}\n"])
def test_a_snapshot_keeps_dataset_schedules_armed(make_live: MakeLive, retention: str) -> None:
    source, target = make_live(WORLD + retention), make_live(WORLD + retention)
    r = Client(source).call("POST", f"/datasets/{UID}/schedules/", {"cron_schedule": "0 2 * * *"})
    made = r.json()
    snapshot = source.control("GET", "snapshot")
    assert ("base" in snapshot) == bool(retention)
    assert target.control("PUT", "snapshot", json=snapshot) is not None
    for live in (source, target):
        assert Client(live).call("GET", f"/datasets/{UID}/schedules/").json()["results"] == [made]
        assert live.control("GET", "clock")["next_event"] == 3600
    live = target
    live.control("POST", "reset")
    assert Client(live).call("GET", f"/datasets/{UID}/schedules/").json()["total_count"] == 0


# feedbacks ----------------------------------------------------------------------------------

FEEDBACK_WORLD = """
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    feedbacks:
      - {uid: df_old001, record_id: r1, user: ana, comment: "Wrong height", ago: 7200,
         values: {height: {value: "12", type: double}}}
      - {uid: df_new001, record_id: r2, user: bob, comment: "Misspelt", ago: 60}
      - {uid: df_arc001, record_id: r1, comment: "Done", is_archived: true, ago: 3600}
"""


def test_feedbacks_are_listed_newest_first_without_the_archived_ones(
    make_live: MakeLive,
) -> None:
    client = Client(make_live(FEEDBACK_WORLD))
    base = f"/datasets/{UID}/feedbacks"
    page = client.call("GET", base).json()
    assert [f["uid"] for f in page["results"]] == ["df_new001", "df_old001"]
    old = page["results"][1]
    assert old == {
        "uid": "df_old001",
        "record_id": "r1",
        "user": {"username": "ana"},
        "comment": "Wrong height",
        "is_archived": False,
        "values": {"height": {"value": "12", "type": "double"}},
        "created_at": "2025-12-31T22:00:00+00:00",
    }
    r = client.call("GET", f"{base}/?sort=created_at")
    assert [f["uid"] for f in r.json()["results"]] == ["df_old001", "df_new001"]
    r = client.call("GET", f"{base}/?is_archived=True")
    assert [f["uid"] for f in r.json()["results"]] == ["df_arc001"]
    assert r.json()["results"][0]["user"]["username"]  # made up by Faker
    r = client.call("GET", f"{base}?record_id=r1&is_archived=0")
    assert [f["uid"] for f in r.json()["results"]] == ["df_old001"]
    assert client.call("GET", f"{base}/df_arc001").json()["is_archived"] is True


def test_archiving_a_feedback_hides_it_from_the_default_list(make_live: MakeLive) -> None:
    live = make_live(FEEDBACK_WORLD)
    client = Client(live)
    base = f"/datasets/{UID}/feedbacks"
    r = client.call("POST", f"{base}/df_old001/archive/")
    assert r.status_code == 200, r.text
    assert r.json()["is_archived"] is True and r.json()["uid"] == "df_old001"
    assert [f["uid"] for f in client.call("GET", base).json()["results"]] == ["df_new001"]
    snapshot = live.control("GET", "snapshot")
    other = make_live(FEEDBACK_WORLD)
    other.control("PUT", "snapshot", json=snapshot)
    assert (
        client.call("GET", f"{base}/df_old001").json()
        == Client(other).call("GET", f"{base}/df_old001").json()
    )


def test_bad_feedback_queries_and_unknown_feedbacks(make_live: MakeLive) -> None:
    client = Client(make_live(FEEDBACK_WORLD))
    base = f"/datasets/{UID}/feedbacks"
    for query, field in (("is_archived=maybe", "is_archived"), ("sort=-record_id", "sort")):
        r = client.call("GET", f"{base}/?{query}")
        assert r.status_code == 400, r.text
        assert field in r.json()["detail"]
    assert client.call("GET", f"{base}/df_nope01/").status_code == 404
    assert client.call("POST", f"{base}/df_nope01/archive").status_code == 404
    assert client.call("GET", "/datasets/da_nope99/feedbacks/").status_code == 404
