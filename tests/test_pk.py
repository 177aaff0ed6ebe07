"""PK: the ODE agrees with closed forms; half-lives, troughs and variability as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtorsim import MtorsimError
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.pk import (
    analytic_concentration,
    pk_profile,
    sample_pk_parameters,
    terminal_half_life,
)
from mtorsim.pharmacology.regimen import Regimen


@pytest.mark.parametrize(
    ("drug", "dose"),
    [("everolimus", 10.0), ("sirolimus", 5.0), ("temsirolimus", 25.0), ("trametinib", 2.0)],
)
def test_ode_matches_closed_form(drug: str, dose: float) -> None:
    reg = Regimen(drug, dose, stop_day=10.0)
    df = pk_profile([reg], days=14.0)
    exact = 1000 * analytic_concentration(
        get_drug(drug).pk, reg.dose_times(14 * 24), df["time_h"].to_numpy()
    )
    sim = df[f"{drug}_blood_ng_mL"].to_numpy()
    assert np.max(np.abs(sim - exact) / np.maximum(exact, 1e-3)) < 1e-5


def test_everolimus_trough() -> None:
    df = pk_profile([Regimen("everolimus", 10.0)], days=14.0)
    trough = df.loc[np.isclose(df.time_h, 13 * 24), "everolimus_blood_ng_mL"].iloc[0]
    assert 11.0 <= trough <= 13.0  # lit. 11-13 ng/mL at 10 mg daily


def test_prodrug_forms_metabolite() -> None:
    df = pk_profile([Regimen("temsirolimus", 25.0)], days=7.0)
    assert df["sirolimus_blood_ng_mL"].max() > 0
    # sirolimus outlasts temsirolimus (62 h vs 17 h half-life)
    assert df["sirolimus_blood_ng_mL"].iloc[-1] > df["temsirolimus_blood_ng_mL"].iloc[-1]


def test_half_life_estimate() -> None:
    df = pk_profile([Regimen("sirolimus", 5.0, stop_day=3.0)], days=20.0)
    assert terminal_half_life(df.time_h, df.sirolimus_blood_ng_mL) == pytest.approx(62, rel=1e-3)


def test_variability_is_seeded_and_log_normal() -> None:
    a = sample_pk_parameters("everolimus", 4000, seed=1)
    b = sample_pk_parameters("everolimus", 4000, seed=1)
    assert a.equals(b)
    cv = np.sqrt(np.exp(np.log(a["everolimus__CL"]).var()) - 1)
    assert cv == pytest.approx(0.27, abs=0.02)
    with pytest.raises(MtorsimError):
        sample_pk_parameters("torin1", 3)


def test_patient_draws_do_not_depend_on_cohort_size_or_start() -> None:
    """Patient i's CL and V1 come from its own (seed, i, drug) stream."""
    big = sample_pk_parameters("everolimus", 20, seed=0)
    for n in (1, 5, 10):
        small = sample_pk_parameters("everolimus", n, seed=0)
        pd.testing.assert_frame_equal(small, big.iloc[:n])
    tail = sample_pk_parameters("everolimus", 7, seed=0, start=13).set_index(big.index[13:])
    pd.testing.assert_frame_equal(tail, big.iloc[13:])
    assert not sample_pk_parameters("everolimus", 5, seed=1).equals(big.iloc[:5])
    with pytest.raises(MtorsimError, match="start"):
        sample_pk_parameters("everolimus", 3, start=-1)
