"""Dose-response fits and combination scores."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mtorsim import MtorsimError, UnknownNameError
from mtorsim.pharmacology.doseresponse import (
    NO_EFFECT,
    combination_matrix,
    combination_summary,
    dose_response,
    hill,
)


def test_hill_function() -> None:
    assert hill(np.array([0.0, 2.0]), 2.0, 0.8, 1.0).tolist() == [1.0, pytest.approx(0.6)]


def test_torki_ic50_tracks_potency() -> None:
    wt = dose_response("azd8055", "S6K1")
    resistant = dose_response("azd8055", "S6K1", parameters={"MTOR_kinase_resistance": 10.0})
    assert 0.3 < wt.ic50_nM < 3.0 and wt.emax > 0.95
    assert resistant.ic50_nM / wt.ic50_nM == pytest.approx(10.0, rel=0.2)
    fitted = hill(wt.table.conc_nM, wt.ic50_nM, wt.emax, wt.hill_slope)
    assert np.max(np.abs(fitted - wt.table.relative)) < 0.05


def test_combination_scores() -> None:
    df = combination_matrix("everolimus", "trametinib", "GROWTH_DRIVE")
    single = df[(df.conc_a_nM == 0) | (df.conc_b_nM == 0)]
    assert np.abs(single.bliss_excess).max() < 0.05  # single drugs: no excess by definition
    assert {"bliss_expected", "bliss_excess", "loewe_ci"} <= set(df.columns)
    assert df.inhibition.max() > 0.5


def test_bad_input() -> None:
    with pytest.raises(UnknownNameError, match="read-out"):
        dose_response("azd8055", "pS6K")
    with pytest.raises(MtorsimError, match="at least 4"):
        dose_response("azd8055", concentrations_nM=[1.0, 2.0])


def test_drug_without_effect_has_no_ic50() -> None:
    for drug in ("interferon-alpha", "fulvestrant"):
        dr = dose_response(drug, "S6K1")
        assert not dr.has_effect and np.isnan(dr.ic50_nM) and abs(dr.emax) < NO_EFFECT
        assert dr.describe() == "no effect on S6K1; IC50 undefined"
        assert np.isnan(dr.concentration_for(0.001))
        assert not dr.effect(dr.table.conc_nM).any()
    weak = dose_response("trametinib", "S6K1")  # a small but real effect keeps its IC50
    assert weak.has_effect and weak.emax > 0.05 and np.isfinite(weak.ic50_nM)


def test_self_combination_is_refused() -> None:
    with pytest.raises(MtorsimError, match="combine a drug with a different drug"):
        combination_matrix("everolimus", "everolimus")
    with pytest.raises(MtorsimError, match="with itself"):
        combination_matrix("everolimus", "RAD001")  # an alias is the same drug


def test_summary_scores_combinations_only_and_says_when_loewe_is_undefined() -> None:
    df = combination_matrix("everolimus", "trametinib", "S6K1")
    assert df.loewe_ci.isna().all()  # trametinib's Emax (~0.08) is below every combination
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = combination_summary(df)
    assert np.isnan(s.loewe_median) and s.loewe_defined == 0
    assert s.bliss_conc_a_nM > 0 and s.bliss_conc_b_nM > 0
    both = df[(df.conc_a_nM > 0) & (df.conc_b_nM > 0)]
    assert s.bliss_excess == both.bliss_excess.max() and s.combinations == len(both)
    assert "Loewe CI undefined: no combination's inhibition of S6K1" in s.describe()
    assert "nan" not in s.describe()
    inert = combination_summary(combination_matrix("everolimus", "interferon-alpha", "S6K1"))
    assert inert.loewe_undefined_reason == "interferon-alpha has no effect on S6K1"


def test_summary_median_loewe_over_defined_combinations() -> None:
    df = combination_matrix("everolimus", "trametinib", "GROWTH_DRIVE")
    s = combination_summary(df)
    assert s.loewe_undefined_reason is None and 0 < s.loewe_defined <= s.combinations
    assert s.loewe_median == pytest.approx(df.loewe_ci.median())
    assert "median Loewe CI" in s.describe()
