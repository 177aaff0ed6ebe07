"""Effective exposure over the dosing cycle: what the trial layer's targets see."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim.errors import UnknownNameError
from mtorsim.pharmacology.catalogue import DRUGS, get_drug
from mtorsim.pharmacology.exposure import cycle_shape, effective_free_nM, schedule_name
from mtorsim.pharmacology.pk import average_free_nM, pk_profile
from mtorsim.pharmacology.regimen import Regimen

CLINICAL = [d for d in DRUGS if get_drug(d).pk is not None and get_drug(d).dose_range_mg]


@pytest.mark.parametrize("drug", CLINICAL)
def test_effective_exposure_never_exceeds_the_average(drug) -> None:
    # occupancy is concave in concentration, so the cycle's mean occupancy is at most the
    # occupancy of the mean concentration
    avg, eff = average_free_nM(drug), effective_free_nM(drug)
    assert 0 < eff <= avg * (1 + 1e-9)
    shape = cycle_shape(drug)
    if shape is not None:
        assert shape.mean() == pytest.approx(1.0) and (shape >= 0).all()


def test_flat_profiles_keep_the_average_and_swinging_ones_lose() -> None:
    # sorafenib (t1/2 ~ 1-2 days, twice daily) is nearly flat; vistusertib (t1/2 3 h) is not
    assert effective_free_nM("sorafenib") == pytest.approx(average_free_nM("sorafenib"), rel=0.01)
    shape = cycle_shape("vistusertib", "bid")
    assert shape.max() / shape.min() > 3
    assert effective_free_nM("vistusertib", 100) < 0.85 * average_free_nM("vistusertib", 100)
    # a prodrug keeps its average: its metabolite carries the effect between doses
    assert cycle_shape("temsirolimus") is None
    assert effective_free_nM("temsirolimus") == average_free_nM("temsirolimus")


def test_intermittent_dosing_holds_the_target_less_at_the_same_mg_per_day() -> None:
    daily_mg = 250 * 2 / 7  # 125 mg twice daily, two days a week (MANTA's intermittent arm)
    continuous = effective_free_nM("vistusertib", daily_mg, "bid")
    intermittent = effective_free_nM("vistusertib", daily_mg, "bid2on5off")
    assert average_free_nM("vistusertib", daily_mg) > continuous > 2 * intermittent


def test_the_cycle_matches_the_integrated_pk_model() -> None:
    # an independent path: the ODE PK model the signalling layer uses, integrated to steady
    # state, then the occupancy averaged over its last dosing interval
    df = pk_profile([Regimen("vistusertib", 50, "bid")], days=4, points_per_day=192)
    last = df[df.time_h > 84.0]["vistusertib_free_nM"].to_numpy()
    k = min(p.kd_nM for p in get_drug("vistusertib").potencies)
    theta = np.mean(last / (last + k))
    assert effective_free_nM("vistusertib", 100, "bid") == pytest.approx(
        k * theta / (1 - theta), rel=0.02
    )
    assert last.mean() == pytest.approx(average_free_nM("vistusertib", 100), rel=0.02)


def test_one_value_per_patient_clearance() -> None:
    cl = np.array([0.5, 1.0, 2.0])
    many = effective_free_nM("everolimus", 10, cl_multiplier=cl)
    one = [effective_free_nM("everolimus", 10, cl_multiplier=float(c)) for c in cl]
    np.testing.assert_allclose(many, one)
    assert many[0] > many[1] > many[2]  # higher clearance, lower exposure


def test_schedules_are_named_and_checked() -> None:
    assert schedule_name("vistusertib") == "bid"
    assert schedule_name("vistusertib", "BID2ON5OFF") == "bid2on5off"
    with pytest.raises(UnknownNameError, match="schedule"):
        schedule_name("vistusertib", "twice a week")
    with pytest.raises(UnknownNameError, match="repeating schedule"):
        schedule_name("vistusertib", "single")


def test_the_usual_schedule_keeps_the_calibrated_average_and_others_scale_it() -> None:
    from mtorsim.pharmacology.exposure import schedule_factor

    assert schedule_factor("vistusertib", 100, None) == 1.0
    assert schedule_factor("vistusertib", 100, "BID") == 1.0  # its usual schedule
    intermittent = schedule_factor("vistusertib", 250 * 2 / 7, "bid2on5off")
    assert intermittent == pytest.approx(
        effective_free_nM("vistusertib", 250 * 2 / 7, "bid2on5off")
        / effective_free_nM("vistusertib", 250 * 2 / 7, "bid")
    )
    assert intermittent < 0.3
    assert schedule_factor("vistusertib", 100, "daily") < 1  # once daily swings more
    cl = np.array([0.5, 1.0, 2.0])
    many = schedule_factor("vistusertib", 100, "daily", cl_multiplier=cl)
    assert many.shape == (3,) and (many < 1).all()
    np.testing.assert_array_equal(schedule_factor("everolimus", 10, None, cl_multiplier=cl), 1.0)


def test_no_dose_leaves_the_schedule_neutral() -> None:
    from mtorsim.pharmacology.exposure import schedule_factor

    assert schedule_factor("everolimus", 0.0, "weekly") == 1.0
    out = schedule_factor("everolimus", 0.0, "weekly", cl_multiplier=np.array([1.0, 2.0]))
    np.testing.assert_array_equal(out, 1.0)
