"""Overall survival adjusted for crossover: the rank-preserving structural failure time
model (RPSFT, Robins & Tsiatis 1991), as trials with crossover report it.

Each patient's untreated survival is ``U = T_off + exp(psi) x T_on`` (time off and on the
experimental treatment). Randomisation makes U balanced between arms, so ``psi`` is the
value at which a log-rank test of U between arms gives z = 0 (g-estimation; U and the
censoring times are re-censored at ``C x min(1, exp(psi))`` to keep censoring independent
of treatment). The adjusted hazard ratio compares the experimental arm's observed OS with
the control arm's counterfactual untreated OS.

psi is found on a grid of 121 points over [-3, 3] refined by Brent's method. Where the
estimating function crosses zero more than once (a weak instrument: the arms' times on the
drug barely differ) every downward crossing is a root; the median root is reported with
their number, and ``psi_ci`` spans the z = +-1.96 crossings (the test-based interval).

Inverse probability of censoring weights (IPCW, Robins & Finkelstein 2000) beside it:
control patients are censored when they cross over; those who progress and stay off the
drug are up-weighted by the inverse of their modelled probability of not crossing over
(a logistic model on what is known at progression: months to progression, baseline sum,
lesions); unstabilised, because crossing over happens at progression, so a marginal
numerator would leave the progressed patients under-represented in the control risk
sets (checked against the model's own no-crossover trial); a weighted Cox model on the
counting-process (start, stop] rows (lifelines ``CoxPHFitter`` with ``entry_col``,
``weights_col`` and a robust sandwich variance clustered on the patient) gives the adjusted HR.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from mtorsim.trials.calibration import quick_hr

__all__ = ["ipcw", "logrank_z", "os_hazard_ratios", "rpsft", "treated_months"]


def _counterfactual(df: pd.DataFrame, psi: float) -> tuple[np.ndarray, np.ndarray]:
    t = df["os_months"].to_numpy(float)
    on = np.minimum(df["treated_months"].to_numpy(float), t)
    u = (t - on) + math.exp(psi) * on
    c = df["censor_months"].to_numpy(float) * min(1.0, math.exp(psi))
    event = df["os_event"].to_numpy(bool) & (u <= c)
    return np.minimum(u, c), event


def logrank_z(times: np.ndarray, events: np.ndarray, group: np.ndarray) -> float:
    """Signed log-rank z of ``group``: (observed - expected events) / sd; > 0 = worse.

    Tied times are one risk set each with the hypergeometric variance
    ``d (n1/n) (1 - n1/n) (n - d) / (n - 1)`` (as lifelines' ``logrank_test``).
    """
    t = np.asarray(times, float)
    e = np.asarray(events, bool)
    g = np.asarray(group, bool)
    grid, inverse = np.unique(t, return_inverse=True)
    d = np.bincount(inverse, weights=e, minlength=grid.size)
    d1 = np.bincount(inverse, weights=e & g, minlength=grid.size)
    leaving = np.bincount(inverse, minlength=grid.size)
    leaving1 = np.bincount(inverse, weights=g, minlength=grid.size)
    n = np.cumsum(leaving[::-1])[::-1].astype(float)  # at risk at each distinct time
    n1 = np.cumsum(leaving1[::-1])[::-1]
    use = d > 0
    d, d1, n, n1 = d[use], d1[use], n[use], n1[use]
    frac = n1 / n
    var = d * frac * (1 - frac) * (n - d) / np.maximum(n - 1, 1)
    v = float(np.sum(var))
    return float(np.sum(d1 - d * frac)) / math.sqrt(v) if v > 0 else 0.0


def _z(df: pd.DataFrame, treated: np.ndarray, psi: float) -> float:
    u, e = _counterfactual(df, psi)
    return logrank_z(u, e, treated)


def rpsft(df: pd.DataFrame, arm: str, control: str) -> dict[str, float]:
    """psi and the crossover-adjusted OS hazard ratio of ``arm`` vs ``control``.

    ``df`` needs ``arm, os_months, os_event, censor_months, treated_months`` (time on the
    experimental drug: the experimental arm's time on treatment, a crossed-over control
    patient's time since crossover).
    """
    sub = df[df["arm"].isin([arm, control])].reset_index(drop=True)
    treated = (sub["arm"] == arm).to_numpy()
    grid = np.linspace(-3.0, 3.0, 121)
    z = np.array([_z(sub, treated, g) for g in grid])
    nan = {"psi": float("nan"), "HR_adjusted": float("nan"), "psi_roots": 0}
    down = np.flatnonzero((z[:-1] > 0) & (z[1:] <= 0))
    if down.size == 0:
        return {
            **nan,
            "HR_adjusted_ci_low": float("nan"),
            "HR_adjusted_ci_high": float("nan"),
            "psi_ci_low": float("nan"),
            "psi_ci_high": float("nan"),
        }
    roots = [brentq(lambda g: _z(sub, treated, g), grid[i], grid[i + 1], xtol=1e-4) for i in down]
    psi = float(np.median(roots))
    inside = np.flatnonzero(np.abs(z) <= 1.96)
    lo, hi = (float(grid[inside[0]]), float(grid[inside[-1]])) if inside.size else (psi, psi)
    hr_lo, hr_hi = sorted((_adjusted_hr(sub, treated, lo), _adjusted_hr(sub, treated, hi)))
    return {
        "psi": psi,
        "HR_adjusted": _adjusted_hr(sub, treated, psi),
        "HR_adjusted_ci_low": hr_lo,
        "HR_adjusted_ci_high": hr_hi,
        "psi_roots": len(roots),
        "psi_ci_low": lo,
        "psi_ci_high": hi,
    }


def _adjusted_hr(sub: pd.DataFrame, treated: np.ndarray, psi: float) -> float:
    """Experimental arm as observed vs the control arm's counterfactual untreated OS."""
    u, e = _counterfactual(sub[~treated], psi)
    exp_t = sub.loc[treated, "os_months"].to_numpy(float)
    exp_e = sub.loc[treated, "os_event"].to_numpy(bool)
    times = np.concatenate([exp_t, u])
    events = np.concatenate([exp_e, e])
    flag = np.concatenate([np.ones(len(exp_t), bool), np.zeros(len(u), bool)])
    return quick_hr(times, events, flag)


def _logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fitted probabilities of a logistic regression (Newton-Raphson, small ridge)."""
    X = np.column_stack([np.ones(len(x)), (x - x.mean(axis=0)) / np.maximum(x.std(axis=0), 1e-9)])
    beta = np.zeros(X.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-X @ beta))
        w = p * (1 - p)
        grad = X.T @ (y - p) - 1e-6 * beta
        hess = (X * w[:, None]).T @ X + 1e-6 * np.eye(X.shape[1])
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return 1.0 / (1.0 + np.exp(-X @ beta))


#: IPCW's answer where it cannot be estimated (no crossover, or too few events)
_NO_IPCW = dict.fromkeys(("HR_IPCW", "HR_IPCW_ci_low", "HR_IPCW_ci_high"), float("nan"))


def ipcw(patients: pd.DataFrame, arm: str, control: str) -> dict[str, float]:
    """OS HR of ``arm`` vs ``control`` with control patients censored at crossover and the
    progressed non-crossers weighted by 1 / P(no crossover | state at progression)."""
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    sub = patients[patients["arm"].isin([arm, control])].reset_index(drop=True)
    ctl = (sub["arm"] == control).to_numpy()
    t = sub["os_months"].to_numpy(float)
    e = sub["os_event"].to_numpy(bool)
    t_pd = sub["ttp_months"].where(sub["ttp_event"], np.inf).to_numpy(float)
    crossed = ctl & sub["crossed_over"].to_numpy(bool)
    at_risk = ctl & np.isfinite(t_pd) & (t_pd < t)  # progressed alive: could cross over
    if crossed.sum() == 0 or (at_risk & ~crossed).sum() < 2:
        return dict(_NO_IPCW)
    x = np.column_stack(
        [t_pd[at_risk], sub["baseline_sum_mm"].to_numpy(float)[at_risk], sub["lesions"][at_risk]]
    )
    p_stay = np.clip(1.0 - _logistic(x, crossed[at_risk].astype(float)), 0.02, 1.0)
    weight = np.ones(len(sub))
    weight[np.flatnonzero(at_risk)] = 1.0 / p_stay
    rows = []
    for i in range(len(sub)):
        treated = float(not ctl[i])
        if at_risk[i]:
            rows.append((i, 0.0, t_pd[i], False, treated, 1.0))
            if not crossed[i]:
                rows.append((i, t_pd[i], t[i], e[i], treated, weight[i]))
            # crossers are censored at crossover (= progression in these designs)
        else:
            rows.append((i, 0.0, t[i], e[i], treated, 1.0))
    long = pd.DataFrame(rows, columns=["id", "start", "stop", "event", "treated", "w"])
    long = long[long.stop > long.start]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ctv = CoxPHFitter().fit(
                long[["start", "stop", "event", "treated", "w", "id"]],
                duration_col="stop",
                event_col="event",
                entry_col="start",
                weights_col="w",
                cluster_col="id",
                robust=True,
            )
        except (ConvergenceError, ValueError, np.linalg.LinAlgError):  # too few events
            return dict(_NO_IPCW)
    s = ctv.summary.loc["treated"]
    return {
        "HR_IPCW": float(s["exp(coef)"]),
        "HR_IPCW_ci_low": float(s["exp(coef) lower 95%"]),
        "HR_IPCW_ci_high": float(s["exp(coef) upper 95%"]),
    }


def treated_months(patients: pd.DataFrame, experimental: str) -> np.ndarray:
    """Time on the experimental drug: on treatment (experimental arm); from crossover to
    progression on it, death or censoring (crossed-over control patients)."""
    on_exp = np.where(patients["arm"] == experimental, patients["on_treatment_months"], 0.0)
    start = patients["crossover_months"].to_numpy(float)
    stop = patients["crossover_stop_months"].to_numpy(float)
    after = np.nan_to_num(np.clip(stop - start, 0.0, None), nan=0.0)
    return np.where(patients["arm"] == experimental, on_exp, after)


def os_hazard_ratios(patients: pd.DataFrame, arms: list[str]) -> dict[str, float]:
    """OS HR of the first arm vs the last: as randomised (ITT) and RPSFT-adjusted."""
    from mtorsim.trials.analysis import hazard_ratio

    itt = hazard_ratio(patients, arms[0], arms[-1], "OS")
    df = patients.assign(treated_months=treated_months(patients, arms[0]))
    adj = rpsft(df, arms[0], arms[-1])
    crossed = float(patients.loc[patients.arm == arms[-1], "crossed_over"].mean())
    return {
        "HR_ITT": itt["HR"],
        **adj,
        **ipcw(patients, arms[0], arms[-1]),
        "control_crossed_over": crossed,
    }
