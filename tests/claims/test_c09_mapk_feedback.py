"""Claim C9 (spec/claims.md).

mTORC1 -> MAPK feedback: mTORC1 inhibition raises pERK, dose-dependently.
"""

from __future__ import annotations

from mtorsim.evidence import TITLES, evaluate_claim


def test_c9() -> None:
    r = evaluate_claim("C9")
    assert r.title == TITLES["C9"]
    assert r.passed, r.measured
    assert r.values["ERK_at_0.5"] < r.values["ERK_at_0.9"] < r.values["ERK_at_0.99"]
