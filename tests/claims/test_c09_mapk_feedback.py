"""Claim C9 (spec/claims.md).

mTORC1 -> MAPK feedback: mTORC1 inhibition raises pERK, dose-dependently; the size depends
on dose and schedule (daily vs weekly everolimus differ).
"""

from __future__ import annotations

import pytest

from mtorsim.evidence import evaluate_claim


def test_c9_feedback_and_dose_dependence() -> None:
    r = evaluate_claim("C9")
    assert r.values["ERK_at_0.9"] > 1.1
    assert r.values["ERK_at_0.5"] < r.values["ERK_at_0.9"] < r.values["ERK_at_0.99"]
    assert r.values["ERK_at_0.9_without_pi3k_ras"] < 1.02
    assert r.values["everolimus_daily_mean"] > 1.05


@pytest.mark.xfail(
    strict=True,
    reason="both everolimus schedules keep FRB occupancy near "
    "saturation (pM cellular potency), so pERK hardly differs; reported as "
    "failing in the scorecard",
)
def test_c9_daily_and_weekly_schedules_differ() -> None:
    r = evaluate_claim("C9")
    assert (
        abs(r.values["everolimus_daily_mean"] - r.values["everolimus_weekly_mean"]) >= 0.02
        or abs(r.values["everolimus_daily_swing"] - r.values["everolimus_weekly_swing"]) >= 0.05
    )
