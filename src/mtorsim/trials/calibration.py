"""Calibrate the few free tumour parameters on published control arms and one hazard ratio.

What is fitted, and to what (everything else in ``trials_calibration.csv`` is a test):

* the untreated doubling time of each cancer type with a randomised control arm, to that
  arm's median (RCC: RECORD-1 placebo PFS; PNET: RADIANT-3 placebo PFS; HR+ breast:
  BOLERO-2 exemestane PFS; gastric: GRANITE-1 placebo OS);
* one global exponent linking the growth drive to proliferation, to RECORD-1's PFS hazard
  ratio (0.33).

The fitted median is the exponential-fit median (ln 2 x person-time / events) of a large
simulated arm, which varies smoothly with the parameter (KM medians jump between scan
dates). Run ``python -m mtorsim.trials.calibration`` to refit; it prints the values to
put in ``data/trials/cancer_types.csv`` and ``calibration.json``.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from mtorsim.trials import population
from mtorsim.trials.analysis import ENDPOINT_COLUMNS, hazard_ratio
from mtorsim.trials.design import TrialDesign, load_design
from mtorsim.trials.run import run_trial

__all__ = ["CONTROL_TARGETS", "calibrate", "exponential_median"]

#: cancer type -> (trial, control arm endpoint, observed control median in months)
CONTROL_TARGETS = {
    "RCC": ("RECORD-1", "PFS", 1.9),
    "PNET": ("RADIANT-3", "PFS", 4.6),
    "BRCA_HR": ("BOLERO-2", "PFS", 3.2),
    "STAD": ("GRANITE-1", "OS", 4.3),
}
HR_TARGET = ("RECORD-1", "PFS", 0.33)
N_CALIBRATION = 2000
SEED = 12345


def exponential_median(times: np.ndarray, events: np.ndarray) -> float:
    """Median of the exponential fit: ln 2 x total time / number of events."""
    return math.log(2) * float(np.sum(times)) / max(float(np.sum(events)), 1.0)


def _with_type(ct: str, **changes: float) -> None:
    """Patch the cached cancer type (calibration only)."""
    types = population.cancer_types()
    types[ct] = replace(types[ct], tumour=replace(types[ct].tumour, **changes))


def _bisect(f, lo: float, hi: float, target: float, iters: int = 14) -> float:
    """Root of f(x) = target on a log scale; f is monotone on [lo, hi]."""
    flo = f(lo) - target
    for _ in range(iters):
        mid = math.sqrt(lo * hi)
        fm = f(mid) - target
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return math.sqrt(lo * hi)


def _control_design(design: TrialDesign) -> TrialDesign:
    control = design.arms[-1]
    return design.with_changes(arms=(control,), allocation=(1.0,), crossover={})


def calibrate() -> dict[str, float]:
    """Fit doubling times then the drive exponent; returns the fitted values."""
    fitted: dict[str, float] = {}
    for ct, (trial, endpoint, target) in CONTROL_TARGETS.items():
        design = _control_design(load_design(trial))
        t_col, e_col = ENDPOINT_COLUMNS[endpoint]

        def median(td: float, design=design, ct=ct, t_col=t_col, e_col=e_col) -> float:
            _with_type(ct, doubling_time_d=td)
            r = run_trial(design, n_patients=N_CALIBRATION, seed=SEED)
            return exponential_median(r.patients[t_col].to_numpy(), r.patients[e_col].to_numpy())

        fitted[f"{ct}.doubling_time_d"] = td = _bisect(median, 5.0, 2000.0, target)
        _with_type(ct, doubling_time_d=td)
    trial, endpoint, target = HR_TARGET
    design = load_design(trial)

    def hr(exponent: float) -> float:
        for key in population.cancer_types():
            _with_type(key, drive_exponent=exponent)
        r = run_trial(design, n_patients=N_CALIBRATION, seed=SEED)
        return -hazard_ratio(r.patients, design.arms[0].name, design.arms[-1].name, endpoint)["HR"]

    fitted["drive_exponent"] = _bisect(hr, 0.2, 5.0, -target)
    return fitted


if __name__ == "__main__":  # pragma: no cover - offline refit
    for k, v in calibrate().items():
        print(f"{k} = {v:.4g}")
