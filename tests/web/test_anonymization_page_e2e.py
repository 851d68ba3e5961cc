"""The lead's listening page end to end, in real Chromium against the real app over real HTTP.

A lead signs in with password and TOTP, follows the lead page's link to /lead/anonymization,
and by keyboard plays each clip's original and anonymized copy: every player loads real audio
(the demo voices, rendered by espeak-ng on first use). Then another method is tried.
Screenshots: test-artifacts/anonymization*.png. SQLite only: the rules behind the page are
tested on both databases by test_anonymization_page.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support import browser as browser_support
from tests.support import needs
from tests.support.browser import (
    ARTIFACTS,
    STAFF_ACCENT_OF,
    signed_in_page,
)
from tests.support.people import make_user, totp_code
from tests.web.test_review_page_e2e import server, sqlite_rt  # noqa: F401  (the fixtures)
from voxguard.db.models import AuditEvent
from voxguard.privacy.anonymize import METHODS
from voxguard.runtime import Runtime
from voxguard.web.server import BackgroundServer

pytestmark = pytest.mark.browser

# readyState >= HAVE_METADATA and a real duration: the element got and parsed the WAV.
LOADED = """([clip, version]) => {
  const audio = document.querySelector(`#clip-${clip} audio[data-version="${version}"]`);
  return audio.readyState >= 1 && audio.duration > 0 && Number.isFinite(audio.duration);
}"""
PLAYERS = """() => Array.from(document.querySelectorAll('.cal-clip audio')).map((a) => ({
  clip: a.closest('.cal-clip').dataset.clip, version: a.dataset.version,
  ready: a.readyState, duration: a.duration, paused: a.paused, error: a.error && a.error.code,
}))"""


def _current(page: Any) -> str:
    return page.get_attribute(".cal-clip.current", "data-clip")


def test_a_lead_hears_each_voice_as_recorded_and_anonymized(
    sqlite_rt: Runtime,  # noqa: F811
    server: BackgroundServer,  # noqa: F811
) -> None:
    rt = sqlite_rt
    user, password, secret = make_user(rt, role="lead")
    problems: list[str] = []
    with signed_in_page(
        server.base_url, "/lead", user.username, password, totp_code(secret), problems
    ) as page:
        page.get_by_role("navigation", name="Lead").get_by_role(
            "link", name="Hear the anonymization"
        ).click()
        page.wait_for_url(lambda url: url.endswith("/lead/anonymization"))
        page.get_by_role("heading", name="Hear the anonymization").wait_for()
        assert page.evaluate(STAFF_ACCENT_OF, ".lead-page") == "#176b66"

        clips = page.eval_on_selector_all(".cal-clip", "els => els.map(e => e.dataset.clip)")
        assert len(clips) >= 2
        assert _current(page) == clips[0]
        # Nothing is fetched before a play: opening the page is not a listen.
        assert all(p["ready"] == 0 for p in page.evaluate(PLAYERS))

        # By keyboard: o plays the original, a the anonymized copy, j moves on.
        for clip in clips:
            assert _current(page) == clip
            for key, version in (("o", "original"), ("a", "anonymized")):
                page.keyboard.press(key)
                page.wait_for_function(LOADED, arg=[clip, version])
                page.wait_for_function(
                    "([c, v]) => !document.querySelector("
                    '`#clip-${c} audio[data-version="${v}"]`).paused',
                    arg=[clip, version],
                )
                # One voice at a time: every other player is paused.
                playing = [p for p in page.evaluate(PLAYERS) if not p["paused"]]
                assert [(p["clip"], p["version"]) for p in playing] == [(clip, version)]
                page.keyboard.press(key)  # pause again
            page.keyboard.press("j")
        page.screenshot(path=str(ARTIFACTS / "anonymization.png"), full_page=True)
        players = page.evaluate(PLAYERS)
        assert len(players) == 2 * len(clips)
        for player in players:
            assert player["ready"] >= 1 and player["duration"] > 0, player
            assert player["error"] is None, player
        page.keyboard.press("k")
        assert _current(page) == clips[-2]

        # Another method, chosen and submitted by keyboard; its copy loads too.
        configured = rt.settings.anonymization_method
        other = next(m for m in METHODS if m != configured)
        page.get_by_label("Anonymization method").select_option(other)
        page.get_by_role("button", name="Listen with this method").press("Enter")
        page.wait_for_url(lambda url: url.endswith(f"?method={other}"))
        page.keyboard.press("a")
        page.wait_for_function(LOADED, arg=[clips[0], "anonymized"])
        page.keyboard.press("a")
        page.screenshot(path=str(ARTIFACTS / "anonymization-other-method.png"), full_page=True)
        assert not problems, problems

    # Every play was recorded: each clip's original, its copy, and the other method's copy.
    with rt.db.read() as session:
        heard = {
            (e.actor, e.target, e.details)
            for e in session.execute(
                sa.select(AuditEvent).where(AuditEvent.action == "calibration.listened")
            ).scalars()
        }
    expected = {
        (f"user:{user.handle}", f"calibration:{clip}", details)
        for clip in clips
        for details in (
            '{"version":"original"}',
            f'{{"method":"{configured}","version":"anonymized"}}',
        )
    } | {
        (
            f"user:{user.handle}",
            f"calibration:{clips[0]}",
            f'{{"method":"{other}","version":"anonymized"}}',
        )
    }
    assert heard == expected


def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        needs.chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        needs.chromium()
