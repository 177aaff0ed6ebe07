"""SBML Level 3 export with python-libsbml.

Species are amounts (``hasOnlySubstanceUnits``) in a unit compartment, so d(amount)/dt is
the stoichiometric sum of the kinetic laws exactly as in the engine. Observables become
assignment rules; every parameter carries its unit (a UnitDefinition), and its description
and source as notes and as an ``mtorsim:provenance`` annotation. Inhibition hooks are
exported as ordinary parameters, so ``inhibit_<node>`` works in any SBML simulator.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape
from xml.sax.saxutils import quoteattr

import libsbml

from mtorsim.errors import NetworkError, SBMLError
from mtorsim.network.components import HELD_SPECIES
from mtorsim.network.expressions import identifiers, parse_expression, parse_unit, to_l3
from mtorsim.network.hooks import with_inhibition_hooks
from mtorsim.network.model import Network

__all__ = ["MTORSIM_NS", "to_sbml", "write_sbml"]

MTORSIM_NS = "https://github.com/mtorsim/mtorsim/ns/provenance/1"
_COMPARTMENT = "mtorsim_unit_compartment"  # amounts in a unit volume: d(amount)/dt = law

# base unit -> (SBML kind, scale, multiplier)
_SBML_BASE = {
    "h": (libsbml.UNIT_KIND_SECOND, 0, 3600.0),
    "min": (libsbml.UNIT_KIND_SECOND, 0, 60.0),
    "s": (libsbml.UNIT_KIND_SECOND, 0, 1.0),
    "day": (libsbml.UNIT_KIND_SECOND, 0, 86400.0),
    "mg": (libsbml.UNIT_KIND_GRAM, -3, 1.0),
    "ng": (libsbml.UNIT_KIND_GRAM, -9, 1.0),
    "L": (libsbml.UNIT_KIND_LITRE, 0, 1.0),
    "mL": (libsbml.UNIT_KIND_LITRE, -3, 1.0),
}
# concentrations expand to mole^1 litre^-1
_SBML_CONC = {"nM": -9, "uM": -6}


def _check(code: int, what: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SBMLError(
            f"libsbml could not set {what}: {libsbml.OperationReturnValue_toString(code)}"
        )


def _unit_id(unit: str) -> str:
    if unit.strip() in ("", "1", "dimensionless"):
        return "dimensionless"
    uid = unit.replace("/", "_per_").replace("*", "_").replace("^", "_pow_")
    uid = uid.replace("(", "").replace(")", "").replace(" ", "")
    return "u_" + uid.replace("-", "m")


def _add_unit_definition(model: libsbml.Model, unit: str) -> str:
    uid = _unit_id(unit)
    if uid == "dimensionless" or model.getUnitDefinition(uid) is not None:
        return uid
    try:
        parse_unit(unit)
    except NetworkError:  # an imported model's own unit id: kept in the annotation only
        return ""
    ud = model.createUnitDefinition()
    _check(ud.setId(uid), f"unit id {uid}")
    powers = parse_unit(unit).as_powers_dict()
    for sym, exp in powers.items():
        if sym == 1:
            continue
        base = sym.name.removeprefix("unit_")
        exp = float(exp)
        if base in _SBML_CONC:
            for kind, e, scale in (
                (libsbml.UNIT_KIND_MOLE, exp, _SBML_CONC[base]),
                (libsbml.UNIT_KIND_LITRE, -exp, 0),
            ):
                u = ud.createUnit()
                u.setKind(kind)
                u.setExponent(e)
                u.setScale(scale)
                u.setMultiplier(1.0)
            continue
        kind, scale, mult = _SBML_BASE[base]
        u = ud.createUnit()
        u.setKind(kind)
        u.setExponent(exp)
        u.setScale(scale)
        u.setMultiplier(mult)
    return uid


def _add_time_unit(model: libsbml.Model, unit: str) -> str:
    """The model's time unit: mtorsim's names, else a multiple of the second that an
    imported model carried (``"d"``, ``"ms"``, ``"2.5 s"``); "" when it is no time."""
    from mtorsim.time_units import seconds_per

    if uid := _add_unit_definition(model, "day" if unit == "d" else unit):
        return uid
    seconds = seconds_per(unit)
    if seconds is None:  # undeclared in the file it came from: left undeclared
        return ""
    ud = model.createUnitDefinition()
    _check(ud.setId("u_time"), "unit id u_time")
    u = ud.createUnit()
    u.setKind(libsbml.UNIT_KIND_SECOND)
    u.setExponent(1.0)
    u.setScale(0)
    u.setMultiplier(seconds)
    return "u_time"


def _annotate(
    sbase: libsbml.SBase, description: str, source: str, unit: str, value: float | None = None
) -> None:
    notes = (
        f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(description)}</p>'
        f"<p>unit: {escape(unit)}; source: {escape(source)}</p></body>"
    )
    sbase.setNotes(notes)
    ann = (
        f"<mtorsim:provenance xmlns:mtorsim={quoteattr(MTORSIM_NS)} "
        f"unit={quoteattr(unit)} source={quoteattr(source)} "
        f"description={quoteattr(description)}"
        + ("" if value is None else f" value={quoteattr(repr(float(value)))}")
        + "/>"
    )
    _check(sbase.setAnnotation(ann), f"annotation of {sbase.getId()}")


def _mark_time(node: libsbml.ASTNode) -> None:
    """The L3 parser reads ``time`` as a name; SBML wants the time csymbol."""
    if node.getType() == libsbml.AST_NAME and node.getName() == "time":
        node.setType(libsbml.AST_NAME_TIME)
    for i in range(node.getNumChildren()):
        _mark_time(node.getChild(i))


def _math(
    expression: str, where: str, names: set[str] | None = None, model: libsbml.Model | None = None
) -> libsbml.ASTNode:
    text = expression
    if names is not None:  # via sympy, so imported (Piecewise, logic) expressions print as L3
        text = to_l3(parse_expression(expression, names))
    text = text.replace("**", "^")
    # with the model, its ids stay names where L3 has a constant of that name (pi, avogadro)
    ast = (
        libsbml.parseL3Formula(text)
        if model is None
        else libsbml.parseL3FormulaWithModel(text, model)
    )
    if ast is None:
        raise SBMLError(
            f"cannot convert {where} expression {expression!r} to MathML: "
            f"{libsbml.getLastParseL3Error()}"
        )
    _mark_time(ast)
    return ast


def _add_events(model: libsbml.Model, events: Sequence) -> None:
    """Time-triggered events: parameter values set, species amounts added."""
    for i, e in enumerate(sorted(events, key=lambda ev: ev.time)):
        ev = model.createEvent()
        ev.setId(f"event_{i}")
        ev.setUseValuesFromTriggerTime(True)
        trig = ev.createTrigger()
        trig.setInitialValue(False)
        trig.setPersistent(True)
        trig.setMath(_math(f"time >= {e.time!r}", "event trigger"))
        for name, value in e.parameters.items():
            ea = ev.createEventAssignment()
            ea.setVariable(name)
            ea.setMath(_math(repr(float(value)), f"event {i}"))
        for name, amount in e.add.items():
            ea = ev.createEventAssignment()
            ea.setVariable(name)
            ea.setMath(_math(f"{name} + {float(amount)!r}", f"event {i}"))


def _add_species(
    model,
    name: str,
    amount: float,
    unit: str,
    description: str,
    source: str,
    *,
    boundary: bool = False,
    constant: bool = False,
) -> None:
    """One species in the unit compartment, as an amount (d(amount)/dt = the rate law)."""
    sp_ = model.createSpecies()
    _check(sp_.setId(name), f"species id {name}")
    sp_.setCompartment(_COMPARTMENT)
    sp_.setInitialAmount(amount)
    sp_.setHasOnlySubstanceUnits(True)
    sp_.setBoundaryCondition(boundary)
    sp_.setConstant(constant)
    if not boundary and (uid := _add_unit_definition(model, unit)):
        sp_.setSubstanceUnits(uid)
    _annotate(sp_, description, source, unit, amount)


def to_sbml(network: Network, *, hooks: bool = True, events: Sequence = ()) -> str:
    """The network as an SBML Level 3 Version 2 document (a string).

    ``events`` (:class:`mtorsim.engine.Event`, e.g. dosing) become time-triggered SBML events.
    """
    net = with_inhibition_hooks(network) if hooks else network
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model.setId(net.name)
    model.setName(net.name)
    if net.source:
        _annotate(model, f"mtorsim network {net.name}", net.source, "")
    if time_uid := _add_time_unit(model, net.time_unit):
        model.setTimeUnits(time_uid)
    model.setExtentUnits("dimensionless")
    model.setSubstanceUnits("dimensionless")
    names = {*net.species_names, *net.parameter_names, *net.observable_names}
    comp = model.createCompartment()
    comp.setId(_COMPARTMENT)
    comp.setSize(1.0)
    comp.setConstant(True)
    comp.setSpatialDimensions(3)
    comp.setUnits("dimensionless")
    for s in net.species:
        _add_species(model, s.name, s.initial, s.unit, s.description, s.source)
    set_by_events = {name for e in events for name in e.parameters}
    held = {p.name for p in net.parameters if p.source.startswith(HELD_SPECIES)}
    for p in net.parameters:
        if p.name in held:  # an imported boundary species stays one
            _add_species(
                model, p.name, p.value, p.unit, p.description, p.source,
                boundary=True, constant=p.name not in set_by_events,
            )  # fmt: skip
            continue
        par = model.createParameter()
        _check(par.setId(p.name), f"parameter id {p.name}")
        par.setValue(p.value)
        par.setConstant(p.name not in set_by_events)
        if uid := _add_unit_definition(model, p.unit):
            par.setUnits(uid)
        _annotate(par, p.description, p.source, p.unit, p.value)
    for o in net.observables:
        par = model.createParameter()
        _check(par.setId(o.name), f"observable id {o.name}")
        par.setConstant(False)
        if uid := _add_unit_definition(model, o.unit):
            par.setUnits(uid)
        rule = model.createAssignmentRule()
        rule.setVariable(o.name)
        rule.setMath(_math(o.expression, f"observable {o.name}", names, model))
        _annotate(par, o.description, "observable (assignment rule)", o.unit)
    for r in net.reactions:
        rx = model.createReaction()
        _check(rx.setId(r.name), f"reaction id {r.name}")
        rx.setReversible(False)
        for s, stoich in r.stoichiometry.items():
            ref = rx.createReactant() if stoich < 0 else rx.createProduct()
            ref.setSpecies(s)
            ref.setStoichiometry(abs(stoich))
            ref.setConstant(True)
        held_used = identifiers(r.rate, held) & held if held else set()
        for m in sorted((net.modifiers(r) & set(net.species_names)) | held_used):
            mod = rx.createModifier()
            mod.setSpecies(m)
        law = rx.createKineticLaw()
        law.setMath(_math(r.rate, f"reaction {r.name}", names, model))
        if r.description:
            rx.setNotes(
                f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(r.description)}'
                f"</p><p>source: {escape(r.source)}</p></body>"
            )
    _add_events(model, events)
    doc.checkInternalConsistency()
    errors = [
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if errors:
        raise SBMLError(f"exported SBML is invalid: {errors[0].getMessage().strip()}")
    return libsbml.writeSBMLToString(doc)


def write_sbml(
    network: Network, path: str | os.PathLike[str], *, hooks: bool = True, events: Sequence = ()
) -> str:
    """Write the network as SBML L3V2 to ``path`` atomically; returns the path."""
    from mtorsim.io import write_text

    write_text(path, to_sbml(network, hooks=hooks, events=events))
    return str(path)
