"""Confidence intervals: profile likelihood, or Wald (Gauss–Newton) where not profiled.

A profile fixes one parameter at a grid of values stepping away from the optimum and
re-fits the others (warm-started, few evaluations); the 95 % interval is where the
negative log-likelihood rises by χ²(0.95, 1)/2 ≈ 1.92. A profile that reaches a bound
without rising that far gives the bound (the parameter is not identifiable on that side).
Wald intervals use the covariance (JᵀJ)⁻¹ at the optimum: cheap, but symmetric on the
parameter's scale and blind to non-identifiability beyond the curvature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtorsim.calibration.problem import from_scale

if TYPE_CHECKING:
    from mtorsim.calibration.calibrator import JacobianFn
    from mtorsim.calibration.problem import CalibrationProblem

__all__ = ["THRESHOLD", "intervals", "profile"]

#: rise of the negative log-likelihood at the edge of a 95 % profile interval
THRESHOLD = 1.920729410347062  # scipy.stats.chi2.ppf(0.95, 1) / 2


def profile(
    problem: CalibrationProblem,
    theta: np.ndarray,
    ids: Sequence[str],
    *,
    step: float = 0.2,
    max_steps: int = 10,
    max_nfev: int = 30,
    jacobian: JacobianFn | None = None,
) -> dict[str, pd.DataFrame]:
    """Profiles of ``ids`` from the optimum ``theta``: value (scaled), nllh per point."""
    from scipy.optimize import least_squares

    obj = problem.objective
    lo, hi = problem.bounds
    best = obj.nllh(theta)
    out: dict[str, pd.DataFrame] = {}
    for pid in ids:
        j = problem.free_ids.index(pid)
        keep = np.array([k != j for k in range(theta.size)])
        points = [(float(theta[j]), best)]

        def refit(x: np.ndarray, keep: np.ndarray = keep) -> np.ndarray:
            def fun(z: np.ndarray) -> np.ndarray:
                full = x.copy()
                full[keep] = z
                return obj.residuals(full)

            def jac(z: np.ndarray) -> np.ndarray:
                full = x.copy()
                full[keep] = z
                whole = obj.jacobian_fd(full) if jacobian is None else jacobian(problem, full)
                return whole[:, keep]

            out = x.copy()
            if keep.any():
                res = least_squares(
                    fun, x[keep], jac=jac, bounds=(lo[keep], hi[keep]), method="trf",
                    x_scale="jac", max_nfev=max_nfev,
                )  # fmt: skip
                out[keep] = res.x
            return out

        for direction in (-1.0, 1.0):
            x, prev, h = theta.copy(), best, step
            for _ in range(max_steps):
                xj = float(np.clip(x[j] + direction * h, lo[j], hi[j]))
                if xj == x[j]:
                    break
                trial = x.copy()
                trial[j] = xj
                trial = refit(trial)
                value = obj.nllh(trial)
                if value - prev > THRESHOLD and h > step / 16:  # too coarse near the edge
                    h /= 2
                    continue
                rise, x, prev = value - prev, trial, value
                points.append((xj, value))
                if value - best > THRESHOLD:
                    break
                if rise < THRESHOLD / 10:  # flat: stride on towards the bound
                    h = min(2 * h, 4 * step)
        df = pd.DataFrame(points, columns=["value_scaled", "nllh"]).sort_values("value_scaled")
        out[pid] = df.reset_index(drop=True)
    return out


def _crossing(df: pd.DataFrame, center: float, best: float, side: int, bound: float) -> float:
    """Where the profile on one side first rises above best + THRESHOLD (interpolated)."""
    pts = df[df["value_scaled"] * side >= center * side].sort_values(
        "value_scaled", ascending=side > 0
    )
    xs, ys = pts["value_scaled"].to_numpy(), pts["nllh"].to_numpy() - best
    for k in range(1, len(xs)):
        if ys[k] > THRESHOLD:
            y0, y1 = max(ys[k - 1], 0.0), ys[k]
            return float(xs[k - 1] + (THRESHOLD - y0) / (y1 - y0) * (xs[k] - xs[k - 1]))
    return float(bound)


def intervals(
    problem: CalibrationProblem,
    theta: np.ndarray,
    best: float,
    profiles: dict[str, pd.DataFrame],
) -> dict[str, tuple[float, float, str]]:
    """95 % interval (linear values) and its method for every free parameter."""
    lo, hi = problem.bounds
    scales = problem.free["parameterScale"].to_numpy()
    se = _wald_se(problem, theta)
    out: dict[str, Any] = {}
    for j, pid in enumerate(problem.free_ids):
        if pid in profiles:
            a = _crossing(profiles[pid], theta[j], best, -1, lo[j])
            b = _crossing(profiles[pid], theta[j], best, +1, hi[j])
            method = "profile"
        else:
            a = max(lo[j], theta[j] - 1.959963984540054 * se[j])
            b = min(hi[j], theta[j] + 1.959963984540054 * se[j])
            method = "wald"
        out[pid] = (float(from_scale(a, scales[j])), float(from_scale(b, scales[j])), method)
    return out


def _wald_se(problem: CalibrationProblem, theta: np.ndarray) -> np.ndarray:
    jac = problem.objective.jacobian_fd(theta)
    cov = np.linalg.pinv(jac.T @ jac, rcond=1e-12)
    return np.sqrt(np.maximum(np.diag(cov), 0.0))
