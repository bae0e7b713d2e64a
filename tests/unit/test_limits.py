"""Reading values as clients spell them."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.domain.limits import as_boolean


@pytest.mark.parametrize(
    "given", [True, 1, 1.0, "true", "True", "TRUE", " true ", "1", "yes", "Y", "on", "t"]
)
def test_the_spellings_of_true(given: Any) -> None:
    assert as_boolean(given) is True


@pytest.mark.parametrize("given", [False, 0, 0.0, "false", "False", "0", "no", "N", "off", "f"])
def test_the_spellings_of_false(given: Any) -> None:
    assert as_boolean(given) is False


@pytest.mark.parametrize("given", [None, 2, -1, 0.5, "", "maybe", "truthy", [], {}, [True]])
def test_anything_else_is_not_a_boolean(given: Any) -> None:
    assert as_boolean(given) is None
