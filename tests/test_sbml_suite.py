"""SBML Test Suite sample (tests/data/sbml_suite) and the run-time SBML semantics of #17.

On the fixed sample: no wrong result and no unexpected exception (what mtorsim cannot do is
refused with a one-line SBMLError naming the construct); the pass rate beside
libRoadRunner's is printed (mtorsim's floor asserted). Then: initial assignments evaluated
per run, species set at run time, settings without effect refused, events resetting
species, conversion factors, and state-triggered events (root finding, delays,
persistence, priorities, initialValue, values from the trigger or the execution time).
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
    assert counts.loc["pass", "mtorsim"] >= 34  # of 35: 00950 (INF, NaN) is refused


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


def _with_events(tmp_path: Path, *events: dict) -> Path:
    """The ``_model`` network (S from 2, decaying at 0.5) with events given as dicts:
    trigger, sets ((variable, value), ...), and optionally delay, priority, persistent,
    initial (initialValue), from_trigger (useValuesFromTriggerTime)."""
    doc = libsbml.readSBMLFromFile(str(_model(tmp_path)))
    m = doc.getModel()
    for i, ev in enumerate(events):
        e = m.createEvent()
        e.setId(f"ev{i}"), e.setUseValuesFromTriggerTime(ev.get("from_trigger", True))
        t = e.createTrigger()
        t.setMath(libsbml.parseL3Formula(ev["trigger"]))
        t.setPersistent(ev.get("persistent", True)), t.setInitialValue(ev.get("initial", True))
        if "delay" in ev:
            e.createDelay().setMath(libsbml.parseL3Formula(ev["delay"]))
        if "priority" in ev:
            e.createPriority().setMath(libsbml.parseL3Formula(ev["priority"]))
        for var, value in ev["sets"]:
            if m.getParameter(var) is not None:
                m.getParameter(var).setConstant(False)
            a = e.createEventAssignment()
            a.setVariable(var), a.setMath(libsbml.parseL3Formula(value))
    path = tmp_path / f"events{len(list(tmp_path.iterdir()))}.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_state_triggered_event_fires_where_its_trigger_turns_true(tmp_path: Path) -> None:
    """S = 2 exp(-t/2) crosses 0.5 at t* = 2 ln 4; the event resets S to 2, so the course
    repeats with period t* (root located to ~1e-12, not to the output grid)."""
    path = _with_events(tmp_path, {"trigger": "S < 0.5", "sets": (("S", "2"),)})
    t = np.linspace(0, 8, 41)
    r = mtorsim.load(path).simulate(until=8, points=41, rtol=1e-10, atol=1e-14)
    period = 2 * math.log(4)
    expected = 2 * np.exp(-0.5 * (t % period))
    assert r["S"].to_numpy() == pytest.approx(expected, rel=1e-6)
    assert r["R"].to_numpy() == pytest.approx(3 * expected, rel=1e-6)  # rules follow


def test_delayed_state_event_persistence_and_trigger_time_values(tmp_path: Path) -> None:
    """S < 1.5 turns true at t1 = 2 ln(4/3); a second event resets S to 2 when S < 1.2
    (t2 = 2 ln(5/3)), turning the first trigger false again. With a delay of 1, the
    persistent event still executes at t1 + 1 with u = S(t1) = 1.5, the non-persistent
    one (setting k) is cancelled."""
    path = _with_events(
        tmp_path,
        {"trigger": "S < 1.5", "delay": "1", "sets": (("u", "S"),)},
        {"trigger": "S < 1.5", "delay": "1", "persistent": False, "sets": (("k", "99"),)},
        {"trigger": "S < 1.2", "sets": (("S", "2"),)},
    )
    t1 = 2 * math.log(4 / 3)
    r = mtorsim.load(path).simulate(until=2, points=5, rtol=1e-10, atol=1e-14)
    steps = r.attrs["sbml_parameter_steps"]
    assert [t for t, _ in steps["u"]] == pytest.approx([t1 + 1], rel=1e-9)
    assert [v for _, v in steps["u"]] == pytest.approx([1.5], rel=1e-8)
    assert "k" not in steps


def test_values_at_execution_time_and_initial_value_false(tmp_path: Path) -> None:
    """initialValue false and a trigger true at 0: the event fires at 0 (S = 2 + 1); a
    delayed event with useValuesFromTriggerTime false reads S when it executes."""
    path = _with_events(
        tmp_path,
        {"trigger": "S > 1", "initial": False, "sets": (("S", "S + 1"),)},
        {"trigger": "S < 2", "delay": "1", "from_trigger": False, "sets": (("u", "S"),)},
    )
    r = mtorsim.load(path).simulate(until=3, points=4, rtol=1e-10, atol=1e-14)
    assert r["S"].iloc[0] == pytest.approx(3.0)
    t1 = 2 * math.log(1.5)  # S = 3 exp(-t/2) < 2
    ((when, value),) = r.attrs["sbml_parameter_steps"]["u"]
    assert when == pytest.approx(t1 + 1, rel=1e-9)
    assert value == pytest.approx(3 * math.exp(-0.5 * (t1 + 1)), rel=1e-7)


def test_events_due_at_an_output_time_show_in_that_row(tmp_path: Path) -> None:
    """Comparisons linear in time inside a trigger end the segment exactly where they
    switch: ``time >= 1 && S > 0.1`` sets S = 5 at t = 1, and a clock event
    ``time - k >= 0.5`` (k from 1, set to time) counts u up at 1.5 and 2; the rows at those
    times show the values after the events."""
    path = _with_events(
        tmp_path,
        {"trigger": "time >= 1 && S > 0.1", "sets": (("S", "5"),)},
        {"trigger": "time - k >= 0.5", "sets": (("k", "time"), ("u", "u + 1"))},
    )
    r = mtorsim.load(path).simulate(until=2, points=5, rtol=1e-10, atol=1e-14)
    assert r["S"].iloc[2] == pytest.approx(5.0)
    steps = r.attrs["sbml_parameter_steps"]
    assert steps["u"] == [(1.5, 8.0), (2.0, 9.0)]  # exactly at the output times
    assert steps["k"] == [(1.5, 1.5), (2.0, 2.0)]


def test_priorities_order_simultaneous_state_events(tmp_path: Path) -> None:
    """Both fire when S < 1; the higher priority runs first: u = (7 + 1) * 2 = 16, and
    swapped priorities give 7 * 2 + 1 = 15 (values read when each executes)."""

    def run(p_add: str, p_mul: str) -> float:
        path = _with_events(
            tmp_path,
            {"trigger": "S < 1", "priority": p_add, "from_trigger": False,
             "sets": (("u", "u + 1"),)},
            {"trigger": "S < 1", "priority": p_mul, "from_trigger": False,
             "sets": (("u", "u * 2"),)},
        )  # fmt: skip
        r = mtorsim.load(path).simulate(until=3, points=4)
        return r.attrs["sbml_parameter_steps"]["u"][-1][1]

    assert run("2", "1") == pytest.approx(16.0)
    assert run("1", "2") == pytest.approx(15.0)


def test_competing_clock_events_follow_their_priorities(tmp_path: Path) -> None:
    """The design of suite case 00963: two pairs of non-persistent events on
    ``time - reset >= 0.01``, each disabling its rival; the higher priority wins every
    time (Q and R2), the two winners tie at the top but touch different values."""
    doc = libsbml.SBMLDocument(3, 1)
    m = doc.createModel()
    m.setId("m963")
    for pid in ("Q", "R", "reset", "Q2", "R2", "reset2"):
        p = m.createParameter()
        p.setId(pid), p.setValue(0.0), p.setConstant(False)
    for eid, clock, var, prio in (
        ("Qinc", "reset", "Q", 1), ("Rinc", "reset", "R", -1),
        ("Qinc2", "reset2", "Q2", -1), ("Rinc2", "reset2", "R2", 1),
    ):  # fmt: skip
        e = m.createEvent()
        e.setId(eid), e.setUseValuesFromTriggerTime(True)
        t = e.createTrigger()
        t.setMath(libsbml.parseL3Formula(f"time - {clock} >= 0.01"))
        t.setPersistent(False), t.setInitialValue(True)
        e.createPriority().setMath(libsbml.parseL3Formula(str(prio)))
        for target, value in ((clock, "time"), (var, f"{var} + 0.01")):
            a = e.createEventAssignment()
            a.setVariable(target), a.setMath(libsbml.parseL3Formula(value))
    path = tmp_path / "clocks.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    r = mtorsim.load(path).simulate(until=0.1, points=11)
    steps = r.attrs["sbml_parameter_steps"]
    assert [t for t, _ in steps["Q"]] == pytest.approx(np.linspace(0.01, 0.1, 10), abs=1e-12)
    assert steps["Q"][-1][1] == pytest.approx(0.1) and steps["R2"][-1][1] == pytest.approx(0.1)
    assert "R" not in steps and "Q2" not in steps


def test_simultaneous_events_with_open_order_are_refused_in_one_line(tmp_path: Path) -> None:
    path = _with_events(
        tmp_path,
        {"trigger": "S < 1", "sets": (("u", "1"),)},
        {"trigger": "S < 1", "sets": (("u", "2"),)},
    )
    with pytest.raises(SBMLError, match=r"ev0.*ev1.*priorities") as info:
        mtorsim.load(path).simulate(until=3, points=4)
    assert "\n" not in str(info.value)


def _compartment_model(tmp_path: Path, law: str, rule: str | None, event: str | None) -> Path:
    """C (size 1, not constant) holds S (amount 1) with one reaction of ``law``: S is a
    product of ``S_gain`` (law > 0) or a reactant; ``rule`` a rate rule for C; ``event``
    'trigger:value' sets C."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("C"), c.setSize(1.0), c.setConstant(False)
    s = m.createSpecies()
    s.setId("S"), s.setCompartment("C"), s.setInitialAmount(1.0)
    s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(False), s.setConstant(False)
    r = m.createReaction()
    r.setId("S_gain"), r.setReversible(False)
    ref = r.createProduct() if rule is None else r.createReactant()
    ref.setSpecies("S"), ref.setStoichiometry(1), ref.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula(law))
    if rule is not None:
        rr = m.createRateRule()
        rr.setVariable("C"), rr.setMath(libsbml.parseL3Formula(rule))
    if event is not None:
        trigger, value = event.split(":")
        e = m.createEvent()
        e.setId("resize"), e.setUseValuesFromTriggerTime(True)
        t = e.createTrigger()
        t.setMath(libsbml.parseL3Formula(trigger)), t.setPersistent(True), t.setInitialValue(True)
        a = e.createEventAssignment()
        a.setVariable("C"), a.setMath(libsbml.parseL3Formula(value))
    path = tmp_path / f"compartment{len(list(tmp_path.iterdir()))}.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_event_resizing_a_compartment_conserves_amounts(tmp_path: Path) -> None:
    """Amount n: dn/dt = C^2 / n, so n^2 = 1 + 2t while C = 1; [S] > 2.1 at t* = 1.705 sets
    C = 10: n stays (the concentration drops tenfold), then n^2 = 2.1^2 + 200 (t - t*)."""
    path = _compartment_model(tmp_path, "C / S", None, "S > 2.1:10")
    t = np.linspace(0, 3, 31)
    r = mtorsim.load(path).simulate(until=3, points=31, rtol=1e-10, atol=1e-14)
    t_star = (2.1**2 - 1) / 2
    n = np.sqrt(np.where(t < t_star, 1 + 2 * t, 2.1**2 + 200 * (t - t_star)))
    assert r["S"].to_numpy() == pytest.approx(np.where(t < t_star, n, n / 10), rel=1e-8)
    ((when, size),) = r.attrs["sbml_parameter_steps"]["C"]
    assert when == pytest.approx(t_star, rel=1e-10) and size == 10


def test_compartment_with_a_rate_rule_dilutes_its_concentrations(tmp_path: Path) -> None:
    """C = exp(-t/10) shrinks, the amount decays at 0.5: [S] = exp(-0.5 t) / C."""
    path = _compartment_model(tmp_path, "0.5 * S * C", "-0.1 * C", None)
    t = np.linspace(0, 4, 9)
    r = mtorsim.load(path).simulate(until=4, points=9, rtol=1e-10, atol=1e-14)
    assert r["C"].to_numpy() == pytest.approx(np.exp(-0.1 * t), rel=1e-8)
    assert r["S"].to_numpy() == pytest.approx(np.exp(-0.4 * t), rel=1e-8)
    doc = libsbml.readSBMLFromFile(str(path))  # rateOf(S) includes the dilution
    rate = doc.getModel().createParameter()
    rate.setId("R"), rate.setValue(0.0), rate.setConstant(False)
    rule = doc.getModel().createAssignmentRule()
    rule.setVariable("R"), rule.setMath(libsbml.parseL3Formula("rateOf(S)"))
    path = tmp_path / "rate_of_diluted.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    r = mtorsim.load(path).simulate(until=4, points=9, rtol=1e-10, atol=1e-14)
    assert r["R"].to_numpy() == pytest.approx(-0.4 * np.exp(-0.4 * t), rel=1e-7)


def test_compartment_sized_by_a_rule_that_changes_dilutes_its_species(tmp_path: Path) -> None:
    """C = 1 + time (an assignment rule, 00312/00318): amount n with dn/dt = C / [S] =
    C^2 / n, so n^2 = 1 + 2/3 ((1 + t)^3 - 1); [S] = n / C follows the dilution."""
    doc = libsbml.readSBMLFromFile(str(_compartment_model(tmp_path, "C / S", None, None)))
    m = doc.getModel()
    rule = m.createAssignmentRule()
    rule.setVariable("C"), rule.setMath(libsbml.parseL3Formula("1 + time"))
    path = tmp_path / "rule.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    r = mtorsim.load(path).simulate(until=2, points=5, rtol=1e-10, atol=1e-14)
    t = np.linspace(0, 2, 5)
    n = np.sqrt(1 + 2 / 3 * ((1 + t) ** 3 - 1))
    assert r["C"].to_numpy() == pytest.approx(1 + t, rel=1e-12)
    assert r["S"].to_numpy() == pytest.approx(n / (1 + t), rel=1e-7)


def test_compartment_changes_that_are_not_supported_are_refused(tmp_path: Path) -> None:
    doc = libsbml.readSBMLFromFile(str(_compartment_model(tmp_path, "C / S", None, "S > 2:5")))
    a = doc.getModel().getEvent(0).createEventAssignment()
    a.setVariable("S"), a.setMath(libsbml.parseL3Formula("1"))
    path = tmp_path / "both.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    with pytest.raises(SBMLError, match=r"sets compartment 'C' and species 'S' in it at once"):
        mtorsim.load(path)


def test_non_integer_stoichiometry_moves_each_species_at_its_share(tmp_path: Path) -> None:
    """1.5 S -> 0.5 S + 0.25 P + 2.5 Q at 0.7 S C (C = 2, Q in amounts): S decays at 0.7,
    P = 0.25 (1 - S) and Q = 2.5 C (1 - S)."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("C"), c.setSize(2.0), c.setConstant(True)
    for sid, v in (("S", 1.0), ("P", 0.0), ("Q", 0.0)):
        sp_ = m.createSpecies()
        sp_.setId(sid), sp_.setCompartment("C"), sp_.setInitialConcentration(v)
        sp_.setHasOnlySubstanceUnits(sid == "Q"), sp_.setBoundaryCondition(False)
        sp_.setConstant(False)
    r = m.createReaction()
    r.setId("r"), r.setReversible(False)
    for sid, n, product in (
        ("S", 1.5, False),
        ("P", 0.25, True),
        ("Q", 2.5, True),
        ("S", 0.5, True),
    ):
        ref = r.createProduct() if product else r.createReactant()
        ref.setSpecies(sid), ref.setStoichiometry(n), ref.setConstant(True)
    r.createKineticLaw().setMath(libsbml.parseL3Formula("0.7 * S * C"))
    path = tmp_path / "stoichiometry.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    t = np.linspace(0, 3, 7)
    res = mtorsim.load(path).simulate(until=3, points=7, rtol=1e-10, atol=1e-14)
    s = np.exp(-0.7 * t)
    assert res["S"].to_numpy() == pytest.approx(s, rel=1e-8)
    assert res["P"].to_numpy() == pytest.approx(0.25 * (1 - s), rel=1e-8, abs=1e-12)
    assert res["Q"].to_numpy() == pytest.approx(5.0 * (1 - s), rel=1e-8, abs=1e-12)


def test_algebraic_rules_that_reduce_to_assignments(tmp_path: Path) -> None:
    """0 = x - 2 S - 1 and 0 = 2 y - x give x = 2 S + 1, y = S + 1/2 (solved in turn); S is
    consumed at 0.5 S + 0.1 y, so S = -a + (1 + a) exp(-0.6 t) with a = 0.05 / 0.6. A rule
    with two undetermined variables, or none solvable alone, is refused by name."""

    def model(*rules: str) -> Path:
        doc = libsbml.readSBMLFromFile(str(_model(tmp_path)))
        m = doc.getModel()
        m.getReaction(0).getKineticLaw().setMath(libsbml.parseL3Formula("(0.5 * S + 0.1 * y) * C"))
        for pid in ("x", "y"):
            p = m.createParameter()
            p.setId(pid), p.setValue(0.0), p.setConstant(False)
        for f in rules:
            m.createAlgebraicRule().setMath(libsbml.parseL3Formula(f))
        path = tmp_path / f"algebraic{len(list(tmp_path.iterdir()))}.xml"
        libsbml.writeSBMLToFile(doc, str(path))
        return path

    r = mtorsim.load(model("x - 2 * S - 1", "2 * y - x")).simulate(
        until=3, points=7, rtol=1e-10, atol=1e-14
    )
    t, a = np.linspace(0, 3, 7), 0.05 / 0.6
    s = -a + (2 + a) * np.exp(-0.6 * t)  # S starts at 2 (its initial assignment 2 k)
    assert r["S"].to_numpy() == pytest.approx(s, rel=1e-8)
    assert r["x"].to_numpy() == pytest.approx(2 * s + 1, rel=1e-8)
    assert r["y"].to_numpy() == pytest.approx(s + 0.5, rel=1e-8)
    for rules, why in ((("x + y - S",), "does not reduce"), (("x^2 - S",), "no single solution")):
        with pytest.raises(SBMLError, match=why) as info:
            mtorsim.load(model(*rules))
        assert "\n" not in str(info.value)


def test_equality_on_a_moving_value_is_refused_and_on_time_fires(tmp_path: Path) -> None:
    path = _with_events(tmp_path, {"trigger": "S == 0.5", "sets": (("u", "1"),)})
    with pytest.raises(SBMLError, match=r"'ev0' compares 'S' with == or !=.*use < or >"):
        mtorsim.load(path)
    path = _with_events(tmp_path, {"trigger": "time == 1", "sets": (("u", "1"),)})
    r = mtorsim.load(path).simulate(until=2, points=3)
    assert r.attrs["sbml_parameter_steps"]["u"] == [(1.0, 1.0)]


def test_models_without_state_events_keep_the_time_event_path(tmp_path: Path, monkeypatch) -> None:
    """Time-triggered events never enter the root-finding driver."""
    import mtorsim.network.sbml_events as driver

    def refuse(*args, **kwargs):
        raise AssertionError("the root-finding driver ran")

    monkeypatch.setattr(driver, "run_events", refuse)
    r = mtorsim.load(_model(tmp_path, event="10")).simulate(until=2, points=5)
    assert r["S"].iloc[2] == pytest.approx(10.0)
    with pytest.raises(AssertionError, match="driver ran"):
        path = _with_events(tmp_path, {"trigger": "S < 1", "sets": (("S", "2"),)})
        mtorsim.load(path).simulate(until=2, points=5)


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


def _comp_model(tmp_path: Path, *, with_reaction: bool) -> Path:
    """Top model with S (no reactions) and a submodel whose reaction J makes s at 2, and
    a rule q = J + 1 naming the reaction (its rate)."""
    sub = f"""
      <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="s" compartment="C" initialAmount="1"
        hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
      <listOfParameters><parameter id="q" constant="false"/></listOfParameters>
      <listOfRules><assignmentRule variable="q"><math xmlns="{MML}"><apply><plus/><ci>J</ci>
        <cn>1</cn></apply></math></assignmentRule></listOfRules>
      {
        '<listOfReactions><reaction id="J" reversible="false"><listOfProducts>'
        '<speciesReference species="s" stoichiometry="1" constant="true"/></listOfProducts>'
        f'<kineticLaw><math xmlns="{MML}"><cn>2</cn></math></kineticLaw></reaction>'
        "</listOfReactions>"
        if with_reaction
        else ""
    }"""
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"
 xmlns:comp="http://www.sbml.org/sbml/level3/version1/comp/version1" comp:required="true">
  <model id="top">
    <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies><species id="S" compartment="C" initialAmount="3"
      hasOnlySubstanceUnits="false" boundaryCondition="false" constant="true"/></listOfSpecies>
    <comp:listOfSubmodels><comp:submodel comp:id="sub" comp:modelRef="inner"/>
    </comp:listOfSubmodels>
  </model>
  <comp:listOfModelDefinitions><comp:modelDefinition id="inner">{sub}
  </comp:modelDefinition></comp:listOfModelDefinitions>
</sbml>"""
    path = tmp_path / "comp.xml"
    path.write_text(text)
    return path


MML = "http://www.w3.org/1998/Math/MathML"


def test_hierarchical_models_are_flattened_and_reaction_ids_stand_for_rates(
    tmp_path: Path,
) -> None:
    m = mtorsim.load(_comp_model(tmp_path, with_reaction=True))
    r = m.simulate(until=1, points=3)
    assert r["sub__s"].to_numpy() == pytest.approx([1.0, 2.0, 3.0])
    assert r["sub__q"].to_numpy() == pytest.approx([3.0, 3.0, 3.0])  # J + 1, J = 2


def test_required_packages_other_than_comp_are_refused_by_name(tmp_path: Path) -> None:
    doc = libsbml.SBMLDocument(libsbml.SBMLNamespaces(3, 1, "qual", 1))
    doc.setPackageRequired("qual", True)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("C"), c.setSize(1.0), c.setConstant(True)
    path = tmp_path / "qual.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    with pytest.raises(SBMLError, match="package 'qual' is required") as info:
        mtorsim.load(path)
    assert "\n" not in str(info.value)


def test_runner_skips_cases_whose_results_do_not_match_their_settings(tmp_path: Path) -> None:
    root = tmp_path / "cases"
    for cid, header, times in (("00001", "time,S1", "0,0.5,1"), ("00002", "time,S2", "0,1,2")):
        folder = root / cid
        folder.mkdir(parents=True)
        (folder / f"{cid}-settings.txt").write_text(
            "start: 0\nduration: 1\nsteps: 2\nvariables: S1\nabsolute: 1e-6\nrelative: 1e-4\n"
        )
        rows = "\n".join(f"{t},1" for t in times.split(","))
        (folder / f"{cid}-results.csv").write_text(f"{header}\n{rows}\n")
        (folder / f"{cid}-sbml-l3v2.xml").write_text(
            _comp_model(tmp_path, with_reaction=False).read_text()
        )
    skipped: list[str] = []
    cases = suite.find_cases(root, skipped=skipped)
    assert [c.id for c in cases] == ["00001"]
    assert skipped == ["00002: results have no column for S1"]


def test_level3_version2_files_with_the_old_fast_attribute(tmp_path: Path) -> None:
    text = (CASES / "01256" / "01256-sbml-l3v2.xml").read_text()
    assert 'fast="false"' in text
    r = mtorsim.load(CASES / "01256" / "01256-sbml-l3v2.xml").simulate(until=1, points=2)
    assert r["S1"].iloc[-1] == pytest.approx(math.exp(0.01), rel=1e-6)
    path = tmp_path / "fast.xml"
    path.write_text(text.replace('fast="false"', 'fast="true"'))
    with pytest.raises(SBMLError, match="fast reactions are not supported"):
        mtorsim.load(path)


@pytest.mark.parametrize(("rule", "size"), [("2 * k", 3.0), ("S", None)])
def test_compartment_rule_from_constants_is_its_size(
    tmp_path: Path, rule: str, size: float | None
) -> None:
    """C (no size) set by a rule: from constants it is a fixed size (00540); from its own
    concentration S (S = n / C, so C = n / C at the start) it is refused."""
    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("m")
    c = m.createCompartment()
    c.setId("C"), c.setConstant(False)
    p = m.createParameter()
    p.setId("k"), p.setValue(1.5), p.setConstant(True)
    s = m.createSpecies()
    s.setId("S"), s.setCompartment("C"), s.setInitialAmount(6.0)
    s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(False), s.setConstant(False)
    r = m.createAssignmentRule()
    r.setVariable("C"), r.setMath(libsbml.parseL3Formula(rule))
    rx = m.createReaction()
    rx.setId("d"), rx.setReversible(False)
    ref = rx.createReactant()
    ref.setSpecies("S"), ref.setStoichiometry(1), ref.setConstant(True)
    rx.createKineticLaw().setMath(libsbml.parseL3Formula("C * S"))
    path = tmp_path / "c.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    if size is None:
        with pytest.raises(SBMLError, match=r"C', 'S'.* in a cycle"):
            mtorsim.load(path)
        return
    res = mtorsim.load(path).simulate(until=1, points=2, rtol=1e-10, atol=1e-14)
    assert res["S"].to_numpy() == pytest.approx([6 / size, 6 / size * math.exp(-1)], rel=1e-8)


def _rules(tmp_path: Path, *rules: tuple[str, str], law: str | None = None) -> Path:
    """The ``_model`` network (S from 2, decaying at 0.5) with assignment rules (variable,
    formula) on new parameters, and optionally another decay law."""
    doc = libsbml.readSBMLFromFile(str(_model(tmp_path)))
    m = doc.getModel()
    if law is not None:
        m.getReaction(0).getKineticLaw().setMath(libsbml.parseL3Formula(law))
    for var, formula in rules:
        p = m.createParameter()
        p.setId(var), p.setValue(0.0), p.setConstant(False)
        rule = m.createAssignmentRule()
        rule.setVariable(var), rule.setMath(libsbml.parseL3Formula(formula))
    path = tmp_path / f"rules{len(list(tmp_path.iterdir()))}.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_delay_in_a_rule_nothing_else_reads_comes_from_the_course(tmp_path: Path) -> None:
    """D = delay(S, 1) + R / 3 reads S one time unit back (S(0) = 2 before t = 1) and R = 3 S
    now; Q = delay(time, 0.5) runs on before t = 0 (01173); 01404 in the sample."""
    path = _rules(tmp_path, ("D", "delay(S, 1) + R / 3"), ("Q", "delay(time, 0.5)"))
    r = mtorsim.load(path).simulate(until=3, points=7, rtol=1e-10, atol=1e-14)
    t = np.linspace(0, 3, 7)
    s = 2 * np.exp(-0.5 * t)
    then = 2 * np.exp(-0.5 * np.clip(t - 1, 0, None))
    assert r["S"].to_numpy() == pytest.approx(s, rel=1e-8)
    assert r["D"].to_numpy() == pytest.approx(then + s, rel=1e-7)
    assert r["Q"].to_numpy() == pytest.approx(t - 0.5, abs=1e-12)
    with pytest.raises(SBMLError, match=r"rule for 'D' holds delay\(\).*from the initial state"):
        mtorsim.network.sbml_import.read_sbml(path).events()  # engine events alone: no course


@pytest.mark.parametrize(
    ("rules", "law", "why"),
    [
        ((), "kd * delay(S, 1) * C", r"delay\(\) in the kinetic law of 'decay': a delay"),
        ((("D", "delay(S, 1)"),), "kd * S * C + 0 * D", r"reads 'D', an assignment rule with"),
        ((("D", "delay(S, R)"),), None, r"delay in the rule for 'D' reads 'S', which changes"),
        ((("D", "delay(S, 1)"), ("E", "D + 1")), None, r"rule for 'E' reads 'D'"),
    ],
)
def test_delays_that_feed_the_dynamics_or_change_are_refused(
    tmp_path: Path, rules: tuple, law: str | None, why: str
) -> None:
    with pytest.raises(SBMLError, match=why) as info:
        mtorsim.load(_rules(tmp_path, *rules, law=law))
    assert "\n" not in str(info.value)


def test_concentrations_nothing_moves_keep_their_amount_as_the_compartment_grows(
    tmp_path: Path,
) -> None:
    """C' = 0.5 C (00926, 01122): B (boundary) and F (in no reaction) keep their amounts,
    so [B] = [F] = exp(-t/2); reactions never move a boundary species, even one with a rate
    rule (G: G' = 1 though it is a reactant of S_gain)."""
    doc = libsbml.readSBMLFromFile(str(_compartment_model(tmp_path, "0.1", "0.5 * C", None)))
    m = doc.getModel()
    for sid, boundary in (("B", True), ("F", False), ("G", True)):
        s = m.createSpecies()
        s.setId(sid), s.setCompartment("C"), s.setInitialConcentration(1.0)
        s.setHasOnlySubstanceUnits(sid == "G"), s.setBoundaryCondition(boundary)
        s.setConstant(False)
    ref = m.getReaction(0).createReactant()
    ref.setSpecies("G"), ref.setStoichiometry(1), ref.setConstant(True)
    rule = m.createRateRule()
    rule.setVariable("G"), rule.setMath(libsbml.parseL3Formula("1"))
    path = tmp_path / "grows.xml"
    libsbml.writeSBMLToFile(doc, str(path))
    r = mtorsim.load(path).simulate(until=2, points=5, rtol=1e-10, atol=1e-14)
    t = np.linspace(0, 2, 5)
    assert r["C"].to_numpy() == pytest.approx(np.exp(0.5 * t), rel=1e-8)
    assert r["B"].to_numpy() == pytest.approx(np.exp(-0.5 * t), rel=1e-8)
    assert r["F"].to_numpy() == pytest.approx(np.exp(-0.5 * t), rel=1e-8)
    assert r["G"].to_numpy() == pytest.approx(1 + t, rel=1e-8)


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("sinh(k)", math.sinh(1)),
        ("cosh(k)", math.cosh(1)),
        ("sech(k)", 1 / math.cosh(1)),
        ("coth(k)", 1 / math.tanh(1)),
        ("sec(k)", 1 / math.cos(1)),
        ("cot(k)", 1 / math.tan(1)),
        ("arcsinh(k)", math.asinh(1)),
        ("arcsinh(-1e8 * k)", math.asinh(-1e8)),  # the negative branch does not cancel
        ("arctanh(k / 2)", math.atanh(0.5)),
        ("arccosh(k + 1)", math.acosh(2)),
        ("arccoth(k + 1)", math.atanh(0.5)),
        ("factorial(3) * k", 6.0),
        ("piecewise(k, implies(k > 2, false), 0)", 1.0),
    ],
)
def test_mathml_functions_the_network_lacks_are_written_in_ones_it_has(
    tmp_path: Path, formula: str, value: float
) -> None:
    """R = formula with k = 1, as an observable (a network expression)."""
    r = mtorsim.load(_rules(tmp_path, ("R2", formula))).simulate(until=1, points=2)
    assert r["R2"].to_numpy() == pytest.approx([value, value], rel=1e-12)


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("arcsin(k / 2)", math.asin(0.5)),
        ("arccos(k / 2)", math.acos(0.5)),
        ("arctan(k)", 0.25 * math.pi),
    ],
)
def test_inverse_trigonometry_is_simulated(tmp_path: Path, formula: str, value: float) -> None:
    r = mtorsim.load(_rules(tmp_path, ("R2", formula))).simulate(until=1, points=2)
    assert r["R2"].to_numpy() == pytest.approx([value, value], rel=1e-12)


def test_inverse_trigonometry_in_a_rate_law_matches_an_independent_solver(tmp_path: Path) -> None:
    """d[S]/dt = -arctan([S]) / size(C) = -arctan(S) / 2 (the law is an amount rate; rate,
    Jacobian and kernel all carry atan)."""
    from scipy.integrate import solve_ivp

    r = mtorsim.load(_rules(tmp_path, law="arctan(S)")).simulate(
        until=2, points=5, rtol=1e-10, atol=1e-12
    )
    ref = solve_ivp(lambda t, y: -np.arctan(y) / 2, (0, 2), [2.0], t_eval=np.linspace(0, 2, 5),
                    rtol=1e-11, atol=1e-13)  # fmt: skip
    assert r["S"].to_numpy() == pytest.approx(ref.y[0], rel=1e-7)
