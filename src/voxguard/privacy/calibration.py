"""The calibration set: consenting voices heard as they are and as reviewers would hear them.

A calibration set is a folder of audio files (``settings.calibration_dir``; by default the demo's
synthetic voices, rendered once into ``data_dir/calibration``), never rows of the utterances
table: only voices whose owners agreed to be heard by leads go in it. Beside the audio, an
optional ``calibration.jsonl`` says what each clip says and whose voice it is, one object per
line: ``{"clip": "<file stem>", "text": "…", "speaker": "…"}``.

Each clip is rendered the way the privacy pipeline treats a recording: decoded to 16 kHz mono,
anonymized with the chosen method and the clip's own fixed seed (so each clip gets its own
random draw, as each recording does, and the same draw every time), then peak-normalised. The
original is decoded and normalised the same way, so the two differ only by the anonymization.
Renders are cached under ``data_dir/calibration-cache``, keyed by the file's content, the
method and its parameters, and made again when any of them changes.

A listen is an audit event naming the clip, which version and the method, never what was said.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session

from voxguard import audit
from voxguard.audio import (
    TARGET_RATE,
    AudioRejected,
    DuplicateClipId,
    decode_audio,
    encode_wav_pcm16,
    list_audio_files,
    normalise_peak,
)
from voxguard.config import Settings
from voxguard.db.session import Database
from voxguard.privacy.anonymize import Anonymizer, file_seed, get_anonymizer

MANIFEST_NAME = "calibration.jsonl"
# The run seed every calibration clip's own seed is derived from (file_seed(seed, clip id)).
CALIBRATION_SEED = 20261207
# Bumped when rendering changes in a way the cache key would not notice.
_RENDER_VERSION = 1
_CLIP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_MAX_TEXT = 2000
_MAX_SPEAKER = 200

Version = Literal["original", "anonymized"]
VERSIONS: tuple[Version, ...] = ("original", "anonymized")


class CalibrationError(ValueError):
    """The calibration set cannot be used as asked; ``code`` for machines, str() for people."""

    code = "calibration_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CalibrationUnavailable(CalibrationError):
    """The folder is missing, empty or malformed (an operator's matter, not the caller's)."""

    code = "calibration_unavailable"


class UnknownCalibrationClip(CalibrationError):
    """No clip of that id in the calibration folder (including any path outside it)."""

    code = "unknown_clip"


@dataclass(frozen=True)
class CalibrationClip:
    clip_id: str  # the file's stem
    path: Path
    text: str  # what is said; "" when the manifest does not say
    speaker: str  # whose voice, as the manifest describes it; "" when it does not say


@dataclass(frozen=True)
class NewCalibrationClip:
    """A clip to write into a new calibration folder (see ``write_calibration_set``)."""

    clip_id: str
    text: str
    speaker: str
    samples: np.ndarray  # float mono in [-1, 1]
    sample_rate: int


@dataclass(frozen=True)
class Parameter:
    name: str  # plain words: "alpha range"
    value: str  # formatted for people: "0.75 to 0.9"


@dataclass(frozen=True)
class CalibrationSet:
    """A calibration folder and where its renders are cached."""

    folder: Path
    cache_dir: Path
    max_duration_s: float = 60.0
    seed: int = CALIBRATION_SEED

    @classmethod
    def from_settings(cls, settings: Settings) -> CalibrationSet:
        return cls(
            folder=settings.resolved_calibration_dir,
            cache_dir=settings.calibration_cache_dir,
            max_duration_s=settings.max_duration_s,
        )

    # ------------------------------------------------------------------------- listing

    def clips(self) -> list[CalibrationClip]:
        """The clips, in file-name order. CalibrationUnavailable if the folder is unusable."""
        folder = self._root()
        try:
            files = list_audio_files(folder)
        except DuplicateClipId as exc:
            raise CalibrationUnavailable(f"calibration folder {folder}: {exc}") from exc
        for path in files:
            self._inside(path)
            if not _CLIP_ID.fullmatch(path.stem):
                raise CalibrationUnavailable(
                    f"calibration file {path.name!r}: a clip's name may hold only letters, "
                    "digits, '.', '_' and '-' (and start with a letter or digit); rename it"
                )
        if not files:
            raise CalibrationUnavailable(f"calibration folder {folder} holds no audio files")
        notes = _read_manifest(folder / MANIFEST_NAME, {p.stem for p in files})
        return [CalibrationClip(p.stem, p, *notes.get(p.stem, ("", ""))) for p in files]

    def clip(self, clip_id: str) -> CalibrationClip:
        """One clip by id; UnknownCalibrationClip for anything that is not a listed clip."""
        if not isinstance(clip_id, str) or not _CLIP_ID.fullmatch(clip_id):
            raise UnknownCalibrationClip(f"no calibration clip {clip_id!r}")
        for clip in self.clips():
            if clip.clip_id == clip_id:
                return clip
        raise UnknownCalibrationClip(f"no calibration clip {clip_id!r}")

    def seed_of(self, clip_id: str) -> int:
        """The clip's own anonymization seed: fixed, and different for every clip."""
        return file_seed(self.seed, clip_id)

    # ------------------------------------------------------------------------- rendering

    def render(self, clip_id: str, version: Version, method: str) -> Path:
        """The cached WAV of one clip as ``version``; rendered now if not cached yet.

        ``method`` names the anonymizer for the anonymized version (ignored for the original).
        UnknownMethodError for a method that is not registered.
        """
        if version not in VERSIONS:
            raise CalibrationError(f"version must be one of {', '.join(VERSIONS)}, not {version!r}")
        clip = self.clip(clip_id)
        anonymizer = get_anonymizer(method) if version == "anonymized" else None
        source = clip.path.read_bytes()
        label = anonymizer.name if anonymizer is not None else "original"
        key = _cache_key(source, label, anonymizer, self.seed_of(clip_id), self.max_duration_s)
        # One folder per clip and method: a new render replaces that method's old one only.
        target = self.cache_dir / clip_id / label / f"{key}.wav"
        if target.is_file():
            return target
        wav = self._render_bytes(clip, source, anonymizer)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
        partial.write_bytes(wav)
        os.replace(partial, target)  # concurrent renders of one clip write the same bytes
        for stale in target.parent.glob("*.wav"):
            if stale != target:  # an older method version or an edited file: never heard again
                stale.unlink(missing_ok=True)
        return target

    def _render_bytes(
        self, clip: CalibrationClip, source: bytes, anonymizer: Anonymizer | None
    ) -> bytes:
        try:
            decoded = decode_audio(source, max_duration_s=self.max_duration_s)
        except AudioRejected as exc:
            raise CalibrationUnavailable(f"calibration file {clip.path.name}: {exc}") from exc
        samples = decoded.samples
        if anonymizer is not None:
            samples = anonymizer(samples, TARGET_RATE, self.seed_of(clip.clip_id))
        return encode_wav_pcm16(normalise_peak(samples), TARGET_RATE)

    # ------------------------------------------------------------------------- safety

    def _root(self) -> Path:
        folder = Path(self.folder)
        if not folder.is_dir():
            raise CalibrationUnavailable(
                f"calibration folder {folder} does not exist; set calibration_dir to a folder "
                "of consenting voices, or leave it empty for the demo voices"
            )
        return folder.resolve()

    def _inside(self, path: Path) -> None:
        # A link inside the folder may point anywhere; only what really lives in it is served.
        if not path.resolve().is_relative_to(self._root()):
            raise CalibrationUnavailable(
                f"calibration file {path.name!r} points outside the calibration folder; "
                "copy the file in instead of linking it"
            )


def _read_manifest(path: Path, stems: set[str]) -> dict[str, tuple[str, str]]:
    """clip id -> (text, speaker) from calibration.jsonl; every problem names its line."""
    if not path.is_file():
        return {}
    notes: dict[str, tuple[str, str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise CalibrationUnavailable(f"{MANIFEST_NAME} is not UTF-8 text: {exc.reason}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{MANIFEST_NAME} line {number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CalibrationUnavailable(f"{where} is not JSON: {exc.msg}") from exc
        if not isinstance(entry, dict) or not isinstance(entry.get("clip"), str):
            raise CalibrationUnavailable(f'{where} needs an object with "clip": "<file stem>"')
        clip, text, speaker = entry["clip"], entry.get("text", ""), entry.get("speaker", "")
        if not isinstance(text, str) or not isinstance(speaker, str):
            raise CalibrationUnavailable(f'{where}: "text" and "speaker" must be strings')
        if len(text) > _MAX_TEXT or len(speaker) > _MAX_SPEAKER:
            raise CalibrationUnavailable(
                f'{where}: "text" is limited to {_MAX_TEXT} characters, "speaker" to {_MAX_SPEAKER}'
            )
        if clip not in stems:
            raise CalibrationUnavailable(f"{where} names clip {clip!r}, which has no audio file")
        if clip in notes:
            raise CalibrationUnavailable(f"{where} names clip {clip!r} a second time")
        notes[clip] = (text.strip(), speaker.strip())
    return notes


def _cache_key(
    source: bytes, label: str, anonymizer: Anonymizer | None, seed: int, max_duration_s: float
) -> str:
    material = {
        "render": _RENDER_VERSION,
        "source": hashlib.sha256(source).hexdigest(),
        "label": label,
        "anonymizer": _fingerprint(anonymizer) if anonymizer is not None else None,
        "seed": seed if anonymizer is not None else None,
        "max_duration_s": max_duration_s,
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    return digest[:20]


def _fingerprint(anonymizer: Anonymizer) -> str:
    """The anonymizer's parameters and its package's code: a change to either re-renders."""
    kind = type(anonymizer)
    if dataclasses.is_dataclass(anonymizer):
        settings = repr(anonymizer)  # every field, deterministic
    else:
        settings = json.dumps(vars(anonymizer), sort_keys=True, default=repr)
    return f"{kind.__module__}.{kind.__qualname__}:{settings}:{_code_hash(kind.__module__)}"


@functools.lru_cache(maxsize=16)
def _code_hash(module_name: str) -> str:
    # Every module of the anonymizer's package: a fix in a shared helper changes what is heard.
    module = sys.modules.get(module_name)
    source = getattr(module, "__file__", None)
    if not source:
        return ""
    digest = hashlib.sha256()
    for path in sorted(Path(source).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# ----------------------------------------------------------------------------- methods


def method_parameters(method: str) -> list[Parameter]:
    """The registered method's settings as built by the registry, in plain words."""
    return _parameters(get_anonymizer(method), skip={"name"})


def drawn_parameters(method: str, seed: int, sample_rate: int = TARGET_RATE) -> list[Parameter]:
    """What a method that draws per recording drew for this seed (numbers only), if it says.

    Methods that can tell (``params_for(seed, sample_rate)``, as pitchwarp-mcadams does) show
    the lead which voice this clip was given; others show their ranges only.
    """
    params_for = getattr(get_anonymizer(method), "params_for", None)
    if not callable(params_for):
        return []
    # Three digits: enough to tell two draws apart, few enough to read at a glance.
    return _parameters(params_for(seed, sample_rate), skip=set(), numbers_only=True, digits=3)


def _parameters(
    obj: object, skip: set[str], *, numbers_only: bool = False, digits: int = 4
) -> list[Parameter]:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    else:
        values = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return [
        Parameter(name.replace("_", " "), _format(value, digits))
        for name, value in values.items()
        if name not in skip and not callable(value) and (not numbers_only or _is_number(value))
    ]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _format(value: Any, digits: int = 4) -> str:
    if value is None:
        return "automatic"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{float(value):.{digits}g}"
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    ):
        return f"{_format(value[0], digits)} to {_format(value[1], digits)}"
    if isinstance(value, tuple) and all(isinstance(v, tuple) for v in value):
        return f"{len(value)} components"
    return str(value)


# ----------------------------------------------------------------------------- listening


def record_listen(
    session: Session, *, actor: str, clip_id: str, version: Version, method: str
) -> None:
    """The audit event of one listen: which clip, which version, which method; no content."""
    details: dict[str, str] = {"version": version}
    if version == "anonymized":
        details["method"] = method
    audit.record(
        session,
        actor=actor,
        action="calibration.listened",
        target=f"calibration:{clip_id}",
        details=details,
    )


def listen(
    db: Database,
    calibration: CalibrationSet,
    *,
    actor: str,
    clip_id: str,
    version: Version,
    method: str,
) -> bytes:
    """One clip's WAV for a person to hear, and the audit event of it.

    The render comes first: a refused clip or method leaves no event. The audio is handed out
    only once the event is committed.
    """
    wav = calibration.render(clip_id, version, method).read_bytes()
    with db.session() as session:
        record_listen(session, actor=actor, clip_id=clip_id, version=version, method=method)
    return wav


# ----------------------------------------------------------------------------- writing a set


def write_calibration_set(folder: Path, clips: Sequence[NewCalibrationClip]) -> None:
    """Write a new calibration folder (WAVs at their own rate + calibration.jsonl) at once.

    Everything is written into a hidden sibling and renamed into place, so a reader sees either
    no folder or the whole set. A folder that already holds audio is left alone (another process
    may have written it first): CalibrationError.
    """
    folder = Path(folder)
    if not clips:
        raise CalibrationError("a calibration set needs at least one clip")
    ids = [c.clip_id for c in clips]
    bad = [i for i in ids if not _CLIP_ID.fullmatch(i)]
    if bad or len(set(ids)) != len(ids):
        raise CalibrationError(f"clip ids must be distinct file-name-safe words, got {ids}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}.partial")
    staging.mkdir()
    try:
        lines = []
        for clip in clips:
            wav = encode_wav_pcm16(np.asarray(clip.samples, dtype=np.float32), clip.sample_rate)
            (staging / f"{clip.clip_id}.wav").write_bytes(wav)
            lines.append(
                json.dumps(
                    {"clip": clip.clip_id, "text": clip.text, "speaker": clip.speaker},
                    ensure_ascii=False,
                )
            )
        (staging / MANIFEST_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # an empty folder someone made: ours replaces it
        try:
            os.rename(staging, folder)
        except OSError as exc:
            raise CalibrationError(f"calibration folder {folder} already exists") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def has_audio(folder: Path) -> bool:
    """Whether ``folder`` exists and holds at least one audio file (any name)."""
    try:
        return bool(list_audio_files(Path(folder)))
    except NotADirectoryError:
        return False
    except DuplicateClipId:
        return True
