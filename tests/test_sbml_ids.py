"""Model ids that are sympy or Python names (E, I, S, N, pi, beta, gamma, zeta, lambda)
are read as the model's names everywhere: rate laws, rules, modifiers, inhibition, export."""

from __future__ import annotations

import re
from pathlib import Path

import libsbml
import numpy as np
import pytest

import mtorsim
import mtorsim.engine
from mtorsim import Inhibition
from mtorsim.errors import NetworkError
from mtorsim.network import Network
from mtorsim.network.components import Parameter, Reaction, Species
from mtorsim.network.expressions import identifiers, parse_expression
from mtorsim.network.hooks import inhibitable_nodes, with_inhibition_hooks

# ids that are sympy names (E, I, S, N, pi, beta, gamma, zeta) or a Python keyword (lambda)
_SYMPY_IDS = {
    "E": "Ea",
    "I": "Ia",
    "beta": "Ba",
    "gamma": "g_",
    "lambda": "l_",
    "pi": "p_",
    "zeta": "z_",
    "S": "s_",
    "N": "n_",
}


def _sympy_named_model(path: Path, rename: dict[str, str]) -> Path:
    """E cycles and activates I, which with Euler's number activates beta; rule N = E*beta
    deactivates beta. ``rename`` gives each id its name in the file."""

    def n(text: str) -> str:  # the formula with the ids renamed (whole words only)
        return re.sub(r"[A-Za-z_]\w*", lambda m: rename.get(m.group(0), m.group(0)), text)

    doc = libsbml.SBMLDocument(3, 2)
    m = doc.createModel()
    m.setId("sympy_names")
    c = m.createCompartment()
    c.setId("C")
    c.setSize(1.0)
    c.setConstant(True)
    for sid, x0 in (("E", 0.2), ("I", 0.0), ("beta", 0.0)):
        s = m.createSpecies()
        s.setId(n(sid))
        s.setCompartment("C")
        s.setInitialAmount(x0)
        s.setHasOnlySubstanceUnits(True)
        s.setBoundaryCondition(False)
        s.setConstant(False)
    for pid, value in (("gamma", 1.0), ("lambda", 0.5), ("pi", 2.0), ("zeta", 1.0), ("S", 3.0)):
        p = m.createParameter()
        p.setId(n(pid))
        p.setValue(value)
        p.setConstant(True)
    p = m.createParameter()
    p.setId(n("N"))
    p.setConstant(False)
    rule = m.createAssignmentRule()
    rule.setVariable(n("N"))
    rule.setMath(libsbml.parseL3FormulaWithModel(n("E*beta"), m))
    laws = (
        ("E_on", (), ("E",), (), "gamma*(1 - E)"),
        ("E_off", ("E",), (), (), "lambda*E"),
        ("I_on", (), ("I",), ("E",), "pi*E*(1 - I)"),
        ("I_off", ("I",), (), (), "zeta*I*acos(-1)/3"),  # the constant pi beside the id
        ("b_on", (), ("beta",), ("I",), "exponentiale*S*I*(1 - beta)/10"),
        ("b_off", ("beta",), (), ("E",), "N*beta"),
    )
    for rid, reactants, products, modifiers, law in laws:
        r = m.createReaction()
        r.setId(rid)
        r.setReversible(False)
        for make, sids in ((r.createReactant, reactants), (r.createProduct, products)):
            for sid in sids:
                ref = make()
                ref.setSpecies(n(sid))
                ref.setStoichiometry(1)
                ref.setConstant(True)
        for sid in modifiers:
            r.createModifier().setSpecies(n(sid))
        math = libsbml.parseL3FormulaWithModel(n(law), m)  # ids stay names, e stays e
        assert math is not None, law
        r.createKineticLaw().setMath(math)
    libsbml.writeSBMLToFile(doc, str(path))
    return path


def test_ids_that_are_sympy_names_stay_names(tmp_path: Path) -> None:
    """Species E, I, beta and parameters pi, lambda, S, ... are the model's, not Euler's
    number, the imaginary unit or a Python keyword: the model runs as its renamed copy,
    and E can be inhibited."""
    named = mtorsim.load(_sympy_named_model(tmp_path / "named.xml", {}))
    plain = mtorsim.load(_sympy_named_model(tmp_path / "plain.xml", _SYMPY_IDS))
    assert "E" in named.network.modifiers(named.network.reaction("I_on"))
    assert "E" in inhibitable_nodes(named.network)
    run = {"until": 5.0, "points": 11, "rtol": 1e-10, "atol": 1e-12}
    back = {v: k for k, v in _SYMPY_IDS.items()}
    for exposure in (None, Inhibition({"E": 0.5})):
        mapped = None if exposure is None else Inhibition({"Ea": 0.5})
        a = named.simulate(**run, exposure=exposure)
        b = plain.simulate(**run, exposure=mapped).rename(columns=back)
        for col in ("E", "I", "beta", "N"):
            np.testing.assert_allclose(a[col], b[col], rtol=1e-8, atol=1e-12)
    base, inhibited = named.simulate(**run), named.simulate(**run, exposure=Inhibition(E=0.5))
    assert inhibited["I"].iloc[-1] < 0.8 * base["I"].iloc[-1]  # E's action on I is halved
    np.testing.assert_allclose(inhibited["E"], base["E"], rtol=1e-8)  # its own level is not
    # d(beta)/dt at t = 0 reads e (2.718...), not the species E
    rate = named.network.reaction("b_on").rate
    assert "exp(1)" in rate and "E" not in identifiers(rate, ["E"])
    named.to_sbml(tmp_path / "again.xml")  # and the names survive an export (pi stays an id)
    again = mtorsim.load(tmp_path / "again.xml").simulate(**run)
    for col in ("E", "I", "beta", "N"):
        np.testing.assert_allclose(again[col], base[col], rtol=1e-8, atol=1e-12)


def test_an_id_named_like_a_constant_or_function_is_a_name() -> None:
    names = ["E", "pi", "lambda", "exp", "min", "I", "beta"]
    assert identifiers("k*E + pi") == {"k"}  # no such ids: Euler's number and pi
    assert identifiers("k*E + pi*exp(x)", names) == {"k", "E", "pi", "x"}
    assert identifiers("exp*exp(2) + min(min, 1)", names) == {"exp", "min"}
    e, lam, ex, mn = (parse_expression(t, names) for t in ("E", "lambda", "exp", "min"))
    assert [x.is_Symbol for x in (e, lam, ex, mn)] == [True] * 4
    assert str(parse_expression("lambda*exp(1) + exp*min(min, 2) + pi + E", names)) == (
        "E + exp*Min(2, min) + E*lambda + pi"
    )
    both = parse_expression("E*exp(1) + pi*acos(-1) + I*sqrt(-1)", names)
    assert {s.name for s in both.free_symbols} == {"E", "pi", "I"}
    assert both.subs({x: 0 for x in both.free_symbols}) == 0  # the constants went with them
    with pytest.raises(NetworkError, match="unknown name"):
        parse_expression("k*x", ["k"])


def test_a_species_E_is_a_modifier_and_can_be_inhibited() -> None:
    net = Network(
        "enzyme",
        species=[Species("E", 1.0), Species("P", 0.0)],
        parameters=[Parameter("gamma", 2.0, "1/h"), Parameter("beta", 1.0, "1/h")],
        reactions=[
            Reaction("make", "gamma*E*(1 - P)", products=("P",)),
            Reaction("E_turnover", "beta*(1 - E)", products=("E",)),
            Reaction("loss", "beta*P", reactants=("P",)),
        ],
    )
    assert net.modifiers(net.reaction("make")) == {"E"}
    assert inhibitable_nodes(net) == ["E"]
    full = mtorsim.engine.steady_state(mtorsim.engine.compile_network(net))
    hooked = mtorsim.engine.compile_network(with_inhibition_hooks(net))
    half = mtorsim.engine.steady_state(hooked, {"inhibit_E": 0.5})
    # P* = gamma E / (gamma E + beta): 2/3 uninhibited, 1/2 with E's action halved
    assert full.values["P"] == pytest.approx(2 / 3, rel=1e-6)
    assert half.values["P"] == pytest.approx(1 / 2, rel=1e-6)


def test_petab_formulas_read_keyword_ids() -> None:
    from mtorsim.calibration.problem import parse_formula

    expr = parse_formula("lambda*E + log(beta) + pi")
    assert {s.name for s in expr.free_symbols} == {"lambda", "E", "beta", "pi"}
