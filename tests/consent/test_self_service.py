"""The self-service page's link and session, and its actions, over HTTP (both databases)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.support.client import app_client
from tests.support.review import make_clips
from tests.support.rights import bearer, full_consent, review_one, service_token, signed_in_reviewer
from voxguard.consent.access_log import Access
from voxguard.consent.service import find_account
from voxguard.db.base import utcnow
from voxguard.db.models import ConsentRecord, SelfServiceLink, WorkItem
from voxguard.runtime import Runtime
from voxguard.web.me_pages import sentence, when


def _link(client, token: str, ref: str) -> str:  # type: ignore[no-untyped-def]
    answer = client.post(f"/api/v1/accounts/{ref}/self-service-link", headers=bearer(token))
    assert answer.status_code == 201, answer.text
    url = answer.json()["url"]
    assert "/me/link/vgl_" in url
    return "/" + url.split("/", 3)[3]


def test_a_link_opens_the_page_once_and_the_page_acts_for_the_person(rt: Runtime) -> None:
    clips = make_clips(rt, 2, account_ref="ACCT-ME-1", serial="SN-ME-1")
    reviewer, user = signed_in_reviewer(rt)
    try:
        review_one(rt, reviewer, "a tone")
    finally:
        reviewer.__exit__(None, None, None)
    token = service_token(rt)
    with app_client(rt) as client:
        assert client.get("/me").status_code == 401
        assert client.get("/me/link/vgl_unknown").status_code == 410
        path = _link(client, token, "ACCT-ME-1")
        shown = client.get(path)  # a link checker fetching it does not use it up
        assert shown.status_code == 200 and "Open my privacy page" in shown.text
        opened = client.post(path, follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == "/me"
        cookie = opened.cookies.get("vg_me")
        assert cookie and "httponly" in opened.headers["set-cookie"].lower()
        assert client.post(path, follow_redirects=False).status_code == 410  # used once only
        page = client.get("/me")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        for secret in (user.handle, user.username):
            assert secret not in page.text
        assert "used your recording" in page.text and "heard a voice-disguised copy" in page.text
        assert "<script>" not in page.text and "style=" not in page.text
        csrf = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]

        body = full_consent(human_review="opted_out")
        assert client.put("/me/api/consent", json=body).status_code == 403  # no CSRF token
        saved = client.put("/me/api/consent", json=body, headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 200 and saved.json()["human_review"] == "opted_out"
        audio = client.get(f"/me/api/recordings/{clips[0]}/audio")
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        gone = client.delete(f"/me/api/recordings/{clips[0]}", headers={"X-CSRF-Token": csrf})
        assert gone.status_code == 202
        export = client.get("/me/export")
        assert export.status_code == 200 and export.content[:2] == b"PK"
        everything = client.delete("/me/api/account", headers={"X-CSRF-Token": csrf})
        assert everything.status_code == 202
        assert client.get("/me").status_code == 401  # the session went with the account
        client.cookies.set("vg_me", cookie, path="/me")
        assert client.get("/me").status_code == 401
    with rt.db.read() as session:
        assert find_account(session, "ACCT-ME-1") is None
        assert session.execute(sa.select(ConsentRecord)).scalars().all() == []
        assert set(session.execute(sa.select(WorkItem.state)).scalars()) <= {"done", "cancelled"}


def test_an_expired_link_does_not_open_the_page(rt: Runtime) -> None:
    make_clips(rt, 1, account_ref="ACCT-ME-2", serial="SN-ME-2")
    token = service_token(rt)
    with app_client(rt) as client:
        path = _link(client, token, "ACCT-ME-2")
        with rt.db.session() as session:
            for link in session.execute(sa.select(SelfServiceLink)).scalars():
                link.expires_at = utcnow() - timedelta(seconds=1)
        refused = client.post(path, follow_redirects=False)
        assert refused.status_code == 410 and "expired" in refused.text
        assert "vg_me" not in refused.cookies
        assert (
            client.post(
                "/api/v1/accounts/NOPE/self-service-link", headers=bearer(token)
            ).status_code
            == 404
        )


def test_accesses_read_as_plain_sentences() -> None:
    at = utcnow().replace(month=3, day=3, hour=14, minute=2)
    made = at - timedelta(minutes=2)
    heard = Access(at, "person-ABC123", "reviewer", "eu", "listened", "r1", "review")
    assert sentence(heard, {"r1": made}) == (
        f"A reviewer in the EU heard a voice-disguised copy of your recording from 3 March at "
        f"{made:%H:%M} UTC on 3 March at 14:02 UTC, to check the transcript."
    )
    last_year = at.replace(year=at.year - 1)
    assert when(last_year) == f"3 March {last_year.year} at 14:02 UTC"
    machine = Access(
        at, "machine:voice-anonymizer", "machine", None, "anonymized", "x", "anonymization"
    )
    assert sentence(machine, {}).startswith(
        "Our voice disguiser (a machine, not a person) disguised"
    )
    flagged = Access(at, "person-ABC123", "reviewer", "eu", "flagged", "r1", "flag:pii_audible")
    assert "as “personal details could still be heard” on" in sentence(flagged, {"r1": made})
    from voxguard.review.flags import FLAG_KINDS, PII_TYPED
    from voxguard.web.me_pages import FLAGGED_AS

    assert set(FLAGGED_AS) == {*FLAG_KINDS, PII_TYPED}  # every flag in the person's words


def test_a_review_pass_reads_as_one_visit() -> None:
    from voxguard.web.me_pages import visit_sentence, visits

    at = utcnow().replace(month=3, day=3, hour=14, minute=2)
    made = at - timedelta(minutes=2)

    def access(actor: str, action: str, minutes: int = 0, purpose: str = "review") -> Access:
        return Access(
            at + timedelta(minutes=minutes), actor, "reviewer", "eu", action, "r1", purpose
        )

    one_pass = [
        access("person-A", a, m) for a, m in (("viewed", 0), ("listened", 0), ("transcribed", 1))
    ]
    other = access("person-B", "listened", 2)  # another reviewer: a visit of their own
    later = access("person-A", "listened", 60)  # the same reviewer an hour on: another visit
    grouped = visits([*one_pass, other, later])
    assert [len(v) for v in grouped] == [3, 1, 1]
    assert visit_sentence(grouped[0], {"r1": made}) == (
        f"On 3 March at 14:02 UTC a reviewer in the EU, to check the transcript, used your "
        f"recording from 3 March at {made:%H:%M} UTC: saw the written text with personal details "
        "hidden, heard a voice-disguised copy and wrote down what was said."
    )
    assert visit_sentence(grouped[1], {"r1": made}) == sentence(other, {"r1": made})
    flagged = access("person-A", "flagged", 1, purpose="flag:sensitive")
    assert [len(v) for v in visits([one_pass[0], flagged])] == [1, 1]  # a flag stands alone


def test_the_machine_steps_of_a_recording_read_as_its_preparation() -> None:
    from voxguard.web.me_pages import preparation_sentence, preparations

    at = utcnow().replace(month=3, day=3, hour=14, minute=1)
    made = at - timedelta(minutes=1)

    def step(actor: str, action: str, purpose: str, recording: str = "r1") -> Access:
        return Access(at, actor, "machine", None, action, recording, purpose)

    asr = step("machine:speech-recognition", "transcribed", "asr_draft")
    voice = step("machine:voice-anonymizer", "anonymized", "anonymization")
    other = step("machine:voice-anonymizer", "anonymized", "anonymization", recording="r2")
    grouped = preparations([asr, voice, other])
    assert [len(g) for g in grouped] == [2, 1]
    assert preparation_sentence(grouped[0], {"r1": made}) == (
        f"On 3 March at 14:01 UTC our machines (no person) prepared your recording from 3 March "
        f"at {made:%H:%M} UTC for review: wrote down what was said, with personal details "
        "hidden, as a draft and disguised the voice so nobody can recognise it."
    )
    assert preparation_sentence(grouped[1], {}) == sentence(other, {})
