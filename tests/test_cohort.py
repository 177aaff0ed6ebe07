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
    with pytest.raises(MtorsimError, match="chunk_size"):
        simulate_cohort(compiled, 24.0, params, [1.0], chunk_size=0)
    with pytest.raises(MtorsimError, match="one state per member"):
        simulate_cohort(compiled, 24.0, params, [1.0], initial=np.ones(3))


def test_one_initial_state_serves_every_member(compiled) -> None:
    params = pd.DataFrame({"TSC_level": [1.0, 0.5, 0.2]})
    y0 = compiled.y0 * 0.9
    shared = simulate_cohort(compiled, 12.0, params, [0.0, 12.0], initial=y0, chunk_size=2)
    each = simulate_cohort(compiled, 12.0, params, [0.0, 12.0], initial=np.tile(y0, (3, 1)))
    pd.testing.assert_frame_equal(shared, each)


def test_segment_plan_applies_events_in_time_order_to_any_base() -> None:
    """One plan per schedule, reused across members: later values win, unset ones follow p0."""
    from mtorsim.engine.schedule import Event, plan_segments

    index = {"a": 0, "b": 1, "c": 2}.__getitem__
    events = [
        Event(2.0, parameters={"a": 5.0}),
        Event(1.0, parameters={"a": 3.0}, add={"x": 1.0}),
        Event(1.0, add={"x": 0.5}),
        Event(9.0, parameters={"b": 7.0}),  # at t_end: no segment
    ]
    plan = plan_segments(events, 9.0, index, {"x": 0}.__getitem__, 3, 1)
    np.testing.assert_array_equal(plan.seg_t, [0.0, 1.0, 2.0, 9.0])
    np.testing.assert_array_equal(plan.jumps[:, 0], [0.0, 1.5, 0.0])
    for p0 in (np.array([1.0, 2.0, 4.0]), np.array([-1.0, 0.0, 8.0])):
        p = plan.parameters(p0)
        np.testing.assert_array_equal(p[:, 0], [p0[0], 3.0, 5.0])
        np.testing.assert_array_equal(p[:, 1:], np.repeat(p0[None, 1:], 3, axis=0))


def test_treatment_cohort_is_reproducible_and_independent_of_chunking() -> None:
    import mtorsim
    from mtorsim.pharmacology.cohort import sample_cohort_pk, simulate_treatment_cohort

    regs = [Regimen("everolimus", 10.0)]
    a = simulate_treatment_cohort(regs, 5, days=3, seed=4, points_per_day=2, chunk_size=2)
    b = simulate_treatment_cohort(regs, 5, days=3, seed=4, points_per_day=2, chunk_size=5)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_treatment_cohort(regs, 5, days=3, seed=5, points_per_day=2)
    assert not np.allclose(a["everolimus_blood_ng_mL"], c["everolimus_blood_ng_mL"])
    # patient 3 is the single-patient simulation with patient 3's PK parameters
    pk = sample_cohort_pk(regs, 5, seed=4).iloc[3].to_dict()
    one = mtorsim.load().simulate(days=3, points=37, exposure=regs, parameters=pk)
    one = one[one.time.isin(a.time_d.unique())].reset_index(drop=True)
    mine = a[a.patient == 3].reset_index(drop=True)
    for col in ("everolimus_blood_ng_mL", "S6K1", "AKT_S473"):
        np.testing.assert_allclose(mine[col], one[col], rtol=1e-5, atol=1e-9)


def test_table_writer_writes_whole_files_or_nothing(tmp_path) -> None:
    from mtorsim.io import table_writer

    for name in ("a.parquet", "a.csv"):
        with table_writer(tmp_path / name) as write:
            write(pd.DataFrame({"x": [1, 2]}))
            write(pd.DataFrame({"x": [3]}))
        read = pd.read_parquet if name.endswith("parquet") else pd.read_csv
        assert read(tmp_path / name)["x"].tolist() == [1, 2, 3]
    (tmp_path / "keep.csv").write_text("old\n")
    with pytest.raises(RuntimeError), table_writer(tmp_path / "keep.csv") as write:
        write(pd.DataFrame({"x": [1]}))
        raise RuntimeError("interrupted")
    assert (tmp_path / "keep.csv").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.parquet", "keep.csv"]


def test_cohort_patient_draws_do_not_depend_on_size_chunking_or_other_drugs() -> None:
    """README: the same patient gets the same draws whatever the cohort size or chunking."""
    import mtorsim
    from mtorsim.pharmacology.cohort import sample_cohort_pk

    cols = ["everolimus__CL", "everolimus__V1"]
    m = mtorsim.load()
    first = {}
    for n, chunk in ((5, 250), (10, 3), (20, 7)):
        res = m.simulate(
            days=1, exposure=Regimen("everolimus", 10.0), patients=n, seed=0, chunk_size=chunk
        )
        rows = res[res.time == 0].sort_values("patient")
        first[n] = pd.DataFrame(rows[cols].to_numpy(), columns=cols)
    for n in (10, 20):
        pd.testing.assert_frame_equal(first[n].iloc[:5], first[5])
    pd.testing.assert_frame_equal(first[20].iloc[:10], first[10])
    alone = sample_cohort_pk([Regimen("everolimus", 10.0)], 5, seed=0)
    with_other = sample_cohort_pk([Regimen("trametinib", 2.0), Regimen("everolimus", 10.0)], 5)
    pd.testing.assert_frame_equal(with_other[cols], alone[cols])
    pd.testing.assert_frame_equal(alone[cols], first[5])
