"""One entry point for time courses: :func:`simulate` (one run) and :func:`simulate_batch`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork, compile_network
from mtorsim.engine.kernels import SPECIALIZED_MD
from mtorsim.engine.schedule import Event, build_segments, check_time, validate_values
from mtorsim.errors import MtorsimError, SolverError
from mtorsim.network.model import Network

__all__ = [
    "SolverStatus",
    "as_compiled",
    "output_times",
    "simulate",
    "simulate_batch",
    "time_column",
]


#: Rows of a batch the generic kernel runs first to gauge the batch's work (kernels.py).
PROBE_ROWS = 32


class SolverStatus(IntEnum):
    """Outcome of an integration, with a readable message and a fix."""

    OK = 0
    MAX_STEPS = 1
    STEP_TOO_SMALL = 2
    SINGULAR = 3
    NOT_FINITE = 4

    @property
    def message(self) -> str:
        return {
            0: "success",
            1: "the step limit was reached; raise max_steps or loosen rtol",
            2: "the step size fell below machine precision; the model may blow up "
            "(check parameters) or need a looser tolerance",
            3: "the iteration matrix was singular; check for parameters of 0 or infinity",
            4: "the solution became infinite or NaN; check parameters and initial values",
        }[int(self)]


def as_compiled(model: Network | CompiledNetwork) -> CompiledNetwork:
    return model if isinstance(model, CompiledNetwork) else compile_network(model)


def time_column(compiled: CompiledNetwork) -> str:
    unit = compiled.network.time_unit
    return "time_h" if unit == "h" else "time"


def output_times(t_end: float, points: int | None, t_out: Sequence[float] | None) -> np.ndarray:
    if t_out is not None:
        arr = np.asarray(t_out, dtype=float)
        if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise MtorsimError("output times must be a non-empty list of finite numbers")
        if np.any(np.diff(arr) < 0) or arr[0] < 0 or arr[-1] > t_end:
            raise MtorsimError(f"output times must be increasing and within [0, {t_end}]")
        return arr
    n = 101 if points is None else int(points)
    if n < 2:
        raise MtorsimError(f"points is {n}; ask for at least 2 output points")
    return np.linspace(0.0, t_end, n)


def _initial_state(
    compiled: CompiledNetwork, p: np.ndarray, initial: Mapping[str, float] | np.ndarray | str | None
) -> np.ndarray:
    if initial is None or (isinstance(initial, str) and initial == "initial"):
        return compiled.y0.copy()
    if isinstance(initial, str):
        if initial != "steady_state":
            raise MtorsimError(f"start {initial!r} is unknown; use 'initial' or 'steady_state'")
        from mtorsim.engine.steady import steady_state_vector

        return steady_state_vector(compiled, p)
    if isinstance(initial, Mapping):
        y = compiled.y0.copy()
        for name, v in validate_values("initial amount", initial).items():
            y[compiled.species_index(name)] = v
        return y
    y = np.asarray(initial, dtype=float)
    if y.shape != compiled.y0.shape or not np.all(np.isfinite(y)):
        raise MtorsimError(f"initial state must be {compiled.n_species} finite numbers")
    return y.copy()


def simulate(
    model: Network | CompiledNetwork,
    t_end: float,
    *,
    points: int | None = None,
    t_out: Sequence[float] | None = None,
    parameters: Mapping[str, float] | None = None,
    initial: Mapping[str, float] | np.ndarray | str | None = None,
    equilibrate: Mapping[str, float] | None = None,
    events: Sequence[Event] = (),
    rtol: float = 1e-6,
    atol: float = 1e-9,
    max_steps: int = 200_000,
    t_start: float | None = None,
) -> pd.DataFrame:
    """Simulate a network from 0 (or ``t_start``) to ``t_end``.

    Parameters
    ----------
    model : Network or CompiledNetwork
        What to simulate (compiled on first use, then memoised).
    t_end : float
        End time in the network's time unit (hours for mtorsim networks).
    points, t_out :
        Number of evenly spaced output times (default 101), or the times themselves.
    parameters : dict
        Parameter values for the run (inputs, genotype levels, ``inhibit_<node>``).
    initial : dict, array, ``"initial"`` or ``"steady_state"``
        Start state. ``"steady_state"`` starts from the steady state under ``equilibrate``
        (or, if not given, under ``parameters``).
    equilibrate : dict
        Parameter values for the pre-equilibration (e.g. starved cells), then ``parameters``
        apply from t = 0.
    events : list of Event
        Later changes of parameters and bolus additions.
    t_start : float, optional
        Start the course at this time from ``initial`` (one segment, no ``events``; ``t_end``
        may equal it, for the read-outs at one time). Drivers that stop and restart the
        integration (SBML state-triggered events) use it; without it nothing changes.

    Returns
    -------
    pandas.DataFrame
        One row per output time: ``time_h`` (or ``time``), then every species and observable.
    """
    compiled = as_compiled(model)
    if t_start is not None:
        return _simulate_from(compiled, t_start, t_end, t_out, parameters, initial, events, rtol,
                              atol, max_steps)  # fmt: skip
    t_end = check_time("duration (t_end)", t_end, positive=True)
    times = output_times(t_end, points, t_out)
    p = compiled.parameter_vector(validate_values("parameter", parameters or {}))
    if (isinstance(initial, str) and initial == "steady_state") or (
        initial is None and equilibrate is not None
    ):
        p_eq = (
            p
            if equilibrate is None
            else compiled.parameter_vector(
                {**(parameters or {}), **validate_values("parameter", equilibrate)}
            )
        )
        y0 = _initial_state(compiled, p_eq, "steady_state")
    else:
        y0 = _initial_state(compiled, p, initial)
    seg_t, p_seg, jumps = build_segments(
        p, events, t_end, compiled.parameter_index, compiled.species_index, compiled.n_species
    )
    return _run_one(compiled, y0, p_seg, seg_t, jumps, times, rtol, atol, max_steps)


def _run_one(
    compiled: CompiledNetwork,
    y0: np.ndarray,
    p_seg: np.ndarray,
    seg_t: np.ndarray,
    jumps: np.ndarray,
    times: np.ndarray,
    rtol: float,
    atol: float,
    max_steps: int,
) -> pd.DataFrame:
    """One course through the kernel the rule picks, as a frame (failure raised)."""
    y_out = np.full((times.size, compiled.n_species), np.nan)
    obs_out = np.full((times.size, len(compiled.observables)), np.nan)
    module, md = compiled.kernel("simulate_one")
    status, steps = module.simulate_one(
        y0, p_seg, seg_t, jumps, times, float(rtol), float(atol), int(max_steps), y_out, obs_out, md
    )
    compiled.kernels.note_steps(module, steps)
    if status != 0:
        s = SolverStatus(status)
        raise SolverError(f"integration failed ({s.name}): {s.message}", status)
    df = pd.DataFrame(
        np.hstack([times[:, None], y_out, obs_out]),
        columns=[time_column(compiled), *compiled.species, *compiled.observables],
    )
    df.attrs.update(model=compiled.network.name, steps=int(steps), rtol=rtol, atol=atol)
    return df


def _simulate_from(
    compiled: CompiledNetwork,
    t_start: float,
    t_end: float,
    t_out: Sequence[float] | None,
    parameters: Mapping[str, float] | None,
    initial: Mapping[str, float] | np.ndarray | str | None,
    events: Sequence[Event],
    rtol: float,
    atol: float,
    max_steps: int,
) -> pd.DataFrame:
    """One segment from ``t_start`` to ``t_end`` (>= t_start) from the state ``initial``."""
    t0 = check_time("start time (t_start)", t_start)
    t1 = check_time("duration (t_end)", t_end)
    if t1 < t0 or events or t_out is None:
        raise MtorsimError("t_start needs t_end >= t_start, output times and no events")
    times = np.asarray(t_out, dtype=float)
    if times.ndim != 1 or times.size == 0 or np.any(np.diff(times) < 0):
        raise MtorsimError("output times must be a non-empty increasing list")
    if times[0] < t0 or times[-1] > t1:
        raise MtorsimError(f"output times must be within [{t0}, {t1}]")
    p = compiled.parameter_vector(validate_values("parameter", parameters or {}))
    y0 = _initial_state(compiled, p, initial)
    no_jump = np.zeros((1, compiled.n_species))
    seg_t = np.array([t0, t1])
    return _run_one(compiled, y0, p[None, :], seg_t, no_jump, times, rtol, atol, max_steps)


def parameter_matrix(
    compiled: CompiledNetwork, parameter_sets: pd.DataFrame | Sequence[Mapping[str, float]]
) -> np.ndarray:
    """(B, P) parameter vectors: a DataFrame's columns, or mappings that each name only the
    values they change (a name a mapping leaves out keeps the model's value)."""
    if isinstance(parameter_sets, Mapping):  # columns given as {name: values}
        parameter_sets = pd.DataFrame(parameter_sets)
    if isinstance(parameter_sets, pd.DataFrame):
        frame = parameter_sets
        given = np.ones(frame.shape, dtype=bool)
    else:
        sets = [dict(m) for m in parameter_sets]
        frame = pd.DataFrame(sets)
        given = np.array([[c in m for c in frame.columns] for m in sets], dtype=bool)
    if len(frame) == 0:
        raise MtorsimError("parameter_sets is empty; give at least one parameter set")
    p = np.repeat(compiled.p0[None, :], len(frame), axis=0)
    if len(frame.columns):
        idx = [compiled.parameter_index(c) for c in frame.columns]
        values = frame.to_numpy(dtype=float)
        if not np.all(np.isfinite(values[given.reshape(values.shape)])):
            raise MtorsimError("parameter_sets contains NaN or infinite values")
        p[:, idx] = np.where(given.reshape(values.shape), values, p[:, idx])
    return p


def simulate_batch(
    model: Network | CompiledNetwork,
    t_end: float,
    parameter_sets: pd.DataFrame | Sequence[Mapping[str, float]],
    *,
    points: int | None = None,
    t_out: Sequence[float] | None = None,
    initial: np.ndarray | None = None,
    events: Sequence[Event] = (),
    rtol: float = 1e-6,
    atol: float = 1e-9,
    max_steps: int = 200_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integrate B parameter sets at once (one compiled kernel, parallel over sets).

    Returns
    -------
    times : (T,) array
    values : (B, T, S + O) array of species then observables
    status : (B,) array of :class:`SolverStatus` codes (failures are reported, not raised)
    """
    compiled = as_compiled(model)
    t_end = check_time("duration (t_end)", t_end, positive=True)
    times = output_times(t_end, points, t_out)
    p = parameter_matrix(compiled, parameter_sets)
    b = len(p)
    seg_t1, p_seg1, jumps1 = build_segments(
        compiled.p0,
        events,
        t_end,
        compiled.parameter_index,
        compiled.species_index,
        compiled.n_species,
    )
    n_seg = p_seg1.shape[0]
    # events set absolute values; columns of parameter_sets hold unless an event overrides
    p_seg = np.repeat(p[:, None, :], n_seg, axis=1)
    changed = np.zeros_like(p_seg1, dtype=bool)
    for e in events:
        if e.time < t_end:
            k0 = int(np.searchsorted(seg_t1[:-1], e.time))
            for name in e.parameters:
                changed[k0:, compiled.parameter_index(name)] = True
    p_seg = np.where(changed[None], p_seg1[None], p_seg)
    seg_t = np.repeat(seg_t1[None, :], b, axis=0)
    jumps = np.repeat(jumps1[None], b, axis=0)
    y0 = (
        np.repeat(compiled.y0[None, :], b, axis=0)
        if initial is None
        else np.asarray(initial, dtype=float).reshape(b, -1).copy()
    )
    values, status = run_kernel(compiled, y0, p_seg, seg_t, jumps, times, rtol, atol, max_steps)
    return times, values, status


def run_kernel(
    compiled: CompiledNetwork,
    y0: np.ndarray,
    p_seg: np.ndarray,
    seg_t: np.ndarray,
    jumps: np.ndarray,
    times: np.ndarray,
    rtol: float,
    atol: float,
    max_steps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The batched kernel on per-row segments: (B, T, S + O) values and (B,) status."""
    b = y0.shape[0]
    y_out = np.full((b, times.size, compiled.n_species), np.nan)
    obs_out = np.full((b, times.size, len(compiled.observables)), np.nan)
    status = np.zeros(b, dtype=np.int64)
    steps = np.zeros(b, dtype=np.int64)
    args = (y0, p_seg, seg_t, jumps)
    outs = (y_out, obs_out, status, steps)
    tol = (times, float(rtol), float(atol), int(max_steps))
    module, md = compiled.kernel("simulate_batch", b)
    done = 0
    if b > PROBE_ROWS and compiled.kernels.may_promote(module):
        # the generic kernel runs a probe of the rows first; if the steps it took, scaled to
        # the whole batch, exceed the step budget, the rest runs specialised (same numbers)
        module.simulate_batch(
            *(a[:PROBE_ROWS] for a in args), *tol, *(o[:PROBE_ROWS] for o in outs), md
        )
        done = PROBE_ROWS
        compiled.kernels.note_steps(module, int(steps[:done].sum()))
        expected = float(steps[:done].mean()) * (b - done)
        if compiled.kernels.promotes(expected):
            module, md = compiled.kernels.specialized(), SPECIALIZED_MD
    module.simulate_batch(*(a[done:] for a in args), *tol, *(o[done:] for o in outs), md)
    compiled.kernels.note_steps(module, int(steps[done:].sum()))
    return np.concatenate([y_out, obs_out], axis=2), status
