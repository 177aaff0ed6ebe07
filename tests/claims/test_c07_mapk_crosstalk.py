"""Claim C7 (spec/claims.md).

MAPK cross-talk: ERK/RSK -| TSC2, -> RAPTOR; RSK -> rpS6 without mTORC1.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c7() -> None:
    r = evaluate_claim("C7")
    assert r.title == TITLES["C7"]
    assert r.passed, r.measured
    assert r.values["braf_rpS6_without_mTORC1"] > 1.2
