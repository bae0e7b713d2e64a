"""The simulator as a process of its own, read until its banner says where it listens.

For the tests that run the command line and for the benchmarks. A thread reads the
process's output as it comes, so the start has a deadline that holds even if the
process prints nothing, and the pipe never fills however much it prints later.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "run_simulator.py")
#: The banner's last line: by then every line a test may look for is out.
LAST = "  curl"


class Spawned:
    """``run_simulator.py ARGS`` (or ``command``), started; its URL read from the banner.

    ``banner`` holds the lines up to the banner's last; what the process prints after
    that is kept too, and :meth:`stop` hands it over.
    """

    def __init__(
        self,
        *args: str,
        command: list[str] | None = None,
        timeout: float = 30.0,
        **popen: Any,
    ) -> None:
        self.proc = subprocess.Popen(
            command or [sys.executable, SCRIPT, *args],
            stdout=subprocess.PIPE,
            stderr=popen.pop("stderr", subprocess.STDOUT),
            text=True,
            **popen,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.banner: list[str] = []
        try:
            while True:
                line = self._lines.get(timeout=timeout)
                if line is None:
                    raise RuntimeError(f"the simulator exited before its banner: {self.banner}")
                self.banner.append(line)
                if line.startswith(LAST):
                    break
        except queue.Empty:
            self.kill()
            raise RuntimeError(f"no banner within {timeout:g} s: {self.banner}") from None
        match = re.search(r"https?://[\w.\[\]:-]+:\d+", "\n".join(self.banner))
        if match is None:
            self.kill()
            raise RuntimeError(f"no URL in the banner: {self.banner}")
        self.url = match.group(0)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:
            for line in self.proc.stdout:
                self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self, start: str) -> str:
        """The banner's line that starts with ``start``."""
        return next(line for line in self.banner if line.startswith(start))

    def stop(self, signum: int | None = None, timeout: float = 30.0) -> tuple[int, str]:
        """Send a signal (default: terminate) and wait; the exit code and the later output."""
        if self.proc.poll() is None:
            if signum is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(signum)
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        later: list[str] = []
        while (line := self._lines.get(timeout=timeout)) is not None:  # up to the end mark
            later.append(line)
        return code, "".join(f"{line}\n" for line in later)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
