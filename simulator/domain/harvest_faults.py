"""Faults on harvests: a harvest that fails, a slow remote, a remote that is down.

A harvester's errors are what its last harvest met: the harvester's own (it could
not read the remote catalogue: nothing changes) and each remote dataset's (that
dataset is not created or updated). A failed harvest still ends ``idle``: the
platform has no error status for harvesters, only its error counts. A rule's
``harvester`` is an id, ``*`` for all, or a glob pattern.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

ANY_HARVESTER = "*"

#: Where a harvest fails: reading the remote catalogue (the harvester's own error),
#: or making the datasets (an error for each remote dataset named).
HARVEST_STEPS = ("catalogue", "datasets")

#: Each step's default message and its values.
HARVEST_MESSAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "catalogue": ("Could not read the remote catalogue: {reason}", {"reason": "invalid answer"}),
    "datasets": ("Could not harvest the dataset: {reason}", {"reason": "invalid metadata"}),
}
#: The message of a harvest that meets a remote outage.
OUTAGE_MESSAGE = "Could not reach the remote portal: {reason}"
OUTAGE_PARAMS = {"reason": "connection refused"}


def _matches(pattern: str, harvester_id: str) -> bool:
    return pattern == ANY_HARVESTER or fnmatch.fnmatchcase(harvester_id, pattern)


@dataclass(frozen=True)
class HarvestFailure:
    """A harvest that fails at ``step``; at ``datasets``, for the remote datasets named
    (empty: every one). Fires ``times`` times (``None``: every time it applies)."""

    harvester: str
    step: str
    raw_message: str
    raw_params: dict[str, Any] = field(default_factory=dict)
    remote_datasets: tuple[str, ...] = ()
    times: int | None = None


@dataclass(frozen=True)
class SlowRemote:
    """Harvests that take ``factor`` times longer, plus ``latency`` virtual seconds."""

    harvester: str
    factor: float = 1.0
    latency: float = 0.0


@dataclass(frozen=True)
class RemoteOutage:
    """The remote catalogue cannot be reached from ``start`` to ``end``: a harvest
    running then fails as the outage meets it."""

    harvester: str
    start: float
    end: float | None


@dataclass(frozen=True)
class HarvestOutcome:
    """What a harvest will do, decided as a worker takes it."""

    #: How long it runs (virtual seconds).
    duration: float
    #: The harvester's own error, if it fails: nothing is created or updated.
    harvester_error: str | None = None
    #: An error for each remote dataset that is not created or updated.
    resource_errors: dict[str, str] = field(default_factory=dict)
    #: The faults that took effect: kind and detail, for the fault log.
    noted: tuple[tuple[str, dict[str, Any]], ...] = ()
    #: The failure rule that fired, to count it.
    fired: HarvestFailure | None = None


def plan(
    failures: list[HarvestFailure],
    slow: list[SlowRemote],
    outages: list[RemoteOutage],
    fired: dict[int, int],
    harvester_id: str,
    remote_ids: list[str],
    start: float,
    duration: float,
) -> HarvestOutcome:
    """The outcome of a harvest of ``harvester_id`` a worker takes at ``start``."""
    noted: list[tuple[str, dict[str, Any]]] = []
    factor, latency = 1.0, 0.0
    for slowdown in slow:
        if _matches(slowdown.harvester, harvester_id):
            factor *= slowdown.factor
            latency += slowdown.latency
    if factor != 1.0 or latency:
        duration = duration * factor + latency
        noted.append(("slow_harvest", {"factor": factor, "latency": latency}))
    for outage in outages:
        if not _matches(outage.harvester, harvester_id):
            continue
        if outage.start < start + duration and (outage.end is None or start < outage.end):
            at = max(start, outage.start)
            noted.append(("remote_outage", {}))
            return HarvestOutcome(
                at - start, OUTAGE_MESSAGE.format(**OUTAGE_PARAMS), noted=tuple(noted)
            )
    for rule in failures:
        if not _matches(rule.harvester, harvester_id):
            continue
        if rule.times is not None and fired.get(id(rule), 0) >= rule.times:
            continue
        message = rule.raw_message.format(**rule.raw_params)
        if rule.step == "catalogue":
            noted.append(("harvest_error", {"step": rule.step}))
            return HarvestOutcome(duration, message, noted=tuple(noted), fired=rule)
        named = set(rule.remote_datasets)
        hit = [r for r in remote_ids if not named or r in named]
        if not hit:
            continue
        noted.append(("harvest_error", {"step": rule.step, "count": len(hit)}))
        errors = dict.fromkeys(hit, message)
        return HarvestOutcome(duration, None, errors, tuple(noted), rule)
    return HarvestOutcome(duration, noted=tuple(noted))
