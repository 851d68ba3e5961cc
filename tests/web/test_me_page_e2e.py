"""The self-service page end to end, in real Chromium against the real app over real HTTP.

A person opens the link from their app, reads who listened, turns review off, plays and deletes
a recording, downloads their data and deletes everything, by keyboard where a person would.
Screenshots: test-artifacts/me-*.png. SQLite only: the API rules behind the page are tested on
both databases by tests/consent.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.support import needs
from tests.support.browser import ARTIFACTS, WAIT_MS, launch
from tests.support.review import make_clips
from tests.support.rights import bearer, review_one, service_token, signed_in_reviewer
from tests.web.test_review_page_e2e import server, sqlite_rt  # noqa: F401  (the fixtures)
from voxguard.consent.service import current_consent, find_account
from voxguard.db.models import Utterance, WorkItem
from voxguard.runtime import Runtime
from voxguard.web.server import BackgroundServer
from voxguard.work.queues import REVIEW_QUEUE

pytestmark = pytest.mark.browser
REF = "ACCT-ME-E2E-4242"


def test_a_person_uses_their_privacy_page(sqlite_rt: Runtime, server: BackgroundServer) -> None:  # noqa: F811
    sync_api = needs.chromium()
    rt = sqlite_rt
    clips = make_clips(rt, 3, account_ref=REF, serial="SN-ME-E2E")
    reviewer, user = signed_in_reviewer(rt, region="eu")
    try:
        review_one(rt, reviewer, "a tone")
    finally:
        reviewer.__exit__(None, None, None)
    token = service_token(rt, name="assistant-app")
    link = httpx.post(
        f"{server.base_url}/api/v1/accounts/{REF}/self-service-link", headers=bearer(token)
    ).json()["url"]

    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(
                viewport={"width": 1100, "height": 1400}, accept_downloads=True
            )
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("console", lambda msg: print(f"console {msg.type}: {msg.text}"))

            page.goto(link)
            page.get_by_role("button", name="Open my privacy page").press("Enter")
            page.wait_for_url(f"{server.base_url}/me")
            page.get_by_role("heading", name="Who listened").wait_for()
            html = page.content()
            for secret in (user.handle, user.username, token):
                assert secret not in html
            timeline = page.locator("#timeline li").all_inner_texts()
            # one review pass, one line: who, when, why, and what they did with the recording
            assert any(
                " a reviewer in the EU, to check the transcript, used your recording" in t
                and "heard a voice-disguised copy" in t
                for t in timeline
            ), timeline
            assert not any("(a machine" in t for t in timeline)  # people first, machines apart
            page.locator("details.machine-steps summary").click()
            machines = page.locator("#machine-steps li").all_inner_texts()
            # the draft and the voice disguise of one recording: one line
            assert machines and all(
                t.startswith("On ") and "our machines (no person) prepared your recording" in t
                for t in machines
            ), machines
            page.screenshot(path=str(ARTIFACTS / "me-page.png"), full_page=True)

            # Review off, by keyboard: focus the switch, Space toggles it, Enter on Save.
            switch = page.get_by_role(
                "switch", name="People may listen to help improve the assistant"
            )
            switch.focus()
            page.keyboard.press("Space")
            assert not switch.is_checked()
            page.get_by_role("button", name="Save my choices").press("Enter")
            page.get_by_text("Saved. Your choices apply from now on.").wait_for()
            with rt.db.read() as session:
                account = find_account(session, REF)
                assert account is not None
                record = current_consent(session, account.id)
                assert (record.human_review, record.source) == ("opted_out", "self_service")

            # The person's own audio plays (the element fetches it with the session cookie).
            status = page.evaluate(
                "async (id) => (await fetch(`/me/api/recordings/${id}/audio`)).status", clips[0]
            )
            assert status == 200

            # Delete one recording: asked first; "Keep it" keeps it, "Delete" deletes it.
            item = page.locator(f"#rec-{clips[1]}")
            item.get_by_role("button", name="Delete this recording").click()
            page.get_by_role("button", name="Keep it").click()
            assert item.locator(".state").inner_text() != "Deleted"
            item.get_by_role("button", name="Delete this recording").click()
            page.locator("#confirm").get_by_role("button", name="Delete").click()
            item.locator(".state", has_text="Deleted").wait_for()

            with page.expect_download() as download_info:
                page.get_by_role("link", name="Download my data").click()
            archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
            assert "account.json" in archive.namelist()
            assert REF in archive.read("account.json").decode()

            page.get_by_role("button", name="Delete everything").click()
            page.screenshot(path=str(ARTIFACTS / "me-confirm.png"))
            page.locator("#confirm").get_by_role("button", name="Delete").click()
            page.get_by_role("heading", name="Everything is deleted").wait_for()
            page.screenshot(path=str(ARTIFACTS / "me-deleted.png"))
            page.goto(f"{server.base_url}/me")
            page.get_by_role("heading", name="Your privacy page is closed").wait_for()
        finally:
            browser.close()

    assert not problems, problems
    with rt.db.read() as session:
        assert find_account(session, REF) is None
        assert session.execute(sa.select(Utterance)).scalars().all() == []
        states = set(
            session.execute(
                sa.select(WorkItem.state).where(WorkItem.queue == REVIEW_QUEUE)
            ).scalars()
        )
    assert "pending" not in states and "leased" not in states
    for name in ("me-page.png", "me-confirm.png", "me-deleted.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
