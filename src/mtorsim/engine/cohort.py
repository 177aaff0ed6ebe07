"""Cohorts: many parameter sets, each with its own events, in one compiled kernel.

Every set gets its own piecewise-constant segments (its doses, schedule changes) and its own
adaptive steps; sets are padded to the same number of segments with zero-length segments
at t = 0, which the kernel skips. Sets run in chunks so memory grows with the chunk, not the
cohort: only the requested read-outs at the requested times are kept, and a chunk can be
handed to a callback (e.g. a Parquet writer) as soon as it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.schedule import Event, SegmentPlan, check_time, plan_segments
from mtorsim.engine.simulate import as_compiled, run_kernel
from mtorsim.errors import MtorsimError
from mtorsim.network.model import Network

__all__ = ["simulate_cohort"]


class _PlanCache:
    """Segment plans by event list: members sharing a schedule (``[events] * n``) share one."""

    def __init__(self, compiled: CompiledNetwork, t_end: float) -> None:
        self._compiled = compiled
        self._t_end = t_end
        self._plans: dict[int, tuple[Sequence[Event], SegmentPlan]] = {}

    def get(self, events: Sequence[Event]) -> SegmentPlan:
        hit = self._plans.get(id(events))
        if hit is not None and hit[0] is events:
            return hit[1]
        c = self._compiled
        plan = plan_segments(
            events, self._t_end, c.parameter_index, c.species_index, c.p0.size, c.n_species
        )
        self._plans[id(events)] = (events, plan)  # holding the list keeps its id unique
        return plan


#: Seconds one kernel call may run: a signal (Ctrl-C, SIGTERM) is handled only between
#: calls, when the compiled code hands control back to Python, so a 2,500-member chunk run
#: in one call took a minute to stop. Rows are independent: slicing changes no number.
SLICE_SECONDS = 0.5


class _Slices:
    """Runs a chunk through the kernel in slices sized from the seconds per row measured so
    far (the first slice is small), so each call returns within :data:`SLICE_SECONDS`."""

    def __init__(self, first: int = 8) -> None:
        self.rows = first
        self.per_row: float | None = None

    def run(self, compiled, y0, p_seg, seg_t, jumps, times, rtol, atol, max_steps):
        import time

        b = y0.shape[0]
        results, statuses, start = [], [], 0
        while start < b:
            stop = min(b, start + self.rows)
            t0 = time.perf_counter()
            part = (a[start:stop] for a in (y0, p_seg, seg_t, jumps))
            res, st = run_kernel(compiled, *part, times, rtol, atol, max_steps)
            per_row = (time.perf_counter() - t0) / (stop - start)
            # the first call may include compiling: the later, faster rows set the size
            self.per_row = per_row if self.per_row is None else min(per_row, 2 * self.per_row)
            self.rows = max(1, min(100_000, int(SLICE_SECONDS / max(self.per_row, 1e-9))))
            results.append(res)
            statuses.append(st)
            start = stop
        if len(results) == 1:
            return results[0], statuses[0]
        return np.concatenate(results), np.concatenate(statuses)


def _start_state(compiled: CompiledNetwork, initial: np.ndarray | None, n: int) -> np.ndarray:
    if initial is None:
        return compiled.y0
    y0 = np.asarray(initial, dtype=float)
    s = compiled.n_species
    if y0.shape not in ((s,), (n, s)):
        raise MtorsimError(
            f"initial has shape {y0.shape}; give ({s},) for all members or ({n}, {s}), "
            "one state per member"
        )
    if not np.all(np.isfinite(y0)):
        raise MtorsimError("initial contains NaN or infinite values")
    return y0


def simulate_cohort(
    model: Network | CompiledNetwork,
    t_end: float,
    parameter_sets: pd.DataFrame,
    t_out: Sequence[float],
    *,
    events: Sequence[Sequence[Event]] | None = None,
    initial: np.ndarray | None = None,
    readouts: Sequence[str] | None = None,
    chunk_size: int = 250,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    max_steps: int = 1_000_000,
    on_chunk: Callable[[pd.DataFrame], None] | None = None,
) -> pd.DataFrame:
    """Integrate each row of ``parameter_sets`` with its own ``events``.

    Parameters
    ----------
    parameter_sets : DataFrame
        One row per member (its parameters; columns not given keep the model's values).
    t_out : times to report (model time units).
    events : list (one list of :class:`Event` per member), optional.
    initial : (S,) one initial state for all, or (N, S) one per member (default: the
        model's initial amounts).
    readouts : species/observables to keep (default: all).
    on_chunk : called with each finished chunk's tidy table; with it, the function returns
        an empty table and nothing is accumulated (stream very large cohorts to disk).

    Returns
    -------
    Tidy DataFrame ``member, time, <read-outs...>, status`` (status 0 = success).
    """
    compiled = as_compiled(model)
    t_end = check_time("duration (t_end)", t_end, positive=True)
    times = np.asarray(t_out, dtype=float)
    if times.size == 0 or np.any(np.diff(times) < 0) or times[0] < 0 or times[-1] > t_end:
        raise MtorsimError("t_out must be sorted times within [0, t_end]")
    n = len(parameter_sets)
    if n == 0:
        raise MtorsimError("parameter_sets is empty; give at least one member")
    if chunk_size < 1:
        raise MtorsimError(f"chunk_size is {chunk_size}; give at least 1")
    if events is not None and len(events) != n:
        raise MtorsimError(f"give one event list per member ({n}), got {len(events)}")
    values = parameter_sets.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise MtorsimError("parameter_sets contains NaN or infinite values")
    names = [*compiled.species, *compiled.observables]
    keep = list(readouts) if readouts is not None else names
    missing = [r for r in keep if r not in names]
    if missing:
        from mtorsim.errors import UnknownNameError

        raise UnknownNameError("read-out", missing[0], names)
    cols = [names.index(r) for r in keep]
    idx = [compiled.parameter_index(c) for c in parameter_sets.columns]
    start_state = _start_state(compiled, initial, n)
    plans = _PlanCache(compiled, t_end)
    slices = _Slices()
    out_parts = []
    for start in range(0, n, chunk_size):
        rows = range(start, min(n, start + chunk_size))
        b = len(rows)
        p = np.repeat(compiled.p0[None, :], b, axis=0)
        p[:, idx] = values[start : start + b]
        member_plans = [plans.get(events[r] if events else ()) for r in rows]
        k = max(pl.jumps.shape[0] for pl in member_plans)
        seg_t = np.zeros((b, k + 1))
        p_seg = np.zeros((b, k, p.shape[1]))
        jumps = np.zeros((b, k, compiled.n_species))
        for i, pl in enumerate(member_plans):
            ps = pl.parameters(p[i])
            pad = k - ps.shape[0]  # zero-length segments at t = 0 (skipped by the kernel)
            seg_t[i, pad:] = pl.seg_t
            p_seg[i, :pad] = ps[0]
            p_seg[i, pad:] = ps
            jumps[i, pad:] = pl.jumps
        if start_state.ndim == 1:  # one state for every member
            y0 = np.repeat(start_state[None, :], b, axis=0)
        else:
            y0 = start_state[start : start + b].copy()
        result, status = slices.run(compiled, y0, p_seg, seg_t, jumps, times, rtol, atol, max_steps)
        full = result[:, :, cols]
        table = pd.DataFrame(full.reshape(b * times.size, len(cols)), columns=keep)
        table.insert(0, "time", np.tile(times, b))
        table.insert(0, "member", np.repeat(np.arange(start, start + b), times.size))
        table["status"] = np.repeat(status, times.size)
        if on_chunk is not None:
            on_chunk(table)
        else:
            out_parts.append(table)
    if on_chunk is not None:
        return pd.DataFrame(columns=["member", "time", *keep, "status"])
    return pd.concat(out_parts, ignore_index=True)
