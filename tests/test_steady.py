"""Steady states: Newton converges, conservation laws are respected, fallback integrates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mtorsim.engine
from mtorsim.errors import SteadyStateError
from mtorsim.network import Network, Parameter, Reaction, Species


def test_default_steady_state_is_a_root(compiled) -> None:
    ss = mtorsim.engine.steady_state(compiled, {"GF": 0.3})
    y = ss.values[list(compiled.species)].to_numpy()
    assert np.max(np.abs(compiled.rhs(y, compiled.parameter_vector({"GF": 0.3})))) < 1e-9
    assert ss.residual < 1e-9


def test_steady_state_matches_long_simulation(compiled) -> None:
    ss = mtorsim.engine.steady_state(compiled, {"inhibit_mTORC1": 0.5}).values
    df = mtorsim.engine.simulate(
        compiled, 500.0, points=2, parameters={"inhibit_mTORC1": 0.5}, rtol=1e-10, atol=1e-13
    )
    assert np.allclose(df.iloc[-1][ss.index].to_numpy(dtype=float), ss.to_numpy(), atol=1e-7)


def test_conservation_law_respected(toy: Network) -> None:
    ss = mtorsim.engine.steady_state(toy).values
    assert ss["A"] + ss["B"] == pytest.approx(10.0, rel=1e-9)
    # at steady state fwd = rev: kf*A*Km/(Km+A) = kr*B
    assert 2.0 * ss["A"] * 5 / (5 + ss["A"]) == pytest.approx(ss["B"], rel=1e-8)


def test_batch_converges_on_perturbed_sets(compiled) -> None:
    rng = np.random.default_rng(7)
    kinetic = [p for p in compiled.parameters if p.startswith(("k_", "K_"))]
    sets = pd.DataFrame(
        {
            p: compiled.p0[compiled.parameter_index(p)] * np.exp(rng.normal(0, 0.2, 50))
            for p in kinetic
        }
    )
    values, ok = mtorsim.engine.steady_state_batch(compiled, sets)
    assert ok.all()
    p = compiled.parameter_vector(sets.iloc[3].to_dict())
    assert np.max(np.abs(compiled.rhs(values[3, : compiled.n_species], p))) < 1e-8


def test_unbounded_growth_reports_no_steady_state() -> None:
    net = Network(
        "grow",
        [Species("x", 1.0)],
        [Parameter("k", 1.0, "1/h")],
        [Reaction("production", "k", products=("x",))],
    )
    with pytest.raises(SteadyStateError, match="no steady state"):
        mtorsim.engine.steady_state(net, max_time=200.0)
