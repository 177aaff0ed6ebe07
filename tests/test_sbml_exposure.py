"""Exposures on imported SBML models: inhibition and drugs act from the initial state,
drugs need a node map that reaches the model's species, and the model's time unit is
carried (regressions of the imported-SBML audit)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorsim
import mtorsim.engine
from mtorsim import Inhibition, MtorsimError
from mtorsim.network.published_experiments import PUBLISHED_EXPERIMENTS as EXPERIMENTS
from mtorsim.network.sbml_import import read_sbml
from mtorsim.time_units import UNDECLARED_TIME

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT.parent / "shared" / "models"
VARUSAI = MODELS / "Varusai2018.xml"
BRANNMARK = MODELS / "Brannmark2013.xml"
sys.path.insert(0, str(ROOT / "tests"))

from cli_helpers import run_cli  # noqa: E402

needs_models = pytest.mark.skipif(not MODELS.exists(), reason="shared/models not beside the repo")

# a node of each published model whose inhibition shows in its species, and its time unit
NODE_AND_UNIT = {
    "Brannmark2013": ("IRip", "s"),
    "DallePezze2012": ("species_21", "min"),
    "Fujita2010": ("EGF", "min"),
    "Smith2013": ("InR", "min"),
    "Varusai2018": ("pmTORC1", "s"),
}


def _max_rel(a: pd.DataFrame, b: pd.DataFrame, columns) -> float:
    x, y = a[list(columns)].to_numpy(), b[list(columns)].to_numpy()
    return float((np.abs(x - y) / np.maximum(np.abs(x), 1e-9)).max())


# ---------------------------------------------------------------- 1. inhibition from t = 0
@needs_models
@pytest.mark.parametrize("name", sorted(NODE_AND_UNIT))
def test_inhibition_acts_from_the_initial_state(name: str) -> None:
    t_end, condition = EXPERIMENTS[name]
    node = NODE_AND_UNIT[name][0]
    m = mtorsim.load(MODELS / f"{name}.xml")
    run = {"until": t_end, "points": 5, "parameters": condition}
    base = m.simulate(**run)
    inhibited = m.simulate(**run, exposure=Inhibition({node: 0.5}))
    assert inhibited.attrs["sbml_parameters"][f"inhibit_{node}"] == 0.5
    assert _max_rel(base, inhibited, m.sbml.species_ids) > 1e-2


@needs_models
def test_inhibition_from_the_initial_state_is_the_hooked_model_run() -> None:
    """Model.simulate from the initial state = the engine run with the hook set."""
    m = mtorsim.load(VARUSAI)
    r = m.simulate(until=3600, points=61, exposure=Inhibition(pmTORC1=0.9))
    compiled = mtorsim.engine.compile_network(m.network)
    ref = mtorsim.engine.simulate(compiled, 3600, points=61, parameters={"inhibit_pmTORC1": 0.9})
    species = list(compiled.species)
    assert np.allclose(r[species].to_numpy(), ref[species].to_numpy(), rtol=1e-5, atol=1e-8)
    assert _max_rel(m.simulate(until=3600, points=61), r, species) > 0.1


@needs_models
def test_cli_inhibit_changes_an_sbml_run(tmp_path: Path, capsys, monkeypatch) -> None:
    argv = ["simulate", "--sbml", str(VARUSAI), "--until", "3600", "--points", "61"]
    code, text, _ = run_cli([*argv, "--out", str(tmp_path / "v0.csv")], capsys, monkeypatch)
    assert code == 0 and "t = 3600 s" in text
    code, _, _ = run_cli(
        [*argv, "--inhibit", "pmTORC1=0.9", "--out", str(tmp_path / "v1.csv")], capsys, monkeypatch
    )
    assert code == 0
    v0, v1 = (pd.read_csv(tmp_path / f"v{i}.csv") for i in (0, 1))
    assert _max_rel(v0, v1, ["pIRS", "pmTORC1", "pmTORC2"]) > 0.1


@needs_models
def test_mapped_drug_acts_from_the_initial_state(tmp_path: Path, capsys, monkeypatch) -> None:
    m = mtorsim.load(VARUSAI, node_map={"mTORC1": "pmTORC1"})
    base = m.simulate(until=3600, points=61, exposure={"azd8055": 0.0})
    torki = m.simulate(until=3600, points=61, exposure={"azd8055": 100.0})
    assert torki["azd8055__MTOR_KINASE"].iloc[-1] > 0.9  # the kinase site is occupied
    assert _max_rel(base, torki, m.sbml.species_ids) > 0.1
    argv = ["simulate", "--sbml", str(VARUSAI), "--until", "3600", "--points", "61"]
    code, _, _ = run_cli([*argv, "--out", str(tmp_path / "v0.csv")], capsys, monkeypatch)
    assert code == 0
    drug = ["--treat", "azd8055=100", "--map", "mTORC1=pmTORC1", "--out", str(tmp_path / "v2.csv")]
    code, _, _ = run_cli([*argv, *drug], capsys, monkeypatch)
    assert code == 0
    v0, v2 = (pd.read_csv(tmp_path / f"v{i}.csv") for i in (0, 2))
    assert _max_rel(v0, v2, m.sbml.species_ids) > 0.1


# ---------------------------------------------------------------- 2. drugs need their nodes
@needs_models
def test_unmapped_drug_on_an_imported_model_is_an_error(capsys, monkeypatch) -> None:
    m = mtorsim.load(BRANNMARK)  # has species mTORC1, mTORC2, but only mTORC1a/2a act
    with pytest.raises(MtorsimError, match=r"azd8055 acts on mTORC1, mTORC2.*node_map=\{"):
        m.steady_state(exposure={"azd8055": 100.0})
    with pytest.raises(MtorsimError, match="azd8055 acts on"):
        m.simulate(until=30, exposure={"azd8055": 100.0})
    argv = ["steady-state", "--sbml", str(BRANNMARK), "--treat", "azd8055=100"]
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and not out
    assert "mTORC1, mTORC2" in err and "--map mTORC1=SPECIES --map mTORC2=SPECIES" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run_cli(
        [*argv, "--map", "mTORC1=mTORC1a", "--map", "mTORC2=mTORC2a"],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "S6Kp" in out


@needs_models
def test_a_drug_mapped_to_an_inert_species_or_without_nodes_is_an_error() -> None:
    m = mtorsim.load(VARUSAI, node_map={"mTORC1": "pmTORC1", "mTORC2": "mTORC2"})
    with pytest.raises(MtorsimError, match="maps mTORC2 to 'mTORC2', which no rate law"):
        m.steady_state(exposure={"azd8055": 100.0})
    with pytest.raises(MtorsimError, match="tamoxifen acts on none of the nodes"):
        mtorsim.load(VARUSAI).simulate(until=10, exposure={"tamoxifen": 10.0})


def test_a_model_whose_species_are_the_drugs_nodes_needs_no_map(tmp_path: Path) -> None:
    mtorsim.load().to_sbml(tmp_path / "mtor.xml")
    again = mtorsim.load(tmp_path / "mtor.xml")
    r = again.steady_state(exposure={"azd8055": 100.0})
    assert r["S6K1"].iloc[0] < 0.5 * again.steady_state()["S6K1"].iloc[0]


@needs_models
@pytest.mark.parametrize(
    ("node_map", "message"),
    [
        ({"NOTNODE": "pmTORC1"}, r"'NOTNODE', which is not a node .*mTORC1, mTORC2, PI3K"),
        ({"mtorc1": "pmTORC1"}, r"did you mean 'mTORC1'"),
        ({"mTORC1": "pmTORC1x"}, r"'pmTORC1x', which is no species .*'pmTORC1'"),
    ],
)
def test_load_rejects_a_node_map_that_names_nothing(node_map, message) -> None:
    with pytest.raises(MtorsimError, match=message):
        mtorsim.load(VARUSAI, node_map=node_map)


@needs_models
def test_cli_map_is_checked_as_the_library_checks_it(capsys, monkeypatch) -> None:
    argv = ["simulate", "--sbml", str(VARUSAI), "--until", "60", "--points", "3"]
    code, _, err = run_cli([*argv, "--map", "NOTNODE=pmTORC1"], capsys, monkeypatch)
    assert code == 2 and "--map names 'NOTNODE'" in err and "mTORC1, mTORC2" in err
    # AKT, a node drugs act on (an observable of mtorsim's network), can be mapped
    code, _, err = run_cli(
        [*argv, "--map", "AKT=pAkt", "--treat", "mk-2206=100"], capsys, monkeypatch
    )
    assert code == 0, err


# ---------------------------------------------------------------- 3. time units
@needs_models
@pytest.mark.parametrize("name", sorted(NODE_AND_UNIT))
def test_published_models_keep_their_time_unit(name: str) -> None:
    assert read_sbml(MODELS / f"{name}.xml").network.time_unit == NODE_AND_UNIT[name][1]


@needs_models
def test_hours_convert_into_a_model_in_minutes() -> None:
    m = mtorsim.load(MODELS / "Fujita2010.xml")  # time: 60 s
    minutes = m.simulate(until=60, points=3)
    hours = m.simulate(hours=1, points=3)
    assert minutes.time_unit == "min" and hours.time_unit == "h"
    assert hours["time"].tolist() == [0.0, 0.5, 1.0]
    assert np.allclose(hours["pAkt"], minutes["pAkt"])


def test_reimported_export_is_in_hours(tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "mtor.xml"
    code, _, _ = run_cli(["export-sbml", str(path)], capsys, monkeypatch)
    assert code == 0 and 'timeUnits="u_h"' in path.read_text()
    m = mtorsim.load(path)
    r = m.simulate(until=24, points=3)
    assert m.time_unit == "h" and r.attrs["time_unit"] == "h"
    code, text, _ = run_cli(
        ["simulate", "--sbml", str(path), "--until", "24", "--points", "3"], capsys, monkeypatch
    )
    assert code == 0 and "t = 24 h" in text and "t = 24 1" not in text


def _l3(tmp_path: Path, time_units: str | None, definition: str = "") -> Path:
    attr = f' timeUnits="{time_units}"' if time_units else ""
    path = tmp_path / "t.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">'
        f'<model id="m"{attr}>'
        + (f"<listOfUnitDefinitions>{definition}</listOfUnitDefinitions>" if definition else "")
        + '<listOfCompartments><compartment id="C" size="1" constant="true"/>'
        '</listOfCompartments><listOfSpecies><species id="S" compartment="C" '
        'initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" '
        'constant="false"/></listOfSpecies><listOfParameters><parameter id="k" value="1" '
        'constant="true"/></listOfParameters><listOfReactions><reaction id="r" '
        'reversible="false"><listOfReactants><speciesReference species="S" stoichiometry="1" '
        'constant="true"/></listOfReactants><kineticLaw><math '
        'xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><ci>k</ci><ci>S</ci>'
        "</apply></math></kineticLaw></reaction></listOfReactions></model></sbml>"
    )
    return path


def _seconds(uid: str, multiplier: float, scale: int = 0) -> str:
    return (
        f'<unitDefinition id="{uid}"><listOfUnits><unit kind="second" exponent="1" '
        f'scale="{scale}" multiplier="{multiplier}"/></listOfUnits></unitDefinition>'
    )


@pytest.mark.parametrize(
    ("time_units", "definition", "unit"),
    [
        (None, "", UNDECLARED_TIME),
        ("second", "", "s"),
        ("dimensionless", "", "dimensionless"),
        ("per_day", _seconds("per_day", 86400), "d"),
        ("hour", _seconds("hour", 3.6, 3), "h"),
        ("ms", _seconds("ms", 1, -3), "ms"),
        ("odd", _seconds("odd", 2.5), "2.5 s"),
    ],
)
def test_level3_time_units_are_read(tmp_path, time_units, definition, unit) -> None:
    m = mtorsim.load(_l3(tmp_path, time_units, definition))
    assert m.time_unit == unit
    assert m.simulate(until=2, points=3).attrs["time_unit"] == unit
    m.to_sbml(tmp_path / "again.xml")  # and the unit survives an export
    assert mtorsim.load(tmp_path / "again.xml").time_unit == unit


def test_an_undeclared_time_unit_takes_until_only(tmp_path: Path) -> None:
    m = mtorsim.load(_l3(tmp_path, None))
    with pytest.raises(MtorsimError, match="give until= in the model's time unit"):
        m.simulate(hours=1)


# ---------------------------------------------------------------- 4. drug rates in model time
def _mtor_model(path: Path, time_units: str, seconds: float) -> Path:
    """mTORC1 cycling and phosphorylating S6K, written in a time unit of ``seconds`` s:
    the same kinetics (constants per hour) whatever the unit."""
    import libsbml

    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("mtor_" + time_units)
    ud = m.createUnitDefinition()
    ud.setId(time_units)
    u = ud.createUnit()
    u.setKind(libsbml.UNIT_KIND_SECOND)
    u.setExponent(1)
    u.setScale(0)
    u.setMultiplier(seconds)
    m.setTimeUnits(time_units)
    c = m.createCompartment()
    c.setId("C")
    c.setSize(1.0)
    c.setConstant(True)
    for sid, x0 in (("mTORC1", 0.5), ("S6K", 0.0)):
        s = m.createSpecies()
        s.setId(sid)
        s.setCompartment("C")
        s.setInitialAmount(x0)
        s.setHasOnlySubstanceUnits(True)
        s.setBoundaryCondition(False)
        s.setConstant(False)
    per_unit = seconds / 3600.0  # hours in one model time unit
    for pid, per_hour in (("ka", 36.0), ("kd", 36.0), ("kp", 72.0), ("kdp", 36.0)):
        p = m.createParameter()
        p.setId(pid)
        p.setValue(per_hour * per_unit)
        p.setConstant(True)
    laws = (
        ("on", (), ("mTORC1",), "ka*(1 - mTORC1)"),
        ("off", ("mTORC1",), (), "kd*mTORC1"),
        ("phos", (), ("S6K",), "kp*mTORC1*(1 - S6K)"),
        ("dephos", ("S6K",), (), "kdp*S6K"),
    )
    for rid, reactants, products, law in laws:
        r = m.createReaction()
        r.setId(rid)
        r.setReversible(False)
        for sid in reactants:
            ref = r.createReactant()
            ref.setSpecies(sid)
            ref.setStoichiometry(1)
            ref.setConstant(True)
        for sid in products:
            ref = r.createProduct()
            ref.setSpecies(sid)
            ref.setStoichiometry(1)
            ref.setConstant(True)
        if "mTORC1" in law and "mTORC1" not in reactants + products:
            r.createModifier().setSpecies("mTORC1")
        r.createKineticLaw().setMath(libsbml.parseL3FormulaWithModel(law, m))
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_drug_binding_runs_in_the_model_time_unit(tmp_path: Path) -> None:
    """kon_drug is 1/(nM*h): on a model in seconds a TORKi binds over seconds at the
    hourly rate / 3600 (not 3600 times faster), as on the same model declared in hours."""
    seconds = mtorsim.load(_mtor_model(tmp_path / "s.xml", "second_", 1.0))
    hours = mtorsim.load(_mtor_model(tmp_path / "h.xml", "hour_", 3600.0))
    assert (seconds.time_unit, hours.time_unit) == ("s", "h")
    drug = {"azd8055": 100.0}
    tight = {"rtol": 1e-10, "atol": 1e-12}
    in_s = seconds.simulate(until=60.0, points=61, exposure=drug, **tight)
    in_h = hours.simulate(until=60.0 / 3600.0, points=61, exposure=drug, **tight)
    occ = "azd8055__MTOR_KINASE"
    for col in (occ, "S6K", "mTORC1"):
        np.testing.assert_allclose(in_s[col], in_h[col], rtol=1e-6, atol=1e-9)
    # one-site binding at kon = 3.6 /nM/h = 1e-3 /nM/s, koff = kon * Kd (0.8 nM)
    kon_s, free = 3.6 / 3600.0, 100.0
    rate = kon_s * free + kon_s * 0.8
    t = in_s["time"].to_numpy()
    expected = kon_s * free / rate * (1.0 - np.exp(-rate * t))
    np.testing.assert_allclose(in_s[occ], expected, rtol=1e-6, atol=1e-9)
    assert 0.6 < in_s[occ].iloc[10] < 0.66  # about 63% bound after 10 s, not all at once


@pytest.mark.parametrize(
    ("unit", "hours"),
    [
        ("s", 1 / 3600),
        ("ms", 1 / 3.6e6),
        ("min", 1 / 60),
        ("d", 24.0),
        ("week", 168.0),
        ("2.5 s", 2.5 / 3600),
    ],
)
def test_every_drug_rate_is_scaled_to_the_model_time_unit(unit: str, hours: float) -> None:
    from dataclasses import replace

    from mtorsim.pharmacology.mechanism import TIME_SCALE, with_drugs

    base = mtorsim.load().network
    net = replace(base, time_unit=unit, check_units=False)
    # PK, FKBP12 and FRB binding (everolimus), kinase-site binding (azd8055)
    drugged = with_drugs(net, ["everolimus", "azd8055"], pk=True)
    assert drugged.parameter(TIME_SCALE).value == pytest.approx(hours, rel=1e-12)
    assert drugged.parameter("kon_drug").value == 3.6  # constants keep their units
    added = [r for r in drugged.reactions if r.name not in {x.name for x in base.reactions}]
    assert len(added) >= 8  # on/off of three sites and FKBP12, absorption, elimination, ...
    for r in added:
        assert r.rate.startswith(f"{TIME_SCALE}*("), r
    in_hours = with_drugs(base, ["everolimus", "azd8055"], pk=True)  # the default: untouched
    assert TIME_SCALE not in in_hours.parameter_names
    assert {r.name: r.rate for r in in_hours.reactions}["everolimus__FRB_on"] == (
        "kon_drug*everolimus__FKBP12*(1 - SITE__FRB)"
    )


@pytest.mark.parametrize("unit", ["dimensionless", UNDECLARED_TIME])
def test_a_time_unit_that_is_no_time_takes_drug_rates_as_hours(unit: str) -> None:
    from dataclasses import replace

    from mtorsim.pharmacology.mechanism import TIME_SCALE, DrugTimeUnitWarning, with_drugs

    net = replace(mtorsim.load().network, time_unit=unit, check_units=False)
    with pytest.warns(DrugTimeUnitWarning, match="applied per model time unit as hours") as rec:
        drugged = with_drugs(net, ["azd8055"], pk=False)
    assert len(rec) == 1 and "\n" not in str(rec[0].message)
    assert TIME_SCALE not in drugged.parameter_names
