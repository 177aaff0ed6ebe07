"""Run a virtual trial: patients -> clones -> growth rates -> lesions -> RECIST -> PFS/OS.

The pipeline for a chunk of patients (numbers ``first`` ... ``first + n - 1``):

1. sample patients (:func:`sample_patients`) and randomise each by their own stream;
2. build three clones per patient (truncal genotype; truncal + a subclonal driver in some
   lesions; truncal + an FRB-domain MTOR mutation at a tiny pre-existing fraction, the
   seed of acquired rapalog resistance, C30);
3. solve the pathway to steady state for every clone untreated and at the patient's
   average free drug exposure (their clearance; full and reduced dose, after-progression
   therapy; an unusual schedule scaled by its cycle-averaged target occupancy), one
   batched solve per drug set, and turn the read-outs into net growth rates;
4. grow lesions exactly over weekly time points with treatment changes (adverse-event stop
   or dose reduction, progression with crossover), score RECIST at each assessment, draw
   new lesions from a burden-driven rate, and let death come at a lethal burden or from
   background causes; dropout and the end of follow-up censor.

Patients are independent and seeded one by one, so any split of a cohort gives the same
patients (the basis of batching and Dask scale-out).
"""

from __future__ import annotations

import json
import math
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtorsim.network.default import default_network
from mtorsim.pharmacology.catalogue import DRUGS, get_drug
from mtorsim.pharmacology.exposure import schedule_factor
from mtorsim.pharmacology.pk import average_free_nM
from mtorsim.trials.biology import biology
from mtorsim.trials.design import TrialDesign
from mtorsim.trials.population import (
    FRB_MUTATION,
    MAX_TARGET_LESIONS,
    cancer_type,
    genotype_parameters,
    sample_patients,
    tumour_parameters,
)
from mtorsim.trials.recist import CATEGORIES, DETECTION_LIMIT_MM, recist
from mtorsim.trials.tolerability import arm_tolerability
from mtorsim.tumour.growth import ROUTE_KILLS, TumourParameters, net_growth_rate
from mtorsim.tumour.lesions import cells_from_diameter, diameter_mm, grow
from mtorsim.tumour.signals import clone_signals, untreated_signals

__all__ = ["DAYS_PER_MONTH", "PATHWAY_CV", "simulate_patients"]

DAYS_PER_MONTH = 30.4375
PATHWAY_CV = 0.25  # assumed inter-patient variability of kinetic constants (as predict)
MEASUREMENT_CV = 0.05  # assumed RECIST error per scan (log-normal; one factor for its lesions)
TOXICITY_MEDIAN_D = 60.0  # assumed median time to a dose-limiting adverse event
REDUCED_DOSE = 0.5  # dose reduction step (fraction of the arm dose)
N_CLONES = 3
APOPTOSIS_SIGMA = 1.0  # assumed log-normal spread of apoptotic sensitivity between patients
APOPTOSIS_Z = 150  # the patient's draw for it (pathway_z beyond the kinetic constants)
SHARE_Z = 151  # the patient's draw for the pathway share of their tumour
MAX_CYTOTOXIC = 4.0  # cap: death at most 4x the proliferation the drug blocks


@dataclass
class ChunkResult:
    """Per-patient endpoints and per-assessment sums for one chunk of patients."""

    patients: pd.DataFrame
    assessments: pd.DataFrame


def _kinetic_names() -> list[str]:
    return [
        p.name
        for p in default_network().parameters
        if p.name.startswith(("k_", "K_")) and "__" not in p.name
    ]


def _clone_parameters(pts: pd.DataFrame) -> pd.DataFrame:
    """Network parameters of every clone (rows: patient-major, clone-minor)."""
    names = _kinetic_names()
    base = np.array([default_network().parameter(n).value for n in names])
    sigma = math.sqrt(math.log(1 + PATHWAY_CV**2))
    z = np.stack(pts["pathway_z"].to_numpy())[:, : len(names)]
    kinetic = base * np.exp(sigma * z)
    rows = []
    for i, r in enumerate(pts.itertuples(index=False)):
        k = dict(zip(names, kinetic[i], strict=True))
        clones = [
            r.truncal,
            r.truncal + ((r.subclone,) if r.subclone else ()),
            (*r.truncal, FRB_MUTATION),
        ]
        for alts in clones:
            rows.append({**k, **dict(genotype_parameters(tuple(sorted(set(alts)))))})
    return pd.DataFrame(rows)


#: drugs that act by oestrogen deprivation: no block where the ER is ligand-independent
AROMATASE_INHIBITORS = frozenset({"exemestane", "letrozole", "anastrozole"})


#: pk_z holds the clearance draws of the first seven catalogue drugs (its eighth column is
#: the patient's lethal-burden draw); later catalogue drugs draw from the patient's own
#: stream keyed by their catalogue position, drugs a user registers by their name
HELD_CLEARANCE_DRAWS = 7


def _clearance_z(pts: pd.DataFrame, drug: str, seed: int) -> np.ndarray:
    """Each patient's standard-normal clearance draw for ``drug``.

    One draw per drug and patient, so no two drugs of an arm share a clearance and no
    clearance moves with the burden a patient survives.
    """
    order = list(DRUGS)
    index = order.index(drug) if drug in order else None
    if index is not None and index < HELD_CLEARANCE_DRAWS:
        return np.stack(pts["pk_z"].to_numpy())[:, index]
    key = index if index is not None else 1000 + zlib.crc32(drug.encode())
    return np.array(
        [np.random.default_rng([seed, int(k), 5, key]).standard_normal() for k in pts["patient"]]
    )


def _exposures(
    pts: pd.DataFrame,
    drugs: dict[str, float],
    scale: float,
    seed: int,
    ai_off: np.ndarray | None = None,
    schedules: dict[str, str] | None = None,
) -> dict[str, np.ndarray]:
    """Free concentration (nM) of each drug per clone row (3 rows per patient).

    The cycle's average at the patient's clearance, on the drug's usual schedule; another
    schedule (``schedules``) scales it by the ratio of the cycle-averaged target occupancies
    (:func:`~mtorsim.pharmacology.exposure.schedule_factor`). ``ai_off`` marks patients whose
    disease no longer answers aromatase inhibitors (ESR1 mutations after an aromatase
    inhibitor): those drugs reach no receptor to block there.
    """
    out = {}
    schedules = schedules or {}
    for name, dose in drugs.items():
        d = get_drug(name)
        cv = d.pk.cv_cl if d.pk is not None else 0.0
        sigma = math.sqrt(math.log(1 + cv**2))
        cl = np.exp(sigma * _clearance_z(pts, d.name, seed))
        avg = np.array([average_free_nM(d.name, dose * scale, cl_multiplier=c) for c in cl])
        factor = schedule_factor(d.name, dose * scale, schedules.get(d.name), cl_multiplier=cl)
        conc = avg * np.asarray(factor)
        if ai_off is not None and d.name in AROMATASE_INHIBITORS:
            conc = np.where(ai_off, 0.0, conc)
        out[d.name] = np.repeat(conc, N_CLONES)
    return out


def _ai_resistant(pts: pd.DataFrame, seed: int, fraction: float) -> np.ndarray:
    """Which patients' disease no longer answers aromatase inhibitors (own stream)."""
    if fraction <= 0:
        return np.zeros(len(pts), bool)
    u = [np.random.default_rng([seed, int(k), 3]).random() for k in pts["patient"]]
    return np.array(u) < fraction


def _signals(
    pts: pd.DataFrame,
    clones: pd.DataFrame,
    drugs: dict[str, float],
    seed: int,
    scale: float = 1.0,
    ai_off: np.ndarray | None = None,
    schedules: dict[str, str] | None = None,
):
    """Signalling read-outs of every clone row under ``drugs`` (the costly pathway solve)."""
    exposures = _exposures(pts, drugs, scale, seed, ai_off, schedules)
    return clone_signals(list(drugs), exposures, clones)


def _rates(tumour: pd.DataFrame, signals: pd.DataFrame) -> np.ndarray:
    """(P, C) net growth rates (1/day) from read-outs and the clones' kinetics."""
    return net_growth_rate(tumour, signals).reshape(-1, N_CLONES)


#: pathway solutions per (design arms, cohort) -- they do not depend on the biology table,
#: so calibration and cross-validation re-run the kinetics without re-solving the pathway
_CACHE: OrderedDict[str, dict] = OrderedDict()
_CACHE_SIZE = 48


def _cache_key(design: TrialDesign, n: int, seed: int, first: int, ai: float) -> str:
    d = design.to_dict()
    keep = ("cancer_type", "arms", "allocation", "crossover", "select_genes")  # arms: schedules
    return json.dumps([{k: d[k] for k in keep}, n, seed, first, ai], sort_keys=True, default=str)


def _cohort(design: TrialDesign, n: int, seed: int, first: int, progress) -> dict:
    """Patients, arms, adverse-event draws and every arm's signals (cached)."""
    ct = cancer_type(design.cancer_type)
    ai = biology(ct.key, design.prior_therapy)["ai_resistant_fraction"]
    key = _cache_key(design, n, seed, first, ai)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        if progress is not None:
            progress(n)
        return _CACHE[key]
    pts = sample_patients(ct, n, seed, first=first, select_genes=design.select_genes)
    ai_off = _ai_resistant(pts, seed, ai)
    u = np.stack(pts["u"].to_numpy())
    alloc = np.cumsum(design.allocation_shares)
    alloc[-1] = 1.0  # every draw in [0, 1) lands in an arm, whatever the rounding
    arm_index = np.searchsorted(alloc, u[:, 0], side="right")
    clones = _clone_parameters(pts)
    arms = []
    for a, arm in enumerate(design.arms):
        sel = np.flatnonzero(arm_index == a)
        if sel.size == 0:
            arms.append(None)
            continue
        rows = np.concatenate([np.arange(i * N_CLONES, (i + 1) * N_CLONES) for i in sel])
        sub_pts, sub_cl = pts.iloc[sel], clones.iloc[rows]
        off = ai_off[sel]
        on = _signals(sub_pts, sub_cl, arm.drugs, seed, ai_off=off, schedules=arm.schedules)
        after = design.crossover.get(arm.name, {})
        arms.append(
            {
                "sel": sel,
                "rows": rows,
                "on": on,
                "untreated": untreated_signals(len(rows)),
                "low": (
                    _signals(sub_pts, sub_cl, arm.drugs, seed, REDUCED_DOSE, off, arm.schedules)
                    if arm.drugs
                    else on
                ),
                "cross": _signals(sub_pts, sub_cl, after, seed, ai_off=off) if after else None,
            }
        )
        if progress is not None:
            progress(int(sel.size))
    out = {"pts": pts, "u": u, "arm_index": arm_index, "arms": arms}
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def _first_crossing(values: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Index of the first column where values >= threshold, else -1 (per row)."""
    hit = values >= threshold[:, None]
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


def simulate_patients(
    design: TrialDesign,
    n: int,
    seed: int,
    *,
    first: int = 0,
    progress: Callable[[int], None] | None = None,
) -> ChunkResult:
    """Simulate patients ``first`` ... ``first + n - 1`` of ``design``."""
    ct = cancer_type(design.cancer_type)
    params = tumour_parameters(ct.key, ct.tumour.cell_loss, design.prior_therapy)
    type_biology = biology(ct.key, design.prior_therapy)
    post_factor = type_biology["post_progression_growth"]
    cohort = _cohort(design, n, seed, first, progress)
    pts, u, arm_index = cohort["pts"], cohort["u"], cohort["arm_index"]
    tumour = _tumour_table(params, ct, pts, type_biology["pathway_share_spread"])

    horizon_d = design.follow_up_months * DAYS_PER_MONTH
    times = np.arange(0.0, horizon_d + 7.0, 7.0)
    step = max(1, round(design.assessment_weeks))
    a_idx = np.arange(step, len(times), step)
    confirm_steps = max(1, math.ceil(design.confirm_weeks / design.assessment_weeks))

    p = len(pts)
    k_rates = np.zeros((p, 4, N_CLONES))
    starts = np.zeros((p, 4))
    stopped = np.zeros(p, bool)
    reduced = np.zeros(p, bool)
    crossed = np.zeros(p, bool)
    for a, arm in enumerate(design.arms):
        sig = cohort["arms"][a]
        if sig is None:
            continue
        sel, sub_tm = sig["sel"], tumour.iloc[sig["rows"]]
        on = _rates(sub_tm, sig["on"])
        untreated = _rates(sub_tm, sig["untreated"])
        low = _rates(sub_tm, sig["low"]) if arm.drugs else on
        # after progression: crossover for a share of the arm, else next-line care
        post = untreated * np.where(untreated > 0, post_factor, 1.0)
        if sig["cross"] is not None:
            cross = u[sel, 6] < design.crossover_fraction
            crossed[sel] = cross
            post = np.where(cross[:, None], _rates(sub_tm, sig["cross"]), post)
        p_stop, p_red = arm_tolerability(arm.drugs) if arm.drugs else (0.0, 0.0)
        stop = u[sel, 1] < p_stop
        red = ~stop & (u[sel, 1] < p_stop + p_red)
        t_tox = -np.log(np.clip(u[sel, 2], 1e-12, 1)) * TOXICITY_MEDIAN_D / math.log(2)
        stopped[sel], reduced[sel] = stop, red
        k_rates[sel, 0] = on
        k_rates[sel, 1] = np.where(stop[:, None], untreated, np.where(red[:, None], low, on))
        k_rates[sel, 2] = post
        # after progressing again on the crossover drugs: next-line care, as everyone else
        k_rates[sel, 3] = untreated * np.where(untreated > 0, post_factor, 1.0)
        starts[sel, 1] = np.where(stop | red, t_tox, np.inf)
    starts[:, 2:] = np.inf
    t_stop = np.where(stopped, starts[:, 1], np.inf)

    # initial cells per lesion and clone
    cells0 = np.zeros((p, MAX_TARGET_LESIONS, N_CLONES))
    target = np.zeros((p, MAX_TARGET_LESIONS), bool)
    for i, r in enumerate(pts.itertuples(index=False)):
        m = len(r.diameters_mm)
        total = cells_from_diameter(r.diameters_mm)
        frb = np.minimum(total * ct.resistant_fraction, total)
        sub = np.where(r.subclone_lesions, r.subclone_fraction, 0.0) * (total - frb)
        cells0[i, :m, 0] = total - frb - sub
        cells0[i, :m, 1] = sub
        cells0[i, :m, 2] = frb
        target[i, :m] = True

    pre = grow(cells0, starts, k_rates, times)  # (P, L, C, T) before progression
    result = _score(design, ct, pts, u, cells0, target, pre, times, a_idx, confirm_steps, seed)
    # after progression: start the post-progression segment and follow to death
    t_pd = result["t_pd"]
    starts[:, 2] = np.where(np.isfinite(t_pd), t_pd, np.inf)
    starts[:, 1] = np.minimum(starts[:, 1], starts[:, 2])
    post = grow(cells0, starts, k_rates, times)
    # crossover lasts until the disease progresses on it (RECIST on the target sum, nadir
    # from the crossover), then the patient stops the crossover drugs
    need2 = _second_draws(pts["patient"].to_numpy(), seed)
    t_pd2 = _second_progression(post, target, times, a_idx, t_pd, crossed, ct, need2)
    again = np.flatnonzero(np.isfinite(t_pd2))
    if again.size:  # regrow only the patients whose crossover ended
        starts[:, 3] = t_pd2
        post[again] = grow(cells0[again], starts[again], k_rates[again], times)
    burden = post.sum(axis=(1, 2))
    lethal = ct.lethal_fold * np.exp(0.3 * np.stack(pts["pk_z"].to_numpy())[:, -1])
    death_i = _first_crossing(burden / burden[:, :1], lethal)
    t_death = np.where(death_i >= 0, times[np.maximum(death_i, 0)], np.inf)
    t_bg = -np.log(np.clip(u[:, 4], 1e-12, 1)) / max(ct.background_death_per_year, 1e-12) * 365.25
    t_death = np.minimum(t_death, t_bg)
    treat = (stopped, reduced, crossed, t_stop, t_pd2)
    return _endpoints(design, ct, pts, u, arm_index, result, t_death, treat, post, times)


def _second_draws(patients: np.ndarray, seed: int) -> np.ndarray:
    """Each patient's exponential draw for a new lesion on crossover (own stream, so the
    first-line draws and every other patient are unchanged)."""
    u = np.array([np.random.default_rng([seed, int(k), 2]).random() for k in patients])
    return -np.log(np.clip(u, 1e-12, 1))


def _second_progression(cells, target, times, a_idx, t_pd, crossed, ct, need) -> np.ndarray:
    """Day of progression on the crossover drugs (inf: none, or no crossover).

    RECIST as on the first line: the target sum grows >= 20 % and 5 mm over its nadir
    since crossover, or a new lesion appears (the same burden-driven rate as before
    progression, counted from the crossover). Without new lesions crossover lasted longer
    than first-line everolimus (5.5 vs 3.7 months in RECORD-1), which no trial reports.
    """
    out = np.full(len(t_pd), np.inf)
    who = np.flatnonzero(crossed & np.isfinite(t_pd))
    if who.size == 0:
        return out
    lesion = cells[who].sum(axis=2)
    sums = (diameter_mm(lesion) * target[who, :, None]).sum(axis=1)[:, a_idx]
    after = times[a_idx][None, :] >= t_pd[who, None]
    running = np.where(after, sums, np.inf)
    nadir = np.minimum.accumulate(running, axis=1)
    prior = np.concatenate([np.full((len(who), 1), np.inf), nadir[:, :-1]], axis=1)
    grew = after & (sums >= 1.2 * prior) & (sums - prior >= 5.0)
    burden = lesion.sum(axis=1)
    ratio = burden / np.maximum(burden[:, :1], 1e-300)
    since = times[None, :] > t_pd[who, None]
    hazard = np.cumsum(ct.new_lesion_per_year / 365.25 * 7.0 * ratio * since, axis=1)
    new_i = _first_crossing(hazard, need[who])
    t_new = np.where(new_i >= 0, times[np.maximum(new_i, 0)], np.inf)
    grew |= after & (times[a_idx][None, :] >= t_new[:, None])
    hit = grew.any(axis=1)
    out[who[hit]] = times[a_idx][grew[hit].argmax(axis=1)]
    return out


def _tumour_table(
    params: TumourParameters, ct, pts: pd.DataFrame, share_spread: float = 0.0
) -> pd.DataFrame:
    """Tumour kinetics per clone row (patients' own doubling times, from the biology).

    ``share_spread``: SD, on the logit scale, of the pathway share between tumours of the
    type (some pathway-addicted, some driven elsewhere), centred on the type's share.
    """
    sigma = np.sqrt(np.log(1 + ct.doubling_cv**2))
    td = params.doubling_time_d * np.exp(sigma * pts["doubling_z"].to_numpy())
    td = np.repeat(td, N_CLONES)
    table = pd.DataFrame({k: np.full(len(td), v) for k, v in params.__dict__.items()})
    table["doubling_time_d"] = td
    z = np.stack(pts["pathway_z"].to_numpy())
    if share_spread > 0:
        s = min(max(params.pathway_share, 1e-6), 1 - 1e-6)
        logit = math.log(s / (1 - s)) + share_spread * z[:, SHARE_Z]
        table["pathway_share"] = np.repeat(1.0 / (1.0 + np.exp(-logit)), N_CLONES)
    # apoptotic sensitivity varies between patients (log-normal, mean 1): a minority
    # shrinks deeply, the rest is held stable -- the low ORR beside a PFS benefit
    spread = np.exp(APOPTOSIS_SIGMA * z[:, APOPTOSIS_Z] - APOPTOSIS_SIGMA**2 / 2)
    for name in ROUTE_KILLS:
        cyto = np.minimum(getattr(params, name) * spread, MAX_CYTOTOXIC)
        table[name] = np.repeat(cyto, N_CLONES)
    return table


#: the patient's draws held for the first scans' measurement errors (pathway_z's tail)
HELD_SCAN_DRAWS = 64


def _scan_errors(pts: pd.DataFrame, n_scans: int, seed: int) -> np.ndarray:
    """(P, n_scans) multiplicative measurement errors of the target sum at each scan.

    The first :data:`HELD_SCAN_DRAWS` come from the patient's own draws; scans beyond them
    (long follow-up, frequent scans) from the patient's own stream, so the earlier scans,
    and every other patient, are unchanged.
    """
    z = np.stack(pts["pathway_z"].to_numpy())[:, -HELD_SCAN_DRAWS:][:, :n_scans]
    extra = n_scans - z.shape[1]
    if extra > 0:
        more = [
            np.random.default_rng([seed, int(k), 4]).standard_normal(extra) for k in pts["patient"]
        ]
        z = np.concatenate([z, np.array(more).reshape(len(pts), extra)], axis=1)
    return np.exp(MEASUREMENT_CV * z)


def _score(design, ct, pts, u, cells0, target, cells, times, a_idx, confirm_steps, seed):
    p = len(pts)
    lesion = cells.sum(axis=2)  # (P, L, T)
    diam = diameter_mm(lesion) * target[:, :, None]
    n_a = len(a_idx)
    noisy = diam[:, :, a_idx] * _scan_errors(pts, n_a, seed)[:, None, :]
    sums = noisy.sum(axis=1)
    baseline = diam[:, :, 0].sum(axis=1)
    gone = np.all((diam[:, :, a_idx] < DETECTION_LIMIT_MM) | ~target[:, :, None], axis=1)
    # new lesions: rate proportional to burden relative to baseline
    ratio = lesion.sum(axis=1) / np.maximum(lesion.sum(axis=1)[:, :1], 1e-300)
    hazard = np.cumsum(ct.new_lesion_per_year / 365.25 * 7.0 * ratio, axis=1)
    need = -np.log(np.clip(u[:, 7], 1e-12, 1))
    new_i = _first_crossing(hazard, need)
    t_new = np.where(new_i >= 0, times[np.maximum(new_i, 0)], np.inf)
    new = times[a_idx][None, :] >= t_new[:, None]
    assessed = np.ones((p, n_a), bool)
    r = recist(baseline, sums, gone, new, assessed, confirm_steps=confirm_steps)
    t_pd = np.where(r["pd_index"] >= 0, times[a_idx][np.maximum(r["pd_index"], 0)], np.inf)
    volume = lesion.sum(axis=1)[:, a_idx] / lesion.sum(axis=1)[:, :1]
    pre_pd = np.arange(n_a)[None, :] < np.where(r["pd_index"] >= 0, r["pd_index"], n_a)[:, None]
    best_volume = np.where(pre_pd, volume, np.inf).min(axis=1)
    return {
        **r,
        "t_pd": t_pd,
        "sums": sums,
        "baseline": baseline,
        "times": times[a_idx],
        "best_volume": best_volume,
    }


def _endpoints(design, ct, pts, u, arm_index, r, t_death, treat, cells, times):
    p = len(pts)
    stopped, reduced, crossed, t_stop, t_pd2 = treat
    month = DAYS_PER_MONTH
    accrual = u[:, 5] * design.accrual_months * month
    admin = design.follow_up_months * month - accrual
    dropout = -np.log(np.clip(u[:, 3], 1e-12, 1)) / max(ct.dropout_per_year, 1e-12) * 365.25
    censor = np.minimum(admin, dropout)
    pfs_t = np.minimum(r["t_pd"], t_death)
    pfs_event = pfs_t <= censor
    os_event = t_death <= censor
    ttp_event = r["t_pd"] <= np.minimum(censor, t_death)
    frb = cells[:, :, 2].sum(axis=1) / np.maximum(cells.sum(axis=(1, 2)), 1e-300)
    end_i = np.clip(np.searchsorted(times, np.minimum(pfs_t, censor)), 0, len(times) - 1)
    arms = np.array([a.name for a in design.arms])
    patients = pd.DataFrame(
        {
            "patient": pts["patient"].to_numpy(),
            "arm": arms[arm_index],
            "genotype": [";".join(f"{g}:{a}" for g, a in t) or "wild type" for t in pts.truncal],
            "subclone": [f"{s[0]}:{s[1]}" if s else "" for s in pts.subclone],
            "lesions": [len(d) for d in pts.diameters_mm],
            "baseline_sum_mm": r["baseline"],
            "doubling_time_d": pts["doubling_time_d"].to_numpy(),
            "pfs_months": np.minimum(pfs_t, censor) / month,
            "pfs_event": pfs_event,
            "ttp_months": np.minimum(r["t_pd"], np.minimum(censor, t_death)) / month,
            "ttp_event": ttp_event,
            "os_months": np.minimum(t_death, censor) / month,
            "os_event": os_event,
            "best_response": CATEGORIES[r["best"]],
            "best_change_pct": r["best_change"],
            "best_confirmed_change_pct": r["best_confirmed_change"],
            "best_volume_change_pct": 100.0 * (r["best_volume"] - 1.0),
            "stopped_for_toxicity": stopped,
            "censor_months": censor / month,
            "crossed_over": crossed & (r["t_pd"] < np.minimum(censor, t_death)),
            "crossover_months": np.where(
                crossed & (r["t_pd"] < np.minimum(censor, t_death)), r["t_pd"], np.nan
            )
            / month,
            "on_treatment_months": np.minimum.reduce([r["t_pd"], t_death, censor, t_stop]) / month,
            "crossover_stop_months": np.where(
                crossed & (r["t_pd"] < np.minimum(censor, t_death)),
                np.minimum.reduce([t_pd2, t_death, censor]),
                np.nan,
            )
            / month,
            "dose_reduced": reduced,
            "frb_fraction_at_progression": frb[np.arange(p), end_i],
        }
    )
    for gene in sorted({g for t in pts.truncal for g, _ in t}):
        patients[f"{gene}_mut"] = [any(g == gene for g, _ in t) for t in pts.truncal]
    on_study = r["times"][None, :] <= np.minimum(pfs_t, censor)[:, None]
    pct = 100.0 * (r["sums"] / r["baseline"][:, None] - 1.0)
    ii, jj = np.nonzero(on_study)
    assessments = pd.DataFrame(
        {
            "patient": patients["patient"].to_numpy()[ii],
            "arm": patients["arm"].to_numpy()[ii],
            "week": r["times"][jj] / 7.0,
            "sum_mm": r["sums"][ii, jj],
            "change_pct": pct[ii, jj],
            "response": CATEGORIES[r["category"][ii, jj]],
        }
    )
    return ChunkResult(patients, assessments)
