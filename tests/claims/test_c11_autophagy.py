"""Claim C11 (spec/claims.md).

autophagy partly re-activated by rapalogs; HCQ blocks it.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c11() -> None:
    r = evaluate_claim("C11")
    assert r.passed, r.measured
