"""Claim C28 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c28() -> None:
    r = evaluate_claim("C28")
    assert r.passed, r.measured
