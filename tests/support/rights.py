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
