"""The fast engine agrees with scipy's BDF and with exact solutions; batches equal singles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mtorsim.engine
from mtorsim.engine import Event
from mtorsim.errors import MtorsimError, SolverError
from mtorsim.network import Network, Parameter, Reaction, Species


def _decay() -> Network:
    return Network(
        "decay",
        [Species("A", 1.0), Species("B", 0.0)],
        [Parameter("k", 0.7, "1/h")],
        [Reaction("conv", "k*A", reactants=("A",), products=("B",))],
    )


def test_exact_solution_of_linear_decay() -> None:
    df = mtorsim.engine.simulate(_decay(), 10.0, points=41, rtol=1e-10, atol=1e-14)
    exact = np.exp(-0.7 * df["time_h"])
    assert np.max(np.abs(df["A"] - exact)) < 1e-8
    assert np.allclose(df["A"] + df["B"], 1.0, atol=1e-10)


def test_step_count_scales_like_a_fourth_order_method() -> None:
    """Steps ~ tol^(-1/4) for RODAS4's order-3 error estimate (p + 1 = 4)."""
    steps = [
        mtorsim.engine.simulate(_decay(), 50.0, points=2, rtol=tol, atol=tol * 1e-3).attrs["steps"]
        for tol in (1e-5, 1e-9)
    ]
    exponent = np.log(steps[1] / steps[0]) / np.log(1e4)
    assert 0.15 < exponent < 0.4, (steps, exponent)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"GF": 0.0},
        {"inhibit_mTORC1": 0.9, "PTEN_level": 0.0},
        {"TSC_level": 0.0, "BRAF_gain": 1.0},
    ],
)
def test_agrees_with_scipy_bdf(compiled, params) -> None:
    events = [Event(3.0, {"inhibit_MEK": 0.8}), Event(10.0, {"AA": 0.2})]
    fast = mtorsim.engine.simulate(
        compiled, 24.0, points=49, parameters=params, events=events, rtol=1e-9, atol=1e-12
    )
    ref = mtorsim.engine.simulate_reference(
        compiled, 24.0, points=49, parameters=params, events=events, rtol=1e-10, atol=1e-13
    )
    a, b = fast.to_numpy()[:, 1:], ref.to_numpy()[:, 1:]
    rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-6)
    assert rel.max() < 1e-5


def test_events_change_parameters_and_add_amounts(toy: Network) -> None:
    df = mtorsim.engine.simulate(
        toy,
        10.0,
        t_out=[0.0, 4.999, 5.0, 10.0],
        events=[Event(5.0, parameters={"kf": 0.0}, add={"A": 5.0})],
    )
    total = df["A"] + df["B"]
    assert total.iloc[0] == pytest.approx(10.0)
    assert total.iloc[1] == pytest.approx(10.0, rel=1e-6)
    assert total.iloc[2] == pytest.approx(15.0, rel=1e-6)  # output at the event: after it
    assert df["B"].iloc[3] < df["B"].iloc[2]  # kf = 0: only the reverse reaction runs


def test_batch_equals_single_runs(compiled) -> None:
    rng = np.random.default_rng(1)
    sets = pd.DataFrame(
        {"k_irs_ser": 80 * np.exp(rng.normal(0, 0.3, 6)), "GF": rng.uniform(0.2, 1.0, 6)}
    )
    _, values, status = mtorsim.engine.simulate_batch(compiled, 12.0, sets, points=25)
    assert (status == 0).all()
    for i in range(len(sets)):
        single = mtorsim.engine.simulate(
            compiled, 12.0, points=25, parameters=sets.iloc[i].to_dict()
        )
        assert np.array_equal(single.to_numpy()[:, 1:], values[i])


def test_batch_of_mappings_keeps_the_model_value_a_set_leaves_out(compiled) -> None:
    sets = [{"GF": 0.4}, {"k_irs_ser": 60.0}]
    _, values, status = mtorsim.engine.simulate_batch(compiled, 6.0, sets, points=7)
    assert (status == 0).all()
    for i, given in enumerate(sets):
        single = mtorsim.engine.simulate(compiled, 6.0, points=7, parameters=given)
        assert np.array_equal(single.to_numpy()[:, 1:], values[i])
    with pytest.raises(MtorsimError, match="NaN"):  # a value given as NaN is still refused
        mtorsim.engine.simulate_batch(compiled, 6.0, [{"GF": float("nan")}, {}], points=7)


def test_batch_with_events_keeps_per_set_values(compiled) -> None:
    sets = pd.DataFrame({"GF": [0.3, 1.0]})
    _, values, _ = mtorsim.engine.simulate_batch(
        compiled, 4.0, sets, points=5, events=[Event(2.0, {"inhibit_mTORC1": 0.9})]
    )
    single = mtorsim.engine.simulate(
        compiled,
        4.0,
        points=5,
        parameters={"GF": 0.3},
        events=[Event(2.0, {"inhibit_mTORC1": 0.9})],
    )
    assert np.array_equal(single.to_numpy()[:, 1:], values[0])


def test_blow_up_is_reported_with_status() -> None:
    net = Network(
        "boom",
        [Species("X", 1.0)],
        [Parameter("k", 1.0, "1/h")],
        [Reaction("auto", "k*X^2", products=("X",))],
    )
    with pytest.raises(SolverError, match="integration failed") as info:
        mtorsim.engine.simulate(net, 5.0)  # X = 1/(1 - t) blows up at t = 1
    assert info.value.status != 0


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan")])
def test_bad_duration(compiled, bad) -> None:
    with pytest.raises(MtorsimError, match="duration"):
        mtorsim.engine.simulate(compiled, bad)


def test_nan_parameter_rejected(compiled) -> None:
    with pytest.raises(MtorsimError, match="nan"):
        mtorsim.engine.simulate(compiled, 1.0, parameters={"GF": float("nan")})


def test_negative_event_time_rejected() -> None:
    with pytest.raises(MtorsimError, match="event time"):
        Event(-1.0, {"GF": 0.0})
