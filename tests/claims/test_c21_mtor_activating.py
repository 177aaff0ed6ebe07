"""Claim C21 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c21() -> None:
    r = evaluate_claim("C21")
    assert r.passed, r.measured
