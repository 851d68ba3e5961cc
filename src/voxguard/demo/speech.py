"""Offline speech synthesis for demo utterances, with the espeak-ng library from `espeakng-loader`.

The PyPI package `espeakng-loader` ships libespeak-ng and its data (dictionaries, voices), so no
system package and no download is needed. We drive the C API through ctypes in synchronous mode:
espeak calls our callback with 16-bit samples while `espeak_Synth` runs.

espeak-ng keeps its voice and parameters in process-global state and is not thread-safe, so every
call holds one lock. Output is real, ASR-recognisable speech, left pure (no added noise); it is
not bit-for-bit reproducible, because espeak-ng carries some synthesis state between calls.

Voices are `LANGUAGE[+VARIANT]`: LANGUAGE from `available_voices()` (e.g. "en-us", "en",
"en-gb-x-rp"), VARIANT from `available_variants()` (e.g. "f3", "m1", "belinda").
"""

from __future__ import annotations

import ctypes
import difflib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_RATE_WPM = 80  # espeak-ng's own bounds for espeakRATE
MAX_RATE_WPM = 450
MAX_TEXT_CHARS = 5_000

# Distinct speakers (different pitch and formants, female and male, US and British English), all
# recognised word for word by Whisper tiny.en in our tests.
DEMO_VOICES = [
    "en-us+f3",
    "en+m1",
    "en-us+belinda",
    "en-gb-x-rp+m3",
    "en-us+f4",
    "en-us+Andy",
]

# espeak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # without it a missing data directory calls exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_PARAM_RATE = 1
_PARAM_VOLUME = 2
# espeak's default volume (100) drives a few voices (belinda, Andy) into 16-bit clipping.
_VOLUME = 80
_EE_OK = 0
_BUFFER_MS = 500


class SpeechError(RuntimeError):
    """The speech engine is missing or failed (not the caller's input)."""


class UnknownVoice(ValueError):
    """The requested voice or variant does not exist in the bundled espeak-ng data."""


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, NUL-terminated code)* then a 0 byte
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


@dataclass(frozen=True)
class _Catalogue:
    voices: dict[str, str]  # lower-case alias (file name or language code) -> identifier
    variants: dict[str, str]  # lower-case variant name -> file name


class _Engine:
    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - it is a declared dependency
            raise SpeechError(
                "speech synthesis needs the espeakng-loader package (pip install espeakng-loader)"
            ) from exc
        data_path = Path(espeakng_loader.get_data_path())
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise SpeechError(f"cannot load the espeak-ng library: {exc}") from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int

        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS,
            _BUFFER_MS,
            str(data_path).encode(),
            _INITIALIZE_DONT_EXIT,
        )
        if rate <= 0:
            raise SpeechError(f"espeak-ng failed to initialise with data from {data_path}")
        self.lib = lib
        self.sample_rate = rate
        self._chunks: list[bytes] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # referenced so it is never collected
        lib.espeak_SetSynthCallback(self._callback)
        self.catalogue = self._load_catalogue(data_path)

    def _collect(self, wav: ctypes._Pointer, count: int, _events: int | None) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = continue synthesis

    def _list(self, spec: _Voice | None) -> list[tuple[str, list[str]]]:
        """(identifier, language codes) for each voice espeak reports."""
        array = self.lib.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
        found = []
        i = 0
        while array[i]:
            voice = array[i].contents
            found.append(((voice.identifier or b"").decode(), _languages(voice.languages)))
            i += 1
        return found

    def _load_catalogue(self, data_path: Path) -> _Catalogue:
        voices: dict[str, str] = {}
        by_language: dict[str, str] = {}
        for identifier, languages in self._list(None):
            # A few voices in the package name a dictionary it does not ship; they cannot speak.
            if not identifier or not _dictionary_present(data_path, identifier, languages):
                continue
            voices[identifier.rsplit("/", 1)[-1].lower()] = identifier
            if languages:
                by_language.setdefault(languages[0].lower(), identifier)
        for code, identifier in by_language.items():
            voices.setdefault(code, identifier)  # e.g. "en-gb" -> gmw/en; file names win
        spec = _Voice()
        spec.languages = ctypes.cast(ctypes.c_char_p(b"variant"), ctypes.c_void_p)
        variants = {}
        for identifier, _ in self._list(spec):
            name = identifier.rsplit("/", 1)[-1]
            if identifier.startswith("!v/") and name:
                variants[name.lower()] = name
        return _Catalogue(voices=voices, variants=variants)

    def resolve(self, voice: str) -> str:
        """The name espeak_SetVoiceByName gets for `voice`; UnknownVoice if any part is unknown."""
        base, _, variant = voice.strip().partition("+")
        identifier = self.catalogue.voices.get(base.lower())
        if identifier is None:
            raise UnknownVoice(
                f"unknown voice {base!r}{_suggest(base.lower(), self.catalogue.voices)}; "
                "see available_voices()"
            )
        if not variant:
            return identifier
        # espeak silently ignores an unknown variant, so check it ourselves.
        name = self.catalogue.variants.get(variant.lower())
        if name is None:
            raise UnknownVoice(
                f"unknown voice variant {variant!r}"
                f"{_suggest(variant.lower(), self.catalogue.variants)}; see available_variants()"
            )
        return f"{identifier}+{name}"

    def synthesize(self, text: str, voice: str, rate_wpm: int) -> np.ndarray:
        name = self.resolve(voice)
        if self.lib.espeak_SetVoiceByName(name.encode()) != _EE_OK:
            raise SpeechError(f"espeak-ng could not select voice {voice!r} ({name})")
        self.lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
        self.lib.espeak_SetParameter(_PARAM_VOLUME, _VOLUME, 0)
        encoded = text.encode("utf-8") + b"\0"
        self._chunks = []
        try:
            status = self.lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None
            )
            pcm = b"".join(self._chunks)
        finally:
            self._chunks = []
        if status != _EE_OK:
            raise SpeechError(f"espeak-ng synthesis failed with status {status}")
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32)
        samples *= np.float32(1.0 / 32768.0)
        return samples


def _languages(pointer: int | None) -> list[str]:
    codes: list[str] = []
    offset = 0
    while pointer and ctypes.string_at(pointer + offset, 1) != b"\0":
        code = ctypes.string_at(pointer + offset + 1)  # after the priority byte, up to NUL
        codes.append(code.decode("ascii", "replace"))
        offset += len(code) + 2
    return codes


def _dictionary_present(data_path: Path, identifier: str, languages: list[str]) -> bool:
    """Whether the dictionary espeak will load for this voice is in the data directory.

    espeak-ng uses the voice file's `dictionary` line, else its first `language` up to the
    first hyphen.
    """
    dictionary = languages[0].split("-", 1)[0] if languages else ""
    try:
        text = (data_path / "lang" / identifier).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "dictionary":
            dictionary = parts[1]
            break
    return bool(dictionary) and (data_path / f"{dictionary}_dict").is_file()


def _suggest(name: str, options: dict[str, str]) -> str:
    close = difflib.get_close_matches(name, options, n=3)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


_LOCK = threading.Lock()
_ENGINE: _Engine | None = None


def _engine() -> _Engine:
    """The process-wide engine; call with _LOCK held."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Engine()
    return _ENGINE


def synthesize(text: str, voice: str = "en-us", rate_wpm: int = 160) -> tuple[np.ndarray, int]:
    """Speak `text`: (float32 mono samples in [-1, 1), espeak's native rate, 22050 Hz).

    ValueError (UnknownVoice for the voice) for bad arguments, SpeechError if the engine fails.
    """
    if not isinstance(text, str) or not any(ch.isalnum() for ch in text):
        raise ValueError("text must contain something to speak (letters or digits)")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"text is {len(text)} characters; at most {MAX_TEXT_CHARS} are spoken")
    if isinstance(rate_wpm, bool) or not isinstance(rate_wpm, int):
        raise ValueError(f"rate_wpm must be an integer, got {rate_wpm!r}")
    if not MIN_RATE_WPM <= rate_wpm <= MAX_RATE_WPM:
        raise ValueError(f"rate_wpm must be within {MIN_RATE_WPM}–{MAX_RATE_WPM}, got {rate_wpm}")
    if not isinstance(voice, str):
        raise UnknownVoice(f"voice must be a string like 'en-us+f3', got {voice!r}")
    # A NUL would end the C string early; control characters mean nothing to speak.
    clean = "".join(" " if (ch < " " and ch not in "\t\n") else ch for ch in text)
    with _LOCK:
        engine = _engine()
        samples = engine.synthesize(clean, voice, rate_wpm)
        rate = engine.sample_rate
    if samples.size == 0 or not samples.any():
        raise SpeechError(f"espeak-ng produced no sound for {text[:40]!r}")
    return samples, rate


def available_voices() -> list[str]:
    """Language voice names accepted before the optional `+variant` (e.g. "en-us", "en-gb")."""
    with _LOCK:
        return sorted(_engine().catalogue.voices)


def available_variants() -> list[str]:
    """Variant names accepted after `+` (e.g. "f3", "m1", "belinda", "Andy")."""
    with _LOCK:
        return sorted(_engine().catalogue.variants.values(), key=str.lower)


def sample_rate() -> int:
    """espeak-ng's native output rate (22050 Hz for the bundled build)."""
    with _LOCK:
        return _engine().sample_rate
