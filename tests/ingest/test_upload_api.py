"""POST /api/v1/utterances: what is accepted, what is refused, and that refusals store nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.audio import encode, flac_with_total_samples, tone, tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.net import free_port, send_chunks_until_answered
from tests.support.world import DeviceHandle, make_device
from voxguard.audit import verify_chain
from voxguard.db.models import AuditEvent, Blob, SamplingDecision, Utterance, WorkItem
from voxguard.runtime import Runtime, build_runtime
from voxguard.web.server import BackgroundServer


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with app_client(rt) as c:
        yield c


@pytest.fixture
def device(rt: Runtime) -> DeviceHandle:
    return make_device(rt)


def _count(rt: Runtime, model: type) -> int:
    with rt.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _blob_files(rt: Runtime) -> list[Path]:
    root = rt.settings.data_dir / "blobs"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _stored_nothing(rt: Runtime) -> None:
    assert _count(rt, Utterance) == 0
    assert _count(rt, Blob) == 0
    assert _blob_files(rt) == []


def _last_refusal(rt: Runtime) -> dict:
    with rt.db.read() as session:
        event = (
            session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "upload.refused")
                .order_by(AuditEvent.seq.desc())
            )
            .scalars()
            .first()
        )
        assert event is not None
        import json

        return json.loads(event.details)


def test_accepted_upload_is_stored_encrypted_sampled_and_queued(
    rt: Runtime, client: TestClient, device: DeviceHandle
) -> None:
    audio = tone_wav(2.0, rate=44_100)
    response = post_utterance(client, device.token, audio, device.metadata("u-1"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sampled"] is True and body["stored"] is True
    with rt.db.read() as session:
        utterance = session.get(Utterance, body["id"])
        assert utterance.duration_s == pytest.approx(2.0, abs=0.01)
        assert utterance.status == "queued"
        blob = session.execute(sa.select(Blob)).scalar_one()
        decision = session.get(SamplingDecision, body["id"])
        assert decision.sampled and decision.reason == "drawn"
        job = session.execute(sa.select(WorkItem)).scalar_one()
        assert (job.kind, job.subject_id, job.state) == (
            "prepare_review_copy",
            body["id"],
            "pending",
        )
        plaintext = rt.vault.get(session, blob)
    assert plaintext[:4] == b"RIFF"  # normalised 16 kHz mono WAV inside
    [stored_file] = _blob_files(rt)
    on_disk = stored_file.read_bytes()
    assert b"RIFF" not in on_disk and plaintext[44:1000] not in on_disk
    with rt.db.read() as session:
        assert verify_chain(session)[1] is None


@pytest.mark.parametrize("fmt,subtype", [("FLAC", None), ("OGG", "OPUS"), ("OGG", "VORBIS")])
def test_flac_and_ogg_are_accepted(
    client: TestClient, device: DeviceHandle, fmt: str, subtype: str | None
) -> None:
    audio = encode(tone(1.5, 48_000), 48_000, fmt, subtype)
    response = post_utterance(client, device.token, audio, device.metadata(f"u-{fmt}-{subtype}"))
    assert response.status_code == 201, response.text


def test_retry_returns_the_same_record_and_stores_one_copy(
    rt: Runtime, client: TestClient, device: DeviceHandle
) -> None:
    audio = tone_wav(1.0)
    first = post_utterance(client, device.token, audio, device.metadata("u-retry"))
    second = post_utterance(client, device.token, audio, device.metadata("u-retry"))
    assert first.status_code == 201 and second.status_code == 200
    assert first.json() == second.json()
    assert _count(rt, Utterance) == 1 and _count(rt, Blob) == 1 and len(_blob_files(rt)) == 1


def test_a_failed_write_transaction_leaves_no_object(
    rt: Runtime, client: TestClient, device: DeviceHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audio is sealed before the write transaction; if that fails, its object goes too."""
    import voxguard.ingest.service as ingest_service

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingest_service, "_record", fail)
    response = post_utterance(client, device.token, tone_wav(1.0), device.metadata("u-fail"))
    assert response.status_code == 500
    _stored_nothing(rt)


def test_reusing_an_utterance_id_for_other_audio_conflicts(
    client: TestClient, device: DeviceHandle
) -> None:
    assert (
        post_utterance(client, device.token, tone_wav(1.0), device.metadata("u-x")).status_code
        == 201
    )
    response = post_utterance(client, device.token, tone_wav(1.2), device.metadata("u-x"))
    assert response.status_code == 409
    assert response.json()["error"] == "utterance_id_conflict"


@pytest.mark.parametrize(
    "audio,code,status",
    [
        (b"", "audio_empty", 422),
        (b"hello, this is not audio at all" * 10, "audio_not_audio", 422),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "audio_not_audio", 422),
    ],
)
def test_bad_audio_is_refused_and_nothing_stored(
    rt: Runtime, client: TestClient, device: DeviceHandle, audio: bytes, code: str, status: int
) -> None:
    response = post_utterance(client, device.token, audio, device.metadata("u-bad"))
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    _stored_nothing(rt)
    assert _last_refusal(rt)["code"] == code


def test_truncated_audio_is_refused(rt: Runtime, client: TestClient, device: DeviceHandle) -> None:
    flac = encode(tone(3.0), 16_000, "FLAC")
    response = post_utterance(
        client, device.token, flac[: len(flac) // 3], device.metadata("u-trunc")
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("audio_")
    _stored_nothing(rt)


def test_audio_longer_than_the_limit_is_refused(make_settings, device_factory=None) -> None:  # type: ignore[no-untyped-def]
    rt = build_runtime(make_settings(max_duration_s=2.0))
    try:
        device = make_device(rt)
        with app_client(rt) as client:
            response = post_utterance(
                client, device.token, tone_wav(3.0), device.metadata("u-long")
            )
        assert response.status_code == 413
        assert response.json()["error"] == "audio_too_long"
        _stored_nothing(rt)
    finally:
        rt.close()


def test_oversize_upload_is_refused_while_streaming(make_settings) -> None:  # type: ignore[no-untyped-def]
    rt = build_runtime(make_settings(max_upload_bytes=64 * 1024))
    try:
        device = make_device(rt)
        with app_client(rt) as client:
            big = tone_wav(10.0)  # 320 kB
            response = post_utterance(client, device.token, big, device.metadata("u-big"))
        assert response.status_code == 413
        assert response.json()["error"] == "too_large"
        _stored_nothing(rt)
    finally:
        rt.close()


def test_streamed_body_without_length_is_cut_at_the_limit(make_settings) -> None:  # type: ignore[no-untyped-def]
    """Over real HTTP, a chunked body with no Content-Length is refused mid-stream."""
    rt = build_runtime(make_settings(max_upload_bytes=64 * 1024))
    server = BackgroundServer(rt, "127.0.0.1", free_port())
    try:
        device = make_device(rt)
        server.start()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/utterances HTTP/1.1\r\nHost: x\r\n"
                + f"Authorization: Bearer {device.token}\r\n".encode()
                + b"Content-Type: multipart/form-data; boundary=b\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            part = b'--b\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\n'
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            # 2,000 chunks would be 131 MB
            sent, answer = send_chunks_until_answered(sock, b"\x00" * 65_536, 2_000)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 50
        _stored_nothing(rt)
    finally:
        server.stop()
        rt.close()


@pytest.mark.parametrize(
    "change,fragment",
    [
        ({"surprise": 1}, "surprise"),
        ({"asr_confidence": 1.5}, "asr_confidence"),
        ({"recorded_at": "yesterday"}, "recorded_at"),
        ({"recorded_at": "2026-11-25T10:00:00"}, "timezone"),
    ],
)
def test_bad_metadata_is_refused(
    rt: Runtime, client: TestClient, device: DeviceHandle, change: dict, fragment: str
) -> None:
    response = post_utterance(client, device.token, tone_wav(1.0), device.metadata("u-m", **change))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_metadata"
    assert fragment in response.json()["detail"]
    _stored_nothing(rt)


def test_missing_metadata_field_is_refused(
    rt: Runtime, client: TestClient, device: DeviceHandle
) -> None:
    meta = device.metadata("u-miss")
    del meta["locale"]
    response = post_utterance(client, device.token, tone_wav(1.0), meta)
    assert response.status_code == 422 and "locale" in response.json()["detail"]
    _stored_nothing(rt)


def test_metadata_that_is_not_json_is_refused(client: TestClient, device: DeviceHandle) -> None:
    response = post_utterance(client, device.token, tone_wav(1.0), b"{not json")
    assert response.status_code == 422 and response.json()["error"] == "invalid_metadata"


def test_missing_form_field_and_unknown_field(client: TestClient, device: DeviceHandle) -> None:
    headers = {"Authorization": f"Bearer {device.token}"}
    only_audio = client.post(
        "/api/v1/utterances", headers=headers, files={"audio": ("a.wav", tone_wav(1.0))}
    )
    assert only_audio.status_code == 422 and "metadata" in only_audio.json()["detail"]
    extra = client.post(
        "/api/v1/utterances",
        headers=headers,
        files={"audio": ("a.wav", tone_wav(1.0)), "metadata": (None, b"{}"), "x": (None, b"1")},
    )
    assert extra.status_code == 422 and extra.json()["error"] == "unknown_field"


def test_not_multipart_is_refused(client: TestClient, device: DeviceHandle) -> None:
    response = client.post(
        "/api/v1/utterances", headers={"Authorization": f"Bearer {device.token}"}, json={"a": 1}
    )
    assert response.status_code == 415


@pytest.mark.parametrize("token", [None, "vgd_wrong", ""])
def test_missing_or_unknown_token_is_refused(
    rt: Runtime, client: TestClient, device: DeviceHandle, token: str | None
) -> None:
    response = post_utterance(client, token, tone_wav(1.0), device.metadata("u-t"))
    assert response.status_code == 401
    _stored_nothing(rt)
    assert _last_refusal(rt)["code"] == "unauthorized"


def test_token_of_another_device_is_refused(
    rt: Runtime, client: TestClient, device: DeviceHandle
) -> None:
    other = make_device(rt, "ACCT-1", "SN-OTHER")
    response = post_utterance(client, other.token, tone_wav(1.0), device.metadata("u-o"))
    assert response.status_code == 403 and response.json()["error"] == "wrong_device"
    stranger = make_device(rt, "ACCT-2", "SN-1")
    response = post_utterance(client, stranger.token, tone_wav(1.0), device.metadata("u-o"))
    assert response.status_code == 403
    _stored_nothing(rt)


def test_revoked_token_is_refused(rt: Runtime, client: TestClient, device: DeviceHandle) -> None:
    from voxguard.ingest.devices import revoke_device

    with rt.db.session() as session:
        revoke_device(session, account_ref=device.account_ref, serial=device.serial, actor="test")
    response = post_utterance(client, device.token, tone_wav(1.0), device.metadata("u-r"))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    _stored_nothing(rt)


def test_no_storage_consent_writes_no_audio(rt: Runtime, client: TestClient) -> None:
    device = make_device(rt, store=False)
    response = post_utterance(client, device.token, tone_wav(1.0), device.metadata("u-ns"))
    assert response.status_code == 202
    assert response.json() == {"id": None, "sampled": False, "stored": False}
    _stored_nothing(rt)
    from voxguard.db.models import UsageCounter

    with rt.db.read() as session:
        counter = session.execute(sa.select(UsageCounter)).scalar_one()
    assert counter.value == 1


def test_opted_out_account_is_stored_but_never_sampled(rt: Runtime, client: TestClient) -> None:
    device = make_device(rt, review="opted_out")
    response = post_utterance(client, device.token, tone_wav(1.0), device.metadata("u-oo"))
    assert response.status_code == 201 and response.json()["sampled"] is False
    with rt.db.read() as session:
        assert session.get(SamplingDecision, response.json()["id"]).reason == "no_review_consent"
    assert _count(rt, WorkItem) == 0


def _with_raw(device: DeviceHandle, field: str, raw_value: str) -> bytes:
    """Metadata JSON with ``field`` set to the literal JSON text ``raw_value``."""
    meta = device.metadata("u-hostile")
    meta[field] = "@@RAW@@"
    return json.dumps(meta).replace('"@@RAW@@"', raw_value).encode()


@pytest.mark.parametrize(
    "field,raw_value,fragment",
    [
        ("recorded_at", '"0001-01-01T00:00:00+14:00"', "recorded_at"),
        ("recorded_at", '"9999-12-31T23:59:59-14:00"', "recorded_at"),
        ("recorded_at", '"1899-01-01T00:00:00Z"', "recorded_at"),
        ("asr_confidence", "1" + "0" * 5000, "number"),
        ("asr_confidence", "1e999", "number"),
        ("asr_confidence", "NaN", "number"),
        ("intent", "[" * 5000 + "]" * 5000, "nested"),
        ("asr_text", '"set an alarm\\u0000"', "asr_text"),
        ("intent", '"alarm\\u0000set"', "intent"),
        ("device_type", '"speaker\\u0000"', "device_type"),
        ("asr_text", '"lone \\ud800 surrogate"', "asr_text"),
    ],
)
def test_hostile_metadata_is_refused_with_422_and_audited(
    rt: Runtime,
    client: TestClient,
    device: DeviceHandle,
    field: str,
    raw_value: str,
    fragment: str,
) -> None:
    response = post_utterance(
        client, device.token, tone_wav(0.5), _with_raw(device, field, raw_value)
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_metadata"
    assert fragment in response.json()["detail"]
    _stored_nothing(rt)
    assert _last_refusal(rt)["code"] == "invalid_metadata"


def _flac_declaring(seconds: float, rate: int, channels: int) -> bytes:
    """A short real FLAC whose STREAMINFO declares ``seconds`` of audio (as a bomb's does)."""
    short = encode(np.zeros((rate // 10, channels), dtype=np.float32), rate, "FLAC")
    return flac_with_total_samples(short, int(seconds * rate))


@pytest.mark.parametrize(
    "audio",
    [
        pytest.param(lambda: _flac_declaring(59, 192_000, 8), id="flac-declares-59s-192k-8ch"),
        pytest.param(
            lambda: encode(np.zeros((4 * 192_000, 8), dtype=np.float32), 192_000, "FLAC"),
            id="flac-4s-192k-8ch",
        ),
    ],
)
def test_audio_over_the_decoded_size_budget_is_refused_from_its_header(
    rt: Runtime, client: TestClient, device: DeviceHandle, audio
) -> None:  # type: ignore[no-untyped-def]
    data = audio()
    assert len(data) < 200_000  # small on the wire, huge decoded
    response = post_utterance(client, device.token, data, device.metadata("u-bomb"))
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "audio_too_large"
    assert "declares" in response.json()["detail"]
    _stored_nothing(rt)


@pytest.mark.parametrize("bits", [7, 12])
def test_wav_with_an_odd_bit_depth_is_refused(
    rt: Runtime, client: TestClient, device: DeviceHandle, bits: int
) -> None:
    data = bytearray(tone_wav(0.5))
    assert data[12:16] == b"fmt " and data[34:36] == (16).to_bytes(2, "little")
    data[34:36] = bits.to_bytes(2, "little")
    response = post_utterance(client, device.token, bytes(data), device.metadata("u-bits"))
    assert response.status_code == 422, response.text
    assert (
        response.json()["error"] == "audio_unsupported_format"
        and "bits" in response.json()["detail"]
    )
    _stored_nothing(rt)


@pytest.mark.parametrize(
    "claimed,allowed,status",
    [("zz", False, 422), ("us", False, 422), ("zz", True, 422), ("us", True, 201)],
)
def test_a_device_cannot_choose_a_data_region_unless_allowed(
    make_settings, claimed: str, allowed: bool, status: int
) -> None:  # type: ignore[no-untyped-def]
    rt = build_runtime(make_settings(device_may_set_data_region=allowed))
    try:
        device = make_device(rt, region="eu")
        with app_client(rt) as client:
            meta = device.metadata("u-region", data_region=claimed)
            response = post_utterance(client, device.token, tone_wav(0.5), meta)
            same = post_utterance(
                client, device.token, tone_wav(0.6), device.metadata("u-eu", data_region="eu")
            )
        assert response.status_code == status, response.text
        assert same.status_code == 201
        with rt.db.read() as session:
            regions = set(session.execute(sa.select(Utterance.data_region)).scalars())
        assert regions == ({"eu", "us"} if status == 201 else {"eu"})
        if status == 422:
            assert response.json()["error"] == "data_region_refused"
    finally:
        rt.close()


def test_device_type_outside_the_configured_list_is_stored_as_other(
    rt: Runtime, client: TestClient, device: DeviceHandle
) -> None:
    free_text = "Call Jane Doe at 555-0100"
    for uid, kind in (("u-a", free_text), ("u-b", "Smart_Speaker")):
        response = post_utterance(
            client, device.token, tone_wav(0.5), device.metadata(uid, device_type=kind)
        )
        assert response.status_code == 201
    with rt.db.read() as session:
        kinds = (
            session.execute(
                sa.select(Utterance.device_type).order_by(Utterance.client_utterance_id)
            )
            .scalars()
            .all()
        )
    assert kinds == ["other", "smart_speaker"]
