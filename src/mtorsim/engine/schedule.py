"""Events and their translation into piecewise-constant segments for the kernels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Event",
    "SegmentPlan",
    "build_segments",
    "check_time",
    "plan_segments",
    "validate_values",
]

from mtorsim.events import Event, check_time, validate_values


@dataclass(frozen=True)
class SegmentPlan:
    """What a list of events does, independent of the base parameters it is applied to.

    ``mask[k, j]`` says parameter j has been set by an event at or before segment k, with
    ``values[k, j]`` its latest value; a cohort sharing one dosing schedule builds this once
    and applies it to every member's parameters with one ``np.where``.
    """

    seg_t: np.ndarray  # (K + 1,) segment boundaries
    mask: np.ndarray  # (K, P) bool
    values: np.ndarray  # (K, P)
    jumps: np.ndarray  # (K, S) amounts added at the start of each segment

    def parameters(self, p0: np.ndarray) -> np.ndarray:
        """(K, P) parameter matrix for base parameters ``p0``."""
        return np.where(self.mask, self.values, p0[None, :])


def plan_segments(
    events: Sequence[Event],
    t_end: float,
    parameter_index,
    species_index,
    n_parameters: int,
    n_species: int,
) -> SegmentPlan:
    """Group events by time (one pass) into segments ending at ``t_end``."""
    by_time: dict[float, list[Event]] = {0.0: []}
    for e in events:
        if e.time < t_end:
            by_time.setdefault(e.time, []).append(e)
    times = sorted(by_time)
    mask = np.zeros((len(times), n_parameters), dtype=bool)
    values = np.zeros((len(times), n_parameters))
    jumps = np.zeros((len(times), n_species))
    cur_mask = np.zeros(n_parameters, dtype=bool)
    cur_values = np.zeros(n_parameters)
    for k, t in enumerate(times):
        for e in by_time[t]:
            for name, v in e.parameters.items():
                j = parameter_index(name)
                cur_mask[j] = True
                cur_values[j] = v
            for name, v in e.add.items():
                jumps[k, species_index(name)] += v
        mask[k] = cur_mask
        values[k] = cur_values
    return SegmentPlan(np.array([*times, t_end], dtype=float), mask, values, jumps)


def build_segments(
    p0: np.ndarray,
    events: Sequence[Event],
    t_end: float,
    parameter_index,
    species_index,
    n_species: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment times (K+1), parameter matrix (K × P) and state jumps (K × S)."""
    plan = plan_segments(events, t_end, parameter_index, species_index, p0.size, n_species)
    return plan.seg_t, plan.parameters(p0), plan.jumps
