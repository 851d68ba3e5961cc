"""Exports: what never leaves (each exclusion), the formats, the split, lineage and bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import soundfile as sf
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.support.feedback import accept, bulk_curated
from tests.support.people import make_user
from tests.support.review import add_reviewer, make_clips, review_next
from voxguard.cli.main import app
from voxguard.consent.erasure import erase_account
from voxguard.consent.exports import exports_holding
from voxguard.consent.service import change_consent, get_account
from voxguard.db.base import utcnow
from voxguard.db.models import Account, AuditEvent, Blob, Export, ExportClip, Utterance
from voxguard.feedback.curated import RULES_VERSION, split_of
from voxguard.feedback.errors import NothingCurated, OutputUnusable, UnknownFormat
from voxguard.feedback.export import ExportRequest, run_export
from voxguard.review.adjudication import resolve_restricted
from voxguard.review.consensus import adjudicate
from voxguard.review.flags import shred_clip
from voxguard.review.gold import add_gold
from voxguard.runtime import Runtime


def _export(rt: Runtime, out: Path, fmt: str = "jsonl", audio: str = "anonymized"):  # type: ignore[no-untyped-def]
    request = ExportRequest(format=fmt, audio=audio, out=out, actor="test")
    return run_export(rt.db, rt.vault, request)


def _clip(rt: Runtime, ref: str, text: str = "set an alarm for seven") -> str:
    make_clips(rt, 1, account_ref=ref, serial=f"SN-{ref}")
    return accept(rt, text)


def _rows(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for f in sorted(out.glob("*.jsonl")) for line in f.open()]


@pytest.fixture
def excluded_world(rt: Runtime) -> Iterator[tuple[Runtime, dict[str, str]]]:
    """Two clips that may leave, and one clip of each kind that never may."""
    clips = {
        "kept": _clip(rt, "ACCT-KEEP-1"),
        "kept_too": _clip(rt, "ACCT-KEEP-2", "what is the weather in paris"),
        "opted_out": _clip(rt, "ACCT-OUT"),
        "store_withdrawn": _clip(rt, "ACCT-NOSTORE"),
        "no_model_training": _clip(rt, "ACCT-NOTRAIN"),
        "erased": _clip(rt, "ACCT-ERASED"),
        "deleted": _clip(rt, "ACCT-DELETED"),
        "expired": _clip(rt, "ACCT-EXPIRED"),
        "gold": _clip(rt, "ACCT-GOLD"),
    }
    # Flagged sensitive, dismissed by the officer, then accepted on a second round: still out.
    make_clips(rt, 1, account_ref="ACCT-SENSITIVE", serial="SN-S")
    sensitive = review_next(rt, "my doctor said", flags=("sensitive",))[0].utterance_id
    officer = add_reviewer(rt, role="privacy_officer")
    with rt.db.session() as session:
        resolve_restricted(session, rt.settings, rt.vault, officer, sensitive, "dismiss")
    assert (
        review_next(rt, "my doctor said")[0].utterance_id == sensitive
    )  # the pass it still lacked
    clips["sensitive"] = sensitive
    # A reviewer heard a name the bleeps missed (and may have typed it); dismissed, then
    # accepted: still out.
    make_clips(rt, 1, account_ref="ACCT-PII-HEARD", serial="SN-P")
    heard = review_next(rt, "call [PERSON]", flags=("pii_audible",))[0].utterance_id
    with rt.db.session() as session:
        resolve_restricted(session, rt.settings, rt.vault, officer, heard, "dismiss")
    assert review_next(rt, "call [PERSON]")[0].utterance_id == heard
    clips["pii_audible"] = heard
    # A reviewer wrote a name down without flagging it: the check of what they typed flags it.
    make_clips(rt, 1, account_ref="ACCT-PII-TYPED", serial="SN-T")
    typed = review_next(rt, "call anna okonkwo")[0].utterance_id
    with rt.db.session() as session:
        resolve_restricted(session, rt.settings, rt.vault, officer, typed, "dismiss")
    assert review_next(rt, "call [PERSON]")[0].utterance_id == typed
    clips["pii_typed"] = typed
    # One reviewer says it was not meant for the assistant, the other typed it; a lead accepts.
    make_clips(rt, 1, account_ref="ACCT-WAKE", serial="SN-W")
    wake = review_next(rt, "", "not_for_assistant", flags=("false_wake",))[0].utterance_id
    review_next(rt, "turn it off", "iot_hue_lightoff")
    lead, _, _ = make_user(rt, role="lead")
    with rt.db.session() as session:
        adjudicate(
            session, rt.settings, wake, transcript="turn it off", intent="iot_hue_lightoff",
            lead_id=lead.id, lead_handle=lead.handle,
        )  # fmt: skip
    clips["false_wake"] = wake

    with rt.db.session() as session:
        for ref, review, store in (("ACCT-OUT", "opted_out", None), ("ACCT-NOSTORE", None, False)):
            change_consent(
                session, get_account(session, ref), review=review, store=store,  # type: ignore[arg-type]
                source="test", actor="test",
            )  # fmt: skip
        change_consent(
            session, get_account(session, "ACCT-NOTRAIN"), model_training=False,
            source="test", actor="test",
        )  # fmt: skip
        erased = get_account(session, "ACCT-ERASED")
        erase_account(session, rt.settings, rt.vault, erased.id, actor="test", write_ledger=False)
        deleted = session.get(Utterance, clips["deleted"])
        assert deleted is not None
        shred_clip(session, rt.vault, deleted, actor="test", reason="test")
        expired = session.get(Utterance, clips["expired"])
        assert expired is not None
        expired.expires_at = utcnow() - timedelta(minutes=1)
        add_gold(session, rt.settings, lead, clips["gold"], "set an alarm for seven", "alarm_set")
    yield rt, clips


def test_only_curated_clips_leave_and_only_as_review_copies(
    excluded_world: tuple[Runtime, dict[str, str]], tmp_path: Path
) -> None:
    rt, clips = excluded_world
    out = tmp_path / "export"
    result = _export(rt, out)
    rows = _rows(out)
    assert {r["id"] for r in rows} == {clips["kept"], clips["kept_too"]}, rows
    assert result.clips == 2
    with rt.db.read() as session:
        for row in rows:
            copy, original = (
                session.execute(
                    sa.select(Blob).where(Blob.utterance_id == row["id"], Blob.kind == kind)
                ).scalar_one()
                for kind in ("review_copy", "original")
            )
            exported = (out / str(row["audio"])).read_bytes()
            assert exported == rt.vault.get(session, copy)
            assert exported != rt.vault.get(session, original)
    # Only the exported fields: never the device's raw text, the account or the device.
    assert set(rows[0]) == {
        "id", "split", "text", "intent", "locale", "device_type", "duration_s", "method", "audio",
    }  # fmt: skip
    everything = "".join(p.read_text(errors="ignore") for p in out.rglob("*.json*"))
    assert "ACCT-" not in everything and "SN-" not in everything


@pytest.mark.parametrize("fmt", ["nemo", "hf", "parquet", "csv", "jsonl"])
def test_each_format_reads_back_with_the_anonymized_audio(
    rt: Runtime, tmp_path: Path, fmt: str
) -> None:
    kept = _clip(rt, "ACCT-F1", "Turn on the kitchen lights")
    out = tmp_path / fmt
    result = _export(rt, out, fmt)
    split = split_of(result_account(rt, kept))
    with rt.db.read() as session:
        copy = session.execute(
            sa.select(Blob).where(Blob.utterance_id == kept, Blob.kind == "review_copy")
        ).scalar_one()
        wav = rt.vault.get(session, copy)
    if fmt == "nemo":
        [line] = (out / f"{split}_manifest.json").read_text().splitlines()
        entry = json.loads(line)
        assert entry["text"] == "turn on the kitchen lights" and entry["duration"] > 0
        assert (out / entry["audio_filepath"]).read_bytes() == wav
    elif fmt == "hf":
        from voxguard.feedback.formats import import_datasets_offline

        datasets = import_datasets_offline()
        loaded = datasets.load_from_disk(str(out))
        assert list(loaded) == [split]
        raw = loaded[split].cast_column("audio", datasets.Audio(decode=False))
        assert raw[0]["audio"]["bytes"] == wav and raw[0]["text"] == "turn on the kitchen lights"
        assert isinstance(loaded[split].features["audio"], datasets.Audio)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(out / split)
        assert table.num_rows == 1 and table.column("audio")[0].as_py()["bytes"] == wav
    elif fmt == "csv":
        [row] = list(csv.DictReader((out / f"{split}.csv").open()))
        assert row["id"] == kept and (out / row["audio"]).read_bytes() == wav
    else:
        [row] = _rows(out)
        assert (out / str(row["audio"])).read_bytes() == wav
    samples, rate = sf.read(io.BytesIO(wav))
    assert rate == 16_000 and len(samples) > 0
    assert json.loads((out / "voxguard_export.json").read_text())["export_id"] == result.id
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no staging left


def result_account(rt: Runtime, clip: str) -> str:
    with rt.db.read() as session:
        utterance = session.get(Utterance, clip)
        assert utterance is not None
        return utterance.account_id


def test_split_is_by_account_and_stable(rt: Runtime, tmp_path: Path) -> None:
    bulk_curated(rt, 600, accounts=120)
    first = _export(rt, tmp_path / "a", audio="none")
    second = _export(rt, tmp_path / "b", audio="none")
    with rt.db.read() as session:
        rows = session.execute(
            sa.select(ExportClip.export_id, ExportClip.split, Utterance.account_id).join(
                Utterance, Utterance.id == ExportClip.utterance_id
            )
        ).all()
    splits_of_account: dict[str, set[str]] = {}
    for export_id, split, account in rows:
        if export_id == first.id:
            splits_of_account.setdefault(account, set()).add(split)
    assert len(splits_of_account) == 120
    assert all(len(s) == 1 for s in splits_of_account.values())  # no speaker in two splits
    assert {next(iter(s)) for s in splits_of_account.values()} == {"train", "dev", "test"}
    assert first.counts == second.counts
    assert sum(c["accounts"] for c in first.counts.values()) == 120
    assert first.counts["train"]["accounts"] > first.counts["test"]["accounts"]


def test_lineage_names_the_exports_that_hold_a_clip(rt: Runtime, tmp_path: Path) -> None:
    [kept] = bulk_curated(rt, 1)
    first = _export(rt, tmp_path / "one", audio="none")
    second = _export(rt, tmp_path / "two", "csv", audio="none")
    with rt.db.read() as session:
        account_id = session.get(Utterance, kept).account_id
        held = exports_holding(session, account_id, [kept])
        assert [(h.export_id, h.utterance_id) for h in held] == [
            (first.id, kept),
            (second.id, kept),
        ]
        assert exports_holding(session, account_id, []) == []
        export = session.get(Export, first.id)
        assert export is not None
        assert (export.actor, export.format, export.audio, export.clips) == (
            "test",
            "jsonl",
            "none",
            1,
        )
        assert export.filter["rules_version"] == RULES_VERSION and export.purpose == "export"
        assert export.location == str((tmp_path / "one").resolve())
        events = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "dataset.exported")
        ).scalars().all()  # fmt: skip
    assert [e.target for e in events] == [f"export:{first.id}", f"export:{second.id}"]
    assert json.loads(events[0].details)["clips"] == 1


def test_bad_requests_write_nothing(rt: Runtime, tmp_path: Path) -> None:
    tmp_path = tmp_path / "outputs"  # the database lives in tmp_path itself
    tmp_path.mkdir()
    with pytest.raises(UnknownFormat):
        _export(rt, tmp_path / "x", "tfrecord")
    with pytest.raises(UnknownFormat, match="NeMo manifest lists audio"):
        _export(rt, tmp_path / "x", "nemo", audio="none")
    with pytest.raises(NothingCurated, match="nothing was written"):
        _export(rt, tmp_path / "empty")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    bulk_curated(rt, 3)
    with pytest.raises(OutputUnusable, match="not an empty directory"):
        _export(rt, busy)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OutputUnusable, match="cannot write"):
        _export(rt, blocker / "sub")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "busy"]
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    with rt.db.read() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Export)).scalar() == 0


def test_cli_exit_codes(rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voxguard.config import reset_settings_cache

    tmp_path = tmp_path / "outputs"  # the database lives in tmp_path itself
    tmp_path.mkdir()
    monkeypatch.setenv("VOXGUARD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("VOXGUARD_DATABASE_URL", rt.settings.database_url)
    reset_settings_cache()
    runner = CliRunner()
    try:
        unknown = runner.invoke(app, ["export", "--format", "xls", "--out", str(tmp_path / "o")])
        assert unknown.exit_code == 2 and "unknown format 'xls'" in unknown.output
        empty = runner.invoke(app, ["export", "--format", "csv", "--out", str(tmp_path / "o")])
        assert empty.exit_code == 3 and "no clip to export" in empty.output
        assert not os.listdir(tmp_path)
        bulk_curated(rt, 4)
        (tmp_path / "f").write_text("")
        unwritable = runner.invoke(
            app,
            ["export", "--format", "csv", "--audio", "none", "--out", str(tmp_path / "f" / "o")],
        )
        assert unwritable.exit_code == 4 and "cannot write" in unwritable.output
        done = runner.invoke(
            app, ["export", "--format", "parquet", "--audio", "none", "--out", str(tmp_path / "o")]
        )
        assert done.exit_code == 0, done.output
        assert re.search(r"^export \S+: 4 clips as parquet \(audio: none\) in ", done.output, re.M)
    finally:
        reset_settings_cache()
    with rt.db.read() as session:
        [export] = session.execute(sa.select(Export)).scalars().all()
        assert export.actor.startswith("cli:") and export.clips == 4
        assert session.execute(sa.select(sa.func.count()).select_from(Account)).scalar() == 4
