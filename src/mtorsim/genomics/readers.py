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

__all__ = ["VariantTable", "read_copy_number", "read_maf", "read_variant_csv", "read_vcf"]

_PROTEIN_COLUMNS = ("HGVSp_Short", "Protein_Change", "HGVSp", "amino_acid_change")
KNOWN_BUILDS = {"GRCh37", "GRCh38", "37", "38", "hg19", "hg38", "GRCh37-lite"}
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
    if "NCBI_Build" in df.columns:
        builds = {b.strip() for b in df["NCBI_Build"] if b.strip()}
        unknown = builds - KNOWN_BUILDS
        if unknown:
            raise MtorsimError(
                f"{path}: unknown genome build(s) {sorted(unknown)} in "
                f"NCBI_Build; expected one of {sorted(KNOWN_BUILDS)}"
            )
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


def read_vcf(path: str | os.PathLike[str], *, sample: str | None = None) -> VariantTable:
    """VCF/BCF with VEP ``CSQ`` or snpEff ``ANN`` annotation (read with cyvcf2).

    ``sample`` picks the tumour column (default: a column named TUMOR/TUMOUR, else the last);
    its allele depths (``AD``) give the VAF. Records without a gene/protein annotation or
    with only silent consequences are skipped; unparsable protein changes are listed.
    """
    p = Path(path)
    if not p.exists():
        raise MtorsimError(f"{p}: file not found")
    try:
        from cyvcf2 import VCF
    except ImportError:  # pragma: no cover - cyvcf2 is a dependency
        raise MtorsimError("reading VCF needs cyvcf2: pip install cyvcf2") from None
    try:
        vcf = VCF(str(p))
    except (OSError, Exception) as exc:  # cyvcf2 raises plain exceptions on bad files
        raise MtorsimError(f"{p}: not a readable VCF/BCF ({exc})") from None
    header = vcf.raw_header
    if "##fileformat=VCF" not in header:
        raise MtorsimError(f"{p}: no ##fileformat=VCF header line")
    ref = next(
        (ln.split("=", 1)[1] for ln in header.splitlines() if ln.startswith("##reference=")), None
    )
    if ref is not None and not any(
        b.lower() in ref.lower() for b in KNOWN_BUILDS if not b.isdigit()
    ):
        raise MtorsimError(
            f"{p}: ##reference={ref} is not a known human build "
            f"({', '.join(sorted(b for b in KNOWN_BUILDS if not b.isdigit()))})"
        )
    key, fields = None, []
    for tag in ("CSQ", "ANN"):
        for line in header.splitlines():
            if line.startswith(f"##INFO=<ID={tag},") and "Format: " in line:
                key = tag
                fields = line.split("Format: ")[1].split('"')[0].split("|")
                fields = [f.strip() for f in fields]
        if key:
            break
    if key is None:
        raise MtorsimError(f"{p}: no VEP CSQ or snpEff ANN annotation; annotate the VCF first")
    samples = list(vcf.samples)
    if sample is None:
        col = next(
            (i for i, s in enumerate(samples) if s.upper() in ("TUMOR", "TUMOUR")), len(samples) - 1
        )
    elif sample in samples:
        col = samples.index(sample)
    else:
        raise MtorsimError(f"{p}: sample {sample!r} not in the VCF ({', '.join(samples)})")
    name = samples[col] if samples else p.stem
    gene_f = "SYMBOL" if key == "CSQ" else "Gene_Name"
    prot_f = "HGVSp" if key == "CSQ" else "HGVS.p"
    cons_f = "Consequence" if key == "CSQ" else "Annotation"
    rows, problems = [], []
    header_lines = header.count("\n")
    for n_rec, rec in enumerate(vcf):
        line = header_lines + n_rec + 1
        ann = rec.INFO.get(key)
        if not ann:
            continue
        first = dict(zip(fields, ann.split(",")[0].split("|"), strict=False))
        gene = first.get(gene_f, "").upper()
        consequence = first.get(cons_f, "")
        prot = first.get(prot_f, "").split(":")[-1]
        if not gene or "synonymous" in consequence:
            continue
        change = None
        if prot:
            try:
                change = parse_protein_change(prot)
            except MtorsimError as exc:
                problems.append((line, str(exc)))
                continue
        kind = (
            "truncating"
            if (
                (change is not None and change.truncating)
                or any(c in consequence for c in ("stop_gained", "frameshift", "splice_"))
            )
            else "missense"
        )
        vaf = np.nan
        ad = rec.format("AD")
        if ad is not None and col < len(ad) and ad[col].sum() > 0:
            vaf = float(ad[col][1:].sum() / ad[col].sum())
        rows.append((name, gene, change.short if change else "", kind, vaf, line))
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        pd.DataFrame(problems, columns=["line", "problem"]),
        str(path),
    )
