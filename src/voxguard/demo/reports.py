"""The feedback loop's first reports, made with the demo: a lead who opens /reports on a first
visit sees what the simulated reviewers settled measured against the device and Whisper, as
charts, rather than a page that asks for a command first."""

from __future__ import annotations

from voxguard.db.base import utcnow
from voxguard.feedback import report
from voxguard.feedback.adapt import asr_transcribers, nlu_classifiers
from voxguard.feedback.evaluate import evaluate_asr, evaluate_nlu
from voxguard.runtime import Runtime

# Whisper alone: it is the engine the review draft uses, and pocketsphinx would double the
# demo's wait for a row `voxguard eval asr` adds on request.
DEMO_ASR_ENGINES = ("whisper",)
DEMO_ACTOR = "demo"


def publish_demo_reports(rt: Runtime) -> list[str]:
    """Measure ASR and intents on the settled clips and keep both reports; their ids."""
    now = utcnow()
    asr = evaluate_asr(rt.db, rt.vault, now, asr_transcribers(rt.settings, DEMO_ASR_ENGINES))
    nlu = evaluate_nlu(rt.db, rt.vault, now, nlu_classifiers(rt.settings))
    with rt.db.session() as session:
        return [report.save(session, data, actor=DEMO_ACTOR).id for data in (asr, nlu)]
