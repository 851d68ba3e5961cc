"""Forced alignment of a known (e.g. reviewer-corrected) transcript with pocketsphinx.

The text is first normalised to spoken form exactly like engine output (`normalize_text`), so the
returned words are spoken-form words ("call 555-1212" gives eight timed words: "call", "five", ...).
Words missing from the pocketsphinx dictionary (names, rare words) do not fail the alignment: they
get a guessed pronunciation (two dictionary words joined, or a letter-to-sound table) added to the
aligner's dictionary; their times are approximate but bounded by their aligned neighbours. A word
with no Latin letters at all cannot be pronounced and raises AlignmentError naming it.
"""

import logging
import threading
from typing import TYPE_CHECKING

import numpy as np

from voxguard.asr.base import AlignmentError, Word, to_16k_mono
from voxguard.asr.normalize import normalize_text
from voxguard.asr.sphinx import decode_segments, new_decoder, pronunciation
from voxguard.audio import TARGET_RATE

if TYPE_CHECKING:
    from pocketsphinx import Decoder

log = logging.getLogger(__name__)

_decoder: "Decoder | None" = None
_lock = threading.Lock()  # one aligner decoder per process; Decoder is not thread-safe


def _aligner() -> "Decoder":
    global _decoder
    if _decoder is None:
        _decoder = new_decoder(with_lm=False)
    return _decoder


def align(audio: np.ndarray, sample_rate: int, text: str) -> list[Word]:
    """Return the spoken-form words of `text` with their times in `audio` (float32 mono)."""
    words = normalize_text(text).split()
    if not words:
        return []
    x = to_16k_mono(audio, sample_rate)
    if x.shape[0] < TARGET_RATE // 10:
        raise AlignmentError(f"audio too short ({x.shape[0] / TARGET_RATE:.3f} s) to align text")
    with _lock:
        decoder = _aligner()
        for word in dict.fromkeys(words):
            phones, known = pronunciation(decoder, word)
            if not phones:
                raise AlignmentError(f"cannot pronounce word {word!r} for alignment")
            if not known:
                log.info("alignment: guessed pronunciation %r for %r", phones, word)
                decoder.add_word(word, phones, True)
        try:
            decoder.set_align_text(" ".join(words))
            segments = decode_segments(decoder, x)
        except RuntimeError as exc:
            raise AlignmentError(f"pocketsphinx alignment failed: {exc}") from exc
    # Alternate pronunciations come back as "word(2)".
    aligned = [token.split("(")[0] for token, _, _ in segments]
    if aligned != words:
        raise AlignmentError(
            f"could not align the text to the audio (aligned {len(aligned)} of {len(words)} "
            "words); does the text match the speech?"
        )
    return [Word(word, start, end) for word, (_, start, end) in zip(words, segments, strict=True)]
