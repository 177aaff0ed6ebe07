"""Claim C2 (spec/claims.md).

amino acids required; energy stress lowers mTORC1 via LKB1/AMPK (TSC2, RAPTOR).
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c2() -> None:
    r = evaluate_claim("C2")
    assert r.title == TITLES["C2"]
    assert r.passed, r.measured
    assert r.values["aa_withdrawal"] <= 0.5
    assert r.values["energy_stress_lkb1_null"] > 0.95
