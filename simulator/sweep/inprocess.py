"""A sweep of code that runs in this process: a test function, or any callable.

The callable runs once clean, against the scenario the handle's simulator holds; its
requests (the request log) and its jobs (the timeline) become the points faults are
aimed at. Then, for each case, the simulator is reset to the case's scenario and the
callable runs again under virtual sleep, with a budget of virtual time: a client that
waits for a status that never comes is stopped there and counted as a hang.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..domain.statemachine import DELETING_STAGES, PROCESSING_STAGES
from ..scenario.loading import parse_text
from .plan import (
    DEFAULT_MAX_CASES,
    KINDS,
    OUTAGE_SECONDS,
    SLOW_FACTOR,
    Call,
    Job,
    Recording,
    Stage,
    planned_cases,
)
from .report import SURVIVED, ClientScript, Outcome, Report, detail_of, with_replays

if TYPE_CHECKING:
    from ..testing.handle import SimulatorHandle

#: Where failing cases' scenarios go, unless told otherwise.
DEFAULT_DIRECTORY = Path(".ods-sweep")
#: Virtual seconds a case may sleep beyond what its fault can explain.
SLACK = 300.0

_STAGES = frozenset(s.value for s in PROCESSING_STAGES | DELETING_STAGES)


@dataclass(frozen=True)
class Settings:
    """What to sweep: the fault kinds (all by default), how many cases at most, the
    sampling seed, this shard of how many, the budget of virtual seconds a case may
    sleep (by default, from the clean run), and where replay files go."""

    kinds: tuple[str, ...] | None = None
    max_cases: int = DEFAULT_MAX_CASES
    seed: int = 0
    shard: int = 0
    shards: int = 1
    budget: float | None = None
    directory: Path = DEFAULT_DIRECTORY
    #: Modules whose ``from time import sleep`` is rebound during each case.
    modules: tuple[ModuleType | str, ...] = field(default=())


def record(handle: SimulatorHandle) -> Recording:
    """What the run since the last reset did: its API calls, its jobs and their stages."""
    calls = tuple(
        Call(number, entry.method, entry.path)
        for number, entry in enumerate(
            handle.requests.filter(surface=("management", "automation")), 1
        )
    )
    stages: list[Stage] = []
    jobs: list[Job] = []
    for entry in handle.timeline():
        if "dataset_id" not in entry:
            continue
        dataset, to = entry["dataset_id"], entry["to"]
        if to == "queued":
            records = handle.state(dataset).get("records", 0) if dataset else 0
            jobs.append(Job(dataset, entry["t"], int(records or 0)))
        elif to in _STAGES:
            stages.append(Stage(dataset, to, entry["t"]))
    scenario = handle.simulator.scenario
    return Recording(
        calls=calls,
        stages=tuple(stages),
        jobs=tuple(jobs),
        scenario_datasets=frozenset(d.dataset_id for d in scenario.datasets),
        workers=scenario.platform.workers,
    )


#: The calls that change a dataset's course, as the script step that does the same.
_ACTIONS: dict[tuple[str, str], str] = {
    **{
        ("PUT", f"/api/management/v2/datasets/{{dataset_uid}}/{action}"): action
        for action in ("publish", "unpublish", "abort_processing", "save_version")
    },
    ("PUT", "/api/management/v2/datasets/{dataset_uid}/publish_metadata"): "publish_metadata",
    ("DELETE", "/api/management/v2/datasets/{dataset_uid}"): "delete",
    **{
        ("POST", f"/api/automation/v1.0/datasets/{{dataset_uid}}/{action}"): action
        for action in ("publish", "unpublish", "publish_metadata")
    },
    ("DELETE", "/api/automation/v1.0/datasets/{dataset_uid}"): "delete",
}


def client_script(handle: SimulatorHandle) -> ClientScript:
    """The run's accepted calls that changed a dataset's course, as script steps (at
    their virtual time), for a headless replay; and how many such calls named a
    dataset the scenario does not have (made by the client: no step can name it)."""
    known = {d.dataset_uid for d in handle.simulator.scenario.datasets}
    steps: list[dict[str, Any]] = []
    unplayable = 0
    for entry in handle.requests:
        action = _ACTIONS.get((entry.method, entry.route or ""))
        if action is None or entry.status >= 400:
            continue
        uid = entry.path.rstrip("/").split("/")[5]
        if uid not in known:
            unplayable += 1
            continue
        steps.append({"at": entry.time, "action": action, "dataset": uid})
    return ClientScript(tuple(steps), unplayable)


def base_document(handle: SimulatorHandle) -> dict[str, Any]:
    """The document of the scenario in force: what every case adds its fault to."""
    text = handle.simulator.scenario.text
    document = parse_text(text, "<scenario>") if text else None
    return dict(document) if isinstance(document, dict) else {}


def budget_for(clean_seconds: float) -> float:
    """Virtual seconds a case may sleep: room for a stage ten times slower, an outage's
    hour, and some retries, beyond the clean run's own time."""
    return SLOW_FACTOR * clean_seconds + OUTAGE_SECONDS + SLACK


def sweep(
    handle: SimulatorHandle,
    run: Callable[[], object],
    subject: str,
    settings: Settings = Settings(),
) -> Report:
    """Run ``run`` clean, then once per case; the report of what broke it.

    A clean run that fails is not swept: its exception propagates.
    """
    base = base_document(handle)
    scenario = handle.simulator.scenario
    handle.simulator.reset(scenario)
    started = handle.now
    with handle.virtual_sleep(modules=settings.modules):
        run()
    recording = record(handle)
    budget = settings.budget if settings.budget is not None else budget_for(handle.now - started)
    cases, planned = planned_cases(recording, settings.kinds, settings.max_cases, settings.seed)
    mine = cases[settings.shard :: settings.shards]
    outcomes = [_run_case(handle, run, base, case, budget, settings.modules) for case in mine]
    handle.simulator.reset(scenario)
    return Report(
        subject,
        recording,
        with_replays(outcomes, settings.directory, subject, base),
        planned,
    )


def _run_case(
    handle: SimulatorHandle,
    run: Callable[[], object],
    base: dict[str, Any],
    case: Any,
    budget: float,
    modules: Iterable[ModuleType | str],
) -> Outcome:
    from ..testing.transport_errors import StalledForever
    from ..testing.virtual_sleep import SleepBudgetExceeded

    handle.load(case.scenario(base))
    how, detail = SURVIVED, ""
    try:
        with handle.virtual_sleep(budget=budget, modules=modules):
            run()
    except (SleepBudgetExceeded, StalledForever) as exc:
        how, detail = "hang", detail_of(str(exc))
    except AssertionError as exc:
        how, detail = "assertion", detail_of(str(exc) or "assert failed")
    except Exception as exc:
        how, detail = "exception", detail_of(f"{type(exc).__name__}: {exc}")
    return Outcome(case, how, detail, client=client_script(handle))


def settings_from(options: dict[str, Any], directory: Path) -> Settings:
    """Settings from a marker's keywords or the command line's options."""
    known = {"kinds", "max_cases", "seed", "budget", "shards", "shard", "modules"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"unknown sweep settings {unknown}; known: {', '.join(sorted(known))}")
    kinds = options.get("kinds")
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    wrong = [k for k in kinds or () if k not in KINDS]
    if wrong:
        raise ValueError(f"unknown fault kinds {wrong}; known: {', '.join(KINDS)}")
    return Settings(
        kinds=None if kinds is None else tuple(kinds),
        max_cases=int(options.get("max_cases", DEFAULT_MAX_CASES)),
        seed=int(options.get("seed", 0)),
        shard=int(options.get("shard", 0)),
        shards=int(options.get("shards", 1)),
        budget=None if options.get("budget") is None else float(options["budget"]),
        directory=directory,
        modules=tuple(options.get("modules", ())),
    )
