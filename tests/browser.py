"""The headless Chromium the dashboard's test and the README's screenshot both drive."""

from __future__ import annotations

import os
import shutil

#: What Chromium needs to run headless here (as root, no GPU, no network of its own).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: Said when no browser is found.
MISSING = (
    "no Chromium found: install Debian's Chromium (apt-get install chromium), "
    "or point CHROMIUM at a Chromium binary"
)


def find_chromium() -> str | None:
    """``$CHROMIUM``, else Debian's ``chromium`` (or ``chromium-browser``) on the PATH."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
