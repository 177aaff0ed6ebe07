"""Assignment rules the network cannot hold as plain observables (issue #17).

Two kinds, both read by :mod:`mtorsim.network.sbml_import`:

* rules holding ``delay(x, d)``: x's value d time units ago. Where nothing else reads the
  rule (no rate, rule, event or initial assignment), the delay feeds no dynamics, so it is
  computed after the run from the course itself (:meth:`SBMLModel.run` reads the state at
  t - d too). Before t = 0, as the SBML Test Suite has it, time runs on (``delay(time, 3)``
  is ``time - 3``), values whose initial value uses time follow that expression
  (``x = sin(10 time)`` at t = 0 has been oscillating) and the others hold their initial
  values. Delays that change in time, and delays anywhere else (delay differential
  equations), are refused.
* a compartment whose size an assignment rule sets from values that change: its
  concentration species dilute at [S] V'/V, with V' the rule's time derivative
  (chain rule through the rates of what it reads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libsbml
import sympy as sp

from mtorsim.errors import SBMLError
from mtorsim.network.sbml_math import DELAY, RATE_OF, math_owners, names_in
from mtorsim.network.sbml_model import TIME, DelayedRule

__all__ = ["delayed_rules", "expand_rules", "size_rate", "split_delayed"]


def expand_rules(
    expr: sp.Basic, rules: Mapping[str, sp.Basic], path: str, what: str = "assignment rules"
) -> sp.Basic:
    """expr with every variable of ``rules`` replaced by its expression (in turn)."""
    subs = {sp.Symbol(k, real=True): v for k, v in rules.items()}
    for _ in range(len(rules) + 1):
        if not expr.free_symbols & set(subs):
            return expr
        expr = expr.xreplace(subs)
    raise SBMLError(f"{path}: {what} refer to each other in a cycle")


def split_delayed(
    model: libsbml.Model, assigned: dict[str, sp.Basic], path: str
) -> dict[str, sp.Basic]:
    """Take the rules holding delay() out of ``assigned``; refuse delay() anywhere a
    value feeds the dynamics (another rule, a rate, an event, an initial assignment)."""
    delayed = {v: e for v, e in assigned.items() if e.has(DELAY)}
    for v in delayed:
        del assigned[v]
    readers = [
        (what, owner.getMath())
        for what, owner in math_owners(model)
        if not (
            isinstance(owner, libsbml.Rule)
            and owner.isAssignment()
            and owner.getVariable() in delayed
        )
    ]
    for what, node in readers:
        if node is None:
            continue
        names = names_in(node, delays=True)
        if "delay" in names:
            raise SBMLError(
                f"{path}: delay() in the {what}: a delay differential equation; not "
                "supported (only an assignment rule nothing else reads may hold delay())"
            )
        used = sorted(names & set(delayed))
        if used:
            raise SBMLError(
                f"{path}: the {what} reads {used[0]!r}, an assignment rule with delay(): a "
                "delay differential equation; not supported"
            )
    return delayed


def delayed_rules(
    delayed: Mapping[str, sp.Basic],
    rules: Mapping[str, sp.Basic],
    kinds: Mapping[str, str],
    start: Mapping[str, sp.Basic],
    event_targets: set[str],
    path: str,
) -> tuple[DelayedRule, ...]:
    """Each delayed rule as a :class:`DelayedRule`, rules expanded so only states,
    parameters and time remain."""
    out = []
    count = 0
    for var, expr in delayed.items():
        expr = expand_rules(expr, rules, path)
        subs, parts = {}, []
        for call in sorted(expr.atoms(DELAY), key=sp.default_sort_key):
            if len(call.args) != 2:
                raise SBMLError(f"{path}: delay() in the rule for {var!r} needs two arguments")
            inner, d = call.args
            if inner.has(DELAY):
                raise SBMLError(f"{path}: delay() inside delay() in the rule for {var!r}")
            _check_delay(var, d, kinds, event_targets, path)
            _check_names(var, inner, kinds, event_targets, path)
            name = f"sbml__delay{count}"
            count += 1
            subs[call] = sp.Symbol(name, real=True)
            parts.append((name, inner, d, _history(inner, start, path)))
        outer = expr.xreplace(subs)
        _check_names(var, outer, kinds, event_targets, path)
        out.append(DelayedRule(var, outer, tuple(parts)))
    return tuple(out)


def _check_delay(
    var: str, d: sp.Basic, kinds: Mapping[str, str], event_targets: set[str], path: str
) -> None:
    moving = sorted(
        s.name
        for s in d.free_symbols
        if s == TIME or kinds.get(s.name) in ("state", "rule") or s.name in event_targets
    )
    if moving:
        raise SBMLError(
            f"{path}: the delay in the rule for {var!r} reads {moving[0]!r}, which changes in "
            "time; only delays from constants are supported"
        )


def _check_names(
    var: str, expr: sp.Basic, kinds: Mapping[str, str], event_targets: set[str], path: str
) -> None:
    for s in sorted(expr.free_symbols, key=lambda x: x.name):
        if s == TIME or s.name.startswith("sbml__delay"):
            continue
        if s.name in event_targets:
            raise SBMLError(
                f"{path}: the rule for {var!r} (with delay()) reads {s.name!r}, which an "
                "event sets; not supported"
            )
        if s.name not in kinds:
            raise SBMLError(f"{path}: the rule for {var!r} uses {s.name!r}, which has no value")


def _history(inner: sp.Basic, start: Mapping[str, sp.Basic], path: str) -> sp.Basic:
    """inner before t = 0: each value whose initial value uses time (an initial assignment
    such as sin(10 time), 00942) follows that expression there; the others hold."""
    timed = {n: start[n] for n in start if _uses_time(n, start)}
    return expand_rules(inner, timed, path, what="initial values")


def _uses_time(name: str, start: Mapping[str, sp.Basic]) -> bool:
    seen, stack = set(), [name]
    while stack:
        n = stack.pop()
        if n in seen or n not in start:
            continue
        seen.add(n)
        e = start[n]
        if TIME in e.free_symbols:
            return True
        stack.extend(s.name for s in e.free_symbols)
    return False


def size_rate(
    cid: str,
    expr: sp.Basic,
    rules: Mapping[str, sp.Basic],
    moving_species: set[str],
    resolve: Callable[[sp.Basic], sp.Basic],
    path: str,
) -> sp.Basic:
    """dV/dt of a compartment whose size the rule ``expr`` sets: the chain rule through
    the rates of what it reads (rateOf), plus its explicit time dependence."""
    full = expand_rules(expr, {k: v for k, v in rules.items() if k != cid}, path)
    diluted = sorted(s.name for s in full.free_symbols if s.name in moving_species)
    if diluted:
        raise SBMLError(
            f"{path}: the size of compartment {cid!r} is set from {diluted[0]!r}, a "
            "concentration in a compartment that changes size; not supported"
        )
    rate = sp.diff(full, TIME)
    for s in full.free_symbols - {TIME}:
        rate += sp.diff(full, s) * RATE_OF(s)
    return resolve(rate)
