"""A resource as the Automation API writes it, and reading one back into the service's terms.

The service keeps a resource's source as one URL; this API writes it as a
``datasource``:

- ``odsfile://<file uid>`` is ``{"type": "uploaded_file", "file": {"uid"}}``;
- ``http(s)://host/path`` is ``{"type": "http", "connection": {"type": "http", "url":
  "http(s)://host", "auth": null}, "relative_url": "/path", "headers": []}``;
- a realtime resource's ``realtime://...`` is ``{"type": "realtime"}``.

A resource's ``type`` is its extractor (``csvfile``, ``jsonfile``...). Besides the
specification's body, the flat body some clients send (``{"type": "http", "connection":
{"url"}, "relative_url", "title", "extractor_type"}``, no ``datasource``) is read too:
its ``type`` is the datasource's, ``extractor_type`` the extractor.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ...domain.errors import InvalidParameter
from ...domain.extractors import CATALOGUE as EXTRACTORS
from ...domain.extractors import Extractor, guess
from ...domain.limits import MAX_URL, echo
from ...domain.metadata import closest
from ...domain.store import ODSFILE
from ...service.commands import ResourceSpec
from ...service.views import FileView, PreviewView, ResourceView

#: The datasource types this API reads.
DATASOURCE_TYPES = ("uploaded_file", "http")
#: What ``expand`` may name.
EXPANDS = ("datasource.connection", "datasource.dataset")
#: Keys of a resource as read: sent back, ignored.
READ_ONLY = ("uid", "display_name", "extraction_infos", "origin", "updated_at")
WRITABLE = ("type", "title", "params", "datasource")
#: The flat body's keys (no ``datasource``).
FLAT = ("connection", "relative_url", "headers", "extractor_type")
_ORIGINS = {"uploaded_file": "Uploaded file", "http": "HTTP", "realtime": "Realtime"}


# writing ------------------------------------------------------------------------------


def _extractor(resource: ResourceView) -> str:
    """The extractor's name: the simulator's ``http`` type is a remote CSV file."""
    return "csvfile" if resource.type == "http" else resource.type


def datasource_json(url: str) -> dict[str, Any]:
    if url.startswith(ODSFILE):
        return {"type": "uploaded_file", "file": {"uid": url.removeprefix(ODSFILE)}}
    if url.startswith(("http://", "https://")):
        parts = urlsplit(url)
        relative = url[len(f"{parts.scheme}://{parts.netloc}") :] or "/"
        return {
            "type": "http",
            "connection": {"type": "http", "url": f"{parts.scheme}://{parts.netloc}", "auth": None},
            "relative_url": relative,
            "headers": [],
        }
    return {"type": "realtime"}


def resource_json(r: ResourceView) -> dict[str, Any]:
    """A resource, keys in the specification's example order."""
    source = {"type": "realtime"} if r.type == "realtime" else datasource_json(r.url)
    extractor = EXTRACTORS.get(_extractor(r))
    shown = r.url if source["type"] == "http" else r.url.removeprefix(ODSFILE)
    return {
        "uid": r.resource_uid,
        "type": _extractor(r),
        "title": r.title,
        "display_name": shown,
        "extraction_infos": None
        if extractor is None
        else {"label": extractor.label, "type": extractor.type},
        "origin": {"label": _ORIGINS[source["type"]], "type": source["type"]},
        "params": r.params,
        "datasource": source,
    }


def file_json(f: FileView, iso: Any) -> dict[str, Any]:
    """A ``DatasetFile``: its uid is the name-like id the upload got."""
    return {
        "uid": f.file_id,
        "filename": f.filename,
        "mimetype": f.mimetype,
        "created_at": iso(f.created),
    }


def extractor_json(e: Extractor) -> dict[str, Any]:
    return {
        "type": e.type,
        "label": e.label,
        "parameters": [
            {
                "type": p.type,
                "is_mandatory": False,
                "name": p.name,
                "label": p.label,
                "description": p.description,
            }
            for p in e.parameters
        ],
    }


def preview_json(p: PreviewView) -> dict[str, Any]:
    """``{fields, records}``: a field is ``{name, label, type, original_name,
    description, annotations: [{name, args}]}``."""
    return {
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "original_name": f.original_name,
                "description": f.description,
                "annotations": [{"name": n, "args": list(a)} for n, a in f.annotations],
            }
            for f in p.fields
        ],
        "records": list(p.records),
    }


# reading ------------------------------------------------------------------------------


def _object(raw: Any, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        shown = "nothing" if raw is None else type(raw).__name__
        raise InvalidParameter(name, f"expected a JSON object, got {shown}")
    return raw


def _string(raw: Any, name: str) -> str:
    if not isinstance(raw, str) or not raw:
        raise InvalidParameter(name, "expected a non-empty string")
    return raw


def source_url(raw: Any, where: str = "datasource") -> str:
    """The URL the service keeps for a ``datasource`` (checked)."""
    given = _object(raw, where)
    kind = given.get("type")
    if kind not in DATASOURCE_TYPES:
        hint = closest(kind, DATASOURCE_TYPES) if isinstance(kind, str) else ""
        shown = echo(kind) if isinstance(kind, str) else repr(kind)
        raise InvalidParameter(
            f"{where}.type",
            f"expected one of {', '.join(DATASOURCE_TYPES)}, got {shown}{hint}",
        )
    if kind == "uploaded_file":
        file = given.get("file")
        uid = file.get("uid") if isinstance(file, dict) else None
        return ODSFILE + _string(uid, f"{where}.file.uid")
    connection = given.get("connection")
    if not isinstance(connection, dict):
        raise InvalidParameter(f"{where}.connection", "expected {url} or {uid}")
    if "url" not in connection:
        if "uid" in connection:
            raise InvalidParameter(
                f"{where}.connection",
                f"no datasource connection {echo(str(connection['uid']))} is known: "
                "give the connection itself, {type: http, url}",
            )
        raise InvalidParameter(f"{where}.connection.url", "this field is required")
    base = _string(connection["url"], f"{where}.connection.url")
    relative = given.get("relative_url") or ""
    if not isinstance(relative, str):
        raise InvalidParameter(f"{where}.relative_url", "expected a string")
    headers = given.get("headers", [])
    if headers is not None and not isinstance(headers, list):
        raise InvalidParameter(f"{where}.headers", "expected a list of {name, value}")
    url = base if not relative else base.rstrip("/") + "/" + relative.lstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidParameter(f"{where}.connection.url", f"expected http(s)://, got {echo(url)}")
    if len(url) > MAX_URL or not url.isprintable() or any(c.isspace() for c in url):
        raise InvalidParameter(
            f"{where}.connection.url",
            f"expected a URL of at most {MAX_URL} printable characters without spaces",
        )
    return url


def _flat(given: dict[str, Any]) -> dict[str, Any]:
    """The flat body, as the specification's: ``{type: extractor, datasource: {...}}``."""
    source = {
        "type": given.get("type"),
        "connection": given.get("connection"),
        "relative_url": given.get("relative_url"),
        "headers": given.get("headers", []),
    }
    out = {k: v for k, v in given.items() if k not in (*FLAT, "type")}
    out["datasource"] = source
    if given.get("extractor_type") is not None:
        out["type"] = given["extractor_type"]
    return out


def _params(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    return dict(_object(raw, "params"))


def _type(raw: Any, url: str) -> str:
    """The extractor: the one named, else the one guessed from the source."""
    if raw is None:
        return guess(url.removeprefix(ODSFILE))[0].type
    if not isinstance(raw, str) or raw not in EXTRACTORS or raw == "realtime":
        kinds = [k for k in EXTRACTORS if k != "realtime"]
        shown = echo(raw) if isinstance(raw, str) else repr(raw)
        hint = closest(raw, kinds) if isinstance(raw, str) else ""
        raise InvalidParameter("type", f"expected one of {', '.join(kinds)}, got {shown}{hint}")
    return raw


def resource(
    body: Any, current: ResourceView | None = None, simulated: ResourceView | None = None
) -> ResourceSpec:
    """A resource body: the specification's, or the flat one (see the module's text).

    On an update, what is left out stays as it was; ``simulated``: the resource is a
    simulated source, whose records and fields stay while its URL does.
    """
    given = _object(body if body is not None else {}, "body")
    if "datasource" not in given and "connection" in given:
        given = _flat(given)
    for key in given:
        if key not in WRITABLE + READ_ONLY:
            raise InvalidParameter(
                key, f"unknown field{closest(key, WRITABLE)}; writable: {', '.join(WRITABLE)}"
            )
    if "datasource" in given:
        url = source_url(given["datasource"])
    elif current is not None:
        url = current.url
    else:
        raise InvalidParameter("datasource", "this field is required")
    if url.startswith("realtime://"):
        kind = "realtime"
    elif given.get("type") is None and current is not None:
        kind = current.type
    else:
        kind = _type(given.get("type"), url)
    title = given.get("title")
    if title is None and current is not None:
        title = current.title
    if title is not None:
        title = _string(title, "title")
    params = (
        _params(given["params"])
        if "params" in given
        else (dict(current.params) if current is not None else {})
    )
    if simulated is not None and url == simulated.url:
        return ResourceSpec(url, title, kind, params, simulated.records, dict(simulated.fields))
    return ResourceSpec(url, title, kind, params)


def unsaved(body: Any) -> ResourceSpec:
    """``{datasource, type, params}``: a resource not saved, for a preview or a guess."""
    given = _object(body if body is not None else {}, "body")
    url = source_url(given.get("datasource"))
    return ResourceSpec(url, None, _type(given.get("type"), url), _params(given.get("params")))


def expand(raw: str | None) -> None:
    """``expand`` names known parts; the datasource is always written in full."""
    if raw is None or raw == "":
        return
    for name in raw.split(","):
        if name not in EXPANDS:
            raise InvalidParameter(
                "expand",
                f"expected {' or '.join(EXPANDS)}, got {echo(name)}{closest(name, EXPANDS)}",
            )
