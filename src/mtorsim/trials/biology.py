"""Cancer-type biology as data (``data/trials/cancer_biology.csv``), every value sourced.

One row per (cancer type, prior therapy, parameter): control-arm growth (doubling time),
the share of proliferation that the mTOR growth drive controls (why rapalogs help RCC and
PNET more than gastric or colorectal cancer) and its spread between tumours, the cytotoxic
fraction of the drug effect (shrinkage, ORR; its own value for proliferation lost through
the oestrogen receptor and through the blood supply), ER and VEGF dependence,
post-progression growth, and the share of patients whose disease no longer answers
aromatase inhibitors (ESR1 mutations). A row with a ``prior_therapy`` replaces the general
row for designs that name that prior therapy (e.g. VEGF dependence after a VEGFR-TKI), so
no design carries hidden calibration knobs.

Fitted values come from ``trial_fit.json`` (:mod:`mtorsim.trials.trial_fit`), which
records the trials each was fitted to; :func:`override` lets calibration and
leave-one-trial-out runs substitute values without touching the files.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

from mtorsim.errors import MtorsimError

__all__ = [
    "PARAMETERS",
    "biology",
    "biology_default",
    "biology_sheet",
    "biology_table",
    "fitted_set",
    "is_pooled",
    "override",
    "prior_therapies",
    "setting_default",
    "setting_keys",
]

#: parameters every cancer type defines (the growth law's per-type inputs)
PARAMETERS = (
    "doubling_time_d",
    "pathway_share",
    "pathway_share_spread",
    "cytotoxic_fraction",
    "er_cytotoxic_fraction",
    "vegf_cytotoxic_fraction",
    "er_dependence",
    "vegf_dependence",
    "post_progression_growth",
    "ai_resistant_fraction",
)
_OVERRIDE: dict[tuple[str, str], float] = {}


@lru_cache(maxsize=1)
def biology_table() -> pd.DataFrame:
    """The table as shipped (values before ``trial_fit.json`` is applied)."""
    text = resources.files("mtorsim.data").joinpath("trials/cancer_biology.csv").read_text()
    table = pd.read_csv(StringIO(text), keep_default_na=False)
    table["value"] = table["value"].astype(float)
    missing = [
        (ct, p)
        for ct in table.cancer_type.unique()
        for p in PARAMETERS
        if not (
            (table.cancer_type == ct) & (table.parameter == p) & (table.prior_therapy == "")
        ).any()
    ]
    if missing:
        raise MtorsimError(f"cancer_biology.csv lacks {missing[0][1]} for {missing[0][0]}")
    return table


@lru_cache(maxsize=1)
def fitted_set() -> dict:
    """The versioned fitted set (``trial_fit.json``): values, trials, objective."""
    path = resources.files("mtorsim.data").joinpath("trials/trial_fit.json")
    return json.loads(path.read_text()) if path.is_file() else {"values": {}}


def biology_default(cancer_type: str, parameter: str) -> float:
    """The table's own value (before the fitted set): a fit's start and its fixed values."""
    t = biology_table()
    sel = t[(t.cancer_type == cancer_type) & (t.parameter == parameter) & (t.prior_therapy == "")]
    return float(sel.value.iloc[0])


def is_pooled(cancer_type: str, parameter: str) -> bool:
    """Whether the table says this value is pooled over the fitted cancer types."""
    t = biology_table()
    sel = t[(t.cancer_type == cancer_type) & (t.parameter == parameter) & (t.prior_therapy == "")]
    return bool(sel.source.iloc[0].startswith("pooled"))


def prior_therapies() -> dict[str, list[str]]:
    """Prior therapies with their own rows, per cancer type."""
    t = biology_table()
    t = t[t.prior_therapy != ""]
    return {ct: sorted(set(g.prior_therapy)) for ct, g in t.groupby("cancer_type")}


def biology(cancer_type: str, prior_therapy: tuple[str, ...] = ()) -> dict[str, float]:
    """Parameter values for one cancer type in one setting (fitted set, then overrides)."""
    t = biology_table()
    rows = t[t.cancer_type == cancer_type]
    if rows.empty:
        raise MtorsimError(f"cancer_biology.csv has no rows for {cancer_type!r}")
    fitted = fitted_set().get("values", {})
    out: dict[str, float] = {}
    for p in PARAMETERS:
        key = f"{cancer_type}.{p}"
        out[p] = float(
            fitted.get(key, rows[(rows.parameter == p) & (rows.prior_therapy == "")].value.iloc[0])
        )
        out[p] = _OVERRIDE.get((cancer_type, p), out[p])
    for prior in prior_therapy:
        sel = rows[rows.prior_therapy.str.lower() == prior.lower()]
        for r in sel.itertuples(index=False):
            key = f"{r.parameter}@{r.prior_therapy}"  # a setting's own fitted value
            value = float(fitted.get(f"{cancer_type}.{key}", r.value))
            out[r.parameter] = _OVERRIDE.get((cancer_type, key), value)
    return out


def biology_sheet() -> pd.DataFrame:
    """Every row of the table beside the value a trial runs with.

    The shipped table's ``value`` is a fit's start (and the value of rows no trial
    identifies); a fitted, pooled or tied row runs with ``trial_fit.json``'s value. This
    puts the two side by side so no one reads a start as an estimate.
    """
    table = biology_table()
    fitted = fitted_set()
    values = fitted.get("values", {})
    keys = [
        f"{r.cancer_type}.{r.parameter}" + (f"@{r.prior_therapy}" if r.prior_therapy else "")
        for r in table.itertuples(index=False)
    ]
    sheet = table.rename(columns={"value": "table_value"}).copy()
    run = [  # as biology() reads it: an override (calibration) first, then the fitted set
        _OVERRIDE.get(tuple(k.split(".", 1)), float(values.get(k, v)))
        for k, v in zip(keys, table["value"], strict=True)
    ]
    sheet.insert(3, "value", run)
    sheet.insert(5, "from_fit", [k in values for k in keys])
    sheet.attrs["fit_version"] = fitted.get("version", "")
    return sheet.reset_index(drop=True)


def setting_keys() -> list[str]:
    """``TYPE.parameter@prior therapy`` for every row with a prior therapy (fittable)."""
    t = biology_table()
    t = t[t.prior_therapy != ""]
    return [f"{r.cancer_type}.{r.parameter}@{r.prior_therapy}" for r in t.itertuples()]


def setting_default(cancer_type: str, key: str) -> float:
    """The table's value of a ``parameter@prior therapy`` row."""
    parameter, prior = key.split("@", 1)
    t = biology_table()
    sel = t[
        (t.cancer_type == cancer_type) & (t.parameter == parameter) & (t.prior_therapy == prior)
    ]
    return float(sel.value.iloc[0])


@contextlib.contextmanager
def override(values: Mapping[str, float]) -> Iterator[None]:
    """Temporarily replace ``"TYPE.parameter"`` values (calibration, cross-validation)."""
    old = dict(_OVERRIDE)
    try:
        for key, v in values.items():
            ct, p = key.split(".", 1)
            if p.split("@", 1)[0] not in PARAMETERS:
                raise MtorsimError(f"{p!r} is not a biology parameter; use {', '.join(PARAMETERS)}")
            _OVERRIDE[(ct, p)] = float(v)
        yield
    finally:
        _OVERRIDE.clear()
        _OVERRIDE.update(old)
