"""Figures for leads: how a rate per hour reads."""

from __future__ import annotations

from voxguard.review.stats import per_hour


def test_per_hour_rates_read_as_leads_read_them() -> None:
    assert [per_hour(v) for v in (0.26, 9.94, 10.0, 820.4)] == ["0.3", "9.9", "10", "820"]
