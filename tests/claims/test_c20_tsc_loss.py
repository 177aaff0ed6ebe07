"""Claim C20 (spec/claims.md): genotype -> response."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c20() -> None:
    r = evaluate_claim("C20")
    assert r.passed, r.measured
