"""The interpreted tier (the specialised module's text run by CPython) computes exactly
what numba computes, falls back to the compiled tiers where it must, and spares small jobs
the numba import and compile (issue #14: a first run in seconds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mtorsim
import mtorsim.engine
from mtorsim.engine import interpreted, kernels
from mtorsim.network import Parameter, Reaction, Species, default_network

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
needs_models = pytest.mark.skipif(not MODELS.exists(), reason="shared/models not beside the repo")


def _both(monkeypatch: pytest.MonkeyPatch, run) -> tuple[np.ndarray, np.ndarray]:
    """``run()`` interpreted (uncapped), then on the specialised numba kernel."""
    monkeypatch.setenv(kernels.KERNEL_ENV, "interpreted")
    interp = np.asarray(run(), dtype=float)
    monkeypatch.setenv(kernels.KERNEL_ENV, "specialized")
    special = np.asarray(run(), dtype=float)
    return interp, special


def test_default_network_is_bit_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = mtorsim.engine.compile_network(default_network())
    a, b = _both(
        monkeypatch,
        lambda: mtorsim.engine.simulate(
            compiled, 24.0, points=97, parameters={"GF": 0.3}, initial="steady_state"
        ),
    )
    assert np.array_equal(a, b)
    a, b = _both(
        monkeypatch, lambda: mtorsim.engine.steady_state(compiled, {"AA": 0.2}).values.to_numpy()
    )
    assert np.array_equal(a, b)
    a, b = _both(monkeypatch, lambda: compiled.jac(compiled.y0, compiled.p0))
    assert np.array_equal(a, b)


def test_dosing_course_is_bit_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events

    compiled = compiled_with_drugs(["everolimus"])
    events = dosing_events([Regimen("everolimus", 10.0)], 72.0)
    a, b = _both(
        monkeypatch, lambda: mtorsim.engine.simulate(compiled, 72.0, points=73, events=events)
    )
    assert np.array_equal(a, b)


@needs_models
@pytest.mark.parametrize("name", ["Fujita2010", "Brannmark2013", "DallePezze2012"])
def test_published_sbml_models_are_bit_identical(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from mtorsim.network.published_experiments import PUBLISHED_EXPERIMENTS
    from mtorsim.network.sbml_import import read_sbml

    t_end, condition = PUBLISHED_EXPERIMENTS[name]
    model = read_sbml(MODELS / f"{name}.xml")
    compiled = mtorsim.engine.compile_network(model.network, hooks=False)
    events = model.events(condition)
    a, b = _both(
        monkeypatch,
        lambda: mtorsim.engine.simulate(
            compiled, t_end, points=101, parameters=condition, events=events, rtol=1e-8
        ),
    )
    assert np.array_equal(a, b)


def _fresh(compiled: mtorsim.engine.CompiledNetwork) -> mtorsim.engine.CompiledNetwork:
    """The same structure with no kernel loaded in this process (as in a new process)."""
    from dataclasses import replace

    from mtorsim.engine import codegen

    arrays = codegen._artifacts(compiled.network, compiled.key)
    return replace(compiled, kernels=codegen._Kernels(compiled.key, compiled.network, arrays))


def test_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(kernels.KERNEL_ENV, raising=False)
    monkeypatch.setattr(interpreted, "_spent", 0.0)
    c = _fresh(mtorsim.engine.compile_network(default_network()))
    # as in a new process (earlier tests may have compiled the module this one shares)
    monkeypatch.setattr(c.kernels, "_compiled_here", lambda entry: False)
    assert isinstance(c.kernel("simulate_one")[0], interpreted.Interpreted)
    assert isinstance(c.kernel("newton_steady")[0], interpreted.Interpreted)
    assert not isinstance(c.kernel("simulate_batch", 2)[0], interpreted.Interpreted)
    assert not isinstance(c.kernel("newton_steady_batch", 1)[0], interpreted.Interpreted)
    for mode in ("generic", "specialized"):
        monkeypatch.setenv(kernels.KERNEL_ENV, mode)
        assert not isinstance(c.kernel("simulate_one")[0], interpreted.Interpreted)
    monkeypatch.delenv(kernels.KERNEL_ENV)
    monkeypatch.setattr(interpreted, "_spent", interpreted.PROCESS_SECONDS)  # budget spent
    assert not isinstance(c.kernel("simulate_one")[0], interpreted.Interpreted)
    # a compiled kernel on disk costs only numba's import: a smaller budget
    monkeypatch.setattr(kernels, "specialized_cached", lambda key, entry: True)
    monkeypatch.setattr(interpreted, "_spent", 0.0)
    assert isinstance(c.kernel("simulate_one")[0], interpreted.Interpreted)
    monkeypatch.setattr(interpreted, "_spent", interpreted.CACHED_SECONDS)
    assert not isinstance(c.kernel("simulate_one")[0], interpreted.Interpreted)


def test_a_compiled_entry_in_the_process_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interpreted, "_spent", 0.0)
    c = _fresh(mtorsim.engine.compile_network(default_network()))
    monkeypatch.setenv(kernels.KERNEL_ENV, "specialized")
    mtorsim.engine.simulate(c, 1.0, points=2)  # compiles (or loads) simulate_one
    monkeypatch.delenv(kernels.KERNEL_ENV)
    assert c.kernel("simulate_one")[0] is c.kernels.specialized()


def test_a_long_job_reruns_compiled_with_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(kernels.KERNEL_ENV, raising=False)
    monkeypatch.setattr(interpreted, "_spent", 0.0)
    compiled = mtorsim.engine.compile_network(default_network())
    monkeypatch.setenv(kernels.KERNEL_ENV, "specialized")
    ref = mtorsim.engine.simulate(compiled, 48.0, points=49, parameters={"GF": 0.2})
    monkeypatch.delenv(kernels.KERNEL_ENV)
    monkeypatch.setattr(interpreted, "JOB_SECONDS", 1e-9)  # every job hits the step cap
    c = _fresh(compiled)
    monkeypatch.setattr(c.kernels, "_compiled_here", lambda entry: False)  # a new process
    df = mtorsim.engine.simulate(c, 48.0, points=49, parameters={"GF": 0.2})
    tier = c.kernels.interpreted()
    assert tier.fallbacks == 1
    assert np.array_equal(df.to_numpy(), ref.to_numpy())
    assert df.attrs["steps"] == ref.attrs["steps"]
    # the mode is read per job: the same tier, now forced, runs the job through uncapped
    monkeypatch.setenv(kernels.KERNEL_ENV, "interpreted")
    df = mtorsim.engine.simulate(c, 48.0, points=49, parameters={"GF": 0.2})
    assert tier.fallbacks == 1
    assert np.array_equal(df.to_numpy(), ref.to_numpy())


def test_numeric_errors_fall_back_to_numbas_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """exp overflows in a rejected trial step: CPython raises, numba's inf just rejects it."""
    net = mtorsim.Network(
        name="overflowing",
        species=[Species("x", 1.0, "1")],
        parameters=[Parameter("k", 800.0, "1", "assumed"), Parameter("kr", 1.0, "1/h", "assumed")],
        reactions=[Reaction("r", "kr*(exp(k*x) - exp(k))", reactants=("x",))],
    )
    compiled = mtorsim.engine.compile_network(net, hooks=False)
    runs = {}
    for mode in ("specialized", "interpreted"):
        monkeypatch.setenv(kernels.KERNEL_ENV, mode)
        c = _fresh(compiled)
        try:
            runs[mode] = mtorsim.engine.simulate(c, 1.0, points=3, initial={"x": 1.5}).to_numpy()
        except mtorsim.SolverError as exc:
            runs[mode] = str(exc)
        if mode == "interpreted":
            assert c.kernels.interpreted().fallbacks >= 1
    a, b = runs["interpreted"], runs["specialized"]
    assert type(a) is type(b)
    assert a == b if isinstance(a, str) else np.array_equal(a, b, equal_nan=True)


def test_a_warm_single_run_never_imports_numba() -> None:
    mtorsim.load().simulate(hours=1)  # the structure's files are in the cache now
    code = (
        "import sys, mtorsim\n"
        "m = mtorsim.load()\n"
        "m.simulate(hours=24)\n"
        "m.steady_state()\n"
        "print('numba' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert out.stdout.strip() == "False"
