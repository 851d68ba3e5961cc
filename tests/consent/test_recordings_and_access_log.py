"""A speaker's recordings, own audio, and who listened: codes per account, never names."""

from __future__ import annotations

from tests.support.client import app_client
from tests.support.review import make_clips
from tests.support.rights import bearer, review_one, service_token, signed_in_reviewer
from voxguard.runtime import Runtime


def test_recordings_audio_and_who_listened(rt: Runtime) -> None:
    mine = make_clips(rt, 2, account_ref="ACCT-AL-1", serial="SN-AL1")
    theirs = make_clips(rt, 1, account_ref="ACCT-AL-2", serial="SN-AL2")
    reviewer_client, reviewer = signed_in_reviewer(rt, region="eu")
    try:
        heard = {review_one(rt, reviewer_client, "a tone") for _ in range(3)}
    finally:
        reviewer_client.__exit__(None, None, None)
    assert heard == set(mine) | set(theirs)
    token = service_token(rt)
    with app_client(rt) as client:
        page = client.get("/api/v1/accounts/ACCT-AL-1/recordings?limit=1", headers=bearer(token))
        assert page.status_code == 200
        body = page.json()
        assert body["total"] == 2 and len(body["recordings"]) == 1
        rest = client.get(
            "/api/v1/accounts/ACCT-AL-1/recordings?limit=1&offset=1", headers=bearer(token)
        ).json()["recordings"]
        listed = body["recordings"] + rest
        assert {r["id"] for r in listed} == set(mine)
        for item in listed:
            assert item["sampled"] is True and item["sampling_reason"] == "drawn"
            assert item["heard_by"] == 1
            assert item["state"] in ("in_review", "reviewed")
            assert item["expires_at"] is not None and item["has_audio"] is True

        audio = client.get(
            f"/api/v1/accounts/ACCT-AL-1/recordings/{mine[0]}/audio", headers=bearer(token)
        )
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        assert audio.headers["cache-control"] == "no-store"
        # Someone else's recording, or one that does not exist: 404, never a 500.
        for other in (theirs[0], "nope", "x" * 40):
            refused = client.get(
                f"/api/v1/accounts/ACCT-AL-1/recordings/{other}/audio", headers=bearer(token)
            )
            assert refused.status_code == 404, other

        log = client.get("/api/v1/accounts/ACCT-AL-1/access-log", headers=bearer(token))
        assert log.status_code == 200
        entries = log.json()["accesses"]
        other_log = client.get(
            "/api/v1/accounts/ACCT-AL-2/access-log", headers=bearer(token)
        ).json()["accesses"]
    text = log.text
    for secret in (reviewer.handle, reviewer.username, reviewer.id, "ACCT-AL-2"):
        assert secret not in text, secret
    people = [e for e in entries if e["role"] == "reviewer"]
    assert {e["action"] for e in people} == {"viewed", "listened", "transcribed"}
    assert all(e["region"] == "eu" and e["recording_id"] in mine for e in people)
    codes = {e["actor"] for e in people}
    assert len(codes) == 1  # one person, one code within the account...
    other_codes = {e["actor"] for e in other_log if e["role"] == "reviewer"}
    assert other_codes and not (codes & other_codes)  # ...and another code in another account
    listens = [e for e in people if e["action"] == "listened"]
    assert len(listens) == 2 and {e["purpose"] for e in listens} == {"review"}
    machines = [e for e in entries if e["role"] == "machine"]
    assert {(e["actor"], e["action"]) for e in machines} == {
        ("machine:speech-recognition", "transcribed"),
        ("machine:voice-anonymizer", "anonymized"),
    }
    assert {e["recording_id"] for e in machines} == set(mine)
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
