"""A dataset's change log: what each configuration edit changed, and restoring one.

Every edit records the configuration it left (a snapshot: id, metadata, resources,
processors, field specifications, security, attachments, alternative exports) with a
diff against the one before: each changed value with its path of keys, e.g.
``["metas", "default", "title"]``. Restoring a change makes the configuration what it
was right after that change, and is itself recorded as a change. A change logged
before a section existed restores it empty (its reset value for the default ruleset).
"""

from __future__ import annotations

import copy
from typing import Any

from .models import (
    Attachment,
    Change,
    Dataset,
    DefaultSecurity,
    FieldSpec,
    GroupRuleset,
    Processor,
    Resource,
    Ruleset,
)

Snapshot = dict[str, Any]
#: One changed value: ``{"path": [keys...], "before": ..., "after": ...}``.
Edit = dict[str, Any]

SECTIONS = (
    "dataset_id",
    "metas",
    "resources",
    "processors",
    "fields_specifications",
    "security",
    "attachments",
    "alternative_exports",
)
#: Sections of attachment-like objects, each ``{uid: {"url": ...}}``.
FILE_SECTIONS = ("attachments", "alternative_exports")

#: The default ruleset as a reset leaves it.
RESET_DEFAULT: dict[str, Any] = {
    "is_data_visible": True,
    "visible_fields": ["*"],
    "filter_query": "",
    "api_calls_quota": None,
}

#: The configuration of nothing: what a new dataset's first change starts from.
EMPTY: Snapshot = {
    "dataset_id": None,
    "metas": {},
    "resources": {},
    "processors": {},
    "fields_specifications": {},
    "security": {
        "access_policy": None,
        "rulesets": {},
        "group_rulesets": {},
        "default": RESET_DEFAULT,
    },
    "attachments": {},
    "alternative_exports": {},
}

#: What a resource's records depend on: a change of these makes it reprocessed.
DATA_KEYS = ("url", "type", "records", "fields", "params")


def snapshot(ds: Dataset) -> Snapshot:
    """The dataset's configuration, as plain data."""
    d = ds.default_security
    return {
        "dataset_id": ds.dataset_id,
        "metas": copy.deepcopy(ds.metas),
        "resources": {
            uid: {
                "title": r.title,
                "url": r.url,
                "type": r.type,
                "records": r.records,
                "fields": dict(r.fields),
                "params": copy.deepcopy(r.params),
            }
            for uid, r in ds.resources.items()
        },
        "processors": {
            uid: {"name": p.name, "label": p.label, "args": copy.deepcopy(p.args)}
            for uid, p in ds.processors.items()
        },
        "fields_specifications": {
            uid: {"name": f.name, "args": copy.deepcopy(f.args), "label": f.label}
            for uid, f in ds.field_specs.items()
        },
        "security": {
            "access_policy": ds.visibility,
            "rulesets": {name: _rules(r) for name, r in ds.rulesets.items()},
            "group_rulesets": {g: _rules(r) for g, r in ds.group_rulesets.items()},
            "default": {
                "is_data_visible": d.is_data_visible,
                "visible_fields": list(d.visible_fields),
                "filter_query": d.filter_query,
                "api_calls_quota": copy.deepcopy(d.api_calls_quota),
            },
        },
        **{section: _files(getattr(ds, section)) for section in FILE_SECTIONS},
    }


def _files(files: dict[str, Attachment]) -> dict[str, Any]:
    return {uid: _file(a) for uid, a in files.items()}


def _file(a: Attachment) -> dict[str, Any]:
    """``{"url"}``, and a title and description once given (older snapshots lack them)."""
    out: dict[str, Any] = {"url": a.url}
    if a.title:
        out["title"] = a.title
    if a.description:
        out["description"] = a.description
    return out


def _rules(r: Ruleset | GroupRuleset) -> dict[str, Any]:
    return {
        "is_data_visible": r.is_data_visible,
        "visible_fields": list(r.visible_fields),
        "filter_query": r.filter_query,
        "api_calls_quota": copy.deepcopy(r.api_calls_quota),
        "permissions": list(r.permissions),
    }


def diff(before: Snapshot, after: Snapshot) -> list[Edit]:
    """The changed values: each ``{"path": [keys...], "before": ..., "after": ...}``."""
    out: list[Edit] = []
    _walk(before, after, [], out)
    return out


def _walk(before: Any, after: Any, path: list[str], out: list[Edit]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            _walk(before.get(key), after.get(key), [*path, str(key)], out)
    elif before != after:
        out.append({"path": path, "before": before, "after": after})


def edits_of(stored: list[Edit] | dict[str, dict[str, Any]]) -> list[Edit]:
    """A change's edits, also from a log kept before paths were lists (keyed by a dotted
    path: a key holding a dot is then split, the one thing that form could not say)."""
    if isinstance(stored, list):
        return stored
    return [{"path": key.split("."), **values} for key, values in stored.items()]


def record(ds: Dataset, user: str, t: float, before: Snapshot, keep: int) -> Change | None:
    """Log an edit if it changed anything, keeping the newest ``keep``; return the change."""
    after = snapshot(ds)
    changes = diff(before, after)
    if not changes:
        return None
    sections = [s for s in SECTIONS if any(e["path"][0] == s for e in changes)]
    number = ds.changes[-1].change_uid + 1 if ds.changes else 1
    change = Change(number, user, t, sections, changes, after)
    ds.changes = (*ds.changes, change)[-keep:]
    ds.last_modified = t
    return change


def find(ds: Dataset, change_uid: int) -> Change | None:
    """A change still in the log, by its uid."""
    first = ds.changes[0].change_uid if ds.changes else 1
    index = change_uid - first
    return ds.changes[index] if 0 <= index < len(ds.changes) else None


def restore(ds: Dataset, target: Snapshot) -> None:
    """Make the configuration the snapshot's (the dataset id is handled by the caller)."""
    ds.metas = copy.deepcopy(target["metas"])
    resources: dict[str, Resource] = {}
    for uid, conf in target["resources"].items():
        current = ds.resources.get(uid)
        data = {k: conf[k] for k in DATA_KEYS}
        if current is None:
            resources[uid] = Resource(
                uid,
                conf["title"],
                conf["url"],
                conf["type"],
                conf["records"],
                copy.deepcopy(conf["params"]),
                fields=dict(conf["fields"]),
            )
            continue
        if {k: getattr(current, k) for k in DATA_KEYS} != data:
            current.revision += 1
        current.title, current.url, current.type = conf["title"], conf["url"], conf["type"]
        current.records, current.fields = conf["records"], dict(conf["fields"])
        current.params = copy.deepcopy(conf["params"])
        resources[uid] = current
    ds.resources = resources
    processors = {
        uid: Processor(uid, p["name"], p["label"], copy.deepcopy(p["args"]))
        for uid, p in target["processors"].items()
    }
    # a change logged before field specifications were kept has none
    specs = {
        uid: FieldSpec(uid, f["name"], copy.deepcopy(f["args"]), f.get("label"))
        for uid, f in target.get("fields_specifications", {}).items()
    }
    if snapshot_of_processors(ds.processors, ds.field_specs) != snapshot_of_processors(
        processors, specs
    ):
        ds.processors_revision += 1
    ds.processors = processors
    ds.field_specs = specs
    security = target["security"]
    ds.visibility = security["access_policy"]
    ds.rulesets = {
        name: Ruleset(
            name,
            r["is_data_visible"],
            list(r["visible_fields"]),
            r["filter_query"],
            copy.deepcopy(r["api_calls_quota"]),
            list(r["permissions"]),
        )
        for name, r in security["rulesets"].items()
    }
    ds.group_rulesets = {
        group_id: GroupRuleset(
            group_id,
            r["is_data_visible"],
            list(r["visible_fields"]),
            r["filter_query"],
            copy.deepcopy(r["api_calls_quota"]),
            list(r["permissions"]),
        )
        for group_id, r in security.get("group_rulesets", {}).items()
    }
    default = security.get("default", RESET_DEFAULT)
    ds.default_security = DefaultSecurity(
        default["is_data_visible"],
        list(default["visible_fields"]),
        default["filter_query"],
        copy.deepcopy(default["api_calls_quota"]),
    )
    for section in FILE_SECTIONS:
        files = {
            uid: Attachment(uid, a["url"], a.get("title", ""), a.get("description", ""))
            for uid, a in target.get(section, {}).items()
        }
        setattr(ds, section, files)


def snapshot_of_processors(
    processors: dict[str, Processor], specs: dict[str, FieldSpec]
) -> list[tuple[str, str, Any]]:
    """What the records depend on: processors and field specifications, in order."""
    return [(uid, p.name, p.args) for uid, p in processors.items()] + [
        (uid, f.name, f.args) for uid, f in specs.items()
    ]
