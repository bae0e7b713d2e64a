"""Every fine status, and every transition of the table, reached over HTTP only.

A real server on a loopback port, driven with requests: the Management API for
what a client does, the control API to move the virtual clock (and, for faults,
to load a scenario). Statuses are observed on ``/status`` with fine names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simulator.domain.statemachine import Status
from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
platform:
  workers: 1
  license: {max_records_by_dataset: 5000}
datasets:
  - dataset_id: fresh
    dataset_uid: da_fresh1
    resources: [{title: data.csv, records: 2000, fields: {name: name, height: float}}]
  - dataset_id: other
    dataset_uid: da_other1
    resources: [{title: other.csv, records: 2000}]
  - dataset_id: live
    dataset_uid: da_live01
    published: true
    resources:
      - {title: base.csv, records: 1000}
      - {title: extra.csv, records: 500}
      - {title: feed, type: realtime, url: "realtime://feed", records: 300}
  - dataset_id: huge
    dataset_uid: da_huge01
    resources: [{title: huge.csv, records: 9000}]
"""


class Client:
    """What a client does, over HTTP."""

    def __init__(self, live: Live) -> None:
        self.live = live

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        r = self.live.http.request(method, f"{self.live.api}{path}", json=body, timeout=10)
        assert r.status_code == expect, (method, path, r.text)
        return r.json() if r.content else None

    def status(self, uid: str) -> str:
        return self.call("GET", f"/datasets/{uid}/status?status_names=fine")["name"]

    def act(self, uid: str, action: str) -> Any:
        return self.call("PUT", f"/datasets/{uid}/{action}")

    def resource(self, uid: str, kind: str | None = None, title: str | None = None) -> str:
        for r in self.call("GET", f"/datasets/{uid}/resources"):
            if (kind is None or r["type"] == kind) and (title is None or r["title"] == title):
                return r["resource_uid"]
        raise AssertionError(f"no such resource on {uid}")

    def advance(self, seconds: float) -> None:
        self.live.advance(seconds)

    def settle(self) -> None:
        self.live.control("POST", "clock/run_until_idle")


def drive_idle(c: Client) -> str:
    return "da_fresh1"


def drive_queued(c: Client) -> str:
    c.act("da_other1", "publish")
    c.act("da_fresh1", "publish")
    return "da_fresh1"


def drive_processing_dataset(c: Client) -> str:
    c.act("da_fresh1", "publish")
    return "da_fresh1"


def drive_processing_all_dataset_data(c: Client) -> str:
    c.act("da_fresh1", "publish")
    c.advance(6)
    return "da_fresh1"


def drive_processing_resource_records(c: Client) -> str:
    c.act("da_live01", "publish")
    c.advance(6)
    return "da_live01"


def drive_deleting_resource_records(c: Client) -> str:
    c.call(
        "DELETE",
        f"/datasets/da_live01/resources/{c.resource('da_live01', title='extra.csv')}",
        expect=204,
    )
    c.act("da_live01", "publish")
    c.advance(6)
    return "da_live01"


def drive_deleting_all_dataset_data(c: Client) -> str:
    c.act("da_live01", "unpublish")
    return "da_live01"


def drive_deleting_dataset(c: Client) -> str:
    c.act("da_live01", "unpublish")
    c.advance(8)
    return "da_live01"


def drive_processing_realtime(c: Client) -> str:
    feed = c.resource("da_live01", kind="realtime")
    c.call("POST", f"/datasets/da_live01/resources/{feed}/push", [{"pm10": 12}] * 50)
    return "da_live01"


def drive_recovering_realtime_records(c: Client) -> str:
    c.act("da_live01", f"resources/{c.resource('da_live01', kind='realtime')}/recover")
    return "da_live01"


def drive_scratching_realtime_recover_data(c: Client) -> str:
    c.act("da_live01", f"resources/{c.resource('da_live01', kind='realtime')}/delete_recover_data")
    return "da_live01"


def drive_saving_dataset_version(c: Client) -> str:
    c.act("da_live01", "save_version")
    return "da_live01"


def drive_aborting_processing(c: Client) -> str:
    c.act("da_fresh1", "publish")
    c.advance(20)
    c.act("da_fresh1", "abort_processing")
    return "da_fresh1"


def drive_error(c: Client) -> str:
    c.call(
        "POST",
        "/datasets/da_fresh1/processors",
        {"name": "concat", "args": {"left": "age", "right": "name", "output_field": "x"}},
    )
    c.act("da_fresh1", "publish")
    c.settle()
    return "da_fresh1"


def drive_limit_reached(c: Client) -> str:
    c.act("da_huge01", "publish")
    c.settle()
    return "da_huge01"


DRIVERS: dict[Status, Callable[[Client], str]] = {
    status: globals()[f"drive_{status.value}"] for status in Status
}


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
def test_every_fine_status_is_reachable_over_http(make_live: MakeLive, status: Status) -> None:
    client = Client(make_live(WORLD))
    uid = DRIVERS[status](client)
    assert client.status(uid) == status.value


TOUR = """
platform:
  workers: 4
  license: {max_records_by_dataset: 1000}
datasets:
  - {dataset_id: basic, dataset_uid: da_basic1,
     resources: [{title: a.csv, records: 400, fields: {name: name}}]}
  - {dataset_id: grow, dataset_uid: da_grow01, published: true,
     resources: [{title: a.csv, records: 300}, {title: b.csv, records: 200}]}
  - {dataset_id: limited, dataset_uid: da_limit1, resources: [{title: big.csv, records: 1500}]}
  - {dataset_id: stream, dataset_uid: da_strea1, published: true,
     resources: [{title: s.csv, records: 300}, {title: feed, type: realtime, url: "realtime://feed"}]}
  - {dataset_id: refill, dataset_uid: da_refil1, published: true,
     resources: [{title: feed, type: realtime, url: "realtime://feed", records: 10}]}
  - {dataset_id: failing, dataset_uid: da_fail01, published: true,
     resources: [{title: a.csv, records: 300}, {title: b.csv, records: 300},
                 {title: feed, type: realtime, url: "realtime://feed", records: 100}]}
  - {dataset_id: early-error, dataset_uid: da_early1, resources: [{title: a.csv, records: 10}]}
faults:
  - {type: processing_error, dataset: early-error, stage: processing_dataset, times: 1}
  - {type: processing_error, dataset: failing, stage: processing_resource_records, times: 1}
  - {type: processing_error, dataset: failing,
     stage: [processing_realtime, recovering_realtime_records]}
  - {type: deleting_error, dataset: failing, stage: deleting_resource_records, times: 1}
  - {type: deleting_error, dataset: failing, stage: scratching_realtime_recover_data, times: 1}
  - {type: saving_error, dataset: failing, times: 1}
  - {type: aborting_error, dataset: failing, times: 1}
  - {type: deleting_error, dataset: failing, stage: deleting_all_dataset_data, times: 1}
  - {type: deleting_error, dataset: failing, stage: deleting_dataset, times: 1}
"""


def tour(c: Client) -> None:
    """A client's day that takes every transition of the table at least once."""
    # basic: first publish, metadata only, processors changed, abort at each stage, delete
    c.act("da_basic1", "publish")
    c.settle()  # idle -> queued -> processing_dataset -> processing_all -> idle
    c.act("da_basic1", "publish_metadata")
    c.settle()  # processing_dataset -> idle
    source = {"output_field": "source", "expression": "api"}
    c.call("POST", "/datasets/da_basic1/processors", {"name": "expression", "args": source})
    c.act("da_basic1", "publish")
    c.settle()  # queued -> deleting_all -> processing_dataset (full reprocess)
    c.act("da_basic1", "publish")
    c.act("da_basic1", "abort_processing")  # processing_dataset -> aborting -> idle
    c.settle()
    c.act("da_basic1", "publish")
    c.advance(6)
    c.act("da_basic1", "abort_processing")  # processing_resource_records -> aborting
    c.settle()
    c.act("da_basic1", "unpublish")
    c.settle()  # deleting_all -> deleting_dataset -> idle
    c.act("da_basic1", "publish")
    c.advance(7)
    c.act("da_basic1", "abort_processing")  # processing_all_dataset_data -> aborting
    c.settle()  # no record was indexed yet: still unpublished
    c.act("da_basic1", "publish")
    c.settle()
    c.call("DELETE", "/datasets/da_basic1")  # published: deleting_dataset -> removed
    c.settle()
    # grow: a removed resource, then a changed one over the license
    c.call(
        "DELETE",
        f"/datasets/da_grow01/resources/{c.resource('da_grow01', title='b.csv')}",
        expect=204,
    )
    c.act("da_grow01", "publish")
    c.settle()  # processing_dataset -> deleting_resource_records -> processing_resource_records
    a = c.resource("da_grow01", title="a.csv")
    c.call("PUT", f"/datasets/da_grow01/resources/{a}", {"url": "odsfile://a.csv", "records": 5000})
    c.act("da_grow01", "publish")
    c.settle()  # processing_resource_records -> limit_reached
    c.act("da_grow01", "save_version")
    c.settle()  # limit_reached -> queued -> saving -> idle
    # limited: a first publish over the license, then retried from limit_reached
    c.act("da_limit1", "publish")
    c.settle()  # processing_all_dataset_data -> limit_reached
    # stream: realtime pushes, one over the license, recover, scratch
    feed = c.resource("da_strea1", kind="realtime")
    c.call("POST", f"/datasets/da_strea1/resources/{feed}/push", [{"v": 1}] * 200)
    c.settle()  # queued -> processing_realtime -> idle
    c.call("POST", f"/datasets/da_strea1/resources/{feed}/push", [{"v": 1}] * 900)
    c.settle()  # processing_realtime -> limit_reached
    c.act("da_strea1", f"resources/{feed}/recover")
    c.settle()  # limit_reached -> queued -> recovering -> idle
    c.act("da_strea1", f"resources/{feed}/delete_recover_data")
    c.settle()  # queued -> scratching -> idle
    # refill: recover data over the license (the resource says it holds 1,500 records)
    refill = c.resource("da_refil1", kind="realtime")
    body = {"title": "feed", "type": "realtime", "url": "realtime://feed", "records": 1500}
    c.call("PUT", f"/datasets/da_refil1/resources/{refill}", body)
    c.act("da_refil1", f"resources/{refill}/recover")
    c.settle()  # recovering_realtime_records -> limit_reached
    # early-error: fails before any record, stays unpublished, deleted at once from error
    c.act("da_early1", "publish")
    c.settle()  # processing_dataset -> error
    c.call("DELETE", "/datasets/da_early1")  # error -> removed
    # failing: a failure in every kind of stage, each followed by the next action
    fail_feed = c.resource("da_fail01", kind="realtime")
    c.act("da_fail01", "publish")
    c.settle()  # processing_resource_records -> error
    c.call(
        "DELETE",
        f"/datasets/da_fail01/resources/{c.resource('da_fail01', title='b.csv')}",
        expect=204,
    )
    c.act("da_fail01", "publish")
    c.settle()  # error -> queued; deleting_resource_records -> error
    c.call("POST", f"/datasets/da_fail01/resources/{fail_feed}/push", [{"v": 1}])
    c.settle()  # processing_realtime -> error
    c.act("da_fail01", f"resources/{fail_feed}/recover")
    c.settle()  # recovering_realtime_records -> error
    c.act("da_fail01", f"resources/{fail_feed}/delete_recover_data")
    c.settle()  # scratching -> error
    c.act("da_fail01", "save_version")
    c.settle()  # saving -> error
    source = {"output_field": "x", "expression": "api"}
    c.call("POST", "/datasets/da_fail01/processors", {"name": "expression", "args": source})
    c.act("da_fail01", "publish")
    c.settle()  # deleting_all_dataset_data -> error
    c.act("da_fail01", "publish")
    c.advance(12)
    c.act("da_fail01", "abort_processing")
    c.settle()  # aborting_processing -> error
    c.act("da_fail01", "unpublish")
    c.settle()  # deleting_dataset -> error
    # processing_all_dataset_data -> error: a misconfigured processor on a first publish
    uid = c.call("POST", "/datasets", {"dataset_id": "broken"})["dataset_uid"]
    c.call(
        "POST", "/files", {"content": "a,b\n1,2\n", "filename": "ab.csv", "mimetype": "text/csv"}
    )
    c.call("POST", f"/datasets/{uid}/resources", {"url": "odsfile://ab.csv"})
    c.call(
        "POST",
        f"/datasets/{uid}/processors",
        {"name": "concat", "args": {"left": "a", "right": "c", "output_field": "d"}},
    )
    c.act(uid, "publish")
    c.settle()
    # an unpublished dataset deleted from idle
    c.call("DELETE", f"/datasets/{c.call('POST', '/datasets', {})['dataset_uid']}")


def test_a_tour_over_http_takes_every_transition_of_the_table(make_live: MakeLive) -> None:
    live = make_live(TOUR)
    tour(Client(live))
    table = {(t["from"], t["to"]) for t in live.control("GET", "statemachine")["transitions"]}
    taken = {(e["from"], e["to"]) for e in live.control("GET", "timeline")}
    assert taken <= table
    assert table - taken == set()
