"""Dose-response fits and combination scores."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim import MtorsimError, UnknownNameError
from mtorsim.pharmacology.doseresponse import combination_matrix, dose_response, hill


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
