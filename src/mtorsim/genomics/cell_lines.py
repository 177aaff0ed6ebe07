"""Predicted GDSC ln IC50 of cell lines from genotype flags and tissue: the fitted cell-line model.

The model is the one cross-validated in :mod:`mtorsim.genomics.gdsc_cv`: each line's flags
set network parameters (effect sizes scaled by a fitted parameter set), the network gives
the fall of the growth drive at each drug's clinical free concentration, and the set's
per-drug link (intercept, slope) and ridge-shrunk tissue shift turn it into ln IC50 (µM).
A tissue the fit never saw gets no shift (the fitted lines' average). Use it for lines
outside the shipped GDSC half; ``mtorsim validate --gdsc-test`` scores it on such lines.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.genomics.calibration import (
    MechanisticFit,
    ResponseCache,
    fit_from_rows,
    predict_mechanistic,
)
from mtorsim.genomics.parameter_sets import PARAMETER_SETS, link_ensemble, load_parameter_set
from mtorsim.genomics.validation import (
    FLAG_EFFECTS,
    GDSC_DRUGS,
    gdsc_profiles,
    genotype_lines,
    load_gdsc,
    typed_table,
)

__all__ = [
    "CELL_LINE_CELLS",
    "CELL_LINE_SET",
    "CellLineColumnWarning",
    "check_columns",
    "fitted_model",
    "gdsc_drug_name",
    "predict_ln_ic50",
]

#: the set used unless told otherwise: the 10-start GDSC fit (genotype + tissue). Against
#: the assumed sizes with fitted links (``gdsc_v2_prior``) cross-validation scores it level
#: on the median (0.361 against 0.362) and ahead on rapalogs (0.270 against 0.260) and
#: within tissue (0.046 against 0.031): with the assumed sizes four links go flat
CELL_LINE_SET = "gdsc_v2"
#: the seeded population each genotype is simulated in: the one the links were fitted on
CELL_LINE_CELLS = 8


#: flags the model reads: its effects and the parts the combined flags are derived from
MODEL_FLAGS = (*FLAG_EFFECTS, "PTEN_mut", "PTEN_cna_loss", "TSC1_mut", "TSC2_mut")


class CellLineColumnWarning(UserWarning):
    """A cell-line table's column is neither a GDSC flag nor a column of GDSC's table."""


def _did_you_mean(column: str) -> str | None:
    """``KRAS`` -> ``KRAS_mut`` (a gene named without its flag suffix, or in another case)."""
    key = column.strip().upper()
    same = [f for f in MODEL_FLAGS if f.upper() == key]
    gene = [f for f in MODEL_FLAGS if f.split("_")[0].upper() == key]
    close = difflib.get_close_matches(column, MODEL_FLAGS, n=1, cutoff=0.75)
    hit = same or sorted(gene, key=lambda f: not f.endswith("_mut")) or close
    return hit[0] if hit else None


def check_columns(lines: pd.DataFrame, where: str) -> list[str]:
    """Warn (:class:`CellLineColumnWarning`) about columns the model does not read and GDSC's
    table does not have (``KRAS`` for ``KRAS_mut``): unread, they would leave every line
    silently wild type for that gene. Returns the ignored columns."""
    known = {"cell_line", "tissue", *MODEL_FLAGS, *load_gdsc()[0].columns}
    ignored = [c for c in lines.columns if c not in known]
    if ignored:
        hints = [f"{c} -> {h}" for c in ignored if (h := _did_you_mean(c))]
        hint = f" (did you mean {', '.join(hints)}?)" if hints else ""
        warnings.warn(
            f"{where}: column(s) {', '.join(ignored)} are not genotype flags and are ignored"
            f"{hint}; the flags read are {', '.join(MODEL_FLAGS)}",
            CellLineColumnWarning,
            stacklevel=3,
        )
    return ignored


def fitted_model(parameter_set: str = CELL_LINE_SET) -> MechanisticFit:
    """The cell-line model a fitted parameter set holds (effect sizes, links, tissue shifts)."""
    fit = fit_from_rows(load_parameter_set(parameter_set))
    if not fit.links:
        fitted = [s for s in PARAMETER_SETS if s != parameter_set and s.startswith("gdsc")]
        raise MtorsimError(
            f"parameter set {parameter_set!r} has no fitted link to ln IC50; "
            f"use one of {', '.join(fitted)}"
        )
    return fit


def gdsc_drug_name(name: str) -> str:
    """The GDSC name of one of the fit's drugs, given in any case or by the library's name
    or alias (``temsirolimus`` -> ``Temsirolimus``; ``sirolimus`` -> ``Rapamycin``); a drug
    GDSC did not screen (``everolimus``) is an :class:`UnknownNameError`."""
    from mtorsim.pharmacology.catalogue import get_drug

    key = str(name).strip().lower()
    by_lower = {g.lower(): g for g in GDSC_DRUGS}
    if key in by_lower:
        return by_lower[key]
    try:
        library = get_drug(key).name
    except UnknownNameError:
        library = None
    by_library = {d: g for g, d in GDSC_DRUGS.items()}
    if library in by_library:
        return by_library[library]
    raise UnknownNameError("GDSC drug", name, list(GDSC_DRUGS))


def predict_ln_ic50(
    lines: pd.DataFrame,
    drugs: Sequence[str] | None = None,
    *,
    parameter_set: str = CELL_LINE_SET,
    n_cells: int = CELL_LINE_CELLS,
    seed: int = 0,
    where: str = "cell-line table",
    intervals: bool = True,
) -> pd.DataFrame:
    """Predicted ln IC50 of each line for each GDSC drug, with the fit's uncertainty.

    Parameters
    ----------
    lines : DataFrame
        One row per line: ``cell_line``, ``tissue`` (GDSC tissue names, e.g. ``lung_NSCLC``)
        and any GDSC genotype flags (``KRAS_mut``, ``PTEN_mut_or_loss`` or its parts
        ``PTEN_mut``/``PTEN_cna_loss``, ... 0/1; a missing column or empty value counts as
        not mutated, as in the fit).
    drugs : list of str
        GDSC drug names, any case, or the library's names of those drugs
        (:func:`gdsc_drug_name`; default: all eight the model was fitted on).
    parameter_set : str
        A fitted set with links (``gdsc_v2``, the default; ``gdsc_v2_prior``, the assumed
        effect sizes with fitted links; ``gdsc_v1``).
    n_cells, seed :
        The seeded cell population each genotype is simulated in (the fit's: 8, seed 0).
    where :
        How errors name the table (the CLI passes the file's path).
    intervals :
        Add the 5-95 % range over the set's bootstrap ensemble (the whole fit redone on
        resampled lines, :data:`~mtorsim.genomics.parameter_sets.LINK_ENSEMBLES`); NaN for
        a set without one.

    Returns
    -------
    DataFrame
        ``cell_line, tissue, drug, mtorsim_drug, predicted_ln_ic50, ln_ic50_fit_p05,
        ln_ic50_fit_p95, tissue_seen`` (µM, natural log; ``tissue_seen`` is False where the
        tissue had no fitted shift).
    """
    missing = [c for c in ("cell_line", "tissue") if c not in lines.columns]
    if missing:
        raise MtorsimError(
            f"{where} needs columns cell_line, tissue (missing {', '.join(missing)})"
        )
    chosen = list(dict.fromkeys(gdsc_drug_name(d) for d in drugs)) if drugs else list(GDSC_DRUGS)
    check_columns(lines, where)
    typed = genotype_lines(typed_table(lines, where, file_rows=False), where)
    fit = fitted_model(parameter_set)
    fit.links = {d: fit.links[d] for d in chosen}
    table = pd.DataFrame(
        [(r.cell_line, r.tissue, d) for d in chosen for r in typed.itertuples(index=False)],
        columns=["cell_line", "tissue", "drug"],
    )
    cache = ResponseCache(sorted(chosen), n_cells=n_cells, seed=seed)
    profiles = gdsc_profiles(typed)
    pred = predict_mechanistic(fit, table, profiles, cache)
    low = high = np.full(len(table), np.nan)
    members = link_ensemble(parameter_set) if intervals else ()
    if members:
        runs = []
        for rows in members:
            member = fit_from_rows(rows)
            member.links = {d: member.links[d] for d in chosen}
            runs.append(predict_mechanistic(member, table, profiles, cache))
        low, high = np.percentile(np.array(runs), [5.0, 95.0], axis=0)
    seen = {d: set(fit.offsets.get(d, {})) for d in chosen}
    return table.assign(
        mtorsim_drug=table["drug"].map(GDSC_DRUGS),
        predicted_ln_ic50=pred,
        ln_ic50_fit_p05=low,
        ln_ic50_fit_p95=high,
        tissue_seen=[t in seen[d] for t, d in zip(table["tissue"], table["drug"], strict=True)],
    )
