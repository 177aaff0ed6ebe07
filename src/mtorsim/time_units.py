"""Model time units: the names mtorsim gives them and how long each one is (imports nothing
from mtorsim, so the guard and every layer can read it).

Durations (``hours=``/``days=``), the guards on run length, drug rates on imported models and
SBML export all read this one table, so a unit one of them knows, they all know.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libsbml

__all__ = ["SECONDS", "UNDECLARED_TIME", "hours_per", "sbml_time_unit", "seconds_per"]

#: the time unit of a model that declares none (SBML Level 3 without ``timeUnits``)
UNDECLARED_TIME = "a.u."
#: seconds in one unit of each named model time unit
SECONDS = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "week": 604800.0}
_ALIASES = {"day": "d"}


def seconds_per(unit: str) -> float | None:
    """Seconds in one ``unit``: a name of :data:`SECONDS` (or ``day``) or a multiple of one
    (``"2.5 s"``); None when the unit is no time (``"dimensionless"``, ``"a.u."``)."""
    name = _ALIASES.get(unit, unit)
    if name in SECONDS:
        return SECONDS[name]
    number, _, base = unit.strip().partition(" ")
    base = _ALIASES.get(base.strip(), base.strip())
    try:
        value = float(number) * SECONDS[base]
    except (ValueError, KeyError):
        return None
    return value if math.isfinite(value) and value > 0 else None


def hours_per(unit: str) -> float | None:
    """Hours in one ``unit`` (None when it is no time)."""
    seconds = seconds_per(unit)
    return None if seconds is None else seconds / 3600.0


def sbml_time_unit(model: libsbml.Model) -> str:
    """An SBML model's time unit as a short name: a name of :data:`SECONDS`, another
    multiple of the second as ``"2.5 s"``, ``"dimensionless"``, :data:`UNDECLARED_TIME`, or
    ``"<id> (not a time)"`` for a unit definition that is no time.

    Level 3 names it in the model's ``timeUnits`` (undeclared if unset); Levels 1 and 2 in
    the built-in unit ``time``: the second, unless a unit definition ``time`` redefines it.
    """
    import libsbml

    if model.getLevel() >= 3:
        if not model.isSetTimeUnits():
            return UNDECLARED_TIME
        uid = model.getTimeUnits()
    else:
        uid = "time"
    ud = model.getUnitDefinition(uid)
    if ud is None:  # a base unit (L3 timeUnits="second"), or L1/L2's default time
        kind = libsbml.UnitKind_forName(uid)
        if uid == "time" or kind == libsbml.UNIT_KIND_SECOND:
            return "s"
        return "dimensionless" if kind == libsbml.UNIT_KIND_DIMENSIONLESS else UNDECLARED_TIME
    units = [u for u in ud.getListOfUnits() if u.getKind() != libsbml.UNIT_KIND_DIMENSIONLESS]
    if not units:
        return "dimensionless"
    if len(units) == 1 and units[0].getKind() == libsbml.UNIT_KIND_SECOND:
        u = units[0]
        factor = (u.getMultiplier() * 10.0 ** u.getScale()) ** u.getExponentAsDouble()
        if u.getExponentAsDouble() == 1 and math.isfinite(factor) and factor > 0:
            for name, seconds in SECONDS.items():
                if math.isclose(factor, seconds, rel_tol=1e-9):
                    return name
            return f"{factor!r} s"
    # not a time (the file is inconsistent): named so no table reads it as one
    return f"{uid} (not a time)"
