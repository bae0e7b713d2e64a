"""The README cannot drift from the code: routes, CI command, defaults."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.api import create_app
from simulator.domain.platform import DEFAULT_TIMINGS
from simulator.domain.statemachine import Status

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_the_quick_start_is_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = quick_start_commands()[1]
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci


def test_the_endpoint_tables_list_exactly_the_served_routes() -> None:
    app = create_app()
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:  # type: ignore[operator]
            served.add((method, rule.rule))
    documented = set(re.findall(r"^\| `([A-Z]+)` \| `(/[^`]*)` \|", README, re.MULTILINE))
    assert documented == served


def test_the_default_timings_stated_are_the_codes() -> None:
    paragraph = README.split("Default timings", 1)[1].split("\n\n", 1)[0]
    stated = dict(re.findall(r"`([a-z_]+)` ([0-9+ /s]+?)(?=[;.])", paragraph))
    assert stated, "no timings found"
    for name, text in stated.items():
        timing = DEFAULT_TIMINGS[Status(name)]
        expected = f"{timing.base:g}" + (f" + {timing.rate:g}/s" if timing.rate else "")
        assert text.strip() == expected, name


def annotated_example() -> str:
    section = README.split("### The format", 1)[1]
    return re.search(r"```yaml\n(.+?)\n```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


def test_the_annotated_scenario_example_uses_every_key_and_plays_true() -> None:
    import io

    import yaml

    from simulator.domain.faults import FAULT_TYPES
    from simulator.scenario.headless import simulate
    from simulator.scenario.loading import load_scenario_text
    from simulator.scenario.schema import build_schema

    text = annotated_example()
    document = yaml.safe_load(text)
    assert set(document) == set(build_schema()["properties"])
    assert {f["type"] for f in document["faults"]} == set(FAULT_TYPES) - {
        "deleting_error",
        "aborting_error",
        "saving_error",
    }
    out, err = io.StringIO(), io.StringIO()
    assert simulate(load_scenario_text(text, "README.md"), out=out, err=err) == 0, out.getvalue()
