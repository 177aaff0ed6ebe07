"""Cross-validation folds grouped by cell line, and the skill measures scored on them.

One function builds the folds so every model (mechanistic or baseline) is scored on the same
split; a cell line sits in exactly one test fold, so no line is ever in train and test at
once, whatever drugs it was screened with.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

__all__ = ["cell_line_folds", "skill", "within_tissue_skill"]


def cell_line_folds(cell_lines: Iterable[str], k: int = 5, seed: int = 0) -> pd.Series:
    """Cell line -> fold (0..k-1), fixed by ``seed`` and independent of input order.

    Lines are sorted, shuffled by a seeded generator and dealt round-robin, so folds differ
    in size by at most one line and the same seed always gives the same split.
    """
    names = np.array(sorted(set(cell_lines)))
    if k < 2 or len(names) < k:
        raise ValueError(f"need k >= 2 and at least k cell lines (k={k}, lines={len(names)})")
    order = np.random.default_rng(seed).permutation(len(names))
    fold = np.empty(len(names), dtype=int)
    fold[order] = np.arange(len(names)) % k
    return pd.Series(fold, index=pd.Index(names, name="cell_line"), name="fold")


def skill(predicted: pd.Series | np.ndarray, observed: pd.Series | np.ndarray) -> float:
    """Spearman rho of predicted and observed ln IC50 (higher = better).

    A constant prediction ranks nothing and scores 0 (not NaN), so a model whose link
    went flat in one fold is not silently scored on its other folds only.
    """
    p, o = np.asarray(predicted, float), np.asarray(observed, float)
    if len(p) < 3 or np.ptp(o) == 0:
        return float("nan")
    if np.ptp(p) == 0:
        return 0.0
    return float(spearmanr(p, o)[0])


def within_tissue_skill(
    predicted: pd.Series | np.ndarray, observed: pd.Series | np.ndarray, tissue: pd.Series
) -> float:
    """:func:`skill` after removing each tissue's mean from both (tissues with >= 2 lines).

    This asks whether a model ranks lines *within* a tissue, which a tissue-mean model
    cannot do (its centred predictions are all zero, so it scores 0).
    """
    df = pd.DataFrame(
        {"p": np.asarray(predicted, float), "o": np.asarray(observed, float), "t": tissue.values}
    )
    df = df[df.groupby("t")["o"].transform("size") >= 2]
    centred = df[["p", "o"]] - df.groupby("t")[["p", "o"]].transform("mean")
    centred = centred.round(12)  # tissue-constant predictions centre to exactly zero
    return skill(centred["p"], centred["o"])
