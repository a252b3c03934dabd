"""Browser fixtures: one headless Debian chromium per session, a fresh context (own localStorage) per test.

Chromium comes from apt (`make browser`, run by `make test`), because playwright cannot download browsers
here. Every request that leaves 127.0.0.1 is aborted, so the tests behave the same offline and online
(catalog images then fail to load and the widget must show its placeholders).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("SHOPMATE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}
VENDOR = Path(__file__).parent / "vendor"
# Pictures of every run go to build/ (ignored by git); `make screenshots` points this at docs/screenshots when
# the look changes on purpose, so that no test run rewrites tracked files.
SCREENSHOTS = Path(
    os.environ.get("SHOPMATE_SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium) first")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def offline(route) -> None:
    host = urlparse(route.request.url).hostname
    if host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort("internetdisconnected")


class PageErrors(list):
    """Uncaught exceptions in the page: a widget bug shows up here even when the UI looks fine."""


@pytest.fixture
def new_page(browser):
    """Factory: a page in a fresh context (empty localStorage/sessionStorage), offline outside 127.0.0.1."""
    contexts = []
    errors = PageErrors()

    def make(viewport: dict | None = None, **context_args) -> Page:
        ctx = browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True, **context_args)
        ctx.route("**/*", offline)
        ctx.set_default_timeout(20000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def open_shop(page: Page, base_url: str, path: str = "/") -> Page:
    page.goto(base_url + path)
    page.wait_for_selector("html[data-shopmate-ready]", state="attached")
    return page


@pytest.fixture
def shop(new_page, live_server) -> Page:
    """The demo shop page on the shared live server, widget mounted."""
    return open_shop(new_page(), live_server.base_url)
