"""The officer hides what the bleeps missed and sends the clip back to review."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sqlalchemy as sa

from tests.support.review import add_reviewer, lease, make_clips, review_next
from voxguard.audio import decode_audio
from voxguard.db.models import AuditEvent, Blob, Flag, Utterance
from voxguard.privacy.redaction import TimeSpan, bleep, merge_spans
from voxguard.review.errors import Conflict, InvalidStretch, PersonalDetailsTyped
from voxguard.review.hiding import HIDDEN_TYPE, hide_and_return
from voxguard.runtime import Runtime
from voxguard.vault.errors import KeyDestroyedError


def _review_copy(rt: Runtime, clip: str) -> tuple[Blob, np.ndarray]:
    with rt.db.read() as session:
        blob = session.execute(
            sa.select(Blob).where(
                Blob.utterance_id == clip, Blob.kind == "review_copy", Blob.deleted_at.is_(None)
            )
        ).scalar_one()
        return blob, decode_audio(rt.vault.get(session, blob), max_duration_s=None).samples


def _flagged(rt: Runtime, *kinds: str) -> str:
    [clip] = make_clips(rt, 1, seconds=1.0)
    review_next(rt, "call [PERSON] now", flags=kinds or ("pii_audible",))
    return clip


def test_hiding_bleeps_the_stretch_and_returns_the_clip(rt: Runtime) -> None:
    clip = _flagged(rt, "pii_audible", "unintelligible")  # a flag that restricts nothing
    old_blob, before = _review_copy(rt, clip)
    officer, bob = add_reviewer(rt, role="privacy_officer"), add_reviewer(rt)
    assert lease(rt, bob) is None  # restricted: out of the pool
    with rt.db.session() as session:
        hidden = hide_and_return(
            session, rt.settings, rt.vault, officer, clip, [(0.2, 0.4)], "call [PERSON] now"
        )
    assert hidden == 1
    new_blob, after = _review_copy(rt, clip)
    assert new_blob.id != old_blob.id
    spans = merge_spans([TimeSpan(0.2, 0.4, HIDDEN_TYPE)], rt.settings.redaction_margin_s, 1.0)
    expected = bleep(before, 16000, spans, mode=rt.settings.redaction_mode)
    assert np.max(np.abs(after - expected)) < 1e-3  # only the stretch changed (16-bit WAV)
    assert np.max(np.abs(after - before)) > 0.01
    with rt.db.read() as session:
        old = session.get(Blob, old_blob.id)
        assert old.deleted_at is not None and old.key_salt is None
        with pytest.raises(KeyDestroyedError):
            rt.vault.get(session, old)
        utterance = session.get(Utterance, clip)
        assert utterance.restricted is False and utterance.draft_text == "call [PERSON] now"
        assert utterance.redactions[-1]["type"] == HIDDEN_TYPE
        flags = session.execute(sa.select(Flag).where(Flag.utterance_id == clip)).scalars()
        statuses = {f.kind: (f.status, f.resolved_by) for f in flags}
        assert statuses["pii_audible"] == ("confirmed", officer.id)
        assert statuses["unintelligible"][0] != "confirmed"  # not the officer's to resolve
        event = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "restricted.hide")
        ).scalar_one()
        assert json.loads(event.details) == {"stretches": 1, "draft_replaced": True}
    task = lease(rt, bob)  # back in review, with the hidden copy; its flag stays on it, so
    assert task is not None and task.utterance_id == clip  # it never enters a dataset


@pytest.mark.parametrize(
    ("stretches", "draft", "error", "flag_kind"),
    [
        ([(0.5, 0.3)], None, InvalidStretch, "pii_audible"),  # reversed
        ([(0.2, 9.0)], None, InvalidStretch, "pii_audible"),  # past the end of the clip
        ([(0.2, 0.4)], "call john smith now", PersonalDetailsTyped, "pii_audible"),
        ([(0.2, 0.4)], None, Conflict, "sensitive"),  # no bleep makes it fit for review
    ],
)
def test_a_refused_hiding_changes_nothing(
    rt: Runtime,
    stretches: list[tuple[float, float]],
    draft: str | None,
    error: type[Exception],
    flag_kind: str,
) -> None:
    clip = _flagged(rt, flag_kind)
    old_blob, before = _review_copy(rt, clip)
    officer = add_reviewer(rt, role="privacy_officer")
    with pytest.raises(error), rt.db.session() as session:
        hide_and_return(session, rt.settings, rt.vault, officer, clip, stretches, draft)
    blob, after = _review_copy(rt, clip)
    assert blob.id == old_blob.id and np.array_equal(after, before)
    with rt.db.read() as session:
        assert session.get(Utterance, clip).restricted is True
        flag = session.execute(sa.select(Flag).where(Flag.utterance_id == clip)).scalar_one()
        assert flag.status == "open"
