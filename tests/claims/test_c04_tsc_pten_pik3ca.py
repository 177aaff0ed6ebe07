"""Claim C4 (spec/claims.md).

TSC loss: GF-independent mTORC1; PTEN loss / PIK3CA raise PIP3, pAKT, mTORC1.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c4() -> None:
    r = evaluate_claim("C4")
    assert r.title == TITLES["C4"]
    assert r.passed, r.measured
    assert r.values["gf_dependence_tsc_null"] >= 0.7 > 0.5 >= r.values["gf_dependence_wt"]
