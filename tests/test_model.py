"""The front door: mtorsim.load(), the model object, one exposure vocabulary, one Result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorsim
from mtorsim import Inhibition, Medium, MtorsimError, Regimen, UnknownNameError

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"


@pytest.fixture(scope="module")
def model() -> mtorsim.Model:
    return mtorsim.load()


def test_import_is_light() -> None:
    """``import mtorsim`` loads no numerical library: names load on first use."""
    code = (
        "import sys, mtorsim\n"
        "print(','.join(m for m in ('numpy','pandas','sympy','numba','scipy','libsbml') "
        "if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == ""


def test_everything_in_all_resolves() -> None:
    for name in mtorsim.__all__:
        assert getattr(mtorsim, name) is not None
    with pytest.raises(AttributeError):
        _ = mtorsim.simulate_batch  # the old entry points are gone


def test_result_is_tidy_with_time_unit(model, tmp_path) -> None:
    r = model.simulate(hours=6, points=7, exposure=Inhibition(mTORC1=0.9))
    assert isinstance(r, mtorsim.Result) and isinstance(r, pd.DataFrame)
    assert r.columns[0] == "time" and r.time_unit == "h"
    assert r["time"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert r["S6K1"].iloc[-1] < 0.3 * r["S6K1"].iloc[0]  # mTORC1 blocked
    assert r["AKT_S473"].iloc[-1] > r["AKT_S473"].iloc[0]  # S6K1 -> IRS1 feedback relieved
    path = r.save(tmp_path / "r.parquet")
    back = pd.read_parquet(path)
    assert back.attrs["time_unit"] == "h" and np.allclose(back["S6K1"], r["S6K1"])
    ax = r.plot(["S6K1", "AKT_S473"], relative=True)
    assert ax.get_xlabel() == "time (h)" and len(ax.lines) == 2
    with pytest.raises(UnknownNameError, match="S6K1"):
        r.plot("S6K")


def test_days_give_days(model) -> None:
    hours = model.simulate(hours=48, points=3, exposure=Regimen("everolimus", 10.0))
    days = model.simulate(days=2, points=3, exposure=Regimen("everolimus", 10.0))
    assert days.time_unit == "d" and days["time"].tolist() == [0.0, 1.0, 2.0]
    assert hours["time"].tolist() == [0.0, 24.0, 48.0]
    np.testing.assert_allclose(days["everolimus_blood_ng_mL"], hours["everolimus_blood_ng_mL"])
    assert days["everolimus_blood_ng_mL"].iloc[-1] > 1.0


def test_baseline_medium_then_stimulation(model) -> None:
    r = model.simulate(
        hours=1, points=5, exposure=Medium(growth_factor=1.0), baseline=Medium(growth_factor=0.0)
    )
    assert r["RTK"].iloc[0] < 1e-6 < r["RTK"].iloc[-1]


def test_genotype_holds_before_and_after(model) -> None:
    wt = model.steady_state()
    pten = model.steady_state(genotype={"PTEN_level": 0.0})
    assert pten["AKT_T308"].iloc[0] > 1.5 * wt["AKT_T308"].iloc[0]
    # the genotype applies to the start state too: nothing moves without an exposure
    r = model.simulate(hours=4, points=3, genotype={"PTEN_level": 0.0})
    np.testing.assert_allclose(r["AKT_T308"], pten["AKT_T308"].iloc[0], rtol=1e-6)
    # variants through the knowledge base give the same parameters
    by_variant = model.steady_state(genotype=["PTEN truncating"])
    np.testing.assert_allclose(by_variant["AKT_T308"], pten["AKT_T308"], rtol=1e-9)


def test_constant_concentrations_in_cells(model) -> None:
    r = model.simulate(hours=24, points=3, exposure={"azd8055": 100.0})
    assert r["AKT_S473"].iloc[-1] < 0.2 * r["AKT_S473"].iloc[0]  # a TORKi blocks mTORC2
    ss = model.steady_state(exposure={"everolimus": 10.0})
    assert ss["S6K1"].iloc[0] < 0.2 * model.steady_state()["S6K1"].iloc[0]


def test_cohort_rows_per_patient_and_time(model) -> None:
    seen: list[int] = []
    c = model.simulate(
        days=2, exposure=Regimen("everolimus", 10.0), patients=4, seed=3, progress=seen.append
    )
    assert c.columns[:2].tolist() == ["patient", "time"] and c.time_unit == "d"
    assert len(c) == 4 * 3 and sum(seen) == 4
    again = model.simulate(days=2, exposure=Regimen("everolimus", 10.0), patients=4, seed=3)
    pd.testing.assert_frame_equal(pd.DataFrame(c), pd.DataFrame(again))
    assert c.groupby("patient")["everolimus__CL"].nunique().eq(1).all()


def test_dose_response_and_sbml_round_trip(model, tmp_path) -> None:
    dr = model.dose_response("azd8055", "AKT_S473")
    assert 0 < dr.ic50_nM < 1e4 and dr.emax > 0.5
    text = model.to_sbml(tmp_path / "m.xml")
    assert "<sbml" in text and (tmp_path / "m.xml").exists()
    again = mtorsim.load(tmp_path / "m.xml")
    assert set(model.network.species_names) <= set(again.network.species_names)


def test_sbml_model_runs_in_its_own_time(tmp_path) -> None:
    m = mtorsim.load(MODELS / "Fujita2010.xml")
    r = m.simulate(until=60, points=7)
    assert r.time_unit == m.time_unit and r["time"].iloc[-1] == 60
    assert list(r.columns[1 : 1 + len(m.sbml.species_ids)]) == list(m.sbml.species_ids)
    assert m.time_unit == "min"  # the file's time unit (60 s), so hours= converts
    assert m.simulate(hours=1, points=2)["time"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.simulate(), "duration once"),
        (lambda m: m.simulate(hours=1, days=1), "duration once"),
        (lambda m: m.simulate(hours=-1), "hours"),
        (lambda m: m.simulate(hours=1, points=1), "at least 2"),
        (lambda m: m.simulate(hours=1, exposure=Inhibition(mTOR1=0.5)), "Did you mean"),
        (lambda m: m.simulate(hours=1, exposure="everolimus"), "not understood"),
        (lambda m: m.simulate(hours=1, exposure={"aspirin": 1.0}), "unknown drug"),
        (lambda m: m.simulate(hours=1, exposure={"azd8055": -1.0}), ">= 0"),
        (lambda m: m.simulate(hours=1, genotype={"PTEN_lvl": 0}), "unknown parameter"),
        (lambda m: m.simulate(hours=1, genotype=["PIK3CA X1Y"]), "PIK3CA"),
        (lambda m: m.simulate(hours=1, genotype="PTEN loss"), "genotype"),
        (lambda m: m.simulate(hours=1, patients=3), "Regimen"),
        (
            lambda m: m.simulate(days=1, exposure=[Regimen("everolimus", 10.0), {"azd8055": 1.0}]),
            "not both",
        ),
        (lambda m: m.steady_state(exposure=Regimen("everolimus", 10.0)), "not at a steady"),
    ],
)
def test_bad_input_names_the_problem(model, call, message) -> None:
    with pytest.raises(MtorsimError, match=message):
        call(model)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Medium(growth_factor=-1),
        lambda: Medium(energy_stress=float("nan")),
        lambda: Inhibition(mTORC1=1.5),
        lambda: Inhibition({"mTORC1": "x"}),
    ],
)
def test_exposure_values_checked(make) -> None:
    with pytest.raises(MtorsimError):
        make()


def test_parse_assignment() -> None:
    from mtorsim.exposure import parse_assignment

    assert parse_assignment("mTORC1=0.9") == ("mTORC1", 0.9)
    with pytest.raises(MtorsimError, match="NAME=VALUE"):
        parse_assignment("mTORC1")
    with pytest.raises(MtorsimError, match="not a number"):
        parse_assignment("mTORC1=high")


def test_docstring_examples_run() -> None:
    import doctest

    import mtorsim.model

    for module in (mtorsim, mtorsim.model):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


def test_version_matches_the_package_metadata() -> None:
    import tomllib

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == mtorsim.__version__


def test_negative_levels_in_the_api_name_the_parameter() -> None:
    import mtorsim
    from mtorsim.errors import MtorsimError

    m = mtorsim.load()
    for kw in ({"parameters": {"PTEN_level": -1}}, {"genotype": {"PTEN_level": -1}}):
        with pytest.raises(MtorsimError, match=r"'PTEN_level' is -1: .* must be >= 0"):
            m.simulate(hours=1, **kw)
    with pytest.raises(MtorsimError, match="'FRB_resistance' is -5"):
        m.dose_response("everolimus", "S6K1", genotype={"FRB_resistance": -5})
