"""Debian's Chromium for browser tests (Playwright cannot download a browser here)."""

from __future__ import annotations

from collections.abc import Callable
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
