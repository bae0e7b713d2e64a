"""Fault rules on their own: which datasets and calls they hit, and how often."""

from __future__ import annotations

import random

from simulator.api.management import errors as management
from simulator.domain.errors import InjectedFailure
from simulator.domain.faults import FaultBook, HttpFault, matcher
from simulator.domain.models import Dataset

STATUS = "/api/management/v2/datasets/*/status"


def ds(dataset_id: str, uid: str = "da_000001") -> Dataset:
    return Dataset(uid, dataset_id, {}, "admin", 0, 0)


def test_dataset_references_match_by_id_uid_star_or_pattern() -> None:
    assert matcher("*")(ds("anything"))
    assert matcher("trees")(ds("trees"))
    assert matcher("da_000001")(ds("trees"))
    assert not matcher("trees")(ds("trees-2"))
    assert matcher("import-*")(ds("import-2025"))
    assert matcher("da_00000?")(ds("x"))
    assert not matcher("import-*")(ds("export-2025"))


def book(*rules: HttpFault, seed: int = 0) -> FaultBook:
    return FaultBook(http=list(rules), rng=random.Random(seed))


def fires(
    b: FaultBook,
    calls: int,
    method: str = "GET",
    path: str = "/api/management/v2/datasets/da_1/status",
    now: float = 0,
) -> list[bool]:
    return [b.inject(method, path, now) is not None for _ in range(calls)]


def test_a_rule_matches_its_methods_and_glob_path() -> None:
    b = book(HttpFault(STATUS, methods=frozenset({"GET"}), status=503))
    assert fires(b, 1) == [True]
    assert fires(b, 1, method="PUT") == [False]
    assert fires(b, 1, path="/api/management/v2/datasets") == [False]


def test_nth_fires_only_on_those_matching_calls() -> None:
    b = book(HttpFault(STATUS, status=503, nth=frozenset({2, 4})))
    assert fires(b, 5) == [False, True, False, True, False]


def test_times_caps_how_often_a_rule_fires() -> None:
    b = book(HttpFault(STATUS, status=429, times=2))
    assert fires(b, 4) == [True, True, False, False]


def test_a_window_limits_a_rule_to_a_stretch_of_virtual_time() -> None:
    b = book(HttpFault(STATUS, latency=1, start=10, end=20))
    assert [
        b.inject("GET", "/api/management/v2/datasets/x/status", t) is not None
        for t in (5, 10, 19.9, 20)
    ] == [False, True, True, False]


def test_probability_is_seeded() -> None:
    rule = HttpFault(STATUS, status=503, probability=0.3)
    first = fires(book(rule, seed=1), 200)
    assert first == fires(book(rule, seed=1), 200)
    assert first != fires(book(rule, seed=2), 200)
    assert 30 < sum(first) < 90


def test_an_injection_carries_latency_status_body_and_headers() -> None:
    b = book(HttpFault(STATUS, status=429, headers={"Retry-After": "5"}, latency=2.5))
    injection = b.inject("GET", "/api/management/v2/datasets/x/status", 3)
    assert injection is not None
    assert (injection.latency, injection.status, injection.headers) == (
        2.5,
        429,
        {"Retry-After": "5"},
    )
    assert injection.body is None  # no body of its own: the API answers the error it stands for
    assert management.body(InjectedFailure(429))["error_key"] == "TooManyRequestsException"
    assert b.log == [
        {
            "t": 3,
            "kind": "http",
            "target": "/api/management/v2/datasets/x/status",
            "method": "GET",
            "status": 429,
            "latency": 2.5,
            "call": 1,
        }
    ]


def test_a_custom_body_is_answered_as_given() -> None:
    b = book(HttpFault(STATUS, status=500, body={"oops": True}))
    injection = b.inject("GET", "/api/management/v2/datasets/x/status", 0)
    assert injection is not None and injection.body == {"oops": True}


def test_the_first_rule_that_fires_wins() -> None:
    b = book(HttpFault(STATUS, status=503, nth=frozenset({2})), HttpFault(STATUS, latency=1))
    results = [b.inject("GET", "/api/management/v2/datasets/x/status", 0) for _ in range(3)]
    assert [(r.status, r.latency) for r in results if r] == [(None, 1), (503, 0.0), (None, 1)]
