"""Overall survival adjusted for crossover: the rank-preserving structural failure time
model (RPSFT, Robins & Tsiatis 1991), as trials with crossover report it.

Each patient's untreated survival is ``U = T_off + exp(psi) x T_on`` (time off and on the
experimental treatment). Randomisation makes U balanced between arms, so ``psi`` is the
value at which a log-rank test of U between arms gives z = 0 (g-estimation; U and the
censoring times are re-censored at ``C x min(1, exp(psi))`` to keep censoring independent
of treatment). The adjusted hazard ratio compares the experimental arm's observed OS with
the control arm's counterfactual untreated OS.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from mtorsim.trials.calibration import quick_hr

__all__ = ["logrank_z", "os_hazard_ratios", "rpsft", "treated_months"]


def _counterfactual(df: pd.DataFrame, psi: float) -> tuple[np.ndarray, np.ndarray]:
    t = df["os_months"].to_numpy(float)
    on = np.minimum(df["treated_months"].to_numpy(float), t)
    u = (t - on) + math.exp(psi) * on
    c = df["censor_months"].to_numpy(float) * min(1.0, math.exp(psi))
    event = df["os_event"].to_numpy(bool) & (u <= c)
    return np.minimum(u, c), event


def logrank_z(times: np.ndarray, events: np.ndarray, group: np.ndarray) -> float:
    """Signed log-rank z of ``group``: (observed - expected events) / sd; > 0 = worse."""
    order = np.argsort(times, kind="stable")
    t, e, g = times[order], events[order].astype(float), group[order].astype(float)
    n = len(t)
    at_risk = n - np.arange(n)
    at_risk_g = np.cumsum(g[::-1])[::-1]
    # group the tied times: use the first index of each tie for the risk sets
    first = np.searchsorted(t, t, side="left")
    r, rg = at_risk[first], at_risk_g[first]
    expected = e * rg / r
    var = e * (rg / r) * (1 - rg / r)
    v = float(np.sum(var))
    return float(np.sum(e * g) - np.sum(expected)) / math.sqrt(v) if v > 0 else 0.0


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
    grid = np.linspace(-3.0, 3.0, 61)
    z = np.array([_z(sub, treated, g) for g in grid])
    sign = np.flatnonzero(np.diff(np.sign(z)) != 0)
    if sign.size == 0:
        return {"psi": float("nan"), "HR_adjusted": float("nan")}
    i = sign[0]
    psi = brentq(lambda g: _z(sub, treated, g), grid[i], grid[i + 1], xtol=1e-4)
    ctl = sub[~treated]
    u, e = _counterfactual(ctl, psi)
    exp_t = sub.loc[treated, "os_months"].to_numpy(float)
    exp_e = sub.loc[treated, "os_event"].to_numpy(bool)
    times = np.concatenate([exp_t, u])
    events = np.concatenate([exp_e, e])
    flag = np.concatenate([np.ones(len(exp_t), bool), np.zeros(len(u), bool)])
    return {"psi": float(psi), "HR_adjusted": quick_hr(times, events, flag)}


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
    return {"HR_ITT": itt["HR"], **adj, "control_crossed_over": crossed}
