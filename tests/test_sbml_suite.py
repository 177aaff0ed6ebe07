"""SBML Test Suite sample (tests/data/sbml_suite) and the run-time SBML semantics of #17.

On the fixed sample: no wrong result and no unexpected exception (what mtorsim cannot do is
refused with a one-line SBMLError naming the construct); the pass rate beside
libRoadRunner's is printed, not asserted. Then: initial assignments evaluated per run,
species set at run time, settings without effect refused, events resetting species,
conversion factors.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import libsbml
import numpy as np
import pandas as pd
import pytest

import mtorsim
from mtorsim.errors import SBMLError

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "sbml_suite" / "cases"
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import sbml_test_suite as suite  # noqa: E402
from cli_helpers import run_cli  # noqa: E402


def test_suite_sample_has_no_wrong_results_and_no_crashes(capsys) -> None:
    cases = suite.find_cases(CASES)
    assert len(cases) >= 5
    table = suite.score(cases)
    bad = table[table.mtorsim.isin(["wrong", "crashed", "error"])]
    assert bad.empty, bad[["case", "mtorsim", "mtorsim_message"]].to_string()
    for msg in table[table.mtorsim == "refused"].mtorsim_message:
        assert "\n" not in msg and msg
    counts = suite.by_outcome(table)
    with capsys.disabled():
        print("\nSBML Test Suite sample:\n" + counts.to_string())
    assert counts.loc["pass", "mtorsim"] >= 3


def _model(
    tmp_path: Path,
    *,
    cf: float | None = None,
    event: str | None = None,
    events: tuple[tuple[str, str, str], ...] = (),
) -> Path:
    """C (size 2) holds S (IA: S = 2 k), decaying at kd; rule R = 3 S; unused u;
    ``event`` resets S at t = 1; ``events`` are (trigger, variable, value)."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("C"), c.setSize(2.0), c.setConstant(True)
    s = m.createSpecies()
    s.setId("S"), s.setCompartment("C"), s.setInitialConcentration(1.0)
    s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(False), s.setConstant(False)
    for pid, value in (("k", 1.0), ("kd", 0.5), ("u", 7.0), ("R", 0.0), ("cf", cf or 1.0)):
        p = m.createParameter()
        p.setId(pid), p.setValue(value), p.setConstant(pid != "R")
    if cf is not None:
        s.setConversionFactor("cf")
    ia = m.createInitialAssignment()
    ia.setSymbol("S"), ia.setMath(libsbml.parseL3Formula("2 * k"))
    rule = m.createAssignmentRule()
    rule.setVariable("R"), rule.setMath(libsbml.parseL3Formula("3 * S"))
    r = m.createReaction()
    r.setId("decay"), r.setReversible(False)
    ref = r.createReactant()
    ref.setSpecies("S"), ref.setStoichiometry(1), ref.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula("kd * S * C"))
    if event:
        events = (("time >= 1", "S", event), *events)
    for i, (trigger, var, value) in enumerate(events):
        p = m.getParameter(var)
        if p is not None:
            p.setConstant(False)
        e = m.createEvent()
        e.setId(f"e{i}"), e.setUseValuesFromTriggerTime(True)
        t = e.createTrigger()
        t.setMath(libsbml.parseL3Formula(trigger)), t.setPersistent(True)
        t.setInitialValue(True)
        a = e.createEventAssignment()
        a.setVariable(var), a.setMath(libsbml.parseL3Formula(value))
    path = tmp_path / "m.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_initial_assignment_follows_a_parameter_set_for_the_run(tmp_path: Path) -> None:
    m = mtorsim.load(_model(tmp_path))
    assert m.simulate(until=1, points=2)["S"].iloc[0] == pytest.approx(2.0)
    r = m.simulate(until=1, points=2, parameters={"k": 3.0})
    assert r["S"].iloc[0] == pytest.approx(6.0)
    assert r["S"].iloc[-1] == pytest.approx(6.0 * math.exp(-0.5), rel=1e-5)
    assert r["R"].iloc[0] == pytest.approx(18.0)


def test_species_start_value_is_settable_and_wins_over_its_initial_assignment(
    tmp_path: Path,
) -> None:
    m = mtorsim.load(_model(tmp_path))
    r = m.simulate(until=1, points=2, parameters={"S": 2.5, "k": 10})
    assert r["S"].iloc[0] == pytest.approx(2.5)


@pytest.mark.parametrize(
    ("name", "why"), [("R", "assignment rule"), ("u", "used by no rate"), ("nope", "unknown")]
)
def test_a_setting_without_effect_is_an_error(tmp_path: Path, name: str, why: str) -> None:
    m = mtorsim.load(_model(tmp_path))
    with pytest.raises(mtorsim.errors.MtorsimError, match=why) as info:
        m.simulate(until=1, points=2, parameters={name: 1.0})
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("value", "expect"), [("10", 10.0), ("S * 4", None)])
def test_time_event_resets_a_species(tmp_path: Path, value: str, expect: float | None) -> None:
    m = mtorsim.load(_model(tmp_path, event=value))
    r = m.simulate(until=2, points=5)  # t = 0, 0.5, 1, 1.5, 2
    before = 2.0 * math.exp(-0.5 * 1.0)
    at = expect if expect is not None else 4 * before
    assert r["S"].iloc[2] == pytest.approx(at, rel=1e-5)
    assert r["S"].iloc[4] == pytest.approx(at * math.exp(-0.5), rel=1e-5)


def test_conversion_factor_scales_the_species_rate(tmp_path: Path) -> None:
    m = mtorsim.load(_model(tmp_path, cf=3.0))
    r = m.simulate(until=1, points=2)
    assert r["S"].iloc[-1] == pytest.approx(2.0 * np.exp(-1.5), rel=1e-5)


def test_unsupported_constructs_are_refused_in_one_line(tmp_path: Path) -> None:
    doc = libsbml.readSBMLFromFile(str(_model(tmp_path)))
    e = doc.getModel().createEvent()
    e.setId("when_low"), e.setUseValuesFromTriggerTime(True)
    t = e.createTrigger()
    t.setMath(libsbml.parseL3Formula("S < 0.5")), t.setPersistent(True), t.setInitialValue(True)
    a = e.createEventAssignment()
    a.setVariable("S"), a.setMath(libsbml.parseL3Formula("1"))
    path = tmp_path / "state.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    with pytest.raises(SBMLError, match=r"when_low.*root finding") as info:
        mtorsim.load(path)
    assert "\n" not in str(info.value)


def test_state_reset_after_a_parameter_event_sees_the_course_that_event_made(
    tmp_path: Path,
) -> None:
    """kd drops to 0 at t = 0.5; S doubles at t = 1 from the state of that course."""
    path = _model(tmp_path, events=(("time >= 0.5", "kd", "0"), ("time >= 1", "S", "2 * S")))
    r = mtorsim.load(path).simulate(until=2, points=5)
    held = 2.0 * math.exp(-0.25)
    assert r["S"].tolist() == pytest.approx([2.0, held, 2 * held, 2 * held, 2 * held], rel=1e-5)


def test_event_at_time_zero_fires_only_when_its_trigger_starts_false(tmp_path: Path) -> None:
    """``time >= 0`` with initialValue true is already true at 0: it never fires."""
    r = mtorsim.load(_model(tmp_path, events=(("time >= 0", "S", "5"),))).simulate(
        until=1, points=2
    )
    assert r["S"].iloc[0] == pytest.approx(2.0)
    r = mtorsim.load(_model(tmp_path, events=(("time > 0", "S", "5"),))).simulate(until=1, points=2)
    assert r["S"].iloc[0] == pytest.approx(2.0)  # fires just after 0
    assert r["S"].iloc[-1] == pytest.approx(5.0 * math.exp(-0.5), rel=1e-5)


def test_rate_of_a_species_is_its_reactions_rate(tmp_path: Path) -> None:
    """rateOf(S) (L3V2) is -kd·S here (the law kd·S·C over the volume C)."""
    doc = libsbml.readSBMLFromFile(str(_model(tmp_path)))
    rule = doc.getModel().getAssignmentRule("R")
    rule.setMath(libsbml.parseL3Formula("rateOf(S)"))
    path = tmp_path / "rate_of.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    r = mtorsim.load(path).simulate(until=1, points=3)
    assert r["R"].to_numpy() == pytest.approx(-0.5 * r["S"].to_numpy(), rel=1e-6)


def test_delayed_event_uses_values_from_its_trigger_time(tmp_path: Path) -> None:
    """Triggered at 0.5, fires at 1: S is reset to the value it had at 0.5."""
    doc = libsbml.readSBMLFromFile(str(_model(tmp_path, event="S")))
    e = doc.getModel().getEvent(0)
    e.getTrigger().setMath(libsbml.parseL3Formula("time >= 0.5"))
    e.createDelay().setMath(libsbml.parseL3Formula("0.5"))
    path = tmp_path / "delay.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    r = mtorsim.load(path).simulate(until=1.5, points=4)  # 0, 0.5, 1, 1.5
    at_trigger = 2.0 * math.exp(-0.25)
    assert r["S"].iloc[1] == pytest.approx(at_trigger, rel=1e-6)
    assert r["S"].iloc[2] == pytest.approx(at_trigger, rel=1e-6)
    assert r["S"].iloc[3] == pytest.approx(at_trigger * math.exp(-0.25), rel=1e-5)


def test_steady_state_refuses_settings_that_move_the_start(tmp_path: Path) -> None:
    m = mtorsim.load(_model(tmp_path))
    m.steady_state(parameters={"kd": 1.0})  # a rate constant: fine
    with pytest.raises(mtorsim.errors.MtorsimError, match="start value of S"):
        m.steady_state(parameters={"k": 3.0})  # moves S through its initial assignment


def test_cli_set_takes_species_and_refuses_settings_without_effect(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    xml = str(CASES / "00004" / "00004-sbml-l3v1.xml")
    out = tmp_path / "run.csv"
    argv = ["simulate", "--sbml", xml, "--until", "1", "--points", "3", "--set", "S1=2.5"]
    code, _, err = run_cli([*argv, "--out", str(out)], capsys, monkeypatch)
    assert code == 0, err
    assert pd.read_csv(out)["S1"].iloc[0] == pytest.approx(2.5)
    rule = str(CASES / "00078" / "00078-sbml-l3v1.xml")
    argv = ["simulate", "--sbml", rule, "--until", "1", "--set", "S3=2"]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code != 0 and "assignment rule" in err and err.strip().count("\n") == 0
