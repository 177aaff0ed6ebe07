"""Calibrate the patient layer's cancer-type biology on the trial record, and cross-validate.

The record is ``trials_calibration.csv`` (the seven trials that are scored) plus
``trials_supplementary.csv``: further Table 1 trials from their papers (RADIANT-4,
PrE0102, Study-205, Besse-2014 in NSCLC), GRANITE-1's PFS and three external controls
(the placebo arms of CORRECT for refractory colorectal cancer, REGARD for pretreated
gastric cancer and BR.21 for pretreated NSCLC), fitted but never scored. What is free, per
cancer type, is
what its trials can identify (``FREE``, narrowed per fold by :func:`identified`): the
doubling time from a control-arm median, the pathway share from a treated arm's median or
hazard ratio, its spread between tumours from response rates beside the hazard ratios
(RCC, PNET, breast), the cytotoxic fraction of each route of the growth law from response rates
(RCC's blood-supply kill from Study-205's lenvatinib arms beside its everolimus arms,
breast cancer's oestrogen-receptor kill from BOLERO-2's exemestane arm beside everolimus +
exemestane: the only response rates of those routes), post-progression growth from an OS
beside a PFS (GRANITE-1, REGARD's placebo arm), RCC's VEGF dependence after a VEGFR-TKI
from Study-205's lenvatinib arms, and the oestrogen dependence left after an aromatase
inhibitor from the three endocrine partners of the breast trials. Lung/GI NETs
share the NET biology (``TIES``). Types are fitted one at a
time (their trials share no parameter) by Nelder-Mead from three doubling-time starts (the
best kept) on squared errors of log medians, log hazard ratios and response and landmark
rates (a landmark is a Kaplan-Meier rate at a month, e.g. Besse-2014's disease control at
3 months read as progression-free at 3 months), each over the published value's SD at the
trial's size beside the model's own (:func:`record_sd`; ``FitSettings(weighting="fixed")``
divides by 0.15, 0.1 and 5 points instead), each from a fixed-seed simulated trial, plus
weak priors (``PRIOR``). A parameter no remaining trial informs is *pooled*: the mean of the
types that were fitted (TSC's benign SEGA excepted, ``POOL_EXCLUDE``).

The pathway is solved once per cohort (:mod:`.simulate` caches it): only the kinetics are
re-run, a few hundredths of a second per trial, so leave-one-trial-out refits are cheap.
``python -m mtorsim.trials.calibration`` refits and writes ``data/trials/trial_fit.json``.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from mtorsim.trials import biology as bio
from mtorsim.trials.design import TrialDesign, load_design
from mtorsim.trials.simulate import simulate_patients
from mtorsim.tumour.growth import ROUTE_KILLS

__all__ = [
    "FREE",
    "TIME_ENDPOINTS",
    "calibrate",
    "fit_targets",
    "identified",
    "leave_one_trial_out",
    "quick_hr",
    "smooth_median",
]

#: cancer type -> parameters its trials identify (see the module docstring); GRANITE-1
#: reports PFS beside OS, so its post-progression growth is identified too
FREE = {
    "RCC": (
        "doubling_time_d",
        "pathway_share",
        "pathway_share_spread",
        "cytotoxic_fraction",
        "vegf_cytotoxic_fraction",
        "vegf_dependence@VEGFR-TKI",
    ),
    "PNET": ("doubling_time_d", "pathway_share", "pathway_share_spread", "cytotoxic_fraction"),
    # every trial of the record is after an aromatase inhibitor, with three partners that
    # block the receptor differently (exemestane, tamoxifen, fulvestrant): their control
    # arms identify how much growth the receptor still drives in that setting
    "BRCA_HR": (
        "doubling_time_d",
        "pathway_share",
        "pathway_share_spread",
        "cytotoxic_fraction",
        "er_cytotoxic_fraction",
        "er_dependence@aromatase inhibitor",
    ),
    "STAD": ("doubling_time_d", "pathway_share", "post_progression_growth"),
    "TSC": ("cytotoxic_fraction",),
    # Ng-2013 (everolimus, single arm: median PFS 1.8 months, ORR 0 %) beside CORRECT's
    # placebo arm (external control in the same refractory setting: 1.7 months). Both
    # medians lie just below the first 8-week scan, where the simulated median moves by
    # under 0.1 month for any pathway share from 0.05 to 0.8: the share is not identified
    # and keeps the table's value (KRAS/MAPK-driven, review); nor is the cytotoxic
    # fraction (ORR 0 % at any value that small a share allows; freed, it ran to its bound
    # to lengthen Ng-2013's median), which stays pooled
    "COADREAD": ("doubling_time_d",),
    # BR.21's placebo arm (external control after chemotherapy: median PFS 1.8, OS 4.7
    # months) beside Besse-2014 (everolimus 5 mg added to erlotinib, which both arms take:
    # median PFS 2.9 vs 2.0 months, review [70])
    "LUAD": ("doubling_time_d", "pathway_share", "post_progression_growth"),
}
#: types never pooled into others: TSC's SEGA are benign hamartomas with germline TSC loss
#: (pathway share 1) scored by volume, not RECIST -- no model for a cancer's apoptotic
#: response to the drug
POOL_EXCLUDE = ("TSC",)
#: types that share another type's biology: lung/GI and pancreatic NETs are both
#: well-differentiated neuroendocrine tumours (placebo PFS 3.9 and 4.6 months, everolimus
#: approved in both: review Table 1), fitted together to RADIANT-3 and RADIANT-4
TIES = {"NET_LUNG_GI": "PNET"}
POOLED = ("pathway_share", "pathway_share_spread", *ROUTE_KILLS, "post_progression_growth")
TIME_ENDPOINTS = {"PFS": "pfs", "OS": "os", "time to progression": "ttp"}
N_FIT = 800
SEED = 12345


@dataclass(frozen=True)
class FitSettings:
    """How the objective is computed: the size of the fixed-seed cohort each trial is
    simulated with (a Monte Carlo estimate: a small cohort lets the fit chase its noise),
    and how residuals are scaled: ``"record"`` (each by the record's SD at its published
    size beside the model's own, :func:`record_sd`: the shipped fit since session 10) or
    ``"fixed"`` (log medians by 0.15, log HRs by 0.1, rates by 5 points, whatever the
    trial's size: a 50-patient arm weighs as much as a 485-patient one)."""

    patients: int = N_FIT
    weighting: str = "record"

    def __post_init__(self) -> None:
        if self.weighting not in ("fixed", "record"):
            raise ValueError(f"weighting {self.weighting!r}: use 'fixed' or 'record'")


#: scales of the ``"fixed"`` weighting
FIXED_SD = {"log_median": 0.15, "log_hr": 0.1, "rate": 5.0}
#: where every fit starts (the same for all types and folds)
START = {
    "doubling_time_d": 90.0,
    "pathway_share": 0.5,
    **dict.fromkeys(ROUTE_KILLS, 0.5),
    "pathway_share_spread": 1.0,
    "post_progression_growth": 1.0,
}
DOUBLING_STARTS = (45.0, 90.0, 180.0)
#: weakly informative priors (value, sd on the logit scale): the share of growth the
#: pathway drives is centred on one half; VEGF dependence after a VEGFR-TKI on the table's
#: assumed x0.3 cross-resistance (0.18). Without them a type whose only data have no
#: placebo arm (RCC without RECORD-1: Study-205 compares everolimus with lenvatinib) can
#: put all of the effect on one drug.
PRIOR = {
    "pathway_share": (0.5, 1.0),
    "vegf_dependence@VEGFR-TKI": (0.18, 1.0),
    "er_dependence@aromatase inhibitor": (0.35, 1.0),
}
_LOG_POOLED = ("doubling_time_d", "post_progression_growth")
_BOUNDS = {
    "doubling_time_d": (10.0, 2000.0),
    **dict.fromkeys(ROUTE_KILLS, (1e-3, 4.0)),
    "pathway_share_spread": (0.01, 4.0),
    "post_progression_growth": (0.02, 3.0),
}


def _kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct event times and the Kaplan-Meier survival just after each."""
    t = np.asarray(times, float)
    e = np.asarray(events, bool)
    grid = np.unique(t[e])
    d = np.array([np.sum(e & (t == g)) for g in grid], float)
    n = np.array([np.sum(t >= g) for g in grid], float)
    return grid, np.cumprod(1.0 - d / n)


def smooth_median(times: np.ndarray, events: np.ndarray) -> float:
    """Kaplan-Meier median, interpolated linearly between the distinct event times.

    Progression is seen at scan dates, so the plain median jumps from scan to scan; the
    interpolated one moves smoothly with the share of patients progressing at each scan.
    """
    grid, s = _kaplan_meier(times, events)
    if grid.size == 0:
        return float("inf")
    below = np.flatnonzero(s <= 0.5)
    if below.size == 0:
        return float("inf")
    i = below[0]
    t0, s0 = (0.0, 1.0) if i == 0 else (grid[i - 1], s[i - 1])
    return float(t0 + (s0 - 0.5) / (s0 - s[i]) * (grid[i] - t0))


def quick_hr(times: np.ndarray, events: np.ndarray, treated: np.ndarray) -> float:
    """Cox hazard ratio of one binary covariate, Efron ties (as lifelines), numpy only.

    Progression is seen at scan dates, so ties are heavy and the tie method matters.
    """
    t = np.asarray(times, float)
    e = np.asarray(events, bool)
    x = np.asarray(treated, float)
    groups = []
    for g in np.unique(t[e]):
        at = t >= g
        dead = e & (t == g)
        d = int(dead.sum())
        groups.append((d, at.sum(), x[at].sum(), x[dead].sum(), d - x[dead].sum()))
    beta = 0.0
    for _ in range(50):
        w = math.exp(beta)
        grad = info = 0.0
        for d, n_r, x_r, x_d, _ in groups:
            s0_r, s1_r = (n_r - x_r) + w * x_r, w * x_r
            s0_d, s1_d = (d - x_d) + w * x_d, w * x_d
            grad += x_d
            for j in range(d):
                f = j / d
                m = (s1_r - f * s1_d) / (s0_r - f * s0_d)
                grad -= m
                info += m - m * m
        if info <= 0:
            return float("nan")
        step = float(np.clip(grad / info, -2, 2))
        beta += step
        if abs(step) < 1e-9:
            break
    return math.exp(beta)


def _targets() -> pd.DataFrame:
    """The calibration record (``record`` = "calibration") and the supplementary outcomes
    sourced from the trials' papers (``record`` = "supplementary": other Table 1 trials,
    GRANITE-1's PFS). Leave-one-trial-out drops every row of the trial it predicts."""
    from mtorsim.trials.validation import observed_outcomes, supplementary_outcomes

    return pd.concat(
        [
            observed_outcomes().assign(record="calibration"),
            supplementary_outcomes().assign(record="supplementary"),
        ],
        ignore_index=True,
    )


def _design(trial: str) -> TrialDesign:
    return load_design(trial.split(" ")[0])  # "Ng-2013 phase II" -> Ng-2013


def _simulate(design: TrialDesign, patients: int) -> pd.DataFrame:
    return simulate_patients(design, max(patients, design.n_patients), SEED).patients


#: the model's own error on each scale, added in quadrature to the record's sampling error:
#: half the tolerance ``validate --trials`` scores hazard ratios with (x/÷ 1.3), used for
#: log medians too, and half the 5-point floor of its rate tolerance (medians are scored
#: within max(30 %, 1 month), rates within max(5 points, 30 %): these SDs are no wider)
MODEL_SD = {"log_median": math.log(1.3) / 2, "log_hr": math.log(1.3) / 2, "rate": 2.5}


def arm_sizes(design: TrialDesign) -> dict[str, float]:
    """Patients per arm of the published trial (its size shared by the allocation)."""
    shares = design.allocation_shares
    return {a.name: design.n_patients * w for a, w in zip(design.arms, shares, strict=True)}


def record_sd(kind: str, n: float, *, share: float = 0.5, rate_pct: float = 0.0) -> float:
    """SD of a published value: its sampling error at the trial's size beside the model's.

    Sampling errors are large-sample ones with every patient an event (the trials report
    at their final analysis): a log median ~ 1/sqrt(n) (exponential survival), a log hazard
    ratio 1/sqrt(n share (1 - share)) (Schoenfeld; ``n`` both arms, ``share`` the first
    arm's), a rate binomial with half a patient added each way (no zero variance at 0 %).
    """
    if kind == "log_median":
        sampling = 1.0 / math.sqrt(n)
    elif kind == "log_hr":
        sampling = 1.0 / math.sqrt(n * share * (1.0 - share))
    else:
        p = (rate_pct / 100.0 * n + 0.5) / (n + 1.0)
        sampling = 100.0 * math.sqrt(p * (1.0 - p) / n)
    return math.hypot(sampling, MODEL_SD[kind])


def survival_at(times: np.ndarray, events: np.ndarray, month: float) -> float:
    """Kaplan-Meier survival at ``month`` (percent): a landmark rate such as a trial's
    disease control at 3 months, which, unlike a median between two scans, moves with
    every patient who progresses at a scan before it."""
    grid, s = _kaplan_meier(times, events)
    seen = s[grid <= month]
    return 100.0 * float(seen[-1]) if seen.size else 100.0


_LANDMARK = re.compile(r"(PFS|OS|time to progression) at ([0-9.]+) months")


def _landmark(endpoint: str) -> tuple[str, float] | None:
    """("pfs", 3.0) for "PFS at 3 months"; None for any other endpoint."""
    match = _LANDMARK.fullmatch(endpoint)
    if match is None:
        return None
    return TIME_ENDPOINTS[match.group(1)], float(match.group(2))


def _residuals(
    rows: pd.DataFrame, patients: pd.DataFrame, design: TrialDesign, weighting: str
) -> list[float]:
    """Residuals of one trial's observed rows against a simulated trial, each in units of
    its SD (:class:`FitSettings` ``weighting``)."""
    arms = [a.name for a in design.arms]
    sizes = arm_sizes(design)

    def sd_of(kind: str, n: float, **kw: float) -> float:
        return FIXED_SD[kind] if weighting == "fixed" else record_sd(kind, n, **kw)

    out = []
    for r in rows.itertuples(index=False):
        pair = _arm_pair(r, arms)
        exp, ctl = patients[patients.arm == pair[0]], patients[patients.arm == pair[1]]
        n_exp, n_ctl = sizes[pair[0]], sizes[pair[1]]
        # the arms with a published value; a single-arm trial has no control to compare
        observed = [
            (float(obs), df, n)
            for i, (obs, df, n) in enumerate(
                ((r.median_experimental, exp, n_exp), (r.median_control, ctl, n_ctl))
            )
            if pd.notna(obs) and (i == 0 or len(arms) > 1)
        ]
        if r.endpoint in TIME_ENDPOINTS:
            col = TIME_ENDPOINTS[r.endpoint]
            for obs, df, n in observed:
                sim = smooth_median(df[f"{col}_months"].to_numpy(), df[f"{col}_event"].to_numpy())
                sim = min(sim, 10 * obs)
                out.append((math.log(sim) - math.log(obs)) / sd_of("log_median", n))
            if pd.notna(r.hazard_ratio) and len(arms) > 1:
                both = pd.concat([exp, ctl])
                hr = quick_hr(
                    both[f"{col}_months"].to_numpy(),
                    both[f"{col}_event"].to_numpy(),
                    (both.arm == pair[0]).to_numpy(),
                )
                sd = sd_of("log_hr", n_exp + n_ctl, share=n_exp / (n_exp + n_ctl))
                out.append((math.log(hr) - math.log(float(r.hazard_ratio))) / sd)
        elif (landmark := _landmark(r.endpoint)) is not None:
            col, month = landmark
            for obs, df, n in observed:
                sim = survival_at(
                    df[f"{col}_months"].to_numpy(), df[f"{col}_event"].to_numpy(), month
                )
                out.append((sim - obs) / sd_of("rate", n, rate_pct=obs))
        else:
            # the response rate scored is RECIST's confirmed one, so the smooth count is of
            # the change still held at the confirming scan (a SEGA volume response is not
            # confirmed)
            volume = "volume" in r.endpoint
            column = "best_volume_change_pct" if volume else "best_confirmed_change_pct"
            cut = -50.0 if volume else -30.0
            for obs, df, n in observed:
                change = np.nan_to_num(df[column].to_numpy(float), nan=0.0)
                soft = 1.0 / (1.0 + np.exp(np.clip((change - cut) / 2.0, -50, 50)))
                out.append((100.0 * float(np.mean(soft)) - obs) / sd_of("rate", n, rate_pct=obs))
    return out


def _arm_pair(row, arms: list[str]) -> tuple[str, str]:
    """The design arms a record row compares: named in ``design_arms`` ("exp|control",
    supplementary rows of multi-arm trials), else the first arm against the last."""
    named = getattr(row, "design_arms", None)
    if isinstance(named, str) and "|" in named:
        a, b = named.split("|", 1)
        return a, b
    return arms[0], arms[-1]


def _to_values(ct: str, free: tuple[str, ...], x: np.ndarray) -> dict[str, float]:
    out = {}
    for name, v in zip(free, x, strict=True):
        if name in _BOUNDS:  # log scale within bounds
            lo, hi = _BOUNDS[name]
            out[f"{ct}.{name}"] = float(np.clip(math.exp(v), lo, hi))
        else:
            out[f"{ct}.{name}"] = float(1.0 / (1.0 + math.exp(-v)))
    return out


def _from_values(ct: str, free: tuple[str, ...], start: dict[str, float]) -> np.ndarray:
    x = []
    for name in free:
        v = start[name]
        if name in _BOUNDS:
            x.append(math.log(max(v, _BOUNDS[name][0])))
        else:
            v = min(max(v, 1e-3), 1 - 1e-3)
            x.append(math.log(v / (1 - v)))
    return np.array(x)


_FITS: dict[tuple[str, str], dict[str, float]] = {}


def _fit_type(
    ct: str, rows: pd.DataFrame, base: dict[str, float], settings: FitSettings
) -> dict[str, float]:
    """Fit one cancer type's free parameters to its trials' rows (others held at ``base``),
    the objective computed as ``settings`` say.

    Memoised on the rows and on the values the type runs with: a fold that leaves another
    type's trial out reuses this type's fit when it saw exactly the same data and pooled
    values.
    """
    own = sorted(
        (k, round(v, 12))
        for k, v in base.items()
        if k.split(".")[0] in (ct, *[c for c, p in TIES.items() if p == ct])
    )
    key = (ct, settings, rows.to_json(), json.dumps(own))
    if key not in _FITS:
        _FITS[key] = _fit_type_uncached(ct, rows, base, settings)
    return _FITS[key]


def identified(ct: str, rows: pd.DataFrame) -> tuple[str, ...]:
    """The free parameters of ``ct`` that its remaining ``rows`` can identify.

    A placebo-only arm says nothing of the pathway share, a record without a response rate
    nothing of a cytotoxic fraction, and post-progression growth needs an OS beside a PFS
    or TTP of the same trial. What a fold cannot identify is pooled (:func:`_with_pooled`)
    rather than left to its prior: leaving GRANITE-1 out keeps REGARD's placebo arm, which
    fits the gastric doubling time and post-progression growth but not the share.
    """
    designs = {t: _design(t) for t in rows.trial.unique()}
    treated = any(a.drugs for d in designs.values() for a in d.arms)
    rates = any(e not in TIME_ENDPOINTS and _landmark(e) is None for e in rows.endpoint)
    survival = any(
        {"OS"} <= set(g.endpoint) and bool(set(g.endpoint) & {"PFS", "time to progression"})
        for _, g in rows.groupby("trial")
    )
    # the spread of the share between tumours shows in responders beside the median
    needs = {
        "pathway_share": treated,
        "pathway_share_spread": treated and rates,
        "post_progression_growth": survival,
    }
    needs.update(dict.fromkeys(ROUTE_KILLS, rates))
    return tuple(p for p in FREE[ct] if needs.get(p, True))


def _fit_type_uncached(
    ct: str, rows: pd.DataFrame, base: dict[str, float], settings: FitSettings
) -> dict[str, float]:
    free = identified(ct, rows)
    if not free:
        return {}
    designs = {t: _design(t) for t in rows.trial.unique()}
    # neutral starts (never a value fitted before, which may have seen a held-out trial)
    start = {p: START.get(p.split("@")[0], base[f"{ct}.{p}"]) for p in free}
    for p in free:  # a setting's own row starts from the table's value
        if "@" in p:
            start[p] = base[f"{ct}.{p}"]
    centre = _from_values(ct, free, {p: PRIOR.get(p, (start[p], 0))[0] for p in free})
    sd = np.array([PRIOR.get(p, (0.0, np.inf))[1] for p in free])

    def loss(x: np.ndarray) -> float:
        values = {**base, **_with_ties(_to_values(ct, free, x))}
        with bio.override(values):
            res = []
            for trial, d in designs.items():
                sim = _simulate(d, settings.patients)
                res += _residuals(rows[rows.trial == trial], sim, d, settings.weighting)
        return float(np.sum(np.square(res)) + np.sum(np.square((x - centre) / sd)))

    # scan-quantised medians make the objective rough: Nelder-Mead from each doubling time
    # of a fixed set of starts (the same for every type and fold), the best one kept
    starts = [start]
    if "doubling_time_d" in free:
        starts = [{**start, "doubling_time_d": td} for td in DOUBLING_STARTS]
    best = None
    for s0 in starts:
        x0 = _from_values(ct, free, s0)
        simplex = np.vstack([x0, x0 + 0.5 * np.eye(len(free))])  # steps of 0.5 (log/logit)
        fit = minimize(
            loss,
            x0,
            method="Nelder-Mead",
            options={
                "maxfev": 60 * len(free),
                "xatol": 1e-2,
                "fatol": 1e-2,
                "initial_simplex": simplex,
            },
        )
        if best is None or fit.fun < best.fun:
            best = fit
    return _to_values(ct, free, best.x)


def _with_ties(values: dict[str, float]) -> dict[str, float]:
    """``values`` plus the same values for the types tied to theirs (:data:`TIES`)."""
    out = dict(values)
    for child, parent in TIES.items():
        for key, v in values.items():
            if key.startswith(f"{parent}."):
                out[f"{child}.{key.split('.', 1)[1]}"] = v
    return out


def fit_targets(
    targets: pd.DataFrame,
    progress: Callable[[str], None] | None = None,
    *,
    settings: FitSettings = FitSettings(),
) -> dict[str, float]:
    """Every biology value (``TYPE.parameter``) given the observed rows in ``targets`` only.

    Fitted types take their fit; a free parameter of a type none of whose trials is in
    ``targets``, and every value the table marks pooled, take the mean of the fitted types
    (geometric for doubling times); the rest keep the table's value. The fitted set on
    file is never read, so a held-out trial cannot leak in through it.
    """
    types = {t: _design(t).cancer_type for t in targets.trial.unique()}
    types = {t: TIES.get(ct, ct) for t, ct in types.items()}
    table = table_values()
    # two passes: a type's fit holds its other values where it will run with them, and
    # some of those are pooled from the fits of other types (STAD and COADREAD run with
    # the pooled cytotoxic fraction, everyone with STAD's post-progression growth), so
    # the second pass refits every type with the first pass's pooled values in place.
    # Approximate: the second pass's own pools differ from those it held by up to ~9 %
    # (post-progression growth 0.61 held, 0.66 run; cytotoxic fraction 0.59 vs 0.64), and
    # iterating on did not settle within 1 % in 8 passes (the simulated objective is
    # not smooth), so two passes it is
    base = table
    for _ in range(2):
        fitted: dict[str, float] = {}
        for ct in FREE:
            rows = targets[targets.trial.map(types) == ct]
            if rows.empty:
                continue
            if progress is not None:
                progress(f"fitting {ct}")
            fitted.update(_fit_type(ct, rows, base, settings))
        base = _with_pooled(table, fitted)
    return base


def _with_pooled(table: dict[str, float], fitted: dict[str, float]) -> dict[str, float]:
    """The table with the fitted values, pooled values where the table says pooled (or a
    type's free parameter none of its trials informed), and tied types' values."""
    pooled = {}
    for p in (*POOLED, "doubling_time_d"):
        vals = [
            v
            for k, v in fitted.items()
            if k.endswith(f".{p}") and k.split(".")[0] not in POOL_EXCLUDE
        ]
        if vals:
            mean = np.exp(np.mean(np.log(vals))) if p in _LOG_POOLED else np.mean(vals)
            pooled[p] = float(mean)
    out = dict(table)
    out.update(fitted)
    for ct in {k.split(".")[0] for k in table}:
        for p, v in pooled.items():
            key = f"{ct}.{p}"
            unfitted_free = ct in FREE and p in FREE[ct] and key not in fitted
            if key not in fitted and (bio.is_pooled(ct, p) or unfitted_free):
                out[key] = v
    for ct in {k.split(".")[0] for k in table}:  # a route kill nothing fitted nor pooled
        for p in ROUTE_KILLS[1:]:  # runs as the growth law's default: the drive's kill
            if f"{ct}.{p}" not in fitted and p not in pooled:
                out[f"{ct}.{p}"] = out[f"{ct}.{ROUTE_KILLS[0]}"]
    for child, parent in TIES.items():  # a tied type runs with its parent's biology
        for p in FREE[parent]:
            out[f"{child}.{p}"] = out[f"{parent}.{p}"]
    return out


def table_values() -> dict[str, float]:
    """Every ``TYPE.parameter`` at the table's own value (no fitted set applied)."""
    t = bio.biology_table()
    out = {
        f"{ct}.{p}": bio.biology_default(ct, p)
        for ct in t.cancer_type.unique()
        for p in bio.PARAMETERS
    }
    for key in bio.setting_keys():
        ct, p = key.split(".", 1)
        out[key] = bio.setting_default(ct, p)
    return out


def calibrate(
    progress: Callable[[str], None] | None = None,
    *,
    settings: FitSettings = FitSettings(),
    workers: int = 1,
) -> dict:
    """The fitted set on every trial of the record and every leave-one-trial-out fold, as
    written to ``trial_fit.json`` (each with the trials it was fitted to).

    ``workers`` > 1 fits the folds in that many forked processes (the same result).
    """
    targets = _targets()
    values = fit_targets(targets, progress, settings=settings)
    trials = sorted(targets.trial.unique())
    folds = leave_one_trial_out(progress, settings=settings, workers=workers)
    return {
        "version": date.today().isoformat(),
        "fitted_to": trials,
        "method": "per-type Nelder-Mead on weighted squared errors (mtorsim.trials.calibration)",
        "settings": {
            "patients": settings.patients,
            "seed": SEED,
            "weighting": settings.weighting,
        },
        "values": _changed(values),
        "leave_one_trial_out": {
            t: {"fitted_to": [x for x in trials if x != t], "values": _changed(v)}
            for t, v in folds.items()
        },
    }


def _changed(values: dict[str, float]) -> dict[str, float]:
    """The values that differ from the table (fitted or pooled), rounded."""
    table = table_values()
    return {k: round(v, 5) for k, v in sorted(values.items()) if abs(v - table[k]) > 1e-12}


def leave_one_trial_out(
    progress: Callable[[str], None] | None = None,
    *,
    settings: FitSettings = FitSettings(),
    workers: int = 1,
) -> dict[str, dict[str, float]]:
    """Per trial: the biology fitted without any of that trial's rows (never its outcome).

    With ``workers`` > 1 the folds run in forked processes, which inherit the fits and
    simulated cohorts already memoised here (a fold refits only what its rows change).
    """
    targets = _targets()
    held_out = list(targets[targets.record == "calibration"].trial.unique())
    if workers <= 1:
        out = {}
        for trial in held_out:
            if progress is not None:
                progress(f"fitting without {trial}")
            out[trial] = fit_targets(targets[targets.trial != trial], settings=settings)
        return out
    # a forked child must not start numba's OpenMP pool (GNU OpenMP aborts after fork):
    # every cohort it needs is simulated here first, so children only re-run kinetics
    for trial in targets.trial.unique():
        _simulate(_design(trial), settings.patients)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = {
            pool.submit(fit_targets, targets[targets.trial != t], settings=settings): t
            for t in held_out
        }
        done = {}
        for job in as_completed(jobs):
            done[jobs[job]] = job.result()
            if progress is not None:
                progress(f"fitted without {jobs[job]}")
    return {t: done[t] for t in held_out}


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - offline refit
    """Refit and write the fitted set (``data/trials/trial_fit.json`` unless ``--out``)."""
    import argparse
    from importlib import resources

    from mtorsim.io import atomic_path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--patients", type=int, default=N_FIT)
    parser.add_argument("--weighting", choices=("fixed", "record"), default="record")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    fit = calibrate(
        progress=lambda msg: print(msg, flush=True),
        settings=FitSettings(args.patients, args.weighting),
        workers=args.workers,
    )
    path = args.out or str(resources.files("mtorsim.data").joinpath("trials/trial_fit.json"))
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(fit, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover - offline refit
    main()
