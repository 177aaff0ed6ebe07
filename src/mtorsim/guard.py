"""Resource guard: size-like inputs checked against memory and time before work starts.

A run that would not fit (a million output points of every species, a trillion patients)
used to reach numpy and die there (``_ArrayMemoryError``, ``OverflowError``) or run until
killed. Here each size is checked first: a whole number in range, then an estimate of the
memory (and, where cheap, the time) the run needs against what this machine has; a run that
does not fit fails in one line that gives the estimate and the flag to change.

This module imports nothing from mtorsim but :mod:`mtorsim.errors`, so any layer may use it.
The estimates are deliberately rough (bytes of the arrays kept, times a factor for copies);
``MTORSIM_MEMORY_LIMIT`` (e.g. ``8G``) and ``MTORSIM_TIME_LIMIT`` (seconds) override the
budgets.
"""

from __future__ import annotations

import math
import os
from typing import Any

from mtorsim.errors import MtorsimError

__all__ = [
    "MAX_DAYS",
    "MAX_DOSES",
    "MAX_DOSE_MG",
    "MAX_SEED",
    "ResourceError",
    "check_cells",
    "check_count",
    "check_dose_mg",
    "check_doses",
    "check_duration",
    "check_memory",
    "check_seed",
    "check_simulation",
    "check_time",
    "check_trial",
    "memory_budget",
    "output_points",
    "time_budget",
]

#: Seeds numpy's SeedSequence takes, kept to what a signed 64-bit integer holds.
MAX_SEED = 2**63 - 1
#: The longest simulated span: a century (every dose is an event to integrate through).
MAX_DAYS = 36_525.0
#: Doses one dosing table may expand to (daily doses for a century, per subject, is ~36,500):
#: ADDL is checked against it before expanding, so ``ADDL 1e9`` cannot hang a run.
MAX_DOSES = 100_000
#: The largest single administration: a kilogram. Doses of grams exist (metformin,
#: 5-FU infusions); above this an amount is a typo, and 1e308 mg gave infinite exposures.
MAX_DOSE_MG = 1e6
#: Bytes per stored value (float64) and the factor for the copies a run makes on the way
#: (engine output, DataFrame, tidy columns).
_FLOAT = 8
_COPIES = 4
#: Trials: bytes kept per patient (patient row + assessments) and seconds per patient
#: (a fast machine: the estimate should not reject what would finish).
_TRIAL_BYTES = 4_000
_TRIAL_SECONDS = 0.004
_ASSESSMENT_BYTES = 200
#: Cells (predict/cohort): bytes per simulated cell (parameters, state, Jacobian blocks).
_CELL_BYTES = 24_000
#: Cohorts on regimens: seconds per patient and simulated day (a fast machine).
_PATIENT_DAY_SECONDS = 5e-5
_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


class ResourceError(MtorsimError):
    """A size-like input is out of range, or the run would not fit in memory or time."""


def _flag(key: str, cli: bool) -> str:
    return f"--{key.replace('_', '-')}" if cli else f"{key}="


def _bytes(n: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("kiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def _duration_text(seconds: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def memory_budget() -> int:
    """Bytes a run may use: ``MTORSIM_MEMORY_LIMIT`` or 80 % of the memory available now."""
    text = os.environ.get("MTORSIM_MEMORY_LIMIT", "").strip().upper().removesuffix("IB")
    if text:
        unit = text[-1] if text[-1] in _UNITS else ""
        try:
            size = float(text.removesuffix(unit)) * _UNITS[unit]
        except ValueError:
            size = math.nan
        if not math.isfinite(size) or size <= 0:
            raise MtorsimError(f"MTORSIM_MEMORY_LIMIT={text!r}; give bytes or a size like 8G")
        return int(size)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(int(line.split()[1]) * 1024 * 0.8)
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * 0.5)
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def time_budget() -> float:
    """Seconds a run may take before it is refused up front (``MTORSIM_TIME_LIMIT``, 24 h)."""
    text = os.environ.get("MTORSIM_TIME_LIMIT", "").strip()
    try:
        seconds = float(text) if text else 86_400.0
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:  # nan would compare False: no limit
        raise MtorsimError(f"MTORSIM_TIME_LIMIT={text!r}; give seconds > 0, e.g. 3600")
    return seconds


def check_count(
    value: Any, key: str, *, minimum: int = 1, maximum: int | None = None, cli: bool = True
) -> int:
    """A whole number in ``[minimum, maximum]`` (not a bool), else a one-line error."""
    flag = _flag(key, cli)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ResourceError(f"{flag} is {value!r}; give a whole number")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise ResourceError(f"{flag} is {value!r}; give a whole number")
    n = int(value)
    maximum = MAX_SEED if maximum is None else maximum  # past it, estimates overflow floats
    if n < minimum:
        raise ResourceError(f"{flag} is {n}; give at least {minimum}")
    if n > maximum:
        raise ResourceError(f"{flag} is {_big(n)}; give at most {maximum:,}")
    return n


def check_doses(n: float, where: str) -> str | None:
    """Why ``n`` doses (ADDL + 1, or a table's running total) is too many, else None."""
    if n > MAX_DOSES:
        return f"{_big(int(n))} doses at {where}; give at most {MAX_DOSES:,} doses per table"
    return None


def check_dose_mg(mg: float, what: str = "dose") -> float:
    """One administration in mg: finite, > 0 and at most :data:`MAX_DOSE_MG` (1 kg)."""
    if not math.isfinite(mg) or mg <= 0:
        raise ResourceError(f"{what} is {mg:g} mg; give a finite amount > 0, e.g. 10mg")
    if mg > MAX_DOSE_MG:
        raise ResourceError(
            f"{what} is {mg:g} mg per administration; give at most {MAX_DOSE_MG:,.0f} mg (1 kg)"
        )
    return mg


def _big(n: int) -> str:
    text = str(n)
    return text if len(text) <= 20 else f"a {len(text)}-digit number"


def check_seed(seed: Any, key: str = "seed", *, cli: bool = True) -> int:
    """A seed is a whole number 0 <= seed < 2**63 (what numpy's SeedSequence takes)."""
    flag = _flag(key, cli)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ResourceError(f"{flag} is {seed!r}; give a whole number from 0 to 2**63 - 1")
    if not 0 <= seed <= MAX_SEED:
        raise ResourceError(f"{flag} is {_big(seed)}; seeds run from 0 to 2**63 - 1 ({MAX_SEED:,})")
    return seed


def check_memory(n_bytes: float, what: str, fix: str) -> None:
    """Refuse a run whose estimate exceeds the memory budget, naming the estimate and fix."""
    budget = memory_budget()
    if not math.isfinite(n_bytes) or n_bytes > budget:
        need = _bytes(n_bytes) if math.isfinite(n_bytes) else "more than any machine has"
        raise ResourceError(
            f"{what} would need about {need} of memory, more than the {_bytes(budget)} "
            f"available; {fix} (or set MTORSIM_MEMORY_LIMIT)"
        )


def check_time(seconds: float, what: str, fix: str) -> None:
    """Refuse a run whose time estimate exceeds the time budget."""
    budget = time_budget()
    if not math.isfinite(seconds) or seconds > budget:
        raise ResourceError(
            f"{what} would take about {_duration_text(seconds)} (over the "
            f"{_duration_text(budget)} limit); {fix} (or set MTORSIM_TIME_LIMIT in seconds)"
        )


def check_duration(
    hours: float | None = None,
    days: float | None = None,
    months: float | None = None,
    *,
    cli: bool = True,
) -> float | None:
    """A finite duration > 0 and at most a century, in days (None when none is given)."""
    return _span_days(hours, days, cli, months)[0]


def _per_day(time_unit: str | None) -> float | None:
    """Units of model time per day (None: a unit mtorsim cannot convert, or none)."""
    from mtorsim.time_units import seconds_per

    seconds = seconds_per(time_unit) if time_unit else None
    return None if seconds is None else 86400.0 / seconds


def _span_days(
    hours: float | None,
    days: float | None,
    cli: bool,
    months: float | None = None,
    until: float | None = None,
    time_unit: str | None = None,
) -> tuple[float | None, str | None]:
    """The duration in days (None for ``until`` in a unit we cannot convert) and the flag
    that set it."""
    spans = (
        ("hours", hours, 24.0, "hours"),
        ("days", days, 1.0, "days"),
        ("months", months, 12 / 365.25, "months"),
        ("until", until, _per_day(time_unit), time_unit),
    )
    for key, value, per_day, unit in spans:
        if value is None:
            continue
        flag = _flag(key, cli)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ResourceError(f"{flag} is {value!r}; give a number")
        if not math.isfinite(value) or value <= 0:
            raise ResourceError(f"{flag} is {value!r}; give a finite duration > 0")
        if per_day is None:  # until= in a unit mtorsim does not know: no day count
            return None, flag
        if value / per_day > MAX_DAYS:
            raise ResourceError(
                f"{flag} is {value:g}; simulations run for at most a century "
                f"({MAX_DAYS * per_day:,.0f} {unit})"
            )
        return value / per_day, flag
    return None, None


def output_points(
    hours: float | None,
    days: float | None,
    until: float | None,
    points: int | None,
    *,
    cohort: bool = False,
    time_unit: str | None = None,
) -> int:
    """Output times of a run, as the model counts them (every 15 min for hours, hourly for
    days, daily for cohorts; ``until`` in a model's hours or days likewise, else 101), or
    ``points`` when given."""
    if points is not None:
        return int(points)
    if until is not None:
        per_day = _per_day(time_unit)
        if per_day is None:
            return 101
        if cohort:
            return round(until / per_day) + 1
        per_unit = {"h": 4.0, "d": 24.0}.get(time_unit or "")
        return 101 if per_unit is None else max(2, round(until * per_unit) + 1)
    span = hours / 24.0 if hours is not None else days
    if span is None:
        return 101
    if cohort:
        return round(span) + 1
    return max(2, round(span * (96.0 if hours is not None else 24.0)) + 1)


def check_simulation(
    *,
    hours: float | None = None,
    days: float | None = None,
    until: float | None = None,
    points: int | None = None,
    columns: int = 64,
    patients: int | None = None,
    chunk_size: int = 250,
    kept_patients: int | None = None,
    seed: Any = 0,
    time_unit: str | None = None,
    cli: bool = True,
) -> None:
    """Check a simulation's sizes before it starts: points x columns (x patients).

    ``kept_patients`` is how many patients' rows stay in memory (all of them unless the
    cohort is streamed to a file or callback); ``columns`` the read-outs stored per time;
    ``time_unit`` the model's (what ``until`` is in).
    """
    span, span_flag = _span_days(hours, days, cli, until=until, time_unit=time_unit)
    if points is not None:
        check_count(points, "points", minimum=2, cli=cli)
    if patients is not None:
        check_count(patients, "patients", cli=cli)
        check_count(chunk_size, "chunk_size", cli=cli)
        check_seed(seed, cli=cli)
    n_out = output_points(
        hours, days, until, points, cohort=patients is not None, time_unit=time_unit
    )
    row = n_out * max(int(columns), 1) * _FLOAT
    if patients is None:
        fix = f"lower {_flag('points', cli)}" + (f" or {span_flag}" if span_flag else "")
        check_memory(row * _COPIES, f"{n_out:,} output times", fix)
        return
    chunk = min(int(chunk_size), int(patients))
    kept = int(patients) if kept_patients is None else min(int(kept_patients), int(patients))
    need = row * (chunk * _COPIES + kept)
    fixes = [_flag("points", cli), _flag("chunk_size", cli)]
    if kept > chunk:
        fixes.append(_flag("patients", cli) if cli else "patients= (or stream with out=)")
    check_memory(
        need,
        f"{int(patients):,} patients x {n_out:,} output times",
        f"lower {', '.join(fixes)}",
    )
    if span is not None:
        check_time(
            int(patients) * span * _PATIENT_DAY_SECONDS,
            f"{int(patients):,} patients x {span:g} days",
            f"lower {_flag('patients', cli)} or {span_flag}",
        )


def check_trial(
    patients: Any,
    chunk_size: Any,
    seed: Any,
    *,
    assessments: float = 12.0,
    cli: bool = True,
    key: str = "patients",
) -> None:
    """A virtual trial keeps every patient's rows (one per scan): memory and time grow with
    patients x ``assessments`` (scans per patient). ``key`` names the patient count as the
    caller spells it (``n_patients`` in :func:`mtorsim.run_trial`)."""
    n = check_count(patients, key, cli=cli)
    chunk = check_count(chunk_size, "chunk_size", cli=cli)
    check_seed(seed, cli=cli)
    fix = f"lower {_flag(key, cli)}"
    per_patient = _TRIAL_BYTES + max(assessments, 1.0) * _ASSESSMENT_BYTES
    need = n * per_patient + min(chunk, n) * (_CELL_BYTES + per_patient * _COPIES)
    check_memory(need, f"a {n:,}-patient trial ({assessments:,.0f} scans each)", fix)
    check_time(n * _TRIAL_SECONDS, f"a {n:,}-patient trial", fix)


def check_cells(n: Any, seed: Any, *, genotypes: int = 1, key: str = "n", cli: bool = True) -> int:
    """Cells per sample (predict/cohort): each genotype simulates ``n`` cells per drug."""
    cells = check_count(n, key, minimum=2, cli=cli)
    check_seed(seed, cli=cli)
    check_memory(
        cells * max(genotypes, 1) * _CELL_BYTES,
        f"{cells:,} cells x {max(genotypes, 1):,} genotype(s)",
        f"lower {_flag(key, cli)}",
    )
    return cells
