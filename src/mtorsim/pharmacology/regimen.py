"""Dosing regimens: dose, schedule, holidays, dose changes and missed doses -> dose events."""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass

import pandas as pd

from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.pharmacology.catalogue import get_drug

__all__ = ["SCHEDULES", "DoseRangeWarning", "Regimen", "dosing_table", "parse_dose"]


class DoseRangeWarning(UserWarning):
    """A dose far outside the drug's clinical range."""


#: schedule -> (interval between doses (h), days on per cycle, cycle length (days))
SCHEDULES: dict[str, tuple[float, float, float]] = {
    "daily": (24.0, 1.0, 1.0),
    "bid": (12.0, 1.0, 1.0),
    "qod": (48.0, 2.0, 2.0),
    "weekly": (168.0, 7.0, 7.0),
    "3weekly": (504.0, 21.0, 21.0),
    "monthly": (672.0, 28.0, 28.0),
    "5on2off": (24.0, 5.0, 7.0),
    "2on5off": (24.0, 2.0, 7.0),
    "bid2on5off": (12.0, 2.0, 7.0),
    "4on2off": (24.0, 28.0, 42.0),
    "single": (math.inf, math.inf, math.inf),
}

_DOSE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*(mg|g|ug|µg|mcg)\s*$", re.IGNORECASE)
_MG_PER = {"mg": 1.0, "g": 1000.0, "ug": 1e-3, "µg": 1e-3, "mcg": 1e-3}


def parse_dose(text: str | float) -> float:
    """Parse ``"10mg"``, ``"10 mg"``, ``"0.5 g"``, ``"500 mcg"`` (any case) into mg; a bare
    number is rejected."""
    if isinstance(text, int | float):
        raise MtorsimError(f"dose {text!r} has no unit; write it like '10mg'")
    m = _DOSE.match(str(text))
    if not m:
        raise MtorsimError(
            f"cannot read dose {text!r}; write a positive amount with a unit, "
            "e.g. '10mg' or '0.5 g'"
        )
    value = float(m.group(1)) * _MG_PER[m.group(2).lower()]
    if value <= 0:
        raise MtorsimError(f"dose {text!r} must be > 0")
    return value


@dataclass(frozen=True)
class Regimen:
    """One drug given on a schedule.

    Parameters
    ----------
    drug : str
        Name or alias in the library.
    dose_mg : float
        Dose per administration (mg).
    schedule : str
        One of :data:`SCHEDULES` (default: the drug's usual schedule).
    start_day, stop_day : float
        First dosing day and day after which no dose is given (``None``: no stop).
    holidays : tuple of (start_day, end_day)
        Periods with no dosing (drug holidays, interruptions).
    dose_changes : tuple of (day, dose_mg)
        Dose reductions or escalations from a day on.
    missed_doses : tuple of int
        Indices (0-based) of scheduled doses that were not taken.
    """

    drug: str
    dose_mg: float
    schedule: str | None = None
    start_day: float = 0.0
    stop_day: float | None = None
    holidays: tuple[tuple[float, float], ...] = ()
    dose_changes: tuple[tuple[float, float], ...] = ()
    missed_doses: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        drug = get_drug(self.drug)
        object.__setattr__(self, "drug", drug.name)
        if self.schedule is None:
            object.__setattr__(self, "schedule", drug.default_schedule)
        if self.schedule not in SCHEDULES:
            raise UnknownNameError("schedule", str(self.schedule), list(SCHEDULES))
        if isinstance(self.dose_mg, str):  # text with its unit, as on the command line
            try:
                dose = parse_dose(self.dose_mg)
            except MtorsimError as exc:
                raise MtorsimError(f"{drug.name}: {exc} (or a number of mg)") from None
        else:
            try:
                dose = float(self.dose_mg)
            except (TypeError, ValueError):
                dose = math.nan
        if isinstance(self.dose_mg, bool) or not math.isfinite(dose) or dose <= 0:
            raise MtorsimError(
                f"{drug.name}: dose {self.dose_mg!r} must be a finite number of mg > 0 "
                "(e.g. 10.0, or text with a unit such as '10mg')"
            )
        object.__setattr__(self, "dose_mg", dose)
        if not math.isfinite(self.start_day) or self.start_day < 0:
            raise MtorsimError(f"{drug.name}: start day {self.start_day} must be >= 0")
        if self.stop_day is not None and self.stop_day <= self.start_day:
            raise MtorsimError(
                f"{drug.name}: stop day {self.stop_day} is not after the start day {self.start_day}"
            )
        for a, b in self.holidays:
            if not 0 <= a < b:
                raise MtorsimError(f"{drug.name}: holiday ({a}, {b}) must have 0 <= start < end")
        for day, d in self.dose_changes:
            if day < 0 or d < 0 or math.isnan(d):
                raise MtorsimError(
                    f"{drug.name}: dose change ({day}, {d}) needs day >= 0 and dose >= 0"
                )
        if drug.pk is None:
            raise MtorsimError(
                f"{drug.name} has no clinical pharmacokinetics ({drug.notes}); "
                "use it in cell experiments with a concentration instead"
            )
        for d in (dose, *(d for _, d in self.dose_changes if d > 0)):
            check_dose_range(drug.name, d, str(self.schedule))

    def dose_times(self, horizon_h: float) -> list[tuple[float, float]]:
        """(time_h, amount_mg) of every dose given before ``horizon_h``."""
        interval, on_days, cycle_days = SCHEDULES[str(self.schedule)]
        out: list[tuple[float, float]] = []
        t = self.start_day * 24.0
        end = horizon_h if self.stop_day is None else min(horizon_h, self.stop_day * 24.0)
        index = 0
        while t < end - 1e-9:
            day_in_cycle = (
                ((t / 24.0 - self.start_day) % cycle_days) if math.isfinite(cycle_days) else 0.0
            )
            on = day_in_cycle < on_days - 1e-9
            on_holiday = any(a * 24 <= t < b * 24 for a, b in self.holidays)
            if on and not on_holiday:
                if index not in self.missed_doses:
                    dose = self.dose_mg
                    for day, d in sorted(self.dose_changes):
                        if t >= day * 24.0:
                            dose = d
                    if dose > 0:
                        out.append((t, float(dose)))
                index += 1
            if not math.isfinite(interval):
                break
            t += interval
        return out


def daily_dose_mg(dose_mg: float, schedule: str) -> float:
    """Average mg per day of a dose given on ``schedule``."""
    interval, on_days, cycle_days = SCHEDULES[schedule]
    if not math.isfinite(interval):
        return math.nan
    return dose_mg * (24.0 / interval) * min(1.0, on_days / cycle_days)


def check_dose_range(drug_name: str, dose_mg: float, schedule: str = "daily") -> None:
    """Warn when the average daily dose is over 2-fold outside the drug's clinical range."""
    daily = daily_dose_mg(dose_mg, schedule)
    name = get_drug(drug_name).name
    check_daily_dose(drug_name, daily, f"{name} {dose_mg:g} mg {schedule} ({daily:.3g} mg/day)")


def check_daily_dose(drug_name: str, daily_mg: float, what: str | None = None) -> None:
    """Warn when ``daily_mg`` is over 2-fold outside the drug's clinical range (``what``
    names the dose in the message; default: the drug and its mg/day)."""
    drug = get_drug(drug_name)
    if drug.dose_range_mg is None or math.isnan(daily_mg) or daily_mg == 0:
        return
    lo, hi = drug.dose_range_mg
    if daily_mg > 2 * hi or daily_mg < lo / 2:
        warnings.warn(
            f"{what or f'{drug.name} {daily_mg:g} mg/day'} is far outside its "
            f"clinical range {lo:g}-{hi:g} mg/day (tolerability: {drug.mtd})",
            DoseRangeWarning,
            stacklevel=3,
        )


def dosing_table(regimens: list[Regimen], horizon_h: float) -> pd.DataFrame:
    """All doses of all regimens: ``time_h, drug, amount_mg, route``."""
    rows = []
    for r in regimens:
        pk = get_drug(r.drug).pk
        assert pk is not None
        rows += [(t, r.drug, a, pk.route) for t, a in r.dose_times(horizon_h)]
    return (
        pd.DataFrame(rows, columns=["time_h", "drug", "amount_mg", "route"])
        .sort_values("time_h", kind="stable")
        .reset_index(drop=True)
    )
