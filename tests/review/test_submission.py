"""Submitting: heard-to-the-end check, idempotency, consensus outcomes, flags and their effects."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.support.review import (
    AUDIO_SECRET,
    add_reviewer,
    lease,
    listen,
    make_clips,
    review_next,
    submit,
)
from voxguard.db.base import utcnow
from voxguard.db.models import (
    Annotation,
    AuditEvent,
    Blob,
    ClipOutcome,
    Flag,
    GoldClip,
    User,
    Utterance,
    WorkItem,
)
from voxguard.review import audio_access
from voxguard.review.adjudication import adjudication_queue, resolve_restricted, restricted_queue
from voxguard.review.consensus import adjudicate
from voxguard.review.errors import AudioDenied, LeaseGone, NotPlayed
from voxguard.review.gold import add_gold
from voxguard.runtime import Runtime
from voxguard.vault.errors import KeyDestroyedError


def _outcome(rt: Runtime, utterance_id: str) -> ClipOutcome:
    with rt.db.read() as session:
        return session.get(ClipOutcome, utterance_id)


def _adjudicate(
    session: Session, rt: Runtime, clip: str, lead: User, transcript: str, intent: str
) -> None:
    adjudicate(
        session,
        rt.settings,
        clip,
        transcript=transcript,
        intent=intent,
        lead_id=lead.id,
        lead_handle=lead.handle,
    )


def _fetch(rt: Runtime, user, task_id: str, url: str, *, secret: bytes = AUDIO_SECRET) -> bytes:  # type: ignore[no-untyped-def]
    exp, sig = url.split("exp=")[1].split("&sig=")
    with rt.db.session() as session:
        return audio_access.review_copy_for(
            session, rt.vault, secret, user=user, task_id=task_id, expires=int(exp), signature=sig
        )


def test_audio_only_for_the_leaseholder_and_only_briefly(rt: Runtime) -> None:
    make_clips(rt, 1)
    alice, bob = add_reviewer(rt), add_reviewer(rt)
    task = lease(rt, alice)
    assert listen(rt, alice, task)[:4] == b"RIFF"
    url = audio_access.signed_audio_url(AUDIO_SECRET, task.task_id, alice.id, 60)
    refusals = {
        "another reviewer": lambda: _fetch(rt, bob, task.task_id, url),
        "another task": lambda: _fetch(rt, alice, task.task_id[::-1], url),
        "another secret": lambda: _fetch(rt, alice, task.task_id, url, secret=b"k" * 32),
        "a later expiry": lambda: _fetch(
            rt,
            alice,
            task.task_id,
            url.replace("exp=", "exp=9"),  # signed for another time
        ),
        "a forged signature": lambda: _fetch(
            rt, alice, task.task_id, url.split("&sig=")[0] + "&sig=" + "A" * 43
        ),
    }
    for name, fetch in refusals.items():
        with pytest.raises(AudioDenied, match="not valid"):
            fetch()
            pytest.fail(f"{name} was accepted")
    stale = audio_access.signed_audio_url(AUDIO_SECRET, task.task_id, alice.id, -1)
    with pytest.raises(AudioDenied, match="expired"):
        _fetch(rt, alice, task.task_id, stale)
    with rt.db.read() as session:
        listens = (
            session.execute(sa.select(AuditEvent).where(AuditEvent.action == "clip.listened"))
            .scalars()
            .all()
        )
    assert len(listens) == 1 and listens[0].account_id is not None


def test_submit_requires_the_clip_heard_to_the_end(rt: Runtime) -> None:
    make_clips(rt, 1, seconds=3.0)
    user = add_reviewer(rt)
    task = lease(rt, user)
    with pytest.raises(NotPlayed, match="never fetched"):
        submit(rt, user, task, "x")
    listen(rt, user, task, backdate=0)
    with pytest.raises(NotPlayed, match="cannot have been heard"):
        submit(rt, user, task, "x")
    with pytest.raises(NotPlayed, match="play the clip"):
        submit(rt, user, task, "x", played=False)


def test_submit_is_idempotent_and_needs_the_lease(rt: Runtime) -> None:
    make_clips(rt, 1)
    alice, bob = add_reviewer(rt), add_reviewer(rt)
    task, first = review_next(rt, "set an alarm", user=alice)
    again = submit(rt, alice, task, "set an alarm")
    assert first.status == again.status == "submitted"
    with pytest.raises(LeaseGone):
        submit(rt, bob, task, "set an alarm")


def test_equal_transcripts_are_accepted(rt: Runtime) -> None:
    [clip] = make_clips(rt, 1)
    review_next(rt, "Set an alarm.")
    assert _outcome(rt, clip) is None or _outcome(rt, clip).state == "in_review"
    review_next(rt, "set an alarm")
    outcome = _outcome(rt, clip)
    assert (outcome.state, outcome.method, outcome.transcript) == (
        "accepted",
        "agreement",
        "set an alarm",
    )


def test_close_transcripts_get_a_third_pass_and_a_merge(rt: Runtime) -> None:
    [clip] = make_clips(rt, 1)
    review_next(rt, "turn on the kitchen lights")
    review_next(rt, "turn on the kitchen light")
    assert _outcome(rt, clip).state == "extra_pass"
    review_next(rt, "turn on the kitchen lights")
    outcome = _outcome(rt, clip)
    assert (outcome.state, outcome.method, outcome.transcript) == (
        "accepted",
        "rover",
        "turn on the kitchen lights",
    )


def test_far_apart_transcripts_go_to_a_lead(rt: Runtime) -> None:
    [clip] = make_clips(rt, 1)
    review_next(rt, "turn on the kitchen lights")
    review_next(rt, "what is the weather in paris")
    assert _outcome(rt, clip).state == "adjudication"
    lead = add_reviewer(rt, role="lead")
    with rt.db.read() as session:
        [item] = adjudication_queue(session)
    assert item["id"] == clip and len(item["candidates"]) == 2
    assert "account" not in str(item).lower() and "ACCT" not in str(item)
    with rt.db.session() as session:
        _adjudicate(session, rt, clip, lead, "Turn on the kitchen lights", "iot_hue_lighton")
    assert (_outcome(rt, clip).state, _outcome(rt, clip).method) == ("accepted", "lead")


@pytest.mark.parametrize("kind", ["sensitive", "distress", "pii_audible"])
def test_a_restricting_flag_moves_the_clip_to_the_restricted_queue(rt: Runtime, kind: str) -> None:
    # "PII audible": a name the bleeps missed must not reach the second reviewer
    [clip] = make_clips(rt, 1)
    alice, bob = add_reviewer(rt), add_reviewer(rt)
    _, result = review_next(rt, "something private", flags=[kind], user=alice)
    assert result.effects == ["restricted"]
    assert lease(rt, bob) is None  # out of the general pool, the open pass cancelled
    with rt.db.read() as session:
        [item] = restricted_queue(session)
        assert item["id"] == clip and item["flags"][0]["kind"] == kind
    officer = add_reviewer(rt, role="privacy_officer")
    with rt.db.session() as session:
        resolve_restricted(session, rt.settings, rt.vault, officer, clip, "delete")
    with rt.db.read() as session:
        flag = session.execute(sa.select(Flag).where(Flag.utterance_id == clip)).scalar_one()
        assert flag.status == "confirmed" and flag.resolved_by == officer.id
        blobs = session.execute(sa.select(Blob).where(Blob.utterance_id == clip)).scalars().all()
        assert blobs and all(b.deleted_at is not None and b.key_salt is None for b in blobs)
        with pytest.raises(KeyDestroyedError):
            rt.vault.get(session, blobs[0])


def test_false_wake_confirmed_by_two_reviewers_is_deleted_keeping_the_label(rt: Runtime) -> None:
    [clip] = make_clips(rt, 1)
    _, first = review_next(
        rt, "", intent="not_for_assistant", flags=["false_wake"], user=add_reviewer(rt)
    )
    assert first.effects == []
    _, second = review_next(
        rt, "", intent="not_for_assistant", flags=["false_wake"], user=add_reviewer(rt)
    )
    assert second.effects == ["deleted_false_wake"]
    with rt.db.read() as session:
        utterance = session.get(Utterance, clip)
        assert utterance.deleted_at is not None and utterance.device_asr_sealed is None
        assert utterance.wake_score is None or utterance.wake_score >= 0
        outcome = session.get(ClipOutcome, clip)
        assert (outcome.state, outcome.intent) == ("deleted_false_wake", "false_wake")
        for blob in session.execute(sa.select(Blob).where(Blob.utterance_id == clip)).scalars():
            with pytest.raises(KeyDestroyedError):
                rt.vault.get(session, blob)
    files = [p for p in (rt.settings.data_dir / "blobs").rglob("*") if p.is_file()]
    assert files == []


def test_false_wake_from_a_lead_deletes_at_once(rt: Runtime) -> None:
    [_clip] = make_clips(rt, 1)
    lead = add_reviewer(rt, role="lead")
    _, result = review_next(rt, "", intent="not_for_assistant", flags=["false_wake"], user=lead)
    assert result.effects == ["deleted_false_wake"]
    assert lease(rt, add_reviewer(rt)) is None


def test_gold_clips_measure_reviewers(make_settings) -> None:  # type: ignore[no-untyped-def]
    from voxguard.review.stats import reviewer_table, shift_stats
    from voxguard.runtime import build_runtime

    rt = build_runtime(make_settings(gold_rate=1.0))
    try:
        clips = make_clips(rt, 2)
        lead = add_reviewer(rt, role="lead")
        with rt.db.session() as session:
            add_gold(session, rt.settings, lead, clips[0], "set an alarm for seven", "alarm_set")
        user = add_reviewer(rt)
        task, _ = review_next(rt, "set an alarm for eleven", user=user)
        with rt.db.read() as session:
            item = session.get(WorkItem, task.task_id)
            assert item.queue == "gold" and item.subject_id == clips[0]
            stats = shift_stats(session, user, utcnow() - __import__("datetime").timedelta(hours=1))
            [row] = [r for r in reviewer_table(session, 0.2) if r.handle == user.handle]
        assert stats.done_this_shift == 1 and stats.gold_accuracy == pytest.approx(0.8)
        assert row.gold_wer == pytest.approx(0.2) and row.over_threshold is False
        # The gold clip is not shown to the same reviewer again, and regular work follows.
        nxt = lease(rt, user)
        assert nxt is not None and nxt.utterance_id != clips[0]
    finally:
        rt.close()


def test_dismissed_restriction_returns_the_clip_to_review(rt: Runtime) -> None:
    [clip] = make_clips(rt, 1)
    review_next(rt, "nothing private here", flags=["sensitive"])
    officer = add_reviewer(rt, role="privacy_officer")
    with rt.db.session() as session:
        resolve_restricted(session, rt.settings, rt.vault, officer, clip, "dismiss")
    with rt.db.read() as session:
        assert restricted_queue(session) == []
    review_next(rt, "nothing private here")
    assert _outcome(rt, clip).state == "extra_pass" or _outcome(rt, clip).state == "accepted"


def test_adjudication_only_for_clips_waiting_for_it(rt: Runtime) -> None:
    from voxguard.review.errors import Conflict, NotFound

    [clip] = make_clips(rt, 1)
    lead = add_reviewer(rt, role="lead")
    with rt.db.session() as session, pytest.raises(NotFound):
        _adjudicate(session, rt, "nope", lead, "x", "y")
    review_next(rt, "one thing")
    with rt.db.session() as session, pytest.raises((Conflict, NotFound)):
        _adjudicate(session, rt, clip, lead, "x", "y")


def test_sibling_passes_submitted_at_once_decide_the_clip_once(rt: Runtime) -> None:
    import threading

    for round_ in range(3):
        [clip] = make_clips(rt, 1, account_ref=f"ACCT-R{round_}", serial=f"SN-R{round_}")
        alice, bob = add_reviewer(rt), add_reviewer(rt)
        tasks = [(user, lease(rt, user)) for user in (alice, bob)]
        assert {task.utterance_id for _, task in tasks} == {clip}  # the two blind passes
        for user, task in tasks:
            listen(rt, user, task)
        errors: list[BaseException] = []
        barrier = threading.Barrier(2)

        def send(user, task, barrier=barrier, errors=errors) -> None:  # type: ignore[no-untyped-def]
            try:
                barrier.wait()
                submit(rt, user, task, "the same words")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=send, args=pair) for pair in tasks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        outcome = _outcome(rt, clip)
        assert (outcome.state, outcome.method) == ("accepted", "agreement")


def test_a_name_typed_by_a_reviewer_is_stored_as_its_tag_and_restricts_the_clip(
    rt: Runtime,
) -> None:
    # The draft's ASR misheard the name, so no bleep covered it and the reviewer wrote it down.
    [clip] = make_clips(rt, 1)
    alice, bob = add_reviewer(rt), add_reviewer(rt)
    _, result = review_next(rt, "call john smith on five five five one two one two", user=alice)
    assert result.effects == ["restricted", "typed_pii_hidden"]
    assert lease(rt, bob) is None  # the second pass never hears it
    with rt.db.read() as session:
        [note] = session.execute(
            sa.select(Annotation.transcript).where(Annotation.utterance_id == clip)
        ).all()
        assert note.transcript == "call [PERSON] on [PHONE_NUMBER]"
        flag = session.execute(sa.select(Flag).where(Flag.utterance_id == clip)).scalar_one()
        assert (flag.kind, flag.reviewer_id) == ("pii_typed", alice.id)
        [event] = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "review.typed_pii_hidden")
        ).scalars()
        assert json.loads(event.details)["types"] == ["PERSON", "PHONE_NUMBER"]
        assert "john" not in event.details and "smith" not in event.details
    assert _outcome(rt, clip).state == "restricted"


def test_tags_typed_by_a_reviewer_change_nothing(rt: Runtime) -> None:
    [clip] = make_clips(rt, 1)
    _, result = review_next(rt, "call [PERSON] on [PHONE_NUMBER]")
    assert result.effects == []
    assert _outcome(rt, clip).state != "restricted"


def test_a_lead_may_not_write_personal_details_into_gold_or_a_decision(rt: Runtime) -> None:
    from voxguard.review.errors import PersonalDetailsTyped

    [clip] = make_clips(rt, 1)
    lead = add_reviewer(rt, role="lead")
    with rt.db.session() as session, pytest.raises(PersonalDetailsTyped, match=r"\[PERSON\]"):
        add_gold(session, rt.settings, lead, clip, "text sarah connor", "alarm_set")
    review_next(rt, "turn on the kitchen lights")
    review_next(rt, "what is the weather in paris")
    assert _outcome(rt, clip).state == "adjudication"
    with rt.db.session() as session, pytest.raises(PersonalDetailsTyped, match="PERSON"):
        _adjudicate(session, rt, clip, lead, "call rosalind okonkwo", "alarm_set")
    assert _outcome(rt, clip).state == "adjudication"  # nothing half-written
    with rt.db.read() as session:
        assert session.execute(sa.select(GoldClip)).first() is None
