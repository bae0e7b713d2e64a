"""One JSON error shape everywhere, never a 500 for bad input, nothing half-done."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from simulator.api import create_app
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

SHAPE = {"status_code", "error_key", "message", "raw_message", "raw_params"}


@pytest.mark.parametrize(
    ("method", "path", "body", "code"),
    [
        ("GET", "/nowhere", None, 404),
        ("GET", f"{API}/nowhere", None, 404),
        ("GET", "/_sim/nowhere", None, 404),
        ("PUT", f"{API}/datasets/da_aaaaaa%2F/publish", None, 404),
        ("GET", f"{API}//datasets", None, 404),
        ("DELETE", f"{API}/datasets", None, 405),
        ("PATCH", f"{API}/datasets/da_aaaaaa", None, 405),
        ("POST", f"{API}/datasets", b"\xff\xfe", 400),
        ("POST", f"{API}/datasets", b"{", 400),
        ("POST", f"{API}/datasets", b'"just a string"', 400),
        ("PUT", f"{API}/datasets/da_aaaaaa", b"[]", 400),
        ("PUT", f"{API}/datasets/da_aaaaaa", b'{"metas": 5}', 400),
        ("PUT", f"{API}/datasets/da_aaaaaa", b'{"metas": {"default": []}}', 400),
        ("GET", f"{API}/datasets?rows=-1", None, 400),
        ("GET", f"{API}/datasets/da_zzzzzz/status", None, 404),
        ("PUT", f"{API}/datasets/da_zzzzzz/publish", None, 404),
        ("POST", "/_sim/clock/advance", b'{"seconds": -5}', 400),
        ("POST", "/_sim/clock/advance", b'{"seconds": "soon"}', 400),
        ("POST", "/_sim/clock/advance", b"{}", 400),
        ("POST", "/_sim/clock/advance", b'{"seconds": Infinity}', 400),
        ("POST", "/_sim/clock/advance", b'{"seconds": NaN}', 400),
        ("POST", "/_sim/clock/advance?seconds=inf", None, 400),
        ("PUT", "/_sim/clock?speed=nan", None, 400),
        ("PUT", "/_sim/clock", b'{"speed": 1e7}', 400),
        ("POST", "/_sim/clock/advance", b'{"seconds": 1e30}', 400),
        ("POST", f"{API}/datasets", b'{"dataset_id": NaN}', 400),
        ("PUT", "/_sim/clock", b'{"mode": "warp"}', 400),
        ("PUT", "/_sim/clock", b'{"speed": 0}', 400),
        ("GET", "/_sim/timeline?since=yesterday", None, 400),
    ],
)
def test_every_error_has_the_api_shape_and_its_status(
    make_client: Make, method: str, path: str, body: bytes | None, code: int
) -> None:
    c = make_client("datasets: [{dataset_id: a, dataset_uid: da_aaaaaa}]")
    before = c.get(f"{API}/datasets/da_aaaaaa", headers=AUTH).get_json()
    r = c.open(path, method=method, data=body, headers=AUTH)
    assert r.status_code == code
    error = r.get_json()
    assert set(error) == SHAPE
    assert error["status_code"] == code
    assert error["error_key"].endswith("Exception")
    assert error["message"] == error["raw_message"].format(**error["raw_params"])
    assert c.get(f"{API}/datasets/da_aaaaaa", headers=AUTH).get_json() == before
    assert c.get("/_sim/clock").get_json()["now"] == 0


def test_an_unexpected_failure_is_still_json() -> None:
    # its own app: a route outside the documents, failing on purpose
    app = create_app(config={"clock_mode": "manual"})
    c = app.test_client()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaput")

    r = c.get("/boom")
    assert r.status_code == 500
    assert r.get_json()["error_key"] == "InternalServerErrorException"
