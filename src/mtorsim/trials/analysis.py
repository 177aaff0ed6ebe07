"""Trial statistics with lifelines: Kaplan-Meier medians, log-rank, Cox hazard ratios,
response rates, and hazard ratios by genotype subgroup (forest plots)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

__all__ = [
    "ENDPOINT_COLUMNS",
    "arm_summary",
    "hazard_ratio",
    "hazard_ratios",
    "hr_estimable",
    "hr_text",
    "subgroups",
]

ENDPOINT_COLUMNS = {
    "PFS": ("pfs_months", "pfs_event"),
    "OS": ("os_months", "os_event"),
    "TTP": ("ttp_months", "ttp_event"),
}


def _median_ci(times: pd.Series, events: pd.Series) -> tuple[float, float, float]:
    km = KaplanMeierFitter().fit(times, events)
    ci = median_survival_times(km.confidence_interval_)
    return float(km.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1])


def hr_estimable(hr, low, high):
    """Whether a hazard ratio says anything: it and its 95 % interval finite and > 0 (too
    few events, or arms that never overlap, give 0, inf or NaN). Works on arrays too."""
    bounds = np.asarray([hr, low, high], dtype=float)
    return np.isfinite(bounds).all(axis=0) & (bounds > 0).all(axis=0)


def hr_text(hr: float, low: float, high: float) -> str:
    """``0.57 (0.40-0.80)``, or that it is not estimable (:func:`hr_estimable`)."""
    if not hr_estimable(hr, low, high):
        return "not estimable (too few events)"
    return f"{hr:.2f} ({low:.2f}-{high:.2f})"


def arm_summary(patients: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Per arm: n, median PFS/OS/TTP (months, 95 % CI), ORR, DCR, volume response, toxicity."""
    rows = []
    for arm in arms:
        df = patients[patients["arm"] == arm]
        row: dict = {"arm": arm, "n": len(df)}
        for name, (t, e) in ENDPOINT_COLUMNS.items():
            if len(df):
                m, lo, hi = _median_ci(df[t], df[e])
            else:
                m = lo = hi = np.nan
            row.update({f"median_{name}": m, f"{name}_ci_low": lo, f"{name}_ci_high": hi})
        best = df["best_response"]
        n = max(len(df), 1)
        row["ORR_pct"] = 100.0 * best.isin(["CR", "PR"]).sum() / n
        row["DCR_pct"] = 100.0 * best.isin(["CR", "PR", "SD"]).sum() / n
        row["volume_response_pct"] = 100.0 * (df["best_volume_change_pct"] <= -50).sum() / n
        row["shrinkage_pct"] = 100.0 * (df["best_change_pct"] < 0).sum() / n
        row["stopped_for_toxicity_pct"] = 100.0 * df["stopped_for_toxicity"].sum() / n
        row["dose_reduced_pct"] = 100.0 * df["dose_reduced"].sum() / n
        rows.append(row)
    return pd.DataFrame(rows)


def hazard_ratio(
    patients: pd.DataFrame, arm: str, control: str, endpoint: str = "PFS"
) -> dict[str, float]:
    """Cox hazard ratio of ``arm`` vs ``control`` with 95 % CI, Cox and log-rank p."""
    t, e = ENDPOINT_COLUMNS[endpoint]
    df = patients[patients["arm"].isin([arm, control])]
    out = {"arm": arm, "control": control, "endpoint": endpoint}
    if df[e].sum() < 2 or df["arm"].nunique() < 2:
        return {
            **out,
            "HR": np.nan,
            "HR_ci_low": np.nan,
            "HR_ci_high": np.nan,
            "p_cox": np.nan,
            "p_logrank": np.nan,
        }
    data = pd.DataFrame(
        {"T": df[t].to_numpy(), "E": df[e].to_numpy(), "treated": (df["arm"] == arm).to_numpy()}
    ).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter().fit(data, duration_col="T", event_col="E")
    s = cph.summary.loc["treated"]
    a, c = data[data.treated == 1], data[data.treated == 0]
    lr = logrank_test(a["T"], c["T"], a["E"], c["E"])
    return {
        **out,
        "HR": float(s["exp(coef)"]),
        "HR_ci_low": float(s["exp(coef) lower 95%"]),
        "HR_ci_high": float(s["exp(coef) upper 95%"]),
        "p_cox": float(s["p"]),
        "p_logrank": float(lr.p_value),
    }


def hazard_ratios(patients: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Every arm against the last one (the control), for PFS, OS and TTP."""
    if len(arms) < 2:
        return pd.DataFrame()
    control = arms[-1]
    rows = [
        hazard_ratio(patients, arm, control, ep) for arm in arms[:-1] for ep in ENDPOINT_COLUMNS
    ]
    return pd.DataFrame(rows)


def subgroups(
    patients: pd.DataFrame, arms: list[str], endpoint: str = "PFS", min_size: int = 10
) -> pd.DataFrame:
    """HR of the first arm vs the last within each genotype subgroup (mutant / wild type)."""
    if len(arms) < 2:
        return pd.DataFrame()
    rows = [
        {
            "subgroup": "all patients",
            "n": len(patients),
            **hazard_ratio(patients, arms[0], arms[-1], endpoint),
        }
    ]
    pair = {arms[0], arms[-1]}
    for col in sorted(c for c in patients.columns if c.endswith("_mut")):
        gene = col[: -len("_mut")]
        mutant = patients[patients[col].astype(bool)]
        wild = patients[~patients[col].astype(bool)]
        # a gene is shown when its mutant subgroup is large enough in both arms
        if len(mutant) < min_size or not pair <= set(mutant["arm"]):
            continue
        for label, sub in ((f"{gene} mutant", mutant), (f"{gene} wild type", wild)):
            rows.append(
                {"subgroup": label, "n": len(sub), **hazard_ratio(sub, arms[0], arms[-1], endpoint)}
            )
    return pd.DataFrame(rows)
