"""The privacy officer's desk in real Chromium: a request by letter is carried out on the page,
its receipt listed, and the audit log's chain checked. Screenshots: test-artifacts/officer-*.png.
SQLite only: the rules behind the pages are tested on both databases by test_officer_pages.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.browser import (
    ARTIFACTS,
    STAFF_ACCENT_OF,
    signed_in_page,
)
from tests.support.people import make_user, totp_code
from tests.support.review import make_clips, review_next
from tests.web.test_review_page_e2e import server, sqlite_rt  # noqa: F401  (the fixtures)
from voxguard.db.models import Account, Utterance
from voxguard.runtime import Runtime
from voxguard.web.server import BackgroundServer

pytestmark = pytest.mark.browser


def test_an_officer_carries_out_a_letter_and_checks_the_audit_chain(
    sqlite_rt: Runtime,  # noqa: F811
    server: BackgroundServer,  # noqa: F811
) -> None:
    rt = sqlite_rt
    make_clips(rt, 1, account_ref="ACCT-LETTER-1", serial="SN-LETTER-1")
    user, password, secret = make_user(rt, role="privacy_officer")
    problems: list[str] = []
    with signed_in_page(
        server.base_url, "/privacy-officer", user.username, password, totp_code(secret), problems
    ) as page:
        nav = page.get_by_role("navigation", name="Privacy officer")
        nav.get_by_role("link", name="Erasures").click()
        page.wait_for_url(lambda url: url.endswith("/privacy-officer/erasures"))
        page.get_by_label("Account reference").fill("ACCT-LETTER-1")
        page.get_by_label("How the request came").select_option("letter")
        page.get_by_role("button", name="Erase").click()  # not confirmed yet
        page.get_by_role("alert").wait_for()
        assert "confirm" in page.get_by_role("alert").inner_text()
        assert page.get_by_label("Account reference").input_value() == "ACCT-LETTER-1"
        page.get_by_label("How the request came").select_option("letter")
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Erase").click()
        page.wait_for_url(lambda url: "done=" in url)
        status = page.get_by_role("status").inner_text()
        assert status.startswith("Erasure ") and status.endswith("completed.")
        row = page.locator("table.receipts tbody tr").first.inner_text()
        assert "whole account" in row and "letter" in row and "ACCT-LETTER-1" not in row
        page.screenshot(path=str(ARTIFACTS / "officer-erasures.png"), full_page=True)
        # the staff palette, as on the restricted queue and the lead's pages
        assert page.evaluate(STAFF_ACCENT_OF, ".staff-page") == "#176b66"

        nav = page.get_by_role("navigation", name="Privacy officer")
        nav.get_by_role("link", name="Audit log").click()
        page.get_by_role("button", name="Check the whole chain").click()
        page.get_by_role("status").wait_for()
        assert page.get_by_role("status").inner_text().startswith("Intact:")
        assert "account.erased" in page.locator("table.events").inner_text()
        page.screenshot(path=str(ARTIFACTS / "officer-audit.png"), full_page=True)
    assert problems == []
    with rt.db.read() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Account)).scalar_one() == 0


def test_an_officer_hides_what_the_bleeps_missed_and_sends_the_clip_back(
    sqlite_rt: Runtime,  # noqa: F811
    server: BackgroundServer,  # noqa: F811
) -> None:
    rt = sqlite_rt
    [clip] = make_clips(rt, 1, seconds=1.0)
    review_next(rt, "call [PERSON] smith", flags=["pii_audible"])
    user, password, secret = make_user(rt, role="privacy_officer")
    problems: list[str] = []
    with signed_in_page(
        server.base_url, "/privacy-officer", user.username, password, totp_code(secret), problems
    ) as page:
        card = page.locator(f"#clip-{clip}")
        form = card.get_by_role("form", name="Hide what can still be heard")
        form.get_by_label("from").fill("0.6")
        form.get_by_label("to").fill("0.2")  # before its start: refused on the page
        form.get_by_role("button", name="Hide and send back").click()
        assert "Mark a stretch inside the clip" in page.get_by_role("status").inner_text()
        form.get_by_label("to").fill("0.9")
        form.get_by_label("Draft reviewers will read").fill("call [PERSON]")
        page.screenshot(path=str(ARTIFACTS / "officer-hide.png"), full_page=True)
        form.get_by_role("button", name="Hide and send back").click()
        page.locator("#confirm-ok").click()
        card.wait_for(state="detached")
        assert page.get_by_role("status").inner_text().startswith(f"Hid 0.6–0.9 s of {clip}")
        assert page.locator("#count-waiting").inner_text() == "0"
    assert problems == []
    with rt.db.read() as session:
        utterance = session.get(Utterance, clip)
        assert utterance.restricted is False and utterance.draft_text == "call [PERSON]"
        assert utterance.redactions[-1]["type"] == "HIDDEN"
