"""State files written before metadata spoke the platform's vocabulary, read into it.

Snapshots of format versions 1 and 2 hold metadata as the simulator had it then:
fields the platform does not have (``default.license_url``, ``default.metadata_languages``,
``default.territory``, ``internal.notes``), ``visualization.image_enabled`` where the
platform has ``images_disabled``, ``dcat.created`` and ``dcat.issued`` as datetimes where
the platform has dates, datetimes without a time zone, and values kept as sent rather
than in one canonical form; their uploads had 32-hex ids drawn from the seed, where
ids are now made from file names. Before such a snapshot is replayed, its scenario, its base
(the world written down whole) and its journal are rewritten: a value is put in its
canonical form, a datetime without a zone is read as UTC, a datetime given for a date
keeps its date, ``image_enabled`` becomes the opposite ``images_disabled``, a field
the platform does not have (or a value no rule can read) is dropped, with the journal
lines that did nothing else, and an upload is replayed with a drawn id, as it was.

The datasets replayed from an older snapshot cannot be the ones saved, value for value
(their metadata is rewritten, and their change logs now keep each edit's path as a list
of keys): its restore compares everything but the datasets' digest and the journal's
length. ``changed`` says whether the rewriting changed anything; the scenario's text is
replaced by the rewritten document only then.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from ..domain.errors import SimulatorError
from ..domain.limits import as_boolean
from ..domain.metadata import DATE, DATETIME, TEMPLATES, coerce, find_field, parse_datetime

Metas = dict[str, Any]


def migrate_value(template: str, name: str, value: Any) -> tuple[str, str, Any] | None:
    """Where a value written before goes now, and in which form; ``None``: nowhere."""
    if (template, name) == ("visualization", "image_enabled"):
        flag = as_boolean(value)
        if value is None:
            return "visualization", "images_disabled", None
        return None if flag is None else ("visualization", "images_disabled", not flag)
    field = find_field(template, name)
    if field is None or field.read_only:
        return None
    try:
        return template, name, coerce(field, value, "value")
    except SimulatorError:
        pass
    if field.type in (DATE, DATETIME):
        moment = parse_datetime(value)
        if moment is None and isinstance(value, str):
            moment = parse_datetime(f"{value.strip()}T00:00:00")  # a date given for a datetime
        if moment is not None:
            if field.type == DATE:
                return template, name, moment.date().isoformat()
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return template, name, moment.astimezone(UTC).isoformat()
    return None


class Migration:
    """One snapshot's rewriting; ``changed`` tells whether it rewrote anything."""

    def __init__(self) -> None:
        self.changed = False

    def metas(self, metas: Any, keep_none: bool = False) -> Any:
        """``metas`` by template, rewritten; ``None`` values kept only if asked (updates)."""
        if not isinstance(metas, dict):
            return metas
        out: dict[str, Any] = {}
        for template, values in metas.items():
            known = TEMPLATES.get(template)
            if not isinstance(values, dict) or known is None or known.read_only:
                out[template] = values  # as the code of today reads it (or refuses it)
                continue
            out.setdefault(template, {})
            for name, value in values.items():
                moved = migrate_value(template, name, value)
                if moved is None or (moved[2] is None and not keep_none):
                    self.changed = True  # dropped (a stored null included)
                    continue
                new_template, new_name, new_value = moved
                if (new_template, new_name) != (template, name) or not _same(new_value, value):
                    self.changed = True
                out.setdefault(new_template, {})[new_name] = new_value
        return out

    def overrides(self, overrides: Any) -> Any:
        """``override_remote_value`` flags by ``template.name``, for the fields kept."""
        if not isinstance(overrides, dict):
            return overrides
        out: dict[str, Any] = {}
        for key, flag in overrides.items():
            template, _, name = str(key).partition(".")
            moved = migrate_value(template, name, None)
            if moved is None:
                self.changed = True
                continue
            out[f"{moved[0]}.{moved[1]}"] = flag
            self.changed = self.changed or moved[:2] != (template, name)
        return out

    # the parts of a snapshot ---------------------------------------------------------------

    def scenario(self, data: Any) -> Any:
        """A scenario document: the metadata its datasets are given."""
        if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
            return data
        for item in data["datasets"]:
            if isinstance(item, dict) and "metas" in item:
                item["metas"] = self.metas(item["metas"])
        return data

    def base(self, base: Any) -> None:
        """The world written down whole: each dataset's metas, flags and change log."""
        store = base.get("store") if isinstance(base, dict) else None
        datasets = store.get("datasets") if isinstance(store, dict) else None
        for ds in datasets if isinstance(datasets, list) else []:
            if not isinstance(ds, dict):
                continue
            ds["metas"] = self.metas(ds.get("metas"))
            ds["meta_overrides"] = self.overrides(ds.get("meta_overrides"))
            for change in ds.get("changes") or []:
                config = change.get("snapshot") if isinstance(change, dict) else None
                if isinstance(config, dict) and "metas" in config:
                    config["metas"] = self.metas(config["metas"])

    def journal(self, lines: list[Any]) -> list[Any]:
        """The journal's lines, rewritten; those left with nothing to do are dropped."""
        out = []
        for line in lines:
            kept = self._line(line)
            if kept is None:
                self.changed = True
            else:
                out.append(kept)
        return out

    def _line(self, line: Any) -> Any:
        if not isinstance(line, list) or len(line) != 3 or not isinstance(line[2], dict):
            return line
        t, name, args = line
        body = args.get("body")
        if name in ("set_metadata", "reset_metadata"):
            template, field = args.get("template"), args.get("name")
            if not isinstance(template, str) or not isinstance(field, str):
                return line
            moved = migrate_value(template, field, None)
            if moved is None:
                return None
            args = {**args, "template": moved[0], "name": moved[1]}
            if name == "set_metadata" and isinstance(body, dict):
                item = self._item(body)
                if item is None:
                    return None
                args["body"] = item
        elif name == "set_metadata_bulk" and isinstance(body, list):
            items = [self._item(item) if isinstance(item, dict) else item for item in body]
            kept = [item for item in items if item is not None]
            if not kept:
                return None
            args = {**args, "body": kept}
        elif name in ("create_dataset", "update_dataset") and isinstance(body, dict):
            metas = self.metas(body.get("metas"), keep_none=name == "update_dataset")
            args = {**args, "body": {**body, "metas": metas}}
        elif name == "upload_file":
            args = {**args, "drawn_id": True}  # the 32-hex id it was given then
        return [t, name, args]

    def _item(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """A metadata change (``template``, ``name``, ``value``...), rewritten."""
        template, name, value = item.get("template"), item.get("name"), item.get("value")
        if not isinstance(template, str) or not isinstance(name, str):
            return item
        moved = migrate_value(template, name, value)
        if moved is None:
            self.changed = True
            return None
        if moved[:2] != (template, name) or not _same(moved[2], value):
            self.changed = True
        return {**item, "template": moved[0], "name": moved[1], "value": moved[2]}


def _same(a: Any, b: Any) -> bool:
    """Equal and of one type: ``True`` is not ``1``, nor ``3.0`` ``3``."""
    return type(a) is type(b) and a == b
