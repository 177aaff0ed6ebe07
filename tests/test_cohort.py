"""Batched cohorts with per-member events: the same answers as one run per member."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtorsim.engine.cohort import simulate_cohort
from mtorsim.engine.simulate import simulate
from mtorsim.errors import MtorsimError
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events

HOURS = 7 * 24.0
REGIMENS = [
    [Regimen("everolimus", 10.0, "daily")],
    [Regimen("everolimus", 70.0, "weekly")],
    [Regimen("everolimus", 5.0, "daily")],
    [],
]


@pytest.fixture(scope="module")
def compiled():
    return compiled_with_drugs(["everolimus"])


def test_cohort_equals_single_runs(compiled) -> None:
    params = pd.DataFrame(
        {"everolimus__CL": [17.4, 25.0, 12.0, 17.4], "TSC_level": [1.0, 0.0, 1.0, 1.0]}
    )
    events = [dosing_events(r, HOURS) for r in REGIMENS]
    t_out = np.linspace(0, HOURS, 15)
    keep = ["S6K1", "AKT_S473", "everolimus__central"]
    keep = [k for k in keep if k in (*compiled.species, *compiled.observables)]
    cohort = simulate_cohort(
        compiled, HOURS, params, t_out, events=events, readouts=keep, chunk_size=3
    )
    assert (cohort["status"] == 0).all() and len(cohort) == 4 * len(t_out)
    for m in range(4):
        single = simulate(
            compiled, HOURS, parameters=params.iloc[m].to_dict(), events=events[m], t_out=t_out
        )
        got = cohort[cohort.member == m]
        for k in keep:
            np.testing.assert_allclose(
                got[k].to_numpy(), single[k].to_numpy(), rtol=1e-9, atol=1e-12
            )
    daily, weekly = cohort[cohort.member == 0], cohort[cohort.member == 1]
    assert not np.allclose(daily["S6K1"], weekly["S6K1"])  # the schedules really differ


def test_cohort_streams_chunks(compiled) -> None:
    params = pd.DataFrame({"TSC_level": np.linspace(0, 1, 7)})
    seen: list[int] = []
    out = simulate_cohort(
        compiled,
        24.0,
        params,
        [0.0, 24.0],
        readouts=["S6K1"],
        chunk_size=3,
        on_chunk=lambda t: seen.append(t["member"].nunique()),
    )
    assert out.empty and seen == [3, 3, 1]


def test_cohort_input_errors(compiled) -> None:
    params = pd.DataFrame({"TSC_level": [1.0, 0.5]})
    with pytest.raises(MtorsimError, match="one event list per member"):
        simulate_cohort(compiled, 24.0, params, [24.0], events=[[]])
    with pytest.raises(MtorsimError, match="t_out"):
        simulate_cohort(compiled, 24.0, params, [48.0])
    with pytest.raises(MtorsimError, match="NaN"):
        simulate_cohort(compiled, 24.0, pd.DataFrame({"TSC_level": [np.nan]}), [1.0])
    with pytest.raises(MtorsimError, match="read-out"):
        simulate_cohort(compiled, 24.0, params, [1.0], readouts=["nope"])
