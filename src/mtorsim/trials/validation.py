"""Simulated vs published trial outcomes (``trials_calibration.csv``): in-sample and
leave-one-trial-out.

In-sample, every trial runs with the fitted set (``trial_fit.json``, fitted to all of
them: role ``fitted``). Leave-one-trial-out, each trial runs with the biology refitted
without any of its rows (:func:`mtorsim.trials.calibration.leave_one_trial_out`: role
``held out``), the honest estimate of how a new trial would be predicted. Tolerances
(assumed, fixed before comparing): medians within 30 % or 1 month (scans are 6-12 weeks
apart); hazard ratios within a factor 1.3; percentages within 5 points or 30 %.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from mtorsim.trials import biology as bio
from mtorsim.trials.design import load_design
from mtorsim.trials.run import TrialResult, run_trial

__all__ = [
    "hr_score",
    "in_sample_values",
    "loto_validation",
    "observed_outcomes",
    "other_trials_of_type",
    "supplementary_outcomes",
    "trial_validation",
]

_PERCENT_COLUMN = {
    "ORR": "ORR_pct",
    "response rate (>=50% volume reduction)": "volume_response_pct",
}
_TIME = {"PFS": "PFS", "OS": "OS", "time to progression": "TTP"}


def observed_outcomes() -> pd.DataFrame:
    """The published outcomes shipped with the package (one row per trial and endpoint)."""
    text = resources.files("mtorsim.data").joinpath("trials/trials_calibration.csv").read_text()
    return pd.read_csv(StringIO(text))


def supplementary_outcomes() -> pd.DataFrame:
    """Outcomes of further Table 1 trials (and GRANITE-1's PFS) from their papers, fitted
    beside the calibration record (``trials_supplementary.csv``); never scored as tests."""
    path = resources.files("mtorsim.data").joinpath("trials/trials_supplementary.csv")
    return pd.read_csv(StringIO(path.read_text()))


def _within_median(sim: float, obs: float) -> bool:
    return bool(np.isfinite(sim) and abs(sim - obs) <= max(0.3 * obs, 1.0))


def _within_pct(sim: float, obs: float) -> bool:
    return bool(abs(sim - obs) <= max(5.0, 0.3 * obs))


def in_sample_values() -> dict[str, float]:
    """The biology every in-sample run uses: the table with the fitted set on file."""
    from mtorsim.trials.calibration import table_values

    return {**table_values(), **bio.fitted_set().get("values", {})}


def trial_validation(
    *,
    seed: int = 0,
    n_scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
    values: dict[str, dict[str, float]] | None = None,
    role: str = "fitted",
    patients: int | None = None,
) -> tuple[pd.DataFrame, dict[str, TrialResult]]:
    """Run every trial of the observed table at its real size (x ``n_scale``) and compare.

    ``patients`` runs every trial at that size instead: a large one gives the model's
    expected outcome, without the sampling noise of a simulated trial of the published
    size (which the record's own confidence interval already carries once).
    ``values`` maps a trial to the biology it runs with (default: the fitted set for all).
    Returns the long table ``trial, endpoint, quantity, observed, simulated, ci_low,
    ci_high, within_tolerance, role`` and the simulated trials by name.
    """
    obs = observed_outcomes()
    results: dict[str, TrialResult] = {}
    rows = []
    default = in_sample_values()
    for r in obs.itertuples(index=False):
        if r.trial not in results:
            if progress is not None:
                progress(r.trial)
            design = load_design(r.trial.split(" ")[0])  # "Ng-2013 phase II" -> Ng-2013
            n = patients or max(20, round(design.n_patients * n_scale))
            with bio.override((values or {}).get(r.trial, default)):
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
                    "role": role,
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


def loto_validation(
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    refit: bool = False,
    patients: int | None = None,
) -> tuple[pd.DataFrame, dict[str, TrialResult]]:
    """Each trial predicted by the biology fitted without it (role ``held out``).

    The folds come from ``trial_fit.json`` (each lists the trials it was fitted to, never
    the one it predicts); ``refit=True`` recomputes them (minutes).
    """
    from mtorsim.trials.calibration import leave_one_trial_out, table_values

    if refit:
        folds = leave_one_trial_out()
    else:
        stored = bio.fitted_set().get("leave_one_trial_out", {})
        folds = {}
        for trial, fold in stored.items():
            if trial in fold["fitted_to"]:
                raise ValueError(f"trial_fit.json: the fold for {trial} was fitted to it")
            folds[trial] = {**table_values(), **fold["values"]}
    table, results = trial_validation(
        seed=seed, progress=progress, values=folds, role="held out", patients=patients
    )
    others = other_trials_of_type()
    table["other_trials_of_type"] = table.trial.map(others).fillna(0).astype(int)
    return table, results


def other_trials_of_type() -> dict[str, int]:
    """Per scored trial: how many other trials of its cancer type (ties included) the fold
    without it still fits. With none, the held-out type runs on pooled values and its
    prediction says little about the model (reported apart)."""
    from mtorsim.trials.calibration import TIES, _design, _targets

    targets = _targets()
    kind = {t: _design(t).cancer_type for t in targets.trial.unique()}
    kind = {t: TIES.get(ct, ct) for t, ct in kind.items()}
    scored = targets[targets.record == "calibration"].trial.unique()
    return {t: sum(1 for u in kind if u != t and kind[u] == kind[t]) for t in scored}


def hr_score(table: pd.DataFrame) -> dict[str, float]:
    """Hazard ratios within +-0.3 on the log scale, and with the right direction."""
    hr = table[table.quantity == "HR"]
    err = np.abs(np.log(hr.simulated / hr.observed))
    right = np.sign(np.log(hr.simulated)) == np.sign(np.log(hr.observed))
    return {
        "n": len(hr),
        "within_0.3_log": int((err <= 0.3).sum()),
        "direction_right": int(right.sum()),
    }
