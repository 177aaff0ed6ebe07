"""Calibrator: recovers known parameters, resumes from a checkpoint, runs from the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorsim
from mtorsim.calibration import Calibrator, read_petab

TRUTH = {"kf": 2.0, "kr": 1.0}
EXAMPLE = Path(str(resources.files("mtorsim") / "data" / "petab" / "fujita2010"))


def make_toy_problem(folder: Path, noise: float = 0.0, sigma: str = "0.02") -> Path:
    """A 2-parameter PEtab problem on the A <-> B switch, data simulated at TRUTH."""
    folder.mkdir(parents=True, exist_ok=True)
    net = mtorsim.Network(
        name="toy",
        species=[mtorsim.Species("A", 10.0, "nM"), mtorsim.Species("B", 0.0, "nM")],
        parameters=[
            mtorsim.Parameter("kf", 0.5, "1/h", "assumed"),
            mtorsim.Parameter("kr", 3.0, "1/h", "assumed"),
            mtorsim.Parameter("Km", 5.0, "nM", "assumed"),
        ],
        reactions=[
            mtorsim.Reaction("fwd", "kf*A*Km/(Km + A)", reactants=("A",), products=("B",)),
            mtorsim.Reaction("rev", "kr*B", reactants=("B",), products=("A",)),
        ],
    )
    mtorsim.load(net).to_sbml(folder / "toy.xml")
    model = mtorsim.load(folder / "toy.xml")
    times = [0.25, 0.5, 1.0, 2.0, 4.0]
    rows = []
    rng = np.random.default_rng(3)
    for cond, km in (("low", 2.5), ("high", 5.0)):
        sim = model.simulate(until=4.0, points=17, parameters={**TRUTH, "Km": km})
        for t in times:
            b = float(np.interp(t, sim["time"], sim["B"]))
            rows.append(("B_obs", cond, b + noise * rng.standard_normal(), t))
    pd.DataFrame(
        rows, columns=["observableId", "simulationConditionId", "measurement", "time"]
    ).to_csv(folder / "measurements.tsv", sep="\t", index=False)
    pd.DataFrame({"conditionId": ["low", "high"], "Km": [2.5, 5.0]}).to_csv(
        folder / "conditions.tsv", sep="\t", index=False
    )
    pd.DataFrame(
        {"observableId": ["B_obs"], "observableFormula": ["B"], "noiseFormula": [sigma]}
    ).to_csv(folder / "observables.tsv", sep="\t", index=False)
    pd.DataFrame(
        {
            "parameterId": ["kf", "kr"],
            "parameterScale": ["log10", "log10"],
            "lowerBound": [0.01, 0.01],
            "upperBound": [100.0, 100.0],
            "nominalValue": [0.5, 3.0],
            "estimate": [1, 1],
        }
    ).to_csv(folder / "parameters.tsv", sep="\t", index=False)
    (folder / "toy.yaml").write_text(
        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
        "- sbml_files: [toy.xml]\n  condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n  observable_files: [observables.tsv]\n"
    )
    return folder / "toy.yaml"


@pytest.fixture()
def toy_yaml(tmp_path: Path) -> Path:
    return make_toy_problem(tmp_path / "toy")


def test_calibrator_recovers_known_parameters(toy_yaml: Path) -> None:
    cal = Calibrator(toy_yaml).fit(n_starts=3, seed=0, profiles=True)
    est = cal.estimates
    assert est["kf"] == pytest.approx(2.0, rel=1e-3)
    assert est["kr"] == pytest.approx(1.0, rel=1e-3)
    s = cal.summary
    assert list(s.columns[:8]) == [
        "parameter", "estimate", "lower", "upper", "ci_low", "ci_high", "unit", "source",
    ]  # fmt: skip
    assert set(s["ci_method"]) == {"profile"}
    assert (s["ci_low"] <= s["estimate"]).all() and (s["estimate"] <= s["ci_high"]).all()
    assert "h" in s.loc[s.parameter == "kf", "unit"].item()  # the SBML unit id
    scores = cal.evaluate()
    assert scores["within_1sigma"].item() == 1.0
    fig = cal.plot()
    assert len(fig.axes) >= 3


def test_wald_intervals_without_profiles(toy_yaml: Path) -> None:
    cal = Calibrator(toy_yaml).fit(n_starts=1, seed=0)
    s = cal.summary
    assert set(s["ci_method"]) == {"wald"}
    assert (s["ci_high"] > s["ci_low"]).all()


_CALLS: list[int] = []


def counting_jacobian(problem, theta):  # module level: picklable, like a real hook
    _CALLS.append(1)
    return problem.objective.jacobian_fd(theta)


def test_jacobian_hook_is_used(toy_yaml: Path) -> None:
    _CALLS.clear()
    cal = Calibrator(toy_yaml).fit(n_starts=1, seed=0, jacobian=counting_jacobian)
    assert _CALLS and cal.starts.loc[0, "njev"] == len(_CALLS)


def test_fd_jacobian_matches_central_differences(toy_yaml: Path) -> None:
    problem = read_petab(toy_yaml)
    obj = problem.objective
    theta = np.log10([1.5, 0.8])
    jac = obj.jacobian_fd(theta)
    for j in range(2):
        e = np.zeros(2)
        e[j] = 1e-4
        central = (obj.residuals(theta + e) - obj.residuals(theta - e)) / 2e-4
        np.testing.assert_allclose(jac[:, j], central, rtol=1e-3, atol=1e-2)


def test_checkpoint_resume_skips_finished_starts(toy_yaml: Path, tmp_path: Path, monkeypatch):
    import mtorsim.calibration.calibrator as calmod

    ckpt = tmp_path / "fit.json"
    first = Calibrator(toy_yaml).fit(n_starts=2, seed=5, checkpoint=ckpt)
    assert len(json.loads(ckpt.read_text())["starts"]) == 2
    ran: list[int] = []
    real = calmod.run_start

    def spy(problem, index, x0, **kw):
        ran.append(index)
        return real(problem, index, x0, **kw)

    monkeypatch.setattr(calmod, "run_start", spy)
    again = Calibrator(toy_yaml).fit(n_starts=3, seed=5, checkpoint=ckpt)
    assert ran == [2]
    assert len(again.starts) == 3
    old = first.starts.set_index("start")["nllh"]
    new = again.starts.set_index("start")["nllh"]
    assert new[0] == old[0] and new[1] == old[1]
    with pytest.raises(mtorsim.MtorsimError, match="another seed"):
        Calibrator(toy_yaml).fit(n_starts=3, seed=6, checkpoint=ckpt)


@pytest.mark.parametrize("text", ["[1, 2]", '{"starts": [{"start": "x"}]}', "{", '{"starts": 3}'])
def test_a_damaged_checkpoint_is_one_error_from_python(toy_yaml: Path, tmp_path: Path, text):
    ckpt = tmp_path / "fit.json"
    ckpt.write_text(text)
    with pytest.raises(mtorsim.MtorsimError, match="not a checkpoint file"):
        Calibrator(toy_yaml).fit(n_starts=1, seed=5, checkpoint=ckpt)
    assert ckpt.read_text() == text  # left as it was


def test_process_workers_give_the_serial_result(toy_yaml: Path) -> None:
    serial = Calibrator(toy_yaml).fit(n_starts=2, seed=1, max_nfev=20)
    parallel = Calibrator(toy_yaml).fit(n_starts=2, seed=1, max_nfev=20, workers=2)
    a = serial.starts.set_index("start")["nllh"].sort_index()
    b = parallel.starts.set_index("start")["nllh"].sort_index()
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10)


def test_starts_are_seeded_per_start(toy_yaml: Path) -> None:
    from mtorsim.calibration.calibrator import start_points

    problem = read_petab(toy_yaml)
    a, b = start_points(problem, 3, 7), start_points(problem, 5, 7)
    np.testing.assert_array_equal(a, b[:3])
    lo, hi = problem.bounds
    assert (a >= lo).all() and (a <= hi).all()


def test_shipped_fujita_fit_scores_step_data() -> None:
    """The fitted set in the package reproduces the step (fitting) data it came from."""
    fitted = pd.read_csv(
        Path(str(resources.files("mtorsim") / "data" / "calibration" / "fujita2010.csv"))
    )
    assert list(fitted.columns) == ["parameter", "value", "unit", "source"]
    problem = read_petab(EXAMPLE / "fujita2010.yaml", run_lint=False)
    values = fitted.set_index("parameter")["value"]
    theta = np.log10([values[p] for p in problem.free_ids])
    table = problem.objective.simulation_table(theta)
    within = (table["residual"].abs() <= 2.0).groupby(table["observableId"]).mean()
    assert (within >= 0.8).all(), within


def test_default_network_fit_predicts_held_out_pulses_and_ramps() -> None:
    """mtorsim's network (+ receptor internalisation), fitted to the EGF steps only, keeps
    every read-out of the held-out pulses and ramps within +-2 sigma at >= 80 % of points."""
    folder = EXAMPLE.parent / "fujita2010_default"
    fitted = pd.read_csv(
        Path(str(resources.files("mtorsim") / "data" / "calibration" / "fujita2010_default.csv"))
    )
    assert fitted["source"].str.contains("EGF step time courses").all()
    problem = read_petab(folder / "fujita2010_default.yaml", run_lint=False)
    assert {"k_rtk_int", "k_rtk_rec"} <= set(problem.free_ids)
    values = fitted.set_index("parameter")["value"]
    scale = problem.free["parameterScale"]
    theta = np.array(
        [np.log10(values[p]) if scale[p] == "log10" else values[p] for p in problem.free_ids]
    )
    test = pd.read_csv(folder / "measurements_test.tsv", sep="\t")
    assert set(test["simulationConditionId"]).isdisjoint(
        problem.measurements["simulationConditionId"]
    )
    table = problem.with_measurements(test).objective.simulation_table(theta)
    within = (table["residual"].abs() <= 2.0).groupby(table["observableId"]).mean()
    assert len(within) == 3 and (within >= 0.8).all(), within


def test_cli_calibrate_fits_shipped_example(tmp_path: Path) -> None:
    out = tmp_path / "fit"
    cmd = [
        sys.executable, "-c", "from mtorsim.cli import main; main()", "calibrate",
        str(EXAMPLE / "fujita2010.yaml"), "--out", str(out), "--starts", "2",
        "--max-nfev", "8", "--no-progress", "--test", str(EXAMPLE / "measurements_test.tsv"),
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in out.iterdir()}
    assert {"summary.csv", "parameters.csv", "fit.png", "fit_vs_data.csv", "petab"} <= names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries
    umask = os.umask(0)
    os.umask(umask)
    for folder in (out, out / "petab"):  # shareable, not mkdtemp's private 0700
        assert folder.stat().st_mode & 0o777 == 0o777 & ~umask
    scores = pd.read_csv(out / "fit_vs_data.csv")
    assert set(scores["split"]) == {"fit", "test"}
    assert (out / "petab" / "fujita2010.yaml").is_file()


def test_cli_bad_problem_is_one_line_and_writes_nothing(tmp_path: Path, toy_yaml: Path) -> None:
    params = toy_yaml.parent / "parameters.tsv"
    df = pd.read_csv(params, sep="\t")
    df.loc[1, "lowerBound"] = 1000.0
    df.to_csv(params, sep="\t", index=False)
    out = tmp_path / "never"
    cmd = [
        sys.executable, "-c", "from mtorsim.cli import main; main()", "calibrate",
        str(toy_yaml), "--out", str(out), "--no-progress",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "parameter table parameters.tsv row 2" in lines[0]
    assert not out.exists()


def test_cli_test_table_that_is_not_measurements_is_one_line(
    tmp_path: Path, toy_yaml: Path
) -> None:
    out = tmp_path / "never"
    cmd = [
        sys.executable, "-c", "from mtorsim.cli import main; main()", "calibrate",
        str(toy_yaml), "--out", str(out), "--no-progress",
        "--test", str(toy_yaml.parent / "parameters.tsv"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "held-out (--test) measurement table parameters.tsv" in lines[0]
    assert "missing column(s) observableId" in lines[0] and not out.exists()


def test_dask_client_gives_the_serial_result(toy_yaml: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="Dask is not installed")
    serial = Calibrator(toy_yaml).fit(n_starts=2, seed=2, max_nfev=20)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as client:
        on_dask = Calibrator(toy_yaml).fit(n_starts=2, seed=2, max_nfev=20, client=client)
    a = serial.starts.set_index("start")["nllh"].sort_index()
    b = on_dask.starts.set_index("start")["nllh"].sort_index()
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10)


def test_cli_jacobian_sensitivities_reaches_the_same_fit(
    toy_yaml: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    import mtorsim.calibration.sensitivity as sens
    from cli_helpers import run_cli

    calls: list[int] = []
    exact = sens.jacobian_sensitivities

    def spy(problem, theta):
        calls.append(1)
        return exact(problem, theta)

    monkeypatch.setattr(sens, "jacobian_sensitivities", spy)
    fits, used = {}, {}
    for jac in ("finite-differences", "sensitivities"):
        out = tmp_path / jac
        argv = ["calibrate", str(toy_yaml), "--out", str(out), "--starts", "2"]
        rc, _, err = run_cli([*argv, "--no-progress", "--jacobian", jac], capsys, monkeypatch)
        assert rc == 0, err
        fits[jac] = pd.read_csv(out / "summary.csv").set_index("parameter")["estimate"]
        used[jac] = len(calls)
    assert used["finite-differences"] == 0 < used["sensitivities"]  # the option is obeyed
    pd.testing.assert_series_equal(fits["sensitivities"], fits["finite-differences"], rtol=1e-5)
    out = tmp_path / "bad"
    argv = ["calibrate", str(toy_yaml), "--out", str(out), "--jacobian", "adjoint"]
    rc, _, err = run_cli(argv, capsys, monkeypatch)
    assert rc == 2 and "adjoint" in err and "sensitivities" in err and not out.exists()


def test_failed_sensitivity_run_falls_back_with_a_warning(toy_yaml: Path, monkeypatch) -> None:
    import mtorsim.engine.sensitivity as engine_sens
    from mtorsim.calibration.sensitivity import (
        SensitivityFallbackWarning,
        jacobian_sensitivities,
    )

    problem = read_petab(toy_yaml)
    theta = problem.nominal
    exact = jacobian_sensitivities(problem, theta)
    real = engine_sens.run_sensitivity_kernel

    def failing(*args, **kw):
        times, sens, status, steps = real(*args, **kw)
        return times, sens, np.ones_like(status), steps

    monkeypatch.setattr(engine_sens, "run_sensitivity_kernel", failing)
    with pytest.warns(SensitivityFallbackWarning, match="finite differences"):
        fallback = jacobian_sensitivities(problem, theta)
    np.testing.assert_allclose(fallback, problem.objective.jacobian_fd(theta))
    np.testing.assert_allclose(fallback, exact, rtol=1e-3, atol=1e-3)


def test_nothing_to_estimate_is_one_error(toy_yaml: Path, tmp_path: Path, capsys, monkeypatch):
    from cli_helpers import run_cli

    params = toy_yaml.parent / "parameters.tsv"
    df = pd.read_csv(params, sep="\t")
    params.write_text(df.assign(estimate=0).to_csv(sep="\t", index=False))
    with pytest.raises(mtorsim.MtorsimError, match="nothing to fit"):
        Calibrator(toy_yaml).fit(n_starts=1)
    out = tmp_path / "fit"
    rc, _, err = run_cli(["calibrate", str(toy_yaml), "--out", str(out)], capsys, monkeypatch)
    assert rc == 2 and "estimate = 1" in err and "Traceback" not in err and not out.exists()
