"""Claim C24 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c24() -> None:
    r = evaluate_claim("C24")
    assert r.passed, r.measured
