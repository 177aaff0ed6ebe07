"""SBML import: the five published models run through mtorsim as in libRoadRunner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mtorsim
import mtorsim.engine
import mtorsim.network.sbml_export
from mtorsim import SBMLError
from mtorsim.network.published_experiments import PUBLISHED_EXPERIMENTS as EXPERIMENTS
from mtorsim.network.sbml_import import read_sbml

MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"

pytestmark = pytest.mark.skipif(not MODELS.exists(), reason="shared/models not beside the repo")


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_agrees_with_roadrunner(name: str) -> None:
    """Every species at 101 times: relative difference <= 1e-4, floor 1e-6 x peak."""
    roadrunner = pytest.importorskip("roadrunner")
    t_end, condition = EXPERIMENTS[name]
    path = MODELS / f"{name}.xml"
    model = read_sbml(path)
    compiled = mtorsim.engine.compile_network(model.network, hooks=False)
    ours = mtorsim.engine.simulate(
        compiled,
        t_end,
        points=101,
        parameters=condition,
        events=model.events(condition),
        rtol=1e-10,
        atol=1e-12,
    )
    rr = roadrunner.RoadRunner(str(path))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    for k, v in condition.items():
        rr[k] = v
    rr.reset()  # re-evaluates initial assignments that depend on the condition
    for k, v in condition.items():
        rr[k] = v
    species = list(compiled.species)
    ref = np.asarray(rr.simulate(0, t_end, 101, selections=species))
    a = ours[species].to_numpy()
    floor = 1e-6 * np.maximum(np.abs(ref).max(axis=0), 1e-300)
    rel = np.abs(a - ref) / np.maximum(np.abs(ref), floor)
    assert rel.max() <= 1e-4, species[int(np.argmax(rel.max(axis=0)))]


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_import_export_import_round_trip(name: str, tmp_path: Path) -> None:
    t_end, condition = EXPERIMENTS[name]
    first = read_sbml(MODELS / f"{name}.xml")
    events = first.events(condition)
    mtorsim.network.sbml_export.write_sbml(
        first.network, tmp_path / "rt.xml", hooks=False, events=events
    )
    second = read_sbml(tmp_path / "rt.xml")
    runs = [
        mtorsim.engine.simulate(
            mtorsim.engine.compile_network(m.network, hooks=False),
            t_end,
            points=51,
            parameters={
                k: v
                for k, v in condition.items()
                if k not in {e for ev in events for e in ev.parameters}
            },
            events=ev,
            rtol=1e-9,
            atol=1e-12,
        )
        for m, ev in ((first, events), (second, second.events()))
    ]
    species = list(first.network.species_names)
    assert np.allclose(runs[0][species], runs[1][species], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ["Varusai2018", "DallePezze2012"])
def test_a_species_held_constant_stays_a_species_when_exported(name: str, tmp_path: Path) -> None:
    model = mtorsim.load(str(MODELS / f"{name}.xml"))
    model.to_sbml(tmp_path / "rt.xml")
    again = mtorsim.load(str(tmp_path / "rt.xml"))
    first, second = model.simulate(until=60), again.simulate(until=60)
    assert set(second.columns) == set(first.columns)  # one column per species, held ones too
    held = [p.name for p in again.network.parameters if p.source.startswith("SBML species held")]
    assert held and set(held) <= set(second.columns)
    cols = list(first.columns)
    assert np.allclose(
        first[cols].to_numpy(float), second[cols].to_numpy(float), rtol=1e-8, atol=1e-12
    )


def test_model_facts() -> None:
    smith = read_sbml(MODELS / "Smith2013.xml")
    assert len(smith.event_specs) == 3
    assert smith.events({"t_ins": 30.0})[0].time == 30.0
    dalle = read_sbml(MODELS / "DallePezze2012.xml")
    # boundary species become parameters; local parameters are promoted
    assert "species_23" in dalle.network.parameter_names
    assert len(dalle.network.parameters) > 30
    fujita = read_sbml(MODELS / "Fujita2010.xml")
    assert fujita.network.observable_names == ("EGF",)


def test_imported_model_takes_part_in_everything() -> None:
    import pandas as pd

    model = read_sbml(MODELS / "Brannmark2013.xml")
    compiled = mtorsim.engine.compile_network(model.network)  # with inhibition hooks
    ss = mtorsim.engine.steady_state(compiled)  # conservation laws handled
    assert ss.residual < 1e-8
    kinetic = [p for p in compiled.parameters if p.startswith("k")][:5]
    sets = pd.DataFrame(
        {p: compiled.p0[compiled.parameter_index(p)] * np.array([0.8, 1.2]) for p in kinetic}
    )
    _, values, status = mtorsim.engine.simulate_batch(compiled, 30.0, sets, points=11)
    assert (status == 0).all() and np.isfinite(values).all()


BAD = {
    "missing.xml": None,
    "not_xml.xml": "this is not XML",
    "not_sbml.xml": "<?xml version='1.0'?><html><body/></html>",
    "broken.xml": "<?xml version='1.0'?><sbml xmlns='http://www.sbml.org/sbml/level3/version2/"
    "core' level='3' version='2'><model><listOfSpecies><species id='A' "
    "compartment='nowhere' hasOnlySubstanceUnits='false' boundaryCondition="
    "'false' constant='false'/></listOfSpecies></model></sbml>",
}


@pytest.mark.parametrize("filename", sorted(BAD))
def test_bad_files(filename: str, tmp_path: Path) -> None:
    path = tmp_path / filename
    if BAD[filename] is not None:
        path.write_text(BAD[filename])
    with pytest.raises(SBMLError, match=filename):
        read_sbml(path)


def _with(tmp_path: Path, edit) -> Path:
    import libsbml

    doc = libsbml.readSBMLFromFile(str(MODELS / "Varusai2018.xml"))
    edit(doc.getModel())
    path = tmp_path / "edited.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_unsupported_constructs_are_named(tmp_path: Path) -> None:
    import libsbml

    def algebraic(formula):
        def edit(model):
            z = model.createParameter()
            z.setId("z")
            z.setValue(0.0)
            z.setConstant(False)
            rule = model.createAlgebraicRule()
            rule.setMath(libsbml.parseFormula(formula))

        return edit

    # 0 = z - mTORC1 determines z alone: an assignment; z^2 = mTORC1 has two roots
    assert "z" in read_sbml(_with(tmp_path, algebraic("z - mTORC1"))).network.observable_names
    with pytest.raises(SBMLError, match=r"algebraic rule .* no single solution for 'z'"):
        read_sbml(_with(tmp_path, algebraic("z * z - mTORC1")))

    def state_event(model):
        ev = model.createEvent()
        ev.setId("threshold")
        ev.createTrigger().setMath(libsbml.parseL3Formula("mTORC1 > 0.5"))
        flag = model.createParameter()
        flag.setId("flag")
        flag.setValue(0.0)
        flag.setConstant(False)
        ea = ev.createEventAssignment()
        ea.setVariable("flag")
        ea.setMath(libsbml.parseL3Formula("1"))

    # a trigger on the state imports (root finding in Model.simulate), but the engine-event
    # list, which has no state to watch, names it instead of dropping it
    imported = read_sbml(_with(tmp_path, state_event))
    assert [s.timed for s in imported.event_specs] == [False]
    with pytest.raises(SBMLError, match="event 'threshold' fires when its trigger"):
        imported.events()

    def inconsistent(model):
        ev = model.createEvent()
        ev.setId("bad")
        ev.createTrigger().setMath(libsbml.parseL3Formula("time > 1"))
        ea = ev.createEventAssignment()
        ea.setVariable(model.getParameter(0).getId())  # a constant parameter
        ea.setMath(libsbml.parseL3Formula("1"))

    with pytest.raises(SBMLError, match="consistency error"):
        read_sbml(_with(tmp_path, inconsistent))


def test_cli_simulate_and_show_sbml(tmp_path: Path, capsys, monkeypatch) -> None:
    import pandas as pd

    from cli_helpers import run_cli

    def run(argv):
        return run_cli(argv, capsys, monkeypatch)

    out = tmp_path / "varusai.csv"
    code, _, _ = run(
        [
            "simulate",
            "--sbml",
            str(MODELS / "Varusai2018.xml"),
            "--until",
            "3600",
            "--points",
            "61",
            "--inhibit",
            "pmTORC1=0.9",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    df = pd.read_csv(out)
    assert list(df.columns[:3]) == ["time", "IR", "pIR"] and len(df) == 61
    code, text, _ = run(
        ["network", "show", "--sbml", str(MODELS / "Varusai2018.xml"), "--what", "reactions"]
    )
    assert code == 0 and "v1" in text
    code, _, err = run(["simulate", "--sbml", str(MODELS / "Varusai2018.xml")])
    assert code == 2 and "--until" in err
    code, _, err = run(
        [
            "simulate",
            "--sbml",
            str(tmp_path / "none.xml"),
            "--until",
            "5",
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert code == 2 and "file not found" in err and not (tmp_path / "o.csv").exists()


def test_drug_attached_to_an_imported_model_by_mapping() -> None:
    from mtorsim import MtorsimError

    mapping = {"mTORC1": "pmTORC1", "mTORC2": "pmTORC2"}
    model = mtorsim.load(MODELS / "Varusai2018.xml", node_map=mapping)
    run = {"until": 600.0, "points": 3, "start": "steady_state"}
    base = model.simulate(exposure={"azd8055": 0.0}, **run)
    torki = model.simulate(exposure={"azd8055": 100.0}, **run)
    # the TORKi blocks pmTORC1's action (on IRS and DEPTOR) without touching its level
    changed = [
        c
        for c in model.network.species_names
        if c in torki.columns
        if abs(torki[c].iloc[-1] - base[c].iloc[-1]) > 1e-3 * abs(base[c].iloc[-1])
    ]
    assert changed
    fujita = mtorsim.load(MODELS / "Fujita2010.xml")  # EGFR-AKT-S6: no mTORC1 species
    with pytest.raises(MtorsimError, match="node_map"):
        fujita.simulate(until=10.0, exposure={"azd8055": 1.0})


def test_math_nested_thousands_deep_is_one_sbml_error(tmp_path) -> None:
    """From Python too (the CLI catches RecursionError for every reader)."""
    from mtorsim.errors import SBMLError
    from mtorsim.network.sbml_import import read_sbml

    depth = 3000
    math = "<apply><plus/>" * depth + "<ci>S1</ci><cn>1</cn>" + "</apply>" * depth
    path = tmp_path / "deep.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">'
        '<model id="m"><listOfCompartments><compartment id="C" size="1" constant="true"/>'
        '</listOfCompartments><listOfSpecies><species id="S1" compartment="C" '
        'initialConcentration="1" hasOnlySubstanceUnits="false" boundaryCondition="false" '
        'constant="false"/></listOfSpecies><listOfParameters><parameter id="p" value="1" '
        'constant="false"/></listOfParameters><listOfRules><assignmentRule variable="p">'
        f'<math xmlns="http://www.w3.org/1998/Math/MathML">{math}</math></assignmentRule>'
        "</listOfRules></model></sbml>"
    )
    with pytest.raises(SBMLError, match="nested too deeply"):
        read_sbml(path)


def _decay_model(path: Path, rate_ci: str) -> Path:
    """S' = -k S in an L2V4 file whose rate law names k by ``rate_ci`` (raw MathML)."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sbml xmlns="http://www.sbml.org/sbml/level2/version4" level="2" version="4">'
        '<model id="m"><listOfCompartments><compartment id="C" size="1"/>'
        '</listOfCompartments><listOfSpecies><species id="S" compartment="C" '
        'initialConcentration="2"/></listOfSpecies><listOfParameters>'
        '<parameter id="k" value="0.5"/></listOfParameters><listOfReactions>'
        '<reaction id="r" reversible="false"><listOfReactants><speciesReference species="S"/>'
        '</listOfReactants><kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">'
        f"<apply><times/><ci> C </ci>\n{rate_ci}\n<ci> S </ci></apply></math></kineticLaw>"
        "</reaction></listOfReactions></model></sbml>"
    )
    return path


def test_type_integer_on_ci_is_read_as_the_plain_name(tmp_path: Path) -> None:
    """d2d/arFramework exports (PEtab's Weber_BMC2015) write ``<ci type="integer">``:
    outside SBML's MathML subset, but it changes nothing; libRoadRunner reads it too."""
    model = mtorsim.load(_decay_model(tmp_path / "ci.xml", '<ci type="integer"> k </ci>'))
    res = model.simulate(until=4.0, points=5, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(res["S"], 2 * np.exp(-0.5 * res["time"]), rtol=1e-8)
    # a kind that would change the meaning (a vector), or type on another element, is not
    with pytest.raises(SBMLError, match="'type'"):
        read_sbml(_decay_model(tmp_path / "v.xml", '<ci type="vector"> k </ci>'))
    csym = (
        '<csymbol encoding="text" type="real" '
        'definitionURL="http://www.sbml.org/sbml/symbols/time"> t </csymbol>'
    )
    with pytest.raises(SBMLError, match="'type'"):
        read_sbml(_decay_model(tmp_path / "t.xml", csym))


def test_a_value_applied_to_nothing_is_the_value(tmp_path: Path) -> None:
    """``<apply><ci> k </ci></apply>`` with k a parameter (d2d/arFramework exports, PEtab's
    Beer_MolBioSystems2014) reads as k, as libRoadRunner reads it; k applied to arguments,
    or a name that is nothing in the model, stays libsbml's error."""
    model = mtorsim.load(_decay_model(tmp_path / "k.xml", "<apply><ci> k </ci></apply>"))
    res = model.simulate(until=4.0, points=5, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(res["S"], 2 * np.exp(-0.5 * res["time"]), rtol=1e-8)
    for bad in ("<apply><ci> k </ci><ci> S </ci></apply>", "<apply><ci> q </ci></apply>"):
        with pytest.raises(SBMLError, match="functionDefinition"):
            read_sbml(_decay_model(tmp_path / "bad.xml", bad))


_TWO_SPECIES = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
<model id="m" timeUnits="second">
<listOfCompartments><compartment id="c" size="{size}" constant="true" spatialDimensions="3"/>
</listOfCompartments>
<listOfSpecies>
<species id="A" compartment="c" {a_init} hasOnlySubstanceUnits="false"
 boundaryCondition="false" constant="false"/>
<species id="B" compartment="c" initialConcentration="0" hasOnlySubstanceUnits="false"
 boundaryCondition="false" constant="false"/>
</listOfSpecies>
<listOfParameters><parameter id="k" {k_value} constant="true"/></listOfParameters>
<listOfReactions><reaction id="r1" reversible="false">
<listOfReactants><speciesReference species="A" stoichiometry="1" constant="true"/>
</listOfReactants><listOfProducts>
<speciesReference species="B" stoichiometry="1" constant="true"/></listOfProducts>
<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">{law}</math></kineticLaw>
</reaction></listOfReactions>
</model>
</sbml>
"""
_LAW = "<apply><times/><ci>k</ci><ci>A</ci></apply>"


def _two_species(tmp_path: Path, **fields: str) -> Path:
    values = {"size": "1", "a_init": 'initialConcentration="1"', "k_value": 'value="2"'}
    path = tmp_path / "m.xml"
    path.write_text(_TWO_SPECIES.format(**{**values, "law": _LAW, **fields}))
    return path


def test_values_sbml_leaves_unset_or_undefined_are_named(tmp_path: Path) -> None:
    from mtorsim.network.sbml_import import SBMLValueWarning

    assert mtorsim.load(_two_species(tmp_path)).simulate(until=1.0)["B"].iloc[-1] > 0.5
    for fields, name in (({"k_value": ""}, "parameter 'k'"), ({"a_init": ""}, "species 'A'")):
        with pytest.warns(SBMLValueWarning, match=f"{name} has no value"):
            mtorsim.load(_two_species(tmp_path, **fields))
    divide = "<apply><divide/><ci>k</ci><cn>0</cn></apply>"
    with pytest.raises(SBMLError, match="reaction 'r1' divides by zero"):
        mtorsim.load(_two_species(tmp_path, law=divide))
    with pytest.raises(SBMLError, match="compartment 'c' has size 0"):
        mtorsim.load(_two_species(tmp_path, size="0"))


def test_a_round_trip_keeps_mtorsims_own_sources_and_units(tmp_path: Path) -> None:
    model = mtorsim.load()
    model.to_sbml(tmp_path / "m.xml")
    back = mtorsim.load(tmp_path / "m.xml")
    for kind in ("parameters", "species", "observables"):
        a = model.table(kind).set_index("name")
        b = back.table(kind).set_index("name").loc[a.index.intersection(back.table(kind).name)]
        # species start at the rest state under the model's parameters, computed at export
        kept = ("unit", "description") if kind == "species" else ("unit", "source", "description")
        cols = [c for c in kept if c in a.columns]
        pd.testing.assert_frame_equal(a.loc[b.index, cols], b[cols], check_dtype=False)
    assert back.table("parameters").set_index("name").loc["K_4ebp1", "source"].startswith("assumed")
    assert set(back.table("species")["source"]) == {
        "steady state of this model in full medium (GF = 1, AA = 1), computed at export"
    }
    # a value another tool changed no longer carries the citation of the exported one
    text = (tmp_path / "m.xml").read_text()
    edited = tmp_path / "edited.xml"
    edited.write_text(text.replace('id="K_4ebp1" value="0.2"', 'id="K_4ebp1" value="2"'))
    source = mtorsim.load(edited).table("parameters").set_index("name").loc["K_4ebp1", "source"]
    assert source.startswith("SBML (") and "changed from 0.2 (assumed" in source


def test_a_genotype_model_is_exported_at_its_own_rest(tmp_path: Path) -> None:
    pten_null = mtorsim.load().with_parameters(PTEN_level=0.0)
    pten_null.to_sbml(tmp_path / "pten0.xml")
    elsewhere = mtorsim.load(tmp_path / "pten0.xml").simulate(hours=6, points=4)  # from file
    own = pten_null.simulate(hours=6, points=4)
    np.testing.assert_allclose(elsewhere["PIP3"], own["PIP3"], rtol=1e-5)
    assert np.ptp(elsewhere["PIP3"]) < 1e-6  # no transient: the file starts at rest
    pten_null.to_sbml(tmp_path / "initial.xml", start="initial")  # the network's own start
    drifting = mtorsim.load(tmp_path / "initial.xml").simulate(hours=6, points=4)
    assert np.ptp(drifting["PIP3"]) > 0.05
