"""Claim C25 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c25() -> None:
    r = evaluate_claim("C25")
    assert r.passed, r.measured
