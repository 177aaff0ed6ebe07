"""Mutation files in (MAF, a simple CSV, gene-level copy number) -> one tidy variant table.

Valid rows are kept; rows that cannot be read are listed with their line number and the
problem, never silently dropped. Output columns: ``sample, gene, protein_change, kind,
vaf, line``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.genomics.knowledge import TRUNCATING_CLASSES, parse_protein_change

__all__ = ["VariantTable", "read_copy_number", "read_maf", "read_variant_csv"]

_PROTEIN_COLUMNS = ("HGVSp_Short", "Protein_Change", "HGVSp", "amino_acid_change")
COLUMNS = ["sample", "gene", "protein_change", "kind", "vaf", "line"]


@dataclass(frozen=True)
class VariantTable:
    """Variants read from a file, and the rows that could not be read."""

    variants: pd.DataFrame
    problems: pd.DataFrame
    path: str


def _load(path: str | os.PathLike[str], sep: str) -> tuple[pd.DataFrame, int]:
    p = Path(path)
    if not p.exists():
        raise MtorsimError(f"{p}: file not found")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MtorsimError(f"{p}: not UTF-8 text (byte {exc.start}); re-save it as UTF-8") from None
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        skip += 1
    if skip >= len(lines) or not lines[skip].strip():
        raise MtorsimError(f"{p}: empty (no header line)")
    from io import StringIO

    df = pd.read_csv(StringIO("\n".join(lines[skip:])), sep=sep, dtype=str, keep_default_na=False)
    if df.empty:
        raise MtorsimError(f"{p}: has a header but no variants")
    return df, skip + 2  # file line number of the first data row


def _kind(variant_class: str, change) -> str:
    vc = variant_class.strip().lower()
    if vc in TRUNCATING_CLASSES or (change is not None and change.truncating):
        return "truncating"
    if vc in ("silent", "synonymous_variant", "intron", "3'utr", "5'utr", "igr", "rna"):
        return "silent"
    return "missense" if change is not None else (vc or "unknown")


def read_maf(path: str | os.PathLike[str], *, samples: list[str] | None = None) -> VariantTable:
    """Read a MAF (TCGA/GDC or cBioPortal): tumour sample, gene, protein change, VAF."""
    df, first = _load(path, "\t")
    missing = [c for c in ("Hugo_Symbol", "Tumor_Sample_Barcode") if c not in df.columns]
    protein = next((c for c in _PROTEIN_COLUMNS if c in df.columns), None)
    if missing or protein is None:
        need = missing + ([] if protein else [" or ".join(_PROTEIN_COLUMNS)])
        raise MtorsimError(f"{path}: not a MAF: missing column(s) {', '.join(need)}")
    rows, problems = [], []
    for i, r in df.iterrows():
        line = first + int(i)
        sample, gene = r["Tumor_Sample_Barcode"].strip(), r["Hugo_Symbol"].strip().upper()
        if samples and sample not in samples:
            continue
        if not sample or not gene:
            problems.append((line, "missing sample or gene"))
            continue
        vc = r.get("Variant_Classification", "")
        text = r[protein].strip()
        change = None
        if text and text not in (".", "NA"):
            try:
                change = parse_protein_change(text.split(",")[0])
            except MtorsimError as exc:
                if vc.strip().lower() not in TRUNCATING_CLASSES:
                    problems.append((line, str(exc)))
                    continue
        kind = _kind(vc, change)
        if kind == "silent":
            continue
        vaf = np.nan
        alt, ref = r.get("t_alt_count", ""), r.get("t_ref_count", "")
        if alt.strip() and ref.strip():
            try:
                a, b = float(alt), float(ref)
                vaf = a / (a + b) if a + b > 0 else np.nan
            except ValueError:
                problems.append((line, f"t_alt_count/t_ref_count not numbers: {alt!r}, {ref!r}"))
        rows.append((sample, gene, change.short if change else "", kind, vaf, line))
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        pd.DataFrame(problems, columns=["line", "problem"]),
        str(path),
    )


def read_variant_csv(path: str | os.PathLike[str]) -> VariantTable:
    """A simple CSV: ``sample, gene, variant`` (protein change or class), optional ``vaf``."""
    df, first = _load(path, ",")
    missing = [c for c in ("sample", "gene", "variant") if c not in df.columns]
    if missing:
        raise MtorsimError(
            f"{path}: missing column(s) {', '.join(missing)}; expected sample,gene,variant[,vaf]"
        )
    classes = {"truncating", "deletion", "amplification", "silencing", "loss"}
    rows, problems = [], []
    for i, r in df.iterrows():
        line = first + int(i)
        variant = r["variant"].strip()
        if variant.lower() in classes:
            change, kind = None, variant.lower().replace("loss", "deletion")
        else:
            try:
                change = parse_protein_change(variant)
            except MtorsimError as exc:
                problems.append((line, str(exc)))
                continue
            kind = "truncating" if change.truncating else "missense"
        try:
            vaf = float(r["vaf"]) if "vaf" in df.columns and r["vaf"].strip() else np.nan
        except ValueError:
            problems.append((line, f"vaf {r['vaf']!r} is not a number"))
            continue
        rows.append(
            (
                r["sample"].strip(),
                r["gene"].strip().upper(),
                change.short if change else "",
                kind,
                vaf,
                line,
            )
        )
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        pd.DataFrame(problems, columns=["line", "problem"]),
        str(path),
    )


def read_copy_number(path: str | os.PathLike[str]) -> VariantTable:
    """Gene-level copy number (GISTIC-like): a ``gene`` column, one column per sample,
    values -2..2; -2 is a deletion, +2 an amplification (others are not events)."""
    df, first = _load(path, "\t" if str(path).endswith((".tsv", ".txt")) else ",")
    gene_col = next((c for c in ("gene", "Hugo_Symbol", "Gene Symbol") if c in df.columns), None)
    if gene_col is None:
        raise MtorsimError(f"{path}: no gene column (gene, Hugo_Symbol or 'Gene Symbol')")
    rows, problems = [], []
    for i, r in df.iterrows():
        line = first + int(i)
        for sample in df.columns:
            if sample == gene_col or sample in ("Entrez_Gene_Id", "Cytoband", "Locus ID"):
                continue
            try:
                v = float(r[sample])
            except ValueError:
                problems.append((line, f"{sample}: {r[sample]!r} is not a number"))
                continue
            if v <= -2:
                rows.append((sample, r[gene_col].upper(), "", "deletion", np.nan, line))
            elif v >= 2:
                rows.append((sample, r[gene_col].upper(), "", "amplification", np.nan, line))
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        pd.DataFrame(problems, columns=["line", "problem"]),
        str(path),
    )
