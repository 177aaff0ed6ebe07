"""Claim C19 (spec/claims.md).

rapalogs are cytostatic; regrowth after stopping.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c19() -> None:
    r = evaluate_claim("C19")
    assert r.passed, r.measured
