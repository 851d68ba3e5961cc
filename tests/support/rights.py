"""Service tokens and privacy-API calls for the rights tests."""

from __future__ import annotations

from voxguard.consent.service_tokens import add_token
from voxguard.runtime import Runtime


def service_token(rt: Runtime, *scopes: str, name: str = "test-app") -> str:
    with rt.db.session() as session:
        _id, token = add_token(session, name=name, scopes=list(scopes or ("privacy",)), actor="t")
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def full_consent(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "human_review": "opted_in",
        "store_recordings": True,
        "model_training": False,
        "retention": "3_months",
        "notice_version": "2026-12",
    }
    body.update(changes)
    return body


def signed_in_reviewer(rt: Runtime, role: str = "reviewer", region: str = "eu"):  # type: ignore[no-untyped-def]
    """A reviewer's client, signed in for real (the caller closes it)."""
    from tests.support.client import app_client
    from tests.support.people import login, make_user

    user, password, secret = make_user(rt, role=role, region=region)
    client = app_client(rt)
    client.__enter__()
    login(client, user.username, password, secret)
    return client, user


def review_one(rt: Runtime, client, transcript, flags: list[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """Lease the next task, listen to it, and submit ``transcript`` (text, or a function of the
    clip's id giving it); returns the clip id."""
    from datetime import timedelta

    import sqlalchemy as sa

    from voxguard.db.base import utcnow
    from voxguard.db.models import Exposure

    task = client.post("/api/v1/review/lease").json()
    assert client.get(task["clip"]["audio_url"]).status_code == 200
    with rt.db.session() as session:  # stands for a reviewer who listened to the end
        session.execute(
            sa.update(Exposure)
            .where(Exposure.work_item_id == task["task_id"])
            .values(audio_fetched_at=utcnow() - timedelta(seconds=30))
        )
    text = transcript(task["clip"]["id"]) if callable(transcript) else transcript
    body = {
        "transcript": text,
        "intent": "other",
        "flags": flags or [],
        "played_to_end": True,
    }
    answer = client.post(f"/api/v1/review/tasks/{task['task_id']}/submit", json=body)
    assert answer.status_code == 200, answer.text
    return str(task["clip"]["id"])


def stored_objects(rt: Runtime) -> dict[str, bytes]:
    """Every object in the blob store, read back through its own backend (local or S3)."""
    store = rt.vault.store
    return {key: store.get(key) for key in store.keys("acct/")}


def raw_database(rt: Runtime) -> bytes:
    """The database as it lies on disk (SQLite file and its log) or as pg_dump writes it."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from voxguard.db.postgres import pg_target

    if rt.db.dialect == "sqlite":
        path = Path(make_url(rt.db.url).database or "")
        parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
        return b"".join(p.read_bytes() for p in parts if p.exists())
    dumped = pg_target(rt.db.url).run("pg_dump", "--no-owner")
    assert dumped.returncode == 0, dumped.stderr
    return dumped.stdout
