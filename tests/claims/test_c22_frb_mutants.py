"""Claim C22 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c22() -> None:
    r = evaluate_claim("C22")
    assert r.passed, r.measured
