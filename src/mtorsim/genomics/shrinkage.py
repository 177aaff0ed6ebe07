"""Effect sizes shrunk toward their assumed values, and fits that borrow CTRP's lines.

Two standard ways to fit variant effect sizes from few carrier lines without a hard
cut-off (:data:`~mtorsim.genomics.calibration.MIN_LINES`):

* **Shrinkage.** Every effect size carried by at least one training line is fitted, each
  log multiplier under a Gaussian prior centred on the assumed size (0) with standard
  deviation ``prior_sd`` (a ridge penalty toward the prior, as the tissue offsets' ridge
  toward 0): an effect carried by few lines stays near its assumed size, one carried by
  many moves as far as the data ask. ``prior_sd`` is chosen from :data:`PRIOR_SD_GRID` by
  an inner cross-validation on the training lines only (grouped by cell line, squared
  standardised error of held-out lines' ln IC50), never on a test fold.
* **Borrowing CTRP.** The effect sizes are fitted jointly on GDSC1 ln IC50 and CTRP AUC of
  the same drugs (each screen with its own link and tissue offsets per drug, drugs
  labelled ``"ctrp:<drug>"``); a cell line's CTRP rows enter only where its GDSC rows may
  (:func:`joint_table` drops every test line from both screens).

On GDSC1's 5 folds (seed 0; ``benchmarks/gdsc_session7.py``,
``benchmarks/results/gdsc_session7.csv``) neither beat the fits with the ``MIN_LINES``
cut-off beyond fold noise: the inner CV's error changes by 0.1-0.5 % over the grid and picks
the flattest prior (3.0) in 9 of 10 outer folds, and CTRP adds 65 lines, all but one
already in GDSC.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from mtorsim.genomics.calibration import (
    MechanisticFit,
    ResponseCache,
    fit_mechanistic,
    predict_mechanistic,
)
from mtorsim.genomics.folds import cell_line_folds

__all__ = [
    "INNER_K",
    "INNER_KW",
    "INNER_SEED",
    "PRIOR_SD_GRID",
    "choose_prior_sd",
    "fit_shrunk",
    "joint_profiles",
    "joint_table",
]

#: prior SDs of a log effect multiplier tried by the inner CV, natural-log units (assumed:
#: half-decade steps from a tight prior, x/÷ 1.1 at one SD, to a nearly flat one, x/÷ 20)
PRIOR_SD_GRID = (0.1, 0.3, 1.0, 3.0)
INNER_K = 5  # inner folds (by cell line) on the training lines
INNER_SEED = 1  # seed of the inner folds (differs from the outer folds' seed 0; assumed)
#: how the inner fits differ from the final one: one start, from the assumed sizes (the
#: prior's mode), and the linear link, which is what the effect sizes are fitted under in
#: either link variant (the monotone link is fitted once they are fixed); assumed, to keep
#: the inner CV at ~20 fits of a few seconds
INNER_KW = {"n_starts": 1, "link": "linear"}
COLUMNS = ["cell_line", "tissue", "drug", "observed"]


def joint_table(
    gdsc: pd.DataFrame, ctrp: pd.DataFrame, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """GDSC rows of ``gdsc`` plus the CTRP rows (drug ``"ctrp:<drug>"``) of every line not
    in ``exclude`` (a fold's test lines) nor held out of ``gdsc`` (``gdsc.attrs["held_out"]``),
    so no line is in a fit through either screen while it is tested."""
    out = set(exclude) | set(gdsc.attrs.get("held_out", ()))
    extra = ctrp[~ctrp["cell_line"].isin(out)].assign(drug=lambda t: "ctrp:" + t["drug"])
    joint = pd.concat([gdsc[COLUMNS], extra[COLUMNS]], ignore_index=True)
    joint.attrs["held_out"] = sorted(out)
    return joint


def joint_profiles(
    gdsc: dict[str, dict[str, float]], ctrp: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """One genotype per line: GDSC's where the line has one, else CTRP's table's."""
    return {**ctrp, **gdsc}


def choose_prior_sd(
    train: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    cache: ResponseCache,
    *,
    grid: tuple[float, ...] = PRIOR_SD_GRID,
    k: int = INNER_K,
    seed: int = INNER_SEED,
    **kw,
) -> tuple[float, dict[float, float]]:
    """(chosen prior SD, inner-CV error per grid value) on ``train`` rows only.

    Inner folds group ``train``'s lines (across screens in a joint table); each grid value
    is fitted on the other inner folds and scored on the held-out lines' primary-screen
    rows (drug labels without ``":"``) as the mean squared error standardised by each drug's
    SD, over the rows it predicts (a grid value that leaves rows unpredicted gains nothing).
    Ties go to the smaller SD (the stronger pull to the assumed sizes).
    """
    train = train.dropna(subset=["observed"]).reset_index(drop=True)
    inner = train["cell_line"].map(cell_line_folds(train["cell_line"], k=k, seed=seed))
    primary = ~train["drug"].str.contains(":", regex=False)
    sd = train[primary].groupby("drug")["observed"].std()
    err: dict[float, float] = {}
    for tau in sorted(grid):
        total, scored = 0.0, 0
        for f in range(k):
            held = train[(inner == f) & primary].reset_index(drop=True)
            fit = fit_mechanistic(train[inner != f], profiles, cache, prior_sd=tau, **kw)
            pred = predict_mechanistic(fit, held, profiles, cache)
            z = ((held["observed"] - pred) / held["drug"].map(sd)).to_numpy(float)
            total += float(np.sum(z[np.isfinite(z)] ** 2))
            scored += int(np.isfinite(z).sum())
        err[tau] = total / max(scored, 1)  # a mean: rows without a prediction cannot help
    return min(err, key=lambda t: (err[t], t)), err


def fit_shrunk(
    train: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    cache: ResponseCache,
    *,
    grid: tuple[float, ...] = PRIOR_SD_GRID,
    choice: tuple[float, dict[float, float]] | None = None,
    **kw,
) -> MechanisticFit:
    """Every carried effect size fitted under the prior SD the inner CV chooses.

    ``kw`` go to every fit, with :data:`INNER_KW` overriding them in the inner fits.
    ``choice``: :func:`choose_prior_sd`'s answer for these rows, when the caller has it
    (the linear and monotone variants share it). The fit records the chosen SD
    (``prior_sd``) and the inner errors (``inner_errors``).
    """
    kw = {**kw, "min_lines": 1}
    if choice is None:
        choice = choose_prior_sd(train, profiles, cache, grid=grid, **{**kw, **INNER_KW})
    tau, err = choice
    fit = fit_mechanistic(train, profiles, cache, prior_sd=tau, **kw)
    fit.inner_errors = dict(err)
    return fit
