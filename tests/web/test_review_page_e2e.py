"""The listening page end to end, in real Chromium against the real app over real HTTP.

A reviewer signs in with password and TOTP on /login, lands on /review, controls playback with
the keyboard, hears the clip to the end, corrects the transcript, picks an intent by typing,
submits with Ctrl+Enter, and sees the next clip load and start playing.

SQLite only, on purpose: this test is about the page; every API rule behind it is tested on
both databases by the API tests, and a browser run per backend would double a slow test.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import sqlalchemy as sa

from tests.support import needs
from tests.support.audio import encode, tone
from tests.support.browser import (
    ARTIFACTS,
    STAFF_ACCENT_OF,
    WAIT_MS,
    console_watch,
    launch,
)
from tests.support.net import free_port
from tests.support.people import make_user, totp_code
from tests.support.world import make_device
from voxguard.config import Settings
from voxguard.db.models import Annotation, Flag, Utterance
from voxguard.processing.worker import work
from voxguard.runtime import Runtime, build_runtime
from voxguard.web.server import BackgroundServer
from voxguard.web.vendor import WAVESURFER_URL

pytestmark = pytest.mark.browser

SCREENSHOT = ARTIFACTS / "review-e2e.png"
# Long enough (about 3-4 s each) that pausing right after playback starts is not a race.
SENTENCES = [
    "please set an alarm for seven o'clock tomorrow morning",
    "what will the weather be like in paris this weekend",
]


def _speech(text: str) -> tuple[np.ndarray, int]:
    try:
        from voxguard.demo.speech import synthesize
    except ImportError:  # the demo voice is optional for this test: a tone plays just as well
        return tone(3.0), 16_000
    return synthesize(text, "en-us")


@pytest.fixture
def sqlite_rt(tmp_path: Path, sqlite_template: Path) -> Iterator[Runtime]:
    db = tmp_path / "voxguard.db"
    shutil.copyfile(sqlite_template, db)
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=f"sqlite:///{db}",
        sampling_rate=1.0,
        review_consent_default="opted_in",
    )
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def server(sqlite_rt: Runtime) -> Iterator[BackgroundServer]:
    srv = BackgroundServer(sqlite_rt, "127.0.0.1", free_port())
    srv.start()
    yield srv
    srv.stop()


def _ingest_clips(rt: Runtime, base_url: str) -> None:
    device = make_device(rt, "ACCT-E2E-7731", "SN-E2E-4410")
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for i, text in enumerate(SENTENCES):
            samples, rate = _speech(text)
            meta = device.metadata_bytes(f"e2e-{i}", asr_text=text)
            response = client.post(
                "/api/v1/utterances",
                headers={"Authorization": f"Bearer {device.token}"},
                files={
                    "audio": ("clip.wav", encode(samples, rate), "audio/wav"),
                    "metadata": (None, meta, "application/json"),
                },
            )
            assert response.status_code == 201, response.text
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)


def _state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
            mode: document.body.dataset.mode,
            playing: document.body.classList.contains('is-playing'),
            clip: document.getElementById('meta-id').textContent,
            heard: document.getElementById('heard-label').textContent,
            why: document.getElementById('submit-why').textContent,
        })"""
    )


def _write_by_keyboard(page: Any, transcript: str, intent_search: str) -> None:
    """Replace the transcript and pick the intent found by typing, with the keys alone."""
    page.keyboard.press("Alt+KeyT")
    assert page.evaluate("document.activeElement.id") == "transcript"
    page.keyboard.press("Control+KeyA")
    page.keyboard.type(transcript)
    page.keyboard.press("Alt+KeyI")
    page.keyboard.type(intent_search)
    page.wait_for_selector("#intent-list li.active")
    page.keyboard.press("Enter")


def test_reviewer_works_a_clip_by_keyboard_and_the_next_one_starts(
    sqlite_rt: Runtime, server: BackgroundServer
) -> None:
    sync_api = needs.chromium()
    needs.wavesurfer()

    rt = sqlite_rt
    vendor = httpx.get(f"{server.base_url}{WAVESURFER_URL}/wavesurfer.esm.js")
    assert vendor.status_code == 200, (
        "wavesurfer.js is not served: web/app.py must call voxguard.web.vendor.mount_vendor(app)"
    )
    _ingest_clips(rt, server.base_url)
    user, password, secret = make_user(rt, role="reviewer", region="eu")

    problems: list[str] = []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            # Shown by pytest when the test fails: what the page said and which requests failed.
            page.on("console", console_watch(problems))
            page.on(
                "response",
                lambda r: r.status >= 400 and print(f"HTTP {r.status} {r.request.method} {r.url}"),
            )
            calls: list[str] = []
            page.on("request", lambda r: calls.append(f"{r.method} {r.url}"))

            # Not signed in: the workbench sends us to sign in and back.
            page.goto(f"{server.base_url}/review")
            page.wait_for_url(lambda url: "/login?next=" in url)
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password)
            page.fill("input[name=totp]", totp_code(secret))
            page.press("input[name=totp]", "Enter")
            page.wait_for_url(lambda url: url.endswith("/review"))
            # The staff palette (static/common/palette.css) reaches the workbench too.
            assert page.evaluate(STAFF_ACCENT_OF, "body.review") == "#176b66"

            html = page.content()
            for secret_text in ("ACCT-E2E-7731", "SN-E2E-4410", user.username):
                assert secret_text not in html, f"{secret_text!r} appears on the review page"
            assert user.handle in html  # the watermark
            csrf = page.get_attribute('meta[name="csrf-token"]', "content")
            assert csrf

            # The first clip loads and starts by itself (autoplay is allowed in this browser).
            page.wait_for_function("() => document.body.dataset.mode === 'task'")
            first_clip = _state(page)["clip"]
            assert page.is_disabled("#btn-submit"), "submit must wait until the clip was heard"
            draft = page.input_value("#transcript")
            page.wait_for_function("() => document.body.classList.contains('is-playing')")

            # Keyboard playback control: pause, then play again, without leaving the text box.
            page.keyboard.press("Control+Space")
            page.wait_for_function("() => !document.body.classList.contains('is-playing')")
            assert _state(page)["heard"] != "Heard all ✓"
            assert page.is_disabled("#btn-submit")
            page.keyboard.press("Control+Space")
            page.wait_for_function("() => document.body.classList.contains('is-playing')")
            page.wait_for_function(
                "() => document.getElementById('heard').classList.contains('done')"
            )
            assert page.is_enabled("#btn-submit")

            # Correct the transcript and pick the intent by typing.
            _write_by_keyboard(page, "set an alarm for seven tomorrow morning", "alarm se")
            assert page.input_value("#intent") == "alarm_set"

            # Submit by keyboard: the next clip loads and starts playing at once.
            page.keyboard.press("Control+Enter")
            page.wait_for_function(
                """(first) => document.body.dataset.mode === 'task'
                    && document.getElementById('meta-id').textContent !== first
                    && document.body.classList.contains('is-playing')""",
                arg=first_clip,
            )
            page.wait_for_function("() => document.getElementById('stat-done').textContent === '1'")
            # The submit's answer carried the next lease: no separate lease round trip.
            assert any("/submit?next=true" in call for call in calls), calls
            assert (
                sum(call.startswith("POST") and call.endswith("/review/lease") for call in calls)
                == 1
            )
            assert page.input_value("#intent") == ""
            page.screenshot(path=str(SCREENSHOT))

            # A name the bleeps missed: flag it and write it down; the notice says where the
            # clip went and that the name is stored as its tag.
            page.wait_for_function(
                "() => document.getElementById('heard').classList.contains('done')"
            )
            page.keyboard.press("Alt+Digit6")
            _write_by_keyboard(page, "call john smith", "alarm se")
            page.keyboard.press("Control+Enter")
            page.wait_for_function(
                """() => !document.getElementById('notice').hidden
                    && document.getElementById('notice').textContent.includes('privacy officer')
                    && document.getElementById('notice').textContent.includes('stored as its tag')"""
            )
        finally:
            browser.close()

    assert not problems, problems
    with rt.db.read() as session:
        annotations = session.execute(sa.select(Annotation)).scalars().all()
        flags = session.execute(sa.select(Flag).order_by(Flag.kind)).scalars().all()
        flag = flags[0]
        flagged = session.get(Utterance, flag.utterance_id)
    # the reviewer's flag, and the check's of the name they wrote down, on one clip
    assert [(f.kind, f.utterance_id) for f in flags] == [
        ("pii_audible", flag.utterance_id),
        ("pii_typed", flag.utterance_id),
    ]
    assert flagged is not None and flagged.restricted
    assert len(annotations) == 2
    [named] = [a for a in annotations if a.utterance_id == flag.utterance_id]
    assert named.transcript == "call [PERSON]"  # what was typed, never stored
    [annotation] = [a for a in annotations if a.utterance_id != flag.utterance_id]
    assert annotation.reviewer_id == user.id
    assert annotation.transcript == "set an alarm for seven tomorrow morning"
    assert annotation.intent == "alarm_set"
    assert annotation.transcript != draft
    assert SCREENSHOT.stat().st_size > 10_000


def test_the_empty_workbench_says_why_nothing_is_handed_out(
    sqlite_rt: Runtime, server: BackgroundServer
) -> None:
    """Clips wait in another region: the reviewer is told so, not that the queue is empty."""
    sync_api = needs.chromium()
    from tests.support.review import make_clips

    make_clips(sqlite_rt, 2, account_ref="ACCT-US", serial="SN-US", region="us")
    user, password, secret = make_user(sqlite_rt, role="reviewer", region="eu")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_context().new_page()
            page.set_default_timeout(WAIT_MS)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("console", console_watch(problems))
            page.goto(f"{server.base_url}/login?next=/review")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password)
            page.fill("input[name=totp]", totp_code(secret))
            page.press("input[name=totp]", "Enter")
            page.wait_for_url(lambda url: url.endswith("/review"))
            page.wait_for_function(
                "() => document.getElementById('empty-why').textContent.includes('none you')"
            )
            assert page.text_content("#empty-title") == "No clips you may hear"
            assert page.text_content("#empty-why") == (
                "4 tasks waiting, none you may hear: other region (4)."
            )
        finally:
            browser.close()
    assert not problems, problems
