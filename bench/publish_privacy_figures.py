"""Publish the figures of one privacy benchmark run with the package, for the records page.

    .venv/bin/python bench/publish_privacy_figures.py bench/results/privacy-<stamp>.json

A deployment's records of processing show its own benchmark results when it has any
(``settings.bench_results_dir``); until then they show the project's, from
``src/voxguard/consent/measured/privacy.json``, saying whose they are and when they were measured.
This copies only what the records page reads, unchanged, from a real run's results file: each
main method's figures on the set its targets are judged on, the PII recall by type, and where
the figures came from (the command, its date, the code it measured).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "voxguard" / "consent" / "measured" / "privacy.json"


def published(report: dict[str, Any], results_name: str) -> dict[str, Any]:
    methods = {}
    for label, found in report.get("methods", {}).items():
        primary = found.get("primary_set")
        sv = found.get("speaker_verification", {}).get(primary)
        wer = found.get("asr_agreement_wer", {}).get(primary)
        if not isinstance(primary, str) or sv is None or wer is None:
            continue  # the original audio, or a reference without figures on the primary set
        methods[label] = {
            "primary_set": primary,
            "speaker_verification": {primary: sv},
            "asr_agreement_wer": {primary: wer},
        }
    domain = (report.get("pii") or {}).get("assistant_domain")
    if not methods or not domain:
        raise ValueError(
            "the results file holds no method figures on a primary set or no PII figures: "
            "publish a full run (bench/privacy_eval.py without --primary-only or --quick)"
        )
    return {
        "published_from": results_name,
        "command": report.get("command"),
        "started": report.get("started"),
        "code": report.get("code"),
        "methods": methods,
        "pii": {"assistant_domain": domain},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", type=Path, help="a bench/results/privacy-*.json file")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    try:
        report = json.loads(args.results.read_text(encoding="utf-8"))
        figures = published(report, args.results.name)
    except (OSError, ValueError) as exc:
        print(f"cannot publish {args.results}: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({', '.join(figures['methods'])}; measured {figures['started']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
