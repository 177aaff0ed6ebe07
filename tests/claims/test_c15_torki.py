"""Claim C15 (spec/claims.md).

TORKi: pS6K1 and p4E-BP1 fully down, AKT S473 down.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c15() -> None:
    r = evaluate_claim("C15")
    assert r.passed, r.measured
