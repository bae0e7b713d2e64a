"""Take the README's screenshot of the dashboard, in the middle of the showcase scenario.

    .venv/bin/python tools/dashboard_screenshot.py [--at 150] [--out docs/dashboard.png]

Needs Debian's Chromium (apt-get install chromium); Playwright drives it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import requests
from playwright.sync_api import expect, sync_playwright

from simulator.api import create_app
from simulator.api.server import LiveServer
from simulator.scenario.loading import load_scenario
from simulator.service import Simulator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser settings are the suite's: tests/browser.py
from tests.browser import CHROMIUM_ARGS, MISSING, find_chromium  # noqa: E402


def client_polls(url: str) -> None:
    """A client's calls, for the Requests panel: it polls two statuses, once refused."""
    api = f"{url}/api/management/v2/datasets"
    session = requests.Session()
    session.headers["Authorization"] = "Apikey ods-sim-admin-key"
    for uid in ("parking", "restaurants"):
        found = session.get(api, params={"where": f"dataset_id='{uid}'"}).json()
        dataset_uid = found["datasets"][0]["dataset_uid"]
        session.get(f"{api}/{dataset_uid}/status")
    requests.get(f"{api}/unknown/status")  # no credentials: 401


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--at", type=float, default=150, help="virtual second of the picture")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "dashboard.png")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit(f"error: {MISSING}")
    scenario = load_scenario(ROOT / "scenarios" / "showcase.yaml")
    sim = Simulator(scenario, overrides={"clock_mode": "manual"})
    sim.control.advance(args.at)
    server = LiveServer(create_app(simulator=sim)).start()
    try:
        client_polls(server.url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{server.url}/_sim/ui")
            page.wait_for_selector("#diagram svg")
            page.wait_for_selector("#requests tbody tr td")
            page.click('#datasets tbody tr[data-id="restaurants"]')
            expect(page.locator("#selected")).to_have_text("restaurants")
            expect(page.locator("#diagram .selected").first).to_be_visible()
            page.screenshot(path=str(args.out), full_page=True)
            browser.close()
    finally:
        server.stop()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
