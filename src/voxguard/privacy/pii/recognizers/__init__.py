"""Presidio recognizers for spoken-form PII, one module each (see ``base`` for what they share)."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from voxguard.privacy.pii.lexicon import Lexicon

from .date_of_birth import DateOfBirthRecognizer
from .email import SpokenEmailRecognizer
from .person import SpokenPersonRecognizer
from .spelled_code import SpelledCodeRecognizer
from .spoken_number import SpokenNumberRecognizer
from .street_address import StreetAddressRecognizer


def build_recognizers(lexicon: Lexicon) -> list[EntityRecognizer]:
    return [
        SpokenNumberRecognizer(lexicon),
        SpelledCodeRecognizer(lexicon),
        SpokenEmailRecognizer(lexicon),
        StreetAddressRecognizer(lexicon),
        DateOfBirthRecognizer(lexicon),
        SpokenPersonRecognizer(lexicon),
    ]


__all__ = [
    "DateOfBirthRecognizer",
    "SpelledCodeRecognizer",
    "SpokenEmailRecognizer",
    "SpokenNumberRecognizer",
    "SpokenPersonRecognizer",
    "StreetAddressRecognizer",
    "build_recognizers",
]
