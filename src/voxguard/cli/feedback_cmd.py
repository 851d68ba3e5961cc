"""voxguard export | eval asr | eval nlu | adapt asr | adapt nlu: the feedback loop's commands.

Thin over voxguard.feedback. Each refusal has its own exit code (cli/context.py, EXIT_BY_REFUSAL).
"""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, refusals, runtime
from voxguard.cli.progress import progress_bar
from voxguard.feedback.formats import AUDIO_CHOICES, FORMATS
from voxguard.runtime import Runtime
from voxguard.web.words import counted


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def export(
    fmt: str = typer.Option(..., "--format", help=f"One of: {', '.join(FORMATS)}."),
    audio: str = typer.Option(
        "anonymized",
        "--audio",
        help=f"One of: {', '.join(AUDIO_CHOICES)} (the review copy, or no audio).",
    ),
    out: Path = typer.Option(..., "--out", help="A new or empty directory."),
) -> None:
    """Export the curated set with its lineage. Split by account, with the lineage recorded."""
    from voxguard.feedback.export import ExportRequest, check_request, run_export

    request = ExportRequest(format=fmt, audio=audio, out=out, actor=actor())
    with refusals():
        check_request(request)  # before opening the database: a typo costs nothing
        with runtime(create=False) as rt, progress_bar("exporting") as progress:
            result = run_export(rt.db, rt.vault, request, progress=progress)
    splits = ", ".join(
        f"{split} {counted(c['clips'], 'clip')} / {counted(c['accounts'], 'account')}"
        for split, c in result.counts.items()
    )
    console.print(
        f"export {result.id}: {counted(result.clips, 'clip')} as {result.format} "
        f"(audio: {result.audio}) in {result.out}\n  {splits}"
    )


eval_app = App(help="Measure the assistant against what reviewers settled.", no_args_is_help=True)
SPLIT_HELP = "all (every curated clip) or test (held-out accounts only)."


def _splits(split: str) -> tuple[str, ...]:
    from voxguard.feedback.curated import SPLITS

    if split == "all":
        return SPLITS
    if split == "test":
        return ("test",)
    raise fail(f"unknown split {split!r}: use all or test", 2)


def _publish(rt: Runtime, data: dict[str, object], out: Path, measures: tuple[str, str]) -> None:
    """Keep the report for /reports, write its HTML file, print its headline figures."""
    from voxguard.feedback import report

    with rt.db.session() as session:
        saved = report.save(session, data, actor=actor())
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(saved.html, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write the report to {out}: {exc.strerror or exc}", 4) from exc
    _print_summary(data, measures, saved.id)
    console.print(f"wrote {out}")


def _print_summary(data: dict[str, object], measures: tuple[str, str], report_id: str) -> None:
    from rich.table import Table

    from voxguard.feedback.report import pct

    table = Table(title=f"Measured on {data['measured_on']}", title_justify="left")
    table.add_column("system")
    for measure in measures:
        table.add_column(
            measure.replace("_", "-").upper() if measure != "accuracy" else "accuracy",
            justify="right",
        )
    overall: dict[str, dict[str, dict[str, float]]] = data["overall"]  # type: ignore[assignment]
    for system, row in overall.items():
        table.add_row(
            system,
            *(
                f"{pct(row[m]['value'])} [{pct(row[m]['low'])}–{pct(row[m]['high'])}]"
                for m in measures
            ),
        )
    console.print(table)
    console.print(
        f"report {report_id} saved (leads see it on /reports); 95 % intervals over accounts"
    )


@eval_app.command("asr")
def eval_asr(
    engines: str = typer.Option(
        "whisper,pocketsphinx", help="Engines to run on the review copies, besides the device."
    ),
    adapted: str = typer.Option("", help="Also an adapted ASR model (its id): measures on test."),
    split: str = typer.Option("all", help=SPLIT_HELP),
    limit: int | None = typer.Option(None, min=1, help="At most this many clips."),
    out: Path = typer.Option(Path("asr-report.html"), help="One HTML file."),
) -> None:
    """WER and CER against reviewers' transcripts. For the device and each engine."""
    from voxguard.asr import AsrError
    from voxguard.db.base import utcnow
    from voxguard.feedback.adapt import asr_transcribers
    from voxguard.feedback.evaluate import evaluate_asr

    splits = _splits("test" if adapted else split)
    with runtime(create=False) as rt:
        try:
            transcribers = asr_transcribers(
                rt.settings, [e for e in engines.split(",") if e], adapted
            )
        except AsrError as exc:
            raise fail(str(exc), 2) from exc
        with progress_bar("transcribing review copies") as progress:
            data = evaluate_asr(
                rt.db,
                rt.vault,
                utcnow(),
                transcribers,
                splits=splits,
                limit=limit,
                progress=progress,
            )
        _publish(rt, data, out, ("wer", "cer"))


@eval_app.command("nlu")
def eval_nlu(
    adapted: str = typer.Option(
        "", help="Also an adapted intent model (its id): measures on test."
    ),
    split: str = typer.Option("all", help=SPLIT_HELP),
    limit: int | None = typer.Option(None, min=1, help="At most this many clips."),
    out: Path = typer.Option(Path("nlu-report.html"), help="One HTML file."),
) -> None:
    """Intent accuracy against reviewers' labels.

    Accuracy, macro-F1 and the confusion matrix of the device.
    """
    from voxguard.db.base import utcnow
    from voxguard.feedback.adapt import nlu_classifiers
    from voxguard.feedback.evaluate import evaluate_nlu

    splits = _splits("test" if adapted else split)
    with runtime(create=False) as rt:
        classifiers = nlu_classifiers(rt.settings, adapted)
        data = evaluate_nlu(rt.db, rt.vault, utcnow(), classifiers, splits=splits, limit=limit)
        _publish(rt, data, out, ("accuracy", "macro_f1"))


adapt_app = App(help="Adapt models to what reviewers settled.", no_args_is_help=True)


def _print_adapted(adapted: object, measure: str) -> None:
    from voxguard.feedback.report import pct

    metrics: dict[str, object] = adapted.metrics  # type: ignore[attr-defined]
    console.print(
        f"adapted model {adapted.id} from export {adapted.export_id} "  # type: ignore[attr-defined]
        f"({counted(adapted.training_clips, 'clip')} of train and dev accounts) in {adapted.path}"  # type: ignore[attr-defined]
    )
    console.print(f"measured on {metrics['measured_on']}")
    rows: dict[str, dict[str, float]] = metrics[measure]  # type: ignore[assignment]
    for system, est in rows.items():
        console.print(
            f"  {system:<36} {measure} {pct(est['value'])} "
            f"[{pct(est['low'])}–{pct(est['high'])}] on {counted(est['clips'], 'clip')}"
        )
    console.print(f"report {adapted.report_id} on /reports (95 % intervals over accounts)")  # type: ignore[attr-defined]


@adapt_app.command("asr")
def adapt_asr(
    engines: str = typer.Option("whisper,pocketsphinx", help="Engines measured before and after."),
    limit: int | None = typer.Option(None, min=1, help="Measure on at most this many clips."),
) -> None:
    """Adapt speech recognition to curated transcripts. A pocketsphinx language model, and a
    Whisper vocabulary if one helps on the dev accounts."""
    from voxguard.feedback.adapt import adapt_asr as build
    from voxguard.feedback.report import pct

    with runtime(create=False) as rt, progress_bar("adapting") as progress:
        adapted = build(
            rt.db, rt.vault, rt.settings, actor=actor(),
            engines=[e for e in engines.split(",") if e], limit=limit, progress=progress,
        )  # fmt: skip
    _print_adapted(adapted, "wer")
    tuning = adapted.metrics["whisper_tuning"]
    if "dev_wer" in tuning:
        tried = ", ".join(f"{name} {pct(wer)}" for name, wer in tuning["dev_wer"].items())
        console.print(
            f"whisper: {tuning['chosen']} chosen on {tuning['dev_clips']} clips of dev accounts "
            f"(WER {tried})"
        )
    else:
        console.print(f"whisper: left as it is ({tuning['why']})")
    console.print(f"use it for the review draft: VOXGUARD_ASR_ADAPTED_MODEL={adapted.id}")


@adapt_app.command("nlu")
def adapt_nlu() -> None:
    """Train an intent classifier on curated labels.

    A scikit-learn model from curated transcripts and labels.
    """
    from voxguard.feedback.adapt import adapt_nlu as build

    with runtime(create=False) as rt, progress_bar("adapting") as progress:
        adapted = build(rt.db, rt.vault, rt.settings, actor=actor(), progress=progress)
    _print_adapted(adapted, "accuracy")
    console.print(f"measure it with: VOXGUARD_NLU_ADAPTED_MODEL={adapted.id} voxguard eval nlu")
