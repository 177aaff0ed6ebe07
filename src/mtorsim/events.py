"""Events and validated numbers: data shared by every layer (like :mod:`mtorsim.errors`).

An :class:`Event` is a change at a time (parameter values, amounts added); the engine turns
events into piecewise-constant segments, imported SBML models produce them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from mtorsim.errors import MtorsimError

__all__ = ["Event", "check_time", "validate_values"]


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
