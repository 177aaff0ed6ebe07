"""Claim C23 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c23() -> None:
    r = evaluate_claim("C23")
    assert r.passed, r.measured
