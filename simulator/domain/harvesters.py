"""Harvesters: their fetchers, their settings, and the remote catalogue a harvest reads.

A harvester imports the datasets of a remote catalogue. Its id is a slug of its name
(``"My Harvester"`` -> ``my-harvester``), as the platform's example and real callers
show. A harvest creates an unpublished dataset for each remote dataset it has not
seen yet and updates the others; publishing the harvester publishes them all.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import cron
from .datagen import SUBJECTS, faker
from .errors import InvalidParameter
from .limits import as_boolean, echo
from .metadata import closest
from .statemachine import HarvesterStatus
from .store import slugify

#: A fetcher parameter: its name, its type (``string`` or ``boolean``), whether a
#: harvest needs it, and its label.
Parameter = tuple[str, str, bool, str]

#: The settings every fetcher takes (the ``ods`` example's, shared in the platform's
#: Automation API by every harvester type).
_COMMON: tuple[Parameter, ...] = (
    ("delete", "boolean", False, "Delete datasets removed from remote portal"),
    ("forced_metas", "string", False, "Forced metadata as a JSON object"),
    (
        "restrict_visibility",
        "boolean",
        False,
        "Make the visibility of newly harvested datasets restricted "
        "(does not update visibility of existing datasets)",
    ),
)


def _p(name: str, mandatory: bool = False, kind: str = "string") -> Parameter:
    return (name, kind, mandatory, name.replace("_", " ").capitalize())


#: Every fetcher: its label and its own parameters (the ``ods`` one as documented, the
#: others from the user guide's parameter names).
FETCHERS: dict[str, tuple[str, tuple[Parameter, ...]]] = {
    "ods": (
        "Opendatasoft",
        (
            ("api_key", "string", False, "Api key"),
            ("domain_id", "string", True, "Domain (ID or URL)"),
            ("refines", "string", False, "Refines"),
        ),
    ),
    "csw": (
        "CSW",
        (
            _p("url", True),
            _p("user"),
            _p("password"),
            _p("theme_thesaurus"),
            _p("constraint_language"),
            _p("invert_coordinates", kind="boolean"),
        ),
    ),
    "ckan": (
        "CKAN",
        (_p("url", True), _p("limit"), _p("offset"), _p("sort"), _p("api_key"), _p("group")),
    ),
    "socrata": ("Socrata", (_p("url", True),)),
    "arcgis": ("ArcGIS", (_p("arcgis_url", True),)),
    "arcgis_opendata": (
        "ArcGIS Hub",
        (
            _p("portal_url", True),
            _p("compute_geo_area", kind="boolean"),
            _p("fetch_data", kind="boolean"),
        ),
    ),
    "datagouv": (
        "data.gouv.fr",
        (_p("organization_id", True), _p("attachment"), _p("filter_name"), _p("filter_value")),
    ),
    "datajson": ("DCAT data.json", (_p("url", True), _p("number_of_datasets"))),
    "ftp": (
        "FTP",
        (
            _p("host", True),
            _p("user", True),
            _p("password", True),
            _p("subdir"),
            _p("metadata_file"),
            _p("metadata_joinkey"),
        ),
    ),
    "ftp_csv": (
        "FTP with CSV metadata (deprecated)",
        (
            _p("host", True),
            _p("user", True),
            _p("passwd", True),
            _p("subdir"),
            _p("metadata_file", True),
            _p("metadata_joinkey"),
        ),
    ),
    "ftp_with_meta_csv": (
        "FTP with meta CSV",
        (
            _p("host", True),
            _p("user", True),
            _p("password", True),
            _p("subdir"),
            _p("metadata_file", True),
            _p("resource_location_column"),
            _p("resource_schema_column"),
        ),
    ),
    "junar": (
        "Junar",
        (_p("portal_url", True), _p("auth_key", True), _p("query_string"), _p("categories")),
    ),
    "omi_node": ("O-MI node", (_p("url", True), _p("omi_node_version"), _p("infoitems_limit"))),
    "quandl": (
        "Quandl",
        (_p("database_code", True), _p("api_key", True), _p("number_of_datasets", True)),
    ),
    "wfs": ("WFS", (_p("url", True),)),
}

#: Each type's parameters in the Automation API v1.0 (``<Type>Harvester`` schemas), in
#: the specification's order: name, kind (``string``, ``boolean``, ``integer``,
#: ``object``), whether it is required there, and the Management API's name of it.
AutomationParameter = tuple[str, str, bool, str]


def _a(
    name: str, kind: str = "string", required: bool = False, v2: str = ""
) -> AutomationParameter:
    return (name, kind, required, v2 or name)


_DL = _a("download_resources", "boolean")
_MO = _a("metadata_only", "boolean")
_FTP = (_a("host", required=True), _a("user", required=True), _a("password", required=True))
AUTOMATION_PARAMETERS: dict[str, tuple[AutomationParameter, ...]] = {
    "arcgis": (_a("url", required=True, v2="arcgis_url"), _DL, _MO),
    "arcgis_opendata": (
        _a("url", required=True, v2="portal_url"),
        _a("compute_geo_area", "boolean"),
        _a("fetch_data", "boolean"),
        _DL,
        _MO,
    ),
    "ckan": (
        _a("url", required=True),
        _a("limit", "integer"),
        _a("offset", "integer"),
        _a("sort"),
        _a("api_key"),
        _a("group"),
        _a("language"),
        _a("query"),
        _DL,
        _MO,
    ),
    "csw": (
        _a("url", required=True),
        _a("keywords_thesaurus"),
        _a("theme_thesaurus"),
        _a("insert_br_in_description", "boolean"),
        _a("constraint_language", "boolean"),
        _a("invert_coordinates", "boolean"),
        _a("themes_mapping", "object"),
        _a("licenses_mapping", "object"),
        _MO,
    ),
    "datagouv": (
        _a("organization_id", required=True),
        _a("attachment", "boolean"),
        _a("filter_name"),
        _a("filter_value"),
        _DL,
        _MO,
    ),
    "datajson": (_a("url", required=True), _a("number_of_datasets", "integer"), _DL, _MO),
    "ftp": (*_FTP, _a("directory", v2="subdir"), _a("meta"), _DL, _MO),
    "ftp_csv": (
        *_FTP[:2],
        _a("password", required=True, v2="passwd"),
        _a("directory", v2="subdir"),
        _a("metadata_file", required=True),
        _a("metadata_join_key", v2="metadata_joinkey"),
        _DL,
        _MO,
    ),
    "ftp_with_meta_csv": (
        *_FTP,
        _a("directory", v2="subdir"),
        _a("metadata_file", required=True),
        _a("resource_location_column"),
        _a("resource_schema_column"),
        _a("csv_separator"),
        _DL,
        _MO,
    ),
    "junar": (
        _a("url", required=True, v2="portal_url"),
        _a("auth_key", required=True),
        _a("query_string"),
        _a("categories"),
        _DL,
        _MO,
    ),
    "omi_node": (
        _a("url", required=True),
        _a("infoitems_limit", "integer"),
        _a("omi_node_version"),
        _DL,
        _MO,
    ),
    "ods": (_a("domain", required=True, v2="domain_id"), _a("refines"), _a("api_key")),
    "quandl": (
        _a("database_code", required=True),
        _a("api_key", required=True),
        _a("number_of_datasets", "integer", required=True),
        _DL,
        _MO,
    ),
    "socrata": (_a("url", required=True), _DL, _MO),
    "wfs": (_a("url", required=True), _MO),
}


def _extra(fetcher: str) -> tuple[Parameter, ...]:
    own = {p[0] for p in FETCHERS[fetcher][1] + _COMMON}
    return tuple(
        (v2, kind, False, v2.replace("_", " ").capitalize())
        for _, kind, _, v2 in AUTOMATION_PARAMETERS[fetcher]
        if v2 not in own
    )


#: Parameters only the Automation API names: kept like the others, not in the
#: Management API's fetcher catalogue.
EXTRA_PARAMETERS: dict[str, tuple[Parameter, ...]] = {f: _extra(f) for f in FETCHERS}

#: The keys of a schedule, as the Automation API's ``HarvesterSchedule`` has them.
SCHEDULE_KEYS = ("cron_schedule", "timezone")

#: Parameters whose value is a secret: shown as ``null`` once set.
SECRETS = frozenset({"api_key", "password", "passwd", "auth_key"})

#: How many harvesters a domain may hold (a bound on what a client can make us keep).
MAX_HARVESTERS = 1000
#: How many datasets one remote catalogue may hold.
MAX_REMOTE_DATASETS = 1000
#: How long a harvest takes: a fixed part, then a part per remote dataset (seconds).
HARVEST_BASE = 20.0
HARVEST_PER_DATASET = 5.0
#: How many datasets the remote catalogue of a harvester the scenario does not
#: describe holds.
DEFAULT_REMOTE_DATASETS = 3


def parameters(fetcher: str) -> tuple[Parameter, ...]:
    return FETCHERS[fetcher][1] + _COMMON


@dataclass(frozen=True, slots=True)
class RemoteDataset:
    """A dataset of a remote catalogue: its remote id, its metadata and its records."""

    remote_id: str
    title: str
    description: str = ""
    records: int = 0


@dataclass(slots=True)
class Harvester:
    #: Fields added since snapshots were first written (see the snapshots' digests).
    ADDED_FIELDS: ClassVar[tuple[str, ...]] = (
        "error_message",
        "resource_error_messages",
        "last_started_at",
        "last_success_at",
        "remote_count",
    )

    harvester_id: str
    name: str
    fetcher: str
    params: dict[str, Any] = field(default_factory=dict)
    #: ``None``, or one schedule ``{cron_schedule, timezone}`` in a list.
    schedules: list[dict[str, str]] | None = None
    status: HarvesterStatus = HarvesterStatus.NEW
    version: int = 1
    created_at: float = 0.0
    last_modified_at: float = 0.0
    last_modified_by: str = ""
    #: The dataset uid made from each remote dataset, by remote id, in harvest order.
    datasets: dict[str, str] = field(default_factory=dict)
    #: Errors of the last harvest: on resources, and of the harvester itself.
    resource_errors: int = 0
    harvester_errors: int = 0
    #: What those errors say: the harvester's own, and each remote dataset's by id.
    error_message: str | None = None
    resource_error_messages: dict[str, str] = field(default_factory=dict)
    #: When its last harvest began (a worker took it), and when one last ended well.
    last_started_at: float | None = None
    last_success_at: float | None = None
    #: How many datasets the remote catalogue held at the last harvest.
    remote_count: int = 0


def harvester_id(name: str) -> str:
    """The id a harvester's name gives it."""
    return slugify(name)


def check_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise InvalidParameter("name", f"expected a harvester's name (1 to 255), got {echo(value)}")
    if not harvester_id(value):
        raise InvalidParameter("name", f"expected letters or digits in the name, got {echo(value)}")
    return value


def check_fetcher(value: Any) -> str:
    """A fetcher type, given as ``"ods"`` or as the object a harvester is read with."""
    kind = value.get("type") if isinstance(value, dict) else value
    if not isinstance(kind, str) or kind not in FETCHERS:
        shown = kind if isinstance(kind, str) else ""
        raise InvalidParameter(
            "fetcher",
            f"unknown fetcher {echo(kind)}{closest(shown, FETCHERS)}; known: {', '.join(FETCHERS)}",
        )
    return kind


def check_params(fetcher: str, value: Any) -> dict[str, Any]:
    """A fetcher's parameter values: known names only, booleans read leniently."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidParameter("params", f"expected a JSON object, got {echo(value)}")
    known = {name: kind for name, kind, _, _ in parameters(fetcher) + EXTRA_PARAMETERS[fetcher]}
    out: dict[str, Any] = {}
    for name, given in value.items():
        if name not in known:
            raise InvalidParameter(
                f"params.{name}",
                f"not a parameter of the '{fetcher}' fetcher{closest(name, known)}; "
                f"known: {', '.join(known)}",
            )
        if given is None:
            continue
        if known[name] == "integer":
            number = _integer(given)
            if number is None:
                raise InvalidParameter(f"params.{name}", f"expected an integer, got {echo(given)}")
            out[name] = number
        elif known[name] == "object":
            if not isinstance(given, dict) or len(json.dumps(given)) > 10_000:
                raise InvalidParameter(
                    f"params.{name}",
                    f"expected a JSON object (10,000 characters), got {echo(given)}",
                )
            out[name] = given
        elif known[name] == "boolean":
            flag = as_boolean(given)
            if flag is None:
                raise InvalidParameter(f"params.{name}", f"expected a boolean, got {echo(given)}")
            out[name] = flag
        elif isinstance(given, (str, int, float)) and not isinstance(given, bool):
            text = str(given)
            if len(text) > 10_000:
                raise InvalidParameter(f"params.{name}", "expected at most 10,000 characters")
            out[name] = text
        elif name == "forced_metas" and isinstance(given, dict):
            out[name] = json.dumps(given)[:10_000]
        else:
            raise InvalidParameter(f"params.{name}", f"expected a string, got {echo(given)}")
    return out


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) <= 2**31:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) <= 10:
        return int(value)
    return None


def missing(fetcher: str, params: dict[str, Any]) -> list[str]:
    """The mandatory parameters not set."""
    return [name for name, _, needed, _ in parameters(fetcher) if needed and name not in params]


def check_schedules(value: Any) -> list[dict[str, str]] | None:
    """``null``, or a list of at most one schedule ``{cron_schedule, timezone}``.

    The Automation API's ``HarvesterSchedule`` carries these two keys, and "a harvester
    can only have one schedule"; the user guide says it runs at most once a day, so
    the cron expression gives one minute and one hour.
    """
    if value is None or value == []:
        return None
    if not isinstance(value, list) or len(value) > 1:
        raise InvalidParameter(
            "schedules",
            f"expected null or a list of one schedule (a harvester has at most one), "
            f"got {echo(value)}",
        )
    given = value[0]
    if not isinstance(given, dict):
        raise InvalidParameter(
            "schedules", f"expected a schedule {{cron_schedule, timezone}}, got {echo(given)}"
        )
    for key in given:
        if key not in SCHEDULE_KEYS:
            raise InvalidParameter(
                f"schedules[0].{key}",
                f"not a key of a schedule{closest(str(key), SCHEDULE_KEYS)}; "
                f"known: {', '.join(SCHEDULE_KEYS)}",
            )
    for key in SCHEDULE_KEYS:
        if not isinstance(given.get(key), str):
            raise InvalidParameter(
                f"schedules[0].{key}", f"expected a string, got {echo(given.get(key))}"
            )
    expression, zone = given["cron_schedule"], given["timezone"]
    try:
        cron.parse(expression, daily=True)
    except cron.CronError as exc:
        raise InvalidParameter("schedules[0].cron_schedule", str(exc)) from None
    if time_zone(zone) is None:
        raise InvalidParameter(
            "schedules[0].timezone",
            f"expected a time zone of the tz database (e.g. Europe/Berlin), got {echo(zone)}",
        )
    return [{"cron_schedule": expression, "timezone": zone}]


def time_zone(name: str) -> ZoneInfo | None:
    """The time zone of this name, or ``None`` if there is none."""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def next_firing(schedules: list[dict[str, str]] | None, moment: datetime) -> datetime | None:
    """When a harvester's schedule fires next, strictly after ``moment``."""
    if not schedules:
        return None
    zone = time_zone(schedules[0]["timezone"])
    if zone is None:  # checked when it was set
        return None
    return cron.parse(schedules[0]["cron_schedule"], daily=True).next_after(moment, zone)


def harvest_duration(count: int) -> float:
    return HARVEST_BASE + HARVEST_PER_DATASET * count


def remote_catalogue(seed: int, harvester: str, count: int) -> tuple[RemoteDataset, ...]:
    """``count`` plausible remote datasets, the same for the same seed and harvester."""
    fake = faker(f"{seed}:harvester:{harvester}")
    rng = random.Random(f"{seed}:harvester:{harvester}")
    out: list[RemoteDataset] = []
    for _ in range(count):
        subject = rng.choice(SUBJECTS)[0]
        title = f"{subject} in {fake.city()}"
        remote_id = f"{slugify(title)[:80]}-{rng.randrange(16**4):04x}"
        out.append(
            RemoteDataset(remote_id, title, fake.paragraph(nb_sentences=2), rng.randrange(10, 500))
        )
    return tuple(out)
