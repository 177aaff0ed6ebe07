"""An imported SBML model as data: its network, start-state rules and events.

Initial values stay expressions (initial assignments, amounts over compartment sizes), so
a value set for a run (a rate constant, a compartment size, a species) moves every initial
value that depends on it, as SBML says; :meth:`SBMLModel.start` evaluates them per run.
Events may reset species to values computed from the state just before they fire; the
engine adds amounts, so :meth:`SBMLModel.run` integrates up to each such event, reads the
state and turns the reset into the jump that reaches the asked value. Models with an
event that does not fire at a time known in advance run in
:mod:`mtorsim.network.sbml_events` (root finding) instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import sympy as sp

from mtorsim.errors import SBMLError, UnknownNameError
from mtorsim.events import Event
from mtorsim.network.model import Network

__all__ = ["CLOCK", "TIME", "DelayedRule", "EventSpec", "SBMLModel", "evaluate"]

TIME = sp.Symbol("time", real=True)
#: A state that never changes, for models whose only dynamics are rules and events.
CLOCK = "sbml__still"


@dataclass(frozen=True)
class EventSpec:
    """An SBML event: trigger time (time-triggered ones), assigned values, when it fires.

    ``at_start`` says whether a trigger already true at t = 0 fires then (SBML
    ``initialValue="false"``, or ``time > 0``); ``priority`` orders events that fire
    together (constant priorities only); a ``delay`` (from constants) postpones the
    assignments, whose values come from the trigger time when ``from_trigger``.
    """

    id: str
    time: sp.Expr
    assignments: tuple[tuple[str, sp.Expr], ...]
    strict: bool = False
    at_start: bool = False
    priority: float | None = None
    delay: sp.Basic = sp.S.Zero
    from_trigger: bool = True
    #: the whole trigger, persistence, initialValue and priority as read, for the
    #: root-finding driver (:mod:`mtorsim.network.sbml_events`), which runs every event of
    #: a model with one event that is not ``timed`` (a trigger on the state, a delay or a
    #: trigger time that changes in time)
    trigger: sp.Basic | None = None
    persistent: bool = True
    initial_value: bool = True
    priority_expr: sp.Basic | None = None
    timed: bool = True
    raw_assignments: tuple[tuple[str, sp.Expr], ...] = ()


@dataclass(frozen=True)
class DelayedRule:
    """An assignment rule with ``delay()`` that nothing else reads: ``variable`` is
    ``outer`` with each placeholder p of ``parts`` (p, x, d, h) standing for x at time - d;
    before t = 0, h: x with every value whose initial value uses time replaced by that
    expression (the others keep their start values). Rules are expanded, so x, d, h and
    outer hold states, parameters and time only."""

    variable: str
    outer: sp.Expr
    parts: tuple[tuple[str, sp.Expr, sp.Expr, sp.Expr], ...]


@dataclass(frozen=True)
class SBMLModel:
    """An imported SBML model: its network, start-state rules and time-triggered events.

    Event times and values may depend on parameters (``time >= t_ins``), so they are
    evaluated for the parameter values of a run: ``model.events({"t_ins": 960})``.
    ``initial`` lists, in evaluation order, every id whose value at t = 0 is an
    expression (``defaults`` holds every id's value for the model's own settings);
    ``kinds`` says what each SBML id became (``state``, ``parameter``,
    ``compartment``, ``constant species``, ``rule``).
    """

    network: Network
    event_specs: tuple[EventSpec, ...] = ()
    species_ids: tuple[str, ...] = ()
    path: str = ""
    level: int = 3
    version: int = 2
    notes: dict[str, str] = field(default_factory=dict)
    initial: tuple[tuple[str, sp.Expr], ...] = ()
    kinds: dict[str, str] = field(default_factory=dict)
    used: frozenset[str] = frozenset()
    defaults: dict[str, float] = field(default_factory=dict)
    #: concentration species of each compartment whose size changes (an event or a rate
    #: rule sets it): their amounts are conserved, so an event rescales them
    concentrations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: assignment rules with delay(), computed after the run (:class:`DelayedRule`)
    delayed: tuple[DelayedRule, ...] = ()

    @cached_property
    def _parameters(self) -> frozenset[str]:
        return frozenset(self.network.parameter_names)

    @cached_property
    def _states(self) -> frozenset[str]:
        return frozenset(self.network.species_names)

    @cached_property
    def _read_out(self) -> frozenset[str]:
        return self._states | frozenset(self.network.observable_names)

    # ------------------------------------------------------------------ start state
    def split(self, values: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
        """(parameter values, species start values) of a run's settings; ids that would have
        no effect are errors (one line naming the id and why)."""
        params: dict[str, float] = {}
        state: dict[str, float] = {}
        for name, v in values.items():
            kind = self.kinds.get(name)
            if kind is None:
                if name in self._parameters:  # engine inputs (hooks, media)
                    params[name] = v
                    continue
                raise UnknownNameError("SBML id", name, sorted(self.kinds))
            if kind == "rule":
                raise SBMLError(
                    f"{self.path}: {name!r} is set by an assignment rule at every time; "
                    "setting it has no effect"
                )
            if name not in self.used and kind in ("parameter", "compartment"):
                raise SBMLError(
                    f"{self.path}: {kind} {name!r} is used by no rate, rule, initial "
                    "assignment or event; setting it has no effect"
                )
            (state if kind == "state" else params)[name] = v
        return params, state

    def start(
        self, values: Mapping[str, float] | None = None
    ) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """(parameters, start state, every value at t = 0) for a run with ``values`` set.

        A set value wins over the model's own initial value or initial assignment; every
        other initial value is computed from the set ones. A set value that is no SBML id
        (an ``inhibit_<node>`` hook or a drug's medium concentration, parameters of the
        network the engine compiles from this one) is an input of the run: it is passed on
        with the parameters, so it acts from t = 0.
        """
        given = dict(values or {})
        env: dict[str, float] = {**self.defaults, **given}
        moved = set(given)  # only what depends on a set value is evaluated again
        for name, expr in self.initial:
            if name in given or not {s.name for s in expr.free_symbols} & moved:
                continue
            env[name] = evaluate(expr, env, f"{self.path}: initial value of {name!r}")
            moved.add(name)
        params = {k: v for k, v in env.items() if k in self._parameters}
        params.update(
            {k: v for k, v in given.items() if k not in self.kinds and k not in self._read_out}
        )
        y0 = {k: env[k] for k in moved & self._states}  # the others start where the model says
        return params, y0, env

    # ------------------------------------------------------------------ events
    def events(self, parameters: dict[str, float] | None = None) -> list[Event]:
        """Engine events for a run with ``parameters`` (defaults from the model); for
        events whose values need the state when they fire, use :meth:`run`."""
        values = {**self.network.parameter_values(), **(parameters or {})}
        if self.delayed:
            raise SBMLError(
                f"{self.path}: the rule for {self.delayed[0].variable!r} holds delay(), read "
                "from the course since t = 0; run it with Model.simulate from the initial state"
            )
        out = []
        for spec in self.event_specs:
            if not spec.timed:
                raise SBMLError(
                    f"{self.path}: event {spec.id!r} fires when its trigger on the state "
                    "turns true (or after a delay that changes); run it with Model.simulate "
                    "from the initial state"
                )
        for t, spec, _ in self._timed(values):
            if self._needs_state(spec):
                raise SBMLError(
                    f"{self.path}: event {spec.id!r} sets values from the state when it "
                    "fires; run it with Model.simulate"
                )
            vals = {v: evaluate(e, values, f"event {spec.id!r}") for v, e in spec.assignments}
            out.append(Event(t, parameters=vals))
        return out

    def _timed(self, values: Mapping[str, float]) -> list[tuple[float, EventSpec, float]]:
        """(time it fires, event, time it triggers), in firing order."""
        out = []
        for spec in self.event_specs:
            t = evaluate(spec.time, values, f"{self.path}: trigger time of event {spec.id!r}")
            d = evaluate(spec.delay, values, f"{self.path}: delay of event {spec.id!r}")
            if not d >= 0:
                raise SBMLError(f"{self.path}: event {spec.id!r} has delay {d}; give >= 0")
            if t == 0 and spec.strict:  # false at 0, true just after: not in the t = 0 row
                out.append((1e-12 + d, spec, 1e-12))
            elif t > 0 or spec.at_start:
                out.append((max(t, 0.0) + d, spec, max(t, 0.0)))
        out.sort(key=lambda x: (x[0], -(x[1].priority if x[1].priority is not None else -math.inf)))
        observables = self._read_out - self._states
        for (t1, a, _), (t2, b, _) in itertools.pairwise(out):
            if t1 != t2 or not _interact(a, b):
                continue
            if a.priority is None or b.priority is None or a.priority == b.priority:
                raise SBMLError(
                    f"{self.path}: events {a.id!r} and {b.id!r} fire together and touch the "
                    "same values without distinct constant priorities; their order is undefined"
                )
            if _reads(b) & observables:
                raise SBMLError(
                    f"{self.path}: event {b.id!r} reads assignment-rule values right after "
                    f"{a.id!r} changes the state at the same time; not supported"
                )
        return out

    def _needs_state(self, spec: EventSpec) -> bool:
        return self._sets_state(spec) or self._reads_state(spec)

    def _sets_state(self, spec: EventSpec) -> bool:
        return any(v not in self._parameters for v, _ in spec.assignments)

    def _reads_state(self, spec: EventSpec) -> bool:
        return bool(_reads(spec) & self._read_out)

    def run(
        self,
        simulate: Callable[..., object],
        t_end: float,
        t_out: np.ndarray,
        params: dict[str, float],
        y0: dict[str, float],
        env: dict[str, float],
        **options: object,
    ):
        """One run with this model's events: ``simulate`` is the engine's, called once per
        event that needs the state when it fires, then once for the whole course. Models
        with an event that is not at a known time run in the root-finding driver. Rules
        with delay() are read from the course at the delayed times too."""
        if self.delayed:
            return self._with_delays(simulate, t_end, t_out, params, y0, env, **options)
        if any(not s.timed for s in self.event_specs):
            from mtorsim.network.sbml_events import run_events

            return run_events(self, simulate, t_end, t_out, params, y0, env, **options)
        current = dict(params)
        events: list[Event] = []
        end = t_end
        at: float | None = None
        before: dict[str, float] | None = None  # the state just before the events at ``at``
        pending: dict[str, float] = {}  # species set by earlier events at the same time

        def state_at(t: float) -> dict[str, float]:
            if t == 0:
                return {k: v for k, v in env.items() if k not in params}
            pre = simulate(
                t, t_out=np.array([t]), parameters=params, initial=y0, events=events, **options
            )
            return {c: float(pre[c].iloc[-1]) for c in pre.columns[1:]}  # after the time

        for t, spec, trig in self._timed(params):
            if t > t_end:
                break
            if t >= t_end:  # an event at the end shows in the last row, as in SBML
                end = t_end * (1 + 1e-12) + 1e-12
            if t != at:
                at, before, pending = t, None, {}
            state: dict[str, float] = {}
            early = spec.from_trigger and trig < t  # values from the trigger time
            if self._sets_state(spec) or (self._reads_state(spec) and not early):
                if before is None:
                    before = state_at(t)
                state = {**before, **pending}
            if early:
                then = dict(params)
                for e in events:
                    if e.time <= trig:
                        then.update(e.parameters)
                if self._reads_state(spec):
                    then.update(state_at(trig))
            else:
                then = {**current, **state}
            where = f"{self.path}: event {spec.id!r}"
            vals = {v: evaluate(e, then, where) for v, e in spec.assignments}
            set_p = {v: x for v, x in vals.items() if v in self._parameters}
            add = {v: x - state[v] for v, x in vals.items() if v not in set_p}
            current.update(set_p)
            pending.update({v: vals[v] for v in add})
            events.append(Event(t, parameters=set_p, add=add))
        df = simulate(end, t_out=t_out, parameters=params, initial=y0, events=events, **options)
        return df, events

    def _with_delays(
        self,
        simulate: Callable[..., object],
        t_end: float,
        t_out: np.ndarray,
        params: dict[str, float],
        y0: dict[str, float],
        env: dict[str, float],
        **options: object,
    ):
        """The run read at t_out and at each t_out - d, then the delayed rules' columns."""
        lags = {}
        for rule in self.delayed:
            for name, _, d, _ in rule.parts:
                lag = evaluate(d, params, f"{self.path}: delay in the rule for {rule.variable!r}")
                if not (lag >= 0 and math.isfinite(lag)):
                    raise SBMLError(
                        f"{self.path}: the delay in the rule for {rule.variable!r} is {lag}; "
                        "give a finite value >= 0"
                    )
                lags[name] = lag
        t_out = np.asarray(t_out, dtype=float)
        shifted = [t_out - lag for lag in lags.values()]
        t_all = np.unique(np.concatenate([t_out, *shifted]).clip(min=0.0))
        df, events = replace(self, delayed=()).run(
            simulate, t_end, t_all, params, y0, env, **options
        )
        tcol = df.columns[0]
        times = df[tcol].to_numpy(float)
        start = {**env, **params}
        where = f"{self.path}: a rule with delay()"
        out = df.iloc[np.searchsorted(times, t_out)].reset_index(drop=True)
        out[tcol] = t_out
        for rule in self.delayed:
            values = {}
            for name, inner, _, history in rule.parts:
                tau = t_out - lags[name]
                part = df.iloc[np.searchsorted(times, tau.clip(min=0.0))]
                now = _values(inner, part, start, tau, where)
                past = _values(history, None, start, tau, where)
                values[name] = np.where(tau < 0, past, now)
            out[rule.variable] = _values(rule.outer, out, {**start, **values}, t_out, where)
        return out, events


def _values(expr: sp.Expr, rows, values: Mapping, times: np.ndarray, where: str) -> np.ndarray:
    """expr at each of ``times``: names from the course's ``rows`` (a table, or None),
    else from ``values`` (numbers or arrays)."""
    names = sorted(s.name for s in expr.free_symbols)
    args = []
    for n in names:
        if n == "time":
            args.append(times)
        elif rows is not None and n in rows.columns:
            args.append(rows[n].to_numpy(float))
        elif n in values:
            args.append(np.broadcast_to(np.asarray(values[n], dtype=float), times.shape))
        else:
            raise SBMLError(f"{where} reads {n!r}, which has no value")
    fn = sp.lambdify([sp.Symbol(n, real=True) for n in names], expr, "numpy", dummify=True)
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(fn(*args), dtype=float), times.shape).copy()


def _reads(s: EventSpec) -> set[str]:
    return {x.name for _, e in s.assignments for x in e.free_symbols}


def _interact(a: EventSpec, b: EventSpec) -> bool:
    wa, wb = {v for v, _ in a.assignments}, {v for v, _ in b.assignments}
    return bool(wa & wb or wa & _reads(b) or wb & _reads(a))


def evaluate(expr: sp.Basic, env: Mapping[str, float], where: str) -> float:
    """A number from an expression and named values (time is 0 at the start)."""
    if isinstance(expr, int | float):
        return float(expr)
    subs = {s: env[s.name] for s in expr.free_symbols if s.name in env}
    if TIME in expr.free_symbols and "time" not in env:
        subs[TIME] = 0.0
    value = expr.xreplace(
        {k: sp.Float(v) if math.isfinite(v) else _special(v) for k, v in subs.items()}
    )
    try:
        value = sp.sympify(value).evalf()
        if value.free_symbols:
            missing = sorted(s.name for s in value.free_symbols)
            raise SBMLError(f"{where} depends on {missing}, which have no value")
        if value in (sp.zoo, sp.nan) or value.has(sp.nan):
            return math.nan
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SBMLError(f"{where}: cannot evaluate {expr} ({exc})") from None


def _special(v: float) -> sp.Basic:
    if math.isnan(v):
        return sp.nan
    return sp.oo if v > 0 else -sp.oo
