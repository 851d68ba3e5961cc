"""Reports and adaptation: figures only from curated clips, adapted models measured held out."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.support.client import app_client
from tests.support.feedback import accept, account_in_split
from tests.support.people import login, make_user
from tests.support.review import make_clips
from voxguard.consent.service import change_consent, get_account
from voxguard.db.base import utcnow
from voxguard.db.models import AdaptedModel, AuditEvent, Export, ExportClip, Report
from voxguard.feedback import report
from voxguard.feedback.adapt import adapt_asr, adapt_nlu, choose_whisper_vocabulary, lm_words
from voxguard.feedback.errors import HeldOutTooSmall
from voxguard.feedback.evaluate import evaluate_asr, evaluate_nlu
from voxguard.runtime import Runtime, build_runtime


def _clip(rt: Runtime, ref: str, split: str, text: str, intent: str, device_text: str) -> str:
    account_in_split(rt, ref, split)
    make_clips(
        rt, 1, account_ref=ref, serial=f"SN-{ref}",
        metadata={"asr_text": device_text, "intent": "alarm_set"},
    )  # fmt: skip
    return accept(rt, text, intent)


@pytest.fixture
def world(rt: Runtime) -> Iterator[tuple[Runtime, dict[str, str]]]:
    clips = {
        "train_alarm": _clip(
            rt, "A-TRAIN", "train", "set an alarm for seven", "alarm_set", "set an alarm for seven"
        ),
        "train_call": _clip(
            rt, "A-TRAIN-2", "train", "call [PERSON] now", "calling_call", "call john smith now"
        ),
        "test_call": _clip(
            rt, "A-TEST", "test", "call [PERSON] now", "calling_call", "call john smith now"
        ),
        "test_out": _clip(rt, "A-TEST-OUT", "test", "set an alarm", "alarm_set", "set an alarm"),
    }
    with rt.db.session() as session:
        change_consent(
            session,
            get_account(session, "A-TEST-OUT"),
            review="opted_out",
            store=None,
            source="test",
            actor="test",
        )
    yield rt, clips


def test_reports_measure_curated_clips_only_with_redacted_hypotheses(
    world: tuple[Runtime, dict[str, str]],
) -> None:
    rt, _ = world
    data = evaluate_nlu(rt.db, rt.vault, utcnow())
    assert data["clips"] == 3 and data["accounts"] == 3  # the opted-out account is not counted
    device = data["overall"]["device"]
    assert device["accuracy"]["value"] == pytest.approx(1 / 3, abs=1e-4)
    assert device["accuracy"]["low"] <= device["accuracy"]["value"] <= device["accuracy"]["high"]
    assert (
        "no adapted model" not in data["measured_on"] and "3 curated clips" in data["measured_on"]
    )
    asr = evaluate_asr(rt.db, rt.vault, utcnow(), {}, splits=("test",))
    assert asr["clips"] == 1 and "held-out accounts" in asr["measured_on"]
    # The device heard a name; compared (and shown) only as the tag reviewers wrote.
    assert asr["overall"]["device"]["wer"]["value"] == 0.0
    assert asr["worst"][0]["hypotheses"]["device"] == "call [PERSON] now"
    with rt.db.session() as session:
        saved = report.save(session, asr, actor="test")
    html = saved.html
    assert "<svg" in html and "Measured on" in html and "john" not in html.lower()
    assert not re.search(r"<script|https?://(?!www\.w3\.org)", html)  # self-contained


def test_reports_page_for_leads(world: tuple[Runtime, dict[str, str]]) -> None:
    rt, _ = world
    with rt.db.session() as session:
        first = report.save(session, evaluate_nlu(rt.db, rt.vault, utcnow()), actor="test")
    lead, password, totp = make_user(rt, role="lead")
    reviewer, r_password, r_totp = make_user(rt)
    with app_client(rt) as client:
        login(client, lead.username, password, totp)
        page = client.get("/reports")
        assert page.status_code == 200 and first.id in page.text
        assert re.search(r'<svg [^>]*class="chart nlu-overall"', page.text)
        assert client.get("/reports/report.css").status_code == 200
        assert client.get("/reports?id=nope").status_code == 404
    with app_client(rt) as client:
        login(client, reviewer.username, r_password, r_totp)
        assert client.get("/reports").status_code == 403


@pytest.mark.slow
def test_adapted_models_learn_from_train_accounts_and_are_measured_on_held_out_ones(
    world: tuple[Runtime, dict[str, str]], make_settings
) -> None:  # type: ignore[no-untyped-def]
    rt, clips = world
    asr = adapt_asr(rt.db, rt.vault, rt.settings, actor="test", engines=["pocketsphinx"])
    nlu = adapt_nlu(rt.db, rt.vault, rt.settings, actor="test")
    with rt.db.read() as session:
        for model in (asr, nlu):
            row = session.get(AdaptedModel, model.id)
            assert row is not None and row.export_id == model.export_id
            export = session.get(Export, model.export_id)
            assert export is not None and export.purpose == f"adapt_{model.kind}"
            trained_on = set(session.execute(
                sa.select(ExportClip.utterance_id).where(ExportClip.export_id == model.export_id)
            ).scalars())  # fmt: skip
            assert trained_on == {clips["train_alarm"], clips["train_call"]}  # never test accounts
            assert session.get(Report, model.report_id) is not None
        assert session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "model.adapted")
        ).scalar() == 2  # fmt: skip
    assert asr.metrics["wer"]["device"]["clips"] == 1 and "held-out" in asr.metrics["measured_on"]
    assert set(asr.metrics["wer"]) == {"device", "pocketsphinx", f"pocketsphinx+{asr.id}"}
    manifest = json.loads((asr.path / "manifest.json").read_text())
    assert manifest["export_id"] == asr.export_id and (asr.path / "lm.arpa").read_text().startswith(
        "Corpus"
    )
    # Whisper was not measured, so the model leaves it as it is.
    assert manifest["whisper"] == {"hotwords": "", "initial_prompt": ""}
    assert manifest["whisper_tuning"]["chosen"] == "none"
    accuracy = nlu.metrics["accuracy"]
    assert accuracy[f"classifier {nlu.id}"]["clips"] == 1
    # The device calls "call john smith now" an alarm; the classifier learnt better.
    assert accuracy[f"classifier {nlu.id}"]["value"] == 1.0 > accuracy["device"]["value"]
    # The settings choose the adapted engine for the review draft.
    from voxguard.processing.steps import asr_draft

    tuned = build_runtime(make_settings(asr_engine="pocketsphinx", asr_adapted_model=asr.id))
    try:
        assert asr_draft(tuned.settings) is not None
        from voxguard.asr import get_engine
        from voxguard.asr.adaptation import configured_adaptation

        engine = get_engine("pocketsphinx", adaptation=configured_adaptation(tuned.settings))
        assert engine.name == f"pocketsphinx+{asr.id}"
    finally:
        tuned.close()


def test_no_held_out_account_no_model(rt: Runtime) -> None:
    _clip(rt, "ONLY-TRAIN", "train", "set an alarm", "alarm_set", "set an alarm")
    with pytest.raises(HeldOutTooSmall):
        adapt_nlu(rt.db, rt.vault, rt.settings, actor="test")
    assert not (rt.settings.data_dir / "models").exists() or not any(
        (rt.settings.data_dir / "models").iterdir()
    )
    with rt.db.read() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(AdaptedModel)).scalar() == 0


def test_language_model_words() -> None:
    assert lm_words("Call [PERSON], now!") == ["call", "now"]


@pytest.mark.slow
def test_whisper_keeps_no_vocabulary_unless_it_helps_on_the_tuning_accounts(
    world: tuple[Runtime, dict[str, str]],
) -> None:
    rt, _clips = world
    counts = Counter(["alarm", "alarm", "call"])
    options, tuning = choose_whisper_vocabulary(rt.db, rt.vault, rt.settings, utcnow(), counts)
    assert options == {"hotwords": "", "initial_prompt": ""}
    assert tuning == {"chosen": "none", "why": "no curated clip of a dev account"}
    _clip(rt, "A-DEV", "dev", "set an alarm", "alarm_set", "set an alarm")  # a tone: no words
    options, tuning = choose_whisper_vocabulary(rt.db, rt.vault, rt.settings, utcnow(), counts)
    assert tuning["dev_clips"] == 1 and set(tuning["dev_wer"]) == {
        "none", "hotwords", "initial_prompt"
    }  # fmt: skip
    best = min(tuning["dev_wer"].values())
    if tuning["dev_wer"]["none"] == best:  # a tie keeps Whisper as it is
        assert tuning["chosen"] == "none" and options["hotwords"] == options["initial_prompt"] == ""
    else:
        assert tuning["dev_wer"][tuning["chosen"]] == best
