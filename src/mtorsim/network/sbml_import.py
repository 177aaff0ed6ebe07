"""SBML Level 2/3 import into the same :class:`Network` the default network uses.

Semantics follow the SBML specification: a kinetic law is in substance per time, so a
concentration species (``hasOnlySubstanceUnits = false``) changes at ``stoich * law / V``
of its compartment; boundary and constant species, and species no reaction or rule changes,
become parameters (events may still set them); assignment rules become observables; rate
rules become production reactions; local parameters are promoted, function definitions and
initial assignments expanded (libsbml converters). Events at times known in advance
(``time >= t`` with constant t and delay) become engine events; every other event (a trigger
on species or rule values, a delay or priority that changes) runs in the root-finding
driver (:mod:`mtorsim.network.sbml_events`). A compartment with a rate rule is a state
that dilutes its concentration species (those no reaction moves too: their amounts stay);
one sized by an assignment rule dilutes them at the rule's time derivative
(:mod:`mtorsim.network.sbml_rules`, as are rules with delay() that nothing else reads); an
event resizing one conserves their amounts. Non-integer stoichiometry moves each such
species at n × rate. Anything the engine cannot honour (algebraic rules that do not reduce
to assignments, delay() that feeds the dynamics, fast reactions, variable stoichiometry)
is an error that names the element; never a silently different model.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import libsbml
import sympy as sp

from mtorsim.errors import MtorsimError, SBMLError
from mtorsim.network.components import (
    HELD_SPECIES,
    Parameter,
    Reaction,
    Species,
)
from mtorsim.network.model import Network
from mtorsim.network.sbml_math import (
    RATE_OF,
    math_of,
    math_owners,
    names_in,
    nullary_calls_as_names,
    scalar_ci_type,
    text_of,
)
from mtorsim.network.sbml_model import CLOCK, TIME, EventSpec, SBMLModel, evaluate
from mtorsim.network.sbml_rules import delayed_rules, size_rate, split_delayed
from mtorsim.network.sbml_values import (
    SBMLValueWarning,
    check_compartment_sizes,
    check_finite_law,
    described,
    observable,
    warn_unset,
)
from mtorsim.time_units import sbml_time_unit

__all__ = ["EventSpec", "SBMLModel", "SBMLValueWarning", "read_sbml"]


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
        and not _tolerated(doc, doc.getError(i), p)
    ]
    if fatal:
        e = fatal[0]
        raise SBMLError(f"{p}: line {e.getLine()}: {e.getMessage().strip().splitlines()[0]}")
    if doc.getModel() is None:
        raise SBMLError(f"{p}: XML but not an SBML model (no <model> element)")
    nullary_calls_as_names(doc.getModel())
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_MODELING_PRACTICE, False)
    doc.checkConsistency()
    errors = [  # units mean nothing to mtorsim (time and values are read as given), so a
        # unit id that names no definition (L2's "substance" in an L3 file) cannot matter
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
        and doc.getError(i).getErrorId() != libsbml.DanglingUnitReference
        and not _tolerated(doc, doc.getError(i), p)
    ]
    if errors:
        e = errors[0]
        raise SBMLError(
            f"{p}: SBML consistency error at line {e.getLine()}: "
            f"{e.getMessage().strip().splitlines()[0]}"
        )
    return doc


def _tolerated(doc: libsbml.SBMLDocument, error: libsbml.SBMLError, path: Path) -> bool:
    """libsbml errors that change nothing in what the file means (see each test)."""
    return scalar_ci_type(error, path.read_bytes()) or _stray_fast(doc, error, path)


def _stray_fast(doc: libsbml.SBMLDocument, error: libsbml.SBMLError, path: Path) -> bool:
    """Level 3 Version 2 dropped the reaction attribute ``fast``; files written by older
    tools still carry ``fast="false"``, which means nothing, so that error is let pass.
    ``fast="true"`` (a fast reaction) is refused as fast reactions are."""
    if error.getErrorId() != libsbml.AllowedAttributesOnReaction or "'fast'" not in (
        error.getMessage()
    ):
        return False
    if (doc.getLevel(), doc.getVersion()) != (3, 2):
        return False
    if re.search(rb"""\bfast\s*=\s*["']true["']""", path.read_bytes()):
        raise SBMLError(f"{path}: a reaction is fast; fast reactions are not supported")
    return True


def _convert(doc: libsbml.SBMLDocument, option: str, path: str) -> None:
    props = libsbml.ConversionProperties()
    props.addOption(option, True)
    if doc.convert(props) != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise SBMLError(f"{path}: libsbml could not apply {option}")


def _packages(doc: libsbml.SBMLDocument, path: str) -> None:
    """Flatten hierarchical (comp) models into one; refuse other packages the model marks
    required (they change its meaning), ignore optional ones (layout, render, ...)."""
    names = [doc.getPlugin(i).getPackageName() for i in range(doc.getNumPlugins())]
    if "comp" in names:
        props = libsbml.ConversionProperties()
        props.addOption("flatten comp", True)
        if doc.convert(props) != libsbml.LIBSBML_OPERATION_SUCCESS:
            raise SBMLError(f"{path}: libsbml could not flatten its comp submodels")
    for name in names:
        required = doc.getLevel() == 3 and doc.getPackageRequired(name)
        if name not in ("comp", "l3v2extendedmath") and required:
            raise SBMLError(f"{path}: SBML package {name!r} is required; it is not supported")


def _reaction_rates_in_math(model: libsbml.Model, path: str) -> None:
    """A reaction's id in math stands for its rate: put its kinetic law there (also where
    the whole math is the id, ``p1 = J0``, which replaceIDWithFunction cannot reach)."""
    laws = {
        r.getId(): r.getKineticLaw().getMath()
        for r in model.getListOfReactions()
        if r.isSetKineticLaw() and r.getKineticLaw().isSetMath()
    }
    for _ in range(len(laws) + 1):  # laws may name other reactions; stop once none are left
        found = False
        for _, owner in math_owners(model):
            node = owner.getMath()
            if node.getType() == libsbml.AST_NAME and node.getName() in laws:
                owner.setMath(laws[node.getName()])
                found = True
                continue
            names = names_in(node)
            for rid in names & set(laws):
                node.replaceIDWithFunction(rid, laws[rid])
                found = True
        if not found:
            return
    raise SBMLError(f"{path}: reaction rates that refer to each other in a cycle")


def _unsupported(model: libsbml.Model, path: str) -> None:
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


def read_sbml(path: str | os.PathLike[str]) -> SBMLModel:
    """Read an SBML file (Level 2 or 3) into a :class:`SBMLModel`.

    Examples
    --------
    >>> m = read_sbml("shared/models/Fujita2010.xml")  # doctest: +SKIP
    >>> simulate(m.network, 3600, events=m.events)      # doctest: +SKIP
    """
    path = str(path)
    try:
        return _read_model(path)
    except RecursionError:  # math nested deeper than Python's stack (thousands of levels)
        raise SBMLError(
            f"{path}: math nested too deeply to read (over {sys.getrecursionlimit():,} "
            "levels); flatten the expression"
        ) from None


def _read_model(path: str) -> SBMLModel:
    doc = _read(path)
    level, version = doc.getLevel(), doc.getVersion()
    _packages(doc, path)
    _unsupported(doc.getModel(), path)
    for option in ("expandFunctionDefinitions", "promoteLocalParameters"):
        _convert(doc, option, path)  # initial assignments stay: they are evaluated per run
    model = doc.getModel()
    _reaction_rates_in_math(model, path)
    try:
        return _build(model, path, level, version)
    except SBMLError:
        raise
    except MtorsimError as exc:  # the network refused a name or value: say so as SBML
        first = str(exc).strip().splitlines()[0]
        raise SBMLError(f"{path}: mtorsim cannot hold this model: {first}") from None
    except (TypeError, ValueError, AttributeError, sp.SympifyError) as exc:  # sympy on odd math
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SBMLError(
            f"{path}: SBML Level {level} model whose math mtorsim cannot read ({first}); "
            "check it with libsbml or save it as SBML Level 3"
        ) from None


def _algebraic(
    model: libsbml.Model,
    assigned: dict[str, sp.Basic],
    rated: dict[str, libsbml.Rule],
    path: str,
) -> dict[str, sp.Basic]:
    """Algebraic rules 0 = f that reduce to assignments: each must hold exactly one variable
    that nothing else determines (not constant, no rule, no event, no reaction moving it)
    and be solvable for it alone; solved in turn (a triangular system). Others are refused."""
    rules = [
        (i, math_of(r.getMath(), "algebraic rule"))
        for i, r in enumerate(model.getListOfRules())
        if r.isAlgebraic()
    ]
    if not rules:
        return {}
    moved = {
        ref.getSpecies()
        for rx in model.getListOfReactions()
        for ref in (*rx.getListOfReactants(), *rx.getListOfProducts())
    }
    events = {
        a.getVariable() for e in model.getListOfEvents() for a in e.getListOfEventAssignments()
    }
    free: set[str] = set()
    for p in model.getListOfParameters():
        free |= {p.getId()} if not p.getConstant() else set()
    for c in model.getListOfCompartments():
        free |= {c.getId()} if not c.getConstant() else set()
    for sp_ in model.getListOfSpecies():
        if not sp_.getConstant() and (sp_.getBoundaryCondition() or sp_.getId() not in moved):
            free.add(sp_.getId())
    free -= set(assigned) | set(rated) | events
    solved: dict[str, sp.Basic] = {}
    pending = list(rules)
    while pending:
        progress = False
        for item in list(pending):
            _, f = item
            names = {s.name for s in f.free_symbols} & (free - set(solved))
            if len(names) != 1:
                continue
            (name,) = names
            x = _sym(name)
            try:
                roots = sp.solve(sp.Eq(f, 0), x, dict=False)
            except (NotImplementedError, TypeError, ValueError):
                roots = []
            if len(roots) != 1 or x in sp.sympify(roots[0]).free_symbols:
                raise SBMLError(
                    f"{path}: algebraic rule 0 = {f} has no single solution for {name!r}; "
                    "not supported (write it as an assignment rule)"
                )
            solved[name] = sp.sympify(roots[0])
            pending.remove(item)
            progress = True
        if not progress:
            f = pending[0][1]
            raise SBMLError(
                f"{path}: algebraic rule 0 = {f} does not reduce to an assignment (it needs "
                "exactly one variable no reaction, rule or event sets); not supported"
            )
    return solved


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def _species_refs(model: libsbml.Model) -> set[str]:
    return {
        ref.getId()
        for rx in model.getListOfReactions()
        for ref in (*rx.getListOfReactants(), *rx.getListOfProducts())
        if ref.isSetId()
    }


def _build(model: libsbml.Model, path: str, level: int, version: int) -> SBMLModel:
    assigned = {
        r.getVariable(): math_of(r.getMath(), f"assignment rule for {r.getVariable()!r}")
        for r in model.getListOfRules()
        if r.isAssignment()
    }
    rated = {r.getVariable(): r for r in model.getListOfRules() if r.isRate()}
    assigned.update(_algebraic(model, assigned, rated, path))
    delayed = split_delayed(model, assigned, path)  # output-only rules with delay()
    inits = {
        ia.getSymbol(): math_of(ia.getMath(), f"initial assignment of {ia.getSymbol()!r}")
        for ia in model.getListOfInitialAssignments()
    }
    refs = _species_refs(model)
    for name in refs & (set(inits) | set(assigned) | set(rated)):
        raise SBMLError(f"{path}: stoichiometry {name!r} is set by math; not supported")
    stoich: dict[str, bool] = {}
    for rx in model.getListOfReactions():
        for ref in (*rx.getListOfReactants(), *rx.getListOfProducts()):
            stoich[ref.getSpecies()] = True
    comps = {c.getId(): c for c in model.getListOfCompartments()}
    event_targets = {
        a.getVariable() for e in model.getListOfEvents() for a in e.getListOfEventAssignments()
    }
    params: list[Parameter] = []
    species: list[Species] = []
    reactions: list[Reaction] = []
    start: dict[str, sp.Basic] = {}  # every id's value at t = 0, as an expression
    kinds: dict[str, str] = {}
    dynamic: dict[str, libsbml.Species] = {}

    def unit_of(sbase) -> str:
        return sbase.getUnits() if sbase.isSetUnits() else "1"

    fixed = {p.getId() for p in model.getListOfParameters() if p.getConstant()}
    fixed |= {c.getId() for c in model.getListOfCompartments() if c.getConstant()}
    fixed -= set(rated) | event_targets
    ruled: set[str] = set()  # compartments sized by a rule from values that change
    for cid, c in comps.items():
        start[cid] = inits.get(cid, sp.Float(c.getSize() if c.isSetSize() else 1.0))
        if cid in assigned and {x.name for x in assigned[cid].free_symbols} <= fixed:
            start[cid] = assigned.pop(cid)  # a rule from constants only: a fixed size
        if cid in delayed:
            raise SBMLError(f"{path}: the size of compartment {cid!r} uses delay(); not supported")
        if cid in assigned:
            ruled.add(cid)
        kinds[cid] = "state" if cid in rated else "rule" if cid in ruled else "compartment"
    # concentration species of each compartment: their amounts are conserved when its size
    # changes (rate rule: dilution term; event: rescaled), so they must be states or rules
    concentrations: dict[str, list[str]] = {}
    for s in model.getListOfSpecies():
        if not s.getHasOnlySubstanceUnits() and s.getId() not in assigned | delayed.keys():
            concentrations.setdefault(s.getCompartment(), []).append(s.getId())
    moving = set(rated) & set(comps) | event_targets & set(comps) | ruled
    for s in model.getListOfSpecies():
        sid, vol = s.getId(), _sym(s.getCompartment())
        only = s.getHasOnlySubstanceUnits()
        if sid in inits:
            start[sid] = inits[sid]
        elif s.isSetInitialConcentration():
            conc = sp.Float(s.getInitialConcentration())
            start[sid] = conc * vol if only else conc
        elif s.isSetInitialAmount():
            amount = sp.Float(s.getInitialAmount())
            start[sid] = amount if only else amount / vol
        else:
            start[sid] = sp.Float(0.0)
        changed = (not s.getBoundaryCondition() and stoich.get(sid)) or sid in rated
        # a concentration nothing moves still dilutes as its compartment changes size: its
        # amount is what stays (boundary species too)
        changed = changed or (
            s.getCompartment() in moving and sid in concentrations.get(s.getCompartment(), [])
        )
        if sid in assigned or sid in delayed:
            kinds[sid] = "rule"
        elif changed and not s.getConstant():
            dynamic[sid] = s
            kinds[sid] = "state"
        else:
            kinds[sid] = "constant species"
    for cid in sorted(moving):
        for sid in concentrations.get(cid, []):
            if kinds[sid] != "state" or sid in rated:
                raise SBMLError(
                    f"{path}: species {sid!r} (a concentration) is not moved by reactions "
                    f"but its compartment {cid!r} changes size; not supported"
                )
    given = set(inits) | set(assigned) | set(delayed)  # set by a formula, not a value
    warn_unset(model, given, path)
    for p in model.getListOfParameters():
        pid = p.getId()
        start[pid] = inits.get(pid, sp.Float(p.getValue() if p.isSetValue() else 0.0))
        later = pid in assigned or pid in delayed
        kinds[pid] = "rule" if later else "state" if pid in rated else "parameter"
    for var, expr in assigned.items():
        start[var] = expr
        kinds.setdefault(var, "rule")
    diluted = {
        sid: cid
        for cid in sorted(set(rated) & set(comps) | ruled)
        for sid in concentrations.get(cid, [])
    }
    resolve = _resolver(model, dynamic, rated, kinds, path, diluted)
    start = {k: resolve(e) for k, e in start.items()}
    order = _order(start, path)
    values = _defaults(order, start, path)
    check_compartment_sizes(values, concentrations, path)
    for cid, c in comps.items():
        if cid in ruled:  # an observable (assignment rule)
            continue
        if cid in rated:  # a size with a rate rule is a state
            species.append(
                Species(
                    cid, values[cid], unit_of(c), c.getName() or "compartment size",
                    source=f"SBML compartment with a rate rule ({path})",
                )
            )  # fmt: skip
            continue
        params.append(
            Parameter(
                cid, values[cid], unit_of(c),
                source=f"SBML compartment ({path})", description=c.getName() or "compartment size",
            )
        )  # fmt: skip
    for s in model.getListOfSpecies():
        sid, desc = s.getId(), s.getName() or ""
        if kinds[sid] == "state":
            unit = unit_of(s) if s.isSetUnits() else "1"
            own = described(s, values[sid], unit, desc, f"SBML initial value ({path})", path)
            species.append(Species(sid, values[sid], **own))
        elif kinds[sid] == "constant species":
            params.append(
                Parameter(
                    sid, values[sid], "1", allow_negative=True,
                    source=f"{HELD_SPECIES} ({path})",
                    description=desc or "boundary/constant species",
                )
            )  # fmt: skip
    for p in model.getListOfParameters():
        pid = p.getId()
        if kinds[pid] == "state":
            species.append(
                Species(
                    pid, values[pid], "1", p.getName() or "parameter with a rate rule",
                    source=f"SBML ({path})",
                )
            )  # fmt: skip
        elif kinds[pid] == "parameter":
            own = described(p, values[pid], unit_of(p), p.getName() or "", f"SBML ({path})", path)
            params.append(Parameter(pid, values[pid], allow_negative=True, **own))
    observables = [(v, start[v]) for v in order if v in assigned]
    for var, rule in rated.items():
        rate = resolve(math_of(rule.getMath(), f"rate rule for {var!r}"))
        reactions.append(
            Reaction(
                f"rate_rule_{var}", text_of(rate), products=(var,),
                description=f"SBML rate rule d{var}/dt",
            )
        )  # fmt: skip
    reactions += _reactions(model, dynamic, path, resolve)[0]
    rules = {v: start[v] for v in assigned}
    for cid in sorted(set(rated) & set(comps) | ruled):  # d[S]/dt = law/V - [S] (dV/dt)/V
        if cid in ruled:
            rate_of_size = size_rate(cid, start[cid], rules, set(diluted), resolve, path)
        else:
            rate_of_size = resolve(math_of(rated[cid].getMath(), f"rate rule for {cid!r}"))
        for sid in concentrations.get(cid, []):
            reactions.append(
                Reaction(
                    f"dilution_{sid}", text_of(-_sym(sid) * rate_of_size / _sym(cid)),
                    products=(sid,), description=f"{sid} diluted as {cid} changes size",
                )
            )  # fmt: skip
    declared_still = all(
        s.getConstant() for s in model.getListOfSpecies()
    )  # no species, or every one declared constant: nothing is meant to move
    if not species and (
        assigned or delayed or model.getNumEvents() or declared_still
    ):  # a still state
        species.append(Species(CLOCK, 0.0, "1", "placeholder state (no species moves)"))
        reactions.append(Reaction(f"{CLOCK}_rate", "0", products=(CLOCK,)))
    if not species:  # sympy would fail on an empty system; say why instead
        hint = " (Level 1: save the model as Level 2 or 3 if its rules move species)"
        raise SBMLError(
            f"{path}: no species changes in time (no reaction or rate rule acts on a "
            f"non-constant species), so there is nothing to simulate{hint if level == 1 else ''}"
        )
    names = {p.name for p in params}
    events = _events(model, names - event_targets, set(kinds), kinds, path, resolve, concentrations)
    net = Network(
        name=model.getId() or Path(path).stem,
        species=species,
        parameters=params,
        reactions=reactions,
        observables=[observable(model, n, text_of(e)) for n, e in observables],
        time_unit=sbml_time_unit(model),
        source=f"SBML L{level}V{version}: {path}",
        check_units=False,
    )
    used: set[str] = set()
    for e in (*start.values(), *(math_of(r.getMath(), "rule") for r in model.getListOfRules())):
        used |= {x.name for x in e.free_symbols}
    for rate in net.parsed_rates().values():  # every model id a name, never a sympy constant
        used |= {x.name for x in rate.free_symbols}
    for spec in events:
        used |= {x.name for x in spec.time.free_symbols}
        for extra in (spec.trigger, spec.delay, spec.priority_expr):
            if extra is not None:
                used |= {x.name for x in extra.free_symbols}
        used |= {x.name for _, e in spec.assignments for x in e.free_symbols}
    ids = tuple(s.getId() for s in model.getListOfSpecies())
    initial = tuple((n, start[n]) for n in order if not start[n].is_number)
    late = {v: resolve(e) for v, e in delayed.items()}
    return SBMLModel(
        net, tuple(events), ids, path, level, version,
        initial=initial, kinds=kinds, used=frozenset(used), defaults=values,
        concentrations={c: tuple(v) for c, v in concentrations.items() if c in moving},
        delayed=delayed_rules(late, rules, kinds, start, event_targets, path),
    )  # fmt: skip


def _order(start: dict[str, sp.Basic], path: str) -> list[str]:
    """Ids in an order where each value at t = 0 comes after the ones it uses."""
    pending = {n: {s.name for s in e.free_symbols} & set(start) - {n} for n, e in start.items()}
    order: list[str] = []
    while pending:
        ready = [n for n, deps in pending.items() if not deps & set(pending)]
        if not ready:
            raise SBMLError(
                f"{path}: initial assignments or assignment rules {sorted(pending)} "
                "depend on each other in a cycle"
            )
        for n in ready:
            order.append(n)
            pending.pop(n)
    return order


def _defaults(order: list[str], start: dict[str, sp.Basic], path: str) -> dict[str, float]:
    """Values at t = 0 for the model's own settings (the network's defaults)."""
    values: dict[str, float] = {}
    for n in order:
        values[n] = evaluate(start[n], values, f"{path}: initial value of {n!r}")
        if not math.isfinite(values[n]):
            raise SBMLError(
                f"{path}: the initial value of {n!r} is {values[n]}; mtorsim holds finite "
                "values only"
            )
    return values


def _resolver(
    model: libsbml.Model,
    dynamic: dict[str, libsbml.Species],
    rated: dict[str, libsbml.Rule],
    kinds: dict[str, str],
    path: str,
    diluted: dict[str, str] | None = None,
) -> Callable[[sp.Basic], sp.Basic]:
    """A function replacing ``rateOf(x)`` by x's rate: its rate rule, its reactions'
    stoichiometry × law (× conversion factor / volume), minus [x] V'/V in a compartment
    with a rate rule (``diluted``: species -> compartment), or 0 for what does not change."""
    cache: dict[str, sp.Basic] = {}

    def rates() -> dict[str, sp.Basic]:
        if not cache:
            for var, rule in rated.items():
                cache[var] = math_of(rule.getMath(), f"rate rule for {var!r}")
            for sid, e in _reactions(model, dynamic, path)[1].items():
                cache[sid] = cache.get(sid, sp.Integer(0)) + e
            for sid, cid in (diluted or {}).items():
                if cid in rated and (sid in cache or sid in dynamic):
                    d_size = math_of(rated[cid].getMath(), f"rate rule for {cid!r}")
                    cache[sid] = cache.get(sid, sp.Integer(0)) - _sym(sid) * d_size / _sym(cid)
        return cache

    def resolve(expr: sp.Basic) -> sp.Basic:
        for _ in range(32):
            calls = [f for f in expr.atoms(sp.Function) if f.func == RATE_OF]
            if not calls:
                return expr
            sub = {}
            for call in calls:
                name = getattr(call.args[0], "name", None) if len(call.args) == 1 else None
                if name is None or kinds.get(name) == "rule" or name not in kinds:
                    raise SBMLError(
                        f"{path}: rateOf({', '.join(map(str, call.args))}) is not the rate of a "
                        "species, compartment or parameter without an assignment rule; "
                        "not supported"
                    )
                cid = (diluted or {}).get(name)
                if cid is not None and cid not in rated:
                    raise SBMLError(
                        f"{path}: rateOf({name}) of a species in compartment {cid!r}, whose "
                        "size a rule sets; not supported"
                    )
                rate = rates().get(name, sp.Integer(0)) if kinds[name] == "state" else 0
                sub[call] = sp.sympify(rate)
            expr = expr.xreplace(sub)
        raise SBMLError(f"{path}: rateOf() refers to itself through the rates; not supported")

    return resolve


def _reactions(
    model: libsbml.Model,
    dynamic: dict[str, libsbml.Species],
    path: str,
    resolve: Callable[[sp.Basic], sp.Basic] | None = None,
) -> tuple[list[Reaction], dict[str, sp.Basic]]:
    """One network reaction per SBML reaction and (compartment, conversion factor) group:
    a law in substance/time moves a concentration species at law × factor / volume. Also
    each species' rate (the sum), for ``rateOf``."""
    out: list[Reaction] = []
    rates: dict[str, sp.Basic] = {}
    model_cf = model.getConversionFactor() if model.isSetConversionFactor() else ""
    for rx in model.getListOfReactions():
        rid = rx.getId()
        if not rx.isSetKineticLaw():
            raise SBMLError(f"{path}: reaction {rid!r} has no kinetic law")
        law = math_of(rx.getKineticLaw().getMath(), f"kinetic law of {rid!r}")
        law = resolve(law) if resolve is not None else law
        check_finite_law(law, rx, path)
        groups: dict[tuple[str, str], dict[str, float]] = {}
        for sign, refs in ((-1, rx.getListOfReactants()), (1, rx.getListOfProducts())):
            for ref in refs:
                sid = ref.getSpecies()
                if sid not in dynamic or dynamic[sid].getBoundaryCondition():
                    continue  # reactions never move boundary species
                st = ref.getStoichiometry() if ref.isSetStoichiometry() else 1.0
                if not math.isfinite(st):
                    raise SBMLError(
                        f"{path}: reaction {rid!r}: stoichiometry {st} of {sid!r}; give a "
                        "finite number"
                    )
                s = dynamic[sid]
                comp = "" if s.getHasOnlySubstanceUnits() else s.getCompartment()
                cf = s.getConversionFactor() if s.isSetConversionFactor() else model_cf
                entry = groups.setdefault((comp, cf), {})
                entry[sid] = entry.get(sid, 0.0) + sign * st
        for (comp, cf), st in groups.items():
            rate = law if not comp else law / _sym(comp)
            rate = rate * _sym(cf) if cf else rate
            whole = {k: round(n) for k, n in st.items() if abs(n - round(n)) <= 1e-12}
            for sid, n in st.items():
                rates[sid] = (
                    rates.get(sid, sp.Integer(0))
                    + (whole[sid] if sid in whole else sp.Float(n)) * rate
                )
            reac = tuple(s for s, n in whole.items() if n < 0 for _ in range(-n))
            prod = tuple(s for s, n in whole.items() if n > 0 for _ in range(n))
            tag = f"{comp or 'amount'}{'_x_' + cf if cf else ''}"
            name = rid if len(groups) == 1 else f"{rid}__in_{tag}"
            if reac or prod:
                out.append(
                    Reaction(
                        name, text_of(rate), reactants=reac, products=prod,
                        description=rx.getName() or "",
                    )
                )  # fmt: skip
            for sid, n in st.items():  # non-integer stoichiometry: n × rate, one species
                if sid not in whole:
                    out.append(
                        Reaction(
                            f"{name}__{sid}", text_of(sp.Float(n) * rate), products=(sid,),
                            description=f"{rx.getName() or rid}: {n:g} {sid} per event",
                        )
                    )  # fmt: skip
    return out, rates


def _trigger_time(trig: sp.Basic) -> tuple[sp.Basic, bool] | None:
    """(t, strict) for a trigger ``time >= t`` (or > t, t <= time, t < time), else None."""
    if isinstance(trig, sp.Ge | sp.Gt) and trig.lhs == TIME:
        return trig.rhs, isinstance(trig, sp.Gt)
    if isinstance(trig, sp.Le | sp.Lt) and trig.rhs == TIME:
        return trig.lhs, isinstance(trig, sp.Lt)
    return None


def _events(
    model: libsbml.Model,
    known_names: set[str],
    ids: set[str],
    kinds: dict[str, str],
    path: str,
    resolve: Callable[[sp.Basic], sp.Basic],
    concentrations: dict[str, list[str]],
) -> list[EventSpec]:
    out: list[EventSpec] = []
    known = {_sym(k) for k in known_names}
    for e in model.getListOfEvents():
        eid = e.getId() or "(unnamed)"
        trig = resolve(
            math_of(
                e.getTrigger().getMath() if e.isSetTrigger() else None,
                f"trigger of event {eid!r}",
            )
        )
        if {s.name for s in trig.free_symbols} - ids - {"time"}:
            raise SBMLError(f"{path}: the trigger of event {eid!r} uses names the model lacks")
        if not isinstance(trig, sp.logic.boolalg.Boolean):
            raise SBMLError(
                f"{path}: the trigger of event {eid!r} is {trig}, not a true/false condition; "
                "not supported"
            )
        for rel in trig.atoms(sp.Eq, sp.Ne):
            moving = sorted(
                x.name for x in rel.free_symbols if kinds.get(x.name) in ("state", "rule")
            )
            if moving:
                raise SBMLError(
                    f"{path}: the trigger of event {eid!r} compares {moving[0]!r} with == or "
                    "!=; a value that moves in time passes a level without equalling it at "
                    "any step, so the event would be missed; use < or >"
                )
        found = _trigger_time(trig)
        timed = found is not None and not found[0].free_symbols - known
        initial_value = (
            e.getTrigger().getInitialValue() if e.getTrigger().isSetInitialValue() else True
        )
        persistent = e.getTrigger().getPersistent() if e.getTrigger().isSetPersistent() else True
        delay: sp.Basic = sp.Integer(0)
        if e.isSetDelay():
            delay = resolve(math_of(e.getDelay().getMath(), f"delay of event {eid!r}"))
            if {s.name for s in delay.free_symbols} - ids - {"time"}:
                raise SBMLError(f"{path}: the delay of event {eid!r} uses names the model lacks")
        from_trigger = (
            e.getUseValuesFromTriggerTime() if e.isSetUseValuesFromTriggerTime() else True
        )
        # the older path (engine events at known times) takes events at constant times only;
        # anything else goes to the root-finding driver (sbml_events.py)
        timed = timed and not delay.free_symbols - known
        t_eval = found[0] if timed and from_trigger else found[0] + delay if timed else None
        assignments = []
        for a in e.getListOfEventAssignments():
            var = a.getVariable()
            value = resolve(math_of(a.getMath(), f"event {eid!r}"))
            if kinds.get(var) not in ("parameter", "constant species", "state", "compartment"):
                raise SBMLError(
                    f"{path}: event {eid!r} assigns {var!r} "
                    f"({kinds.get(var, 'not a species or parameter')}); not supported"
                )
            if {s.name for s in value.free_symbols} - ids - {"time"}:
                raise SBMLError(f"{path}: event {eid!r} uses names the model does not define")
            assignments.append((var, value))
        written = {v for v, _ in assignments}
        for cid in written & set(concentrations):
            both = sorted(written & set(concentrations[cid]))
            if both:
                raise SBMLError(
                    f"{path}: event {eid!r} sets compartment {cid!r} and species {both[0]!r} "
                    "in it at once; not supported"
                )
            timed = False  # the driver rescales the compartment's concentrations
        priority = None
        priority_expr = None
        if e.isSetPriority():
            pr = resolve(math_of(e.getPriority().getMath(), f"priority of event {eid!r}"))
            priority = float(pr) if pr.is_number else None  # variable: only alone is it safe
            priority_expr = pr
        raw = tuple(assignments)
        if t_eval is not None:
            assignments = [
                (v, x.xreplace({TIME: t_eval}) if TIME in x.free_symbols else x)
                for v, x in assignments
            ]
        out.append(
            EventSpec(
                eid, found[0] if timed else sp.nan, tuple(assignments),
                found[1] if timed else False, not initial_value, priority, delay,
                bool(from_trigger), trigger=trig, persistent=bool(persistent),
                initial_value=bool(initial_value), priority_expr=priority_expr,
                timed=timed, raw_assignments=raw,
            )
        )  # fmt: skip
    return out
