"""The change log's diffs: each changed value with its path of keys."""

from __future__ import annotations

from simulator.domain import history


def test_a_diff_names_each_changed_value_by_its_keys_dots_and_all() -> None:
    before = {"metas": {"default": {"title": "Trees"}}, "security": {"rulesets": {}}}
    after = {
        "metas": {"default": {"title": "Old trees"}},
        "security": {"rulesets": {"jane.doe": {"permissions": []}}},
    }
    assert history.diff(before, after) == [
        {"path": ["metas", "default", "title"], "before": "Trees", "after": "Old trees"},
        {
            "path": ["security", "rulesets", "jane.doe"],
            "before": None,
            "after": {"permissions": []},
        },
    ]
    assert history.diff(after, after) == []


def test_a_log_kept_with_dotted_paths_is_read_as_paths() -> None:
    old = {"metas.default.title": {"before": "Trees", "after": "Old trees"}}
    assert history.edits_of(old) == [
        {"path": ["metas", "default", "title"], "before": "Trees", "after": "Old trees"}
    ]
    edits = [{"path": ["dataset_id"], "before": None, "after": "trees"}]
    assert history.edits_of(edits) is edits
