"""Why waiting tasks are not handed to a reviewer: counted by the rule that hides them, and in
agreement with what the lease actually hands out."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.support.review import add_reviewer, make_clips
from tests.support.rights import signed_in_reviewer
from voxguard.db.models import WorkItem
from voxguard.review.assignment import lease_next
from voxguard.review.waiting import waiting_for, waiting_for_anyone
from voxguard.runtime import Runtime


def _lease(rt: Runtime, user):  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        return lease_next(session, rt.settings.model_copy(update={"gold_rate": 0.0}), user)


def _finish(rt: Runtime, task) -> None:  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        session.execute(sa.update(WorkItem).where(WorkItem.id == task.task_id).values(state="done"))


def _waiting(rt: Runtime, user):  # type: ignore[no-untyped-def]
    with rt.db.read() as session:
        return waiting_for(session, rt.settings, user)


def test_an_empty_lease_is_explained_rule_by_rule(rt: Runtime) -> None:
    cap = rt.settings.reviewer_account_cap_30d  # 3
    make_clips(rt, 5)  # eu, two passes each: 10 tasks
    make_clips(rt, 2, account_ref="ACCT-US", serial="SN-US", region="us")  # 4 tasks
    assert waiting_for_anyone_now(rt).hidden == {"no_reviewer": 14}
    eu = add_reviewer(rt, region="eu")
    before = _waiting(rt, eu)
    assert (before.waiting, before.available) == (14, 10)
    assert before.hidden == {"other_region": 4}

    handed = 0
    while (task := _lease(rt, eu)) is not None:
        during = _waiting(rt, eu)
        assert during.hidden.get("being_reviewed") == 1  # the reviewer's own lease
        _finish(rt, task)
        handed += 1
    assert handed == cap

    after = _waiting(rt, eu)
    # 14 - 3 done: 11 waiting, none this reviewer may hear, and each counted once.
    assert after.waiting == 11 and after.available == 0
    assert after.hidden == {
        "other_region": 4,
        "already_heard": cap,  # the other pass of each clip heard
        "account_limit": 4,  # the clips of ACCT-1 never heard
    }
    assert sum(after.hidden.values()) == after.waiting

    # The lead's view: with this one reviewer, theirs; a second eu reviewer could take every eu
    # task; a us reviewer the us ones.
    assert waiting_for_anyone_now(rt) == after
    add_reviewer(rt, region="eu")
    lead_view = waiting_for_anyone_now(rt)
    assert lead_view.available == 7 and lead_view.hidden == {"other_region": 4}
    add_reviewer(rt, region="us")
    assert waiting_for_anyone_now(rt).available == 11


def waiting_for_anyone_now(rt: Runtime):  # type: ignore[no-untyped-def]
    with rt.db.read() as session:
        return waiting_for_anyone(session, rt.settings)


def test_the_workbench_api_and_the_lead_page_say_why(rt: Runtime) -> None:
    make_clips(rt, 2, account_ref="ACCT-US", serial="SN-US", region="us")
    client, _user = signed_in_reviewer(rt, region="eu")
    try:
        assert client.post("/api/v1/review/lease").status_code == 204
        answer = client.get("/api/v1/review/waiting")
        assert answer.status_code == 200
        assert answer.json() == {
            "waiting": 4,
            "available": 0,
            "hidden": [{"reason": "other_region", "label": "other region", "tasks": 4}],
        }
    finally:
        client.__exit__(None, None, None)
    lead, _user = signed_in_reviewer(rt, role="lead", region="eu")
    try:
        page = lead.get("/lead").text
    finally:
        lead.__exit__(None, None, None)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "4 review tasks waiting, none any reviewer may hear now: other region (4)" in text
