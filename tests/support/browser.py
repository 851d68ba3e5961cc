"""Debian's Chromium for browser tests (Playwright cannot download a browser here)."""

from __future__ import annotations

from pathlib import Path

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
