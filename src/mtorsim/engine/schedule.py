"""Events and their translation into piecewise-constant segments for the kernels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Event", "build_segments", "check_time", "validate_values"]

from mtorsim.events import Event, check_time, validate_values


def build_segments(
    p0: np.ndarray,
    events: Sequence[Event],
    t_end: float,
    parameter_index,
    species_index,
    n_species: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment times (n+1), parameter matrix (n × P) and state jumps (n × S)."""
    times = sorted({0.0, *(e.time for e in events if e.time < t_end)})
    seg_t = np.array([*times, t_end], dtype=float)
    p_seg = np.empty((len(times), p0.size))
    jumps = np.zeros((len(times), n_species))
    current = p0.copy()
    for k, t in enumerate(times):
        for e in events:
            if e.time == t:
                for name, v in e.parameters.items():
                    current[parameter_index(name)] = v
                for name, v in e.add.items():
                    jumps[k, species_index(name)] += v
        p_seg[k] = current
    return seg_t, p_seg, jumps
