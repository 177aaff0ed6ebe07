"""Claim C1 (spec/claims.md).

GF -> RTK/IRS1/PI3K/AKT -| TSC2 -> RHEB -> mTORC1; GF removal halves output.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c1() -> None:
    r = evaluate_claim("C1")
    assert r.title == TITLES["C1"]
    assert r.passed, r.measured
    assert r.values["S6K1"] <= 0.5
    assert r.values["AKT_T308"] < 1.0
