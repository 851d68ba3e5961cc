"""The demo's simulated reviewers write down what the review copy let them hear."""

from __future__ import annotations

import pytest

from voxguard.demo.reviewers import what_a_reviewer_writes

SAID = "call john smith on five five five one two one two"


@pytest.mark.parametrize(
    ("draft", "written"),
    [
        # both bleeped: tags, as in the draft
        ("call [PERSON] on [PHONE_NUMBER]", "call [PERSON] on [PHONE_NUMBER]"),
        # the ASR misheard the name, so no bleep covered it: heard and written out
        ("call on smith on [PHONE_NUMBER]", "call john smith on [PHONE_NUMBER]"),
        # the ASR misheard the number: heard and written out
        (
            "call [PERSON] on time time time one two one two",
            "call [PERSON] on five five five one two one two",
        ),
    ],
)
def test_a_detail_is_written_as_its_tag_only_where_a_bleep_covered_it(
    draft: str, written: str
) -> None:
    assert what_a_reviewer_writes(SAID, draft) == written


def test_a_request_without_details_is_written_as_said() -> None:
    said = "set an alarm for seven thirty tomorrow morning"
    assert what_a_reviewer_writes(said, "check on alarm four thousand seven hundred thirty") == said
