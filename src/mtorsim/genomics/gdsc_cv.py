"""Cross-validated comparison of GDSC1 ln IC50 predictors on shared cell-line folds.

Every model (mechanistic with assumed or fitted effect sizes, genotype only or with tissue,
and the statistical baselines) is fitted on the training lines of each fold and scored on
its test lines, all folds from one :func:`~mtorsim.genomics.folds.cell_line_folds` call.
Skill = Spearman(predicted ln IC50, observed ln IC50) (for a raw simulated response this is
-Spearman(response, ln IC50); on CTRP the endpoint is AUC, same direction); within-tissue
skill does the same after removing each tissue's mean. Fit (training) and test figures are
kept side by side so over-fitting shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.genomics.baselines import BASELINES
from mtorsim.genomics.calibration import (
    MIN_LINES,
    MechanisticFit,
    ResponseCache,
    ResponseEmulator,
    fit_mechanistic,
    parameter_rows,
    predict_mechanistic,
    write_parameter_set,
)
from mtorsim.genomics.folds import cell_line_folds, skill, within_tissue_skill
from mtorsim.genomics.parameter_sets import load_parameter_set
from mtorsim.genomics.shrinkage import fit_shrunk, joint_profiles, joint_table
from mtorsim.genomics.validation import (
    CTRP_FILE,
    GDSC_DRUGS,
    RAPALOGS,
    SCREEN_FILES,
    ctrp_response_table,
    gdsc_profiles,
    gdsc_response_table,
    load_gdsc,
    read_ctrp_screen,
    read_gdsc_screen,
)

__all__ = [
    "ENDPOINTS",
    "EXTRA_MECHANISTIC",
    "MECHANISTIC",
    "MODELS",
    "bootstrap_ensemble",
    "external_validation",
    "fit_final",
    "gdsc_cross_validation",
    "new_lines",
    "screens_in",
    "summarise_cv",
]

#: mechanistic variants: name -> fit_mechanistic keywords
MECHANISTIC = {
    "mechanistic, assumed effects": {"tissue": False, "fit_effects": False},
    "mechanistic (genotype)": {"tissue": False, "fit_effects": True},
    "mechanistic + tissue, assumed effects": {"tissue": True, "fit_effects": False},
    "mechanistic (genotype + tissue)": {"tissue": True, "fit_effects": True},
    "mechanistic (genotype + tissue), monotone link": {
        "tissue": True,
        "fit_effects": True,
        "link": "isotonic",
    },
}
#: further mechanistic variants, fitted only when asked for (``models=[...]``), not in the
#: default table (BENCHMARKS.md, "Calibration, session 7": within noise of the variants
#: above). ``shrink``: every carried effect fitted under a prior whose SD an inner CV on the
#: training lines chooses (:func:`~mtorsim.genomics.shrinkage.fit_shrunk`); ``joint``: the
#: effect sizes fitted on GDSC1 and CTRP rows of the training lines together
#: (:func:`~mtorsim.genomics.shrinkage.joint_table`), scored on GDSC1 as the others
EXTRA_MECHANISTIC = {
    "mechanistic (genotype + tissue), shrunk effects": {
        "tissue": True,
        "fit_effects": True,
        "shrink": True,
    },
    "mechanistic (genotype + tissue), shrunk effects, monotone link": {
        "tissue": True,
        "fit_effects": True,
        "shrink": True,
        "link": "isotonic",
    },
    "mechanistic (genotype + tissue), joint with CTRP": {
        "tissue": True,
        "fit_effects": True,
        "joint": True,
    },
    "mechanistic (genotype + tissue), joint with CTRP, monotone link": {
        "tissue": True,
        "fit_effects": True,
        "joint": True,
        "link": "isotonic",
    },
}
VARIANTS = {**MECHANISTIC, **EXTRA_MECHANISTIC}
#: the endpoint each screen measures, as tables name it
ENDPOINTS = {"gdsc": "GDSC1 ln IC50", "ctrp": "CTRP AUC"}
#: how the CV searches fitted effect sizes: 3 starts (the assumed sizes + 2 seeded) on the
#: response emulator (BENCHMARKS.md, "Calibration, session 5": as good as exact one-start
#: fits, 10-20x faster)
CV_STARTS = 3
MODELS = [*MECHANISTIC, *BASELINES]


def _score(model: str, fold: int, split: str, part: pd.DataFrame, pred: np.ndarray) -> list:
    out = []
    for drug, idx in part.groupby("drug").indices.items():
        p, rows = pred[idx], part.iloc[idx]
        out.append(
            {
                "model": model,
                "drug": drug,
                "fold": fold,
                "split": split,
                "n_lines": len(rows),
                "skill": skill(p, rows["observed"]),
                "within_tissue": within_tissue_skill(p, rows["observed"], rows["tissue"]),
            }
        )
    return out


def _baseline(fn, train: pd.DataFrame, part: pd.DataFrame, seed: int) -> np.ndarray:
    out = np.full(len(part), np.nan)
    for drug, idx in part.groupby("drug").indices.items():
        out[idx] = fn(train[train["drug"] == drug], part.iloc[idx], seed)
    return out


def gdsc_cross_validation(
    drugs: list[str] | None = None,
    *,
    k: int = 5,
    seed: int = 0,
    n_cells: int = 8,
    max_nfev: int = 15,
    models: list[str] | None = None,
    max_lines: int | None = None,
    screen: str = "gdsc",
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, list[MechanisticFit]]]:
    """(per model x drug x fold x split scores, the mechanistic fits per fold).

    ``screen``: ``"gdsc"`` (GDSC1 ln IC50) or ``"ctrp"`` (CTRP v2 AUC of the same drugs,
    every model refitted to it). ``max_lines`` keeps only the first lines by name (tests).
    """
    table, lines = _shipped(screen, drugs)
    if max_lines is not None:
        keep = sorted(table["cell_line"].unique())[:max_lines]
        table = table[table["cell_line"].isin(keep)].reset_index(drop=True)
    folds = cell_line_folds(table["cell_line"], k=k, seed=seed)
    table["fold"] = table["cell_line"].map(folds)
    run = _Evaluation(gdsc_profiles(lines), table, models, n_cells, seed, max_nfev, progress)
    run.borrow(screen)
    for f in range(k):
        train = table[table["fold"] != f].reset_index(drop=True)
        test = table[table["fold"] == f].reset_index(drop=True)
        run.split(train, test, f, f"fold {f + 1}/{k}")
    return pd.DataFrame(run.rows), run.fits


def external_validation(
    folder: str | Path,
    *,
    screen: str = "gdsc",
    seed: int = 0,
    n_cells: int = 8,
    max_nfev: int = 15,
    models: list[str] | None = None,
    train: pd.DataFrame | None = None,
    new: tuple[pd.DataFrame, list] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, test table): every model fitted on all shipped lines, as each CV fold fits
    its training lines, and scored on the lines of another screen it has never seen.

    ``screen``: ``"gdsc"`` (``folder`` holds the GDSC1 files,
    :func:`~mtorsim.genomics.validation.read_gdsc_screen`) or ``"ctrp"`` (the CTRP file,
    :func:`~mtorsim.genomics.validation.read_ctrp_screen`). Lines of ``folder`` that are
    also in the shipped table are left out of the test (listed in ``test.attrs["overlap"]``;
    ``n_train_lines`` counts the lines fitted on), so no test line was ever fitted on.
    Scores have ``fold = 0``; ``split`` is ``fit`` (the shipped lines) or ``test``.
    ``train``: fit on this response table of the shipped form instead (e.g. a subset).
    ``new``: :func:`new_lines`' answer for ``folder``, when the caller has it already.
    """
    shipped, shipped_lines = _shipped(screen)
    train = shipped if train is None else train
    test, overlap = new or new_lines(folder, train, screen=screen)
    train = train[train["drug"].isin(set(test["drug"]))].reset_index(drop=True)
    lines = pd.concat([shipped_lines, test.drop_duplicates("cell_line")], ignore_index=True)
    run = _Evaluation(gdsc_profiles(lines), train, models, n_cells, seed, max_nfev, progress)
    run.borrow(screen)
    run.split(train, test, 0, f"shipped {screen.upper()} lines -> new lines")
    test.attrs.update(overlap=overlap, n_train_lines=train["cell_line"].nunique())
    return pd.DataFrame(run.rows), test


def _shipped(screen: str, drugs: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(response table, genotype lines) of a shipped screen."""
    if screen == "gdsc":
        return gdsc_response_table(drugs), load_gdsc()[0]
    if screen == "ctrp":
        return ctrp_response_table(drugs)
    raise ValueError(f"screen is {screen!r}; use 'gdsc' or 'ctrp'")


def screens_in(folder: str | Path) -> list[str]:
    """The screens a test folder holds: ``"gdsc"`` (either GDSC1 file present; the reader
    asks for the other) and ``"ctrp"``; an error naming the files if it holds neither."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MtorsimError(f"{folder}: not a folder; give one holding the screens' files")
    found = [
        name
        for name, names in (("gdsc", SCREEN_FILES), ("ctrp", (CTRP_FILE,)))
        if any((folder / f).exists() for f in names)
    ]
    if not found:
        raise MtorsimError(
            f"{folder}: holds neither {' and '.join(SCREEN_FILES)} (GDSC1) nor {CTRP_FILE} "
            "(CTRP); name the files as in the shared data"
        )
    return found


def new_lines(
    folder: str | Path, train: pd.DataFrame | None = None, *, screen: str = "gdsc"
) -> tuple[pd.DataFrame, list]:
    """(the response table of ``folder``'s lines that ``train`` (default: the shipped
    table of ``screen``) does not hold, the names of those it does); an error if none is
    new."""
    test = read_gdsc_screen(folder) if screen == "gdsc" else read_ctrp_screen(folder)[0]
    seen = set((_shipped(screen)[0] if train is None else train)["cell_line"])
    overlap = sorted(set(test["cell_line"]) & seen)
    test = test[~test["cell_line"].isin(seen)].reset_index(drop=True)
    if test.empty:
        raise MtorsimError(
            f"{folder}: every {screen.upper()} cell line is in the shipped table mtorsim was "
            "fitted on; give lines it has not seen"
        )
    return test, overlap


class _Evaluation:
    """Fits every chosen model on a training table and scores it on a test table; shares
    one response cache and emulator across splits, so genotypes are simulated once."""

    def __init__(self, profiles, table, models, n_cells, seed, max_nfev, progress) -> None:
        self.profiles, self.seed, self.max_nfev, self.progress = profiles, seed, max_nfev, progress
        self.cache = ResponseCache(sorted(table["drug"].unique()), n_cells=n_cells, seed=seed)
        self.emulator = ResponseEmulator(self.cache)
        self.chosen = models or MODELS
        self.rows: list[dict] = []
        self.fits: dict[str, list[MechanisticFit]] = {m: [] for m in VARIANTS if m in self.chosen}
        self.ctrp: pd.DataFrame | None = None

    def borrow(self, screen: str) -> None:
        """Load the CTRP rows the joint variants fit beside ``screen``'s (GDSC1 only)."""
        if not any(VARIANTS[m].get("joint") for m in self.fits):
            return
        if screen != "gdsc":
            raise ValueError("the joint variants borrow CTRP for GDSC1; use screen='gdsc'")
        self.ctrp, ctrp_lines = ctrp_response_table(self.cache.drugs)
        self.profiles = joint_profiles(self.profiles, gdsc_profiles(ctrp_lines))

    def split(self, train: pd.DataFrame, test: pd.DataFrame, fold: int, label: str) -> None:
        for name in self.fits:
            if self.progress:
                self.progress(f"{label}: {name}")
            kw = dict(VARIANTS[name])
            fitter = fit_shrunk if kw.pop("shrink", False) else fit_mechanistic
            data = train
            if kw.pop("joint", False):  # no test line enters through either screen
                data = joint_table(train, self.ctrp, exclude=test["cell_line"])
            if kw["fit_effects"]:
                kw.update(n_starts=CV_STARTS, emulator=self.emulator)
            fit = fitter(data, self.profiles, self.cache, max_nfev=self.max_nfev, **kw)
            self.fits[name].append(fit)
            for split, part in (("fit", train), ("test", test)):
                pred = predict_mechanistic(fit, part, self.profiles, self.cache)
                self.rows += _score(name, fold, split, part, pred)
        for name, fn in BASELINES.items():
            if name in self.chosen:
                for split, part in (("fit", train), ("test", test)):
                    self.rows += _score(
                        name, fold, split, part, _baseline(fn, train, part, self.seed)
                    )


def summarise_cv(scores: pd.DataFrame) -> pd.DataFrame:
    """Per model and drug: mean over folds of fit and test skill and test within-tissue
    skill, plus rows ``median`` (over drugs) and ``rapalogs`` (mean of the two)."""
    wide = scores.pivot_table(
        index=["model", "drug"], columns="split", values=["skill", "within_tissue"], aggfunc="mean"
    )
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    wide = wide.rename(
        columns={"skill_fit": "fit", "skill_test": "test", "within_tissue_test": "within_test"}
    )[["fit", "test", "within_test"]].reset_index()
    extra = []
    for model, g in wide.groupby("model", sort=False):
        med = g[["fit", "test", "within_test"]].median()
        rap = g[g["drug"].isin(RAPALOGS)][["fit", "test", "within_test"]].mean()
        extra += [
            {"model": model, "drug": "median", **med},
            {"model": model, "drug": "rapalogs", **rap},
        ]
    out = pd.concat([wide, pd.DataFrame(extra)], ignore_index=True)
    order = {m: i for i, m in enumerate([*MODELS, *EXTRA_MECHANISTIC])}
    drugs = {d: i for i, d in enumerate([*GDSC_DRUGS, "median", "rapalogs"])}
    return out.sort_values(
        ["model", "drug"], key=lambda c: c.map(order if c.name == "model" else drugs)
    ).reset_index(drop=True)


def fit_final(
    variant: str,
    *,
    cv_note: str,
    seed: int = 0,
    n_cells: int = 8,
    max_nfev: int = 15,
    path: Path | None = None,
    n_starts: int = 1,
    cache: ResponseCache | None = None,
    emulate: bool = False,
) -> tuple[MechanisticFit, pd.DataFrame]:
    """Fit ``variant`` on all shipped lines and (if ``path``) write it as a parameter set."""
    table = gdsc_response_table()
    lines, _ = load_gdsc()
    profiles = gdsc_profiles(lines)
    cache = cache or ResponseCache(sorted(table["drug"].unique()), n_cells=n_cells, seed=seed)
    start = time.perf_counter()
    fit = fit_mechanistic(
        table,
        profiles,
        cache,
        max_nfev=max_nfev,
        n_starts=n_starts,
        emulator=ResponseEmulator(cache) if emulate else None,
        **MECHANISTIC[variant],
    )
    fit.seconds = time.perf_counter() - start
    source = (
        f"fitted: GDSC1 developers' half, {date.today().isoformat()}, {fit.n_lines} lines, "
        f"{variant}, best of {n_starts} start(s){' (emulated search)' if emulate else ''}; "
        f"{cv_note}"
    )
    rows = parameter_rows(fit, source)
    if path is not None:
        write_parameter_set(rows, path, load_parameter_set("prior"))
    return fit, rows


def bootstrap_ensemble(
    variant: str,
    members: int,
    *,
    seed: int = 0,
    n_cells: int = 8,
    max_nfev: int = 15,
    n_starts: int = 1,
    cache: ResponseCache | None = None,
    progress: Callable[[str], None] | None = None,
    table: pd.DataFrame | None = None,
    links: bool = False,
) -> pd.DataFrame:
    """Refit ``variant`` on ``members`` bootstrap resamples of the shipped cell lines
    (``table``: another response table of the same form, e.g. a subset in tests).

    Lines (not rows) are drawn with replacement, seeded, so a line's drugs stay together;
    each member is a full refit (effect sizes and links; the search on one shared
    :class:`~mtorsim.genomics.calibration.ResponseEmulator`). Returns rows ``member, parameter,
    value, unit, source`` of every member's effect-size multipliers, the ensemble
    :func:`~mtorsim.genomics.predict.predict_response` turns into an interval; with
    ``links`` also each member's links and tissue offsets (the whole cell-line model, which
    :func:`~mtorsim.genomics.cell_lines.predict_ln_ic50` turns into an ln IC50 interval).
    """
    table = gdsc_response_table() if table is None else table
    profiles = gdsc_profiles(load_gdsc()[0])
    cache = cache or ResponseCache(sorted(table["drug"].unique()), n_cells=n_cells, seed=seed)
    fits_effects = MECHANISTIC[variant].get("fit_effects", True)
    # one grid per genotype serves every member (a fit of the links alone needs none)
    emulator = ResponseEmulator(cache) if fits_effects else None
    names = np.array(sorted(table["cell_line"].unique()))
    by_line = {cl: g for cl, g in table.groupby("cell_line")}
    rng = np.random.default_rng(seed)
    # the parameters the fit on all lines frees (>= MIN_LINES carriers): every member
    # refits exactly these, so members differ only in the data they saw
    carriers: dict[str, int] = {}
    for cl in names:
        for p_ in profiles[cl]:
            carriers[p_] = carriers.get(p_, 0) + 1
    free = sorted(p_ for p_, c in carriers.items() if c >= MIN_LINES)
    rows = []
    for b in range(members):
        drawn = rng.choice(names, size=len(names), replace=True)
        # each draw is a line of its own (a line drawn twice counts twice, also toward
        # the MIN_LINES rule), so the resample is a data set of as many lines as the original
        sample = pd.concat(
            [by_line[cl].assign(cell_line=f"{cl}#{j}") for j, cl in enumerate(drawn)],
            ignore_index=True,
        )
        drawn_profiles = {f"{cl}#{j}": profiles[cl] for j, cl in enumerate(drawn)}
        start = time.perf_counter()
        fit = fit_mechanistic(
            sample,
            drawn_profiles,
            cache,
            max_nfev=max_nfev,
            emulator=emulator,
            n_starts=n_starts,
            start_seed=seed + b,
            free_parameters=free,
            **MECHANISTIC[variant],
        )
        if progress:
            progress(f"member {b + 1}/{members}: {time.perf_counter() - start:.0f} s")
        source = (
            f"fitted: GDSC1 developers' half, bootstrap member {b} of {members} (seed {seed}, "
            f"{len(names)} lines drawn with replacement), {variant}, best of {n_starts} "
            f"starts"
        )
        if links:
            fitted = parameter_rows(fit, source)
            rows += [(b, *r) for r in fitted.itertuples(index=False)]
            continue
        for p_, m in sorted(fit.scales.items()):
            rows.append(
                (b, f"effect_scale:{p_}", round(m, 4), "multiplier on rule effect size", source)
            )
    return pd.DataFrame(rows, columns=["member", "parameter", "value", "unit", "source"])
