"""The DB-backed vault: per-account keys, blob swap detection, crypto-shredding, on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.db.models import AccountKey, Blob, Utterance
from voxguard.runtime import Runtime, build_runtime
from voxguard.vault.errors import BlobIntegrityError, KeyDestroyedError
from voxguard.vault.stores import open_blob_store


def _upload(rt: Runtime, n: int = 2, ref: str = "ACCT-1", serial: str = "SN-1") -> list[str]:
    device = make_device(rt, ref, serial)
    with app_client(rt) as client:
        return [
            post_utterance(
                client, device.token, tone_wav(0.5 + i / 10), device.metadata(f"u{i}")
            ).json()["id"]
            for i in range(n)
        ]


def _blobs(rt: Runtime) -> list[Blob]:
    with rt.db.read() as session:
        return list(session.execute(sa.select(Blob).order_by(Blob.created_at)).scalars())


def test_swapped_ciphertexts_are_detected(rt: Runtime) -> None:
    _upload(rt)
    first, second = _blobs(rt)
    with rt.db.read() as session:
        first.store_key, second.store_key = second.store_key, first.store_key
        with pytest.raises(BlobIntegrityError):
            rt.vault.get(session, first)


def test_blob_of_one_account_cannot_be_read_as_another(rt: Runtime) -> None:
    _upload(rt, 1)
    _upload(rt, 1, "ACCT-2", "SN-2")
    one, two = _blobs(rt)
    with rt.db.read() as session:
        one.store_key = two.store_key
        with pytest.raises(BlobIntegrityError):
            rt.vault.get(session, one)


def test_shredding_an_account_makes_its_blobs_unreadable(rt: Runtime) -> None:
    _upload(rt)
    _upload(rt, 1, "ACCT-2", "SN-2")
    blobs = _blobs(rt)
    target = blobs[0].account_id
    with rt.db.read() as session:
        ciphertext = rt.vault.store.get(blobs[0].store_key)  # a "backup" copy taken earlier
    with rt.db.session() as session:
        assert rt.vault.shred_account(session, target, actor="test", reason="erasure") == 2
    with rt.db.read() as session:
        assert session.get(AccountKey, target).wrapped_key is None
        for blob in blobs[:2]:
            with pytest.raises(KeyDestroyedError, match=r"shredded|destroyed|deleted"):
                rt.vault.get(session, blob)
        assert rt.vault.get(session, blobs[2])[:4] == b"RIFF"  # other accounts unaffected
    assert not rt.vault.store.exists(blobs[0].store_key)
    assert b"RIFF" not in ciphertext


def test_shredding_one_blob_leaves_the_others(rt: Runtime) -> None:
    _upload(rt)
    first, second = _blobs(rt)
    with rt.db.session() as session:
        rt.vault.shred_blob(session, session.merge(first), actor="test", reason="false_wake")
    with rt.db.read() as session:
        shredded = session.get(Blob, first.id)
        assert shredded.key_salt is None
        with pytest.raises(KeyDestroyedError):
            rt.vault.get(session, shredded)
        assert rt.vault.get(session, second)[:4] == b"RIFF"


def test_s3_store_end_to_end_on_seaweedfs(make_settings, seaweedfs_server) -> None:  # type: ignore[no-untyped-def]
    bucket = seaweedfs_server.create_bucket()
    import os

    saved = {k: os.environ.get(k) for k in seaweedfs_server.env()}
    os.environ.update(seaweedfs_server.env())
    try:
        rt = build_runtime(make_settings(blob_url=seaweedfs_server.blob_url(bucket, "vg")))
        ids = _upload(rt, 2)
        blobs = _blobs(rt)
        client = seaweedfs_server.client()
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert len(keys) == 2 and all(k.startswith("vg/acct/") for k in keys)
        with rt.db.read() as session:
            assert rt.vault.get(session, blobs[0])[:4] == b"RIFF"
            assert session.get(Utterance, ids[0]) is not None
        with rt.db.session() as session:
            rt.vault.shred_account(session, blobs[0].account_id, actor="test", reason="erasure")
        assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
        with rt.db.read() as session, pytest.raises(KeyDestroyedError):
            rt.vault.get(session, blobs[0])
        rt.close()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_open_blob_store_rejects_unknown_schemes() -> None:
    with pytest.raises(ValueError):
        open_blob_store("ftp://nowhere/x")


SAID = "call jon smith on five five five one two one two"


def test_the_device_words_are_kept_only_sealed_and_go_with_the_account_key(rt: Runtime) -> None:
    device = make_device(rt)
    with app_client(rt) as client:
        ids = [
            post_utterance(
                client, device.token, tone_wav(0.5), device.metadata(f"u{i}", asr_text=SAID)
            ).json()["id"]
            for i in range(2)
        ]
    with rt.db.read() as session:
        first, second = (session.get(Utterance, i) for i in ids)
        assert SAID.encode() not in first.device_asr_sealed
        assert rt.vault.open_device_text(
            session, account_id=first.account_id, utterance_id=first.id,
            sealed=first.device_asr_sealed,
        ) == SAID  # fmt: skip
        with pytest.raises(BlobIntegrityError):  # bound to its row: not movable to another
            rt.vault.open_device_text(
                session, account_id=first.account_id, utterance_id=second.id,
                sealed=first.device_asr_sealed,
            )  # fmt: skip
    url = rt.settings.resolved_database_url
    if url.startswith("sqlite:///"):  # nowhere in the database's files either (WAL included)
        database = Path(url.removeprefix("sqlite:///"))
        files = [p for p in database.parent.glob(f"{database.name}*") if p.is_file()]
        assert files and not any(b"jon smith" in p.read_bytes() for p in files)
    with rt.db.session() as session:
        rt.vault.shred_account(session, first.account_id, actor="test", reason="erasure")
    with rt.db.read() as session, pytest.raises(KeyDestroyedError):
        rt.vault.open_device_text(
            session, account_id=first.account_id, utterance_id=first.id,
            sealed=first.device_asr_sealed,
        )  # fmt: skip
