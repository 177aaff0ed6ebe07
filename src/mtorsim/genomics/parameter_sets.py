"""Versioned sets of genotype-layer parameters: the assumed ``prior`` and fitted sets.

A set is a CSV in ``mtorsim/data/calibration/`` with ``parameter, value, unit, source``
(``prior`` is ``genotype_prior.csv``, beside the PEtab fits that share the folder; provenance
in ``gdsc_v1.md``).
Rows ``effect_scale:<network parameter>`` multiply the *effect size* of every knowledge-base
rule acting on that parameter (a loss ``_level`` v becomes 1 - m (1 - v); a gain or factor
v becomes m v), so a fitted set changes how strongly a variant acts, never which variants
act. Rows ``link:*`` and ``tissue_offset:*`` hold a fitted map from simulated response to
GDSC ln IC50: the cell-line model of :mod:`mtorsim.genomics.cell_lines`. Keeping the
prior set beside the fitted one lets any result be recomputed with the assumed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files

import pandas as pd

from mtorsim.errors import MtorsimError

__all__ = [
    "DEFAULT_SET",
    "ENSEMBLES",
    "ENSEMBLE_OF",
    "LINK_ENSEMBLES",
    "PARAMETER_SETS",
    "effect_scales",
    "ensemble_scales",
    "link_ensemble",
    "load_parameter_set",
    "scale_effects",
]

#: Sets shipped with mtorsim (name -> file). ``prior``: the assumed effect sizes of
#: variant_effects.csv; ``gdsc_v1``: fitted on the GDSC1 developers' half (one start);
#: ``gdsc_v2``: the same model refitted by a 10-start search on the response emulator;
#: ``gdsc_v2_prior``: the assumed effect sizes of ``prior`` with the link to ln IC50 and the
#: tissue shifts fitted on the same lines (the cell-line model with the assumed sizes).
PARAMETER_SETS = {
    "prior": "genotype_prior.csv",
    "gdsc_v1": "gdsc_v1.csv",
    "gdsc_v2": "gdsc_v2.csv",
    "gdsc_v2_prior": "gdsc_v2_prior.csv",
}
#: The set genotype predictions use unless told otherwise. It stays ``prior`` because the
#: GDSC cross-validation (BENCHMARKS.md, "GDSC calibration") did not show the fitted effect
#: sizes predicting held-out lines better than the assumed ones.
DEFAULT_SET = "prior"
#: Bootstrap ensembles of effect sizes (set name -> file of ``member, parameter, value,
#: unit, source`` rows): each member is the same fit redone on cell lines resampled with
#: replacement, so its spread is the uncertainty the fit leaves. Predictions report the
#: 5-95 % range over members beside the point estimate.
ENSEMBLES = {"gdsc_v2": "gdsc_v2_ensemble.csv"}
#: Sets without an ensemble of their own that report another set's: predictions with the
#: assumed sizes report the range the GDSC-fitted sizes give (the point estimate keeps the
#: assumed sizes and may lie outside that range: the distance says how far the data would
#: move it).
ENSEMBLE_OF = {"prior": "gdsc_v2", "gdsc_v1": "gdsc_v2", "gdsc_v2_prior": "gdsc_v2"}
#: Bootstrap ensembles of a whole cell-line model (set name -> file of member rows with
#: effect sizes, links and tissue shifts): the lines resampled with replacement and the
#: set's fit redone on each, so ln IC50 predictions carry the fit's uncertainty.
LINK_ENSEMBLES = {
    "gdsc_v2": "gdsc_v2_ensemble.csv",
    "gdsc_v2_prior": "gdsc_v2_prior_ensemble.csv",
}


def _ensemble_rows(name: str, filename: str) -> pd.DataFrame:
    """The member rows of a shipped ensemble file, each with its source."""
    with files("mtorsim.data").joinpath("calibration", filename).open() as fh:
        table = pd.read_csv(fh)
    if table["source"].isna().any():
        raise MtorsimError(f"ensemble of {name}: every row needs a source")
    return table


@lru_cache(maxsize=8)
def ensemble_scales(name: str = DEFAULT_SET) -> tuple[dict[str, float], ...]:
    """Effect-size multipliers of each bootstrap member of set ``name`` (or of the
    ensemble the set borrows, see :data:`ENSEMBLE_OF`); empty if it has none."""
    if name not in PARAMETER_SETS:
        raise MtorsimError(f"unknown parameter set {name!r}; choose one of {list(PARAMETER_SETS)}")
    source = ENSEMBLE_OF.get(name, name)
    if source not in ENSEMBLES:
        return ()
    table = _ensemble_rows(source, ENSEMBLES[source])
    rows = table[table["parameter"].str.startswith("effect_scale:")]
    return tuple(
        {p.split(":", 1)[1]: float(v) for p, v in zip(g["parameter"], g["value"], strict=True)}
        for _, g in rows.groupby("member", sort=True)
    )


@lru_cache(maxsize=4)
def link_ensemble(name: str) -> tuple[pd.DataFrame, ...]:
    """Each bootstrap member of cell-line model ``name`` as parameter-set rows (empty if the
    set has none, see :data:`LINK_ENSEMBLES`)."""
    if name not in PARAMETER_SETS:
        raise MtorsimError(f"unknown parameter set {name!r}; choose one of {list(PARAMETER_SETS)}")
    if name not in LINK_ENSEMBLES:
        return ()
    table = _ensemble_rows(name, LINK_ENSEMBLES[name])
    return tuple(g.drop(columns="member") for _, g in table.groupby("member", sort=True))


@lru_cache(maxsize=8)
def load_parameter_set(name: str = DEFAULT_SET) -> pd.DataFrame:
    """The rows of one parameter set (``parameter, value, unit, source``)."""
    if name not in PARAMETER_SETS:
        raise MtorsimError(f"unknown parameter set {name!r}; choose one of {list(PARAMETER_SETS)}")
    path = files("mtorsim.data").joinpath("calibration", PARAMETER_SETS[name])
    with path.open() as fh:
        table = pd.read_csv(fh)
    missing = {"parameter", "value", "unit", "source"} - set(table.columns)
    if missing or table["source"].isna().any():
        raise MtorsimError(f"parameter set {name}: every row needs a value, unit and source")
    return table


def effect_scales(name: str = DEFAULT_SET) -> dict[str, float]:
    """Network parameter -> multiplier on the effect size of rules acting on it."""
    t = load_parameter_set(name)
    rows = t[t["parameter"].str.startswith("effect_scale:")]
    return {
        p.split(":", 1)[1]: float(v) for p, v in zip(rows["parameter"], rows["value"], strict=True)
    }


def scale_effects(params: Mapping[str, float], scales: Mapping[str, float]) -> dict[str, float]:
    """One genotype's parameters with each effect size multiplied by its scale."""
    out = dict(params)
    for name, value in params.items():
        m = scales.get(name)
        if m is None or m == 1.0:
            continue
        if name.endswith("_level"):
            out[name] = min(1.0, max(0.0, 1.0 - m * (1.0 - value)))
        else:
            out[name] = m * value
    return out
