"""Claim C18 (spec/claims.md).

MEKi + rapalog suppress pS6 and growth more than either.
"""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c18() -> None:
    r = evaluate_claim("C18")
    assert r.passed, r.measured
