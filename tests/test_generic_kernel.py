"""The generic kernel (model as data) computes what the specialised kernels compute.

The tape replays the printed code's operations in its order, so the two tiers agree bit
for bit in practice; the tests demand 1e-10 relative (issue #14) and report exactness.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest

import mtorsim.engine
from mtorsim.engine import kernels
from mtorsim.engine.tape import OPCODES, UnsupportedExpression, build_tape
from mtorsim.errors import MtorsimError
from mtorsim.network import Parameter, Reaction, Species, default_network

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
needs_models = pytest.mark.skipif(not MODELS.exists(), reason="shared/models not beside the repo")


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-10) -> None:
    scale = np.maximum(np.abs(b), 1e-12 * max(float(np.max(np.abs(b))), 1e-300))
    assert np.all(np.abs(a - b) <= rtol * scale), float(np.max(np.abs(a - b) / scale))


def _both(monkeypatch: pytest.MonkeyPatch, run) -> tuple[np.ndarray, np.ndarray]:
    """``run()`` on the generic, then the specialised kernel."""
    monkeypatch.setenv(kernels.KERNEL_ENV, "generic")
    generic = np.asarray(run(), dtype=float)
    monkeypatch.setenv(kernels.KERNEL_ENV, "specialized")
    special = np.asarray(run(), dtype=float)
    return generic, special


def test_opcodes_match_the_interpreter() -> None:
    text = (Path(mtorsim.engine.__file__).parent / "_generic_template.py").read_text()
    numbers = {m[0]: int(m[1]) for m in re.findall(r"^([A-Z0-9_]+) = (\d+)$", text, re.M)}
    assert numbers == OPCODES


def test_tape_refuses_what_it_cannot_run() -> None:
    with pytest.raises(UnsupportedExpression):
        build_tape({"rhs": [("out[0]", "math.gamma(v_x)")], "jac": [], "obs": []}, ["x"], [])
    with pytest.raises(UnsupportedExpression):
        build_tape({"rhs": [("out[0]", "v_unknown")], "jac": [], "obs": []}, ["x"], [])


def test_tape_follows_numba_on_constants_and_powers() -> None:
    """Folded literals, integer powers (numba's unrolled static power) and selections."""
    lines = [("out[0]", "v_x**3 + v_x**(-2) + (1/3)*v_k + (v_k if (v_x > 1) else -v_k)")]
    tape = build_tape({"rhs": lines, "jac": [], "obs": []}, ["x"], ["k"])
    ops = {name for name, i in OPCODES.items() if i in set(tape["code"][:, 0])}
    assert {"POWI", "SELECT", "GT"} <= ops and "POW" not in ops and "DIV" not in ops
    assert 1 / 3 in tape["consts"]
    # a folded operand inside another literal operation (the SBML import prints -1/2)
    tape = build_tape({"rhs": [("out[0]", "(-1/2)*v_x")], "jac": [], "obs": []}, ["x"], [])
    assert list(tape["consts"]) == [-0.5]


def test_default_network_time_course_and_steady_state(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = mtorsim.engine.compile_network(default_network())
    g, s = _both(monkeypatch, lambda: mtorsim.engine.simulate(compiled, 24.0, points=97))
    _close(g, s)
    g, s = _both(
        monkeypatch, lambda: mtorsim.engine.steady_state(compiled, {"GF": 0.3}).values.to_numpy()
    )
    _close(g, s)
    g, s = _both(monkeypatch, lambda: compiled.jac(compiled.y0, compiled.p0))
    assert np.array_equal(g, s)


def test_drug_network_with_doses(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events

    compiled = compiled_with_drugs(["everolimus"])
    horizon = 7 * 24.0
    events = dosing_events([Regimen("everolimus", 10.0)], horizon)
    assert len(events) >= 7
    g, s = _both(
        monkeypatch,
        lambda: mtorsim.engine.simulate(compiled, horizon, points=169, events=events),
    )
    _close(g, s)


@needs_models
@pytest.mark.parametrize("name", ["Fujita2010", "Brannmark2013", "DallePezze2012"])
def test_published_sbml_models(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from mtorsim.network.published_experiments import PUBLISHED_EXPERIMENTS
    from mtorsim.network.sbml_import import read_sbml

    t_end, condition = PUBLISHED_EXPERIMENTS[name]
    model = read_sbml(MODELS / f"{name}.xml")
    compiled = mtorsim.engine.compile_network(model.network, hooks=False)
    assert compiled.kernels.generic_md is not None, compiled.kernels.generic_error
    events = model.events(condition)
    g, s = _both(
        monkeypatch,
        lambda: mtorsim.engine.simulate(
            compiled, t_end, points=101, parameters=condition, events=events, rtol=1e-8
        ),
    )
    _close(g, s)


def test_rule_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    def rule(mode="auto", ok=True, cached=False, size=1, steps=0, entry="newton_steady_batch"):
        return kernels.choose(
            mode, generic_ok=ok, cached=cached, size=size, generic_steps=steps, entry=entry
        )

    big = kernels.LARGE_JOB["newton_steady_batch"]

    assert rule() == "generic"
    assert rule(cached=True) == "specialized"
    assert rule(size=big) == "specialized"
    assert rule(size=big - 1) == "generic"
    assert rule(size=big, entry="simulate_batch") == "generic"  # gauged by steps instead
    assert rule(size=10**6, entry="simulate_one") == "generic"
    assert rule(steps=kernels.STEP_BUDGET) == "specialized"
    assert rule("generic", cached=True, size=big) == "generic"
    assert rule("specialized") == "specialized"
    assert rule("generic", ok=False) == "specialized"
    compiled = mtorsim.engine.compile_network(default_network())
    monkeypatch.setenv(kernels.KERNEL_ENV, "generic")
    module, md = compiled.kernel("simulate_batch", 10_000)
    assert module is kernels.generic_module() and md is compiled.kernels.generic_md
    monkeypatch.setenv(kernels.KERNEL_ENV, "specialized")
    module, md = compiled.kernel("simulate_one")
    assert module.__name__ == f"mtorsim_model_{compiled.key}" and md is kernels.SPECIALIZED_MD
    monkeypatch.setenv(kernels.KERNEL_ENV, "fastest")
    with pytest.raises(MtorsimError, match="MTORSIM_KERNEL"):
        compiled.kernel()


def test_new_structure_runs_without_compiling_a_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """A structure never seen before: time course and steady state, no specialised module."""
    monkeypatch.delenv(kernels.KERNEL_ENV, raising=False)
    tag = f"X{uuid.uuid4().hex[:8]}"
    net = default_network().add(
        Species(tag, 1.0, "1"),
        Parameter(f"k_{tag}", 0.5, "1/h"),
        Reaction(f"decay_{tag}", f"k_{tag}*{tag}", (tag,)),
    )
    compiled = mtorsim.engine.compile_network(net)
    df = mtorsim.engine.simulate(compiled, 4.0, points=5)
    np.testing.assert_allclose(df[tag].iloc[-1], np.exp(-2.0), rtol=1e-5)
    mtorsim.engine.steady_state(compiled)
    mtorsim.engine.simulate_batch(compiled, 1.0, [{"GF": 0.5}] * 3, points=2)
    assert f"mtorsim_model_{compiled.key}" not in sys.modules
    assert not compiled.kernels.special_loaded
    folder = kernels.cache_dir()
    assert (folder / f"mtorsim_model_{compiled.key}.npz").exists()
    assert not list((folder / "__pycache__").glob(f"mtorsim_model_{compiled.key}.*"))


def test_batch_gauges_its_work_on_a_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generic first; past the step budget the rest of the batch runs specialised."""
    from dataclasses import replace

    from mtorsim.engine import codegen
    from mtorsim.engine.simulate import PROBE_ROWS

    compiled = mtorsim.engine.compile_network(default_network())
    sets = [{"GF": 0.2 + 0.01 * i} for i in range(PROBE_ROWS + 8)]
    monkeypatch.setenv(kernels.KERNEL_ENV, "generic")
    _, ref, _ = mtorsim.engine.simulate_batch(compiled, 24.0, sets, points=5)
    monkeypatch.delenv(kernels.KERNEL_ENV)
    monkeypatch.setattr(kernels, "specialized_cached", lambda key, entry: False)

    def fresh() -> mtorsim.engine.CompiledNetwork:  # no kernel history, here or on disk
        arrays = codegen._artifacts(compiled.network, compiled.key)
        k = codegen._Kernels(compiled.key, compiled.network, arrays)
        k.work.forget()
        return replace(compiled, kernels=k)

    small = fresh()
    _, values, _ = mtorsim.engine.simulate_batch(small, 24.0, sets, points=5)
    assert np.array_equal(values, ref)
    assert not small.kernels.special_loaded and small.kernels.generic_steps > 0
    monkeypatch.setattr(kernels, "STEP_BUDGET", 100)
    big = fresh()
    _, values, _ = mtorsim.engine.simulate_batch(big, 24.0, sets, points=5)
    assert np.array_equal(values, ref)
    assert big.kernels.special_loaded
    assert 0 < big.kernels.generic_steps < small.kernels.generic_steps  # the probe only


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return out.stdout.strip()


def test_import_pulls_no_sympy_scipy_or_libsbml() -> None:
    code = (
        "import sys, mtorsim.engine, mtorsim.network\n"
        "print(sorted(m for m in ('sympy', 'scipy', 'libsbml') if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_warm_process_runs_without_sympy() -> None:
    """Validation record and .npz cache: a known structure never needs sympy."""
    compiled = mtorsim.engine.compile_network(default_network())
    mtorsim.engine.simulate(compiled, 1.0, points=2)  # warm: records and arrays on disk
    code = (
        "import sys\n"
        "from mtorsim.engine import compile_network, simulate, steady_state\n"
        "from mtorsim.network import default_network\n"
        "c = compile_network(default_network())\n"
        "simulate(c, 24.0)\n"
        "steady_state(c)\n"
        "print('sympy' in sys.modules)"
    )
    assert _run(code) == "False"


def test_generic_work_is_remembered_across_processes(tmp_path, monkeypatch) -> None:
    """Every CLI run is a new process: the step budget counts earlier processes' work."""
    monkeypatch.setenv("MTORSIM_CACHE_DIR", str(tmp_path))
    first = kernels.WorkCounter("k")
    first.add(kernels.STEP_BUDGET // 2)
    first.flush()
    second = kernels.WorkCounter("k")  # a later process
    assert second.steps == kernels.STEP_BUDGET // 2 and second.session == 0
    second.add(kernels.STEP_BUDGET // 2)
    rule = {"generic_ok": True, "cached": False, "size": 1, "entry": "simulate_batch"}
    assert kernels.choose("auto", generic_steps=second.steps, **rule) == "specialized"
    assert kernels.choose("auto", generic_steps=first.session, **rule) == "generic"
