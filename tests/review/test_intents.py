"""One owner for intents: a file per deployment, checked on submit, adjudication and gold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.client import app_client
from tests.support.people import login, make_user
from tests.support.review import add_reviewer, make_clips
from voxguard.config import Settings
from voxguard.db.base import utcnow
from voxguard.db.models import Annotation, ClipOutcome, Exposure
from voxguard.review.consensus import adjudicate
from voxguard.review.intents import (
    DEFAULT_INTENTS_FILE,
    IntentFileError,
    UnknownIntent,
    intent_list,
    parse_intents,
)
from voxguard.runtime import Runtime, build_runtime


@pytest.fixture
def home_rt(make_settings, tmp_path: Path) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """A deployment whose assistant only does home automation."""
    path = tmp_path / "home-intents.txt"
    path.write_text("# home only\niot_hue_lighton\niot_hue_lightoff\n\nnot_for_assistant\n")
    runtime = build_runtime(make_settings(intents_file=path))
    yield runtime
    runtime.close()


def test_the_default_list_is_the_one_the_workbench_always_had() -> None:
    intents = intent_list(Settings())
    assert intents.source == DEFAULT_INTENTS_FILE
    assert len(intents.names) == 39
    assert {"alarm_set", "weather_query", "not_for_assistant", "other"} <= set(intents.names)


def test_a_malformed_or_missing_file_is_refused_with_where_it_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(IntentFileError, match=r"x\.txt:3: 'alarm_set' is listed twice"):
        parse_intents("alarm_set\n# c\nalarm_set\n", tmp_path / "x.txt")
    with pytest.raises(IntentFileError, match="is not an intent name"):
        parse_intents("Set Alarm\n", tmp_path / "x.txt")
    with pytest.raises(IntentFileError, match="lists no intents"):
        parse_intents("# nothing\n\n", tmp_path / "x.txt")
    with pytest.raises(IntentFileError, match="cannot be read"):
        intent_list(Settings(intents_file=tmp_path / "absent.txt"))


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "intents.txt"
    path.write_text("alarm_set\n")
    settings = Settings(intents_file=path)
    assert intent_list(settings).names == ("alarm_set",)
    path.write_text("alarm_set\nalarm_query\n")
    assert intent_list(settings).names == ("alarm_set", "alarm_query")


def test_empty_intent_only_for_a_false_wake() -> None:
    intents = intent_list(Settings())
    assert intents.check(" alarm_set ") == "alarm_set"
    assert intents.check("", false_wake=True) == ""
    with pytest.raises(UnknownIntent, match="choose an intent"):
        intents.check("")
    with pytest.raises(UnknownIntent, match="unknown intent 'alarm-set'"):
        intents.check("alarm-set")


def _heard(rt: Runtime, task_id: str) -> None:
    with rt.db.session() as session:
        session.execute(
            sa.update(Exposure)
            .where(Exposure.work_item_id == task_id)
            .values(audio_fetched_at=utcnow() - timedelta(seconds=30))
        )


def test_the_page_reads_the_deployment_list_and_submit_keeps_to_it(home_rt: Runtime) -> None:
    rt = home_rt
    make_clips(rt, 1)
    user, password, secret = make_user(rt)
    with app_client(rt) as client:
        login(client, user.username, password, secret)
        listed = client.get("/api/v1/review/intents").json()["intents"]
        assert listed == ["iot_hue_lighton", "iot_hue_lightoff", "not_for_assistant"]
        task = client.post("/api/v1/review/lease").json()
        _heard(rt, task["task_id"])
        url = f"/api/v1/review/tasks/{task['task_id']}/submit"
        body = {"transcript": "set an alarm", "intent": "alarm_set", "played_to_end": True}
        refused = client.post(url, json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "unknown_intent"
        with rt.db.read() as session:  # nothing stored, the lease still held
            assert session.execute(sa.select(sa.func.count()).select_from(Annotation)).scalar() == 0
        accepted = client.post(url, json={**body, "intent": "iot_hue_lighton"})
        assert accepted.status_code == 200, accepted.text


def test_adjudication_and_gold_keep_to_the_list(home_rt: Runtime) -> None:
    from voxguard.review import assignment, audio_access, submission

    rt = home_rt
    [clip] = make_clips(rt, 1)
    secret = b"s" * 32
    for text in ("turn on the lights", "what is the weather in paris"):
        user = add_reviewer(rt)
        with rt.db.session() as session:
            task = assignment.lease_next(session, rt.settings, user)
        assert task is not None
        url = audio_access.signed_audio_url(secret, task.task_id, user.id, 60)
        exp, sig = url.split("exp=")[1].split("&sig=")
        with rt.db.session() as session:
            audio_access.review_copy_for(
                session, rt.vault, secret, user=user, task_id=task.task_id,
                expires=int(exp), signature=sig,
            )  # fmt: skip
        _heard(rt, task.task_id)
        body = submission.Submission(transcript=text, intent="iot_hue_lighton", played_to_end=True)
        with rt.db.session() as session:
            submission.submit(session, rt.settings, rt.vault, user, task.task_id, body)
    lead, password, totp = make_user(rt, role="lead")
    with rt.db.session() as session, pytest.raises(UnknownIntent):
        adjudicate(
            session, rt.settings, clip, transcript="x", intent="weather_query",
            lead_id=lead.id, lead_handle=lead.handle,
        )  # fmt: skip
    with rt.db.read() as session:
        assert session.get(ClipOutcome, clip).state == "adjudication"  # type: ignore[union-attr]
    with app_client(rt) as client:
        login(client, lead.username, password, totp)
        gold = {"clip_id": clip, "transcript": "turn on the lights", "intent": "alarm_set"}
        refused = client.post("/api/v1/lead/gold", json=gold)
        assert refused.status_code == 422 and refused.json()["error"] == "unknown_intent"
        decided = client.post(
            f"/api/v1/lead/adjudications/{clip}",
            json={"transcript": "turn on the lights", "intent": "iot_hue_lighton"},
        )
        assert decided.status_code == 200, decided.text
