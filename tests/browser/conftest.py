"""Chromium driven by Playwright against pytest-django's live server.

The browser is Debian's Chromium (never a downloaded one), started once per test
process; each test gets fresh contexts, so cookies and sessions never leak between
personas or tests. The live server reads the database through its own connection, so
these tests commit their data (`transactional_db`).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse the ORM calls the tests make to set up and check data.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Long enough for a slow CI machine, short enough that a missing element fails fast.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM} (make test installs it)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def site(transactional_db, live_server):
    """The live server's address, with its data committed for the browser to see."""
    return live_server.url


@pytest.fixture
def new_page(browser, site):
    """Opens a page in a context of its own: one per persona, like separate browsers.
    Whatever the Content-Security-Policy refused on any page fails the test."""
    contexts, refused = [], []

    def open_page():
        # Many Swedish workplaces' browsers announce English; the portal is Swedish anyway.
        # Reduced motion: the pages then change state at once (Bootstrap drops its
        # transitions), so the accessibility check never reads a colour half-way through.
        context = browser.new_context(base_url=site, locale="en-GB", reduced_motion="reduce")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and refused.append(f"{page.url}: {message.text}")
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not refused, "\n".join(refused)


@pytest.fixture
def page(new_page):
    return new_page()
