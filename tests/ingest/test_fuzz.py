"""Fuzzing the upload API with hypothesis: hostile metadata and audio headers, both databases.

Whatever arrives, the answer is never a 5xx, and a refusal stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.audio import encode, tone, tone_wav
from tests.support.client import app_client, post_utterance
from tests.support.world import DeviceHandle, make_device
from voxguard.db.models import Utterance
from voxguard.runtime import Runtime, build_runtime

FIELDS = (
    "utterance_id", "account_ref", "device_serial", "recorded_at", "locale", "device_type",
    "asr_text", "asr_confidence", "intent", "wake_score", "data_region",
)  # fmt: skip

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "\u202e", "x" * 5000, "", " ", "zz", "eu"]),
)
hostile_number = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, -1, 0.5, 2**63, 10**30]),
)
hostile_datetime = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2026-02-30T10:00:00Z",
            "2026-11-25T10:00:00",
            "2026-11-25T10:00:00+25:00",
        ]
    ),
)
leaf = st.one_of(st.none(), st.booleans(), hostile_text, hostile_number, hostile_datetime)
hostile_value = st.recursive(
    leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
# Raw JSON literals json.dumps would not write.
RAW = [
    "1" + "0" * 5000, "1e999", "-1e999", "NaN", "Infinity", "[" * 3000 + "]" * 3000,
    '"\\ud800"', '"\\u0000"', "{" * 50 + "}" * 50, "0." + "1" * 5000,
]  # fmt: skip


@st.composite
def metadata_bytes(draw: Any, device: DeviceHandle) -> bytes:
    meta: dict[str, Any] = device.metadata(draw(st.text("abc123-_.:", min_size=1, max_size=12)))
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            meta.pop(field, None)
        elif choice == 1:
            meta[field] = draw(hostile_value)
        else:
            meta[field] = "@@RAW@@"
            text = json.dumps(meta, ensure_ascii=False).replace(
                '"@@RAW@@"', draw(st.sampled_from(RAW)), 1
            )
            return text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        meta[draw(st.text(max_size=8))] = draw(hostile_value)
    return json.dumps(meta, ensure_ascii=False).encode("utf-8", "surrogatepass")


WAV = tone_wav(0.3)
FLAC = encode(tone(0.3), 16_000, "FLAC")


@st.composite
def audio_bytes(draw: Any) -> bytes:
    """A real WAV or FLAC with header fields overwritten, or truncated, or random bytes."""
    kind = draw(st.sampled_from(["wav", "flac", "random"]))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    data = bytearray(WAV if kind == "wav" else FLAC)
    for _ in range(draw(st.integers(1, 4))):
        offset = draw(st.integers(0, 60))
        width = draw(st.sampled_from([1, 2, 4]))
        value = draw(st.integers(0, 2 ** (8 * width) - 1))
        data[offset : offset + width] = value.to_bytes(width, "little")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.fixture
def fuzz_rt(make_settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    # The client throttle would soon answer every refused request with 429: lift it here.
    runtime = build_runtime(make_settings(ingest_refusals_per_client="1000000/minute"))
    yield runtime
    runtime.close()


@pytest.fixture
def fuzz_client(fuzz_rt: Runtime) -> Iterator[TestClient]:
    with app_client(fuzz_rt) as client:
        yield client


def _stored(rt: Runtime) -> int:
    with rt.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(Utterance)).scalar_one()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_uploads_never_answer_5xx(
    fuzz_rt: Runtime, fuzz_client: TestClient, data: st.DataObject
) -> None:
    device = make_device(fuzz_rt)  # the same account and device each time (get or create)
    meta = data.draw(metadata_bytes(device))
    audio = data.draw(st.one_of(st.just(WAV), audio_bytes()))
    before = _stored(fuzz_rt)
    response = post_utterance(fuzz_client, device.token, audio, meta)
    assert response.status_code < 500, (response.status_code, response.text[:300], meta[:300])
    if response.status_code >= 400:
        assert _stored(fuzz_rt) == before
        assert set(response.json()) == {"error", "detail"}
