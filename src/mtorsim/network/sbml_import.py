"""SBML Level 2/3 import into the same :class:`Network` the default network uses.

Semantics follow the SBML specification: a kinetic law is in substance per time, so a
concentration species (``hasOnlySubstanceUnits = false``) changes at ``stoich * law / V``
of its compartment; boundary and constant species, and species no reaction or rule changes,
become parameters (events may still set them); assignment rules become observables; rate
rules become production reactions; local parameters are promoted, function definitions and
initial assignments expanded (libsbml converters). Time-triggered events (``time >= t``)
become engine events. Anything the engine cannot honour (algebraic rules, delays, fast
reactions, state-triggered events, non-integer or variable stoichiometry) is an error that
names the element; never a silently different model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import libsbml
import sympy as sp

from mtorsim.errors import SBMLError
from mtorsim.events import Event
from mtorsim.network.components import Observable, Parameter, Reaction, Species
from mtorsim.network.model import Network

__all__ = ["EventSpec", "SBMLModel", "read_sbml"]


@dataclass(frozen=True)
class EventSpec:
    """A time-triggered SBML event: trigger time and assigned values as expressions."""

    id: str
    time: sp.Expr
    assignments: tuple[tuple[str, sp.Expr], ...]


@dataclass(frozen=True)
class SBMLModel:
    """An imported SBML model: its network and its time-triggered events.

    Event times and values may depend on parameters (``time >= t_ins``), so they are
    evaluated for the parameter values of a run: ``model.events({"t_ins": 960})``.
    """

    network: Network
    event_specs: tuple[EventSpec, ...] = ()
    species_ids: tuple[str, ...] = ()
    path: str = ""
    level: int = 3
    version: int = 2
    notes: dict[str, str] = field(default_factory=dict)

    def events(self, parameters: dict[str, float] | None = None) -> list[Event]:
        """Engine events for a run with ``parameters`` (defaults from the model)."""
        values = {**self.network.parameter_values(), **(parameters or {})}
        subs = {sp.Symbol(k, real=True): v for k, v in values.items()}
        out = []
        for spec in self.event_specs:
            t = sp.sympify(spec.time.xreplace(subs))
            vals = {v: sp.sympify(e.xreplace(subs)) for v, e in spec.assignments}
            if not t.is_number or not all(x.is_number for x in vals.values()):
                raise SBMLError(f"{self.path}: event {spec.id!r} depends on unknown names")
            if float(t) >= 0:
                out.append(Event(float(t), parameters={k: float(x) for k, x in vals.items()}))
        return out


# ------------------------------------------------------------------ math
_FUNC = {
    libsbml.AST_FUNCTION_EXP: sp.exp,
    libsbml.AST_FUNCTION_LN: sp.log,
    libsbml.AST_FUNCTION_ABS: sp.Abs,
    libsbml.AST_FUNCTION_FLOOR: sp.floor,
    libsbml.AST_FUNCTION_CEILING: sp.ceiling,
    libsbml.AST_FUNCTION_SIN: sp.sin,
    libsbml.AST_FUNCTION_COS: sp.cos,
    libsbml.AST_FUNCTION_TAN: sp.tan,
    libsbml.AST_FUNCTION_TANH: sp.tanh,
    libsbml.AST_FUNCTION_SINH: sp.sinh,
    libsbml.AST_FUNCTION_COSH: sp.cosh,
    libsbml.AST_FUNCTION_ARCSIN: sp.asin,
    libsbml.AST_FUNCTION_ARCCOS: sp.acos,
    libsbml.AST_FUNCTION_ARCTAN: sp.atan,
}
_REL = {
    libsbml.AST_RELATIONAL_LT: sp.Lt,
    libsbml.AST_RELATIONAL_LEQ: sp.Le,
    libsbml.AST_RELATIONAL_GT: sp.Gt,
    libsbml.AST_RELATIONAL_GEQ: sp.Ge,
    libsbml.AST_RELATIONAL_EQ: sp.Eq,
    libsbml.AST_RELATIONAL_NEQ: sp.Ne,
}
_LOGIC = {
    libsbml.AST_LOGICAL_AND: sp.And,
    libsbml.AST_LOGICAL_OR: sp.Or,
    libsbml.AST_LOGICAL_XOR: sp.Xor,
}


def _ast(node: libsbml.ASTNode, where: str) -> sp.Basic:
    t = node.getType()
    kids = [_ast(node.getChild(i), where) for i in range(node.getNumChildren())]
    if node.isInteger():
        return sp.Integer(node.getInteger())
    if node.isReal() or t in (libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
        return sp.Float(node.getReal())
    if t == libsbml.AST_NAME_TIME:
        return sp.Symbol("time", real=True)
    if t == libsbml.AST_NAME_AVOGADRO:
        return sp.Float(6.02214076e23)
    if t == libsbml.AST_NAME:
        return sp.Symbol(node.getName(), real=True)
    if t == libsbml.AST_CONSTANT_E:
        return sp.E
    if t == libsbml.AST_CONSTANT_PI:
        return sp.pi
    if t == libsbml.AST_CONSTANT_TRUE:
        return sp.true
    if t == libsbml.AST_CONSTANT_FALSE:
        return sp.false
    if t == libsbml.AST_PLUS:
        return sp.Add(*kids) if kids else sp.Integer(0)
    if t == libsbml.AST_MINUS:
        return -kids[0] if len(kids) == 1 else kids[0] - kids[1]
    if t == libsbml.AST_TIMES:
        return sp.Mul(*kids) if kids else sp.Integer(1)
    if t == libsbml.AST_DIVIDE:
        return kids[0] / kids[1]
    if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
        return kids[0] ** kids[1]
    if t == libsbml.AST_FUNCTION_ROOT:
        return kids[-1] ** (1 / kids[0]) if len(kids) == 2 else sp.sqrt(kids[0])
    if t == libsbml.AST_FUNCTION_LOG:
        return sp.log(kids[-1], kids[0]) if len(kids) == 2 else sp.log(kids[0], 10)
    if t in _FUNC:
        return _FUNC[t](*kids)
    if t in _REL:
        return _REL[t](*kids)
    if t in _LOGIC:
        return _LOGIC[t](*kids)
    if t == libsbml.AST_LOGICAL_NOT:
        return sp.Not(kids[0])
    if t == libsbml.AST_FUNCTION_PIECEWISE:
        pieces = [(kids[i], kids[i + 1]) for i in range(0, len(kids) - 1, 2)]
        otherwise = kids[-1] if len(kids) % 2 else sp.nan
        return sp.Piecewise(*pieces, (otherwise, True))
    if t == libsbml.AST_FUNCTION_DELAY:
        raise SBMLError(f"{where}: delay() is not supported")
    raise SBMLError(f"{where}: unsupported MathML element {node.getName() or t!r}")


def _math(node: libsbml.ASTNode | None, where: str) -> sp.Basic:
    if node is None:
        raise SBMLError(f"{where}: missing math")
    return _ast(node, where)


def _text(expr: sp.Basic) -> str:
    """Expression text for a Network (sympy syntax; the network parser reads it)."""
    return sp.sstr(expr)


# ------------------------------------------------------------------ reading
def _read(path: str | os.PathLike[str]) -> libsbml.SBMLDocument:
    p = Path(path)
    if not p.exists():
        raise SBMLError(f"{p}: file not found")
    if p.is_dir():
        raise SBMLError(f"{p}: is a folder, not an SBML file")
    head = p.read_bytes()[:4096]
    if not head.lstrip().startswith(b"<"):
        raise SBMLError(f"{p}: not XML (an SBML file starts with '<?xml' or '<sbml')")
    if b"<sbml" not in head:
        raise SBMLError(f"{p}: XML but not SBML (no <sbml> root element)")
    doc = libsbml.readSBMLFromFile(str(p))
    fatal = [
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if fatal:
        e = fatal[0]
        raise SBMLError(f"{p}: line {e.getLine()}: {e.getMessage().strip().splitlines()[0]}")
    if doc.getModel() is None:
        raise SBMLError(f"{p}: XML but not an SBML model (no <model> element)")
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_MODELING_PRACTICE, False)
    doc.checkConsistency()
    errors = [
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if errors:
        e = errors[0]
        raise SBMLError(
            f"{p}: SBML consistency error at line {e.getLine()}: "
            f"{e.getMessage().strip().splitlines()[0]}"
        )
    return doc


def _convert(doc: libsbml.SBMLDocument, option: str, path: str) -> None:
    props = libsbml.ConversionProperties()
    props.addOption(option, True)
    if doc.convert(props) != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SBMLError(f"{path}: libsbml could not apply {option}")


def _unsupported(model: libsbml.Model, path: str) -> None:
    for r in model.getListOfRules():
        if r.isAlgebraic():
            raise SBMLError(
                f"{path}: algebraic rule is not supported (the engine integrates ODEs only)"
            )
    for r in model.getListOfReactions():
        if r.isSetFast() and r.getFast():
            raise SBMLError(
                f"{path}: reaction {r.getId()!r} is fast; fast reactions are not supported"
            )
        for ref in (*r.getListOfReactants(), *r.getListOfProducts()):
            if ref.isSetStoichiometryMath() or (
                model.getLevel() == 3 and ref.getId() and model.getRule(ref.getId()) is not None
            ):
                raise SBMLError(
                    f"{path}: reaction {r.getId()!r} has variable stoichiometry; not supported"
                )
    for e in model.getListOfEvents():
        if e.isSetDelay():
            raise SBMLError(f"{path}: event {e.getId()!r} has a delay; not supported")


def read_sbml(path: str | os.PathLike[str]) -> SBMLModel:
    """Read an SBML file (Level 2 or 3) into a :class:`SBMLModel`.

    Examples
    --------
    >>> m = read_sbml("shared/models/Fujita2010.xml")  # doctest: +SKIP
    >>> simulate(m.network, 3600, events=m.events)      # doctest: +SKIP
    """
    path = str(path)
    doc = _read(path)
    level, version = doc.getLevel(), doc.getVersion()
    _unsupported(doc.getModel(), path)
    for option in (
        "expandFunctionDefinitions",
        "promoteLocalParameters",
        "expandInitialAssignments",
    ):
        _convert(doc, option, path)
    model = doc.getModel()
    try:
        return _build(model, path, level, version)
    except (TypeError, ValueError, AttributeError, sp.SympifyError) as exc:  # sympy on odd math
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SBMLError(
            f"{path}: SBML Level {level} model whose math mtorsim cannot read ({first}); "
            "check it with libsbml or save it as SBML Level 3"
        ) from None


def _build(model: libsbml.Model, path: str, level: int, version: int) -> SBMLModel:
    assigned = {r.getVariable(): r for r in model.getListOfRules() if r.isAssignment()}
    rated = {r.getVariable(): r for r in model.getListOfRules() if r.isRate()}
    stoich: dict[str, bool] = {}
    for rx in model.getListOfReactions():
        for ref in (*rx.getListOfReactants(), *rx.getListOfProducts()):
            stoich[ref.getSpecies()] = True
    comps = {c.getId(): c for c in model.getListOfCompartments()}
    params: list[Parameter] = []
    species: list[Species] = []
    observables: list[tuple[str, sp.Basic, str]] = []
    reactions: list[Reaction] = []
    values: dict[str, float] = {}
    dynamic: dict[str, libsbml.Species] = {}

    def unit_of(sbase) -> str:
        return sbase.getUnits() if sbase.isSetUnits() else "1"

    for c in comps.values():
        size = c.getSize() if c.isSetSize() else 1.0
        values[c.getId()] = size
        if c.getId() in assigned or c.getId() in rated:
            raise SBMLError(f"{path}: compartment {c.getId()!r} changes in time; not supported")
        params.append(
            Parameter(
                c.getId(),
                size,
                unit_of(c),
                source=f"SBML compartment ({path})",
                description=c.getName() or "compartment size",
            )
        )
    for s in model.getListOfSpecies():
        sid = s.getId()
        vol = values.get(s.getCompartment(), 1.0)
        if s.isSetInitialConcentration():
            conc = s.getInitialConcentration()
            init = conc * vol if s.getHasOnlySubstanceUnits() else conc
        elif s.isSetInitialAmount():
            amount = s.getInitialAmount()
            init = amount if s.getHasOnlySubstanceUnits() else amount / vol
        else:
            init = 0.0
        values[sid] = init
        changed = (not s.getBoundaryCondition() and stoich.get(sid)) or sid in rated
        desc = s.getName() or ""
        if sid in assigned:
            continue
        if changed and not s.getConstant():
            dynamic[sid] = s
            species.append(
                Species(
                    sid,
                    init,
                    unit_of(s) if s.isSetUnits() else "1",
                    desc,
                    source=f"SBML initial value ({path})",
                )
            )
        else:
            params.append(
                Parameter(
                    sid,
                    init,
                    "1",
                    allow_negative=True,
                    source=f"SBML species held constant ({path})",
                    description=desc or "boundary/constant species",
                )
            )
    for p in model.getListOfParameters():
        pid = p.getId()
        value = p.getValue() if p.isSetValue() else 0.0
        values[pid] = value
        if pid in assigned:
            continue
        if pid in rated:
            species.append(
                Species(
                    pid,
                    value,
                    "1",
                    p.getName() or "parameter with a rate rule",
                    source=f"SBML ({path})",
                )
            )
            continue
        params.append(
            Parameter(
                pid,
                value,
                unit_of(p),
                source=f"SBML ({path})",
                description=p.getName() or "",
                allow_negative=True,
            )
        )
    for var, rule in assigned.items():
        observables.append((var, _math(rule.getMath(), f"assignment rule for {var!r}"), "1"))
    for var, rule in rated.items():
        rate = _math(rule.getMath(), f"rate rule for {var!r}")
        reactions.append(
            Reaction(
                f"rate_rule_{var}",
                _text(rate),
                products=(var,),
                description=f"SBML rate rule d{var}/dt",
            )
        )
    for rx in model.getListOfReactions():
        rid = rx.getId()
        if not rx.isSetKineticLaw():
            raise SBMLError(f"{path}: reaction {rid!r} has no kinetic law")
        law = _math(rx.getKineticLaw().getMath(), f"kinetic law of {rid!r}")
        by_comp: dict[str, dict[str, int]] = {}
        for sign, refs in ((-1, rx.getListOfReactants()), (1, rx.getListOfProducts())):
            for ref in refs:
                sid = ref.getSpecies()
                if sid not in dynamic:
                    continue
                st = ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0
                if abs(st - round(st)) > 1e-12:
                    raise SBMLError(
                        f"{path}: reaction {rid!r}: non-integer stoichiometry "
                        f"{st} of {sid!r} is not supported"
                    )
                s = dynamic[sid]
                key = "" if s.getHasOnlySubstanceUnits() else s.getCompartment()
                entry = by_comp.setdefault(key, {})
                entry[sid] = entry.get(sid, 0) + sign * round(st)
        for key, st in by_comp.items():
            rate = law if not key else law / sp.Symbol(key, real=True)
            reac = tuple(s for s, n in st.items() if n < 0 for _ in range(-n))
            prod = tuple(s for s, n in st.items() if n > 0 for _ in range(n))
            if not reac and not prod:
                continue
            name = rid if len(by_comp) == 1 else f"{rid}__in_{key or 'amount'}"
            reactions.append(
                Reaction(
                    name, _text(rate), reactants=reac, products=prod, description=rx.getName() or ""
                )
            )
    if not species:  # sympy would fail on an empty system; say why instead
        hint = " (Level 1: save the model as Level 2 or 3 if its rules move species)"
        raise SBMLError(
            f"{path}: no species changes in time (no reaction or rate rule acts on a "
            f"non-constant species), so there is nothing to simulate{hint if level == 1 else ''}"
        )
    obs = _sorted_observables(observables, path)
    events = _events(model, values, {p.name for p in params}, path)
    net = Network(
        name=model.getId() or Path(path).stem,
        species=species,
        parameters=params,
        reactions=reactions,
        observables=obs,
        time_unit="1",
        source=f"SBML L{level}V{version}: {path}",
        check_units=False,
    )
    ids = tuple(s.getId() for s in model.getListOfSpecies())
    return SBMLModel(net, tuple(events), ids, path, level, version)


def _sorted_observables(items: list[tuple[str, sp.Basic, str]], path: str) -> list[Observable]:
    pending = {name: expr for name, expr, _ in items}
    order: list[Observable] = []
    done: set[str] = set()
    while pending:
        ready = [
            n
            for n, e in pending.items()
            if not ({s.name for s in e.free_symbols} & (set(pending) - {n}))
        ]
        if not ready:
            raise SBMLError(
                f"{path}: assignment rules {sorted(pending)} depend on each other in a cycle"
            )
        for n in ready:
            order.append(Observable(n, _text(pending.pop(n)), "1", "SBML assignment rule"))
            done.add(n)
    return order


def _events(
    model: libsbml.Model, values: dict[str, float], params: set[str], path: str
) -> list[EventSpec]:
    out: list[EventSpec] = []
    time = sp.Symbol("time", real=True)
    known = {sp.Symbol(k, real=True) for k in params}
    for e in model.getListOfEvents():
        eid = e.getId() or "(unnamed)"
        trig = _math(
            e.getTrigger().getMath() if e.isSetTrigger() else None, f"trigger of event {eid!r}"
        )
        if not (
            isinstance(trig, sp.Ge | sp.Gt)
            and trig.lhs == time
            and not (trig.rhs.free_symbols - known)
        ):
            raise SBMLError(
                f"{path}: event {eid!r}: only time-triggered events "
                f"(time >= t, t from constants) are supported; trigger is {trig}"
            )
        assignments = []
        for a in e.getListOfEventAssignments():
            var = a.getVariable()
            value = _math(a.getMath(), f"event {eid!r}")
            if var not in params or value.free_symbols - known:
                raise SBMLError(
                    f"{path}: event {eid!r} assigns {var!r}; only values from "
                    "constants, for parameters and boundary species, are supported"
                )
            assignments.append((var, value))
        out.append(EventSpec(eid, trig.rhs, tuple(assignments)))
    return out
