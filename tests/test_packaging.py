"""What a non-editable install ships: every package of the source tree."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_directory_is_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "simulator").rglob("__init__.py")
    }
    missing = found - declared
    assert not missing, f"packages missing from pyproject.toml: {sorted(missing)}"


def test_declared_packages_exist() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    dirs = config["package-dir"]
    for package in config["packages"]:
        path = Path(dirs.get(package, package.replace(".", "/")))
        assert (ROOT / path).is_dir(), package
