"""The dashboard as people use it: clicks that land, a laptop's width, the speed in force."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.browser import CHROMIUM_ARGS
from tests.conftest import Live
from tests.e2e.test_dashboard import chromium

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

#: Six datasets whose jobs run long: their rows change on every poll while time flows.
BUSY = """
platform: {workers: 2}
datasets:
""" + "".join(
    f"  - {{dataset_id: ds-{i}, dataset_uid: da_busy0{i}, resources: [{{records: 2000000}}]}}\n"
    for i in range(6)
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    """A page the size of a 1366 x 768 laptop screen."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(10_000)
    yield page
    page.close()


def row(page: Page, dataset_id: str) -> Locator:
    return page.locator(f'#datasets tbody tr[data-id="{dataset_id}"]')


def slow_click(page: Page, target: Locator) -> None:
    """A click as a person makes it: pressed, held while the page refreshes, released."""
    box = target.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 8, box["y"] + box["height"] / 2)
    with page.expect_response(lambda r: "/_sim/dashboard" in r.url):
        page.mouse.down()
    # the answer is drawn in the frame after it arrives
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    page.mouse.up()


def publish_all(live: Live) -> None:
    for i in range(6):
        live.control("POST", f"datasets/da_busy0{i}/actions/publish")


@pytest.mark.parametrize("clock", ["running", "paused"])
def test_every_click_on_a_row_selects_it_while_the_page_refreshes(
    clock: str, laptop: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(BUSY)
    publish_all(live)
    if clock == "running":
        live.control("PUT", "clock", json={"mode": "realtime", "speed": 1})
    laptop.goto(f"{live.url}/_sim/ui")
    expect(row(laptop, "ds-5")).to_be_visible()
    for n in range(12):
        dataset_id = f"ds-{n % 6}"
        slow_click(laptop, row(laptop, dataset_id).locator("td").first)
        expect(laptop.locator("#selected")).to_have_text(dataset_id, timeout=2_000)
        expect(row(laptop, dataset_id)).to_have_class("selected")
    if clock == "running":
        assert live.control("GET", "clock")["now"] > 0


def test_rows_are_updated_in_place_and_follow_the_datasets(
    laptop: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(BUSY)
    laptop.goto(f"{live.url}/_sim/ui")
    expect(row(laptop, "ds-0").locator(".status-public")).to_have_text("idle")
    laptop.evaluate("() => { document.querySelector('#datasets tbody tr').dataset.mark = 'kept' }")
    publish_all(live)
    live.advance(10)
    first = row(laptop, "ds-0")
    expect(first.locator(".status-fine")).to_have_text("processing_all_dataset_data")
    expect(first.locator(".job .progress")).to_be_visible()
    expect(row(laptop, "ds-5").locator(".job .fine")).to_have_text("waiting")
    assert first.get_attribute("data-mark") == "kept"  # the same row, its cells updated
    live.control("POST", "clock/run_until_idle")
    assert live.http.delete(f"{live.api}/datasets/da_busy05", timeout=10).status_code == 200
    live.control("POST", "clock/run_until_idle")
    expect(laptop.locator("#datasets tbody tr")).to_have_count(5)
    expect(row(laptop, "ds-5")).to_have_count(0)
    expect(first.locator(".job .progress")).to_be_hidden()
    expect(first.locator(".job .fine")).to_be_hidden()
    assert first.get_attribute("data-mark") == "kept"


def test_at_1366_pixels_nothing_overflows_and_the_diagram_reads(
    laptop: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(BUSY)
    publish_all(live)
    live.advance(10)
    laptop.goto(f"{live.url}/_sim/ui")
    expect(laptop.locator("#diagram svg")).to_be_visible()
    expect(row(laptop, "ds-0").locator(".job .progress")).to_be_visible()
    sizes = laptop.evaluate(
        """() => {
      const page = document.documentElement;
      const panel = document.querySelector('#datasets-panel');
      const diagram = document.querySelector('#diagram-panel').getBoundingClientRect();
      const svg = document.querySelector('#diagram svg');
      const drawn = svg.getBoundingClientRect();
      const jobs = [...document.querySelectorAll('#datasets td.job')].map((td) => ({
        cut: td.scrollWidth > td.clientWidth,
        right: td.getBoundingClientRect().right,
      }));
      return {
        page: [page.scrollWidth, page.clientWidth],
        table: [panel.scrollWidth, panel.clientWidth, panel.getBoundingClientRect().right],
        diagram: [diagram.left, diagram.right, drawn.left, drawn.right],
        text: (drawn.width / svg.viewBox.baseVal.width) * 10,
        jobs,
      };
    }"""
    )
    assert sizes["page"][0] <= sizes["page"][1], "the page scrolls sideways"
    assert sizes["table"][0] <= sizes["table"][1], "the datasets' table scrolls sideways"
    assert len(sizes["jobs"]) == 6
    for job in sizes["jobs"]:
        assert not job["cut"] and job["right"] <= sizes["table"][2]
    left, right, drawn_left, drawn_right = sizes["diagram"]
    assert left <= drawn_left and drawn_right <= right, "the diagram leaves its panel"
    assert sizes["text"] >= 10, "the diagram's 10-unit labels are drawn smaller than 10 px"


def test_the_speed_selector_shows_the_speed_in_force(
    laptop: Page, make_live: Callable[..., Live]
) -> None:
    live = make_live(BUSY)
    laptop.goto(f"{live.url}/_sim/ui")
    speed = laptop.locator("#speed")
    expect(speed).to_have_value("10")
    live.control("PUT", "clock", json={"speed": 120})  # from outside the page
    expect(speed).to_have_value("120")
    expect(speed.locator("option:checked")).to_have_text("120\u00d7")
    live.control("PUT", "clock", json={"speed": 60})
    expect(speed).to_have_value("60")
    expect(speed.locator('option[value="120"]')).to_have_count(0)
    live.control("PUT", "clock", json={"speed": 2.5})
    expect(speed.locator("option:checked")).to_have_text("2.5\u00d7")
    with laptop.expect_response(lambda r: r.url.endswith("/_sim/clock")) as answer:
        speed.select_option("600")  # chosen on the page: the speed in force, paused or not
    assert answer.value.ok
    assert live.control("GET", "clock")["speed"] == 600
    assert live.control("GET", "clock")["mode"] == "manual"
    expect(speed).to_have_value("600")
