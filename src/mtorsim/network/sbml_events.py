"""SBML events by root finding, at the driver level (issue #17).

A model with an event that does not fire at a time known in advance (a trigger on species or
rule values, a delay or a trigger time that changes in time) runs here; every other model
keeps :meth:`SBMLModel.run`'s path (engine events at known times) unchanged.

The course is integrated segment by segment with the engine's own solver
(``simulate(..., t_start=t)``): each segment ends at the next known time (an event whose
delay runs out, a time comparison switching, the end) and, when a trigger reads values that
move (species, rules, time in other forms), is read on a grid of 500 points plus the asked
output times. Comparisons linear in time (``time >= t_on``, ``time - reset >=
0.01``, also inside and/or) are rewritten as ``time OP c`` with c from the parameters, and
segments end exactly at each c, so such events fire exactly on time. Every trigger is
evaluated on the grid; the first grid interval where one changes value holds a root,
located by bisection to 1e-12 (relative) by integrating from the segment start to each
midpoint. Triggers comparing moving values with == or != are refused at import. At the
root (the first point where the new value holds) the SBML Level 3 event semantics apply:

* a trigger turning true triggers its event (at t = 0 when ``initialValue`` is false and the
  trigger is true there); one turning false cancels the waiting executions of its event when
  it is not ``persistent``;
* the delay is evaluated at the trigger time; the assigned values then too when
  ``useValuesFromTriggerTime``, else when the event executes;
* events due at the same time execute one at a time, the highest ``priority`` (evaluated
  then) first; after each execution every trigger is evaluated again (events may trigger
  each other at the same time, non-persistent ones may be cancelled). Events whose order is
  left open (no priorities, or equal ones) and that touch the same values are refused: SBML
  says the order is random, so no single course is right.

An event that resizes a compartment conserves the amounts in it (its concentration species
are rescaled). Output rows at an event time show the values after the events at that time,
as SBML's test suite does. A grid interval in which a trigger turns true and false again
is not seen (as in any solver that checks triggers at its steps); 500 points per segment
keep that to very short pulses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sympy as sp

from mtorsim.errors import SBMLError
from mtorsim.events import Event
from mtorsim.network.sbml_model import TIME, EventSpec, evaluate

if TYPE_CHECKING:
    from mtorsim.network.sbml_model import SBMLModel

__all__ = ["run_events"]

GRID = 500  # trigger checks per segment
REL_TOL = 1e-12  # root location, relative to max(1, |t|)
MAX_AT_ONCE = 10_000  # executions at one time before the cascade counts as endless
MAX_ROOTS = 100_000  # roots in one run


@dataclass
class _Waiting:
    spec: int
    due: float
    values: dict[str, float] | None
    order: int


@dataclass
class _Driver:
    model: SBMLModel
    simulate: Callable[..., pd.DataFrame]
    options: dict[str, object]
    p: dict[str, float]
    y: dict[str, float] = field(default_factory=dict)
    row: dict[str, float] = field(default_factory=dict)
    t: float = 0.0
    waiting: list[_Waiting] = field(default_factory=list)
    ready: list[_Waiting] = field(default_factory=list)
    changes: list[Event] = field(default_factory=list)
    count: int = 0
    fast: dict[sp.Basic, tuple[list[str], Callable[..., object] | None]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        specs = self.model.event_specs
        self.species = list(self.model.network.species_names)
        self.observables = set(self.model.network.observable_names)
        params = set(self.model.network.parameter_names)
        triggers, cuts = _time_cuts([e.trigger for e in specs], params)  # type: ignore[misc]
        names = sorted({s.name for t in triggers for s in t.free_symbols} | {"time"})
        self.names = names
        syms = [sp.Symbol(n, real=True) for n in names]
        self.fns = [sp.lambdify(syms, t, modules="numpy", dummify=True) for t in triggers]
        self.state = [e.initial_value for e in specs]
        self.cuts = [
            (name, sorted(s.name for s in c.free_symbols), _lambdify(c)) for name, c in cuts
        ]
        # a grid is needed only where a trigger reads values that move between stops (the
        # state, rules, time outside the cuts); triggers on time cuts and parameters alone
        # change only at the stops
        cut_names = {name for name, _ in cuts}
        moving = set(self.species) | self.observables | {"time"}
        self.dense = False
        for trig in triggers:
            for rel in trig.atoms(sp.core.relational.Relational):
                if {x.name for x in rel.free_symbols} & cut_names:
                    continue
                self.dense |= bool({x.name for x in rel.free_symbols} & moving)
            rest = trig.xreplace({r: sp.true for r in trig.atoms(sp.core.relational.Relational)})
            self.dense |= bool({x.name for x in rest.free_symbols} & moving)

    # ------------------------------------------------------------------ integration
    def integrate(self, t1: float, t_out: np.ndarray) -> pd.DataFrame:
        """From (self.t, self.y) to t1, read at ``t_out`` (within [t, t1], t1 last)."""
        t0 = self.t
        if t1 - t0 < 1e-13 * max(1.0, abs(t0)):  # too short for a step: the state holds
            df = self.simulate(t0, t_start=t0, t_out=np.array([t0]), parameters=self.p,
                               initial=self.y, **self.options)  # fmt: skip
            df = pd.concat([df] * t_out.size, ignore_index=True)
            df.iloc[:, 0] = t_out
            return df
        return self.simulate(t1, t_start=t0, t_out=t_out, parameters=self.p, initial=self.y,
                             **self.options)  # fmt: skip

    def env(self, df: pd.DataFrame) -> dict[str, np.ndarray | float]:
        out: dict[str, np.ndarray | float] = dict(self.p)
        for c in df.columns[1:]:
            out[c] = df[c].to_numpy(float)
        out["time"] = df.iloc[:, 0].to_numpy(float)
        return out

    def cut_values(self) -> dict[str, float]:
        """The times at which comparisons linear in time switch, for the parameters now."""
        with np.errstate(all="ignore"):
            return {name: float(fn(*(self.p[a] for a in args))) for name, args, fn in self.cuts}

    def triggers(self, env: Mapping[str, np.ndarray | float], n: int) -> np.ndarray:
        """(events, n) truth values of every trigger."""
        env = {**env, **self.cut_values()}
        args = []
        for name in self.names:
            if name not in env:
                raise SBMLError(f"{self.model.path}: a trigger uses {name!r}, which has no value")
            args.append(np.broadcast_to(np.asarray(env[name], dtype=float), (n,)))
        out = np.zeros((len(self.fns), n), dtype=bool)
        with np.errstate(all="ignore"):
            for i, fn in enumerate(self.fns):
                out[i] = np.broadcast_to(np.asarray(fn(*args), dtype=bool), (n,))
        return out

    def set_row(self, df: pd.DataFrame, i: int = -1) -> None:
        r = df.iloc[i]
        self.row = {**self.p, **{c: float(r[c]) for c in df.columns[1:]}, "time": self.t}
        self.y = {s: self.row[s] for s in self.species}

    def refresh(self) -> None:
        """Read-outs at self.t for the state and parameters now (rules change with them)."""
        self.set_row(self.integrate(self.t, np.array([self.t])))

    # ------------------------------------------------------------------ events
    def value(self, expr: sp.Basic, what: str) -> float:
        """expr at self.row: numpy (compiled once per expression), sympy where it fails."""
        fast = self.fast.get(expr)
        if fast is None:
            names = sorted(s.name for s in expr.free_symbols)
            try:
                fn = sp.lambdify([sp.Symbol(n, real=True) for n in names], expr, "numpy",
                                 dummify=True)  # fmt: skip
            except (TypeError, ValueError, SyntaxError, NameError):
                fn = None
            fast = self.fast[expr] = (names, fn)
        names, fn = fast
        if fn is not None and all(n in self.row for n in names):
            try:
                with np.errstate(all="ignore"):
                    v = np.asarray(fn(*(self.row[n] for n in names)), dtype=float)
                if v.shape == ():
                    return float(v)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                pass
        return evaluate(expr, self.row, f"{self.model.path}: {what}")

    def spec(self, i: int) -> EventSpec:
        return self.model.event_specs[i]

    def assigned(self, i: int) -> dict[str, float]:
        e = self.spec(i)
        return {v: self.value(x, f"event {e.id!r} value of {v!r}") for v, x in e.raw_assignments}

    def trigger_now(self, i: int) -> None:
        """Event i's trigger turned true at self.t."""
        e = self.spec(i)
        d = self.value(e.delay, f"delay of event {e.id!r}")
        if not d >= 0:
            raise SBMLError(f"{self.model.path}: event {e.id!r} has delay {d}; give >= 0")
        values = self.assigned(i) if e.from_trigger else None
        self.count += 1
        w = _Waiting(i, self.t + d, values, self.count)
        (self.ready if d == 0 else self.waiting).append(w)

    def update_triggers(self) -> None:
        now = self.triggers({k: np.array([v]) for k, v in self.row.items()}, 1)[:, 0]
        for i, (was, is_) in enumerate(zip(self.state, now, strict=True)):
            self.state[i] = bool(is_)
            if is_ and not was:
                self.trigger_now(i)
            elif was and not is_ and not self.spec(i).persistent:
                self.waiting = [w for w in self.waiting if w.spec != i]
                self.ready = [w for w in self.ready if w.spec != i]

    def process(self) -> None:
        """Everything that happens at self.t: triggers, due executions, their cascade."""
        self.update_triggers()
        tol = 1e-13 * max(1.0, abs(self.t))
        due = [w for w in self.waiting if w.due <= self.t + tol]
        self.waiting = [w for w in self.waiting if w.due > self.t + tol]
        self.ready += sorted(due, key=lambda w: w.due)
        executed = 0
        while self.ready:
            w = self.choose()
            self.ready.remove(w)
            self.execute(w)
            executed += 1
            if executed > MAX_AT_ONCE:
                raise SBMLError(
                    f"{self.model.path}: events trigger each other endlessly at t = {self.t}"
                )
            if self.observables:  # rules follow the new values
                self.refresh()
            self.update_triggers()

    def choose(self) -> _Waiting:
        """The next event to execute: the highest priority (evaluated now). Where SBML
        leaves the order open (equal priorities at the top, or no priority at all) the
        events concerned must not touch each other's values, else the run is refused."""
        if len(self.ready) == 1:
            return self.ready[0]
        prio: list[float | None] = []
        for w in self.ready:
            e = self.spec(w.spec)
            pe = e.priority_expr
            v = None if pe is None else self.value(pe, f"priority of event {e.id!r}")
            prio.append(None if v is None or math.isnan(v) else v)
        loose = [w for w, p in zip(self.ready, prio, strict=True) if p is None]
        for u in loose:  # no priority: its place among all the others is open
            for w in self.ready:
                if w is not u:
                    self.check_apart(u, w)
        ranked = [(p, w) for w, p in zip(self.ready, prio, strict=True) if p is not None]
        if not ranked:
            return min(loose, key=lambda w: w.order)
        best = max(p for p, _ in ranked)
        top = sorted((w for p, w in ranked if p == best), key=lambda w: w.order)
        for i, a in enumerate(top):  # equal priorities: their order is open
            for b in top[i + 1 :]:
                self.check_apart(a, b)
        return top[0]

    def check_apart(self, a: _Waiting, b: _Waiting) -> None:
        ea, eb = self.spec(a.spec), self.spec(b.spec)
        if self.interact(ea, eb):
            raise SBMLError(
                f"{self.model.path}: events {ea.id!r} and {eb.id!r} execute at "
                f"t = {self.t:g} and touch the same values without distinct "
                "priorities; SBML leaves their order random, so mtorsim refuses it"
            )

    def reads(self, e: EventSpec) -> set[str]:
        out: set[str] = set()
        if not e.from_trigger:
            out |= {s.name for _, x in e.raw_assignments for s in x.free_symbols}
        if not e.persistent and e.trigger is not None:
            out |= {s.name for s in e.trigger.free_symbols}
        if e.priority_expr is not None:
            out |= {s.name for s in e.priority_expr.free_symbols}
        if out & self.observables:  # rules read the state: count every value as read
            out |= set(self.row)
        return out

    def interact(self, a: EventSpec, b: EventSpec) -> bool:
        wa, wb = {v for v, _ in a.raw_assignments}, {v for v, _ in b.raw_assignments}
        return bool(wa & wb or wa & self.reads(b) or wb & self.reads(a))

    def execute(self, w: _Waiting) -> None:
        values = w.values if w.values is not None else self.assigned(w.spec)
        params = {}
        for cid in set(values) & set(self.model.concentrations):
            old, new = self.row[cid], values[cid]
            if not (new > 0 and math.isfinite(new)):
                raise SBMLError(
                    f"{self.model.path}: event {self.spec(w.spec).id!r} sets compartment "
                    f"{cid!r} to {new}; give a positive size"
                )
            for sid in self.model.concentrations[cid]:  # amounts are conserved
                self.y[sid] *= old / new
                self.row[sid] = self.y[sid]
        for var, v in values.items():
            if var in self.y:
                self.y[var] = v
            else:
                params[var] = v
                self.p[var] = v
        if params:
            self.changes.append(Event(self.t, parameters=params))
        self.row.update(values)

    # ------------------------------------------------------------------ the course
    def next_stop(self, t_end: float) -> float:
        stop = t_end
        for w in self.waiting:
            stop = min(stop, w.due)
        for c in self.cut_values().values():  # stop exactly where time comparisons switch
            if self.t < c < stop:
                stop = c
        return stop

    def changed(self, df: pd.DataFrame, time: float | None = None) -> np.ndarray:
        """Per row of ``df``: does any trigger differ from its value at self.t? (With
        ``time``, evaluated at that time instead of the rows' own.)"""
        env = self.env(df)
        if time is not None:
            env["time"] = np.full(len(df), time)
        now = self.triggers(env, len(df))
        return np.any(now != np.asarray(self.state)[:, None], axis=0)

    def run(self, t_end: float, t_out: np.ndarray) -> tuple[pd.DataFrame, list[Event]]:
        rows: list[pd.DataFrame] = []
        done = 0  # output times written
        self.refresh()
        self.process()
        roots = 0
        while self.t < t_end:
            stop = self.next_stop(t_end)
            outs = t_out[done:]
            outs = outs[(outs >= self.t) & (outs < stop)]
            grid = np.linspace(self.t, stop, GRID + 1)[1:] if self.dense else np.array([stop])
            times = np.union1d(outs, grid)
            df = self.integrate(stop, times)
            flip = self.changed(df)
            if flip.any():
                k = int(np.argmax(flip))
                ta = float(times[k - 1]) if k else self.t
                whole = df if k == len(times) - 1 else None  # ends at stop: reuse it
                tb, df_b = self.locate(ta, float(times[k]), outs, whole)
            else:
                tb, df_b = stop, df
            keep = outs[outs < tb]
            if keep.size:
                part = df_b  # read at the outputs before tb, and at tb
                idx = np.searchsorted(part.iloc[:, 0].to_numpy(), keep)
                rows.append(part.iloc[idx])
                done += keep.size
            self.t = tb
            self.set_row(df_b)
            self.row["time"] = tb
            self.process()
            roots += 1
            if roots > MAX_ROOTS:
                raise SBMLError(
                    f"{self.model.path}: more than {MAX_ROOTS} event times before "
                    f"t = {t_end:g} (events fire ever faster?); not supported"
                )
        rest = t_out[done:]
        if rest.size:
            last = self.integrate(self.t, np.array([self.t]))
            tail = pd.concat([last] * rest.size, ignore_index=True)
            tail.iloc[:, 0] = rest
            rows.append(tail)
        out = pd.concat(rows, ignore_index=True)
        out.iloc[:, 0] = t_out
        return out, self.changes

    def locate(
        self, ta: float, tb: float, outs: np.ndarray, whole: pd.DataFrame | None
    ) -> tuple[float, pd.DataFrame]:
        """The first time in (ta, tb] at which a trigger differs, and the course from
        self.t read at the outputs before it and at it (last row); ``whole`` is the
        segment's own course when tb is its end (the same integration)."""

        def course(t1: float) -> pd.DataFrame:
            return self.integrate(t1, np.union1d(outs[outs < t1], [t1]))

        exact = whole if whole is not None else course(tb)
        if not self.changed(exact.iloc[[-1]])[-1]:
            return tb, exact  # only the interpolation crossed: advance to tb, nothing new
        if not self.changed(exact.iloc[[-1]], time=np.nextafter(tb, -math.inf))[-1]:
            return tb, exact  # time alone switches it, at tb exactly (a time cut)
        while tb - ta > REL_TOL * max(1.0, abs(tb)):
            mid = 0.5 * (ta + tb)
            if not ta < mid < tb:
                break
            df = self.integrate(mid, np.array([mid]))
            if self.changed(df)[-1]:
                tb = mid
            else:
                ta = mid
        return tb, course(tb)


_FLIP = {sp.Ge: sp.Le, sp.Gt: sp.Lt, sp.Le: sp.Ge, sp.Lt: sp.Gt, sp.Eq: sp.Eq, sp.Ne: sp.Ne}


def _time_cuts(
    triggers: list[sp.Basic], params: set[str]
) -> tuple[list[sp.Basic], list[tuple[str, sp.Expr]]]:
    """Triggers with every comparison linear in time (a numeric slope, the rest from
    parameters: ``time >= t_on``, ``time - reset >= 0.01``) rewritten as ``time OP c`` with
    c a named value, and those values' expressions. Segments then end exactly at c and the
    comparison there is exact, so an event due at an output time shows in that row."""
    out: list[sp.Basic] = []
    cuts: list[tuple[str, sp.Expr]] = []
    for trig in triggers:
        subs = {}
        for rel in trig.atoms(sp.core.relational.Relational):
            if TIME not in rel.free_symbols or type(rel) not in _FLIP:
                continue
            g = sp.expand(rel.lhs - rel.rhs)
            slope = sp.diff(g, TIME)
            rest = sp.expand(g - slope * TIME)
            if not slope.is_number or slope == 0 or TIME in rest.free_symbols:
                continue
            if {s.name for s in rest.free_symbols} - params:
                continue
            name = f"sbml__cut{len(cuts)}"
            op = type(rel) if slope > 0 else _FLIP[type(rel)]
            subs[rel] = op(TIME, sp.Symbol(name, real=True), evaluate=False)
            cuts.append((name, -rest / slope))
        out.append(trig.xreplace(subs))
    return out, cuts


def _lambdify(expr: sp.Expr) -> Callable[..., float]:
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    return sp.lambdify(syms, expr, modules="numpy", dummify=True)


def run_events(
    model: SBMLModel,
    simulate: Callable[..., pd.DataFrame],
    t_end: float,
    t_out: np.ndarray,
    params: dict[str, float],
    y0: dict[str, float],
    env: dict[str, float],
    **options: object,
) -> tuple[pd.DataFrame, list[Event]]:
    """One run of ``model`` from (params, y0) to ``t_end``, read at ``t_out``: the course
    and the parameter changes its events made (for step columns)."""
    del env  # the driver reads every start value from the engine (rules included)
    driver = _Driver(model, simulate, dict(options), dict(params))
    driver.y = dict(y0)
    return driver.run(float(t_end), np.asarray(t_out, dtype=float))
