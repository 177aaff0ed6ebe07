"""Mechanistic cell-line model of GDSC1 ln IC50, calibrated on training lines only.

A line's genotype flags set network parameters (knowledge-base effect sizes, see
:mod:`mtorsim.genomics.validation`); the network is simulated at each drug's clinical free
concentration (:func:`mtorsim.genomics.predict.predict_response`, one seeded cell
population) and the growth-drive fall is mapped to ln IC50 by a per-drug linear link
``a + b * fall`` with ``b <= 0`` (more simulated response may only mean a lower IC50), plus,
in the "genotype + tissue" variant, ridge-shrunk per-tissue offsets. The few interpretable
parameters fitted are one log multiplier per network parameter on the effect size of every
rule acting on it (only parameters carried by >= ``MIN_LINES`` training lines; bounded),
shared by all drugs, so the network, not a regression, decides how genotype acts on each
drug. The link is solved in closed form inside the objective (variable projection), and
responses are cached per distinct genotype, so a fit costs a few hundred small batches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from mtorsim.genomics.parameter_sets import scale_effects
from mtorsim.genomics.predict import predict_response
from mtorsim.genomics.validation import GDSC_DRUGS

__all__ = [
    "LOG_BOUNDS",
    "MIN_LINES",
    "MechanisticFit",
    "ResponseCache",
    "fit_mechanistic",
    "parameter_rows",
    "predict_mechanistic",
]

#: bounds of the log multiplier on an effect size: both may shrink to 5 % of the assumed
#: size, a gain may grow up to 4x; a loss cannot grow (a level cannot fall below 0; the
#: 5 % headroom keeps the start, the assumed size, strictly inside the bounds, which the
#: trust-region solver needs to take full-sized first steps)
LOG_BOUNDS = {
    "level": (float(np.log(0.05)), float(np.log(1.05))),
    "gain": (float(np.log(0.05)), float(np.log(4.0))),
}
MIN_LINES = 10  # fewer mutant training lines than this: the effect size stays as assumed
TISSUE_SHRINK = 5.0  # ridge penalty on tissue offsets, in lines' worth of data (assumed)


def _kind(parameter: str) -> str:
    return "level" if parameter.endswith("_level") else "gain"


def _key(params: dict[str, float]) -> tuple:
    return tuple(sorted(params.items()))


class ResponseCache:
    """Simulated growth-drive fall per (genotype, drug), each genotype simulated once."""

    def __init__(self, drugs: list[str], *, n_cells: int = 8, seed: int = 0) -> None:
        self.drugs = list(drugs)  # GDSC names
        self.n_cells, self.seed = n_cells, seed
        self._store: dict[tuple, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._store)

    def get(self, genotypes: list[dict[str, float]]) -> np.ndarray:
        """(genotype, drug) matrix of the mean growth-drive fall, columns as ``drugs``."""
        keys = [_key(g) for g in genotypes]
        missing = [k for k in dict.fromkeys(keys) if k not in self._store]
        if missing:
            names = [GDSC_DRUGS[d] for d in self.drugs]
            pred = predict_response(
                {f"g{i}": dict(k) for i, k in enumerate(missing)},
                names,
                n=self.n_cells,
                seed=self.seed,
                parameter_set="prior",  # effect scales are applied by the caller
            )
            wide = pred.pivot(index="sample", columns="drug", values="response_mean")
            for i, k in enumerate(missing):
                self._store[k] = wide.loc[f"g{i}", names].to_numpy(float)
        return np.array([self._store[k] for k in keys]).reshape(len(keys), len(self.drugs))


@dataclass
class MechanisticFit:
    """Fitted effect multipliers and link of the mechanistic model (one training set)."""

    log_scales: dict[str, float]
    links: dict[str, tuple[float, float]]  # drug -> (intercept, slope) in ln uM
    offsets: dict[str, dict[str, float]] = field(default_factory=dict)  # drug -> tissue -> ln uM
    tissue: bool = False
    n_lines: int = 0
    nfev: int = 0
    seconds: float = 0.0

    @property
    def scales(self) -> dict[str, float]:
        return {p: float(np.exp(v)) for p, v in self.log_scales.items()}


def _solve_link(
    r: np.ndarray, y: np.ndarray, tissue: np.ndarray | None, n_t: int
) -> tuple[np.ndarray, float, float, np.ndarray]:
    """(fitted y, intercept, slope <= 0, tissue offsets) of ln IC50 on simulated fall."""

    def solve(use_r: bool) -> np.ndarray:
        cols = [np.ones_like(r), r] if use_r else [np.ones_like(r)]
        x = np.column_stack(cols)
        target = y
        if tissue is not None:
            onehot = np.zeros((len(r), n_t))
            onehot[np.arange(len(r)), tissue] = 1.0
            x = np.hstack([x, onehot])
            pen = np.hstack([np.zeros((n_t, len(cols))), np.sqrt(TISSUE_SHRINK) * np.eye(n_t)])
            x, target = np.vstack([x, pen]), np.concatenate([y, np.zeros(n_t)])
        beta = np.linalg.lstsq(x, target, rcond=None)[0]
        return beta if use_r else np.insert(beta, 1, 0.0)

    beta = solve(np.ptp(r) > 1e-9)
    if beta[1] > 0:  # the mechanism says more response = lower IC50; never the reverse
        beta = solve(False)
    offsets = beta[2:] if tissue is not None else np.zeros(0)
    fitted = beta[0] + beta[1] * r + (offsets[tissue] if tissue is not None else 0.0)
    return fitted, float(beta[0]), float(beta[1]), offsets


def _genotypes(profiles: dict[str, dict[str, float]], lines: pd.Series) -> tuple[list, np.ndarray]:
    keys = [_key(profiles[cl]) for cl in lines]
    unique = list(dict.fromkeys(keys))
    index = {k: i for i, k in enumerate(unique)}
    return [dict(k) for k in unique], np.array([index[k] for k in keys], dtype=int)


def fit_mechanistic(
    train: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    cache: ResponseCache,
    *,
    tissue: bool = False,
    fit_effects: bool = True,
    max_nfev: int = 15,
) -> MechanisticFit:
    """Fit effect multipliers (if ``fit_effects``) and the link on ``train`` rows.

    ``train`` has ``cell_line, tissue, drug, observed``; rows with NaN observed are dropped
    first, so a test line's response can never enter the fit.
    """
    start = time.perf_counter()
    train = train.dropna(subset=["observed"])
    base, gidx = _genotypes(profiles, train["cell_line"])
    counts: dict[str, int] = {}
    for cl in train["cell_line"].unique():
        for p in profiles[cl]:
            counts[p] = counts.get(p, 0) + 1
    free = sorted(p for p, c in counts.items() if c >= MIN_LINES) if fit_effects else []
    tissues = sorted(train["tissue"].unique())
    tcode = train["tissue"].map({t: i for i, t in enumerate(tissues)}).to_numpy()
    drugs = [d for d in cache.drugs if d in set(train["drug"])]
    col = {d: cache.drugs.index(d) for d in drugs}
    rows = {d: np.flatnonzero(train["drug"].to_numpy() == d) for d in drugs}
    y_all = train["observed"].to_numpy(float)

    def responses(theta: np.ndarray) -> np.ndarray:
        scales = dict(zip(free, np.exp(theta), strict=True))
        return cache.get([scale_effects(g, scales) for g in base])

    def links(theta: np.ndarray):
        sim = responses(theta)
        for d in drugs:
            i = rows[d]
            r = sim[gidx[i], col[d]]
            yield d, i, _solve_link(r, y_all[i], tcode[i] if tissue else None, len(tissues))

    def residuals(theta: np.ndarray) -> np.ndarray:
        out = [(y_all[i] - fit[0]) / y_all[i].std() for _, i, fit in links(theta)]
        return np.concatenate([*out, theta])  # weak pull toward the assumed sizes

    theta, nfev = np.zeros(len(free)), 0
    if free:
        lo = [LOG_BOUNDS[_kind(p)][0] for p in free]
        hi = [LOG_BOUNDS[_kind(p)][1] for p in free]
        res = least_squares(
            residuals, np.zeros(len(free)), bounds=(lo, hi), diff_step=0.1, max_nfev=max_nfev
        )
        theta, nfev = res.x, int(res.nfev)
    fit = MechanisticFit(
        log_scales=dict(zip(free, map(float, theta), strict=True)),
        links={},
        tissue=tissue,
        n_lines=int(train["cell_line"].nunique()),
        nfev=nfev,
    )
    for d, _, (_, a, b, off) in links(theta):
        fit.links[d] = (a, b)
        if tissue:
            fit.offsets[d] = dict(zip(tissues, map(float, off), strict=True))
    fit.seconds = time.perf_counter() - start
    return fit


def predict_mechanistic(
    fit: MechanisticFit,
    table: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    cache: ResponseCache,
) -> np.ndarray:
    """Predicted ln IC50 for each row (``cell_line, tissue, drug``) of ``table``."""
    genos, gidx = _genotypes(profiles, table["cell_line"])
    sim = cache.get([scale_effects(g, fit.scales) for g in genos])
    out = np.full(len(table), np.nan)
    for d, (a, b) in fit.links.items():
        i = np.flatnonzero(table["drug"].to_numpy() == d)
        out[i] = a + b * sim[gidx[i], cache.drugs.index(d)]
        if fit.tissue:
            out[i] += table["tissue"].iloc[i].map(fit.offsets[d]).fillna(0.0).to_numpy()
    return out


def parameter_rows(fit: MechanisticFit, source: str) -> pd.DataFrame:
    """The fit as versioned rows ``parameter, value, unit, source`` (see parameter_sets)."""
    rows = [
        (f"effect_scale:{p}", round(m, 4), "multiplier on rule effect size", source)
        for p, m in sorted(fit.scales.items())
    ]
    for d, (a, b) in fit.links.items():
        rows.append((f"link:{d}:intercept", round(a, 4), "ln uM", source))
        rows.append((f"link:{d}:slope", round(b, 4), "ln uM per unit growth-drive fall", source))
        for t, v in sorted(fit.offsets.get(d, {}).items()):
            rows.append((f"tissue_offset:{d}:{t}", round(v, 4), "ln uM", source))
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "source"])


def write_parameter_set(rows: pd.DataFrame, path: Path, prior: pd.DataFrame) -> None:
    """Write a fitted set; parameters it did not fit keep their prior row (and source)."""
    fitted = set(rows["parameter"])
    kept = prior[~prior["parameter"].isin(fitted)].assign(
        source=lambda t: (
            f"prior (carried by fewer than {MIN_LINES} lines, not fitted): " + t["source"]
        )
    )
    pd.concat([rows, kept], ignore_index=True).sort_values("parameter", kind="stable").to_csv(
        path, index=False
    )
