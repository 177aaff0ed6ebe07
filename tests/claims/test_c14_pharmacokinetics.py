"""Claim C14 (spec/claims.md).

PK: bioavailability, everolimus trough 11-13 ng/mL, half-lives.
"""

from __future__ import annotations

import pytest

from mtorsim.evidence import evaluate_claim


def test_c14_pk_numbers() -> None:
    r = evaluate_claim("C14")
    assert 11.0 <= r.values["everolimus_trough_ng_mL"] <= 13.0
    assert r.values["analytic_max_rel_diff"] < 1e-5
    assert r.values["sirolimus_half_life_h"] == pytest.approx(62, rel=0.2)
    assert r.values["temsirolimus_half_life_h"] == pytest.approx(17, rel=0.2)


@pytest.mark.xfail(
    strict=True,
    reason="everolimus t1/2 from the cited 2-compartment "
    "parameters is 22 h, not ~30 h (reported as failing in the scorecard)",
)
def test_c14_everolimus_half_life() -> None:
    r = evaluate_claim("C14")
    assert r.values["everolimus_half_life_h"] == pytest.approx(30, rel=0.2)
