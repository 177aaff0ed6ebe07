"""Figures. Each function takes ``ax=None`` and returns the axes (lifelines' convention)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless by default; nothing here needs a display

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mtorsim.errors import MtorsimError
from mtorsim.io import atomic_path

__all__ = [
    "plot_cohort_bands",
    "plot_concentrations",
    "plot_dose_response",
    "plot_fold_changes",
    "plot_oncoprint",
    "plot_timecourse",
    "save_figure",
]

FIGURE_FORMATS = (".png", ".svg", ".pdf")


_TIME_LABELS = {"time_h": "time (h)", "time_d": "time (days)", "time": "time"}


def _time_col(df: pd.DataFrame, chosen: str | None = None) -> str:
    if chosen is not None:
        if chosen not in df.columns:
            raise MtorsimError(f"the table has no time column {chosen!r}")
        return chosen
    for c in ("time_h", "time"):
        if c in df.columns:
            return c
    raise MtorsimError("the table has no time column ('time_h' or 'time')")


def plot_timecourse(
    df: pd.DataFrame,
    readouts: Sequence[str],
    *,
    ax: Axes | None = None,
    relative_to_start: bool = False,
    title: str | None = None,
    events: Sequence[float] = (),
    time_col: str | None = None,
) -> Axes:
    """Read-outs over time (optionally as fold change over t = 0), events as dashed lines.

    ``time_col`` picks the x axis (e.g. ``"time_d"`` for a patient table shown in days
    beside its PK panel); by default ``time_h``, else ``time``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    tcol = _time_col(df, time_col)
    missing = [r for r in readouts if r not in df.columns]
    if missing:
        raise MtorsimError(
            f"read-out(s) {missing} are not in the table; choose from "
            f"{', '.join(c for c in df.columns if c != tcol)}"
        )
    if relative_to_start:  # a fold change over (nearly) nothing is no fold change
        flat = [r for r in readouts if abs(df[r].iloc[0]) <= 1e-9 * max(df[r].abs().max(), 1e-300)]
        if flat:
            raise MtorsimError(
                f"read-out(s) {', '.join(flat)} start at (nearly) 0, so a fold change over "
                "t = 0 is meaningless; plot them with relative=False"
            )
    for r in readouts:
        y = df[r] / df[r].iloc[0] if relative_to_start else df[r]
        ax.plot(df[tcol], y, label=r, lw=1.8)
    for t in events:
        ax.axvline(t, color="grey", ls="--", lw=0.8)
    ax.set_xlabel(_TIME_LABELS.get(tcol, tcol))
    own = df.attrs.get("model", "mtorsim_default") == "mtorsim_default"
    absolute = "active fraction" if own else "value (the model's units)"
    ax.set_ylabel("fold change vs t = 0" if relative_to_start else absolute)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_cohort_bands(
    df: pd.DataFrame,
    readouts: Sequence[str],
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Median and 5th-95th percentile band across patients of each read-out's fold change
    over its untreated value, by day (a cohort from ``simulate_treatment_cohort``)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    missing = [r for r in ["patient", "time_d", *readouts] if r not in df.columns]
    if missing:
        raise MtorsimError(f"column(s) {missing} are not in the cohort table")
    first = df.sort_values("time_d").groupby("patient")[list(readouts)].transform("first")
    for r in readouts:
        fold = (df[r] / first[r].where(first[r] != 0)).groupby(df["time_d"])
        q = fold.quantile([0.05, 0.5, 0.95]).unstack()
        line = ax.plot(q.index, q[0.5], label=r, lw=1.8)[0]
        ax.fill_between(q.index, q[0.05], q[0.95], color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("fold change vs untreated (median, 5-95 %)")
    ax.set_title(title or f"{df['patient'].nunique()} patients")
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_fold_changes(
    values: pd.Series, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Horizontal bars of fold changes (log2 axis), e.g. treated over untreated."""
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 0.3 * len(values) + 1))
    lv = np.log2(values.clip(lower=1e-3))
    colors = ["#c0392b" if v > 0 else "#2471a3" for v in lv]
    ax.barh(list(values.index), lv, color=colors)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("log2 fold change")
    if title:
        ax.set_title(title)
    return ax


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> str:
    """Save a figure atomically as PNG, SVG or PDF (by suffix)."""
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in FIGURE_FORMATS:
        raise MtorsimError(f"figure file {str(path)!r} must end in {', '.join(FIGURE_FORMATS)}")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=suffix[1:], dpi=120, bbox_inches="tight")
    plt.close(fig)
    return str(path)


def plot_concentrations(
    df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    dose_times_h: Sequence[float] = (),
    log: bool = True,
) -> Axes:
    """Blood concentration of every drug in a treatment table (``<drug>_blood_ng_mL``)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    cols = [c for c in df.columns if c.endswith("_blood_ng_mL")]
    if not cols:
        raise MtorsimError("the table has no drug concentration columns")
    x = df["time_h"] / 24.0
    for c in cols:
        ax.plot(x, df[c].clip(lower=1e-6), label=c.replace("_blood_ng_mL", ""), lw=1.6)
    for t in dose_times_h:
        ax.axvline(t / 24.0, color="grey", lw=0.4, alpha=0.5)
    if log:
        ax.set_yscale("log")
        values = df[cols].to_numpy().ravel()
        positive = values[values > 0]
        if positive.size:
            import numpy as np

            ax.set_ylim(bottom=0.5 * float(np.percentile(positive, 2)))
    ax.set_xlabel("time (days)")
    ax.set_ylabel("blood concentration (ng/mL)")
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_dose_response(
    table: pd.DataFrame,
    fitted: Sequence[float] | None = None,
    *,
    ax: Axes | None = None,
    label: str = "",
    title: str | None = None,
) -> Axes:
    """Relative read-out vs concentration (log axis) with the fitted Hill curve."""
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    conc = table["conc_nM"].to_numpy()
    pos = conc > 0
    ax.plot(conc[pos], table["relative"].to_numpy()[pos], "o", ms=4, label=label or None)
    if fitted is not None:
        ic50, emax, n = fitted
        grid = np.logspace(np.log10(conc[pos].min()), np.log10(conc[pos].max()), 200)
        ax.plot(grid, 1 - emax * grid**n / (ic50**n + grid**n), "-", lw=1.2)
    ax.set_xscale("log")
    ax.set_xlabel("concentration (nM)")
    ax.set_ylabel("read-out relative to untreated")
    if title:
        ax.set_title(title)
    if label:
        ax.legend(fontsize=8, frameon=False)
    return ax


def plot_oncoprint(
    annotated: pd.DataFrame,
    predictions: pd.DataFrame,
    drug: str,
    *,
    ax: Axes | None = None,
    max_genes: int = 15,
) -> Axes:
    """Mutation grid (genes x samples; dark = known effect, light = uncertain) with the
    predicted response to ``drug`` as bars above, samples sorted by response."""
    import numpy as np
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    pred = predictions[predictions["drug"] == drug].set_index("sample")
    if pred.empty:
        raise MtorsimError(f"no predictions for {drug!r}")
    order = pred["response_mean"].sort_values(ascending=False).index.tolist()
    genes = annotated["gene"].value_counts().index[:max_genes].tolist()
    grid = np.zeros((len(genes), len(order)))
    for r in annotated.itertuples():
        if r.gene in genes and r.sample in order:
            val = 2 if r.status == "known" else 1
            i, j = genes.index(r.gene), order.index(r.sample)
            grid[i, j] = max(grid[i, j], val)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.25 * len(order)), 0.35 * len(genes) + 2.5))
    ax.imshow(grid, aspect="auto", cmap="Greys", vmin=0, vmax=2.2, interpolation="nearest")
    ax.set_yticks(range(len(genes)), genes)
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=6)
    top = make_axes_locatable(ax).append_axes("top", size="35%", pad=0.05, sharex=ax)
    top.bar(range(len(order)), pred.loc[order, "response_mean"], color="#2471a3")
    top.set_ylabel("predicted\nfall", fontsize=8)
    top.set_title(f"{drug}: predicted growth-drive fall by sample; mutations below")
    top.tick_params(labelbottom=False)
    return ax
