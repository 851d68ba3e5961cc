"""voxguard privacy anonymize | redact-text | transcribe: the transforms on their own;
voxguard privacy calibration: the voices leads judge the anonymization by."""

from __future__ import annotations

from pathlib import Path

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, load_settings, refusals
from voxguard.cli.progress import progress_bar
from voxguard.web.words import counted

# The transforms' libraries (Whisper, spaCy, Presidio) load inside each command, so that
# `voxguard --help` and unrelated commands start fast.
ENGINE_NAMES = ("whisper", "pocketsphinx")
METHODS = ("mcadams", "mcadams-fixed", "pitchwarp-mcadams", "envwarp", "driftwarp", "tdpsola")
DEFAULT_METHOD = "tdpsola"  # = privacy.anonymize.DEFAULT_METHOD, kept light for --help
AUDIO_FOLDER = "Folder of audio files (.wav, .flac, .ogg, .opus, .mp3)."

app = App(help="Privacy transforms on folders of audio or JSONL text.", no_args_is_help=True)


@app.command()
def anonymize(
    in_dir: Path = typer.Argument(..., help=AUDIO_FOLDER),
    out_dir: Path = typer.Argument(..., help="Where <stem>.wav files are written."),
    method: str = typer.Option(DEFAULT_METHOD, help=f"One of: {', '.join(METHODS)}."),
    seed: int = typer.Option(0, help="Run seed; each file's parameters derive from it."),
) -> None:
    """Anonymize every voice in a folder. Deterministic for a given seed."""
    from voxguard.privacy.anonymize import anonymize_directory

    with refusals(ValueError, OSError), progress_bar("anonymizing") as progress:
        written = anonymize_directory(in_dir, out_dir, method, seed, progress)
    console.print(f"wrote {len(written)} files to {out_dir} ({method}, seed {seed})")


@app.command("redact-text")
def redact_text(
    in_path: Path = typer.Argument(..., help='JSONL lines {"id", "text"}.'),
    out_path: Path = typer.Argument(..., help="JSONL with redacted text and spans."),
) -> None:
    """Redact spoken-form PII in each line. Writes the redacted text with its spans."""
    from voxguard.privacy.pii import InvalidInputError, redact_jsonl

    with refusals(InvalidInputError, OSError), progress_bar("redacting") as progress:
        count = redact_jsonl(in_path, out_path, progress=progress)
    console.print(f"redacted {count} lines into {out_path}")


@app.command()
def transcribe(
    in_dir: Path = typer.Argument(..., help=AUDIO_FOLDER),
    out_path: Path = typer.Argument(..., help="JSONL with text and word times."),
    engine: str = typer.Option("whisper", help=f"One of: {', '.join(ENGINE_NAMES)}."),
) -> None:
    """Transcribe every clip in a folder, offline. With word start and end times."""
    from voxguard.asr import AsrError, transcribe_directory

    threads = load_settings().asr_cpu_threads
    with refusals(AsrError, ValueError, OSError), progress_bar("transcribing") as progress:
        count = transcribe_directory(in_dir, out_path, engine, progress, cpu_threads=threads)
    console.print(f"transcribed {counted(count, 'clip')} into {out_path}")


@app.command()
def calibration(
    render: bool = typer.Option(
        False, help="Also render each clip now, as recorded and anonymized, into the cache."
    ),
    method: str = typer.Option(None, help="Method to render with; default: the one in use."),
) -> None:
    """List the calibration set leads hear.

    The voices of /lead/anonymization, checked to be usable.
    """
    from voxguard.demo.calibration import ensure_calibration_set
    from voxguard.privacy.anonymize import AnonymizationError
    from voxguard.privacy.calibration import CalibrationError, CalibrationSet

    settings = load_settings()
    chosen = method or settings.anonymization_method
    with refusals(CalibrationError, AnonymizationError, OSError):
        ensure_calibration_set(settings)
        cal = CalibrationSet.from_settings(settings)
        clips = cal.clips()
        for clip in clips:
            said = f"“{clip.text}”" if clip.text else "(no text given)"
            who = f"  {clip.speaker}" if clip.speaker else ""
            # Plain text: a clip's words are not Rich markup, and one clip is one line.
            console.print(f"{clip.clip_id}  {said}{who}", markup=False, soft_wrap=True)
            if render:  # rendering is not listening: no audit event, nobody heard anything
                cal.render(clip.clip_id, "original", chosen)
                cal.render(clip.clip_id, "anonymized", chosen)
    rendered = f"; rendered with {chosen} into {cal.cache_dir}" if render else ""
    console.print(f"{counted(len(clips), 'clip')} in {cal.folder}{rendered}")
