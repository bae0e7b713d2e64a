"""A client's own Python environment, built once from the package registry and cached.

huwise-utils-py asks for Python 3.12; the suite runs on 3.11. The environment is a
virtual environment of a Python 3.12 found on the machine (``python3.12`` on the
path, else one that pyenv installed), keyed by the client's pinned version, under
pytest's cache (or the system's temporary directory). Concurrent test workers wait
for one another on a lock file; a half-built environment is built again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

#: Seconds allowed to install a client and its dependencies from the registry.
INSTALL_TIMEOUT = 600


class NoInterpreter(RuntimeError):
    """No Python of the version a client needs is on this machine."""


def _version_of(executable: str) -> tuple[int, int] | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            [executable, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode == 0:
            major, minor = done.stdout.split()
            return int(major), int(minor)
    return None


def find_python(version: tuple[int, int]) -> str:
    """A Python executable of ``version`` (e.g. ``(3, 12)``); raises ``NoInterpreter``."""
    name = f"python{version[0]}.{version[1]}"
    candidates: list[str] = []
    if found := shutil.which(name):
        candidates.append(found)
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    if pyenv.is_dir():
        prefix = f"{version[0]}.{version[1]}."
        for home in sorted(pyenv.iterdir(), reverse=True):
            if home.name.startswith(prefix):
                candidates.append(str(home / "bin" / name))
    candidates += [f"/usr/bin/{name}", f"/usr/local/bin/{name}"]
    for candidate in candidates:
        if _version_of(candidate) == version:
            return candidate
    raise NoInterpreter(
        f"{name} is needed to run this client and none was found (looked on PATH, in "
        f"pyenv's versions and in /usr/bin): install it, e.g. `pyenv install "
        f"{version[0]}.{version[1]}` or `apt-get install {name} {name}-venv`"
    )


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def client_environment(root: Path, python: str, requirement: str) -> Path:
    """The ``python`` executable of a virtual environment holding ``requirement``.

    Built under ``root`` (one folder per requirement) the first time, reused after.
    """
    root.mkdir(parents=True, exist_ok=True)
    folder = root / requirement.replace("==", "-")
    executable = folder / "bin" / "python"
    done = folder / ".installed"
    with _locked(root / f"{folder.name}.lock"):
        if done.is_file() and _version_of(str(executable)) is not None:
            return executable
        shutil.rmtree(folder, ignore_errors=True)
        steps = [
            [python, "-m", "venv", str(folder)],
            [
                str(executable),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ],
        ]
        for step in steps:
            result = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
            if result.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(step)} failed ({result.returncode}):\n{result.stderr[-3000:]}"
                )
        done.write_text(requirement + "\n")
    return executable
