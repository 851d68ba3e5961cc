"""Building reviewable clips and reviewers for service-level review tests, and reviewing them.

``review_next`` drives the real review services (lease, listen, submit) the way the review page
does, so clips reach their outcomes exactly as in production; ``lease``, ``listen`` and
``submit`` are its steps, for tests of one step.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from tests.support.audio import tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import make_device
from voxguard.db.base import utcnow
from voxguard.db.models import Exposure, User
from voxguard.processing.worker import work
from voxguard.review import assignment, audio_access, submission
from voxguard.runtime import Runtime

AUDIO_SECRET = b"s" * 32  # signs the audio URLs these helpers fetch


def add_reviewer(rt: Runtime, region: str = "eu", role: str = "reviewer") -> User:
    """A user row for service-level tests (sign-in is tested with real credentials elsewhere)."""
    with rt.db.session() as session:
        user = User(
            handle=f"R-{secrets.token_hex(3).upper()}",
            username=f"user-{secrets.token_hex(4)}",
            role=role,
            region=region,
            password_hash="!test-only",
            must_change_password=False,
            totp_secret_sealed=b"",
        )
        session.add(user)
    return user


def make_clips(
    rt: Runtime,
    n: int,
    *,
    account_ref: str = "ACCT-1",
    serial: str = "SN-1",
    region: str = "eu",
    seconds: float = 0.6,
    metadata: dict[str, Any] | None = None,
) -> list[str]:
    """Upload n clips over the API and run the worker so their review tasks exist.

    ``metadata``: fields the device sends differently (e.g. ``asr_text``, ``intent``).
    """
    device = make_device(rt, account_ref, serial, region=region)
    ids = []
    with app_client(rt) as client:
        for i in range(n):
            response = post_utterance(
                client,
                device.token,
                tone_wav(seconds + i / 100),
                device.metadata(f"{serial}-{i}", data_region=region, **(metadata or {})),
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    work(rt.db, rt.vault, rt.settings, stop=threading.Event(), drain=True)
    return ids


def lease(rt: Runtime, user: User) -> assignment.LeasedTask | None:
    with rt.db.session() as session:
        return assignment.lease_next(session, rt.settings, user)


def listen(
    rt: Runtime, user: User, task: assignment.LeasedTask, *, backdate: float = 60.0
) -> bytes:
    """Fetch the task's audio as its leaseholder, as if ``backdate`` seconds ago (the clip must
    have had time to be heard to the end before a submit)."""
    url = audio_access.signed_audio_url(AUDIO_SECRET, task.task_id, user.id, 60)
    exp, sig = url.split("exp=")[1].split("&sig=")
    with rt.db.session() as session:
        audio = audio_access.review_copy_for(
            session,
            rt.vault,
            AUDIO_SECRET,
            user=user,
            task_id=task.task_id,
            expires=int(exp),
            signature=sig,
        )
        session.execute(
            sa.update(Exposure)
            .where(Exposure.work_item_id == task.task_id)
            .values(audio_fetched_at=utcnow() - timedelta(seconds=backdate))
        )
    return audio


def submit(
    rt: Runtime,
    user: User,
    task: assignment.LeasedTask,
    text: str,
    intent: str = "alarm_set",
    flags: Sequence[str] = (),
    *,
    played: bool = True,
) -> submission.SubmitResult:
    body = submission.Submission(
        transcript=text, intent=intent, flags=list(flags), played_to_end=played, seconds_spent=4.0
    )
    with rt.db.session() as session:
        return submission.submit(session, rt.settings, rt.vault, user, task.task_id, body)


def review_next(
    rt: Runtime,
    text: str,
    intent: str = "alarm_set",
    flags: Sequence[str] = (),
    *,
    user: User | None = None,
) -> tuple[assignment.LeasedTask, submission.SubmitResult]:
    """A reviewer (a new one unless given) leases the next task, hears it to the end, submits."""
    user = user or add_reviewer(rt)
    task = lease(rt, user)
    assert task is not None, "no task to review"
    listen(rt, user, task)
    return task, submit(rt, user, task, text, intent, flags)
