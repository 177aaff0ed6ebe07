"""Figures of a fit: model vs data per observable and condition, waterfall, profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mtorsim.calibration.profiles import THRESHOLD

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mtorsim.calibration.calibrator import Calibrator
    from mtorsim.calibration.problem import CalibrationProblem

__all__ = ["dense_predictions", "plot_calibration"]


def dense_predictions(
    problem: CalibrationProblem, theta: np.ndarray, points: int = 121
) -> pd.DataFrame:
    """Simulated observables on a fine time grid for every measured (condition, observable),
    with the overrides of that pair's first measurement row."""
    md = problem.measurements
    t_end = float(md["time"].max())
    grid = np.linspace(0.0, t_end, points)
    first = md.drop_duplicates(["simulationConditionId", "observableId"])
    rows = first.loc[first.index.repeat(points)].copy()
    rows["time"] = np.tile(grid, len(first))
    rows["measurement"] = 0.0
    dense = problem.with_measurements(rows.reset_index(drop=True))
    return dense.objective.simulation_table(theta)


def plot_calibration(cal: Calibrator) -> Figure:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    problem, theta = cal.problem, cal.best_theta
    fit = problem.objective.simulation_table(theta)
    dense = dense_predictions(problem, theta)
    observables = list(dict.fromkeys(fit["observableId"]))
    n_prof = min(len(cal.profiles), 8)
    ncols = max(len(observables), 1) + 1
    nrows = 1 + (n_prof + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    colours = plt.get_cmap("viridis")
    conds = list(dict.fromkeys(fit["simulationConditionId"]))
    for k, obs in enumerate(observables):
        ax = axes[0, k]
        for c, cond in enumerate(conds):
            col = colours(c / max(len(conds) - 1, 1))
            d = fit[(fit["observableId"] == obs) & (fit["simulationConditionId"] == cond)]
            s = dense[(dense["observableId"] == obs) & (dense["simulationConditionId"] == cond)]
            if len(d) == 0:
                continue
            ax.plot(s["time"], s["simulation"], color=col, lw=1.2, label=cond)
            ax.errorbar(
                d["time"], d["measurement"], yerr=d["sigma"].abs(), fmt="o", ms=3, color=col,
                elinewidth=0.7, capsize=1.5,
            )  # fmt: skip
        ax.set_title(obs, fontsize=9)
        ax.set_xlabel("time")
        if k == 0:
            ax.legend(fontsize=6, frameon=False)
    ax = axes[0, -1]
    nllh = np.sort(cal.starts["nllh"].to_numpy())
    finite = np.isfinite(nllh)
    ax.plot(np.arange(1, finite.sum() + 1), nllh[finite] - nllh[0] + 1.0, "o-", ms=3)
    ax.set_yscale("log")
    ax.set_xlabel("start (sorted)")
    ax.set_ylabel("nllh − best + 1")
    ax.set_title(f"waterfall ({len(nllh)} starts)", fontsize=9)
    flat = axes[1:].ravel() if nrows > 1 else []
    for ax, (pid, prof) in zip(flat, list(cal.profiles.items())[:n_prof], strict=False):
        ax.plot(prof["value_scaled"], prof["nllh"] - cal.best_nllh, "o-", ms=3)
        ax.axhline(THRESHOLD, color="grey", lw=0.8, ls="--")
        ax.set_title(f"profile {pid}", fontsize=9)
        ax.set_xlabel(f"{pid} ({problem.free.loc[pid, 'parameterScale']})")
        ax.set_ylabel("Δ nllh")
    for ax in list(flat)[n_prof:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
