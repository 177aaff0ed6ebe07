"""Claim C16 (spec/claims.md).

dual PI3K/mTOR: pAKT down at both sites, rebound cancelled.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c16() -> None:
    r = evaluate_claim("C16")
    assert r.passed, r.measured
