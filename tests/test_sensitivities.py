"""Forward and steady-state sensitivities agree with central finite differences; RODAS4
keeps its order on a non-autonomous problem (the ∂f/∂t term)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mtorsim
import mtorsim.engine
from mtorsim.engine import Event
from mtorsim.network import Network, Parameter, Reaction, Species, default_network

MODELS = Path(__file__).parents[2] / "shared" / "models"
TIGHT = {"rtol": 1e-12, "atol": 1e-16}
FD_STEP = 1e-3  # relative; central differences: truncation ~1e-7 relative


def _fd(compiled, t_end, names, t_out, *, values=None, **kw):
    """Central differences of simulate() readouts (T, R, P), and their noise floor
    (R, P): 100 rtol |readout| / (2 h), what the runs' own errors can make of them."""
    values = dict(values or {})
    cols, noise = [], []
    for name in names:
        v = values.get(name, float(compiled.p0[compiled.parameter_index(name)]))
        h = FD_STEP * max(abs(v), 1e-3)
        runs = []
        for sign in (1.0, -1.0):
            df = mtorsim.engine.simulate(
                compiled, t_end, t_out=t_out, parameters={**values, name: v + sign * h}, **kw
            )
            runs.append(df.to_numpy()[:, 1:])
        cols.append((runs[0] - runs[1]) / (2 * h))
        noise.append(100 * kw["rtol"] * np.max(np.abs(runs[0]), axis=0) / (2 * h))
    return np.stack(cols, axis=2), np.stack(noise, axis=1)


def _rel_error(s: np.ndarray, fd_noise: tuple[np.ndarray, np.ndarray]) -> float:
    """Max error per (readout, parameter) relative to that series' largest |value|
    (floored at 1e-3 of the parameter's largest), beyond the differences' noise floor."""
    fd, noise = fd_noise
    scale = np.max(np.abs(fd), axis=0, keepdims=True)
    scale = np.maximum(scale, 1e-3 * np.max(np.abs(fd), axis=(0, 1), keepdims=True))
    return float(np.max(np.maximum(np.abs(s - fd) - noise[None], 0.0) / scale))


T_OUT = [0.0, 0.05, 0.5, 2.0, 6.0, 12.0]


def test_default_network_matches_finite_differences() -> None:
    c = mtorsim.engine.compile_network(default_network())
    names = ["GF", "AA", "PTEN_level"]
    r = mtorsim.engine.sensitivities(c, 12.0, names, t_out=T_OUT, rtol=1e-10, atol=1e-14)
    assert r.sensitivities.shape == (len(T_OUT), c.n_species + len(c.observables), 3)
    assert r.readouts[-1] == c.observables[-1]  # observables included
    fd = _fd(c, 12.0, names, T_OUT, **TIGHT)
    assert _rel_error(r.sensitivities, fd) < 1e-4
    assert np.allclose(r.of(c.observables[0], "GF"), fd[0][:, c.n_species, 0], rtol=1e-4)
    plain = mtorsim.engine.simulate(c, 12.0, t_out=T_OUT, **TIGHT).to_numpy()[:, 1:]
    assert np.max(np.abs(plain - r.values)) < 1e-8


def test_events_set_parameters_and_add_amounts() -> None:
    """A parameter fixed by an event stops forcing S; bolus additions keep S continuous."""
    c = mtorsim.engine.compile_network(default_network())
    species = c.species[0]
    events = [Event(1.0, {"GF": 0.3}), Event(3.0, add={species: 0.2})]
    names = ["GF", "AA"]
    r = mtorsim.engine.sensitivities(
        c, 6.0, names, t_out=T_OUT[:-1], events=events, rtol=1e-10, atol=1e-14
    )
    fd = _fd(c, 6.0, names, T_OUT[:-1], events=events, **TIGHT)
    assert _rel_error(r.sensitivities, fd) < 1e-4


def test_drug_network_with_dosing_events() -> None:
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events

    c = compiled_with_drugs(["everolimus"])
    events = dosing_events([Regimen("everolimus", 10.0)], 48.0)
    pk = [n for n in c.parameters if "everolimus" in n.lower() and c.p0[c.parameter_index(n)]]
    names = [pk[0], "GF"]
    t_out = [0.0, 2.0, 12.0, 30.0, 48.0]
    r = mtorsim.engine.sensitivities(
        c, 48.0, names, t_out=t_out, events=events, rtol=1e-10, atol=1e-14
    )
    fd = _fd(c, 48.0, names, t_out, events=events, **TIGHT)
    assert _rel_error(r.sensitivities, fd) < 1e-4


@pytest.mark.skipif(not MODELS.is_dir(), reason="needs ../shared/models beside the repository")
def test_imported_sbml_with_time_dependent_rates() -> None:
    from mtorsim.network.sbml_import import read_sbml

    model = read_sbml(MODELS / "Fujita2010.xml")
    c = mtorsim.engine.compile_network(model.network)
    assert c.kernels.generic_md is not None and c.kernels.generic_md[11].size  # uses time
    ramp = {"EGF_0": 1.0, "EGF_rate": 0.002, "EGF_end": 1200.0}  # EGF(t) = 1 + 0.002 t, s
    names = ["reaction_1_k1", "reaction_2_k1", "reaction_4_k1", "EGF_rate"]
    t_out = [0.0, 60.0, 300.0, 900.0, 1800.0]
    r = mtorsim.engine.sensitivities(
        c, 1800.0, names, t_out=t_out, values=ramp, rtol=1e-10, atol=1e-14
    )
    fd = _fd(c, 1800.0, names, t_out, values=ramp, rtol=1e-11, atol=1e-12)
    assert np.max(np.abs(fd[0])) > 0
    assert _rel_error(r.sensitivities, fd) < 1e-4


def test_steady_state_sensitivities_match_finite_differences() -> None:
    c = mtorsim.engine.compile_network(default_network())
    names = ["GF", "AA", "PTEN_level"]
    res = mtorsim.engine.steady_state_sensitivities(c, names)
    for name in names:
        v = float(c.p0[c.parameter_index(name)])
        h = 1e-5 * max(abs(v), 1e-3)
        up = mtorsim.engine.steady_state(c, {name: v + h}, tol=1e-13).values
        dn = mtorsim.engine.steady_state(c, {name: v - h}, tol=1e-13).values
        fd = ((up - dn) / (2 * h)).to_numpy()
        err = np.abs(res.sensitivities[name].to_numpy() - fd) / max(np.max(np.abs(fd)), 1e-12)
        assert err.max() < 1e-4, (name, err.max())


def test_steady_start_carries_its_sensitivity() -> None:
    """Starting from the steady state: S(0) = dy*/dθ, so S stays flat over time."""
    c = mtorsim.engine.compile_network(default_network())
    r = mtorsim.engine.sensitivities(c, 10.0, ["GF"], t_out=[0.0, 10.0], initial="steady_state")
    assert np.allclose(r.sensitivities[0], r.sensitivities[1], rtol=1e-5, atol=1e-8)
    ss = mtorsim.engine.steady_state_sensitivities(c, ["GF"]).sensitivities["GF"].to_numpy()
    assert np.allclose(r.sensitivities[0, :, 0], ss, rtol=1e-6, atol=1e-10)


def _forced() -> Network:
    """y' = k(2 + sin t − y) + cos t, y(0) = 2: y = 2 + sin t for any k (stiff, k = 50)."""
    return Network(
        "forced",
        [Species("y", 2.0)],
        [Parameter("k", 50.0, "1/h")],
        [Reaction("r", "k*(2 + sin(time) - y) + cos(time)", products=("y",))],
        check_units=False,
    )


@pytest.mark.parametrize("kernel", ["generic", "specialized"])
def test_order_holds_on_a_non_autonomous_problem(monkeypatch, kernel) -> None:
    """Global error ~ steps^-4 as the tolerance tightens (without ∂f/∂t and the stage
    times, RODAS4's error stalls at order 1-2 here)."""
    monkeypatch.setenv("MTORSIM_KERNEL", kernel)
    c = mtorsim.engine.compile_network(_forced())
    errors, steps = [], []
    for tol in (1e-5, 1e-7, 1e-9):
        df = mtorsim.engine.simulate(c, 10.0, t_out=[10.0], rtol=tol, atol=tol)
        errors.append(abs(df["y"].iloc[-1] - 2.0 - np.sin(10.0)))
        steps.append(df.attrs["steps"])
    slope = -np.polyfit(np.log(steps), np.log(errors), 1)[0]
    assert 3.0 < slope < 5.5, (steps, errors, slope)


def test_calibration_jacobian_from_sensitivities() -> None:
    """jacobian="sensitivities" on the shipped Fujita PEtab problem: the residual
    Jacobian agrees with the objective's forward differences (their error ~1e-5)."""
    from mtorsim.calibration import read_petab
    from mtorsim.calibration.sensitivity import jacobian_sensitivities, resolve_jacobian

    src = Path(mtorsim.__file__).parent / "data" / "petab" / "fujita2010" / "fujita2010.yaml"
    problem = read_petab(src)
    theta = problem.nominal
    fd = problem.objective.jacobian_fd(theta)
    exact = resolve_jacobian("sensitivities")(problem, theta)
    assert resolve_jacobian("sensitivities") is jacobian_sensitivities
    err = np.abs(exact - fd) / np.max(np.abs(fd), axis=0)
    assert err.max() < 1e-3, err.max(axis=0)


def test_batch_rows_equal_single_runs() -> None:
    """sensitivities_batch: every row is the single run of its parameter set, and a run
    that fails is reported in ``status``, not raised."""
    c = mtorsim.engine.compile_network(default_network())
    names = ["GF", "PTEN_level"]
    sets = [{"GF": 1.0}, {"GF": 0.3, "PTEN_level": 0.2}, {"AA": 0.5}]
    times, values, sens, status = mtorsim.engine.sensitivities_batch(
        c, 6.0, sets, names, t_out=T_OUT[:5], rtol=1e-10, atol=1e-14
    )
    assert sens.shape == (3, 5, c.n_species + len(c.observables), 2)
    assert (status == 0).all()
    for b, values_b in enumerate(sets):
        one = mtorsim.engine.sensitivities(
            c, 6.0, names, t_out=T_OUT[:5], values=values_b, rtol=1e-10, atol=1e-14
        )
        np.testing.assert_allclose(times, one.times)
        np.testing.assert_allclose(values[b], one.values, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sens[b], one.sensitivities, rtol=1e-7, atol=1e-10)
    *_, status = mtorsim.engine.sensitivities_batch(
        c, 6.0, sets[:1], names, t_out=T_OUT[:5], max_steps=3
    )
    assert status[0] != 0


def test_batched_steady_state_sensitivities_equal_single_ones() -> None:
    c = mtorsim.engine.compile_network(default_network())
    names = ["GF", "PTEN_level", "AA"]
    sets = [{"GF": 1.0}, {"GF": 0.3, "PTEN_level": 0.2}, {"AA": 0.5}]
    values, sens, ok = mtorsim.engine.steady_state_sensitivities_batch(c, sets, names)
    assert ok.all() and sens.shape == (3, c.n_species + len(c.observables), 3)
    for b, given in enumerate(sets):
        one = mtorsim.engine.steady_state_sensitivities(c, names, values=given)
        np.testing.assert_allclose(values[b], one.values.to_numpy(), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(sens[b], one.sensitivities.to_numpy(), rtol=1e-5, atol=1e-8)
