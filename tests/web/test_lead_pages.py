"""The lead page (/lead) and the privacy officer's restricted queue (/privacy-officer).

Over HTTP against the real app, on SQLite and PostgreSQL (the ``rt`` fixture): who may open
which page, the adjudication flow (two reviewers disagree through the review API, the lead
listens and accepts), gold clips, the reviewer-quality table and chart, the restricted queue
(a 'sensitive' flag moves a clip there; only an officer lists, listens and decides; delete
crypto-shreds), and that no lead- or officer-facing response names who spoke. The last test
drives both pages in Chromium and saves screenshots.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support import needs
from tests.support.audio import encode, tone
from tests.support.browser import (
    ARTIFACTS,
    STAFF_ACCENT_OF,
    WAIT_MS,
    console_watch,
    launch,
)
from tests.support.client import app_client, post_utterance
from tests.support.net import free_port
from tests.support.people import login, make_user, totp_code
from tests.support.review import make_clips
from tests.support.world import make_device
from voxguard.db.base import utcnow
from voxguard.db.models import (
    Account,
    AuditEvent,
    Blob,
    ClipOutcome,
    Device,
    Exposure,
    Flag,
    User,
    Utterance,
    WorkItem,
)
from voxguard.feedback.charts import axis
from voxguard.processing.worker import work
from voxguard.review.stats import ReviewerRow
from voxguard.runtime import Runtime, build_runtime
from voxguard.vault.errors import KeyDestroyedError
from voxguard.web.lead_pages import gold_wer_chart, throughput_chart
from voxguard.web.server import BackgroundServer

SignIn = Callable[..., tuple[TestClient, User]]


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def sign_in(rt: Runtime) -> Iterator[SignIn]:
    """sign_in(role) -> (client signed in as a new user of that role, the user)."""
    with ExitStack() as stack:

        def make(role: str = "reviewer", region: str = "eu", runtime: Runtime | None = None):  # type: ignore[no-untyped-def]
            runtime = runtime or rt
            user, password, secret = make_user(runtime, role=role, region=region)
            client = stack.enter_context(app_client(runtime))
            login(client, user.username, password, secret)
            return client, user

        yield make


def _heard(rt: Runtime, task_id: str) -> None:
    """Backdate the first audio fetch: the test stands for a reviewer who listened to the end."""
    with rt.db.session() as session:
        session.execute(
            sa.update(Exposure)
            .where(Exposure.work_item_id == task_id)
            .values(audio_fetched_at=utcnow() - timedelta(seconds=60))
        )


def review(
    rt: Runtime,
    client: TestClient,
    transcript: str,
    intent: str = "other",
    flags: tuple[str, ...] = (),
    seconds: float = 6.0,
) -> dict[str, Any]:
    """Lease the next task, listen, submit. Returns the lease body plus the submit answer."""
    lease = client.post("/api/v1/review/lease")
    assert lease.status_code == 200, lease.text
    task = lease.json()
    assert client.get(task["clip"]["audio_url"]).status_code == 200
    _heard(rt, task["task_id"])
    submitted = client.post(
        f"/api/v1/review/tasks/{task['task_id']}/submit",
        json={
            "transcript": transcript,
            "intent": intent,
            "flags": list(flags),
            "played_to_end": True,
            "seconds_spent": seconds,
        },
    )
    assert submitted.status_code == 200, submitted.text
    return {**task, "submitted": submitted.json()}


def disagree(rt: Runtime, sign_in: SignIn) -> tuple[str, list[User]]:
    """One clip that two reviewers hear very differently: it goes to the lead."""
    (clip,) = make_clips(rt, 1)
    (first, a), (second, b) = sign_in(), sign_in()
    assert review(rt, first, "turn on the kitchen lights", "iot_hue_lighton")["clip"]["id"] == clip
    assert (
        review(rt, second, "what is the weather in <paris>", "weather_query")["clip"]["id"] == clip
    )
    return clip, [a, b]


def outcome(rt: Runtime, clip: str) -> ClipOutcome:
    with rt.db.read() as session:
        found = session.get(ClipOutcome, clip)
        assert found is not None
        session.expunge(found)
        return found


def audit_actions(rt: Runtime, target: str) -> list[tuple[str, dict[str, Any]]]:
    with rt.db.read() as session:
        rows = session.execute(
            sa.select(AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.target == target)
            .order_by(AuditEvent.seq)
        ).all()
    return [(action, json.loads(details or "{}")) for action, details in rows]


def csrf_meta(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert found, "the page must carry the CSRF token for its scripts"
    return found.group(1)


# ----------------------------------------------------------------------------- who sees what


def test_pages_by_role(rt: Runtime, sign_in: SignIn) -> None:
    lead, lead_user = sign_in("lead")
    officer, _ = sign_in("privacy_officer")
    reviewer, _ = sign_in("reviewer")
    admin, _ = sign_in("admin")

    page = lead.get("/lead")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert csrf_meta(page.text) == lead.headers["X-CSRF-Token"]
    for section in ('id="adjudication"', 'id="gold"', 'id="quality"', "/static/lead/lead.js"):
        assert section in page.text
    assert lead_user.handle in page.text  # the nav shows who is signed in

    mine = officer.get("/privacy-officer")
    assert mine.status_code == 200 and "Restricted queue" in mine.text
    assert "/static/lead/privacy.js" in mine.text
    assert csrf_meta(mine.text) == officer.headers["X-CSRF-Token"]

    for client, path in (
        (reviewer, "/lead"),
        (admin, "/lead"),
        (officer, "/lead"),
        (lead, "/privacy-officer"),
        (reviewer, "/privacy-officer"),
        (admin, "/privacy-officer"),
    ):
        refused = client.get(path)
        assert refused.status_code == 403, (path, refused.status_code)
        assert "text/html" in refused.headers["content-type"]
        assert "Not allowed" in refused.text
        assert "Sign out" in refused.text and 'href="/"' in refused.text  # a way on

    with app_client(rt) as anonymous:
        for path in ("/lead", "/privacy-officer"):
            away = anonymous.get(path, follow_redirects=False)
            assert away.status_code == 303
            assert away.headers["location"] == f"/login?next={path}"

    for name in ("lead.js", "privacy.js", "api.js", "ui.js", "lead.css"):
        assert lead.get(f"/static/lead/{name}").status_code == 200, name


def test_the_lead_page_counts_dead_lettered_review_tasks(rt: Runtime, sign_in: SignIn) -> None:
    lead, _ = sign_in("lead")
    assert 'id="dead-tasks"' not in lead.get("/lead").text
    make_clips(rt, 1)
    with rt.db.session() as session:
        session.execute(
            sa.update(WorkItem)
            .where(WorkItem.queue == "review")
            .values(state="leased", attempts=5, lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)  # the worker buries them
    notice = re.search(
        r'id="dead-tasks".*?<span class="count alert">(\d+)</span>', lead.get("/lead").text, re.S
    )
    assert notice is not None and notice.group(1) == "2"


# ----------------------------------------------------------------------------- adjudication


def test_adjudication_flow_over_http(rt: Runtime, sign_in: SignIn) -> None:
    clip, (a, b) = disagree(rt, sign_in)
    assert outcome(rt, clip).state == "adjudication"
    lead, lead_user = sign_in("lead")

    queue = lead.get("/api/v1/lead/adjudications").json()["clips"]
    assert [c["id"] for c in queue] == [clip]
    candidates = queue[0]["candidates"]
    assert {c["reviewer"] for c in candidates} == {a.handle, b.handle}
    assert {c["transcript"] for c in candidates} == {
        "turn on the kitchen lights",
        "what is the weather in <paris>",
    }

    page = lead.get("/lead").text
    assert f'data-clip="{clip}"' in page
    assert f'data-audio="/api/v1/lead/adjudications/{clip}/audio"' in page
    assert a.handle in page and b.handle in page
    assert page.count('class="w changed"') >= 4  # word-level differences are marked
    assert f'<textarea id="final-{clip}" name="transcript"' in page
    assert "turn on the kitchen lights</textarea>" in page  # prefilled with the first candidate
    assert 'value="iot_hue_lighton"' in page
    assert "&lt;paris&gt;" in page and "<paris>" not in page  # reviewer text is escaped

    # Listening: the anonymized review copy, never cached, and recorded as a listen.
    audio = lead.get(f"/api/v1/lead/adjudications/{clip}/audio")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert audio.headers["cache-control"] == "no-store"
    listens = [d for act, d in audit_actions(rt, f"utterance:{clip}") if act == "clip.listened"]
    assert listens and listens[-1]["purpose"] == "adjudication"

    # A reviewer cannot decide, and the lead cannot without the CSRF header.
    reviewer, _ = sign_in("reviewer")
    body = {"transcript": "Turn on the kitchen lights!", "intent": "iot_hue_lighton"}
    assert reviewer.post(f"/api/v1/lead/adjudications/{clip}", json=body).status_code == 403
    token = lead.headers.pop("X-CSRF-Token")
    assert lead.post(f"/api/v1/lead/adjudications/{clip}", json=body).status_code == 403
    lead.headers["X-CSRF-Token"] = token

    # A decision that names a person is refused, saying what to write instead.
    named = {"transcript": "call rosalind okonkwo", "intent": "iot_hue_lighton"}
    refused = lead.post(f"/api/v1/lead/adjudications/{clip}", json=named)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "personal_details_typed"
    assert "call [PERSON]" in refused.json()["detail"]
    assert outcome(rt, clip).state == "adjudication"

    decided = lead.post(f"/api/v1/lead/adjudications/{clip}", json=body)
    assert decided.status_code == 200, decided.text
    assert decided.json() == {"state": "accepted", "transcript": "turn on the kitchen lights"}
    final = outcome(rt, clip)
    assert (final.state, final.method, final.intent) == ("accepted", "lead", "iot_hue_lighton")
    assert final.decided_by == lead_user.id
    assert "review.adjudicated" in [act for act, _ in audit_actions(rt, f"utterance:{clip}")]

    assert lead.get("/api/v1/lead/adjudications").json()["clips"] == []
    after = lead.get("/lead").text
    assert f'data-clip="{clip}"' not in after and "Nothing to adjudicate" in after
    # Once decided, the clip's audio is no longer the lead's to hear.
    assert lead.get(f"/api/v1/lead/adjudications/{clip}/audio").status_code == 403


# ----------------------------------------------------------------------------- gold


def test_gold_add_list_retire(rt: Runtime, sign_in: SignIn) -> None:
    first, second = make_clips(rt, 2)
    lead, _ = sign_in("lead")
    reviewer, _ = sign_in("reviewer")
    body = {"clip_id": first, "transcript": "Set an alarm for SEVEN.", "intent": "alarm_set"}

    assert reviewer.post("/api/v1/lead/gold", json=body).status_code == 403
    assert reviewer.get("/api/v1/lead/gold").status_code == 403

    added = lead.post("/api/v1/lead/gold", json=body)
    assert added.status_code == 201, added.text
    assert added.json() == {"clip_id": first, "transcript": "set an alarm for seven"}
    assert lead.post("/api/v1/lead/gold", json=body).status_code == 409  # already gold
    missing = lead.post("/api/v1/lead/gold", json={**body, "clip_id": "no-such-clip"})
    assert missing.status_code == 404
    lead.post("/api/v1/lead/gold", json={**body, "clip_id": second, "transcript": "play jazz"})

    listed = lead.get("/api/v1/lead/gold").json()["gold"]
    assert [g["clip_id"] for g in listed] == [first, second]
    assert listed[0] == {
        "clip_id": first,
        "transcript": "set an alarm for seven",
        "intent": "alarm_set",
    }
    page = lead.get("/lead").text
    assert f'data-retire="{first}"' in page and "set an alarm for seven" in page
    assert re.search(r'id="count-gold">2<', page)

    assert lead.delete(f"/api/v1/lead/gold/{first}").status_code == 204
    assert lead.delete(f"/api/v1/lead/gold/{first}").status_code == 404
    assert [g["clip_id"] for g in lead.get("/api/v1/lead/gold").json()["gold"]] == [second]
    assert f'data-retire="{first}"' not in lead.get("/lead").text
    actions = [act for act, _ in audit_actions(rt, f"utterance:{first}")]
    assert "gold.added" in actions and "gold.retired" in actions


# ----------------------------------------------------------------------------- quality


@pytest.fixture
def gold_rt(make_settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """Every lease that can be gold is gold, so a reviewer's first task measures them."""
    runtime = build_runtime(make_settings(gold_rate=1.0))
    yield runtime
    runtime.close()


def test_reviewer_table_json_and_chart(gold_rt: Runtime, sign_in: SignIn) -> None:
    rt = gold_rt
    gold_clip, *_ = make_clips(rt, 3)
    lead, lead_user = sign_in("lead", runtime=rt)
    reference = {
        "clip_id": gold_clip,
        "transcript": "set an alarm for seven",
        "intent": "alarm_set",
    }
    assert lead.post("/api/v1/lead/gold", json=reference).status_code == 201
    good, good_user = sign_in(runtime=rt)
    poor, poor_user = sign_in(runtime=rt)

    # First task: the gold clip. Then an ordinary clip both hear the same way.
    assert (
        review(rt, good, "set an alarm for seven", "alarm_set", seconds=4)["clip"]["id"]
        == gold_clip
    )
    assert (
        review(rt, poor, "cancel my alarm at eleven", "alarm_remove", seconds=8)["clip"]["id"]
        == gold_clip
    )
    common = review(rt, good, "play some jazz", "play_music", seconds=4)["clip"]["id"]
    second = review(rt, poor, "play some jazz", "play_music", ("unintelligible",), seconds=8)
    assert second["clip"]["id"] == common and outcome(rt, common).state == "accepted"

    table = lead.get("/api/v1/lead/reviewers")
    assert table.status_code == 200
    data = table.json()
    assert data["gold_wer_alert"] == rt.settings.gold_wer_alert == 0.2
    rows = {r["handle"]: r for r in data["reviewers"]}
    assert set(rows) == {good_user.handle, poor_user.handle, lead_user.handle}
    assert set(rows[good_user.handle]) == {
        "handle",
        "region",
        "clips",
        "clips_per_hour",
        "median_seconds",
        "gold_clips",
        "gold_wer",
        "agreement",
        "flags",
        "over_threshold",
    }
    assert rows[good_user.handle] == {
        "handle": good_user.handle,
        "region": "eu",
        "clips": 2,
        "clips_per_hour": 900.0,
        "median_seconds": 4.0,
        "gold_clips": 1,
        "gold_wer": 0.0,
        "agreement": 1.0,
        "flags": 0,
        "over_threshold": False,
    }
    assert rows[poor_user.handle]["gold_wer"] == 0.8  # 4 of 5 words wrong
    assert rows[poor_user.handle]["over_threshold"] is True
    assert rows[poor_user.handle]["flags"] == 1
    assert rows[poor_user.handle]["clips_per_hour"] == 450.0
    assert rows[lead_user.handle]["clips"] == 0 and rows[lead_user.handle]["gold_wer"] is None

    page = lead.get("/lead").text
    assert re.search(rf'<tr class="alert" data-handle="{poor_user.handle}">', page)
    assert re.search(rf'<tr class="" data-handle="{good_user.handle}">', page)
    assert re.search(r'<svg [^>]*class="chart gold-wer"', page)
    assert re.search(r'<svg [^>]*class="chart throughput"', page)
    assert re.search(r'id="c\d+-threshold"', page) and "alert 20%" in page
    assert 'class="count alert"' in page  # the tab says someone is over the alert
    reviewer, _ = sign_in(runtime=rt)
    assert reviewer.get("/api/v1/lead/reviewers").status_code == 403


# ----------------------------------------------------------------------------- restricted


def test_restricted_queue(rt: Runtime, sign_in: SignIn) -> None:
    flagged, dismissed_clip, other = make_clips(rt, 3)
    first, _ = sign_in()
    second, _ = sign_in()
    lead, _ = sign_in("lead")
    officer, officer_user = sign_in("privacy_officer")

    task = review(rt, first, "[PERSON] said it hurts", "other", ("sensitive",))
    assert task["clip"]["id"] == flagged and task["submitted"]["effects"] == ["restricted"]
    again = review(rt, first, "help me", "other", ("distress",))
    assert again["clip"]["id"] == dismissed_clip
    # The flagged clips left the general pool: the other reviewer only gets the third clip.
    assert review(rt, second, "fine", "other")["clip"]["id"] == other
    assert second.post("/api/v1/review/lease").status_code == 204

    listed = officer.get("/api/v1/privacy/restricted")
    assert listed.status_code == 200
    clips = {c["id"]: c for c in listed.json()["clips"]}
    assert set(clips) == {flagged, dismissed_clip}
    assert clips[flagged]["flags"] == [{"kind": "sensitive", "status": "open"}]

    # Only a privacy officer lists, listens and decides.
    for client in (lead, first):
        assert client.get("/api/v1/privacy/restricted").status_code == 403
        assert client.get(f"/api/v1/privacy/restricted/{flagged}/audio").status_code == 403
        denied = client.post(f"/api/v1/privacy/restricted/{flagged}", json={"action": "delete"})
        assert denied.status_code == 403
    assert lead.get(f"/api/v1/lead/adjudications/{flagged}/audio").status_code == 403

    page = officer.get("/privacy-officer").text
    assert f'data-audio="/api/v1/privacy/restricted/{flagged}/audio"' in page
    assert 'class="flag-chip sensitive open"' in page and 'data-action="delete"' in page
    assert re.search(r'id="count-waiting">2<', page)

    audio = officer.get(f"/api/v1/privacy/restricted/{flagged}/audio")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert audio.headers["cache-control"] == "no-store"
    listens = [d for a, d in audit_actions(rt, f"utterance:{flagged}") if a == "clip.listened"]
    assert listens[-1]["purpose"] == "restricted" and listens[-1]["role"] == "privacy_officer"

    bad = officer.post(f"/api/v1/privacy/restricted/{flagged}", json={"action": "shrug"})
    assert bad.status_code == 422
    deleted = officer.post(f"/api/v1/privacy/restricted/{flagged}", json={"action": "delete"})
    assert deleted.status_code == 200 and deleted.json() == {"action": "delete"}
    with rt.db.read() as session:
        blobs = session.execute(sa.select(Blob).where(Blob.utterance_id == flagged)).scalars().all()
        assert {b.kind for b in blobs} >= {"original", "review_copy"}
        for blob in blobs:
            with pytest.raises(KeyDestroyedError):
                rt.vault.get(session, blob)
        gone = session.get(Utterance, flagged)
        assert gone is not None and gone.deleted_at is not None and gone.draft_text is None
        flag = session.execute(sa.select(Flag).where(Flag.utterance_id == flagged)).scalar_one()
        assert (flag.status, flag.resolved_by) == ("confirmed", officer_user.id)
    assert "restricted.delete" in [a for a, _ in audit_actions(rt, f"utterance:{flagged}")]
    assert officer.get(f"/api/v1/privacy/restricted/{flagged}/audio").status_code == 404

    dismissed = officer.post(
        f"/api/v1/privacy/restricted/{dismissed_clip}", json={"action": "dismiss"}
    )
    assert dismissed.status_code == 200
    # A wrong flag dismissed: the clip leaves the restricted queue and goes back to review.
    assert officer.get("/api/v1/privacy/restricted").json()["clips"] == []
    with rt.db.read() as session:
        back = session.get(Utterance, dismissed_clip)
        assert back.restricted is False and back.deleted_at is None
    page = officer.get("/privacy-officer").text
    assert f'id="clip-{flagged}"' not in page and f'id="clip-{dismissed_clip}"' not in page
    assert re.search(r'id="count-waiting">0<', page)
    assert "Nothing waiting" in page


def test_the_officer_hides_what_the_bleeps_missed_over_http(rt: Runtime, sign_in: SignIn) -> None:
    [clip] = make_clips(rt, 1)
    reviewer, _ = sign_in()
    review(rt, reviewer, "call [PERSON]", "calling_call", ("pii_audible",))
    officer, _ = sign_in("privacy_officer")
    url = f"/api/v1/privacy/restricted/{clip}/hide"
    page = officer.get("/privacy-officer").text
    assert 'data-action="hide"' in page and 'name="draft"' in page
    assert (
        reviewer.post(url, json={"stretches": [{"start_s": 0.1, "end_s": 0.2}]}).status_code == 403
    )
    for body, code in (
        ({"stretches": []}, "invalid_request"),
        ({"stretches": [{"start_s": 0.4, "end_s": 0.2}]}, "invalid_stretch"),
        (
            {"stretches": [{"start_s": 0.1, "end_s": 0.2}], "draft": "call john smith"},
            "personal_details_typed",
        ),
    ):
        refused = officer.post(url, json=body)
        assert refused.status_code == 422 and refused.json()["error"] == code, refused.text
    done = officer.post(url, json={"stretches": [{"start_s": 0.1, "end_s": 0.2}]})
    assert done.status_code == 200 and done.json() == {"action": "hide", "stretches": 1}
    assert officer.get("/api/v1/privacy/restricted").json()["clips"] == []
    assert (
        officer.post(url, json={"stretches": [{"start_s": 0.1, "end_s": 0.2}]}).status_code == 404
    )
    assert "restricted.hide" in [a for a, _ in audit_actions(rt, f"utterance:{clip}")]


# ----------------------------------------------------------------------------- minimum exposure


def test_no_lead_or_officer_response_reveals_who_spoke(rt: Runtime, sign_in: SignIn) -> None:
    make_clips(rt, 3, account_ref="ACCT-LEAD-SECRET-41", serial="SERIAL-LEAD-77")
    first, _ = sign_in()
    second, _ = sign_in()
    review(rt, first, "turn on the lights", "iot_hue_lighton")
    review(rt, second, "what time is it in tokyo", "datetime_query")
    review(rt, first, "i feel awful", "other", ("sensitive",))
    lead, _ = sign_in("lead")
    officer, _ = sign_in("privacy_officer")
    with rt.db.read() as session:
        forbidden = {
            *session.execute(sa.select(Account.ref)).scalars(),
            *session.execute(sa.select(Account.id)).scalars(),
            *session.execute(sa.select(Device.serial)).scalars(),
            *session.execute(sa.select(Device.id)).scalars(),
        }
        in_adjudication = session.execute(
            sa.select(ClipOutcome.utterance_id).where(ClipOutcome.state == "adjudication")
        ).scalar_one()
        restricted = session.execute(
            sa.select(Utterance.id).where(Utterance.restricted.is_(True))
        ).scalar_one()
    assert len(forbidden) == 4
    lead.post(
        "/api/v1/lead/gold",
        json={"clip_id": in_adjudication, "transcript": "turn on the lights", "intent": "other"},
    )
    responses = [
        lead.get("/lead"),
        lead.get("/api/v1/lead/adjudications"),
        lead.get("/api/v1/lead/gold"),
        lead.get("/api/v1/lead/reviewers"),
        officer.get("/privacy-officer"),
        officer.get("/api/v1/privacy/restricted"),
    ]
    for response in responses:
        assert response.status_code == 200, response.request.url
        for secret in forbidden:
            assert secret not in response.text, f"{secret} leaked by {response.request.url}"
    assert in_adjudication in responses[0].text and restricted in responses[4].text


# ----------------------------------------------------------------------------- presentation


def _row(handle: str, gold_wer: float | None, per_hour: float | None, alert: bool) -> ReviewerRow:
    return ReviewerRow(handle, "eu", 10, per_hour, 4.0, 3, gold_wer, 0.9, 0, alert)


def test_chart_axis_ends_on_round_steps() -> None:
    assert axis(0.43) == (pytest.approx(0.5), pytest.approx(0.1))
    assert axis(720) == (800, 200)
    assert axis(3) == (3, 1)
    assert axis(1.0) == (pytest.approx(1.0), pytest.approx(0.2))


def test_charts_are_valid_svg_with_threshold_and_alerts() -> None:
    rows = [
        _row("R-GOOD", 0.05, 820.0, False),
        _row("R-<&>", 0.42, None, True),
        _row("R-NEW", None, None, False),
    ]
    svg = ET.fromstring(str(gold_wer_chart(rows, 0.2)))  # well-formed, handles escaped
    assert svg.get("role") == "img" and "alert above 20%" in (svg.get("aria-label") or "")
    assert svg.get("class") == "chart gold-wer"
    ids = [e.get("id") or "" for e in svg.iter()]
    bars = [i for i in ids if "-bar-" in i]
    assert len(bars) == 2 and sum("-bar-alert-" in i for i in bars) == 1  # R-NEW has no bar
    assert sum(i.endswith("-threshold") for i in ids) == 1
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "R-<&>" in texts and "no gold yet" in texts and "alert 20%" in texts
    # Fit for a strict Content-Security-Policy: no style element or attribute, no script.
    assert not [e for e in svg.iter() if "style" in e.attrib or e.tag.endswith(("style", "script"))]
    speed = ET.fromstring(str(throughput_chart(rows)))
    assert len([e for e in speed.iter() if "-bar-" in (e.get("id") or "")]) == 1
    assert "no timed clips" in [t.text for t in speed.iter("{http://www.w3.org/2000/svg}text")]
    # Two charts on one page never share an element id.
    assert not {i for i in ids if i} & {e.get("id") for e in speed.iter() if e.get("id")}


# ----------------------------------------------------------------------------- in a browser

# (device ASR text, what reviewer A heard, what reviewer B heard, their intents)
SPOKEN = [
    (
        "remind me to call anna at the clinic tomorrow",
        ("remind me to call [PERSON] at the clinic tomorrow", "calendar_set"),
        ("remind me to fall asleep at the cinema tomorrow morning", "calling_call"),
    ),
    (
        "play the news from the bbc",
        ("play the news from the bbc", "news_query"),
        ("play the blues from the b b c", "play_music"),
    ),
    (
        "dim the living room lights to twenty",
        ("dim the living room lights to twenty", "iot_hue_lightdim"),
        ("turn the living room light off", "iot_hue_lightoff"),
    ),
]
AGREED = "set a timer for ten minutes"
RESTRICTED = ["i do not feel safe at home tonight", "please tell my doctor about the results"]
GOLD = "what is the weather like this weekend"


def _speech(text: str) -> tuple[Any, int]:
    try:
        from voxguard.demo.speech import synthesize
    except ImportError:  # the demo voice is optional: a tone shows the pages just as well
        return tone(2.5), 16_000
    return synthesize(text, "en-us")


def _scene(rt: Runtime) -> None:
    """Clips in every state the pages show, built through the real APIs."""
    texts = [s[0] for s in SPOKEN] + [AGREED] + RESTRICTED + [GOLD] * 2
    with app_client(rt) as client:
        for i, text in enumerate(texts):
            # A household per clip: a reviewer hears at most 3 clips of one account a month.
            device = make_device(rt, f"ACCT-BROWSER-{i:02d}", f"SN-BROWSER-{i:02d}")
            samples, rate = _speech(text)
            meta = device.metadata(f"browser-{i}", asr_text=text)
            assert (
                post_utterance(client, device.token, encode(samples, rate), meta).status_code == 201
            )
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    with ExitStack() as stack:
        people = []
        for seconds in (5.0, 9.0, 14.0):
            user, password, secret = make_user(rt, role="reviewer")
            client = stack.enter_context(app_client(rt))
            login(client, user.username, password, secret)
            people.append((client, seconds))
        (a, a_s), (b, b_s), (c, c_s) = people
        for _, heard_a, heard_b in SPOKEN:
            review(rt, a, *heard_a, seconds=a_s)
            review(rt, b, *heard_b, seconds=b_s)
        review(rt, a, AGREED, "alarm_set", seconds=a_s)
        review(rt, b, AGREED, "alarm_set", seconds=b_s)
        review(rt, c, "i do not feel safe at home tonight", "other", ("distress",), seconds=c_s)
        review(
            rt, c, "please tell my doctor about the results", "other", ("sensitive",), seconds=c_s
        )
        # Gold: the two weather clips, one heard well and one badly.
        lead_user, lead_password, lead_secret = make_user(rt, role="lead")
        lead = stack.enter_context(app_client(rt))
        login(lead, lead_user.username, lead_password, lead_secret)
        with rt.db.read() as session:
            weather = [
                u.id
                for u in session.execute(sa.select(Utterance).order_by(Utterance.id)).scalars()
                if rt.vault.open_device_text(
                    session, account_id=u.account_id, utterance_id=u.id, sealed=u.device_asr_sealed
                )
                == GOLD
            ]
        for clip in weather:
            reference = {"clip_id": clip, "transcript": GOLD, "intent": "weather_query"}
            assert lead.post("/api/v1/lead/gold", json=reference).status_code == 201
        # The next leases are the gold clips: the same database through a runtime that always
        # mixes gold in, with the reviewers' sessions carried over.
        gold_rt = build_runtime(rt.settings.model_copy(update={"gold_rate": 1.0}))
        stack.callback(gold_rt.close)
        for (client, seconds), heard in zip(
            people,
            [GOLD, GOLD, "what was the weather light this week"],
            strict=True,
        ):
            gold_client = stack.enter_context(app_client(gold_rt))
            gold_client.cookies.update(client.cookies)
            gold_client.headers["X-CSRF-Token"] = client.headers["X-CSRF-Token"]
            assert (
                review(gold_rt, gold_client, heard, "weather_query", seconds=seconds)["clip"]["id"]
                in weather
            )


@pytest.mark.browser
def test_pages_in_chromium(sqlite_rt: Runtime) -> None:
    sync_api = needs.chromium()
    rt = sqlite_rt
    _scene(rt)
    # Fresh users: a TOTP code is accepted once, and the scene already used this step's codes.
    lead_user, lead_password, lead_secret = make_user(rt, role="lead")
    officer_user, officer_password, officer_secret = make_user(rt, role="privacy_officer")
    ARTIFACTS.mkdir(exist_ok=True)

    server = BackgroundServer(rt, "127.0.0.1", free_port())
    server.start()
    problems: list[str] = []
    try:
        with sync_api.sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                # --- the lead signs in through the page, with TOTP ---
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                page.set_default_timeout(WAIT_MS)
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on("console", console_watch(problems))
                page.goto(f"{server.base_url}/lead")
                page.wait_for_url(lambda url: "/login?next=" in url)
                page.fill("input[name=username]", lead_user.username)
                page.fill("input[name=password]", lead_password)
                page.fill("input[name=totp]", totp_code(lead_secret))
                page.press("input[name=totp]", "Enter")
                page.wait_for_url(lambda url: url.endswith("/lead"))
                page.wait_for_function("() => document.body.dataset.tab === 'adjudication'")
                assert not problems, problems
                # The staff palette (static/common/palette.css) reaches the lead page.
                assert page.evaluate(STAFF_ACCENT_OF, ".lead-page") == "#176b66"
                # Every clip id in the queue is whole: wrapped if need be, never cut off.
                cut = page.evaluate(
                    """() => [...document.querySelectorAll('#queue .qid')].filter(
                        (el) => el.scrollWidth > el.clientWidth
                            || el.textContent !== el.closest('button').dataset.clip).length"""
                )
                assert cut == 0

                first = page.get_attribute("#queue .queue-item.current", "data-clip")
                page.keyboard.press("j")
                second = page.get_attribute("#queue .queue-item.current", "data-clip")
                assert second != first
                page.keyboard.press("k")
                assert page.get_attribute("#queue .queue-item.current", "data-clip") == first
                # Play the review copy by key: the button turns into a pause button.
                page.keyboard.press("p")
                page.wait_for_selector(f"#clip-{first} button.play.playing")
                page.keyboard.press("p")
                page.wait_for_selector(f"#clip-{first} button.play:not(.playing)")
                page.screenshot(path=str(ARTIFACTS / "lead.png"), full_page=True)
                # Take candidate B, edit, accept by keyboard: the next clip comes up.
                page.keyboard.press("Alt+Digit2")
                assert page.evaluate("document.activeElement.name") == "transcript"
                page.keyboard.press("End")
                page.keyboard.type(" please")
                page.keyboard.press("Control+Enter")
                page.wait_for_function("(id) => !document.getElementById('clip-' + id)", arg=first)
                page.wait_for_selector("#notice.ok")
                assert page.text_content("#count-adjudication") == str(len(SPOKEN) - 1)
                page.keyboard.press("Escape")
                page.evaluate("document.getElementById('notice').hidden = true")

                page.keyboard.press("3")
                page.wait_for_selector("#quality:not([hidden]) svg.chart.gold-wer")
                # Figures are refetched after a decision: reviewer B now agrees on 1 of 2 clips.
                page.wait_for_selector("#quality-table td:text-is('50%')")
                page.screenshot(path=str(ARTIFACTS / "lead-quality.png"), full_page=True)
                page.keyboard.press("2")
                page.wait_for_selector("#gold:not([hidden]) #gold-table")
                page.screenshot(path=str(ARTIFACTS / "lead-gold.png"), full_page=True)
                html = page.content()
                # The home page's cards hold their text (a long database path included).
                page.goto(f"{server.base_url}/")
                overflowing = page.evaluate(
                    """() => [...document.querySelectorAll('.cards .card')].filter(
                        (el) => el.scrollWidth > el.clientWidth).map((el) => el.textContent)"""
                )
                assert page.is_visible(".card .path") and overflowing == []
                # A page the lead may not open: the 403 keeps the nav, sign-out and ways on.
                page.goto(f"{server.base_url}/privacy-officer")
                assert page.text_content("h1") == "Not allowed"
                assert page.is_visible("header nav.account button:text-is('Sign out')")
                assert page.is_visible("main a[href='/lead']")
                context.close()

                # --- the privacy officer signs in through the API; the cookie goes across ---
                with httpx.Client(base_url=server.base_url) as http:
                    signed = http.post(
                        "/api/v1/auth/login",
                        json={
                            "username": officer_user.username,
                            "password": officer_password,
                            "totp": totp_code(officer_secret),
                        },
                    )
                    assert signed.status_code == 200, signed.text
                    cookies = [
                        {"name": name, "value": value, "url": server.base_url}
                        for name, value in http.cookies.items()
                    ]
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                context.add_cookies(cookies)  # type: ignore[arg-type]
                page = context.new_page()
                page.set_default_timeout(WAIT_MS)
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on("console", console_watch(problems))
                page.goto(f"{server.base_url}/privacy-officer")
                page.wait_for_selector("#waiting .rclip.current")
                page.keyboard.press("p")
                page.wait_for_selector("#waiting .rclip.current button.play.playing")
                page.keyboard.press("p")
                # Dismiss one flag, through the confirmation dialog.
                doomed = page.get_attribute("#waiting .rclip.current", "data-clip")
                page.click(f"#clip-{doomed} button[data-action='dismiss']")
                page.wait_for_selector("dialog#confirm[open]")
                assert page.evaluate("document.activeElement.id") == "confirm-cancel"
                page.screenshot(path=str(ARTIFACTS / "privacy-officer-confirm.png"))
                page.click("#confirm-ok")
                page.wait_for_selector(f"#dismissed #clip-{doomed}", state="attached")
                page.wait_for_selector("#notice.ok")
                page.evaluate("document.getElementById('notice').hidden = true")
                page.click("#dismissed-box summary")
                page.screenshot(path=str(ARTIFACTS / "privacy-officer.png"), full_page=True)
                html += page.content()
            finally:
                browser.close()
    finally:
        server.stop()

    assert not problems, problems
    assert "ACCT-BROWSER-" not in html and "SN-BROWSER-" not in html
    with rt.db.read() as session:
        accepted = session.execute(
            sa.select(ClipOutcome).where(ClipOutcome.method == "lead")
        ).scalar_one()
        assert accepted.transcript is not None and accepted.transcript.endswith("please")
        flag = session.execute(sa.select(Flag).where(Flag.utterance_id == doomed)).scalar_one()
        assert flag.status == "dismissed"
    for name in ("lead.png", "lead-quality.png", "privacy-officer.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
