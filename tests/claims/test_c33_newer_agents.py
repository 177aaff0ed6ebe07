"""Claim C33 (spec/claims.md): newer agents (MANTA, BEZ235, LY3023414, MEK + mTOR)."""

from __future__ import annotations

import pytest

from mtorsim.evidence import evaluate_claim


def test_c33_tolerability_and_everolimus_benefit() -> None:
    r = evaluate_claim("C33")
    assert r.values["everolimus_HR_high"] < 1, r.measured
    assert r.values["BEZ235_stop_pct"] >= 2 * r.values["everolimus_stop_pct"], r.measured
    assert r.values["tram_evero_stop_pct"] >= 2 * r.values["evero_stop_pct"], r.measured


@pytest.mark.xfail(
    strict=True,
    reason="vistusertib + fulvestrant beats fulvestrant in the model (HR 0.65, CI below 1; "
    "MANTA: it did not); LY3023414 shrinks lesions in far fewer than half (10 %)",
)
def test_c33() -> None:
    r = evaluate_claim("C33")
    assert r.passed, r.measured
