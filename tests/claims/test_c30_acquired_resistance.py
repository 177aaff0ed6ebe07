"""Claim C30 (spec/claims.md): FRB-mutant clones emerge under a rapalog after months;
a TORKi or RapaLink-1 regains control."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c30() -> None:
    r = evaluate_claim("C30")
    assert r.passed, r.measured
    assert r.values["frb_fraction_at_progression"] >= 0.5
