"""Feedback tests: accounts consent to model training unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voxguard.runtime import Runtime, build_runtime


@pytest.fixture
def rt(make_settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    runtime = build_runtime(make_settings(model_training_consent_default=True))
    yield runtime
    runtime.close()
