"""Claim C6 (spec/claims.md).

mTORC2 -> AKT S473/SGK1/PKC; GF-driven, not acutely rapamycin-sensitive.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c6() -> None:
    r = evaluate_claim("C6")
    assert r.title == TITLES["C6"]
    assert r.passed, r.measured
    assert r.values["gf_AKT_S473"] <= 0.5 and r.values["mtorc1i_AKT_S473"] >= 1.0
