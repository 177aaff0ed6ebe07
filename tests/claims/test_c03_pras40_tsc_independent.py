"""Claim C3 (spec/claims.md).

AKT -> PRAS40 raises mTORC1 independently of TSC1/2.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c3() -> None:
    r = evaluate_claim("C3")
    assert r.title == TITLES["C3"]
    assert r.passed, r.measured
    assert r.values["wt"] < r.values["tsc_null"] < 0.97
