"""The exposure a drug's target sees over the dosing cycle, for tumour-scale models.

Tumours change over weeks and signalling follows the drug within hours, so a trial can give
each patient one steady-state exposure per drug. The cycle's average concentration
(:func:`~mtorsim.pharmacology.pk.average_free_nM`) is that exposure only for a flat profile:
a drug that swings from peak to trough (short half-life, twice-daily or intermittent
schedules) holds its target for less of the cycle than its average suggests, because
occupancy saturates at the peak and falls away at the trough. The effective concentration
used here is the one whose mass-action occupancy of the drug's most potent site equals the
occupancy averaged over the steady-state cycle,

    C_eff = K * mean(theta) / (1 - mean(theta)),   theta(t) = C(t) / (C(t) + K),

so it equals the average for a flat profile, is lower otherwise (occupancy is concave in C),
and tells schedules apart at the same mg/day: vistusertib 71.4 mg/day as 125 mg twice daily
two days a week is 1.1 nM, given as 35.7 mg twice daily every day 6.2 nM (average 8.0).
The trial layer uses it relatively (:func:`schedule_factor`): its biology was calibrated on
trials given on each drug's usual schedule at the average concentration, so the usual
schedule keeps that exposure and another schedule scales it by the ratio of the two
effective concentrations. The profile's shape is approximated by the typical patient's (a
patient's clearance also changes the half-life, hence the swing; only the level is scaled
here); a prodrug keeps its average (its active
metabolite carries the effect between doses, and the trial layer does not model the
metabolite's own profile).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from mtorsim.errors import UnknownNameError
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.drug import PKModel
from mtorsim.pharmacology.pk import analytic_concentration, average_free_nM
from mtorsim.pharmacology.regimen import SCHEDULES, DoseRangeWarning, Regimen

__all__ = ["CYCLE_POINTS", "cycle_shape", "effective_free_nM", "schedule_factor", "schedule_name"]

#: time points per steady-state cycle at which the profile is evaluated (midpoints)
CYCLE_POINTS = 96
#: warm-up before the cycle that is read, in slowest time constants (steady state to 0.03 %)
_WARM_UP = 8.0


def schedule_name(drug: str, schedule: str | None = None) -> str:
    """The schedule a drug is given on: ``schedule`` (any case) or the drug's usual one."""
    d = get_drug(drug)
    if schedule is None:
        return d.default_schedule
    by_lower = {s.lower(): s for s in SCHEDULES}
    name = by_lower.get(str(schedule).lower())
    if name is None or not math.isfinite(SCHEDULES[name][0]):
        repeating = [s for s, v in SCHEDULES.items() if math.isfinite(v[0])]
        raise UnknownNameError("repeating schedule", str(schedule), repeating)
    return name


def cycle_shape(drug: str, schedule: str | None = None) -> np.ndarray | None:
    """Concentration over one steady-state cycle, divided by its mean (None: taken as flat).

    The cycle is one dosing interval, or the whole on/off cycle of an intermittent schedule.
    Drugs without PK and prodrugs are flat. Cached on the PK model itself, so a drug
    registered again with other PK gets its own shape.
    """
    d = get_drug(drug)
    if d.pk is None or d.pk.prodrug_of is not None:
        return None
    return _shape(d.pk, d.name, schedule_name(d.name, schedule))


@lru_cache(maxsize=512)
def _shape(pk: PKModel, drug: str, name: str) -> np.ndarray | None:
    interval_h, on_days, cycle_days = SCHEDULES[name]
    period_h = cycle_days * 24.0 if on_days < cycle_days else interval_h
    slowest = max(pk.half_life_h / math.log(2), 1.0 / pk.ka_per_h if pk.route != "iv" else 0.0)
    cycles = max(2, math.ceil(_WARM_UP * slowest / period_h) + 1)
    with warnings.catch_warnings():  # the amount is a unit dose: only the shape is read
        warnings.simplefilter("ignore", DoseRangeWarning)
        doses = Regimen(drug, 1.0, name).dose_times(cycles * period_h)
    t = (cycles - 1) * period_h + (np.arange(CYCLE_POINTS) + 0.5) * period_h / CYCLE_POINTS
    conc = analytic_concentration(pk, doses, t)
    mean = float(conc.mean())
    return conc / mean if mean > 0 else None


def effective_free_nM(
    drug: str,
    mg_per_day: float | None = None,
    schedule: str | None = None,
    *,
    cl_multiplier: float | np.ndarray = 1.0,
) -> float | np.ndarray:
    """Free concentration (nM) whose occupancy equals the cycle-averaged occupancy.

    ``mg_per_day`` is the daily-average dose, whatever the schedule (as in
    :func:`~mtorsim.pharmacology.pk.average_free_nM`); ``cl_multiplier`` may be one value per
    patient (an array gives an array).
    """
    d = get_drug(drug)
    many = np.ndim(cl_multiplier) > 0
    cl = np.atleast_1d(np.asarray(cl_multiplier, dtype=float))
    avg = np.array([average_free_nM(d.name, mg_per_day, cl_multiplier=float(c)) for c in cl])
    shape = cycle_shape(d.name, schedule)
    if shape is None or not d.potencies:
        out = avg
    else:
        k = min(p.kd_nM for p in d.potencies)
        conc = avg[:, None] * shape[None, :]
        theta = (conc / (conc + k)).mean(axis=1)
        out = k * theta / (1.0 - theta)
    return out if many else float(out[0])


def schedule_factor(
    drug: str,
    mg_per_day: float | None,
    schedule: str | None,
    *,
    cl_multiplier: float | np.ndarray = 1.0,
) -> float | np.ndarray:
    """How much more (> 1) or less of its target ``schedule`` holds than the drug's usual one.

    The ratio of the effective concentrations on the two schedules at the same mg/day and
    clearance; 1 on the usual schedule. The trial layer scales each drug's average
    concentration by it: the biology it runs with was calibrated on trials given on the
    usual schedules, so those keep the exposure they were fitted with, and another schedule
    moves it by what its peaks and troughs change.
    """
    usual = get_drug(drug).default_schedule
    if schedule is None or schedule_name(drug, schedule) == usual:
        many = np.ndim(cl_multiplier) > 0
        return np.ones(np.shape(cl_multiplier)) if many else 1.0
    on = np.asarray(effective_free_nM(drug, mg_per_day, schedule, cl_multiplier=cl_multiplier))
    base = np.asarray(effective_free_nM(drug, mg_per_day, usual, cl_multiplier=cl_multiplier))
    # no drug: the low-concentration limit, where occupancy is linear and schedules agree
    ratio = np.divide(on, base, out=np.ones_like(on, dtype=float), where=base > 0)
    return ratio if np.ndim(cl_multiplier) > 0 else float(ratio)
