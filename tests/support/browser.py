"""Debian's Chromium for browser tests (Playwright cannot download a browser here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Headless, and nothing that phones home: this machine's network is closed.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
WAIT_MS = 30_000  # an upper bound for waits, never a timing assertion
# The staff palette's accent on an element (page.evaluate(STAFF_ACCENT_OF, selector)).
STAFF_ACCENT_OF = (
    "(selector) => getComputedStyle(document.querySelector(selector))"
    ".getPropertyValue('--accent').trim()"
)


def console_watch(problems: list[str]) -> Callable[[Any], None]:
    """A ``page.on("console", ...)`` handler: prints each message (pytest shows them when a test
    fails) and counts a Content-Security-Policy violation as a problem."""

    def on_console(message: Any) -> None:
        print(f"console {message.type}: {message.text}")
        if "Content Security Policy" in message.text:
            problems.append(f"CSP violation: {message.text}")

    return on_console


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, with the project's flags (close it when done)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def watched_page(browser: Any, problems: list[str], width: int = 1400, height: int = 1000) -> Any:
    """A new page in its own context: long waits, and page errors, CSP violations and failed
    requests collected in ``problems`` (console messages are printed for a failing test)."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", console_watch(problems))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    return page


def sign_in_on_page(
    page: Any, base_url: str, path: str, username: str, password: str, code: str
) -> None:
    """Open ``path`` signed out, sign in on /login with password and TOTP code, land on it."""
    page.goto(f"{base_url}{path}")
    page.wait_for_url(lambda url: "/login?next=" in url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.fill("input[name=totp]", code)
    page.press("input[name=totp]", "Enter")
    page.wait_for_url(lambda url: url.endswith(path))


@contextmanager
def signed_in_page(
    base_url: str, path: str, username: str, password: str, code: str, problems: list[str]
) -> Iterator[Any]:
    """Chromium, a watched page signed in on /login and landed on ``path``; closed after."""
    from tests.support import needs

    sync_api = needs.chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = watched_page(browser, problems)
            sign_in_on_page(page, base_url, path, username, password, code)
            yield page
        finally:
            browser.close()
