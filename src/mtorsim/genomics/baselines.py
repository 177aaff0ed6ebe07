"""Statistical baselines for GDSC ln IC50: what the mechanistic model has to beat.

Each baseline is fitted on the training lines of one fold for one drug and predicts ln IC50
of the test lines; nothing about the test lines but their genotype flags and tissue is used.
Ridge penalties are chosen by an inner cross-validation on the training lines only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold

__all__ = ["BASELINES", "FLAG_COLUMNS", "flag_matrix", "ridge_flags", "tissue_mean"]

#: Binary genotype columns of the GDSC cell-line table the ridge baselines may use.
FLAG_COLUMNS = [
    "PIK3CA_mut",
    "PTEN_mut",
    "TSC1_mut",
    "TSC2_mut",
    "MTOR_mut",
    "STK11_mut",
    "KRAS_mut",
    "NRAS_mut",
    "HRAS_mut",
    "BRAF_mut",
    "NF1_mut",
    "NF2_mut",
    "AKT1_mut",
    "RPTOR_mut",
    "PIK3R1_mut",
    "PPP2R1A_mut",
    "PPP2R2B_mut",
    "TP53_mut",
    "msi",
    "PTEN_cna_loss",
    "STK11_cna_loss",
    "NF1_cna_loss",
    "KRAS_cna_gain",
    "AKT1_cna_gain",
]
ALPHAS = np.logspace(-2, 4, 13)

Baseline = Callable[[pd.DataFrame, pd.DataFrame, int], np.ndarray]


def flag_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The genotype flags present in ``table`` as 0/1 floats (unknown = 0 = not mutated)."""
    cols = [c for c in FLAG_COLUMNS if c in table.columns]
    return table[cols].fillna(0.0).astype(float)


def tissue_mean(train: pd.DataFrame, test: pd.DataFrame, seed: int = 0) -> np.ndarray:
    """Mean ln IC50 of the training lines of each test line's tissue (overall mean if none)."""
    means = train.groupby("tissue")["observed"].mean()
    return test["tissue"].map(means).fillna(train["observed"].mean()).to_numpy()


def _ridge(x_train: np.ndarray, y: np.ndarray, x_test: np.ndarray, seed: int) -> np.ndarray:
    inner = KFold(n_splits=5, shuffle=True, random_state=seed)  # training lines only
    model = RidgeCV(alphas=ALPHAS, cv=inner).fit(x_train, y)
    return model.predict(x_test)


def ridge_flags(
    train: pd.DataFrame, test: pd.DataFrame, seed: int = 0, *, tissue: bool = False
) -> np.ndarray:
    """Ridge regression of ln IC50 on genotype flags (and one-hot tissue if ``tissue``)."""
    xa, xb = flag_matrix(train), flag_matrix(test)
    if tissue:
        levels = sorted(train["tissue"].unique())
        onehot = lambda t: pd.get_dummies(  # noqa: E731
            pd.Categorical(t["tissue"], categories=levels), dtype=float
        ).set_axis(t.index)
        xa, xb = pd.concat([xa, onehot(train)], axis=1), pd.concat([xb, onehot(test)], axis=1)
    return _ridge(xa.to_numpy(), train["observed"].to_numpy(), xb.to_numpy(), seed)


#: name -> baseline, in the order the CV table prints them
BASELINES: dict[str, Baseline] = {
    "tissue mean": tissue_mean,
    "ridge flags": ridge_flags,
    "ridge flags + tissue": lambda a, b, s=0: ridge_flags(a, b, s, tissue=True),
}
