"""PEtab in and out: import and lint, export round trip, one-line errors, AMICI cross-check."""

from __future__ import annotations

import hashlib
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorsim
from mtorsim.calibration import PEtabError, read_petab, write_petab
from test_calibration import make_toy_problem

EXAMPLE = Path(str(resources.files("mtorsim") / "data" / "petab" / "fujita2010"))


@pytest.fixture()
def toy_yaml(tmp_path: Path) -> Path:
    return make_toy_problem(tmp_path / "toy")


def test_shipped_example_imports_and_lints() -> None:
    problem = read_petab(EXAMPLE / "fujita2010.yaml")
    assert len(problem.measurements) == 144  # step stimulations only: the fitting data
    assert set(problem.condition_ids) == {
        c for c in problem.conditions.index if c.startswith("condition_step")
    }
    assert len(problem.free_ids) == 22
    assert {"scaling_pS6_tot", "sigma_pS6_tot"} <= set(problem.free_ids)
    assert "scaling_pS6_tot" not in problem.dynamic_ids  # reuses the base simulation
    assert problem.initial_assignments == {
        "EGFR": "init_EGFR", "Akt": "init_AKT", "S6": "init_S6",
    }  # fmt: skip
    test = pd.read_csv(EXAMPLE / "measurements_test.tsv", sep="\t")
    assert not set(test["simulationConditionId"]) & set(problem.condition_ids)  # split kept


def test_shipped_sbml_is_the_shared_copy() -> None:
    digest = hashlib.sha256((EXAMPLE / "model_Fujita2010.xml").read_bytes()).hexdigest()
    assert digest == "7c98367f2210b1d10b3e3edbb9d80153f8f010b7f222c6899b5d94bbf44cc6b8"


def test_initial_assignments_follow_the_parameters(toy_yaml: Path) -> None:
    problem = read_petab(EXAMPLE / "fujita2010.yaml", run_lint=False)
    obj = problem.objective
    theta = problem.nominal.copy()
    j = problem.free_ids.index("init_S6")
    theta[j] += 1.0  # ten times more S6
    sims, status = obj.simulate([problem.nominal, theta])
    s6 = obj.columns["S6"]
    assert (status == 0).all()
    np.testing.assert_allclose(sims[1, :, 0, s6], 10 * sims[0, :, 0, s6], rtol=1e-12)


def test_nllh_matches_petab_reference_formula(toy_yaml: Path) -> None:
    import petab.v1 as petab

    problem = read_petab(EXAMPLE / "fujita2010.yaml", run_lint=False)
    obj = problem.objective
    theta = problem.nominal
    sim = obj.simulation_table(theta)[["observableId", "simulationConditionId", "time"]]
    sim["simulation"] = obj.simulation_table(theta)["simulation"]
    pp = petab.Problem.from_yaml(str(EXAMPLE / "fujita2010.yaml"))
    llh = petab.calculate_llh(pp.measurement_df, sim, pp.observable_df, pp.parameter_df)
    assert obj.nllh(theta) == pytest.approx(-llh, rel=1e-10)


def test_export_lints_clean_and_round_trips(tmp_path: Path) -> None:
    problem = read_petab(EXAMPLE / "fujita2010.yaml", run_lint=False)
    theta = problem.nominal + 0.01
    yaml_path = write_petab(problem, tmp_path / "out", theta=theta)  # linted on writing
    again = read_petab(yaml_path)
    pd.testing.assert_frame_equal(
        again.measurements.reset_index(drop=True),
        problem.measurements.reset_index(drop=True),
        check_dtype=False,
    )
    np.testing.assert_allclose(again.nominal, theta, rtol=1e-12, atol=1e-12)
    assert again.objective.nllh(again.nominal) == pytest.approx(
        problem.objective.nllh(theta), rel=1e-10
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ bad input
def _edit(folder: Path, name: str, fn) -> None:
    path = folder / name
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path, sep="\t", index=False)


def _malformed(folder: Path) -> None:
    path = folder / "measurements.tsv"
    lines = path.read_text().splitlines()
    lines[3] += "\textra"
    path.write_text("\n".join(lines) + "\n")


def _unknown_in_table(folder: Path) -> None:
    path = folder / "parameters.tsv"
    path.write_text(path.read_text() + "k_nowhere\tlog10\t0.1\t10\t1\t1\n")


def _unknown_override(folder: Path) -> None:
    def fn(df: pd.DataFrame) -> None:
        df["noiseParameters"] = ""
        df.loc[1, "noiseParameters"] = "sd_typo"

    _edit(folder, "measurements.tsv", fn)


def _bounds(folder: Path) -> None:
    _edit(folder, "parameters.tsv", lambda df: df.__setitem__("lowerBound", ["0.01", "500"]))


def _nan(folder: Path) -> None:
    _edit(folder, "measurements.tsv", lambda df: df.loc.__setitem__((4, "measurement"), "NaN"))


def _missing_measurements(folder: Path) -> None:
    (folder / "measurements.tsv").unlink()


def _missing_sbml(folder: Path) -> None:
    (folder / "toy.xml").unlink()


def _unknown_column(folder: Path) -> None:
    _edit(folder, "conditions.tsv", lambda df: df.__setitem__("k_cat", "1"))


def _missing_column(folder: Path) -> None:
    _edit(folder, "measurements.tsv", lambda df: df.drop(columns=["time"], inplace=True))


def _unknown_observable_symbol(folder: Path) -> None:
    _edit(folder, "observables.tsv", lambda df: df.__setitem__("observableFormula", "scale * B"))


def _unparseable_formula(folder: Path) -> None:
    _edit(folder, "observables.tsv", lambda df: df.__setitem__("observableFormula", "scale * (A"))


def _zero_sigma_override(folder: Path) -> None:
    noise = "noiseParameter1_B_obs"
    _edit(folder, "observables.tsv", lambda df: df.__setitem__("noiseFormula", noise))
    _edit(folder, "measurements.tsv", lambda df: df.__setitem__("noiseParameters", "0.2"))
    _edit(folder, "measurements.tsv", lambda df: df.loc.__setitem__((2, "noiseParameters"), "0"))


def _infinite_sigma_override(folder: Path) -> None:
    noise = "noiseParameter1_B_obs"
    _edit(folder, "observables.tsv", lambda df: df.__setitem__("noiseFormula", noise))
    _edit(folder, "measurements.tsv", lambda df: df.__setitem__("noiseParameters", "inf"))


def _negative_sigma_formula(folder: Path) -> None:
    _edit(folder, "observables.tsv", lambda df: df.__setitem__("noiseFormula", "-0.05"))


def _comma_separated(folder: Path) -> None:
    path = folder / "parameters.tsv"
    path.write_text(path.read_text().replace("\t", ","))


BAD = {
    "noise sigma 0 in an override": (
        _zero_sigma_override,
        "measurements.tsv row 3, column 'noiseParameters': noise sigma 0 must be finite and > 0",
    ),
    "infinite noise sigma": (
        _infinite_sigma_override,
        "measurements.tsv row 1, column 'noiseParameters': noise sigma inf must be finite and > 0",
    ),
    "negative noise formula": (
        _negative_sigma_formula,
        "observables.tsv row 1, column 'noiseFormula': noise sigma -0.05 must be finite and > 0",
    ),
    "comma-separated table": (
        _comma_separated, "parameters.tsv: looks comma-separated, but PEtab tables are tab-",
    ),
    "unparseable formula": (
        _unparseable_formula,
        "observables.tsv row 1, column 'observableFormula': cannot parse 'scale * (A' as "
        "PEtab math (check the brackets and operators)",
    ),
    "malformed row": (_malformed, "measurement table measurements.tsv row 3"),
    "unknown parameter id in the parameter table": (
        _unknown_in_table, "parameter table parameters.tsv row 3, column 'parameterId'",
    ),
    "unknown parameter id in an override": (
        _unknown_override, "measurement table measurements.tsv row 2, column 'noiseParameters'",
    ),
    "unknown symbol in a formula": (
        _unknown_observable_symbol, "observable table observables.tsv row 1",
    ),
    "unknown condition column": (_unknown_column, "condition table conditions.tsv, column 'k_cat'"),
    "missing column": (_missing_column, "measurement table measurements.tsv: missing column"),
    "lower > upper": (_bounds, "parameter table parameters.tsv row 2, column 'lowerBound'"),
    "NaN measurement": (_nan, "measurement table measurements.tsv row 5, column 'measurement'"),
    "missing table file": (_missing_measurements, "measurement table"),
    "missing SBML file": (_missing_sbml, "SBML model"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_naming_table_and_row(toy_yaml: Path, case: str) -> None:
    edit, expected = BAD[case]
    edit(toy_yaml.parent)
    with pytest.raises(mtorsim.MtorsimError) as info:
        read_petab(toy_yaml)
    msg = str(info.value)
    assert isinstance(info.value, PEtabError)
    assert "\n" not in msg
    assert expected in msg, msg


def test_missing_problem_file(tmp_path: Path) -> None:
    with pytest.raises(PEtabError, match="file not found"):
        read_petab(tmp_path / "none.yaml")


# ------------------------------------------------------------------ AMICI cross-check
def test_amici_objective_matches_mtorsim(tmp_path: Path) -> None:
    """The exported problem, through pyPESTO + AMICI, gives mtorsim's objective value."""
    pytest.importorskip("amici", reason="AMICI is not installed (pip install amici)")
    pypesto_petab = pytest.importorskip("pypesto.petab", reason="pyPESTO is not installed")
    import logging

    import petab.v1 as petab

    logging.getLogger("amici").setLevel(logging.ERROR)
    logging.getLogger("pypesto").setLevel(logging.ERROR)
    source = read_petab(EXAMPLE / "fujita2010.yaml", run_lint=False)
    yaml_path = write_petab(source, tmp_path / "exported")
    cache = Path(os.environ.get("MTORSIM_CACHE_DIR", Path.home() / ".cache" / "mtorsim"))
    h = hashlib.sha256()
    for name in ("model_Fujita2010.xml", "observables.tsv", "parameters.tsv"):
        h.update((EXAMPLE / name).read_bytes())  # the AMICI model depends on all three
    key = h.hexdigest()[:12]
    pp = petab.Problem.from_yaml(str(yaml_path))
    importer = pypesto_petab.PetabImporter(
        pp, output_folder=str(cache / "amici" / f"fujita_{key}"), model_name=f"fujita_{key}"
    )
    problem = importer.create_problem(verbose=False)
    x = np.asarray(pp.x_nominal_free_scaled)
    amici_nllh = float(problem.objective(x))
    ours = read_petab(yaml_path).objective.nllh(x)
    assert ours == pytest.approx(amici_nllh, rel=1e-4)


def test_preequilibration_starts_from_the_steady_state(toy_yaml: Path) -> None:
    """A pre-equilibration condition: the simulation starts from its steady state."""
    folder = toy_yaml.parent
    _edit(folder, "measurements.tsv", lambda df: df.insert(0, "preequilibrationConditionId", "low"))
    problem = read_petab(toy_yaml)
    obj = problem.objective
    sims, status = obj.simulate([problem.nominal])
    assert (status == 0).all()
    kf, kr, km = 0.5, 3.0, 2.5  # nominal values, Km of the 'low' condition
    low, high = obj.conditions.index("low"), obj.conditions.index("high")
    a = sims[0, low, :, obj.columns["A"]]  # 'low' after 'low': at rest at every time
    np.testing.assert_allclose(kf * a * km / (km + a), kr * (10.0 - a), rtol=1e-6)
    a_high = sims[0, high, :, obj.columns["A"]]  # Km doubles at t = 0: A moves away
    assert abs(a_high[0] - a[0]) > 1e-3


def test_unknown_preequilibration_condition_names_the_row(toy_yaml: Path) -> None:
    def fn(df: pd.DataFrame) -> None:
        df.insert(0, "preequilibrationConditionId", "")
        df.loc[2, "preequilibrationConditionId"] = "starved"

    _edit(toy_yaml.parent, "measurements.tsv", fn)
    with pytest.raises(PEtabError, match=r"measurements\.tsv row 3, column 'preequilibrationCond"):
        read_petab(toy_yaml)


def test_default_network_problem_imports_and_lints() -> None:
    folder = EXAMPLE.parent / "fujita2010_default"
    problem = read_petab(folder / "fujita2010_default.yaml")
    assert set(problem.measurements["preequilibrationConditionId"]) == {"starved"}
    assert {"K_EGF", "GF_max", "k_t308"} <= set(problem.free_ids)
    assert np.isfinite(problem.objective.nllh(problem.nominal))


def test_written_folders_are_shareable_and_never_swallow_other_files(
    toy_yaml: Path, tmp_path: Path
) -> None:
    import os
    import stat

    problem = read_petab(toy_yaml)
    yaml_path = write_petab(problem, tmp_path / "out")
    umask = os.umask(0)
    os.umask(umask)
    mode = stat.S_IMODE((tmp_path / "out").stat().st_mode)
    assert mode == 0o777 & ~umask  # mkdtemp's private 0700 no longer leaks through
    (tmp_path / "out" / "parameters.tsv").write_text("stale")
    write_petab(problem, tmp_path / "out")  # the same problem again replaces it
    assert (tmp_path / "out" / "parameters.tsv").read_text() != "stale"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(mtorsim.MtorsimError, match="holds other files"):
        write_petab(problem, tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine" and yaml_path.exists()


def test_linter_findings_are_one_line_with_the_row(toy_yaml: Path) -> None:
    # a numeric noise formula beside noise overrides: petab's linter (not mtorsim's checks)
    # finds the mismatch and prints the row over several lines
    _edit(toy_yaml.parent, "measurements.tsv", lambda df: df.__setitem__("noiseParameters", "kf"))
    with pytest.raises(PEtabError) as info:
        read_petab(toy_yaml)
    msg = str(info.value)
    assert msg.startswith("PEtab linter:") and "\n" not in msg
    assert "observableId B_obs" in msg and "simulationConditionId" in msg, msg
