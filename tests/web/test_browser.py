"""The history pages in headless Chromium: search, item with diff, chart, hostile text.

Pages are browsed with JavaScript disabled: they must work without it.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Dialog, Page, ViewportSize, expect

from tests.web.browser import chromium
from tests.web.helpers import HOSTILE, LiveServer

PHONE: ViewportSize = {"width": 390, "height": 844}



def _screenshot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000, f"screenshot {path} looks empty"


def test_search_by_a_body_word_then_revisions_with_diff(
        server: LiveServer, history_ids: dict[str, int], tmp_path: Path) -> None:
    with chromium() as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(server.url + "/")
        expect(page.locator("#count")).to_contain_text("30 items")
        expect(page.locator("svg.chart rect.bar")).to_have_count(14)  # Jan 2025 .. Feb 2026
        _screenshot(page, tmp_path / "history.png")

        page.fill("input[name=q]", "quokka")
        page.press("input[name=q]", "Enter")
        expect(page.locator("#count")).to_contain_text("1 item")
        results = page.locator("ol.results li")
        expect(results).to_have_count(1)
        expect(results).to_contain_text("3 revisions")
        results.get_by_role("link").click()

        expect(page.locator("h1")).to_have_text("Secretary General visits Minsk and Astana")
        expect(page.locator("section.revision")).to_have_count(3)
        expect(page.locator("#revision-2 .diff ins")).to_have_text("on Monday")
        expect(page.locator("#revision-3 .diff .chg")).to_have_text(
            "~Secretary General visits Minsk and Astana")
        expect(page.locator("#revision-3 .diff ins")).to_have_text("and Astana")
        expect(page.locator("#revision-3 .diff del")).to_have_count(0)
        _screenshot(page, tmp_path / "item.png")


def test_filters_and_paging_without_javascript(server: LiveServer,
                                               history_ids: dict[str, int]) -> None:
    with chromium() as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(server.url + "/?section=speech")
        expect(page.locator("#count")).to_contain_text("9 items")
        page.goto(server.url + "/?kind=edited")
        expect(page.locator("ol.results li")).to_have_count(1)
        page.goto(server.url + "/")
        page.get_by_role("link", name="Older →").click()
        expect(page.locator("#count")).to_contain_text("page 2 of 2")
        expect(page.locator("ol.results li")).to_have_count(10)


def test_a_hostile_title_is_shown_as_text(server: LiveServer, history_ids: dict[str, int],
                                          tmp_path: Path) -> None:
    with chromium() as browser:
        page = browser.new_context(viewport=PHONE).new_page()  # JavaScript on: nothing runs
        dialogs: list[str] = []

        def on_dialog(dialog: Dialog) -> None:  # an alert() would mean a script ran
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(f"{server.url}/items/{history_ids['hostile']}")
        expect(page.locator("h1")).to_have_text(HOSTILE)
        assert page.locator("main img, main script, main b").count() == 0
        page.goto(server.url + "/")
        expect(page.locator("ol.results").get_by_text(HOSTILE)).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        _screenshot(page, tmp_path / "phone.png")
    assert dialogs == []
    assert width <= PHONE["width"], "the history page scrolls sideways on a phone"
