"""Claim C17 (spec/claims.md).

RapaLink-1 potent on WT, FRB and kinase-domain mutants.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c17() -> None:
    r = evaluate_claim("C17")
    assert r.passed, r.measured
