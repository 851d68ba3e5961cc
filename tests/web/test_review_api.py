"""The reviewer API end to end over HTTP, and the minimum-exposure invariant on every response."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.client import app_client
from tests.support.people import login, make_user
from tests.support.review import make_clips
from voxguard.db.base import utcnow
from voxguard.db.models import Account, AuditEvent, Blob, Device, Exposure, User
from voxguard.runtime import Runtime


@pytest.fixture
def clips(rt: Runtime) -> list[str]:
    return make_clips(rt, 2, seconds=3.0)


def _reviewer(rt: Runtime, role: str = "reviewer", region: str = "eu") -> tuple[TestClient, User]:
    user, password, secret = make_user(rt, role=role, region=region)
    client = app_client(rt)
    client.__enter__()
    login(client, user.username, password, secret)
    return client, user


@pytest.fixture
def reviewer(rt: Runtime) -> Iterator[tuple[TestClient, User]]:
    client, user = _reviewer(rt)
    yield client, user
    client.__exit__(None, None, None)


def _heard(rt: Runtime, task_id: str) -> None:
    """Backdate the first audio fetch: the test stands for a reviewer who listened to the end."""
    with rt.db.session() as session:
        session.execute(
            sa.update(Exposure)
            .where(Exposure.work_item_id == task_id)
            .values(audio_fetched_at=utcnow() - timedelta(seconds=30))
        )


def test_lease_listen_submit_cycle(rt: Runtime, clips: list[str], reviewer) -> None:  # type: ignore[no-untyped-def]
    client, _user = reviewer
    task = client.post("/api/v1/review/lease").json()
    assert set(task) == {"task_id", "clip", "lease_expires_at", "lease_seconds"}
    assert set(task["clip"]) == {
        "id",
        "locale",
        "device_type",
        "duration_s",
        "draft_text",
        "redactions",
        "audio_url",
    }
    audio = client.get(task["clip"]["audio_url"])
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert audio.headers["cache-control"] == "no-store"
    assert audio.headers["content-type"] == "audio/wav"
    early = client.post(
        f"/api/v1/review/tasks/{task['task_id']}/submit",
        json={"transcript": "x", "intent": "other", "played_to_end": True},
    )
    assert early.status_code == 422 and early.json()["error"] == "not_played"
    _heard(rt, task["task_id"])
    body = {
        "transcript": "a tone",
        "intent": "other",
        "flags": [],
        "played_to_end": True,
        "seconds_spent": 3,
    }
    first = client.post(f"/api/v1/review/tasks/{task['task_id']}/submit", json=body)
    again = client.post(f"/api/v1/review/tasks/{task['task_id']}/submit", json=body)
    assert first.status_code == again.status_code == 200
    stats = client.get("/api/v1/review/stats").json()
    assert stats["done_this_shift"] == 1 and stats["median_seconds"] == 3
    assert "alarm_set" in client.get("/api/v1/review/intents").json()["intents"]


def test_submit_can_hand_over_the_next_task(rt: Runtime, clips: list[str], reviewer) -> None:  # type: ignore[no-untyped-def]
    """``?next=true``: the answer carries the next lease (one round trip between clips), a
    repeated submit hands the same next task again, and null once nothing is due."""
    client, _user = reviewer
    first = client.post("/api/v1/review/lease").json()
    _heard(rt, first["task_id"])
    body = {"transcript": "a tone", "intent": "other", "played_to_end": True}
    url = f"/api/v1/review/tasks/{first['task_id']}/submit?next=true"
    answer = client.post(url, json=body)
    assert answer.status_code == 200
    following = answer.json()["next"]
    assert set(following) == {"task_id", "clip", "lease_expires_at", "lease_seconds"}
    assert following["task_id"] != first["task_id"]
    assert following["clip"]["id"] != first["clip"]["id"]
    # Answer lost, submit retried: still submitted once, and the same next task comes back.
    again = client.post(url, json=body).json()
    assert again["status"] == "submitted" and again["next"]["task_id"] == following["task_id"]
    assert client.post("/api/v1/review/lease").json()["task_id"] == following["task_id"]
    assert client.get(following["clip"]["audio_url"]).status_code == 200
    _heard(rt, following["task_id"])
    last = client.post(f"/api/v1/review/tasks/{following['task_id']}/submit?next=true", json=body)
    assert last.status_code == 200 and last.json()["next"] is None  # 2 clips, both done
    with rt.db.read() as session:
        leased = session.execute(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "review.leased")
        ).scalar_one()
    assert leased == 2
    plain = client.post(f"/api/v1/review/tasks/{following['task_id']}/submit", json=body).json()
    assert "next" not in plain


def test_heartbeat_skip_and_lost_lease(rt: Runtime, clips: list[str], reviewer) -> None:  # type: ignore[no-untyped-def]
    client, _user = reviewer
    task = client.post("/api/v1/review/lease").json()
    beat = client.post(f"/api/v1/review/tasks/{task['task_id']}/heartbeat")
    assert beat.status_code == 200 and "audio_url" in beat.json()
    assert client.post(f"/api/v1/review/tasks/{task['task_id']}/skip").status_code == 204
    lost = client.post(f"/api/v1/review/tasks/{task['task_id']}/heartbeat")
    assert lost.status_code == 409 and lost.json()["error"] == "lease_lost"
    nxt = client.post("/api/v1/review/lease").json()
    assert nxt["task_id"] != task["task_id"]


def test_audio_url_is_for_the_leaseholder_only(rt: Runtime, clips: list[str], reviewer) -> None:  # type: ignore[no-untyped-def]
    client, _user = reviewer
    task = client.post("/api/v1/review/lease").json()
    other, _ = _reviewer(rt)
    try:
        assert other.get(task["clip"]["audio_url"]).status_code == 403
    finally:
        other.__exit__(None, None, None)
    tampered = re.sub(
        r"exp=(\d+)", lambda m: f"exp={int(m.group(1)) + 600}", task["clip"]["audio_url"]
    )
    assert client.get(tampered).status_code == 403
    anonymous = app_client(rt)
    assert anonymous.get(task["clip"]["audio_url"]).status_code == 401


def test_csrf_and_roles(rt: Runtime, clips: list[str], reviewer) -> None:  # type: ignore[no-untyped-def]
    client, _user = reviewer
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/api/v1/review/lease").status_code == 403
    client.headers["X-CSRF-Token"] = token
    officer, _ = _reviewer(rt, role="privacy_officer")
    try:
        assert officer.post("/api/v1/review/lease").status_code == 403
    finally:
        officer.__exit__(None, None, None)


def test_no_reviewer_response_reveals_who_spoke(rt: Runtime, reviewer) -> None:  # type: ignore[no-untyped-def]
    """Walk every reviewer-facing JSON and HTML response; none may carry an identifier."""
    make_clips(rt, 2, account_ref="ACCT-SECRET-77", serial="SERIAL-XYZ-99")
    client, _user = reviewer
    with rt.db.read() as session:
        forbidden = {
            *session.execute(sa.select(Account.ref)).scalars(),
            *session.execute(sa.select(Account.id)).scalars(),
            *session.execute(sa.select(Device.serial)).scalars(),
            *session.execute(sa.select(Device.id)).scalars(),
        }
    seen: list[str] = []

    def check(response) -> None:  # type: ignore[no-untyped-def]
        text = response.text if "audio" not in response.headers.get("content-type", "") else ""
        seen.append(response.request.url.path)
        for secret in forbidden:
            assert secret not in text, f"{secret} leaked by {response.request.url.path}"

    for page in ("/", "/review", "/login", "/account/password", "/docs", "/openapi.json"):
        check(client.get(page))
    for _ in range(2):
        task = client.post("/api/v1/review/lease")
        check(task)
        if task.status_code == 204:
            break
        body = task.json()
        audio = client.get(body["clip"]["audio_url"])
        check(audio)
        # The review copy is not the original: the original's bytes never appear in it.
        with rt.db.read() as session:
            original_blob = session.execute(
                sa.select(Blob).where(
                    Blob.utterance_id == body["clip"]["id"], Blob.kind == "original"
                )
            ).scalar_one()
            original = rt.vault.get(session, original_blob)
        assert audio.content != original and original[1000:3000] not in audio.content
        check(client.post(f"/api/v1/review/tasks/{body['task_id']}/heartbeat"))
        _heard(rt, body["task_id"])
        check(
            client.post(
                f"/api/v1/review/tasks/{body['task_id']}/submit?next=true",
                json={"transcript": "t", "intent": "other", "played_to_end": True},
            )
        )
    check(client.get("/api/v1/review/stats"))
    check(client.get("/api/v1/review/intents"))
    check(client.get("/api/v1/auth/me"))
    assert len(seen) >= 12
