"""Claim C10 (spec/claims.md).

GRB10: mTORC1 inhibition destabilises GRB10 and both arms rise.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c10() -> None:
    r = evaluate_claim("C10")
    assert r.title == TITLES["C10"]
    assert r.passed, r.measured
    assert r.values["GRB10"] < 0.5 and r.values["no_grb10_RTK"] < 1.01 < r.values["RTK"]
