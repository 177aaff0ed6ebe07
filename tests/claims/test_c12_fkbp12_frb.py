"""Claim C12 (spec/claims.md).

rapamycin-FKBP12 binds FRB; mTORC2 not acutely inhibited.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c12() -> None:
    r = evaluate_claim("C12")
    assert r.passed, r.measured
