"""Per-client throttling before work, and refusals audited once per client per window.

Over HTTP against the real app (TestClient with a chosen client address), both databases.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.audio import tone_wav
from tests.support.people import login, make_user
from tests.support.world import make_device
from voxguard.db.models import AuditEvent
from voxguard.runtime import Runtime
from voxguard.web.app import create_app


def _client(rt: Runtime, address: str) -> TestClient:
    return TestClient(create_app(rt), raise_server_exceptions=False, client=(address, 40000))


def _sign_in(client: TestClient, username: str, password: str = "wrong password!!") -> int:
    body = {"username": username, "password": password, "totp": "000000"}
    return client.post("/api/v1/auth/login", json=body).status_code


def _events(rt: Runtime, action: str) -> list[dict]:
    with rt.db.read() as session:
        rows = session.execute(
            sa.select(AuditEvent.details)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        ).scalars()
        return [json.loads(details) for details in rows]


def test_a_guesser_is_throttled_but_cannot_lock_the_reviewer_out(rt: Runtime) -> None:
    _, password, secret = make_user(rt, username="rita")
    with _client(rt, "203.0.113.9") as attacker, _client(rt, "198.51.100.7") as rita:
        assert [_sign_in(attacker, "rita") for _ in range(7)] == [401] * 5 + [429] * 2
        refused = attacker.post(
            "/api/v1/auth/login", json={"username": "rita", "password": password, "totp": "123456"}
        )
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        login(rita, "rita", password, secret)  # her own address is not throttled
        assert rita.get("/api/v1/auth/me").status_code == 200
    # The 6th and 7th guesses never reached the password check: 5 failures counted.
    assert len(_events(rt, "auth.login_failed")) == 5


def test_unknown_user_guessing_is_throttled_and_audited_once_per_window(rt: Runtime) -> None:
    limit = int(rt.settings.sign_in_rate_per_client.split("/")[0])
    with _client(rt, "203.0.113.10") as sprayer:
        answers = [_sign_in(sprayer, f"nobody{i}") for i in range(limit + 5)]
    assert answers == [401] * limit + [429] * 5
    failed, throttled = _events(rt, "auth.login_failed"), _events(rt, "auth.login_throttled")
    assert len(failed) == 1 and failed[0]["refusals"] == 1
    assert len(throttled) == 1 and throttled[0]["client_ip"] == "203.0.113.10"


def test_refused_uploads_are_throttled_per_client_and_audited_once_per_window(
    rt: Runtime,
) -> None:
    limit = int(rt.settings.ingest_refusals_per_client.split("/")[0])
    device = make_device(rt)
    files = {
        "audio": ("a.wav", tone_wav(0.2), "audio/wav"),
        "metadata": (None, device.metadata_bytes("u-1"), "application/json"),
    }
    with _client(rt, "203.0.113.11") as prober, _client(rt, "192.0.2.1") as honest:
        codes = [
            prober.post(
                "/api/v1/utterances", headers={"Authorization": "Bearer vgd_guess"}, files=files
            ).status_code
            for _ in range(limit + 3)
        ]
        fine = honest.post(
            "/api/v1/utterances", headers={"Authorization": f"Bearer {device.token}"}, files=files
        )
    assert codes == [401] * limit + [429] * 3
    assert fine.status_code == 201
    # One row for the window (its first refusal); the other 62 are counted into the next one.
    refusals = _events(rt, "upload.refused")
    assert [(r["code"], r["refusals"], r["client"]) for r in refusals] == [
        ("unauthorized", 1, "203.0.113.11")
    ]
