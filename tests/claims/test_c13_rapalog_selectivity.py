"""Claim C13 (spec/claims.md).

rapalogs: pS6K1 >90 % down, p4E-BP1 <50 %, 4E-BP1 recovers in ~6 h.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c13() -> None:
    r = evaluate_claim("C13")
    assert r.passed, r.measured
