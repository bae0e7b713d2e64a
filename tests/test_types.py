"""The package type-checks: mypy, configured in pyproject.toml, finds nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: A ``type: ignore`` and the reason written after it, as ``# type: ignore[code]  # why``.
_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<after>.*)$")


def test_mypy_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_type_ignore_names_its_code_and_reason() -> None:
    bare = []
    for path in sorted((ROOT / "simulator").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = _IGNORE.search(line)
            if m and (not m["codes"] or not m["after"].strip().startswith("#")):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bare == [], "a type: ignore says which error and why:\n" + "\n".join(bare)
