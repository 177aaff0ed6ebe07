"""Claim C5 (spec/claims.md).

outputs: 4E-BP1/eIF4F, rpS6, HIF-1a/VEGF, SREBP-1, ULK1, STAT3, growth drive.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c5() -> None:
    r = evaluate_claim("C5")
    assert r.title == TITLES["C5"]
    assert r.passed, r.measured
    assert r.values["eIF4F"] < 0.95 and r.values["AUTOPHAGY"] > 1.05
