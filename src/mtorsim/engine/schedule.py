"""Events and their translation into piecewise-constant segments for the kernels."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from mtorsim.errors import MtorsimError

__all__ = ["Event", "build_segments", "check_time", "validate_values"]


def check_time(name: str, value: float, *, positive: bool = False) -> float:
    """A finite, non-negative (or positive) time, else a clear error."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise MtorsimError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(v) or math.isinf(v):
        raise MtorsimError(f"{name} is {v}; give a finite number")
    if v < 0 or (positive and v == 0):
        raise MtorsimError(f"{name} is {v}; it must be {'> 0' if positive else '>= 0'}")
    return v


def validate_values(kind: str, values: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for k, v in values.items():
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise MtorsimError(f"{kind} {k!r}: {v!r} is not a number") from None
        if math.isnan(f) or math.isinf(f):
            raise MtorsimError(f"{kind} {k!r} is {f}; give a finite number")
        out[k] = f
    return out


@dataclass(frozen=True)
class Event:
    """A change at ``time``: new parameter values and/or amounts added to species.

    Parameters
    ----------
    time : float
        When it happens, in the network's time unit (hours for mtorsim networks).
    parameters : dict
        Parameter values that hold from ``time`` on (inputs, doses, inhibition hooks).
    add : dict
        Amounts added to species at ``time`` (a bolus dose, say), in species units.

    Examples
    --------
    >>> Event(1.0, parameters={"GF": 0.0})
    Event(time=1.0, parameters={'GF': 0.0}, add={})
    """

    time: float
    parameters: Mapping[str, float] = field(default_factory=dict)
    add: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "time", check_time("event time", self.time))
        object.__setattr__(self, "parameters", validate_values("parameter", self.parameters))
        object.__setattr__(self, "add", validate_values("species amount", self.add))


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
