"""`voxguard sampling rerun`: stored clips never sampled get ingest's decision again, under the
consent in force, with the same record (decision row, audit event) and the same queueing."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.audit import verify_chain
from voxguard.cli.main import app
from voxguard.config import reset_settings_cache
from voxguard.consent.service import change_consent, get_account
from voxguard.db.models import AuditEvent, SamplingDecision, Utterance, WorkItem
from voxguard.ingest.rerun import rerun_sampling
from voxguard.processing.worker import work
from voxguard.runtime import Runtime, build_runtime
from voxguard.work.queues import JOBS_QUEUE, REVIEW_QUEUE


@pytest.fixture
def rt(make_settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    # As the README's first hour: clips ingested at a rate that samples none of them.
    runtime = build_runtime(make_settings(sampling_rate=0.0))
    yield runtime
    runtime.close()


def _store(rt: Runtime, ref: str, n: int, *, review: str = "opted_in") -> list[str]:
    device = make_device(rt, ref, f"SN-{ref}", review=review, store=True)
    ids = []
    with app_client(rt) as client:
        for i in range(n):
            response = post_utterance(
                client, device.token, tone_wav(0.5 + i / 100), device.metadata(f"{ref}-{i}")
            )
            assert response.status_code == 201, response.text
            assert response.json()["sampled"] is False
            ids.append(response.json()["id"])
    return ids


def _state(rt: Runtime) -> tuple[int, int, int, int]:
    with rt.db.read() as session:

        def count(model: type, *where: object) -> int:
            statement = sa.select(sa.func.count()).select_from(model).where(*where)
            return session.execute(statement).scalar_one()

        return (
            count(Utterance, Utterance.sampled.is_(True)),
            count(WorkItem, WorkItem.queue == JOBS_QUEUE),
            count(AuditEvent),
            count(SamplingDecision, SamplingDecision.sampled.is_(True)),
        )


def test_rerun_samples_stored_clips_of_consenting_accounts_with_the_same_record(
    rt: Runtime,
) -> None:
    mine = _store(rt, "ACCT-MINE", 6)
    opted_out = _store(rt, "ACCT-OUT", 2, review="opted_out")
    dont_save = _store(rt, "ACCT-DONT", 2)
    with rt.db.session() as session:  # stored, then the person chose "don't save"
        change_consent(
            session, get_account(session, "ACCT-DONT"), retention="dont_save", source="t", actor="t"
        )
    policy = dataclasses.replace(rt.sampling_policy, rate=1.0, account_cap_30d=4)

    def rerun(**kwargs: object):  # type: ignore[no-untyped-def]
        return rerun_sampling(
            rt.db, rt.vault, policy=policy, max_attempts=3, actor="cli:test", **kwargs
        )

    before = _state(rt)
    dry = rerun(dry_run=True)
    assert (dry.considered, dry.sampled, dry.skipped_accounts) == (6, 4, 2)
    assert dry.reasons == Counter(drawn=4, account_cap=2)
    assert _state(rt) == before  # nothing kept

    summary = rerun()
    assert (summary.considered, summary.sampled) == (6, 4)
    assert summary.reasons == Counter(drawn=4, account_cap=2)
    with rt.db.read() as session:
        utterances = {
            u.id: u
            for u in session.execute(sa.select(Utterance)).scalars()
            if u.id in set(mine) | set(opted_out) | set(dont_save)
        }
        sampled = {i for i in mine if utterances[i].sampled}
        assert len(sampled) == 4 and all(utterances[i].status == "queued" for i in sampled)
        assert not any(utterances[i].sampled for i in opted_out + dont_save)
        decisions = {
            d.utterance_id: d for d in session.execute(sa.select(SamplingDecision)).scalars()
        }
        assert {decisions[i].reason for i in sampled} == {"drawn"}
        assert {decisions[i].reason for i in set(mine) - sampled} == {"account_cap"}
        assert {decisions[i].reason for i in opted_out} == {"no_review_consent"}  # as ingested
        jobs = session.execute(
            sa.select(WorkItem.subject_id).where(WorkItem.queue == JOBS_QUEUE)
        ).scalars()
        assert set(jobs) == sampled
        events = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "sampling.rerun")
        ).scalars()
        by_target = {e.target: e for e in events}
        assert set(by_target) == {f"utterance:{i}" for i in mine}
        event = by_target[f"utterance:{next(iter(sampled))}"]
        details = json.loads(event.details)
        assert event.actor == "cli:test"
        assert details["sampled"] is True and details["rate"] == 1.0
        assert details["previous_reason"] == "not_drawn" and details["previous_rate"] == 0.0
        assert verify_chain(session)[1] is None

    # The queued clips go through the privacy pipeline to reviewers, as ingested ones do.
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    with rt.db.read() as session:
        tasks = session.execute(
            sa.select(WorkItem.subject_id).where(WorkItem.queue == REVIEW_QUEUE)
        ).scalars()
        assert set(tasks) == sampled

    # Again: the sampled ones are done; the capped ones stay capped.
    again = rerun(account_ref="ACCT-MINE")
    assert (again.considered, again.sampled, again.reasons) == (2, 0, Counter(account_cap=2))


@pytest.fixture
def cli_env(rt: Runtime, db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The CLI pointed at ``rt``'s system; ``rate(r)`` changes its sampling rate."""
    monkeypatch.setenv("VOXGUARD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("VOXGUARD_DATABASE_URL", db_url)

    def rate(value: str) -> None:
        monkeypatch.setenv("VOXGUARD_SAMPLING_RATE", value)
        reset_settings_cache()

    rate("0.0")
    yield rate
    reset_settings_cache()


def test_the_command_reruns_one_account(rt: Runtime, cli_env) -> None:  # type: ignore[no-untyped-def]
    _store(rt, "ACCT-MINE", 3)
    _store(rt, "ACCT-OTHER", 2)
    runner = CliRunner()
    dry = runner.invoke(app, ["sampling", "rerun", "--rate", "1", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing kept: decided again for 5 stored clips at rate 1.0: 5 sampled" in (
        dry.output
    )
    result = runner.invoke(app, ["sampling", "rerun", "--rate", "1", "--account", "ACCT-MINE"])
    assert result.exit_code == 0, result.output
    assert "decided again for 3 stored clips at rate 1.0: 3 sampled (queued" in result.output
    assert _state(rt)[0] == 3
    unknown = runner.invoke(app, ["sampling", "rerun", "--account", "NOPE"])
    assert unknown.exit_code == 1 and "no such account" in unknown.output
    assert runner.invoke(app, ["sampling", "rerun", "--rate", "2"]).exit_code == 2


def test_reingesting_says_how_to_sample_what_is_stored(
    rt: Runtime,
    cli_env,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    device = make_device(rt, "ACCT-MINE", "SN-1", review="opted_in", store=True)
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.wav").write_bytes(tone_wav(0.6))
    runner = CliRunner()
    # First at rate 0 (stored, not sampled), then again at 1.0: already present.
    first = runner.invoke(app, ["ingest", str(folder), "--device-token", device.token])
    assert "stored 1 (0 sampled)" in first.output, first.output
    cli_env("1.0")
    again = runner.invoke(app, ["ingest", str(folder), "--device-token", device.token])
    assert "already present 1" in again.output
    assert "1 clip already present and never sampled" in again.output
    assert "voxguard sampling rerun" in again.output
