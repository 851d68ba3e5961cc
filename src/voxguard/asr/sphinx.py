"""Fallback engine: pocketsphinx 5 with the en-US model bundled in its wheel.

Word times come from the decoder's segmentation (frame indexes at `frate`, 100 frames/s).
"""

import re
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voxguard.asr.adaptation import AsrAdaptation
from voxguard.asr.base import AsrError, Transcript, Word, to_16k_mono
from voxguard.asr.normalize import split_span, spoken_words
from voxguard.audio import TARGET_RATE, to_pcm16

if TYPE_CHECKING:
    from pocketsphinx import Decoder

ENGINE_NAME = "pocketsphinx"
NOISE_FLOOR_DBFS = -72.0
NOISE_SEED = 20_240_917  # fixed: the same clip must always decode the same way


def new_decoder(*, with_lm: bool, lm: Path | None = None) -> "Decoder":
    """A Decoder on the bundled en-US acoustic model and CMUdict; LM search or none (alignment).

    ``lm``: an n-gram model of its own (ARPA or binary) instead of the bundled en-US one.
    """
    import pocketsphinx

    model = pocketsphinx.get_model_path()
    kwargs: dict[str, object] = {
        "hmm": f"{model}/en-us/en-us",
        "dict": f"{model}/en-us/cmudict-en-us.dict",
        "samprate": TARGET_RATE,
        "loglevel": "FATAL",
    }
    if with_lm:
        kwargs["lm"] = str(lm) if lm is not None else f"{model}/en-us/en-us.lm.bin"
    else:
        kwargs["lm"] = None
        # The lattice best-path pass can drop the last word of an alignment (seen on synthesised
        # speech ending abruptly: "... john smith" aligned without "smith"); the first-pass
        # Viterbi result keeps every word.
        kwargs["bestpath"] = False
    try:
        return pocketsphinx.Decoder(**kwargs)
    except (RuntimeError, ValueError) as exc:
        raise AsrError(f"cannot load the pocketsphinx en-US model from {model}: {exc}") from exc


def add_noise_floor(audio: np.ndarray, dbfs: float = NOISE_FLOOR_DBFS) -> np.ndarray:
    """Add deterministic white noise at `dbfs` RMS.

    Pocketsphinx grammar/alignment search stops early on runs of exact digital zeros (synthesised
    speech has them); a floor this low is inaudible and does not change recognition otherwise.
    """
    rng = np.random.default_rng(NOISE_SEED)
    noise = rng.standard_normal(audio.shape[0]).astype(np.float32) * np.float32(10 ** (dbfs / 20))
    return audio + noise


def is_filler(word: str) -> bool:
    """Silence and noise entries of the decoder's segmentation (<s>, <sil>, [NOISE], ...)."""
    return word.startswith(("<", "[", "+"))


def decode_segments(decoder: "Decoder", audio16k: np.ndarray) -> list[tuple[str, float, float]]:
    """Decode one utterance; return (decoder word, start s, end s) for every non-filler segment."""
    pcm = to_pcm16(add_noise_floor(audio16k)).tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)  # whole clip known: normalise features over all of it
    decoder.end_utt()
    frate = float(decoder.config["frate"])
    duration = audio16k.shape[0] / TARGET_RATE
    out = []
    if decoder.hyp() is None:  # search failed (e.g. alignment text does not fit the audio)
        return out
    for seg in decoder.seg():
        if is_filler(seg.word):
            continue
        start = min(seg.start_frame / frate, duration)
        end = min((seg.end_frame + 1) / frate, duration)  # end_frame is inclusive
        out.append((seg.word, start, max(end, start)))
    return out


class PocketSphinxEngine:
    """pocketsphinx n-gram decoding; one decoder per engine, calls serialised by a lock."""

    name = ENGINE_NAME

    def __init__(self, adaptation: AsrAdaptation | None = None) -> None:
        self._decoder = new_decoder(with_lm=True, lm=adaptation.lm if adaptation else None)
        if adaptation is not None:
            self.name = f"{ENGINE_NAME}+{adaptation.id}"
            words = sorted(adaptation.words.items())
            for index, (word, phones) in enumerate(words):
                # Rebuilding the search once, after the last word, is enough.
                self._decoder.add_word(word, phones, index == len(words) - 1)
        self._lock = threading.Lock()  # a Decoder is not thread-safe

    def transcribe(self, audio: np.ndarray, sample_rate: int) -> Transcript:
        x = to_16k_mono(audio, sample_rate)
        if x.shape[0] < TARGET_RATE // 20:
            return Transcript(text="", words=[], engine=self.name)
        with self._lock:
            segments = decode_segments(self._decoder, x)
        words = [
            Word(w, s, e)
            for token, start, end in segments
            for w, s, e in split_span(spoken_words(token), start, end)
        ]
        return Transcript(text=" ".join(w.word for w in words), words=words, engine=self.name)


# --- pronunciations for words missing from CMUdict (used by alignment) -----------------------

# Ordered longest first; a crude English letter-to-sound table, good enough to let forced
# alignment pass over a name or rare word: its neighbours' times pin it down.
_GRAPHEMES: list[tuple[str, str]] = [
    ("tch", "CH"),
    ("sch", "SH K"),
    ("igh", "AY"),
    ("ough", "AO"),
    ("ch", "CH"),
    ("sh", "SH"),
    ("th", "TH"),
    ("ph", "F"),
    ("wh", "W"),
    ("ng", "NG"),
    ("ck", "K"),
    ("qu", "K W"),
    ("gh", "G"),
    ("kn", "N"),
    ("wr", "R"),
    ("ee", "IY"),
    ("ea", "IY"),
    ("oo", "UW"),
    ("ou", "AW"),
    ("ow", "OW"),
    ("oi", "OY"),
    ("oy", "OY"),
    ("ai", "EY"),
    ("ay", "EY"),
    ("ei", "EY"),
    ("ey", "IY"),
    ("au", "AO"),
    ("aw", "AO"),
    ("ie", "IY"),
    ("ue", "UW"),
    ("ew", "UW"),
    ("oa", "OW"),
    ("er", "ER"),
    ("ir", "ER"),
    ("ur", "ER"),
    ("ar", "AA R"),
    ("or", "AO R"),
    ("a", "AE"),
    ("b", "B"),
    ("c", "K"),
    ("d", "D"),
    ("e", "EH"),
    ("f", "F"),
    ("g", "G"),
    ("h", "HH"),
    ("i", "IH"),
    ("j", "JH"),
    ("k", "K"),
    ("l", "L"),
    ("m", "M"),
    ("n", "N"),
    ("o", "AA"),
    ("p", "P"),
    ("q", "K"),
    ("r", "R"),
    ("s", "S"),
    ("t", "T"),
    ("u", "AH"),
    ("v", "V"),
    ("w", "W"),
    ("x", "K S"),
    ("y", "IY"),
    ("z", "Z"),
]


def letters_to_phones(word: str) -> str:
    """Approximate ARPAbet phones for a word from its spelling ("" if it has no Latin letters)."""
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    letters = re.sub(r"[^a-z]", "", ascii_word)
    if len(letters) > 3 and letters.endswith("e") and letters[-2] not in "aeiouy":
        letters = letters[:-1]  # silent final e
    phones: list[str] = []
    i = 0
    while i < len(letters):
        for graph, ph in _GRAPHEMES:
            if letters.startswith(graph, i):
                if graph == "c" and letters[i + 1 : i + 2] in ("e", "i", "y"):
                    ph = "S"
                if graph == "y" and i == 0:
                    ph = "Y"
                if graph == "o" and i == len(letters) - 1:
                    ph = "OW"  # final o: "okonkwo", "romeo"
                for p in ph.split():
                    if not phones or phones[-1] != p:  # doubled letters are one sound
                        phones.append(p)
                i += len(graph)
                break
    return " ".join(phones)


def pronunciation(decoder: "Decoder", word: str) -> tuple[str, bool]:
    """Phones for `word`: (phones, True) if the dictionary has it, else a guess and False.

    The guess is a split into two dictionary words ("woodcutters" = "wood" + "cutters"), or a
    possessive of a dictionary word, or the letter-to-sound table. Returns ("", False) when no
    guess is possible (no Latin letters).
    """
    phones = decoder.lookup_word(word)
    if phones:
        return phones, True
    if word.endswith("'s") and (base := decoder.lookup_word(word[:-2])):
        return f"{base} Z", False
    for cut in range(len(word) - 2, 1, -1):
        left, right = decoder.lookup_word(word[:cut]), decoder.lookup_word(word[cut:])
        if left and right:
            return f"{left} {right}", False
    return letters_to_phones(word), False
