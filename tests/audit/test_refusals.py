"""Refusals are audited once per client per window, the row carrying the count."""

from __future__ import annotations

from voxguard.audit.refusals import RefusalTally


def test_one_audit_per_client_per_window_with_the_count_since_the_last() -> None:
    now = [0.0]
    tally = RefusalTally(60, clock=lambda: now[0])
    assert tally.note("client:a", "upload.refused") == 1  # opens a window: audit now
    assert [tally.note("client:a", "upload.refused") for _ in range(41)] == [None] * 41
    assert tally.note("client:b", "upload.refused") == 1  # clients are apart
    assert tally.note("client:a", "auth.login_failed") == 1  # and so are actions
    now[0] = 59.9
    assert tally.note("client:a", "upload.refused") is None
    now[0] = 60.0
    assert tally.note("client:a", "upload.refused") == 43  # 42 held back + this one


def test_memory_stays_bounded_whatever_the_number_of_clients() -> None:
    tally = RefusalTally(60, max_clients=100, clock=lambda: 0.0)
    for i in range(10_000):
        tally.note(f"client:{i}", "upload.refused")
    assert len(tally._open) == 100
