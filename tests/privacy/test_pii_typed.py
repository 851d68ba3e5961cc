"""What a person typed about a redacted clip: the values found become tags, the tags stay."""

from __future__ import annotations

import pytest

from voxguard.privacy.pii.typed import redact_typed


@pytest.mark.parametrize(
    ("typed", "stored", "found"),
    [
        # a name and a number the bleeps missed (the draft's ASR misheard them)
        (
            "call john smith on five five five one two one two",
            "call [PERSON] on [PHONE_NUMBER]",
            ("PERSON", "PHONE_NUMBER"),
        ),
        ("Call Rosalind Okonkwo, please.", "Call [PERSON], please.", ("PERSON",)),
        # the surname left over beside a bleeped given name joins its tag
        ("call [PERSON] smith on [PHONE_NUMBER]", "call [PERSON] on [PHONE_NUMBER]", ("PERSON",)),
        (
            "call [PERSON] on five five five one two one two",
            "call [PERSON] on [PHONE_NUMBER]",
            ("PHONE_NUMBER",),
        ),
    ],
)
def test_personal_details_typed_become_their_tags(
    typed: str, stored: str, found: tuple[str, ...]
) -> None:
    result = redact_typed(typed)
    assert (result.text, result.found) == (stored, found)


@pytest.mark.parametrize(
    "typed",
    [
        "call [PERSON] on [PHONE_NUMBER]",
        "my name is [PERSON] and my card number is [CREDIT_CARD]",
        "[PERSON]",
        "",
        # the demo phrases: nothing to hide, nothing changed
        "set an alarm for seven thirty tomorrow morning",
        "tell me a joke",
        "send a message to mum saying i will be late",
        "add oat milk and eggs to my shopping list",
    ],
)
def test_tags_and_ordinary_words_stay_as_typed(typed: str) -> None:
    result = redact_typed(typed)
    assert (result.text, result.found) == (typed, ())
