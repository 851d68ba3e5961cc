"""Sampling decisions: reproducible, boosted for low confidence, capped per account, recorded."""

from __future__ import annotations

import pytest

from tests.support.world import make_device
from voxguard.runtime import Runtime
from voxguard.sampling.service import SamplingPolicy, decide, draw, effective_rate

POLICY = SamplingPolicy(
    rate=0.2, low_confidence_threshold=0.5, low_confidence_boost=4, account_cap_30d=3
)


def test_draw_is_reproducible_and_uniform() -> None:
    secret = b"s" * 32
    assert draw(secret, "u1") == draw(secret, "u1")
    assert draw(secret, "u1") != draw(b"t" * 32, "u1")
    values = [draw(secret, f"u{i}") for i in range(20_000)]
    assert all(0 <= v < 1 for v in values)
    assert sum(v < 0.2 for v in values) / len(values) == pytest.approx(0.2, abs=0.01)


def test_low_confidence_boosts_the_rate() -> None:
    assert effective_rate(POLICY, 0.9) == (0.2, False)
    assert effective_rate(POLICY, 0.3) == (pytest.approx(0.8), True)
    capped = SamplingPolicy(0.5, 0.5, 10, 3)
    assert effective_rate(capped, 0.1)[0] == 1.0


def _decide(
    rt: Runtime,
    account_id: str,
    utterance_id: str,
    policy: SamplingPolicy,
    consent: str = "opted_in",
    confidence: float = 0.9,
):  # type: ignore[no-untyped-def]
    with rt.db.session() as session:
        decision = decide(
            session,
            policy=policy,
            secret=b"k" * 32,
            utterance_id=utterance_id,
            account_id=account_id,
            asr_confidence=confidence,
            review_consent=consent,
        )
        session.add(decision)
        return decision.sampled, decision.reason


def _insert_utterance(rt: Runtime, account_id: str, device_id: str, uid: str) -> None:
    from datetime import UTC, datetime

    from voxguard.db.models import Utterance

    with rt.db.session() as session:
        now = datetime.now(UTC)
        session.add(
            Utterance(
                id=uid,
                client_utterance_id=uid,
                account_id=account_id,
                device_id=device_id,
                recorded_at=now,
                expires_at=now,
                locale="en-us",
                device_type="t",
                data_region="eu",
                device_asr_confidence=1.0,
                device_intent="",
                duration_s=1.0,
                audio_sha256="0" * 64,
                status="received",
            )
        )


def test_decisions_record_reasons_and_respect_the_cap(rt: Runtime) -> None:
    device = make_device(rt)
    everything = SamplingPolicy(
        rate=1.0, low_confidence_threshold=0.5, low_confidence_boost=2, account_cap_30d=3
    )
    reasons = []
    for i in range(5):
        _insert_utterance(rt, device.account_id, device.device_id, f"u{i}")
        reasons.append(_decide(rt, device.account_id, f"u{i}", everything))
    assert reasons == [(True, "drawn")] * 3 + [(False, "account_cap")] * 2


def test_opted_out_is_never_sampled_even_at_rate_one(rt: Runtime) -> None:
    device = make_device(rt)
    _insert_utterance(rt, device.account_id, device.device_id, "u0")
    everything = SamplingPolicy(1.0, 0.5, 2, 100)
    assert _decide(rt, device.account_id, "u0", everything, consent="opted_out") == (
        False,
        "no_review_consent",
    )


def test_low_confidence_reason_and_not_drawn(rt: Runtime) -> None:
    device = make_device(rt)
    nothing = SamplingPolicy(0.0, 0.5, 10, 100)
    _insert_utterance(rt, device.account_id, device.device_id, "u0")
    assert _decide(rt, device.account_id, "u0", nothing) == (False, "not_drawn")
    boosted = SamplingPolicy(0.2, 0.5, 5, 100)  # 0.2 * 5 = 1.0 for low confidence
    _insert_utterance(rt, device.account_id, device.device_id, "u1")
    assert _decide(rt, device.account_id, "u1", boosted, confidence=0.1) == (
        True,
        "drawn_low_confidence",
    )
