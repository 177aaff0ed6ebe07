"""Trial figures: Kaplan-Meier with numbers at risk, waterfall, spider and forest plots.

Each takes a :class:`~mtorsim.trials.TrialResult` (or its tables) and ``ax=None``, and
returns the axes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.plotting import add_at_risk_counts
from matplotlib.axes import Axes

from mtorsim.errors import MtorsimError
from mtorsim.trials.analysis import ENDPOINT_COLUMNS

__all__ = ["plot_forest", "plot_km", "plot_spider", "plot_waterfall"]


def plot_km(result, endpoint: str = "PFS", *, ax: Axes | None = None, at_risk: bool = True) -> Axes:
    """Kaplan-Meier curves per arm, with the numbers at risk under the axis."""
    if endpoint not in ENDPOINT_COLUMNS:
        raise MtorsimError(f"endpoint {endpoint!r}; use one of {', '.join(ENDPOINT_COLUMNS)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    t, e = ENDPOINT_COLUMNS[endpoint]
    fitters = []
    for arm in result.arms:
        df = result.patients[result.patients["arm"] == arm]
        if df.empty:
            continue
        km = KaplanMeierFitter(label=arm).fit(df[t], df[e])
        km.plot_survival_function(ax=ax, ci_show=True, show_censors=True, censor_styles={"ms": 3})
        fitters.append(km)
    ax.set_xlabel("months from randomisation")
    ax.set_ylabel(f"{endpoint} probability")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"{result.design.name}: {endpoint}")
    if at_risk and fitters:
        add_at_risk_counts(*fitters, ax=ax, rows_to_show=["At risk"])
    return ax


def plot_waterfall(result, *, ax: Axes | None = None) -> Axes:
    """Best % change of the target-lesion sum per patient, sorted, coloured by arm."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    df = result.patients.dropna(subset=["best_change_pct"]).sort_values(
        "best_change_pct", ascending=False
    )
    colours = {a: f"C{i}" for i, a in enumerate(result.arms)}
    ax.bar(
        np.arange(len(df)),
        df["best_change_pct"].clip(upper=100),
        color=[colours[a] for a in df["arm"]],
        width=1.0,
    )
    for y, style in ((20, "--"), (-30, ":")):
        ax.axhline(y, color="k", lw=0.8, ls=style)
    ax.set_xlabel("patients")
    ax.set_ylabel("best change of sum of diameters (%)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(handles, list(colours), fontsize=8, loc="upper right")
    ax.set_title(f"{result.design.name}: waterfall (PD +20 %, PR -30 %)")
    return ax


def plot_spider(result, *, ax: Axes | None = None, max_patients: int = 60, seed: int = 0) -> Axes:
    """% change of the target-lesion sum over time for a random sample of patients."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    a = result.assessments
    ids = a["patient"].unique()
    rng = np.random.default_rng(seed)
    keep = (
        set(rng.choice(ids, size=min(max_patients, len(ids)), replace=False)) if len(ids) else set()
    )
    colours = {arm: f"C{i}" for i, arm in enumerate(result.arms)}
    for _pid, df in a[a["patient"].isin(keep)].groupby("patient"):
        arm = df["arm"].iloc[0]
        ax.plot(
            np.r_[0, df["week"]], np.r_[0, df["change_pct"]], color=colours[arm], lw=0.8, alpha=0.7
        )
    for y in (20, -30):
        ax.axhline(y, color="k", lw=0.8, ls="--")
    ax.set_xlabel("weeks")
    ax.set_ylabel("change of sum of diameters (%)")
    handles = [plt.Line2D([0], [0], color=c) for c in colours.values()]
    ax.legend(handles, list(colours), fontsize=8)
    ax.set_title(f"{result.design.name}: spider plot ({len(keep)} patients)")
    return ax


def plot_forest(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Hazard ratios with 95 % CI by subgroup (log scale), from ``TrialResult.subgroups()``."""
    if table.empty:
        raise MtorsimError("no subgroups to plot (a forest plot needs two arms)")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(table) + 1.2))
    df = table.dropna(subset=["HR"]).iloc[::-1]
    y = np.arange(len(df))
    hr = df["HR"].to_numpy(dtype=float)
    ax.errorbar(
        hr,
        y,
        xerr=[
            hr - df["HR_ci_low"].to_numpy(dtype=float),
            df["HR_ci_high"].to_numpy(dtype=float) - hr,
        ],
        fmt="s",
        color="k",
        ms=4,
        capsize=2,
    )
    ax.axvline(1.0, color="grey", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y, [f"{s} (n={n})" for s, n in zip(df["subgroup"], df["n"], strict=True)])
    ax.set_xlabel(f"hazard ratio ({df['endpoint'].iloc[0]}), 95 % CI")
    ax.set_title("by subgroup")
    return ax
