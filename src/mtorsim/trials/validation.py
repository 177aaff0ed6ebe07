"""Simulated vs published trial outcomes (``trials_calibration.csv``), fit and test apart.

Each row of the table says whether it was used to fit (control-arm medians and RECORD-1's
hazard ratio, see :mod:`mtorsim.trials.calibration`) or is a test the model never saw.
Tolerances (assumed, fixed before comparing): medians within 30 % or 1 month (scans are
6-12 weeks apart); hazard ratios within a factor 1.3; percentages within 5 points or 30 %.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from mtorsim.trials.calibration import CONTROL_TARGETS, HR_TARGET
from mtorsim.trials.design import load_design
from mtorsim.trials.run import TrialResult, run_trial

__all__ = ["observed_outcomes", "trial_validation"]

_PERCENT_COLUMN = {
    "ORR": "ORR_pct",
    "response rate (>=50% volume reduction)": "volume_response_pct",
}
_TIME = {"PFS": "PFS", "OS": "OS", "time to progression": "TTP"}


def observed_outcomes() -> pd.DataFrame:
    """The published outcomes shipped with the package (one row per trial and endpoint)."""
    text = resources.files("mtorsim.data").joinpath("trials/trials_calibration.csv").read_text()
    return pd.read_csv(StringIO(text))


def _within_median(sim: float, obs: float) -> bool:
    return bool(np.isfinite(sim) and abs(sim - obs) <= max(0.3 * obs, 1.0))


def _within_pct(sim: float, obs: float) -> bool:
    return bool(abs(sim - obs) <= max(5.0, 0.3 * obs))


def _fitted(trial: str, endpoint: str, what: str) -> bool:
    controls = {(t, e) for t, e, _ in CONTROL_TARGETS.values()}
    if what == "median_control" and (trial, _TIME.get(endpoint, endpoint)) in controls:
        return True
    return what == "HR" and (trial, endpoint) == HR_TARGET[:2]


def trial_validation(
    *, seed: int = 0, n_scale: float = 1.0, progress: Callable[[str], None] | None = None
) -> tuple[pd.DataFrame, dict[str, TrialResult]]:
    """Run every trial of the observed table at its real size (x ``n_scale``) and compare.

    Returns the long table ``trial, endpoint, quantity, observed, simulated, ci_low,
    ci_high, within_tolerance, role`` and the simulated trials by name.
    """
    obs = observed_outcomes()
    results: dict[str, TrialResult] = {}
    rows = []
    for r in obs.itertuples(index=False):
        if r.trial not in results:
            if progress is not None:
                progress(r.trial)
            design = load_design(r.trial.split(" ")[0])  # "Ng-2013 phase II" -> Ng-2013
            n = max(20, round(design.n_patients * n_scale))
            results[r.trial] = run_trial(design, n_patients=n, seed=seed)
        res = results[r.trial]
        s = res.summary.set_index("arm")
        exp_arm, ctl_arm = res.arms[0], res.arms[-1]
        two_arms = len(res.arms) > 1

        def add(quantity, observed, simulated, within, lo=np.nan, hi=np.nan, r=r):
            rows.append(
                {
                    "trial": r.trial,
                    "endpoint": r.endpoint,
                    "quantity": quantity,
                    "observed": observed,
                    "simulated": simulated,
                    "ci_low": lo,
                    "ci_high": hi,
                    "within_tolerance": within,
                    "role": "fitted" if _fitted(r.trial, r.endpoint, quantity) else "test",
                    "reference": r.reference,
                }
            )

        if r.endpoint in _TIME:
            ep = _TIME[r.endpoint]
            for quantity, arm, value in (
                ("median_experimental", exp_arm, r.median_experimental),
                ("median_control", ctl_arm, r.median_control),
            ):
                if pd.notna(value) and (two_arms or quantity == "median_experimental"):
                    sim = float(s.loc[arm, f"median_{ep}"])
                    add(
                        quantity,
                        float(value),
                        sim,
                        _within_median(sim, float(value)),
                        float(s.loc[arm, f"{ep}_ci_low"]),
                        float(s.loc[arm, f"{ep}_ci_high"]),
                    )
            if pd.notna(r.hazard_ratio) and two_arms:
                hr = res.hazard_ratios
                row = hr[(hr.arm == exp_arm) & (hr.endpoint == ep)].iloc[0]
                within = bool(abs(np.log(row.HR / r.hazard_ratio)) <= np.log(1.3))
                add(
                    "HR",
                    float(r.hazard_ratio),
                    float(row.HR),
                    within,
                    row.HR_ci_low,
                    row.HR_ci_high,
                )
        else:
            col = _PERCENT_COLUMN.get(r.endpoint, "ORR_pct")
            for quantity, arm, value in (
                ("rate_experimental", exp_arm, r.median_experimental),
                ("rate_control", ctl_arm, r.median_control),
            ):
                if pd.notna(value) and (two_arms or quantity == "rate_experimental"):
                    sim = float(s.loc[arm, col])
                    add(quantity, float(value), sim, _within_pct(sim, float(value)))
    return pd.DataFrame(rows), results
