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
from typing import Any

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
    harvester_id: str
    name: str
    fetcher: str
    params: dict[str, Any] = field(default_factory=dict)
    schedules: Any = None
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
    known = {name: kind for name, kind, _, _ in parameters(fetcher)}
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
        if known[name] == "boolean":
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


def missing(fetcher: str, params: dict[str, Any]) -> list[str]:
    """The mandatory parameters not set."""
    return [name for name, _, needed, _ in parameters(fetcher) if needed and name not in params]


def check_schedules(value: Any) -> Any:
    """``null``, or a list of schedules kept as sent (their shape is not published)."""
    if value is None or value == []:
        return None
    if (
        not isinstance(value, list)
        or len(value) > 10
        or not all(isinstance(s, dict) for s in value)
    ):
        raise InvalidParameter(
            "schedules", f"expected null or a list of up to 10 objects, got {echo(value)}"
        )
    return value


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
