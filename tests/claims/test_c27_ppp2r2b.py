"""Claim C27 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c27() -> None:
    r = evaluate_claim("C27")
    assert r.passed, r.measured
