"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for page tests.

Playwright's own browser downloads do not work on these machines; the system Chromium is
required, and its absence fails the tests with the fix instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("CSTO_TEST_CHROMIUM", "/usr/bin/chromium")
# As root Chromium refuses to start without --no-sandbox; the rest keeps it quiet and offline.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if path is None:
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y "
                    "--no-install-recommends chromium` (make test does, as root), or set "
                    "CSTO_TEST_CHROMIUM to its path", pytrace=False)
    return path


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed afterwards (Playwright gives it a fresh profile)."""
    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=FLAGS, headless=True,
                                             timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()
