"""GET export: a zip a person can open, with everything stored about them."""

from __future__ import annotations

import io
import json
import zipfile

import soundfile as sf
import sqlalchemy as sa

from tests.support.client import app_client
from tests.support.review import make_clips
from tests.support.rights import bearer, review_one, service_token, signed_in_reviewer
from voxguard.db.models import AuditEvent
from voxguard.runtime import Runtime


def test_export_holds_consent_devices_recordings_transcripts_and_the_access_log(
    rt: Runtime,
) -> None:
    clips = make_clips(rt, 2, account_ref="ACCT-EX-1", serial="SN-EX-1")
    make_clips(rt, 1, account_ref="ACCT-EX-2", serial="SN-EX-2")
    reviewer, user = signed_in_reviewer(rt)
    try:
        heard = [review_one(rt, reviewer, f"words for {clip}") for clip in range(3)]
    finally:
        reviewer.__exit__(None, None, None)
    token = service_token(rt)
    with app_client(rt) as client:
        assert client.get("/api/v1/accounts/ACCT-EX-1/export").status_code == 401
        assert client.get("/api/v1/accounts/NOPE/export", headers=bearer(token)).status_code == 404
        response = client.get("/api/v1/accounts/ACCT-EX-1/export", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    assert {"README.txt", "account.json", "access-log.json"} <= set(names)
    wavs = [n for n in names if n.startswith("recordings/")]
    assert len(wavs) == 2 and all(n.endswith(".wav") for n in wavs)
    for name in wavs:
        samples, rate = sf.read(io.BytesIO(archive.read(name)))
        assert rate == 16_000 and len(samples) > 0
    document = json.loads(archive.read("account.json"))
    assert document["account_ref"] == "ACCT-EX-1"
    assert [d["serial"] for d in document["devices"]] == ["SN-EX-1"]
    assert [c["version"] for c in document["consent_history"]] == [1]
    recordings = {r["id"]: r for r in document["recordings"]}
    assert set(recordings) == set(clips)
    for clip in clips:
        item = recordings[clip]
        assert item["device_asr"]["text"] == "set an alarm for seven"
        assert item["audio_file"] in wavs
        assert item["device_serial"] == "SN-EX-1"
    transcribed = [c for c in clips if c in heard]
    assert transcribed
    for clip in transcribed:
        (transcript,) = recordings[clip]["human_transcripts"]
        assert transcript["transcript"].startswith("words for")
        assert transcript["by"].startswith("person-") and user.handle not in json.dumps(transcript)
    text = archive.read("account.json").decode() + archive.read("access-log.json").decode()
    assert "ACCT-EX-2" not in text and "SN-EX-2" not in text and user.username not in text
    log = json.loads(archive.read("access-log.json"))
    assert any(e["action"] == "listened" for e in log)
    with rt.db.read() as session:
        exported = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "account.exported")
        ).scalar_one()
    assert exported.actor == "service:test-app"
