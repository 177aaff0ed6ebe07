"""Claim C29 (spec/claims.md): resistant lesions grow while others stabilise; one biopsy
sees a minority of the variation."""

from __future__ import annotations

from mtorsim.evidence import evaluate_claim


def test_c29() -> None:
    r = evaluate_claim("C29")
    assert r.passed, r.measured
