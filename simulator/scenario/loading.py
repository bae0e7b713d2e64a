"""Scenarios: a YAML description of a simulated world, turned into typed settings.

A scenario names the seed, the clock, the platform (workers, license, stage timings),
the users and their groups, the datasets at virtual time zero, the faults to inject and a script of
actions and expectations. Loading is three steps: parse (YAML, or JSON for big
generated files: JSON is YAML and parses twenty times faster), check the structure
against the JSON Schema of :mod:`simulator.scenario.schema`, then convert, checking
what a schema cannot say (references, uniqueness, windows). Every problem is
reported with the file, the line and the key path, and a hint where one helps.
"""

from __future__ import annotations

import difflib
import fnmatch
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from ..domain import harvesters as harvester_rules
from ..domain.clock import DEFAULT_EPOCH, END_OF_TIME, ClockMode, horizon
from ..domain.datagen import DEFAULT_FIELDS, DataGen
from ..domain.errors import InvalidParameter, SimulatorError
from ..domain.faults import (
    ABORT,
    ANY_DATASET,
    FAILURE_KINDS,
    HttpFault,
    RecordErrors,
    SlowStage,
    StageFailure,
    WorkerOutage,
    is_pattern,
)
from ..domain.harvest_faults import (
    ANY_HARVESTER,
    HARVEST_MESSAGES,
    HarvestFailure,
    RemoteOutage,
    SlowRemote,
)
from ..domain.harvesters import RemoteDataset
from ..domain.limits import EARLIEST_START, LATEST_START, MAX_MISTAKES
from ..domain.metadata import TEMPLATES, closest, coerce
from ..domain.models import DOMAIN_PERMISSIONS
from ..domain.pages import DEFAULT_TEMPLATE
from ..domain.platform import DEFAULT_DOMAIN_ID, DEFAULT_TIMINGS, Platform, StageTiming
from ..domain.retention import Retention
from ..domain.statemachine import (
    ACTIONS,
    PROCESSING_STAGES,
    RECORD_STAGES,
    HarvesterStatus,
    Status,
    Vocabulary,
)
from ..domain.store import slugify
from .reading import TextProblem, read_document
from .validator import Path as KeyPath
from .validator import Validator, render_path

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "admin"
DEFAULT_API_KEY = "ods-sim-admin-key"


class ScenarioError(ValueError):
    """A scenario that cannot be loaded: which file, which line, which key, why.

    A scenario with several independent mistakes is refused with all of them in
    :attr:`mistakes` (at most :data:`~simulator.domain.limits.MAX_MISTAKES`, the rest
    counted in :attr:`more`); its own attributes are the first mistake's.
    """

    def __init__(self, source: str, path: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        self.line = line
        self.mistakes: tuple[ScenarioError, ...] = (self,)
        self.more = 0
        super().__init__(self.mistake)

    @property
    def mistake(self) -> str:
        """This one mistake, on one line: ``file:line: key.path: problem``."""
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.path}: {self.problem}" if self.path else f"{where}: {self.problem}"

    @classmethod
    def several(cls, mistakes: Sequence[ScenarioError], more: int = 0) -> ScenarioError:
        """One error telling every mistake (a single mistake is told as it is)."""
        if len(mistakes) == 1 and not more:
            return mistakes[0]
        first = mistakes[0]
        error = cls(first.source, first.path, first.problem, first.line)
        error.mistakes, error.more = tuple(mistakes), more
        lines = [f"  {m.mistake}" for m in mistakes]
        if more:
            lines.append(f"  and {more} more")
        error.args = (f"{first.source}: {len(mistakes) + more} mistakes\n" + "\n".join(lines),)
        return error


@dataclass(frozen=True)
class UserSpec:
    username: str
    password: str | None
    api_keys: tuple[str, ...]
    permissions: frozenset[str]
    #: Keys given as objects: (key, label, permissions); other keys carry everything.
    key_details: tuple[tuple[str, str | None, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class GroupSpec:
    """A group of users; its members get its domain permissions."""

    group_id: str
    title: str
    permissions: frozenset[str]
    usernames: tuple[str, ...]


@dataclass(frozen=True)
class PageSpec:
    """A page of the domain at time zero."""

    slug: str
    title: dict[str, str]
    description: str
    template: str
    content: dict[str, Any]
    tags: tuple[str, ...]
    restricted: bool
    author: str


@dataclass(frozen=True)
class HarvesterSpec:
    """A harvester and the remote catalogue it reads; ``exists`` false: only the catalogue,
    for a harvester a client creates under that id."""

    harvester_id: str
    name: str
    fetcher: str
    params: dict[str, Any]
    remote: tuple[RemoteDataset, ...]
    exists: bool = True
    schedules: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class ResourceSpec:
    title: str
    records: int
    url: str
    type: str = "csvfile"
    fields: tuple[tuple[str, str], ...] = tuple(DEFAULT_FIELDS.items())


@dataclass(frozen=True)
class FeedbackSpec:
    """A visitor's comment on a record, at the start (``ago`` virtual seconds before)."""

    uid: str | None
    record_id: str
    user: str
    comment: str
    values: dict[str, Any]
    is_archived: bool
    ago: float


@dataclass(frozen=True)
class DatasetSpec:
    dataset_id: str
    dataset_uid: str | None
    metas: dict[str, dict[str, Any]]
    visibility: str
    published: bool
    resources: tuple[ResourceSpec, ...]
    owner: str
    feedbacks: tuple[FeedbackSpec, ...] = ()


@dataclass(frozen=True)
class Faults:
    failures: tuple[StageFailure, ...] = ()
    record_errors: tuple[RecordErrors, ...] = ()
    slow_stages: tuple[SlowStage, ...] = ()
    outages: tuple[WorkerOutage, ...] = ()
    http: tuple[HttpFault, ...] = ()
    harvest_failures: tuple[HarvestFailure, ...] = ()
    slow_remotes: tuple[SlowRemote, ...] = ()
    remote_outages: tuple[RemoteOutage, ...] = ()
    #: Each rule as the file gives it, in the file's order (its id follows from its place).
    given: tuple[dict[str, Any], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ScriptStep:
    """An action or an expectation at a virtual time; ``index`` is its place in the file."""

    index: int
    at: float
    #: The dataset it applies to (``""`` for a harvester's step).
    dataset: str
    action: str | None = None
    user: str | None = None
    expect: dict[str, Any] | None = None
    #: The harvester it applies to, if it is a harvester's step.
    harvester: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str = "built-in"
    seed: int = 0
    status_names: Vocabulary | None = None
    #: What the control API then needs from every caller (see :mod:`simulator.api.control.guard`).
    control_token: str | None = None
    clock_mode: ClockMode | None = None
    speed: float | None = None
    epoch: datetime = DEFAULT_EPOCH
    platform: Platform = field(default_factory=Platform)
    users: tuple[UserSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    datasets: tuple[DatasetSpec, ...] = ()
    #: The domain's properties, as ``GET /domain`` shows them (dotted keys).
    domain_properties: dict[str, Any] = field(default_factory=lambda: {"metadata.themes": []})
    pages: tuple[PageSpec, ...] = ()
    harvesters: tuple[HarvesterSpec, ...] = ()
    faults: Faults = field(default_factory=Faults)
    script: tuple[ScriptStep, ...] = ()
    #: What a long-running simulator keeps (see :mod:`simulator.domain.retention`).
    retention: Retention = field(default_factory=Retention)
    #: The text it was read from, when it came from a file or a request.
    text: str | None = None

    def with_overrides(self, **changes: Any) -> Scenario:
        """Return a copy with command-line settings applied (``None`` keeps the file's)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        workers = changes.pop("workers", None)
        scenario = replace(self, **changes)
        if workers is not None:
            scenario = replace(scenario, platform=replace(scenario.platform, workers=workers))
        return scenario


def default_user() -> UserSpec:
    return UserSpec(
        DEFAULT_USERNAME, DEFAULT_PASSWORD, (DEFAULT_API_KEY,), frozenset(DOMAIN_PERMISSIONS)
    )


@cache
def validator() -> Validator:
    from .schema import build_schema

    return Validator(build_schema())


# loading ------------------------------------------------------------------------

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_text(text: str, source: str) -> Any:
    """The document a scenario's text holds, as plain JSON values (see :mod:`.reading`)."""
    try:
        return read_document(text)
    except TextProblem as exc:
        line = exc.line if exc.line is not None or not exc.path else line_of(text, exc.path)
        raise ScenarioError(source, exc.path, exc.problem, line) from None


def load_scenario_text(
    text: str, source: str = "<scenario>", prepare: Callable[[Any], Any] | None = None
) -> Scenario:
    """The scenario a text holds; ``prepare`` may rewrite the document before it is read."""
    data = parse_text(text, source)
    if prepare is not None:
        data = prepare(data)
    try:
        return parse_scenario(data, source, text)
    except ScenarioError as exc:
        if all(m.line is not None for m in exc.mistakes):
            raise
        node = _compose(text)
        located = [
            m
            if m.line is not None
            else ScenarioError(m.source, m.path, m.problem, _line_in(node, m.path))
            for m in exc.mistakes
        ]
        located.sort(key=lambda m: m.line or 0)
        raise ScenarioError.several(located, exc.more) from None


def bundled_scenarios() -> list[str]:
    """The names of the scenarios shipped with the package (the scenario library)."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in files("simulator.scenarios").iterdir()
        if entry.name.endswith(".yaml")
    )


def bundled_name(source: str | Path) -> str | None:
    """The library scenario a bare name means (``abort-midway`` or ``abort-midway.yaml``),
    if ``source`` is one and no file of that name is at hand."""
    path = Path(source)
    if path.parent != Path(".") or path.exists():
        return None
    name = path.name.removesuffix(".yaml")
    return name if name in bundled_scenarios() else None


def load_scenario(path: str | Path) -> Scenario:
    """A scenario file; or, by its bare name, one of the scenario library's."""
    name = bundled_name(path)
    if name is not None:
        return _bundled(name)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        hint = ""
        if path.parent == Path("."):
            hint = f"; the library's scenarios, by name: {', '.join(bundled_scenarios())}"
        raise ScenarioError(str(path), "", f"cannot read the file: {exc.strerror}{hint}") from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "", "not UTF-8 text") from None
    return load_scenario_text(text, str(path))


def _bundled(name: str) -> Scenario:
    text = (files("simulator.scenarios") / f"{name}.yaml").read_text(encoding="utf-8")
    return load_scenario_text(text, f"{name}.yaml")


def default_scenario() -> Scenario:
    """The built-in scenario the quick start runs."""
    return _bundled("default")


def line_of(text: str, path: str) -> int | None:
    """The line of a key path in YAML text (of its parent if the key is missing)."""
    return _line_in(_compose(text), path)


def _compose(text: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    return node


def _line_in(node: yaml.Node | None, path: str) -> int | None:
    line = None if node is None else node.start_mark.line + 1
    for part in _split(path):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if key is None:
                return line
            line, node = key.start_mark.line + 1, match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("["):
            parts.append(int(chunk[1:-1]))
        elif chunk:
            parts.append(chunk)
    return parts


# converting ---------------------------------------------------------------------


class _Context:
    """What converting one document needs: where it came from, its seed, its names."""

    def __init__(self, source: str, seed: int) -> None:
        self.source = source
        self.reseed(seed)
        self.dataset_names: set[str] = set()
        self.dataset_ids: list[str] = []
        #: The harvesters' ids (those that exist at time zero, and the catalogues).
        self.harvesters: list[str] = []

        #: The last virtual second of this scenario's clock, once its start is known.
        self.horizon = horizon(DEFAULT_EPOCH)
        #: The mistakes found so far (at most MAX_MISTAKES), and how many more.
        self.mistakes: list[ScenarioError] = []
        self.more = 0
        #: The top-level keys found wrong: what depends on them is not checked.
        self.wrong: set[str] = set()

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self.gen = DataGen(seed)
        self.rng = random.Random(f"{seed}:generate")

    def note(self, mistake: ScenarioError) -> None:
        """Keep a mistake and go on checking what does not depend on it."""
        if len(self.mistakes) < MAX_MISTAKES:
            self.mistakes.append(mistake)
        else:
            self.more += 1

    def section(
        self, key: str, needs: Iterable[str], convert: Callable[[], Any], empty: Any
    ) -> Any:
        """Convert one top-level section, unless a section it depends on is wrong.

        A section with a mistake is noted as wrong and stands as ``empty``, so that
        the sections after it are still checked, except those that depend on it.
        """
        if key in self.wrong or not self.wrong.isdisjoint(needs):
            self.wrong.add(key)
            return empty
        before = len(self.mistakes) + self.more
        try:
            converted = convert()
        except ScenarioError as exc:
            self.note(exc)
        if len(self.mistakes) + self.more > before:  # noted item by item, or above
            self.wrong.add(key)
            return empty
        return converted

    def refuse(self) -> None:
        if self.mistakes:
            raise ScenarioError.several(self.mistakes, self.more)

    def fail(self, path: KeyPath, problem: str) -> ScenarioError:
        return ScenarioError(self.source, render_path(path), problem)

    def time(self, path: KeyPath, t: float) -> float:
        """A virtual second the clock can reach, or refuse it."""
        if t > self.horizon:
            raise self.fail(
                path,
                f"{t:g} s is past the end of virtual time: {END_OF_TIME.isoformat()} is "
                f"{self.horizon:,.0f} s after clock.start",
            )
        return t


def parse_scenario(data: Any, source: str = "<scenario>", text: str | None = None) -> Scenario:
    """Turn a loaded document into a :class:`Scenario`, or raise :class:`ScenarioError`."""
    if data is None:
        data = {}
    problem = validator().first_problem(data)
    if problem is not None:
        if not isinstance(data, dict):
            raise ScenarioError(source, problem.where, problem.message)
        _shape_mistakes(ctx := _Context(source, 0), data)
        if "seed" not in ctx.wrong:
            ctx.reseed(data.get("seed", 0))
    else:
        ctx = _Context(source, data.get("seed", 0))
    platform = ctx.section("platform", (), lambda: _platform(data.get("platform", {})), None)
    users = ctx.section("users", ("seed",), lambda: _users(ctx, data.get("users", [])), ())
    usernames = [u.username for u in users]
    groups = ctx.section(
        "groups", ("users",), lambda: _groups(ctx, data.get("groups", []), usernames), ()
    )
    datasets = ctx.section(
        "datasets",
        ("seed", "users", "platform"),
        lambda: _datasets(ctx, data.get("datasets", []), usernames, platform),
        (),
    )
    pages = ctx.section(
        "pages", ("users",), lambda: _pages(ctx, data.get("pages", []), usernames), ()
    )
    harvesters = ctx.section(
        "harvesters", ("seed",), lambda: _harvesters(ctx, data.get("harvesters", [])), ()
    )
    clock = data.get("clock", {})
    epoch = ctx.section("clock", (), lambda: _epoch(ctx, clock.get("start")), DEFAULT_EPOCH)
    ctx.horizon = horizon(epoch)
    faults = ctx.section(
        "faults",
        ("platform", "datasets", "harvesters", "clock"),
        lambda: _faults(ctx, data.get("faults", []), platform),
        None,
    )
    script = ctx.section(
        "script",
        ("users", "datasets", "harvesters", "clock"),
        lambda: _script(ctx, data.get("script", []), usernames),
        (),
    )
    ctx.refuse()
    return Scenario(
        name=source,
        seed=data.get("seed", 0),
        status_names=data.get("status_names"),
        control_token=data.get("control_token"),
        clock_mode=clock.get("mode"),
        speed=clock.get("speed"),
        epoch=epoch,
        platform=platform,
        users=users,
        groups=groups,
        datasets=datasets,
        domain_properties={
            "metadata.themes": [],
            **data.get("domain", {}).get("properties", {}),
        },
        pages=pages,
        harvesters=harvesters,
        faults=faults,
        script=script,
        retention=Retention(**data.get("retention", {})),
        text=text,
    )


def _shape_mistakes(ctx: _Context, data: dict[str, Any]) -> None:
    """Note every place the document does not fit the schema, and the sections they spoil.

    An unknown top-level key may be a section misspelled: the section it resembles is
    taken as wrong too (``datsets:`` leaves the faults naming datasets unchecked).
    """
    sections = list(validator().schema["properties"])
    for problem in validator().problems(data):
        ctx.note(ScenarioError(ctx.source, problem.where, problem.message))
        key = problem.path[0] if problem.path else ""
        if key == "clock" and problem.path[1:2] not in ((), ("start",)):
            continue  # the clock's mode or speed: what else is checked does not need them
        ctx.wrong.add(str(key))
        if key not in sections:
            ctx.wrong.update(difflib.get_close_matches(str(key), sections, n=1))


def _epoch(ctx: _Context, raw: Any) -> datetime:
    if raw is None:
        return DEFAULT_EPOCH
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ctx.fail(
                ("clock", "start"), f"'{raw}' is not an ISO 8601 date and time"
            ) from None
    if not isinstance(raw, datetime):  # YAML may read a bare date
        raise ctx.fail(("clock", "start"), "expected a date and time, e.g. 2026-01-01T08:00:00Z")
    start = raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    if not EARLIEST_START <= start <= LATEST_START:
        raise ctx.fail(
            ("clock", "start"),
            f"must be from {EARLIEST_START.isoformat()} to {LATEST_START.isoformat()}, "
            f"to leave virtual time room to run; got {start.isoformat()}",
        )
    return start


def _platform(data: dict[str, Any]) -> Platform:
    timings = dict(DEFAULT_TIMINGS)
    for name, given in data.get("stages", {}).items():
        default = DEFAULT_TIMINGS[Status(name)]
        timings[Status(name)] = StageTiming(
            given.get("base", default.base),
            given.get("rate", default.rate),
            given.get("jitter", default.jitter),
        )
    return Platform(
        workers=data.get("workers", 2),
        max_records_by_dataset=data.get("license", {}).get("max_records_by_dataset"),
        timings=timings,
        domain_id=data.get("domain_id", DEFAULT_DOMAIN_ID),
        minute_level_schedules=data.get("minute_level_schedules", False),
    )


def _users(ctx: _Context, items: list[dict[str, Any]]) -> tuple[UserSpec, ...]:
    users: list[UserSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        try:
            username = item.get("username") or ctx.gen.username()
            if username in seen:
                raise ctx.fail(("users", i, "username"), f"'{username}' is used twice")
            seen.add(username)
            perms = item.get("permissions", [])
            keys: list[str] = []
            details: list[tuple[str, str | None, tuple[str, ...]]] = []
            for key in item.get("api_keys", ()):
                if isinstance(key, dict):  # {key, label, permissions}
                    carried = key.get("permissions", ["explore_restricted_dataset"])
                    ordered = [p for p in DOMAIN_PERMISSIONS if p in carried]
                    details.append((key["key"], key.get("label"), tuple(ordered)))
                    key = key["key"]
                keys.append(key)
            users.append(
                UserSpec(
                    username,
                    item["password"] if "password" in item else ctx.gen.secret(12),
                    tuple(keys),
                    frozenset(DOMAIN_PERMISSIONS if perms == "all" else perms),
                    tuple(details),
                )
            )
        except ScenarioError as exc:  # the other users do not depend on this one
            ctx.note(exc)
    return tuple(users) or (default_user(),)


def _groups(
    ctx: _Context, items: list[dict[str, Any]], usernames: list[str]
) -> tuple[GroupSpec, ...]:
    """Groups with their members: a group_id, or one made from the title, used once."""
    groups: list[GroupSpec] = []
    seen: set[str] = set()
    known = set(usernames)
    for i, item in enumerate(items):
        try:
            path: KeyPath = ("groups", i)
            title = item.get("title")
            group_id = item.get("group_id")
            if group_id is None:
                if title is None:
                    raise ctx.fail(path, "a group needs a group_id or a title")
                group_id = slugify(title)
                if not group_id:
                    raise ctx.fail(
                        (*path, "title"), f"'{title}' gives no group_id: give the group one"
                    )
                if group_id in seen:
                    raise ctx.fail(
                        (*path, "title"),
                        f"its group_id '{group_id}' (made from the title) is used twice: "
                        "give the group another",
                    )
            elif group_id in seen:
                raise ctx.fail((*path, "group_id"), f"'{group_id}' is used twice")
            seen.add(group_id)
            members: list[str] = []
            for j, username in enumerate(item.get("usernames", [])):
                if username not in known:
                    raise ctx.fail(
                        (*path, "usernames", j),
                        f"no user '{username}' in this scenario{closest(username, usernames)}",
                    )
                if username not in members:
                    members.append(username)
            perms = item.get("permissions", [])
            groups.append(
                GroupSpec(
                    group_id,
                    title if title is not None else group_id,
                    frozenset(DOMAIN_PERMISSIONS if perms == "all" else perms),
                    tuple(members),
                )
            )
        except ScenarioError as exc:  # the other groups do not depend on this one
            ctx.note(exc)
    return tuple(groups)


def _pages(
    ctx: _Context, items: list[dict[str, Any]], usernames: list[str]
) -> tuple[PageSpec, ...]:
    pages: list[PageSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        try:
            slug = item["slug"]
            if slug in seen:
                raise ctx.fail(("pages", i, "slug"), f"'{slug}' is used twice")
            seen.add(slug)
            author = item.get("author", usernames[0])
            if author not in usernames:
                raise ctx.fail(
                    ("pages", i, "author"),
                    f"no user '{author}' in this scenario{closest(author, usernames)}",
                )
            title = item.get("title", slug)
            pages.append(
                PageSpec(
                    slug,
                    {"en": title} if isinstance(title, str) else dict(title),
                    item.get("description", ""),
                    item.get("template", DEFAULT_TEMPLATE),
                    item.get("content", {"html": {}, "css": {}}),
                    tuple(item.get("tags", ())),
                    item.get("restricted", False),
                    author,
                )
            )
        except ScenarioError as exc:  # the other pages do not depend on this one
            ctx.note(exc)
    return tuple(pages)


def _harvesters(ctx: _Context, items: list[dict[str, Any]]) -> tuple[HarvesterSpec, ...]:
    out: list[HarvesterSpec] = []
    seen: set[str] = set()
    if len(items) > harvester_rules.MAX_HARVESTERS:
        raise ctx.fail(("harvesters",), f"at most {harvester_rules.MAX_HARVESTERS} harvesters")
    for i, item in enumerate(items):
        try:
            name = item["name"]
            harvester = item.get("harvester_id") or harvester_rules.harvester_id(name)
            if harvester in seen:
                raise ctx.fail(("harvesters", i, "name"), f"the id '{harvester}' is used twice")
            seen.add(harvester)
            ctx.harvesters.append(harvester)
            try:
                fetcher = harvester_rules.check_fetcher(item.get("fetcher", "ods"))
                params = harvester_rules.check_params(fetcher, item.get("params", {}))
            except SimulatorError as exc:
                raise ctx.fail(("harvesters", i, "params"), exc.message) from None
            try:
                schedules = harvester_rules.check_schedules(item.get("schedules"))
            except InvalidParameter as exc:
                where = str(exc.raw_params["parameter"]).replace("[0]", ".0").split(".")
                keys = [int(k) if k.isdigit() else k for k in where]
                raise ctx.fail(("harvesters", i, *keys), str(exc.raw_params["reason"])) from None
            given = item.get("remote_datasets", harvester_rules.DEFAULT_REMOTE_DATASETS)
            if not isinstance(given, int) and len(given) > harvester_rules.MAX_REMOTE_DATASETS:
                raise ctx.fail(
                    ("harvesters", i, "remote_datasets"),
                    f"at most {harvester_rules.MAX_REMOTE_DATASETS} remote datasets",
                )
            if isinstance(given, int):
                remote = harvester_rules.remote_catalogue(ctx.seed, harvester, given)
            else:
                remote = tuple(
                    RemoteDataset(
                        d["id"],
                        d.get("title", d["id"]),
                        d.get("description", ""),
                        d.get("records", 0),
                    )
                    for d in given
                )
            if len({d.remote_id for d in remote}) != len(remote):
                raise ctx.fail(("harvesters", i, "remote_datasets"), "a remote id is used twice")
            out.append(
                HarvesterSpec(
                    harvester,
                    name,
                    fetcher,
                    params,
                    remote,
                    item.get("exists", True),
                    tuple(schedules or ()),
                )
            )
        except ScenarioError as exc:  # the other harvesters do not depend on this one
            ctx.note(exc)
    return tuple(out)


def _datasets(
    ctx: _Context, items: list[dict[str, Any]], usernames: list[str], platform: Platform
) -> tuple[DatasetSpec, ...]:
    specs: list[DatasetSpec] = []
    uids: set[str] = set()
    for i, item in enumerate(items):
        try:
            path: KeyPath = ("datasets", i)
            owner = item.get("owner", usernames[0])
            if owner not in usernames:
                raise ctx.fail(
                    (*path, "owner"),
                    f"no user '{owner}' in this scenario{closest(owner, usernames)}",
                )
            made = (
                _generated(ctx, item, owner, path)
                if "generate" in item
                else [_explicit(ctx, item, owner, path)]
            )
            for spec in made:
                if spec.dataset_id in ctx.dataset_names:
                    raise ctx.fail((*path, "dataset_id"), f"'{spec.dataset_id}' is used twice")
                if spec.dataset_uid is not None:
                    if spec.dataset_uid in uids:
                        raise ctx.fail(
                            (*path, "dataset_uid"), f"'{spec.dataset_uid}' is used twice"
                        )
                    uids.add(spec.dataset_uid)
                    ctx.dataset_names.add(spec.dataset_uid)
                limit = platform.max_records_by_dataset
                records = sum(r.records for r in spec.resources)
                if spec.published and limit is not None and records > limit:
                    raise ctx.fail(
                        (*path, "published"),
                        f"'{spec.dataset_id}' cannot start published with {records} records: "
                        f"the license allows {limit}",
                    )
                ctx.dataset_names.add(spec.dataset_id)
                ctx.dataset_ids.append(spec.dataset_id)
                specs.append(spec)
        except ScenarioError as exc:  # the other datasets do not depend on this one
            ctx.note(exc)
    return tuple(specs)


def _explicit(ctx: _Context, item: dict[str, Any], owner: str, path: KeyPath) -> DatasetSpec:
    metas = _metas(ctx, item["metas"], (*path, "metas")) if "metas" in item else ctx.gen.metas()
    dataset_id = item.get("dataset_id") or _slug_of(metas) or f"dataset-{len(ctx.dataset_ids) + 1}"
    metas.setdefault("default", {}).setdefault("title", dataset_id)
    resources = tuple(
        _resource(r, f"{dataset_id}.csv" if n == 0 else f"{dataset_id}-{n + 1}.csv")
        for n, r in enumerate(item.get("resources", []))
    )
    return DatasetSpec(
        dataset_id=dataset_id,
        dataset_uid=item.get("dataset_uid"),
        metas=metas,
        visibility=item.get("visibility", "domain"),
        published=item.get("published", False),
        resources=resources,
        owner=owner,
        feedbacks=tuple(
            FeedbackSpec(
                f.get("uid"),
                f["record_id"],
                f.get("user") or ctx.gen.username(),
                f["comment"],
                dict(f.get("values", {})),
                f.get("is_archived", False),
                f.get("ago", 0),
            )
            for f in _unique_feedbacks(ctx, item.get("feedbacks", []), (*path, "feedbacks"))
        ),
    )


def _unique_feedbacks(ctx: _Context, items: list[dict[str, Any]], path: KeyPath) -> list[Any]:
    seen: set[str] = set()
    for i, f in enumerate(items):
        uid = f.get("uid")
        if uid is not None:
            if uid in seen:
                raise ctx.fail((*path, i, "uid"), f"'{uid}' is used twice")
            seen.add(uid)
    return items


def _metas(ctx: _Context, given: dict[str, Any], path: KeyPath) -> dict[str, dict[str, Any]]:
    """Metadata values in the form the API stores them (the schema checked their kinds)."""
    metas: dict[str, dict[str, Any]] = {}
    for template, values in given.items():
        fields = TEMPLATES[template].fields
        clean = metas[template] = {}
        for name, value in values.items():
            try:
                clean[name] = coerce(fields[name], value, name)
            except InvalidParameter as exc:
                raise ctx.fail((*path, template, name), exc.raw_params["reason"]) from None
            if clean[name] is None:
                del clean[name]
    return metas


def _slug_of(metas: dict[str, dict[str, Any]]) -> str:
    title = metas.get("default", {}).get("title")
    return slugify(title) if isinstance(title, str) else ""


def _resource(item: dict[str, Any], default_title: str) -> ResourceSpec:
    title = item.get("title", default_title)
    url = item.get("url", f"odsfile://{title}")
    remote = url.startswith(("http://", "https://"))
    return ResourceSpec(
        title=title,
        records=item.get("records", 0),
        url=url,
        type=item.get("type", "http" if remote else "csvfile"),
        fields=tuple(item.get("fields", DEFAULT_FIELDS).items()),
    )


def _generated(ctx: _Context, item: dict[str, Any], owner: str, path: KeyPath) -> list[DatasetSpec]:
    count = item["generate"]
    prefix = item.get("prefix", "dataset")
    width = len(str(count))
    records = item.get("records", 1000)
    if isinstance(records, dict) and records["min"] > records["max"]:
        raise ctx.fail(
            (*path, "records", "min"), f"{records['min']} is above max ({records['max']})"
        )
    per_dataset = item.get("resources", 1)
    specs = []
    for n in range(1, count + 1):
        dataset_id = f"{prefix}-{n:0{width}d}"
        resources = tuple(
            ResourceSpec(
                title=f"{dataset_id}-{r + 1}.csv" if per_dataset > 1 else f"{dataset_id}.csv",
                records=records
                if isinstance(records, int)
                else ctx.rng.randint(records["min"], records["max"]),
                url=f"odsfile://{dataset_id}.csv",
            )
            for r in range(per_dataset)
        )
        specs.append(
            DatasetSpec(
                dataset_id=dataset_id,
                dataset_uid=None,
                metas=ctx.gen.metas(),
                visibility=item.get("visibility", "domain"),
                published=item.get("published", False),
                resources=resources,
                owner=owner,
            )
        )
    return specs


# faults -------------------------------------------------------------------------


def _faults(ctx: _Context, items: list[dict[str, Any]], platform: Platform) -> Faults:
    failures: list[StageFailure] = []
    record_errors: list[RecordErrors] = []
    slow: list[SlowStage] = []
    outages: list[WorkerOutage] = []
    http: list[HttpFault] = []
    harvests: dict[str, list[Any]] = {kind: [] for kind in HARVEST_FAULTS}
    for i, item in enumerate(items):
        try:
            path: KeyPath = ("faults", i)
            kind = item["type"]
            if kind in HARVEST_FAULTS:
                harvests[kind].append(_harvest_fault(ctx, path, item))
                continue
            if "dataset" in item:
                _check_reference(ctx, (*path, "dataset"), item["dataset"])
            if kind in FAILURE_KINDS:
                failures.append(_failure(ctx, path, item))
            elif kind == ABORT:
                failures.append(_abort(ctx, path, item))
            elif kind == "record_errors":
                record_errors.append(_record_errors(ctx, path, item))
            elif kind == "slow_stage":
                slow.append(
                    SlowStage(
                        item.get("dataset", ANY_DATASET),
                        _stages(item, PROCESSING_STAGES),
                        item["factor"],
                    )
                )
            elif kind == "worker_outage":
                outages.append(_outage(ctx, path, item, platform))
            else:
                http.append(_http(ctx, path, item))
        except ScenarioError as exc:  # the other faults do not depend on this one
            ctx.note(exc)
    return Faults(
        tuple(failures),
        tuple(record_errors),
        tuple(slow),
        tuple(outages),
        tuple(http),
        tuple(harvests["harvest_error"]),
        tuple(harvests["slow_harvest"]),
        tuple(harvests["remote_outage"]),
        tuple(items),
    )


def read_fault(
    item: Any,
    *,
    datasets: Iterable[str],
    harvesters: Iterable[str],
    platform: Platform,
    epoch: datetime,
    source: str = "<fault>",
) -> Any:
    """One rule given on its own, as a scenario's ``faults:`` item: its book rule.

    Checked as a scenario's would be, with the same messages; ``datasets`` and
    ``harvesters`` are the names a rule may refer to. Raises :class:`ScenarioError`,
    its key path relative to the rule.
    """
    problem = validator().first_problem({"faults": [item]})
    if problem is not None:
        raise ScenarioError(source, _within_rule(problem.where), problem.message)
    ctx = _Context(source, 0)
    ctx.dataset_names = set(datasets)
    ctx.dataset_ids = sorted(ctx.dataset_names)
    ctx.harvesters = list(harvesters)
    ctx.horizon = horizon(epoch)
    faults = _faults(ctx, [item], platform)  # a rule's mistake is noted, not raised
    if ctx.mistakes:
        exc = ctx.mistakes[0]
        raise ScenarioError(source, _within_rule(exc.path), exc.problem)
    return next(
        rules[0]
        for rules in (
            faults.failures,
            faults.record_errors,
            faults.slow_stages,
            faults.outages,
            faults.http,
            faults.harvest_failures,
            faults.slow_remotes,
            faults.remote_outages,
        )
        if rules
    )


def trusted_rule(item: dict[str, Any], scenario: Scenario) -> Any:
    """A rule read back from what this simulator wrote (a checkpoint): its names trusted."""
    return read_fault(
        item,
        datasets=[item.get("dataset", ANY_DATASET)],
        harvesters=[item.get("harvester", ANY_HARVESTER)],
        platform=scenario.platform,
        epoch=scenario.epoch,
    )


def _within_rule(where: str) -> str:
    """``faults[0].status`` as ``status``; the rule itself as ``""``."""
    return where.removeprefix("faults[0]").removeprefix(".").removeprefix("faults")


#: The fault types on harvests.
HARVEST_FAULTS = ("harvest_error", "slow_harvest", "remote_outage")


def _harvest_fault(
    ctx: _Context, path: KeyPath, item: dict[str, Any]
) -> HarvestFailure | SlowRemote | RemoteOutage:
    harvester = item.get("harvester", ANY_HARVESTER)
    if not (harvester == ANY_HARVESTER or is_pattern(harvester) or harvester in ctx.harvesters):
        raise ctx.fail(
            (*path, "harvester"),
            f"no harvester '{harvester}' in this scenario{closest(harvester, ctx.harvesters)}; "
            f"for harvesters created at run time, use a glob pattern such as '{harvester}*'",
        )
    kind = item["type"]
    if kind == "slow_harvest":
        if "factor" not in item and "latency" not in item:
            raise ctx.fail((*path, "factor"), "a slow harvest needs a factor, a latency, or both")
        return SlowRemote(harvester, item.get("factor", 1.0), item.get("latency", 0.0))
    if kind == "remote_outage":
        start, end = _window(ctx, path, item)
        return RemoteOutage(harvester, start, end)
    step = item.get("step", "catalogue")
    message, params = HARVEST_MESSAGES[step]
    raw_message, raw_params = _message(ctx, path, item, message, params)
    remote = tuple(item.get("remote_datasets", ()))
    if remote and step != "datasets":
        raise ctx.fail((*path, "remote_datasets"), "names remote datasets: give step: datasets")
    return HarvestFailure(harvester, step, raw_message, raw_params, remote, item.get("times"))


def _check_reference(ctx: _Context, path: KeyPath, name: str) -> None:
    if name == ANY_DATASET or is_pattern(name) or name in ctx.dataset_names:
        return
    raise ctx.fail(
        path,
        f"no dataset '{name}' in this scenario{closest(name, ctx.dataset_ids)}; for datasets "
        f"created at run time, use a glob pattern such as '{name}*'",
    )


def _stages(item: dict[str, Any], default: frozenset[Status]) -> frozenset[Status]:
    raw = item.get("stage")
    if raw is None:
        return default
    return frozenset(Status(n) for n in ([raw] if isinstance(raw, str) else raw))


def _message(
    ctx: _Context, path: KeyPath, item: dict[str, Any], message: str, params: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    raw_message = item.get("raw_message", message)
    raw_params = item.get("raw_params", params if "raw_message" not in item else {})
    try:
        raw_message.format(**raw_params)
    except KeyError as exc:
        raise ctx.fail(
            (*path, "raw_message"), f"names {{{exc.args[0]}}}, which raw_params does not give"
        ) from None
    except (IndexError, ValueError) as exc:
        raise ctx.fail((*path, "raw_message"), f"is not a valid template: {exc}") from None
    return raw_message, dict(raw_params)


def _failure(ctx: _Context, path: KeyPath, item: dict[str, Any]) -> StageFailure:
    kind = item["type"]
    stages, message, params, after = FAILURE_KINDS[kind]
    raw_message, raw_params = _message(ctx, path, item, message, params)
    fraction = item.get("at_fraction")
    if fraction is not None and "after_records" in item:
        raise ctx.fail((*path, "at_fraction"), "give either after_records or at_fraction, not both")
    return StageFailure(
        kind=kind,
        dataset=item.get("dataset", ANY_DATASET),
        stages=_stages(item, stages),
        raw_message=raw_message,
        raw_params=raw_params,
        after_records=item.get("after_records", after if fraction is None else None),
        at_fraction=fraction,
        times=item.get("times"),
    )


def _abort(ctx: _Context, path: KeyPath, item: dict[str, Any]) -> StageFailure:
    """An abort by someone else, part-way through a stage: a failure that aborts."""
    if "at_fraction" in item and "after_records" in item:
        raise ctx.fail((*path, "at_fraction"), "give either after_records or at_fraction, not both")
    return StageFailure(
        kind=ABORT,
        dataset=item.get("dataset", ANY_DATASET),
        stages=_stages(item, PROCESSING_STAGES),
        raw_message="",
        after_records=item.get("after_records"),
        at_fraction=item.get("at_fraction"),
        times=item.get("times"),
    )


def _record_errors(ctx: _Context, path: KeyPath, item: dict[str, Any]) -> RecordErrors:
    if ("count" in item) == ("rate" in item):
        raise ctx.fail((*path, "count"), "give exactly one of count or rate")
    stages = _stages(item, RECORD_STAGES)
    if not stages <= RECORD_STAGES:
        names = ", ".join(sorted(s.value for s in RECORD_STAGES))
        raise ctx.fail(
            (*path, "stage"), f"record errors happen only in stages that index records: {names}"
        )
    raw_message, raw_params = _message(
        ctx, path, item, 'Cannot convert "{value}" to "{type}"', {"value": "n/a", "type": "int"}
    )
    return RecordErrors(
        dataset=item.get("dataset", ANY_DATASET),
        field_uid=item.get("field", "value"),
        raw_message=raw_message,
        raw_params=raw_params,
        count=item.get("count"),
        rate=item.get("rate"),
        processor_uid=item.get("processor_uid"),
        stages=stages,
    )


def _window(ctx: _Context, path: KeyPath, item: dict[str, Any]) -> tuple[float, float | None]:
    """A fault's ``from`` and ``until``, within virtual time, the end after the start."""
    start = ctx.time((*path, "from"), item.get("from", 0))
    end = item.get("until")
    if end is not None:
        ctx.time((*path, "until"), end)
    if end is not None and end <= start:
        raise ctx.fail((*path, "until"), f"must be after 'from' ({start:g}), got {end:g}")
    return start, end


def _outage(ctx: _Context, path: KeyPath, item: dict[str, Any], platform: Platform) -> WorkerOutage:
    start, end = _window(ctx, path, item)
    workers = item.get("workers", 1)
    if workers > platform.workers:
        raise ctx.fail(
            (*path, "workers"), f"the platform has only {platform.workers} worker(s), not {workers}"
        )
    return WorkerOutage(start, end, workers)


def _http(ctx: _Context, path: KeyPath, item: dict[str, Any]) -> HttpFault:
    start, end = _window(ctx, path, item)
    _check_headers(ctx, (*path, "headers"), item.get("headers", {}))
    if not {"status", "latency", "transport", "retry_after"} & set(item):
        raise ctx.fail(
            (*path, "status"),
            "an http fault needs a status, a latency, a transport or a retry_after",
        )
    transport = item.get("transport")
    if transport in ("delay", "stall") and "wall_delay" not in item:
        raise ctx.fail(
            (*path, "wall_delay"),
            f"transport: {transport} needs wall_delay, the real seconds to wait",
        )
    if "wall_delay" in item and transport not in ("delay", "stall"):
        raise ctx.fail((*path, "wall_delay"), "goes with transport: delay or stall only")
    if transport in ("reset", "stall") and (
        {"status", "body", "headers", "retry_after"} & set(item)
    ):
        raise ctx.fail(
            (*path, "transport"),
            f"a {transport} answers nothing: give no status, body or headers",
        )
    headers = dict(item.get("headers", {}))
    status = item.get("status")
    if "retry_after" in item:
        headers["Retry-After"] = f"{item['retry_after']:d}"
        status = 429 if status is None else status
    if "body" in item and status is None:
        raise ctx.fail((*path, "body"), "a body needs a status to go with it")
    method = item.get("method", "*")
    methods = (
        frozenset() if method == "*" else frozenset([method] if isinstance(method, str) else method)
    )
    nth = item.get("nth", [])
    return HttpFault(
        path=item["path"].rstrip("/") or "/",
        methods=methods,
        status=status,
        body=item.get("body"),
        headers=headers,
        latency=item.get("latency", 0.0),
        nth=frozenset([nth] if isinstance(nth, int) else nth),
        probability=item.get("probability"),
        times=item.get("times"),
        start=start,
        end=end,
        transport=transport,
        wall_delay=float(item.get("wall_delay", 0.0)),
    )


#: A header name: an RFC 9110 token.
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Headers the HTTP server writes itself; a fault may not set them.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "date"})


def _check_headers(ctx: _Context, path: KeyPath, headers: dict[str, str]) -> None:
    """Header names and values an HTTP answer can carry (text on one line, in Latin-1)."""
    for name, value in headers.items():
        if not _TOKEN.match(name):
            raise ctx.fail((*path, name), "is not a header name (letters, digits and -)")
        if name.lower() in _FRAMING_HEADERS:
            raise ctx.fail((*path, name), "is written by the HTTP server; a fault cannot set it")
        if not value.isprintable():  # CR, LF and other controls would split the header
            raise ctx.fail((*path, name), "a header value is one line of printable text")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ctx.fail(
                (*path, name), "a header value must be Latin-1 text (HTTP headers are)"
            ) from None


# script -------------------------------------------------------------------------


def _script(
    ctx: _Context, items: list[dict[str, Any]], usernames: list[str]
) -> tuple[ScriptStep, ...]:
    steps = []
    for i, item in enumerate(items):
        try:
            steps += _script_step(ctx, i, item, usernames)
        except ScenarioError as exc:  # the other steps do not depend on this one
            ctx.note(exc)
    return tuple(sorted(steps, key=lambda s: s.at))


def _script_step(
    ctx: _Context, i: int, item: dict[str, Any], usernames: list[str]
) -> list[ScriptStep]:
    path: KeyPath = ("script", i)
    if ("action" in item) == ("expect" in item):
        raise ctx.fail((*path, "action"), "a step has exactly one of action or expect")
    user = item.get("user")
    if user is not None and user not in usernames:
        raise ctx.fail(
            (*path, "user"), f"no user '{user}' in this scenario{closest(user, usernames)}"
        )
    if "action" not in item and ("dataset" in item or "harvester" in item or "user" in item):
        inside = next(k for k in ("dataset", "harvester", "user") if k in item)
        raise ctx.fail((*path, inside), "goes inside expect")
    given = item if "action" in item else item["expect"]
    where_path = path if "action" in item else (*path, "expect")
    if "dataset" in given and "harvester" in given:
        raise ctx.fail((*where_path, "harvester"), "give a dataset or a harvester, not both")
    if "dataset" not in given and "harvester" not in given:
        wanted = f"the dataset to {item['action']}" if "action" in item else "the dataset"
        raise ctx.fail((*where_path, "dataset"), f"is required: {wanted} (or a harvester)")
    expect = dict(item["expect"]) if "expect" in item else None
    ctx.time((*path, "at"), item["at"])
    if "harvester" in given:
        harvester = _harvester_step(ctx, where_path, item, given, expect)
        return [ScriptStep(i, float(item["at"]), "", item.get("action"), user, expect, harvester)]
    if "action" in item and item["action"] not in SCRIPT_ACTIONS:
        raise ctx.fail(
            (*path, "action"),
            f"'{item['action']}' is an action of harvesters, not of datasets; "
            f"known: {', '.join(SCRIPT_ACTIONS)}",
        )
    if expect is not None:
        for key in HARVESTER_EXPECTATIONS:
            if key in expect:
                raise ctx.fail(
                    (*path, "expect", key), "is a harvester's: give harvester, not dataset"
                )
    dataset = given["dataset"]
    return [
        ScriptStep(i, float(item["at"]), target, item.get("action"), user, expect)
        for target in _targets(ctx, (*where_path, "dataset"), dataset)
    ]


#: What a script may do to a dataset.
SCRIPT_ACTIONS = (*ACTIONS, "delete")
#: What a script may do to a harvester, and what it may expect of one only.
HARVESTER_ACTIONS = ("start", "publish", "unpublish")
HARVESTER_EXPECTATIONS = ("counters", "errors")
DATASET_EXPECTATIONS = ("published", "records", "records_errors")
HARVESTER_STATUS_VALUES = tuple(s.value for s in HarvesterStatus)


def _harvester_step(
    ctx: _Context,
    path: KeyPath,
    item: dict[str, Any],
    given: dict[str, Any],
    expect: dict[str, Any] | None,
) -> str:
    """The harvester a step applies to, once its action and expectations are checked."""
    name = given["harvester"]
    if name not in ctx.harvesters:
        raise ctx.fail(
            (*path, "harvester"),
            f"no harvester '{name}' in this scenario{closest(name, ctx.harvesters)}",
        )
    action = item.get("action")
    if action is not None and action not in HARVESTER_ACTIONS:
        raise ctx.fail(
            (*path[:2], "action"),
            f"'{action}' is not an action of harvesters; known: {', '.join(HARVESTER_ACTIONS)}",
        )
    if expect is not None:
        for key in DATASET_EXPECTATIONS:
            if key in expect:
                raise ctx.fail((*path, key), "is a dataset's: a harvester has counters and errors")
        status = expect.get("status")
        if status is not None and status not in HARVESTER_STATUS_VALUES:
            raise ctx.fail(
                (*path, "status"),
                f"not a harvester's status; known: {', '.join(HARVESTER_STATUS_VALUES)}",
            )
    return str(name)


def _targets(ctx: _Context, path: KeyPath, name: str) -> list[str]:
    """The dataset ids a step applies to: one name, or every id a pattern matches."""
    if not is_pattern(name):
        if name not in ctx.dataset_names:
            raise ctx.fail(
                path, f"no dataset '{name}' in this scenario{closest(name, ctx.dataset_ids)}"
            )
        return [name]
    matched = [d for d in ctx.dataset_ids if fnmatch.fnmatchcase(d, name)]
    if not matched:
        raise ctx.fail(path, f"the pattern '{name}' matches no dataset of this scenario")
    return matched
