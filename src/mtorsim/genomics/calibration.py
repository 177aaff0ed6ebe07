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
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from mtorsim.genomics.parameter_sets import scale_effects
from mtorsim.genomics.predict import predict_response
from mtorsim.genomics.profile import combine
from mtorsim.genomics.validation import GDSC_DRUGS

__all__ = [
    "DOSE_FOLDS",
    "LOG_BOUNDS",
    "MIN_LINES",
    "PRIOR_SD",
    "DoseResponseCache",
    "MechanisticFit",
    "ResponseCache",
    "ResponseEmulator",
    "fit_context",
    "fit_from_rows",
    "fit_mechanistic",
    "parameter_rows",
    "predict_mechanistic",
    "with_context",
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
#: SD of the Gaussian prior on a log effect multiplier in the fit, in natural-log units of
#: the multiplier (1.0: a weak pull toward the assumed size, the objective's original
#: penalty ``theta**2``; assumed)
PRIOR_SD = 1.0
TISSUE_SHRINK = 5.0  # ridge penalty on tissue offsets, in lines' worth of data (assumed)


def _kind(parameter: str) -> str:
    return "level" if parameter.endswith("_level") else "gain"


def _drug_of(label: str) -> str:
    """The GDSC drug of a response label (``"ctrp:Rapamycin"`` -> ``"Rapamycin"``)."""
    return label.rpartition(":")[2]


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
                intervals=False,
            )
            wide = pred.pivot(index="sample", columns="drug", values="response_mean")
            for i, k in enumerate(missing):
                self._store[k] = wide.loc[f"g{i}", names].to_numpy(float)
        return np.array([self._store[k] for k in keys]).reshape(len(keys), len(self.drugs))


#: doses of the simulated dose-response, as multiples of each drug's clinical free
#: concentration (assumed: two decades either side, half-decade steps)
DOSE_FOLDS = tuple(float(x) for x in 10.0 ** np.arange(-2.0, 2.01, 0.5))


class DoseResponseCache(ResponseCache):
    """Simulated area under the growth-drive fall over a dose range, per (genotype, drug).

    GDSC's ln IC50 is a potency read from a 7-9 point dose-response, so the network is
    read the same way: each genotype's cell population is equilibrated once and exposed
    for 24 h to ``DOSE_FOLDS`` x the drug's clinical free concentration; the score is the
    mean fall over those log-spaced doses (0 = no effect at any dose, 1 = full fall at
    every dose). One dose near saturation ranks genotypes on noise; the area does not.
    Genotype entries may also set context parameters (``GF``, ...).
    """

    def __init__(
        self, drugs: list[str], *, n_cells: int = 8, seed: int = 0, folds=DOSE_FOLDS
    ) -> None:
        super().__init__(drugs, n_cells=n_cells, seed=seed)
        self.folds = tuple(folds)

    def get(self, genotypes: list[dict[str, float]]) -> np.ndarray:
        keys = [_key(g) for g in genotypes]
        missing = [k for k in dict.fromkeys(keys) if k not in self._store]
        if missing:
            cols = np.column_stack([self._auc(d, missing) for d in self.drugs])
            for k, row in zip(missing, cols, strict=True):
                self._store[k] = row
        return np.array([self._store[k] for k in keys]).reshape(len(keys), len(self.drugs))

    def _auc(self, gdsc_name: str, keys: list[tuple]) -> np.ndarray:
        from mtorsim.engine.simulate import simulate_batch
        from mtorsim.engine.steady import steady_state_batch
        from mtorsim.errors import MtorsimError
        from mtorsim.genomics.predict import clinical_free_nM, kinetic_variability
        from mtorsim.pharmacology.catalogue import get_drug
        from mtorsim.pharmacology.mechanism import drug_id
        from mtorsim.pharmacology.treatment import compiled_with_drugs

        drug = get_drug(GDSC_DRUGS[gdsc_name]).name
        compiled = compiled_with_drugs([drug], pk=False)
        medium = f"{drug_id(drug)}__medium_nM"
        exposure = clinical_free_nM(drug)
        n = self.n_cells
        population = kinetic_variability(compiled, n, 0.25, np.random.default_rng(self.seed))
        sets = pd.concat([population] * len(keys), ignore_index=True)
        for g, key in enumerate(keys):
            for k, v in key:
                if k in compiled.parameters:
                    if k not in sets.columns:
                        sets[k] = compiled.p0[compiled.parameter_index(k)]
                    sets.loc[g * n : (g + 1) * n - 1, k] = v
        sets[medium] = 0.0
        base, ok = steady_state_batch(compiled, sets)
        if not ok.all():
            raise MtorsimError(f"{int((~ok).sum())} cells found no steady state")
        j = [*compiled.species, *compiled.observables].index("GROWTH_DRIVE")
        doses = pd.concat(
            [sets.assign(**{medium: exposure * f}) for f in self.folds], ignore_index=True
        )
        initial = np.tile(base[:, : compiled.n_species], (len(self.folds), 1))
        _, values, status = simulate_batch(compiled, 24.0, doses, t_out=[24.0], initial=initial)
        if (status != 0).any():
            raise MtorsimError(f"{drug}: {int((status != 0).sum())} integrations failed")
        fall = 1.0 - values[:, -1, j] / np.tile(base[:, j], len(self.folds))
        fall = fall.reshape(len(self.folds), len(keys), n)  # dose, genotype, cell
        return fall.mean(axis=(0, 2))


@dataclass
class MechanisticFit:
    """Fitted effect multipliers and link of the mechanistic model (one training set)."""

    log_scales: dict[str, float]
    links: dict[str, tuple[float, float]]  # drug -> (intercept, slope) in ln uM
    offsets: dict[str, dict[str, float]] = field(default_factory=dict)  # drug -> tissue -> ln uM
    tissue: bool = False
    isotonic: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    n_lines: int = 0
    prior_sd: float = PRIOR_SD  # SD of the prior on each log multiplier the fit used
    inner_errors: dict[float, float] = field(default_factory=dict)  # prior SD -> inner CV
    nfev: int = 0
    seconds: float = 0.0
    starts: list[tuple[float, float]] = field(default_factory=list)  # (cost, seconds) each

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


def _solve_isotonic(
    r: np.ndarray, y: np.ndarray, tissue: np.ndarray | None, n_t: int, sweeps: int = 20
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray]:
    """(fitted y, (knots x, knots y) of a non-increasing link, tissue offsets).

    Backfitting: the monotone link of ln IC50 on simulated response and the ridge-shrunk
    tissue offsets (penalty ``TISSUE_SHRINK`` lines) are refitted in turn.
    """
    from sklearn.isotonic import IsotonicRegression

    off = np.zeros(n_t)
    iso = IsotonicRegression(increasing=False, out_of_bounds="clip")
    for _ in range(sweeps if tissue is not None else 1):
        shift = off[tissue] if tissue is not None else 0.0
        g = iso.fit_transform(r, y - shift)
        if tissue is None:
            break
        resid = y - g
        sums = np.bincount(tissue, resid, minlength=n_t)
        counts = np.bincount(tissue, minlength=n_t)
        new = sums / (counts + TISSUE_SHRINK)
        if np.max(np.abs(new - off)) < 1e-6:
            off = new
            break
        off = new
    fitted = g + (off[tissue] if tissue is not None else 0.0)
    return fitted, (iso.X_thresholds_.copy(), iso.y_thresholds_.copy()), off


def _isotonic_wins(
    r: np.ndarray, y: np.ndarray, tissue: np.ndarray | None, n_t: int, lines: np.ndarray
) -> bool:
    """Does the isotonic link predict held-out lines of these (training) rows better than
    the linear one? Inner 5-fold CV by cell line, squared error, seed 0."""
    from mtorsim.genomics.folds import cell_line_folds

    if len(set(lines)) < 10:
        return False
    inner = pd.Series(lines).map(cell_line_folds(lines, k=5, seed=0)).to_numpy()
    err = np.zeros(2)
    for f in range(5):
        a, b = inner != f, inner == f
        ta = tissue[a] if tissue is not None else None
        _, c0, c1, off = _solve_link(r[a], y[a], ta, n_t)
        shift = off[tissue[b]] if tissue is not None else 0.0
        err[0] += np.sum((y[b] - (c0 + c1 * r[b] + shift)) ** 2)
        _, knots, off = _solve_isotonic(r[a], y[a], ta, n_t)
        shift = off[tissue[b]] if tissue is not None else 0.0
        err[1] += np.sum((y[b] - (np.interp(r[b], *knots) + shift)) ** 2)
    return bool(err[1] < err[0])


def with_context(
    profiles: dict[str, dict[str, float]],
    tissues: pd.Series,
    context: dict[str, dict[str, float]] | None,
) -> dict[str, dict[str, float]]:
    """Each line's parameters plus its tissue's context parameters (``tissues``: line ->
    tissue); lines of a tissue without context keep the network's defaults. A context value
    joins the line's own genotype as a second variant would (a level keeps the deeper loss,
    a gain the larger), so a PTEN-null line stays null in a tissue of low PTEN."""
    if not context:
        return profiles
    out = dict(profiles)
    for cl, t in tissues.items():
        if cl in out and context.get(t):
            params = dict(out[cl])
            for name, value in context[t].items():
                combine(params, name, value)
            out[cl] = params
    return out


#: grid nodes per axis of the response emulator, by how many fitted parameters a genotype
#: carries (1: 9 nodes, 2: 7 x 7, ...); more than 4 are simulated exactly at every step
EMULATOR_NODES = {1: 9, 2: 7, 3: 5, 4: 4}
REFINE = 4  # the pchip surface is tabulated on a grid this many times finer per axis


def _nodes(parameter: str, k: int) -> np.ndarray:
    """``k`` log-multiplier nodes spanning the bounds, with 0 (the assumed size) a node,
    where a full loss reaches level 0 and the response may have a kink."""
    lo, hi = LOG_BOUNDS[_kind(parameter)]
    below = max(2, round((k - 1) * -lo / (hi - lo)) + 1)
    left = np.linspace(lo, 0.0, below)
    right = np.linspace(0.0, hi, max(2, k - below + 1))[1:]
    return np.concatenate([left, right])


class ResponseEmulator:
    """Simulated response of each genotype as a smooth function of the effect multipliers.

    Each genotype's response depends only on the multipliers of the parameters it carries,
    so it is simulated once on a grid of those parameters' values (at log-spaced multiplier
    nodes, :data:`EMULATOR_NODES`) and interpolated (monotone piecewise-cubic per axis)
    inside the bounds. A fit then costs
    array arithmetic instead of a batch of simulations per step; grids are kept per
    genotype and reused by every fold, start and bootstrap member. The fitted model's
    predictions are still simulated exactly (:func:`predict_mechanistic`).
    """

    def __init__(self, cache: ResponseCache) -> None:
        self.cache = cache
        self._grids: dict[tuple, object] = {}

    def prepare(self, genotypes: list[dict[str, float]], free: list[str]) -> None:
        """Simulate the grids of ``genotypes`` not seen yet, all in one batch."""
        from scipy.interpolate import RegularGridInterpolator

        todo, points = [], []
        for g in genotypes:
            carried = tuple(p for p in free if p in g)
            key = (_key(g), carried)
            if key in self._grids or not 0 < len(carried) <= max(EMULATOR_NODES):
                continue
            # the axes are the parameters' values (a smooth input of the network), at the
            # values the log-spaced multiplier nodes give them (a full loss stays at 0)
            axes = [
                np.unique(
                    [scale_effects({p: g[p]}, {p: float(np.exp(x))})[p] for x in _nodes(p, k)]
                )
                for p, k in zip(carried, [EMULATOR_NODES[len(carried)]] * len(carried), strict=True)
            ]
            mesh = np.meshgrid(*axes, indexing="ij")
            flat = np.column_stack([m.ravel() for m in mesh])
            todo.append((key, axes, len(flat)))
            points += [{**g, **dict(zip(carried, map(float, x), strict=True))} for x in flat]
        if not todo:
            return
        values = self.cache.get(points)
        at = 0
        for key, axes, n in todo:
            block = values[at : at + n].reshape(*[len(a) for a in axes], -1)
            at += n
            method = "pchip" if min(len(a) for a in axes) >= 4 else "linear"
            smooth = RegularGridInterpolator(axes, block, method=method)
            # evaluated once on a grid REFINE times finer and then interpolated linearly:
            # the pchip surface to within its own error, at a fraction of its cost a call
            fine = [
                np.unique(np.concatenate([np.linspace(a, b, REFINE + 1) for a, b in pairwise(ax)]))
                for ax in axes
            ]
            mesh = np.meshgrid(*fine, indexing="ij")
            pts = np.column_stack([m.ravel() for m in mesh])
            table = smooth(pts).reshape(*[len(f) for f in fine], -1)
            self._grids[key] = RegularGridInterpolator(fine, table, method="linear")

    def get(self, genotypes: list[dict[str, float]], scales_log: dict[str, float]) -> np.ndarray:
        """(genotype, drug) responses at log multipliers ``scales_log`` (as the cache's)."""
        out = np.empty((len(genotypes), len(self.cache.drugs)))
        exact = []
        free = list(scales_log)
        for i, g in enumerate(genotypes):
            carried = tuple(p for p in free if p in g)
            scaled = scale_effects(g, {p: float(np.exp(scales_log[p])) for p in carried})
            grid = self._grids.get((_key(g), carried))
            if grid is None:
                exact.append((i, scaled))
            else:
                out[i] = grid(np.array([[scaled[p] for p in carried]]))[0]
        if exact:
            out[[i for i, _ in exact]] = self.cache.get([g for _, g in exact])
        return out


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
    link: str = "linear",
    n_starts: int = 1,
    start_seed: int = 0,
    emulator: ResponseEmulator | None = None,
    free_parameters: list[str] | None = None,
    min_lines: int = MIN_LINES,
    prior_sd: float = PRIOR_SD,
) -> MechanisticFit:
    """Fit effect multipliers (if ``fit_effects``) and the link on ``train`` rows.

    ``train`` has ``cell_line, tissue, drug, observed``; rows with NaN observed are dropped
    first, so a test line's response can never enter the fit. ``link``: ``"linear"``
    (``a + b r``, ``b <= 0``) or ``"isotonic"`` (any non-increasing step function of the
    simulated response, fitted once the effect sizes are fixed) or ``"auto"`` (per drug,
    whichever of the two has the lower squared error in a 5-fold CV by cell line inside
    ``train``). ``n_starts``: local fits
    from the assumed sizes and ``n_starts - 1`` seeded uniform starts; the best is kept.
    ``emulator``: search with interpolated responses (:class:`ResponseEmulator` on the same
    cache) instead of simulating every step; the links are solved on exact simulations at
    the estimate. ``free_parameters``: fit exactly these multipliers instead of those
    carried by >= ``min_lines`` lines (a bootstrap refits the original fit's set).
    ``prior_sd``: standard deviation of the Gaussian prior on each log multiplier, centred
    on the assumed size (0): the objective adds ``(theta / prior_sd)**2`` to the squared
    standardised residuals, so ``1 / prior_sd**2`` is the prior's weight in rows of one SD
    of error (:mod:`mtorsim.genomics.shrinkage` chooses it by inner CV). ``train`` may also
    hold rows of another screen of the same drugs, labelled ``"<screen>:<drug>"`` (e.g.
    ``"ctrp:Rapamycin"``): they read the drug's simulated response through a link and
    tissue offsets of their own and share the effect sizes (a joint fit).
    """
    if link not in ("linear", "isotonic", "auto"):
        raise ValueError(f"link is {link!r}; use 'linear', 'isotonic' or 'auto'")
    start = time.perf_counter()
    train = train.dropna(subset=["observed"])
    base, gidx = _genotypes(profiles, train["cell_line"])
    counts: dict[str, int] = {}
    for cl in train["cell_line"].unique():
        for p in profiles[cl]:
            counts[p] = counts.get(p, 0) + 1
    free = sorted(p for p, c in counts.items() if c >= min_lines) if fit_effects else []
    if fit_effects and free_parameters is not None:
        free = sorted(free_parameters)
    tissues = sorted(train["tissue"].unique())
    tcode = train["tissue"].map({t: i for i, t in enumerate(tissues)}).to_numpy()
    labels = set(train["drug"])
    drugs = [d for d in cache.drugs if d in labels]
    drugs += sorted(d for d in labels if ":" in d and _drug_of(d) in cache.drugs)
    col = {d: cache.drugs.index(_drug_of(d)) for d in drugs}
    rows = {d: np.flatnonzero(train["drug"].to_numpy() == d) for d in drugs}
    y_all = train["observed"].to_numpy(float)

    if emulator is not None and free:
        emulator.prepare(base, free)

    def exact(theta: np.ndarray) -> np.ndarray:
        scales = dict(zip(free, np.exp(theta), strict=True))
        return cache.get([scale_effects(g, scales) for g in base])

    def responses(theta: np.ndarray) -> np.ndarray:
        if emulator is not None and searching:
            return emulator.get(base, dict(zip(free, map(float, theta), strict=True)))
        return exact(theta)

    searching = True

    def links(theta: np.ndarray):
        sim = responses(theta)
        for d in drugs:
            i = rows[d]
            r = sim[gidx[i], col[d]]
            yield d, i, _solve_link(r, y_all[i], tcode[i] if tissue else None, len(tissues))

    def residuals(theta: np.ndarray) -> np.ndarray:
        out = [(y_all[i] - fit[0]) / y_all[i].std() for _, i, fit in links(theta)]
        return np.concatenate([*out, theta / prior_sd])  # the prior on the log sizes

    theta, nfev = np.zeros(len(free)), 0
    if free:
        lo = [LOG_BOUNDS[_kind(p)][0] for p in free]
        hi = [LOG_BOUNDS[_kind(p)][1] for p in free]
        # start 0 is the assumed sizes; further starts uniform within the bounds, seeded
        rng = np.random.default_rng(start_seed)
        x0s = [np.zeros(len(free))] + [rng.uniform(lo, hi) for _ in range(n_starts - 1)]
        best, starts = None, []
        for x0 in x0s:
            x0 = np.clip(x0, np.nextafter(lo, hi), np.nextafter(hi, lo))
            t0 = time.perf_counter()
            res = least_squares(residuals, x0, bounds=(lo, hi), diff_step=0.1, max_nfev=max_nfev)
            starts.append((float(res.cost), time.perf_counter() - t0))
            nfev += int(res.nfev)
            if best is None or res.cost < best.cost:
                best = res
        theta = best.x
    searching = False  # links below are solved on exact simulations
    fit = MechanisticFit(
        log_scales=dict(zip(free, map(float, theta), strict=True)),
        links={},
        tissue=tissue,
        n_lines=int(train["cell_line"].nunique()),
        prior_sd=prior_sd,
        nfev=nfev,
    )
    if free:
        fit.starts = starts
    for d, i, (_, a, b, off) in links(theta):
        fit.links[d] = (a, b)
        r = responses(theta)[gidx[i], col[d]]
        t = tcode[i] if tissue else None
        lines_d = train["cell_line"].to_numpy()[i]
        if link == "isotonic" or (
            link == "auto" and _isotonic_wins(r, y_all[i], t, len(tissues), lines_d)
        ):
            _, fit.isotonic[d], off = _solve_isotonic(r, y_all[i], t, len(tissues))
        if tissue:
            fit.offsets[d] = dict(zip(tissues, map(float, off), strict=True))
    fit.seconds = time.perf_counter() - start
    return fit


def predict_mechanistic(
    fit: MechanisticFit,
    table: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    cache: ResponseCache,
    *,
    context: dict[str, dict[str, float]] | None = None,
) -> np.ndarray:
    """Predicted ln IC50 for each row (``cell_line, tissue, drug``) of ``table``.

    ``context``: tissue -> context parameters chosen by :func:`fit_context` (a test
    line's tissue gets the context chosen on the training lines of that tissue)."""
    lines = table.drop_duplicates("cell_line").set_index("cell_line")["tissue"]
    genos, gidx = _genotypes(with_context(profiles, lines, context), table["cell_line"])
    sim = cache.get([scale_effects(g, fit.scales) for g in genos])
    out = np.full(len(table), np.nan)
    for d, (a, b) in fit.links.items():
        i = np.flatnonzero(table["drug"].to_numpy() == d)
        r = sim[gidx[i], cache.drugs.index(_drug_of(d))]
        if d in fit.isotonic:
            out[i] = np.interp(r, *fit.isotonic[d])
        else:
            out[i] = a + b * r
        if fit.tissue:
            out[i] += table["tissue"].iloc[i].map(fit.offsets[d]).fillna(0.0).to_numpy()
    return out


def fit_context(
    train: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    cache: ResponseCache,
    grid: dict[str, tuple[float, ...]],
    *,
    penalty: float = 2.0,
    **kw,
) -> tuple[MechanisticFit, dict[str, dict[str, float]]]:
    """Per-tissue context parameters (one value per tissue from ``grid``) and the model.

    The model is first fitted with the network's defaults (value 1.0 = default); then for
    each tissue of ``train`` every grid value of every context parameter is tried with the
    links fixed and only that tissue's offsets re-solved, and kept if it lowers the
    tissue's standardised squared error by more than ``penalty`` (AIC-like: 2 per extra
    parameter, assumed); the model is refitted with the chosen contexts. Only training
    rows enter; a tissue without training lines keeps the defaults.
    """
    train = train.dropna(subset=["observed"]).reset_index(drop=True)
    lines = train.drop_duplicates("cell_line").set_index("cell_line")["tissue"]
    base = fit_mechanistic(train, profiles, cache, **kw)
    sd = train.groupby("drug")["observed"].std()

    def sse(rows: pd.DataFrame, ctx: dict) -> float:
        pred = predict_mechanistic(base, rows, profiles, cache, context=ctx)
        resid = (rows["observed"].to_numpy() - pred) / rows["drug"].map(sd).to_numpy()
        # the tissue's offsets re-solved for this context (shrunk like the fit's)
        total = 0.0
        for _, idx in rows.groupby("drug").indices.items():
            e = resid[idx]
            total += float(np.sum((e - e.sum() / (len(e) + TISSUE_SHRINK)) ** 2))
        return total

    # simulate every candidate genotype x context in one batch (the cache keeps them)
    candidates = [
        {**profiles[cl], name: float(v)}
        for cl in lines.index
        for name, values in grid.items()
        for v in values
        if v != 1.0
    ]
    cache.get([scale_effects(g, base.scales) for g in candidates])
    chosen: dict[str, dict[str, float]] = {}
    for t, rows in train.groupby("tissue"):
        best, best_ctx = sse(rows, {}), {}
        for name, values in grid.items():
            for v in values:
                if v == 1.0:
                    continue
                cand = {t: {name: float(v)}}
                err = sse(rows, cand)
                if err < best - penalty:
                    best, best_ctx = err, {name: float(v)}
        if best_ctx:
            chosen[t] = best_ctx
    fit = fit_mechanistic(train, with_context(profiles, lines, chosen), cache, **kw)
    return fit, chosen


def parameter_rows(fit: MechanisticFit, source: str) -> pd.DataFrame:
    """The fit as versioned rows ``parameter, value, unit, source`` (see parameter_sets)."""
    rows = [
        (f"effect_scale:{p}", round(m, 4), "multiplier on rule effect size", source)
        for p, m in sorted(fit.scales.items())
    ]
    for d, (a, b) in fit.links.items():
        unit = "ln uM" if ":" not in d else f"{d.partition(':')[0].upper()} AUC"
        rows.append((f"link:{d}:intercept", round(a, 4), unit, source))
        rows.append((f"link:{d}:slope", round(b, 4), f"{unit} per unit growth-drive fall", source))
        for t, v in sorted(fit.offsets.get(d, {}).items()):
            rows.append((f"tissue_offset:{d}:{t}", round(v, 4), unit, source))
    return pd.DataFrame(rows, columns=["parameter", "value", "unit", "source"])


def fit_from_rows(rows: pd.DataFrame) -> MechanisticFit:
    """The fit :func:`parameter_rows` wrote (effect multipliers, links, tissue offsets)."""
    fit = MechanisticFit(log_scales={}, links={})
    links: dict[str, list[float]] = {}
    for name, v in zip(rows["parameter"], rows["value"], strict=True):
        kind, _, rest = name.partition(":")
        if kind == "effect_scale":
            fit.log_scales[rest] = float(np.log(v))
        elif kind == "link":
            drug, _, which = rest.rpartition(":")
            links.setdefault(drug, [0.0, 0.0])[which == "slope"] = float(v)
        elif kind == "tissue_offset":
            drug, _, tissue = rest.rpartition(":")  # a joint fit's drug is "screen:drug"
            fit.offsets.setdefault(drug, {})[tissue] = float(v)
    fit.links = {d: (a, b) for d, (a, b) in links.items()}
    fit.tissue = bool(fit.offsets)
    return fit


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
