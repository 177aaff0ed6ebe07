"""Validation against GDSC1 cell lines: predict from genotype alone, compare with ln IC50.

Each cell line's GDSC genotype flags become network parameters (a flag means a driver
mutation of that gene; its effect is the gene's usual class in the knowledge base, e.g. any
PTEN mutation or loss = PTEN loss). Lines sharing a genotype share a prediction. Reported
per drug: Spearman rho between predicted response and observed ln IC50 (negative = right
direction: more predicted response, lower IC50), and per gene the observed mutant-minus-
wild-type ln IC50 next to the predicted mutant-minus-wild-type response.

The response tables (:func:`gdsc_response_table`, :func:`ctrp_response_table`) feed the
cross-validated comparison of fitted models in :mod:`mtorsim.genomics.gdsc_cv`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from mtorsim.errors import MtorsimError
from mtorsim.genomics.predict import predict_response
from mtorsim.genomics.profile import combine
from mtorsim.io import read_csv_table

__all__ = [
    "FLAG_EFFECTS",
    "GDSC_DRUGS",
    "RAPALOGS",
    "ctrp_response_table",
    "gdsc_profiles",
    "gdsc_response_table",
    "gdsc_validation",
    "genotype_lines",
    "load_ctrp",
    "load_gdsc",
    "read_ctrp_screen",
    "read_gdsc_screen",
    "typed_table",
]

#: GDSC drug name -> mtorsim drug
GDSC_DRUGS = {
    "Rapamycin": "sirolimus",
    "Temsirolimus": "temsirolimus",
    "AZD8055": "azd8055",
    "OSI-027": "osi-027",
    "Dactolisib": "dactolisib",
    "MK-2206": "mk-2206",
    "Trametinib": "trametinib",
    "Selumetinib": "selumetinib",
}

RAPALOGS = ("Rapamycin", "Temsirolimus")
FLAG_SUFFIXES = ("_mut", "_loss", "_gain")  # genotype columns of the GDSC tables

#: GDSC genotype flag -> (parameter, value); assumptions documented in the module docstring
FLAG_EFFECTS = {
    "PTEN_mut_or_loss": ("PTEN_level", 0.0),
    "PIK3CA_mut": ("PIK3CA_gain", 0.4),
    "PIK3R1_mut": ("PIK3CA_gain", 0.2),
    "TSC1_or_TSC2_mut": ("TSC_level", 0.0),
    "MTOR_mut": ("MTOR_gain", 0.3),
    "STK11_mut": ("LKB1_level", 0.0),
    "STK11_cna_loss": ("LKB1_level", 0.0),
    "KRAS_mut": ("KRAS_gain", 1.0),
    "KRAS_cna_gain": ("KRAS_gain", 0.3),
    "NRAS_mut": ("KRAS_gain", 1.0),
    "HRAS_mut": ("KRAS_gain", 1.0),
    "BRAF_mut": ("BRAF_gain", 1.0),
    "NF1_mut": ("NF1_level", 0.0),
    "NF1_cna_loss": ("NF1_level", 0.0),
    "AKT1_mut": ("AKT_gain", 0.3),
    "PPP2R2B_mut": ("PPP2R2B_level", 0.0),
}


@lru_cache(maxsize=1)
def load_gdsc() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cell lines with genotype flags, response of the library's drugs) shipped with mtorsim."""
    root = files("mtorsim.data.gdsc")
    with root.joinpath("gdsc1_cell_lines.csv").open() as fh:
        lines = pd.read_csv(fh)
    with root.joinpath("gdsc1_response_subset.csv").open() as fh:
        response = pd.read_csv(fh)
    return lines, response


def gdsc_profiles(lines: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Cell line -> parameters from its flags (missing flag = unknown = wild type)."""
    out = {}
    for r in lines.itertuples(index=False):
        params: dict[str, float] = {}
        for flag, (param, value) in FLAG_EFFECTS.items():
            if flag in lines.columns and getattr(r, flag) == 1:
                combine(params, param, value)
        out[r.cell_line] = params
    return out


def gdsc_response_table(drugs: list[str] | None = None) -> pd.DataFrame:
    """One row per (drug, cell line): mean ln IC50 over replicate screens (also as
    ``observed``, the column every model reads), tissue and flags.

    Only lines with a genotype row are kept (a line without one has unknown, not wild-type,
    genotype).
    """
    return _response_table(*load_gdsc(), drugs)


def _response_table(
    lines: pd.DataFrame, response: pd.DataFrame, drugs: list[str] | None
) -> pd.DataFrame:
    chosen = [d for d in GDSC_DRUGS if drugs is None or d in drugs]
    obs = response[response["drug"].isin(chosen)]
    obs = obs.groupby(["drug", "cell_line"], as_index=False, sort=True)["ln_ic50"].mean()
    table = obs.merge(lines, on="cell_line", how="inner").assign(observed=lambda t: t["ln_ic50"])
    table.attrs["endpoint"] = "ln IC50"
    return table.sort_values(["drug", "cell_line"], kind="stable").reset_index(drop=True)


#: a GDSC1 screen folder holds these files, laid out as ``shared/data`` (lines, response)
SCREEN_FILES = ("gdsc1_cell_lines.csv", "gdsc1_mtor_response.csv")
#: a CTRP screen's file in the same layout (response with genotype columns)
CTRP_FILE = "ctrp_mtor_response.csv"
_NEEDED = {
    SCREEN_FILES[0]: ("cell_line", "tissue"),
    SCREEN_FILES[1]: ("cell_line", "drug", "ln_ic50"),
}


def read_gdsc_screen(folder: str | Path) -> pd.DataFrame:
    """The response table (as :func:`gdsc_response_table`) of another GDSC1 screen: a folder
    with the two :data:`SCREEN_FILES` in the shared data's layout, e.g. cell lines mtorsim
    was never fitted on. Flags may be empty (unknown = not mutated, as in the shipped half);
    ``PTEN_mut_or_loss`` and ``TSC1_or_TSC2_mut`` are derived when absent.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MtorsimError(f"{folder}: not a folder; give one holding {' and '.join(SCREEN_FILES)}")
    tables = {}
    for name, needed in _NEEDED.items():
        text = read_csv_table(folder / name, needed, what="GDSC1 screen")
        tables[name] = typed_table(text, str(folder / name))
    lines = genotype_lines(tables[SCREEN_FILES[0]], str(folder / SCREEN_FILES[0]))
    response = tables[SCREEN_FILES[1]]
    table = _response_table(lines, response, None)
    if table.empty:
        raise MtorsimError(
            f"{folder}: no cell line has both a genotype row and an ln IC50 of "
            f"{', '.join(GDSC_DRUGS)}; check the drug names and cell_line columns"
        )
    return table


#: the measured response columns of the screens' files (a finite number in every row)
_ENDPOINTS = ("ln_ic50", "ctrp_auc")


def typed_table(table: pd.DataFrame, where: str, *, file_rows: bool = True) -> pd.DataFrame:
    """Numbers where the shared files have them: flags 0/1 or empty (NaN), a finite
    endpoint; an error naming ``where``, the row and the column otherwise. ``file_rows``:
    rows are counted as lines of a CSV file with a header (else by the table's index)."""
    out = table.copy()
    for col in out.columns:
        is_flag = col.endswith(FLAG_SUFFIXES) or col in ("msi", "is_combination")
        if col not in _ENDPOINTS and not is_flag:
            continue
        given = out[col].where(out[col] != "")  # an empty cell is unknown (not mutated)
        values = pd.to_numeric(given, errors="coerce")
        bad = values.isna() & given.notna()
        if col in _ENDPOINTS:
            bad |= ~np.isfinite(values)
        else:
            bad |= values.notna() & ~values.isin([0, 1])
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            row = f"row {pos + 2}" if file_rows else f"index {out.index[pos]!r}"
            need = "a finite number" if col in _ENDPOINTS else "0, 1 or empty"
            raise MtorsimError(
                f"{where}: {row}, column {col!r} is {out[col].iloc[pos]!r}; give {need}"
            )
        out[col] = values
    return out


def genotype_lines(lines: pd.DataFrame, where: str) -> pd.DataFrame:
    """One genotype row per line (an error naming ``where`` otherwise), with the combined
    flags the mechanism reads (``PTEN_mut_or_loss``, ``TSC1_or_TSC2_mut``) derived from
    their parts where a table gives only the parts."""
    dup = lines["cell_line"][lines["cell_line"].duplicated()]
    if len(dup):
        raise MtorsimError(
            f"{where}: cell line {dup.iloc[0]!r} has more than one row; give one row per line"
        )
    out = lines.copy()
    for combined, parts in (
        ("PTEN_mut_or_loss", ("PTEN_mut", "PTEN_cna_loss")),
        ("TSC1_or_TSC2_mut", ("TSC1_mut", "TSC2_mut")),
    ):
        have = [c for c in parts if c in out.columns]
        if combined not in out.columns and have:
            out[combined] = out[have].max(axis=1)
    return out


@lru_cache(maxsize=1)
def load_ctrp() -> pd.DataFrame:
    """CTRP v2 single-agent response of the GDSC drugs, with GDSC genotype columns."""
    with files("mtorsim.data").joinpath("ctrp", "ctrp_response_subset.csv").open() as fh:
        return pd.read_csv(fh)


def ctrp_response_table(drugs: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per drug and line with ``observed`` = CTRP AUC, the lines' genotype table).

    CTRP AUC, like ln IC50, is higher for less sensitive lines, so the same models and the
    same sign rule apply. Lines without any GDSC genotype are dropped (unknown genotype).
    """
    return _ctrp_table(load_ctrp(), drugs)


def read_ctrp_screen(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(response table, lines) as :func:`ctrp_response_table`, of another CTRP screen: a
    folder holding :data:`CTRP_FILE` in the shared data's layout (combinations dropped)."""
    path = Path(folder) / CTRP_FILE
    text = read_csv_table(path, ("cell_line", "tissue", "drug", "ctrp_auc"), what="CTRP screen")
    ctrp = typed_table(text, str(path))
    if "is_combination" in ctrp.columns:
        ctrp = ctrp[ctrp["is_combination"] != 1]
    table, lines = _ctrp_table(ctrp, None)
    if table.empty:
        raise MtorsimError(
            f"{path}: no genotyped cell line has a CTRP AUC of {', '.join(GDSC_DRUGS)}; "
            "check the drug names and genotype columns"
        )
    return table, lines


def _ctrp_table(ctrp: pd.DataFrame, drugs: list[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    flags = [c for c in ctrp.columns if c.endswith(FLAG_SUFFIXES)]
    ctrp = ctrp[ctrp[flags].notna().any(axis=1)]
    ctrp = ctrp[ctrp["drug"].isin([d for d in GDSC_DRUGS if drugs is None or d in drugs])]
    lines = ctrp.drop_duplicates("cell_line").drop(
        columns=["drug", "ctrp_auc", "gr_aoc", "is_combination"], errors="ignore"
    )
    obs = ctrp.groupby(["drug", "cell_line"], as_index=False, sort=True)["ctrp_auc"].mean()
    table = obs.merge(lines, on="cell_line").assign(observed=lambda t: t["ctrp_auc"])
    table.attrs["endpoint"] = "CTRP AUC"
    return table.sort_values(["drug", "cell_line"], kind="stable").reset_index(drop=True), lines


def gdsc_validation(
    *, drugs: list[str] | None = None, n: int = 8, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-drug Spearman table, per-gene effect table) on the shipped GDSC half.

    ``drugs`` restricts to some GDSC drug names (default: all of :data:`GDSC_DRUGS`).
    """
    chosen = {k: v for k, v in GDSC_DRUGS.items() if drugs is None or k in drugs}
    lines, response = load_gdsc()
    prof = gdsc_profiles(lines)
    keys = {cl: tuple(sorted(p.items())) for cl, p in prof.items()}
    unique = {f"g{i}": dict(k) for i, k in enumerate(sorted(set(keys.values())))}
    by_key = {tuple(sorted(v.items())): g for g, v in unique.items()}
    pred = predict_response(unique, list(chosen.values()), n=n, seed=seed, intervals=False)
    pred_map = {(r.sample, r.drug): r.response_mean for r in pred.itertuples()}
    rows, genes = [], []
    for gdsc_name, drug in chosen.items():
        obs = response[response["drug"] == gdsc_name].groupby("cell_line")["ln_ic50"].mean()
        obs = obs[obs.index.isin(prof.keys())]
        predicted = pd.Series({cl: pred_map[(by_key[keys[cl]], drug)] for cl in obs.index})
        rho, p = spearmanr(predicted, obs)
        rows.append(
            {
                "drug": gdsc_name,
                "mtorsim_drug": drug,
                "n_lines": len(obs),
                "spearman_rho": float(rho),
                "p_value": float(p),
            }
        )
        for flag in FLAG_EFFECTS:
            if flag not in lines.columns:
                continue
            mut = lines.set_index("cell_line")[flag].reindex(obs.index)
            m, w = mut == 1, mut == 0
            if m.sum() < 5 or w.sum() < 5:
                continue
            genes.append(
                {
                    "drug": gdsc_name,
                    "flag": flag,
                    "n_mut": int(m.sum()),
                    "observed_ln_ic50_diff": float(obs[m].mean() - obs[w].mean()),
                    "predicted_response_diff": float(predicted[m].mean() - predicted[w].mean()),
                }
            )
    gene_table = pd.DataFrame(genes)
    if not gene_table.empty:
        # agreement: more predicted response should go with lower (negative diff) ln IC50
        gene_table["direction_agrees"] = np.sign(gene_table["observed_ln_ic50_diff"]) == -np.sign(
            gene_table["predicted_response_diff"]
        )
    return pd.DataFrame(rows), gene_table
