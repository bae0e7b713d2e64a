"""The Automation API v1.0's datasets over HTTP, sent as its real clients send them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]
V1 = "/api/automation/v1.0"

WORLD = """
platform:
  workers: 1
  license: {max_records_by_dataset: 3000}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: reader, password: reader, api_keys: [reader-key], permissions: []}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
  - {dataset_id: counts, dataset_uid: da_count1, resources: [{records: 4200}]}
  - {dataset_id: stations, dataset_uid: da_stati1, published: true, resources: [{records: 2500}]}
  - {dataset_id: broken, dataset_uid: da_broke1, resources: [{records: 900}]}
faults:
  - type: processing_error
    dataset: broken
    after_records: 450
    raw_message: "Could not read {resource}: {reason}"
    raw_params: {resource: trees.csv, reason: timeout}
"""

STATUS_KEYS = [
    "status",
    "since",
    "is_published",
    "previous",
    "next",
    "message",
    "records_errors",
    "params",
]
DATASET_KEYS = [
    "uid",
    "dataset_id",
    "created_at",
    "updated_at",
    "is_published",
    "is_restricted",
    "metadata",
    "default_security",
    "created_by",
    "updated_by",
]
PUBLIC = {
    "idle",
    "error",
    "limit_reached",
    "queued",
    "aborting_processing",
    "processing",
    "deleting",
    "saving_version",
}


class Client:
    """An Automation client: ``Authorization: apikey <key>``, bodies as JSON text."""

    def __init__(self, live: Live, scheme: str = "apikey", key: str = DEFAULT_API_KEY) -> None:
        self.live = live
        self.base = f"{live.url}{V1}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"{scheme} {key}"

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        data = None if body is None else json.dumps(body)
        return self.http.request(method, self.base + path, data=data, timeout=10, **kwargs)

    def status(self, uid: str) -> dict[str, Any]:
        r = self.call("GET", f"/datasets/{uid}/status")  # polled without the slash
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def wait_for(self, uid: str, names: set[str], poll: float = 3.0) -> dict[str, Any]:
        seen = []
        for _ in range(300):
            body = self.status(uid)
            seen.append(body["status"])
            if body["status"] in names:
                return body
            self.live.advance(poll)
        raise AssertionError(f"{uid} never reached {names}; saw {seen}")


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


# mount and authentication -------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/datasets/", "/datasets", "//datasets/", "//datasets", "/datasets/da_trees1/"]
)
def test_every_slash_form_is_answered_directly(client: Client, path: str) -> None:
    r = client.call("GET", path, allow_redirects=False)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("scheme", ["apikey", "Apikey", "ApiKey", "APIKEY"])
def test_the_scheme_word_in_any_case(live: Live, scheme: str) -> None:
    assert Client(live, scheme).call("GET", "/datasets/").status_code == 200


def test_the_key_as_a_query_parameter(live: Live) -> None:
    r = requests.get(f"{live.url}{V1}/datasets/?apikey={DEFAULT_API_KEY}", timeout=10)
    assert r.status_code == 200
    assert r.json()["total_count"] == 4


def test_basic_credentials_are_accepted(live: Live) -> None:
    r = requests.get(f"{live.url}{V1}/datasets/", auth=("admin", "admin"), timeout=10)
    assert r.status_code == 200


def test_no_or_wrong_credentials_get_the_surface_error(live: Live) -> None:
    r = requests.get(f"{live.url}{V1}/datasets/", timeout=10)
    assert r.status_code == 401
    assert list(r.json()) == ["error_code", "message"]
    assert r.json()["error_code"] == "bad_request"
    r = Client(live, key="nope").call("GET", "/datasets/")
    assert r.status_code == 401


def test_a_user_without_rights_is_refused(live: Live) -> None:
    r = Client(live, key="reader-key").call("POST", "/datasets/", {"metadata": {}})
    assert r.status_code == 403
    assert r.json()["error_code"] == "bad_request"


def test_unknown_paths_and_methods_answer_in_the_surface_shape(client: Client) -> None:
    r = client.call("GET", "/nowhere/")
    assert r.status_code == 404
    assert r.json() == {"error_code": "not_found", "message": "Not found."}
    r = client.call("PATCH", "/datasets/da_trees1/")
    assert r.status_code == 405
    assert r.json()["error_code"] == "bad_request"


def test_an_http_fault_answers_this_surface_too(make_live: MakeLive) -> None:
    live = make_live(WORLD + "  - {type: http, path: '/api/automation/*', status: 503}\n")
    r = Client(live).call("GET", "/datasets/")
    assert r.status_code == 503
    assert r.headers["X-Sim-Fault"] == "http"
    assert r.json()["error_code"] == "internal_error"


# pagination ---------------------------------------------------------------------------------


def test_pages_link_on_the_callers_host_keeping_other_parameters(client: Client) -> None:
    r = client.call("GET", "/datasets/?limit=1&offset=1&apikey=x-ignored")
    # the header's key wins; the query's stays in the links
    body = r.json()
    assert list(body) == ["total_count", "next", "previous", "results"]
    assert body["total_count"] == 4 and isinstance(body["total_count"], int)
    assert [d["uid"] for d in body["results"]] == ["da_count1"]
    following = urlsplit(body["next"])
    assert f"{following.scheme}://{following.netloc}" == client.live.url
    assert following.path == f"{V1}/datasets/"  # the specification's form
    assert parse_qs(following.query) == {"apikey": ["x-ignored"], "limit": ["1"], "offset": ["2"]}
    preceding = parse_qs(urlsplit(body["previous"]).query)
    assert preceding == {"apikey": ["x-ignored"], "limit": ["1"]}  # offset 0 left out
    last = client.http.get(body["next"].replace("offset=2", "offset=3"), timeout=10).json()
    assert last["next"] is None and last["results"][0]["uid"] == "da_broke1"


def test_an_empty_dataset_id_filters_nothing(client: Client) -> None:
    everything = client.call("GET", "/datasets/?dataset_id=").json()
    assert everything["total_count"] == 4
    assert client.call("GET", "/datasets/?dataset_id=trees").json()["total_count"] == 1
    assert client.call("GET", "/datasets?dataset_id=none-such").json()["total_count"] == 0


def test_following_next_verbatim_walks_every_dataset(client: Client) -> None:
    url: str | None = client.base + "/datasets/?limit=3"
    seen = []
    while url:
        body = client.http.get(url, timeout=10).json()
        seen += [d["uid"] for d in body["results"]]
        url = body["next"]
    assert seen == ["da_trees1", "da_count1", "da_stati1", "da_broke1"]


def test_limit_zero_counts_and_limit_out_of_bounds_is_named(client: Client) -> None:
    body = client.call("GET", "/datasets/?limit=0").json()
    assert body == {"total_count": 4, "next": None, "previous": None, "results": []}
    assert len(client.call("GET", "/datasets/").json()["results"]) == 4  # default 20
    for bad in ("1001", "-1", "ten"):
        r = client.call("GET", f"/datasets/?limit={bad}")
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["detail"]) == ["limit"]
    r = client.call("GET", "/datasets/?offset=-3")
    assert list(r.json()["detail"]) == ["offset"]


def test_the_dataset_id_filter(client: Client) -> None:
    body = client.call("GET", "/datasets/?dataset_id=stations").json()
    assert body["total_count"] == 1 and body["results"][0]["uid"] == "da_stati1"
    assert client.call("GET", "/datasets/?dataset_id=none").json()["results"] == []


# datasets -------------------------------------------------------------------------------------


def test_create_read_update_delete(client: Client) -> None:
    r = client.call(
        "POST",
        "/datasets/",
        {"metadata": {"default": {"title": {"value": "Bike counters"}}}, "is_restricted": "true"},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == DATASET_KEYS
    assert made["uid"].startswith("da_") and made["dataset_id"] == "bike-counters"
    assert made["is_restricted"] is True and made["is_published"] is False
    assert made["metadata"]["default"]["title"] == {"value": "Bike counters"}
    uid = made["uid"]
    assert client.call("GET", f"/datasets/{uid}").json() == made  # no slash, as clients poll
    r = client.call("PUT", f"/datasets/{uid}/", {"is_restricted": False, "dataset_id": "bikes"})
    assert r.status_code == 200
    assert r.json()["is_restricted"] is False and r.json()["dataset_id"] == "bikes"
    r = client.call(
        "PUT", f"/datasets/{uid}/", {"metadata": {"default": {"description": {"value": "x"}}}}
    )
    assert r.json()["metadata"]["default"] == {
        "title": {"value": "Bike counters"},
        "description": {"value": "x"},
    }
    r = client.call("DELETE", f"/datasets/{uid}/")
    assert r.status_code == 204 and r.content == b""
    assert client.call("GET", f"/datasets/{uid}/").status_code == 404


def test_an_empty_put_with_no_content_type_refreshes(client: Client) -> None:
    before = client.call("GET", "/datasets/da_trees1/").json()
    r = client.http.put(f"{client.base}/datasets/da_trees1/", timeout=10)
    assert r.status_code == 200
    assert r.json() == before


def test_default_security_is_written_and_read(client: Client) -> None:
    rules = {
        "is_data_visible": True,
        "visible_fields": ["height"],
        "filter_query": "height > 3",
        "api_calls_quota": {"unit": "day", "limit": 100},
    }
    r = client.call("PUT", "/datasets/da_trees1/", {"default_security": rules})
    assert r.status_code == 200, r.text
    assert r.json()["default_security"] == rules


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"is_restricted": "maybe"}, "is_restricted"),
        ({"dataset_id": "no spaces"}, "dataset_id"),
        ({"metadata": []}, "metadata"),
        ({"metadata": {"default": {"title": {"value": 3}}}}, "metadata.default.title"),
        ({"metdata": {}}, "metdata"),
        (
            {"default_security": {"api_calls_quota": {"unit": "week", "limit": 1}}},
            "api_calls_quota",
        ),
        ([1, 2], "body"),
    ],
)
def test_bad_bodies_are_validation_errors_that_change_nothing(
    make_live: MakeLive, client: Client, body: Any, field: str
) -> None:
    before = client.call("GET", "/datasets/").json()
    for method, path in (("POST", "/datasets/"), ("PUT", "/datasets/da_trees1/")):
        r = client.call(method, path, body)
        assert r.status_code == 400, (method, r.text)
        error = r.json()
        assert error["error_code"] == "validation_error" and error["message"] == "Invalid input"
        assert list(error["detail"]) == [field], error
    assert client.call("GET", "/datasets/").json() == before
    made = client.call("POST", "/datasets/", {}).json()
    untouched = Client(make_live(WORLD)).call("POST", "/datasets/", {}).json()
    assert made["uid"] == untouched["uid"]  # the refusals drew no identifier


def test_a_typo_names_the_closest_field(client: Client) -> None:
    r = client.call("PUT", "/datasets/da_trees1/", {"is_restrited": True})
    assert "is_restricted" in r.json()["detail"]["is_restrited"][0]


def test_not_json_is_a_bad_request(client: Client) -> None:
    r = client.http.post(f"{client.base}/datasets/", data=b"{nope", timeout=10)
    assert r.status_code == 400
    assert r.json()["error_code"] == "bad_request"


def test_unknown_dataset_is_not_found_on_every_operation(client: Client) -> None:
    calls = [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("GET", "status/"),
        ("POST", "copy/"),
        ("POST", "publish/"),
        ("POST", "unpublish/"),
        ("POST", "abort/"),
        ("POST", "publish_metadata/"),
    ]
    for method, tail in calls:
        r = client.call(method, f"/datasets/da_nope00/{tail}", {"bad": "body"})
        assert r.status_code == 404, (method, tail)
        assert r.json() == {"error_code": "not_found", "message": "Not found."}


def test_copy_makes_a_new_unpublished_dataset(client: Client) -> None:
    r = client.call("POST", "/datasets/da_stati1/copy/")
    assert r.status_code == 201
    copy = r.json()
    assert list(copy) == DATASET_KEYS
    assert copy["uid"] != "da_stati1" and copy["dataset_id"] == "stations-2"
    assert copy["is_published"] is False
    source = client.call("GET", "/datasets/da_stati1/").json()
    assert copy["metadata"] == source["metadata"]
    assert client.status(copy["uid"])["status"] == "idle"


# status and actions --------------------------------------------------------------------------


def test_status_object_keys_order_and_values(client: Client) -> None:
    body = client.status("da_stati1")
    assert list(body) == STATUS_KEYS
    assert body["status"] == "idle" and body["is_published"] is True
    assert body["previous"] is None and body["next"] is None
    assert body["records_errors"] == [] and body["params"] == {}


def test_publish_then_poll_until_idle(client: Client) -> None:
    r = client.http.post(f"{client.base}/datasets/da_trees1/publish", timeout=10)
    assert r.status_code == 200 and r.json() == {"detail": "ok"}
    busy = client.status("da_trees1")
    assert busy["status"] == "processing"  # never a fine name
    assert busy["previous"] == "queued"
    done = client.wait_for("da_trees1", {"idle"})
    assert done["is_published"] is True and done["previous"] == "processing"
    assert client.call("GET", "/datasets/da_trees1").json()["is_published"] is True


def test_publish_while_busy_names_the_fine_status(client: Client) -> None:
    client.call("POST", "/datasets/da_trees1/publish/")
    r = client.call("POST", "/datasets/da_trees1/unpublish/")
    assert r.status_code == 400
    assert r.json() == {
        "error_code": "invalid_dataset_status",
        "message": "Invalid precondition, dataset status is 'processing_dataset' "
        "but must be one of 'idle, error, limit_reached'",
    }


def test_abort_only_while_processing(client: Client) -> None:
    r = client.call("POST", "/datasets/da_trees1/abort/")
    assert r.status_code == 400
    assert r.json()["message"] == (
        "Invalid precondition, dataset status is 'idle' but must be one of "
        "'processing_dataset, processing_resource_records, processing_all_dataset_data'"
    )
    client.call("POST", "/datasets/da_trees1/publish/")
    r = client.call("POST", "/datasets/da_trees1/abort/")
    assert r.status_code == 200 and r.json() == {"detail": "ok"}
    assert client.status("da_trees1")["status"] in ("aborting_processing", "idle")


def test_error_and_limit_reached_as_the_status_object_shows_them(client: Client) -> None:
    client.call("POST", "/datasets/da_broke1/publish/")
    failed = client.wait_for("da_broke1", {"error", "idle"})
    assert failed["status"] == "error"
    assert failed["message"] == "Could not read trees.csv: timeout"
    assert failed["previous"] == "processing"
    client.call("POST", "/datasets/da_count1/publish/")
    limited = client.wait_for("da_count1", {"limit_reached", "idle", "error"})
    assert limited["status"] == "limit_reached"
    assert set(limited["params"]["error"]) == {"limit_type", "limit", "value"}
    assert limited["params"]["error"]["limit"] == 3000
    assert all(v in PUBLIC | {None} for v in (limited["previous"], limited["next"]))


def test_unpublish_and_publish_metadata(client: Client) -> None:
    r = client.call("POST", "/datasets/da_trees1/publish_metadata/")
    assert r.status_code == 400 and r.json()["error_code"] == "bad_request"
    assert client.call("POST", "/datasets/da_stati1/publish_metadata").status_code == 200
    client.wait_for("da_stati1", {"idle"})
    assert client.call("POST", "/datasets/da_stati1/unpublish/").status_code == 200
    client.wait_for("da_stati1", {"idle"})
    assert client.status("da_stati1")["is_published"] is False


def test_a_status_poll_never_shows_a_fine_name(client: Client) -> None:
    client.call("POST", "/datasets/da_stati1/unpublish/")
    client.call("POST", "/datasets/da_trees1/publish/")
    for _ in range(40):
        for uid in ("da_stati1", "da_trees1"):
            body = client.status(uid)
            assert {body["status"], body["previous"] or "idle"} <= PUBLIC
        client.live.advance(2)


# one world ----------------------------------------------------------------------------------


def test_a_dataset_made_on_v2_is_the_same_on_automation(client: Client, live: Live) -> None:
    made = live.http.post(
        f"{live.api}/datasets",
        data=json.dumps({"metas": {"default": {"title": "From v2"}}, "visibility": "restricted"}),
        timeout=10,
    ).json()
    seen = client.call("GET", f"/datasets/{made['dataset_uid']}/").json()
    assert seen["dataset_id"] == made["dataset_id"]
    assert seen["metadata"]["default"]["title"] == {"value": "From v2"}
    assert seen["is_restricted"] is True
    live.http.put(f"{live.api}/datasets/{made['dataset_uid']}/publish", timeout=10)
    assert client.status(made["dataset_uid"])["status"] == "processing"


def test_a_dataset_made_on_automation_is_the_same_on_v2(client: Client, live: Live) -> None:
    made = client.call(
        "POST",
        "/datasets/",
        {"dataset_id": "from-v1", "metadata": {"default": {"title": {"value": "From v1"}}}},
    ).json()
    seen = live.http.get(f"{live.api}/datasets/{made['uid']}", timeout=10).json()
    assert seen["dataset_id"] == "from-v1" and seen["metas"]["default"]["title"] == "From v1"
    assert seen["visibility"] == "domain"
    client.call("POST", f"/datasets/{made['uid']}/publish/")
    status = live.http.get(f"{live.api}/datasets/{made['uid']}/status", timeout=10).json()
    assert status["name"] == "processing"
    r = live.http.put(f"{live.api}/datasets/{made['uid']}/publish", timeout=10)
    assert r.json()["error_key"] == "InvalidDatasetStatusPreconditionException"
