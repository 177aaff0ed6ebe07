"""Claim C26 (spec/claims.md): genotype -> response."""

from __future__ import annotations

import pytest

from mtorsim.evidence import evaluate_claim


def test_c26_braf() -> None:
    r = evaluate_claim("C26")
    assert r.values["braf"] < r.values["wt"]


@pytest.mark.xfail(
    strict=True,
    reason="KRAS gain also feeds PI3K and mTORC1 (RAS -> p110, "
    "ERK/RSK -> TSC2/RAPTOR), so the model predicts no rapalog resistance; "
    "reported as failing in the scorecard",
)
def test_c26_kras() -> None:
    r = evaluate_claim("C26")
    assert r.values["kras"] < r.values["wt"]
