"""Records of processing (in the spirit of GDPR Article 30), from the live data.

Purposes, categories of data, recipients by reviewer region, the retention in force, counts,
and the technical measures with their last measured figures, read from the newest benchmark
results (``bench/results/privacy-*.json``, or ``settings.bench_results_dir``). A deployment that
has measured nothing yet is shown the project's own figures (``measured/privacy.json``, copied
from a real run by ``bench/publish_privacy_figures.py``), saying whose they are and when they
were measured. A figure that was never measured says so; none is ever made up.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voxguard.config import Settings
from voxguard.consent.service import RETENTION_CHOICES, current_consents
from voxguard.db.base import utcnow
from voxguard.db.models import (
    ClipOutcome,
    ConsentRecord,
    Erasure,
    Exposure,
    Flag,
    SamplingDecision,
    UsageCounter,
    User,
    Utterance,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NOT_MEASURED = "not measured yet"
PUBLISHED_FIGURES = Path(__file__).resolve().parent / "measured" / "privacy.json"
PURPOSES = (
    ("Answering the person", "The assistant understands a request and answers it."),
    (
        "Improving speech recognition",
        "A small random share of recordings, of people who agreed, is transcribed by reviewers "
        "to measure and correct what the assistant understood.",
    ),
    (
        "Training the models",
        "Reviewed transcripts and voice-disguised audio of people who agreed to it.",
    ),
    (
        "Checking the voice disguise",
        "Leads listen to a calibration set, as recorded and as reviewers hear it: synthetic "
        "voices, or volunteers who agreed to it; never a recording of an account.",
    ),
    ("Accountability", "Every access is logged so the person and the auditor can see it."),
)
CATEGORIES = (
    ("Voice recordings", "kept encrypted under a key per account; reviewers hear only a copy "
     "with the voice disguised and personal details bleeped"),
    ("What the device understood", "its transcript, confidence and intent"),
    ("Human transcripts and labels", "written by reviewers from the de-identified copy"),
    ("Account reference and device serials", "never shown to reviewers"),
    ("Consent choices", "every version, with the privacy notice it was made under"),
    ("Access log", "who used which recording, when, from where and why"),
)  # fmt: skip


@dataclass(frozen=True)
class Measure:
    name: str
    figure: str  # the figure as measured, or NOT_MEASURED
    target: str
    source: str | None = None  # the results file it came from
    # for the chart: its label there, the measured share and its target (at least, or at most
    # with ``at_most``)
    chart_label: str | None = None
    value: float | None = None
    goal: float | None = None
    at_most: bool = False

    @property
    def met(self) -> bool | None:
        """Whether the measured share meets its target (None: nothing to compare)."""
        if self.value is None or self.goal is None:
            return None
        return self.value <= self.goal if self.at_most else self.value >= self.goal


@dataclass
class ProcessingRecord:
    generated_at: datetime
    counts: dict[str, int]
    recipients: list[dict[str, Any]]
    retention: dict[str, int]
    settings: dict[str, Any]
    measures: list[Measure]
    purposes: tuple[tuple[str, str], ...] = PURPOSES
    categories: tuple[tuple[str, str], ...] = CATEGORIES
    results_file: str | None = None  # this deployment's own results file, if it has one
    # where the project's published figures came from, when this deployment has none of its own
    published_from: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "purposes": [{"purpose": p, "what": w} for p, w in self.purposes],
            "categories": [{"category": c, "how": h} for c, h in self.categories],
            "recipients": self.recipients,
            "retention": self.retention,
            "settings": self.settings,
            "counts": self.counts,
            "measures": [m.__dict__ for m in self.measures],
            "results_file": self.results_file,
            "published_from": self.published_from,
        }

    @property
    def charted(self) -> list[Measure]:
        """The measures the chart draws: those with a label there and a measured share."""
        return [m for m in self.measures if m.chart_label and m.met is not None]


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.execute(select(func.count()).select_from(model).where(*where)).scalar_one())


def _counts(session: Session, consents: list[ConsentRecord]) -> dict[str, int]:
    discarded = session.execute(
        select(func.coalesce(func.sum(UsageCounter.value), 0)).where(
            UsageCounter.name.like("discarded_%")
        )
    ).scalar_one()
    return {
        "stored": _count(session, Utterance, Utterance.status.not_in(("deleted", "expired"))),
        "sampled": _count(session, SamplingDecision, SamplingDecision.sampled.is_(True)),
        "reviewed": _count(session, ClipOutcome, ClipOutcome.state == "accepted"),
        "deleted": _count(session, Utterance, Utterance.status == "deleted")
        + _count(session, Erasure, Erasure.kind == "recording"),
        "expired": _count(session, Utterance, Utterance.status == "expired"),
        "opted_out": sum(1 for c in consents if c.human_review == "opted_out"),
        "erased": _count(session, Erasure, Erasure.kind == "account"),
        "not_stored": int(discarded),
    }


def _recipients(session: Session, now: datetime) -> list[dict[str, Any]]:
    people = session.execute(
        select(User.region, User.role, func.count())
        .where(User.disabled_at.is_(None), User.role.in_(("reviewer", "lead", "privacy_officer")))
        .group_by(User.region, User.role)
    ).all()
    handed = dict(
        session.execute(
            select(User.region, func.count())
            .join(Exposure, Exposure.reviewer_id == User.id)
            .where(Exposure.exposed_at >= now - timedelta(days=30))
            .group_by(User.region)
        ).all()
    )
    return [
        {"region": region, "role": role, "people": n, "clips_30d": handed.get(region, 0)}
        for region, role, n in sorted(people)
    ]


def latest_results(directory: Path) -> tuple[Path | None, dict[str, Any]]:
    """The newest privacy benchmark results in ``directory``, or (None, {})."""
    try:
        files = sorted(directory.glob("privacy-*.json"))
    except OSError:
        return None, {}
    for path in reversed(files):
        try:
            return path, json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # a file being written, or broken: the one before it stands
    return None, {}


def published_results() -> dict[str, Any]:
    """The project's own figures shipped with the package, or {} (a build without them)."""
    try:
        return dict(json.loads(PUBLISHED_FIGURES.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _share(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _pct(value: Any) -> str:
    share = _share(value)
    return f"{100 * share:.1f} %" if share is not None else NOT_MEASURED


# The targets the figures are judged against (issues 11 and 12).
TARGET_EER, TARGET_WER, TARGET_RECALL = 0.30, 0.15, 0.95


def _against(
    name: str,
    value: Any,
    goal: float,
    source: str | None,
    chart_label: str | None = None,
    *,
    at_most: bool = False,
    when: str = "",
) -> Measure:
    """A measured share and its target; its figure, target text and source follow from them."""
    share = _share(value)
    return Measure(
        name,
        _pct(share) + (when if share is not None else ""),
        f"{'≤' if at_most else '≥'} {round(100 * goal)} %",
        source if share is not None else None,
        chart_label,
        share,
        goal,
        at_most,
    )


def measures(settings: Settings) -> tuple[list[Measure], str | None, bool]:
    """The measures, where their figures came from, and whether that is this deployment's own
    results file (else the project's published figures, or nothing)."""
    path, results = latest_results(settings.bench_results_dir)
    source = path.name if path else None
    own = path is not None
    if not own:
        results = published_results()
        day = str(results.get("started", ""))[:10]
        source = f"voxguard project, {day}" if results else None
    method = settings.anonymization_method
    found = _dig(results, "methods", method) or {}
    # Results name the set a target is judged on (held-out speechocean speakers); results
    # written before there was one carry FSDD speaker figures and LJ Speech agreement.
    primary = found.get("primary_set")
    sv_set, asr_set = (primary, primary) if isinstance(primary, str) else ("fsdd", "lj")
    eer = _dig(found, "speaker_verification", sv_set, "lazy", "eer")
    ignorant = _dig(found, "speaker_verification", sv_set, "ignorant", "eer")
    wer = _dig(found, "asr_agreement_wer", asr_set)
    domain = _dig(results, "pii", "assistant_domain") or {}
    recalls = {t: v.get("recall") for t, v in domain.items() if isinstance(v, dict)}
    known = [r for r in recalls.values() if isinstance(r, int | float)]
    when = f" ({results.get('started', '')[:10]})" if results.get("started") else ""
    out = [
        _against(
            f"Voice anonymization ({method}): speaker-verification EER, attacker who disguises "
            "their own recordings the same way",
            eer,
            TARGET_EER,
            source,
            "voice EER, lazy-informed attacker",
            when=when,
        ),
        _against(
            f"Voice anonymization ({method}): EER, attacker with original recordings",
            ignorant,
            TARGET_EER,
            source,
            "voice EER, ignorant attacker",
        ),
        _against(
            "Speech recognition after anonymization: word error rate against the original",
            wer,
            TARGET_WER,
            source,
            "ASR word error rate after the disguise",
            at_most=True,
        ),
        _against(
            "Spoken personal details found and bleeped (recall, lowest type)",
            min(known) if known else None,
            TARGET_RECALL,
            source,
        ),
    ]
    out += [
        _against(
            f"  recall: {t.lower()}",
            r,
            TARGET_RECALL,
            source,
            f"PII recall: {t.lower().replace('_', ' ')}",
        )
        for t, r in sorted(recalls.items())
        if isinstance(r, int | float)
    ]
    out += [
        Measure("Encryption", "AES-256-GCM, a data key per account wrapped by the master key", "-"),
        Measure("Erasure", "crypto-shredding; an erasure ledger re-applied after any restore", "-"),
    ]
    return out, source, own


LIVE = "live data, 30 days"


def heard_pii_measure(session: Session, now: datetime) -> Measure:
    """How often the bleeps missed in service: clips flagged "PII audible" (by a reviewer, or
    by the check of what they typed, ``review/typed_text.py``) among the clips handed to
    reviewers in the last 30 days (a lower bound: a reviewer may neither flag nor write down
    what they heard)."""
    since = now - timedelta(days=30)
    heard = session.execute(
        select(func.count(func.distinct(Exposure.utterance_id))).where(Exposure.exposed_at >= since)
    ).scalar_one()
    flagged = session.execute(
        select(func.count(func.distinct(Flag.utterance_id))).where(
            Flag.kind.in_(("pii_audible", "pii_typed")), Flag.created_at >= since
        )
    ).scalar_one()
    share = f" ({100 * flagged / heard:.1f} %)" if heard else ""
    return Measure(
        'Personal details reviewers still heard: clips flagged "PII audible" by a reviewer or '
        "found in what they typed (each one left review for the privacy officer at once)",
        f"{flagged} of {heard} clips heard{share}",
        "0",
        LIVE,
    )


def processing_record(session: Session, settings: Settings) -> ProcessingRecord:
    now = utcnow()
    consents = current_consents(session)
    retention = {choice: 0 for choice in RETENTION_CHOICES}
    for record in consents:
        retention[record.retention] = retention.get(record.retention, 0) + 1
    found, source, own = measures(settings)
    found.insert(4, heard_pii_measure(session, now))  # beside the PII recall it checks
    return ProcessingRecord(
        generated_at=now,
        counts=_counts(session, consents),
        recipients=_recipients(session, now),
        retention=retention,
        settings={
            "retention_default": settings.retention_default,
            "review_copy_grace_hours": settings.review_copy_grace_hours,
            "review_consent_default": settings.review_consent_default,
            "sampling_rate": settings.sampling_rate,
            "reviewer_account_cap_30d": settings.reviewer_account_cap_30d,
            "residency": settings.residency,
            "privacy_notice_version": settings.privacy_notice_version,
        },
        measures=found,
        results_file=source if own else None,
        published_from=None if own else source,
    )


def counts_chart_png(record: ProcessingRecord) -> bytes:
    """The counts and the recipients as one picture (matplotlib, no display needed)."""
    fig = _figure(10, 3.6)
    left, right = fig.subplots(1, 2)
    names = list(record.counts)
    values = [record.counts[n] for n in names]
    bars = left.barh([n.replace("_", " ") for n in names], values, color="#2f6fed")
    left.bar_label(bars, padding=3)
    left.set_xlim(0, max([*values, 1]) * 1.15)
    left.invert_yaxis()
    left.set_title("Recordings and accounts")
    left.spines[["top", "right"]].set_visible(False)
    regions = sorted({r["region"] for r in record.recipients})
    clips = [
        next((r["clips_30d"] for r in record.recipients if r["region"] == g), 0) for g in regions
    ]
    people = [sum(r["people"] for r in record.recipients if r["region"] == g) for g in regions]
    if regions:
        xs = range(len(regions))
        right.bar([x - 0.2 for x in xs], people, width=0.4, label="people", color="#98a2b3")
        right.bar([x + 0.2 for x in xs], clips, width=0.4, label="clips, 30 days", color="#2f6fed")
        right.set_xticks(list(xs), [g.upper() for g in regions])
        right.legend(frameon=False)
    else:
        right.text(0.5, 0.5, "no reviewers yet", ha="center", va="center")
    right.set_title("Recipients by reviewer region")
    right.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def measures_chart_png(record: ProcessingRecord) -> bytes | None:
    """The measured figures against their targets as one bar chart, or None when nothing was
    measured: a bar per figure, green where it meets its target, red where not, and the
    target as a tick on the bar's line."""
    rows = record.charted
    if not rows:
        return None
    fig = _figure(10, 0.42 * len(rows) + 1.2)
    ax = fig.subplots()
    values = [100 * (m.value or 0.0) for m in rows]
    colours = ["#2e7d4f" if m.met else "#c0392b" for m in rows]
    bars = ax.barh([m.chart_label or "" for m in rows], values, color=colours)
    ax.bar_label(bars, labels=[f"{v:.1f} %" for v in values], padding=3)
    for y, m in enumerate(rows):
        ax.plot([100 * (m.goal or 0.0)] * 2, [y - 0.4, y + 0.4], color="#111", lw=2)
    ax.set_xlim(0, 112)
    ax.invert_yaxis()
    ax.set_xlabel("% (black tick: target; green: met, red: not met)")
    ax.set_title(
        f"Technical measures against their targets ({record.results_file or record.published_from})"
    )
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _figure(width_in: float, height_in: float) -> Figure:
    """A figure without pyplot: no global state, so web threads may draw at once (matplotlib
    loads on the first chart, not with the module)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=110)


def _png(fig: Figure) -> bytes:
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
