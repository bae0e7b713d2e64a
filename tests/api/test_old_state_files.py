"""State files written before metadata spoke the platform's vocabulary still load.

``tests/statefiles/`` holds snapshots (format version 2) that the previous code wrote:
``metadata-v2-journal.json`` and ``metadata-v2-base.json`` set fields the platform does
not have (``internal.notes``, ``default.territory``...), ``visualization.image_enabled``,
datetimes without a time zone and ``dcat`` dates as datetimes, over the API and in their
scenario, the second with its world written down whole (a ``base``);
``metadata-v2-plain.json`` uses only what is still valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from simulator.service import statefile
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

FILES = Path(__file__).parent.parent / "statefiles"

TREES = {
    "default": {
        "title": "Remarkable trees",
        "keyword": ["trees", "environment"],
        "theme": ["Environment"],
        "modified": "2024-03-01T00:00:00+00:00",
        "modified_updates_on_data_change": True,
        "references": "https://example.org/trees",
        "license": "ODbL",
    },
    "visualization": {
        "images_disabled": False,
        "calendar_enabled": True,
        "map_marker_color": "#2a7",
    },
    "internal": {"draft": False, "license_id": "odbl"},
    "dcat": {
        "created": "2023-05-04",
        "dataquality": "<p>Good</p>",
        "creator": "Parks",
        "issued": "2023-06-01",
    },
    "publishing": {"published": False},
}


def restore(c: FlaskClient, raw: bytes | str) -> Any:
    r = c.put("/_sim/snapshot", data=raw)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def metas(c: FlaskClient) -> dict[str, Any]:
    listed = c.get(f"{API}/datasets?rows=100", headers=AUTH).get_json()["datasets"]
    return {d["dataset_id"]: d["metas"] for d in listed}


@pytest.mark.parametrize("name", ["metadata-v2-journal.json", "metadata-v2-base.json"])
def test_an_older_state_file_is_rewritten_to_the_platforms_fields(
    make_client: Make, name: str
) -> None:
    raw = (FILES / name).read_text(encoding="utf-8")
    assert json.loads(raw)["version"] == 2
    assert statefile.parse(raw, name).migrated
    c = make_client("datasets: []")
    restore(c, raw)
    seen = metas(c)
    assert seen["trees"] == TREES
    assert seen["bins"] == {
        "default": {"title": "Bins", "modified": "2024-01-02T03:04:05+00:00"},
        "internal": {},
        "dcat": {"created": "2022-02-02"},
        "publishing": {"published": False},
    }
    listed = c.get(f"{API}/datasets/da_trees1/metadata?expand=definition", headers=AUTH)
    assert listed.status_code == 200
    # taken again, it is a snapshot of today's format, which restores value for value
    again = c.get("/_sim/snapshot")
    assert again.get_json()["version"] == statefile.VERSION
    assert not statefile.parse(again.data, "again").migrated
    elsewhere = make_client("datasets: []")
    restore(elsewhere, again.data)
    assert metas(elsewhere) == seen


def test_an_older_state_file_with_nothing_to_rewrite_loads_as_it_was(make_client: Make) -> None:
    raw = (FILES / "metadata-v2-plain.json").read_text(encoding="utf-8")
    document = json.loads(raw)
    assert statefile.check(json.loads(raw), "plain").scenario.text == document["scenario"]["text"]
    c = make_client("datasets: []")
    assert restore(c, raw)["operations"] == 7
    trees = metas(c)["trees"]
    assert trees["default"]["keyword"] == ["a", "b"]
    assert trees["internal"] == {"draft": False, "license_id": "odbl"}
    assert trees["publishing"] == {"published": True}
    changes = c.get(f"{API}/datasets/da_trees1/changes", headers=AUTH).get_json()
    assert [c["diff"] for c in changes][-1] == {
        "metadata": [
            {
                "path": ["default", "publisher"],
                "old_value": None,
                "new_value": "Parks",
                "operation_type": "create",
            }
        ]
    }


def test_a_rewritten_state_file_is_still_checked_for_everything_else(make_client: Make) -> None:
    document = json.loads((FILES / "metadata-v2-journal.json").read_text(encoding="utf-8"))
    document["state"]["digests"]["timeline"] = "0" * 64
    c = make_client("datasets: []")
    r = c.put("/_sim/snapshot", data=json.dumps(document))
    assert r.status_code == 400
    assert "digests.timeline" in r.get_json()["message"]
    assert metas(c) == {}
