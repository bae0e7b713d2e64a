"""Take the README's screenshot of the dashboard, in the middle of the showcase scenario.

    .venv/bin/python tools/dashboard_screenshot.py [--at 150] [--out docs/dashboard.png]

Needs Debian's Chromium (apt-get install chromium); Playwright drives it.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from simulator.api import create_app
from simulator.scenario import load_scenario
from simulator.server import LiveServer
from simulator.service import Simulator

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--at", type=float, default=150, help="virtual second of the picture")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard.png")
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "showcase.yaml")
    sim = Simulator(scenario, overrides={"clock_mode": "manual"})
    sim.advance(args.at)
    server = LiveServer(create_app(simulator=sim)).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{server.url}/_sim/ui")
            page.wait_for_selector("#diagram svg")
            page.click('#datasets tbody tr[data-id="restaurants"]')
            page.wait_for_timeout(800)
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    finally:
        server.stop()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
