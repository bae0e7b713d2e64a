"""The listing query language: where clauses, sorting, integer parameters."""

from __future__ import annotations

import time

import pytest

from simulator.api.management.query import parse_sort, parse_where
from simulator.api.reading import bool_param, int_param
from simulator.domain.errors import InvalidParameter
from simulator.domain.models import Dataset
from simulator.service import datasets as service
from simulator.service.commands import Listing


def ds(dataset_id: str, uid: str, modified: float = 0, published: bool = False) -> Dataset:
    d = Dataset(uid, dataset_id, {"default": {"title": dataset_id.upper()}}, "admin", 0, modified)
    d.published = published
    return d


def where(text: str) -> list[Dataset]:
    """The datasets of DATA a ``where`` keeps, read by the surface and applied by the service."""
    return service.select(DATA, Listing(filters=parse_where(text)))


def sort_datasets(datasets: list[Dataset], sort: str) -> list[Dataset]:
    return service.select(datasets, Listing(sort=parse_sort(sort)))


DATA = [
    ds("trees", "da_aaaaa1", 5),
    ds("bikes", "da_aaaaa2", 9, True),
    ds("toilets", "da_aaaaa3", 1),
]


@pytest.mark.parametrize(
    "text", ['datasetid="bikes"', "datasetid='bikes'", "datasetid=bikes", " datasetid = bikes "]
)
def test_where_accepts_the_three_quotings_of_datasetid(text: str) -> None:
    assert [d.dataset_id for d in where(text)] == ["bikes"]


def test_where_clauses_join_with_and() -> None:
    assert [d.dataset_id for d in where('published=true AND dataset_uid="da_aaaaa2"')] == ["bikes"]


@pytest.mark.parametrize(
    ("where", "reason"),
    [("title=x", "unknown field 'title'"), ("datasetid ~ x", "cannot parse"), ("", "cannot parse")],
)
def test_where_refuses_what_it_cannot_read_naming_the_parameter(where: str, reason: str) -> None:
    with pytest.raises(InvalidParameter, match=reason) as err:
        parse_where(where)
    assert err.value.raw_params["parameter"] == "where"


def test_sort_by_field_and_descending_with_a_minus() -> None:
    assert [d.dataset_id for d in sort_datasets(DATA, "dataset_id")] == [
        "bikes",
        "toilets",
        "trees",
    ]
    assert [d.dataset_id for d in sort_datasets(DATA, "-last_modified")] == [
        "bikes",
        "trees",
        "toilets",
    ]
    assert [d.dataset_id for d in sort_datasets(DATA, "-published,dataset_id")] == [
        "bikes",
        "toilets",
        "trees",
    ]


def test_sort_refuses_an_unknown_field() -> None:
    with pytest.raises(InvalidParameter, match="unknown field 'size'"):
        sort_datasets(DATA, "size")


def test_integer_parameters_are_bounded() -> None:
    assert int_param("rows", None, 10, 1, 100) == 10
    assert int_param("rows", "100", 10, 1, 100) == 100
    for bad, reason in [
        ("101", "between 1 and 100"),
        ("0", "between 1 and 100"),
        ("ten", "expected an integer"),
    ]:
        with pytest.raises(InvalidParameter, match=reason):
            int_param("rows", bad, 10, 1, 100)


def test_boolean_parameters() -> None:
    assert bool_param("strict", "true") is True
    assert bool_param("strict", "False") is False
    assert bool_param("strict", None) is False
    with pytest.raises(InvalidParameter, match="expected true or false"):
        bool_param("strict", "maybe")


@pytest.mark.parametrize(
    "text",
    [
        "datasetid=x" + " " * 100_000 + "x",
        " " * 100_000,
        "datasetid=" + '"' * 100_000,
        "datasetid=x and " * 6_000 + "datasetid=x",
        "datasetid=" + "x" * 100_000 + " AND",
        "a" * 100_000,
    ],
    ids=["spaces-mid", "spaces", "quotes", "6000-clauses", "long-value", "long-name"],
)
def test_where_reads_100_kb_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    try:
        assert where(text) == []
    except InvalidParameter as exc:
        assert len(exc.message) < 600, "the message repeats a bounded part of the input"
    # a quadratic reading takes seconds here; a linear one, a few milliseconds
    assert time.perf_counter() - started < 0.5


def test_clauses_on_one_field_fold_into_one_test() -> None:
    assert parse_where("datasetid=bikes and datasetid=bikes") == {"dataset_id": ["bikes"]}
    assert [d.dataset_id for d in where("datasetid=bikes and datasetid=bikes")] == ["bikes"]
    assert where("datasetid=bikes AND datasetid=trees") == []


def test_a_sort_key_given_again_is_sorted_on_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(d: Dataset) -> str:
        calls.append(d.dataset_id)
        return d.dataset_id

    monkeypatch.setitem(service.SORTS, "dataset_id", counting)
    many = ",".join(["-dataset_id", *["dataset_id"] * 10_000])
    assert [d.dataset_id for d in sort_datasets(DATA, many)] == ["trees", "toilets", "bikes"]
    assert len(calls) == len(DATA), "one pass: the first mention decides the order"


@pytest.mark.parametrize(("raw", "value"), [("10", 10), ("10.0", 10), (" 7 ", 7), ("3.", 3)])
def test_integer_parameters_accept_integral_decimals(raw: str, value: int) -> None:
    assert int_param("rows", raw, 10, 1, 100) == value


@pytest.mark.parametrize("raw", ["10.5", "1e3", "1" * 5000, "ten", ".5"])
def test_integer_parameters_refuse_the_rest(raw: str) -> None:
    with pytest.raises(InvalidParameter) as err:
        int_param("rows", raw, 10, 1, 100)
    assert len(err.value.message) < 400
