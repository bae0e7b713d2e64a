"""The dashboard in a real browser: headless Chromium, driven by Playwright."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser import CHROMIUM_ARGS, MISSING, find_chromium
from tests.conftest import Live

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"

WORLD = """
platform: {workers: 1}
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    metas: {default: {title: Remarkable trees}}
    resources: [{records: 1800}]
  - dataset_id: counts
    dataset_uid: da_count1
    resources: [{records: 400}]
faults:
  - {type: processing_error, dataset: counts, at_fraction: 0.5}
"""


def chromium() -> str:
    """Debian's Chromium (or CHROMIUM=/path); the test fails clearly without one."""
    path = find_chromium()
    if not path:
        pytest.fail(f"This test drives a real browser and none was found: {MISSING}.")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(10_000)
    yield page
    page.close()


def row(page: Page, dataset_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#datasets tbody tr[data-id="{dataset_id}"]')


def test_publish_and_advance_the_clock_from_the_page(
    page: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(WORLD)
    page.goto(live.url)  # / redirects to the dashboard
    expect(page).to_have_url(f"{live.url}/_sim/ui")
    trees = row(page, "trees")
    expect(trees.locator(".status-public")).to_have_text("idle")
    expect(page.locator("#diagram svg")).to_be_visible()

    trees.click()
    expect(page.locator("#selected")).to_have_text("trees")
    page.click("#btn-publish")
    expect(trees.locator(".status-public")).to_have_text("processing")
    expect(trees.locator(".status-fine")).to_have_text("processing_dataset")
    expect(page.locator("#diagram .status-processing_dataset.active")).to_have_count(1)
    expect(page.locator("#diagram .status-processing_dataset.selected")).to_have_count(1)
    assert live.control("GET", "clock")["now"] == 0

    page.click("#btn-advance-10")  # 5 s of metadata, then records (done at 33 s)
    expect(page.locator("#clock-now")).to_have_text("t = 10 s")
    expect(trees.locator(".status-fine")).to_have_text("processing_all_dataset_data")
    expect(trees.locator(".job .progress")).to_be_visible()

    page.click("#btn-idle")
    expect(trees.locator(".status-public")).to_have_text("idle")
    expect(trees.locator(".published")).to_have_text("yes")
    expect(trees.locator(".records")).to_have_text("1,800")
    expect(page.locator("#diagram .status-processing_dataset.active")).to_have_count(0)
    assert page.locator("#timeline rect").count() >= 2

    page.click("#btn-abort")  # an idle dataset cannot be aborted: the page says why
    expect(page.locator("#message")).to_contain_text(
        "Invalid precondition, dataset status is 'idle'"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-test.png"), full_page=True)


def test_errors_faults_and_a_reset_show_on_the_page(
    page: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(WORLD)
    page.goto(f"{live.url}/_sim/ui")
    counts = row(page, "counts")
    counts.click()
    page.click("#btn-publish")
    page.click("#btn-idle")
    expect(counts.locator(".status-public")).to_have_text("error")
    expect(counts.locator(".error")).to_contain_text("Could not process resource records")
    expect(page.locator("#timeline .fault")).to_have_count(1)
    expect(page.locator("#diagram .status-error.active")).to_have_count(2)  # drawn on both sides

    page.click("#btn-reset")
    expect(counts.locator(".status-public")).to_have_text("idle")
    expect(page.locator("#timeline .fault")).to_have_count(0)
    expect(page.locator("#clock-now")).to_have_text("t = 0 s")


def test_play_lets_time_flow_and_pause_stops_it(page: Page, make_live: Callable[..., Live]) -> None:
    live = make_live(WORLD)
    page.goto(f"{live.url}/_sim/ui")
    page.select_option("#speed", "600")
    page.click("#btn-play")
    expect(page.locator("#clock-mode")).to_have_text("playing at 600\u00d7")
    page.click("#btn-pause")
    expect(page.locator("#clock-mode")).to_have_text("paused")
    stopped = live.control("GET", "clock")["now"]
    assert stopped > 0
    assert live.control("GET", "clock")["now"] == stopped


HARVESTING = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
datasets: [{dataset_id: own, dataset_uid: da_own001}]
harvesters:
  - name: Nachbar Portal
    params: {domain_id: data.example.org}
    remote_datasets: 3
"""


def test_a_lane_per_harvester_with_its_datasets_linked(
    page: Page, make_live: Callable[..., Live]
) -> None:
    plain = make_live(WORLD)
    page.goto(f"{plain.url}/_sim/ui")
    expect(row(page, "trees")).to_be_visible()
    expect(page.locator("#harvesters-panel")).to_be_hidden()  # no harvester, no panel

    live = make_live(HARVESTING)
    page.goto(f"{live.url}/_sim/ui")
    lane = page.locator('#harvesters tbody tr[data-harvester="nachbar-portal"]')
    expect(lane.locator(".harvester-status")).to_have_text("new")
    expect(lane).to_contain_text("Nachbar Portal")
    expect(page.locator("#harvester-diagram svg")).to_be_visible()
    r = live.http.put(f"{live.api}/harvesters/nachbar-portal/start/", timeout=10)
    assert r.status_code == 200, r.text
    expect(lane.locator(".harvester-status")).to_have_text("processing")
    expect(page.locator("#harvester-diagram .harvester-status-processing.active")).to_have_count(1)
    page.click("#btn-idle")
    expect(lane.locator(".harvester-status")).to_have_text("idle")
    expect(lane.locator(".last-move")).to_contain_text("processing \u2192 idle (harvest_done)")
    links = lane.locator(".dataset-link")
    expect(links).to_have_count(3)
    first = links.first.inner_text()
    links.first.click()  # the harvester's dataset, selected in the datasets' table
    expect(page.locator("#selected")).to_have_text(first)
    expect(row(page, first)).to_have_class("selected")
    label = page.locator("#timeline .harvester-lane")
    expect(label).to_have_text("harvester:nachbar-portal")
    assert page.locator("#timeline rect").count() >= 3 + 4  # its statuses, and its datasets'


def test_the_step_button_puts_the_clock_in_step_mode(
    page: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(WORLD)
    page.goto(f"{live.url}/_sim/ui")
    expect(page.locator("#clock-mode")).to_have_text("paused")
    page.click("#btn-step")
    expect(page.locator("#clock-mode")).to_have_text("one step per API call")
    assert live.control("GET", "clock")["mode"] == "step"
    page.click("#btn-pause")
    expect(page.locator("#clock-mode")).to_have_text("paused")


def test_the_requests_panel_shows_the_newest_requests_status_coloured(
    page: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(WORLD)
    page.goto(f"{live.url}/_sim/ui")
    expect(page.locator("#requests-empty")).to_be_visible()
    live.http.get(f"{live.api}/datasets/da_trees1/status", timeout=10)
    live.http.get(f"{live.api}/datasets/da_nothing", timeout=10)
    rows = page.locator("#requests tbody tr")
    expect(rows).to_have_count(2)  # the page's own reads are not in the log
    newest = rows.first
    expect(newest.locator(".path")).to_have_text("/api/management/v2/datasets/da_nothing")
    expect(newest.locator(".http-status")).to_have_text("404")
    expect(newest.locator(".http-4xx")).to_have_count(1)
    expect(rows.nth(1).locator(".http-2xx")).to_have_text("200")
    expect(page.locator("#requests-empty")).to_be_hidden()
