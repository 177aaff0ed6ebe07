"""Claim C8 (spec/claims.md).

S6K1 -| IRS1 feedback: mTORC1 inhibition raises IRS1 and pAKT (S473 x1.3-2.0).
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c8() -> None:
    r = evaluate_claim("C8")
    assert r.title == TITLES["C8"]
    assert r.passed, r.measured
    # lit.: pAKT S473 x1.3-2.0 under mTORC1 inhibition (Dalle Pezze 2012)
    assert 1.3 <= r.values["AKT_S473"] <= 2.0
    assert r.values["no_feedback_AKT_S473"] < 1.1
