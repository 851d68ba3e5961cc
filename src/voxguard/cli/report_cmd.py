"""voxguard report processing"""

from __future__ import annotations

from pathlib import Path

import typer

from voxguard.cli.app import App
from voxguard.cli.context import console, fail, runtime
from voxguard.consent.records import processing_record
from voxguard.web.records_pages import render_standalone

app = App(help="Reports for people who answer for the processing.", no_args_is_help=True)


@app.command()
def processing(
    out: Path = typer.Option(
        ..., "--out", help="The HTML file to write (one self-contained file)."
    ),
) -> None:
    """Records of processing. Purposes, data, recipients by region, retention, counts, and the
    technical measures with their last benchmark figures."""
    with runtime(create=False) as rt, rt.db.read() as session:
        record = processing_record(session, rt.settings)
    try:
        out.write_text(render_standalone(record), encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}", 1) from exc
    measured = record.results_file or (
        f"{record.published_from} (none of this deployment's own yet)"
        if record.published_from
        else "no benchmark results found"
    )
    console.print(f"wrote {out} ({sum(record.counts.values())} counted items; figures: {measured})")
