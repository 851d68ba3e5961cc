"""Domain adaptation the engines can load: a pocketsphinx language model, a Whisper vocabulary.

An adapted model is a directory (built by ``voxguard adapt asr``) with a ``manifest.json``:

    {"id": ..., "kind": "asr", "pocketsphinx": {"lm": "lm.arpa", "words": {"word": "PHONES"}},
     "whisper": {"hotwords": "", "initial_prompt": ""}}

The Whisper entries are empty unless one of them lowered Whisper's WER on the tuning accounts
(``feedback.adapt.choose_whisper_vocabulary``).

Adapted models live under ``<data_dir>/models/<id>``; the setting ``asr_adapted_model`` names
the one the pipeline's draft uses (empty: the stock engines).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from voxguard.asr.base import AsrInputError
from voxguard.config import Settings

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class AsrAdaptation:
    id: str
    directory: Path
    lm: Path | None = None  # an ARPA n-gram model for pocketsphinx
    words: dict[str, str] = field(default_factory=dict)  # pronunciations it lacks
    hotwords: str = ""  # for faster-whisper
    initial_prompt: str = ""


def models_dir(settings: Settings) -> Path:
    return settings.data_dir / "models"


def load_adaptation(directory: Path) -> AsrAdaptation:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AsrInputError(f"no readable adapted ASR model in {directory}: {exc}") from exc
    if manifest.get("kind") != "asr":
        raise AsrInputError(f"{directory} holds a {manifest.get('kind')!r} model, not an ASR one")
    sphinx = manifest.get("pocketsphinx", {})
    whisper = manifest.get("whisper", {})
    return AsrAdaptation(
        id=str(manifest["id"]),
        directory=directory,
        lm=directory / sphinx["lm"] if sphinx.get("lm") else None,
        words=dict(sphinx.get("words", {})),
        hotwords=str(whisper.get("hotwords", "")),
        initial_prompt=str(whisper.get("initial_prompt", "")),
    )


def adaptation_named(settings: Settings, model_id: str) -> AsrAdaptation:
    if not model_id or "/" in model_id or model_id.startswith("."):
        raise AsrInputError(f"not an adapted model id: {model_id!r}")
    return load_adaptation(models_dir(settings) / model_id)


def configured_adaptation(settings: Settings) -> AsrAdaptation | None:
    """The adapted model the pipeline's draft uses, if the settings name one."""
    if not settings.asr_adapted_model:
        return None
    return adaptation_named(settings, settings.asr_adapted_model)
