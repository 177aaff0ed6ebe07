"""RECIST 1.1 on target-lesion sums, vectorised over patients.

Per assessment: CR when every target lesion has disappeared (below the detection limit),
PR at a sum <= 70 % of baseline, PD at a sum >= 120 % of the nadir (baseline included) and
at least 5 mm above it, or a new lesion; SD otherwise. A response counts as confirmed when
the next assessment (at least ``confirm_weeks`` later) still shows CR/PR. The best overall
response is taken up to progression.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CATEGORIES", "DETECTION_LIMIT_MM", "recist"]

CATEGORIES = np.array(["CR", "PR", "SD", "PD", "NE"])
DETECTION_LIMIT_MM = 2.0  # assumed: smaller lesions count as disappeared


def recist(
    baseline_sum: np.ndarray,
    sums: np.ndarray,
    all_gone: np.ndarray,
    new_lesion: np.ndarray,
    assessed: np.ndarray,
    *,
    confirm_steps: int = 1,
) -> dict[str, np.ndarray]:
    """Responses of P patients over A assessments.

    Parameters
    ----------
    baseline_sum : (P,) baseline sum of target diameters (mm).
    sums : (P, A) sums at each assessment (mm).
    all_gone : (P, A) every target lesion below the detection limit.
    new_lesion : (P, A) a new lesion was seen by this assessment.
    assessed : (P, A) the assessment took place (patient still on study).

    Returns
    -------
    dict with ``pd_index`` (first PD assessment, -1 if none), ``category`` (P, A) codes
    into :data:`CATEGORIES`, ``best`` (P,) best confirmed overall response code, ``best_change``
    (P,) best % change of the sum before progression (waterfall), ``best_confirmed_change``
    (P,) the best % change still held at the confirming assessment: a confirmed CR/PR is a
    value <= -30 (up to rounding at exactly -30), given that a CR's sum is below 70 % of
    baseline, as lesions under the detection limit always are; the smooth quantity behind
    the confirmed response rate, for fitting.
    """
    p, a = sums.shape
    nadir = np.minimum.accumulate(np.concatenate([baseline_sum[:, None], sums], axis=1), axis=1)
    prior_nadir = nadir[:, :-1]
    grew = (sums >= 1.2 * prior_nadir) & (sums - prior_nadir >= 5.0)
    progressed = (grew | new_lesion) & assessed
    pd_index = np.where(progressed.any(axis=1), progressed.argmax(axis=1), -1)
    cat = np.full((p, a), 4)  # NE
    cat = np.where(assessed, 2, cat)
    cat = np.where(assessed & (sums <= 0.7 * baseline_sum[:, None]), 1, cat)
    cat = np.where(assessed & all_gone, 0, cat)
    cat = np.where(progressed, 3, cat)
    idx = np.arange(a)[None, :]
    before_pd = (pd_index[:, None] < 0) | (idx < pd_index[:, None])
    after_pd = (pd_index[:, None] >= 0) & (idx > pd_index[:, None])
    cat = np.where(after_pd, 4, cat)
    # confirmation: CR/PR again at the assessment ``confirm_steps`` later
    later = _at_confirmation(cat, confirm_steps, 4)
    confirmed_cr = (cat == 0) & (later == 0)
    confirmed_pr = (cat <= 1) & (later <= 1)
    best = np.full(p, 4)
    sd = ((cat == 2) | (cat <= 1)).any(axis=1)
    best = np.where(pd_index == 0, 3, best)
    best = np.where(sd & (best == 4), 2, best)
    best = np.where(confirmed_pr.any(axis=1), 1, best)
    best = np.where(confirmed_cr.any(axis=1), 0, best)
    best = np.where((best == 4) & (pd_index > 0), 3, best)
    change = np.where(assessed & before_pd, sums / baseline_sum[:, None] - 1.0, np.inf)
    held = np.maximum(change, _at_confirmation(change, confirm_steps, np.inf))
    return {
        "pd_index": pd_index,
        "category": cat,
        "best": best,
        "best_change": _best_percent(change),
        "best_confirmed_change": _best_percent(held),
    }


def _at_confirmation(x: np.ndarray, steps: int, missing) -> np.ndarray:
    """Each assessment's value ``steps`` assessments later (``missing`` past the end)."""
    out = np.full_like(x, missing)
    if x.shape[1] > steps:
        out[:, :-steps] = x[:, steps:]
    return out


def _best_percent(change: np.ndarray) -> np.ndarray:
    """The smallest fractional change per patient in %, NaN where none was measured."""
    best = np.min(change, axis=1)
    return np.where(np.isfinite(best), 100.0 * best, np.nan)
