"""Mutation files in (MAF, VCF, a simple CSV, gene-level copy number) -> one variant table.

Valid rows are kept; rows that cannot be read are listed with their line number and the
problem, never silently dropped; rows left out on purpose (silent or non-coding calls,
VCF records whose FILTER is not PASS) are listed too, with the reason. Output columns:
``sample, gene, protein_change, kind, vaf, line``. Every sample a file names is kept in
``samples`` even when none of its calls is kept, so it is predicted as wild type rather
than left out of a cohort's denominators.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.genomics.builds import check_build
from mtorsim.genomics.consequences import Annotation, parse_annotations, pick
from mtorsim.genomics.knowledge import (
    TRUNCATING_CLASSES,
    VARIANT_CLASSES,
    ProteinChange,
    parse_protein_change,
)
from mtorsim.genomics.vcf_checks import (
    annotation_header,
    check_header,
    data_lines,
    entry_problem,
    gzip_damage,
    not_utf8,
    quiet_htslib,
    record_problem,
    records,
)
from mtorsim.genomics.vcf_genotypes import by_allele, carriers, vaf_from_ad

__all__ = [
    "VariantTable",
    "parse_change",
    "read_copy_number",
    "read_maf",
    "read_variant_csv",
    "read_vcf",
]

_PROTEIN_COLUMNS = ("HGVSp_Short", "Protein_Change", "HGVSp", "amino_acid_change")
COLUMNS = ["sample", "gene", "protein_change", "kind", "vaf", "line"]


SKIPPED_COLUMNS = ["line", "category", "reason"]
#: ``problems``: the file's line, what is wrong, and what was done (the row or one cell
#: left out, or the row kept without the value)
PROBLEM_COLUMNS = ["line", "problem", "action"]
ROW_SKIPPED = "row skipped"
NEEDS_CYVCF2 = 'reading VCF needs cyvcf2: pip install "mtorsim[vcf]"'
#: Values that mean "not measured" in exported tables (pandas, R, spreadsheets).
_MISSING = {"", ".", "na", "nan", "n/a", "null", "none"}


def _skipped(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=SKIPPED_COLUMNS)


def _problems(rows: list[tuple]) -> pd.DataFrame:
    """``(line, problem)`` rows (the row is skipped) or ``(line, problem, action)``."""
    full = [r if len(r) == 3 else (*r, ROW_SKIPPED) for r in rows]
    return pd.DataFrame(full, columns=PROBLEM_COLUMNS)


@dataclass(frozen=True)
class VariantTable:
    """Variants read from a file, the rows that could not be read (``problems``: ``line,
    problem, action``) and the rows left out on purpose (``skipped``: ``line, category,
    reason``; categories ``silent``, ``non_coding``, ``filtered``, ``unannotated``,
    ``not_carried``), so nothing goes unreported. ``samples``: every sample with a row that
    was read (kept or left out on purpose), in file order: one with no kept variant is
    wild type, not absent."""

    variants: pd.DataFrame
    problems: pd.DataFrame
    path: str
    skipped: pd.DataFrame = field(default_factory=lambda: _skipped([]))
    samples: tuple[str, ...] = ()
    #: samples named only on rows that could not be read: neither predicted nor wild type
    unread: tuple[str, ...] = ()

    def skipped_summary(self) -> str:
        """One line for a log (``""`` when nothing was left out): counts by category."""
        if self.skipped.empty:
            return ""
        counts = self.skipped["category"].value_counts()
        parts = ", ".join(f"{n} {cat}" for cat, n in counts.items())
        return f"{len(self.skipped)} record(s) left out: {parts}"

    def all_samples(self) -> list[str]:
        """``samples`` and any sample of a kept variant (a table built by hand may give
        variants only), in order."""
        return list(dict.fromkeys([*self.samples, *self.variants["sample"]]))


#: Longest field a mutation table can need (a protein change, an annotation list).
MAX_FIELD = 100_000


def _decode(p: Path, raw: bytes) -> str:
    """UTF-8 text, or a one-line error that names the line and the encoding problem."""
    if b"\x00" in raw[:65536]:
        raise MtorsimError(f"{p}: a binary file (NUL bytes), not a text table")
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is not text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = _encoding_hint(raw)
        raise MtorsimError(
            f"{p}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}){hint}; "
            f"convert it to UTF-8, e.g. iconv -f latin1 -t utf-8 {p.name} > {p.stem}.utf8{p.suffix}"
        ) from None


def _encoding_hint(raw: bytes) -> str:
    """Name the likely encoding: bytes 0x80-0xff with no NUL read as Latin-1/Windows-1252."""
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return " (looks like Latin-1/Windows-1252)"


def _parser_error(p: Path, exc: Exception, skip: int) -> MtorsimError:
    """pandas' tokenizer message -> the file's line number and what to fix."""
    msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        want, line, got = int(m.group(1)), skip + int(m.group(2)), int(m.group(3))
        return MtorsimError(
            f"{p}: line {line}: {got} fields where the header has {want}; "
            "every row needs the header's columns"
        )
    m = re.search(r"EOF inside string starting at row (\d+)", msg)
    if m:
        line = skip + int(m.group(1)) + 1
        return MtorsimError(f'{p}: line {line}: a quote (") opens a field and never closes')
    return MtorsimError(f"{p}: not a readable table ({msg})")


def _check_fields(p: Path, lines: list[str], sep: str, skip: int) -> None:
    """A field longer than :data:`MAX_FIELD` is not a mutation call: say where it is."""
    for i, line in enumerate(lines[skip:], start=skip + 1):
        if len(line) > MAX_FIELD and max(len(f) for f in line.split(sep)) > MAX_FIELD:
            longest = max(len(f) for f in line.split(sep))
            raise MtorsimError(
                f"{p}: line {i}: a field of {longest:,} characters (at most {MAX_FIELD:,}); "
                "not a mutation table"
            )


def _raise_ragged(p: Path, lines: list[str], sep: str, skip: int) -> None:
    """pandas turns extra leading fields into an index: name the first line that has them."""
    import csv

    reader = csv.reader(lines[skip:], delimiter=sep)
    width = len(next(reader))
    for i, fields in enumerate(reader, start=skip + 2):
        if len(fields) > width:
            raise MtorsimError(
                f"{p}: line {i}: {len(fields)} fields but the header has {width}; "
                "remove the extra fields (or quote values that contain the separator)"
            )
    raise MtorsimError(f"{p}: rows have more fields than the header ({width}); fix the table")


def _check_container(p: Path, raw: bytes) -> None:
    """Compressed or spreadsheet files are not read as text tables: say so, with the fix."""
    gzipped = raw[:2] == b"\x1f\x8b"
    if gzipped:
        raise MtorsimError(f"{p}: gzip-compressed tables are not read; gunzip it first")
    if p.suffix.lower() == ".gz":
        raise MtorsimError(f"{p}: named .gz but not gzip-compressed; rename it without .gz")
    if p.suffix.lower() in (".xlsx", ".xls", ".ods") or raw[:4] == b"PK\x03\x04":
        raise MtorsimError(f"{p}: a spreadsheet; save it as tab- or comma-separated text")


def _load(path: str | os.PathLike[str], sep: str) -> tuple[pd.DataFrame, int]:
    p = Path(path)
    if not p.exists():
        raise MtorsimError(f"{p}: file not found")
    if p.is_dir():
        raise MtorsimError(f"{p}: is a folder, not a file")
    raw = p.read_bytes()
    _check_container(p, raw)
    text = _decode(p, raw)
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        skip += 1
    if skip >= len(lines) or not lines[skip].strip():
        raise MtorsimError(f"{p}: empty (no header line)")
    _check_fields(p, lines, sep, skip)
    from io import StringIO

    try:
        df = pd.read_csv(
            StringIO("\n".join(lines[skip:])), sep=sep, dtype=str, keep_default_na=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise _parser_error(p, exc, skip) from None
    if not isinstance(df.index, pd.RangeIndex):  # rows with more fields than the header
        _raise_ragged(p, lines, sep, skip)
    if df.empty:
        raise MtorsimError(f"{p}: has a header but no variants")
    import csv

    header = next(csv.reader(lines[skip : skip + 1], delimiter=sep))
    from collections import Counter

    twice = sorted(c for c, k in Counter(header).items() if k > 1 and c.strip())
    if twice:  # pandas would rename the second one ("Hugo_Symbol.1") and read the first
        raise MtorsimError(
            f"{p}: line {skip + 1}: column(s) {', '.join(twice)} appear more than once; "
            "keep one of each"
        )
    # fields per data row: pandas fills a short row's missing fields with "" silently
    widths = [len(f) for f in csv.reader(lines[skip + 1 :], delimiter=sep)]
    df.attrs["widths"] = widths if len(widths) == len(df) else None
    df.attrs["header"] = list(df.columns)
    return df, skip + 2  # file line number of the first data row


def _short(df: pd.DataFrame, i: int, needed: list[str]) -> str | None:
    """Why row ``i`` is cut before a needed column (a row with fewer fields than the
    header; trailing optional columns may be left off), else None."""
    widths = df.attrs.get("widths")
    if not widths:
        return None
    cut = [c for c in needed if df.attrs["header"].index(c) >= widths[i]]
    if not cut:
        return None
    return (
        f"{widths[i]} field(s) where the header has {len(df.attrs['header'])}: "
        f"no {', '.join(cut)} (fields are separated by the file's delimiter)"
    )


def _count(text: str) -> float | None:
    """A read count: a whole number >= 0 (None when it is not one)."""
    try:
        v = float(text)
    except ValueError:
        return None
    return v if np.isfinite(v) and v >= 0 and v == int(v) else None


#: No human protein is longer (titin: 34,350 residues); a larger position is a typo.
MAX_RESIDUE = 40_000


def parse_change(text: str) -> ProteinChange:
    """:func:`parse_protein_change` (any case), with a position no protein has a
    ValueError."""
    change = parse_protein_change(text)
    if change.position > MAX_RESIDUE:
        raise ValueError(text)
    return change


def _change_problem(exc: Exception, text: str) -> str:
    """The parser's message, or for Python's own ValueError (a position thousands of digits
    long) a plain one."""
    if isinstance(exc, MtorsimError):
        return str(exc)
    shown = text if len(text) <= 40 else f"{text[:30]}... ({len(text):,} characters)"
    return f"protein change {shown!r}: the position is not a plausible residue number"


def _kind(variant_class: str, change) -> str:
    vc = variant_class.strip().lower()
    if vc in TRUNCATING_CLASSES or (change is not None and change.truncating):
        return "truncating"
    if vc in ("silent", "synonymous_variant", "intron", "3'utr", "5'utr", "igr", "rna"):
        return "silent"
    return "missense" if change is not None else (vc or "unknown")


def _maf_columns(path, df: pd.DataFrame) -> str:
    """The protein-change column; a one-line error when a MAF column is missing (and the
    likely cause when the header was split on commas, not tabs)."""
    missing = [c for c in ("Hugo_Symbol", "Tumor_Sample_Barcode") if c not in df.columns]
    protein = next((c for c in _PROTEIN_COLUMNS if c in df.columns), None)
    if not missing and protein is not None:
        return protein
    if len(df.columns) == 1 and "Hugo_Symbol," in str(df.columns[0]):
        raise MtorsimError(
            f"{path}: looks comma-separated, but a MAF is tab-separated; save it with tabs "
            "(or give a sample,gene,variant CSV as --variants)"
        )
    need = missing + ([] if protein else [" or ".join(_PROTEIN_COLUMNS)])
    raise MtorsimError(f"{path}: not a MAF: missing column(s) {', '.join(need)}")


def _selected(samples: Sequence[str] | None) -> set[str] | None:
    return {str(s).strip() for s in samples} if samples else None


def read_maf(path: str | os.PathLike[str], *, samples: Sequence[str] | None = None) -> VariantTable:
    """Read a MAF (TCGA/GDC or cBioPortal): tumour sample, gene, protein change, VAF.

    ``samples``: read only these tumour barcodes. ``NCBI_Build`` may name any human build
    (GRCh37/hg19/b37, GRCh38/hg38, patch releases); NA counts as missing.
    """
    df, first = _load(path, "\t")
    protein = _maf_columns(path, df)
    if "NCBI_Build" in df.columns:
        check_build(list(df["NCBI_Build"]), str(path), "NCBI_Build")
    chosen = _selected(samples)
    rows, problems, skipped = [], [], []
    seen: dict[str, None] = {}
    unread: dict[str, None] = {}  # samples named on a row that could not be read
    needed = ["Hugo_Symbol", "Tumor_Sample_Barcode", protein]
    for i, r in df.iterrows():
        line = first + int(i)
        sample, gene = r["Tumor_Sample_Barcode"].strip(), r["Hugo_Symbol"].strip().upper()
        if chosen is not None and sample not in chosen:
            continue
        if why := _short(df, int(i), needed):
            problems.append((line, why))
            unread[sample] = None
            continue
        if not sample or not gene:
            problems.append((line, "missing sample or gene"))
            unread[sample] = None
            continue
        vc = r.get("Variant_Classification", "")
        text = r[protein].strip()
        if not vc.strip() and text in ("", ".", "NA"):
            problems.append((line, f"{gene}: no {protein} and no Variant_Classification"))
            unread[sample] = None
            continue
        change = None
        if text and text not in (".", "NA"):
            try:
                change = parse_change(text.split(",")[0])
            except (MtorsimError, ValueError) as exc:  # ValueError: a 5,000-digit position
                if vc.strip().lower() not in TRUNCATING_CLASSES:
                    problems.append((line, _change_problem(exc, text)))
                    unread[sample] = None
                    continue
        kind = _kind(vc, change)
        if kind == "silent":
            skipped.append((line, "silent", f"{gene} {vc or text}: not protein-altering"))
            seen[sample] = None
            continue
        vaf = np.nan
        alt, ref = r.get("t_alt_count", "").strip(), r.get("t_ref_count", "").strip()
        if alt and ref and alt not in (".", "NA") and ref not in (".", "NA"):
            a, b = _count(alt), _count(ref)
            if a is None or b is None:  # the call stands; only its VAF is lost
                why = f"t_alt_count/t_ref_count {alt!r}, {ref!r}: give read counts >= 0"
                problems.append((line, why, "row kept, vaf unknown"))
            else:
                vaf = a / (a + b) if a + b > 0 else np.nan
        rows.append((sample, gene, change.short if change else "", kind, vaf, line))
        seen[sample] = None
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        _problems(problems),
        str(path),
        _skipped(skipped),
        tuple(seen),
        tuple(s for s in unread if s and s not in seen),
    )


def _vaf(text: str) -> tuple[float, str | None]:
    """A VAF cell: (value, None), or (NaN, why) when it is not a fraction 0-1. A bad VAF
    costs only the VAF: the call itself stands (it is not what the VAF qualifies)."""
    if text.strip().lower() in _MISSING:
        return np.nan, None
    try:
        vaf = float(text)
    except ValueError:
        return np.nan, f"vaf {text!r} is not a number"
    if not 0.0 <= vaf <= 1.0:
        return np.nan, f"vaf {text!r} is not a fraction 0-1"
    return vaf, None


def read_variant_csv(
    path: str | os.PathLike[str], *, samples: Sequence[str] | None = None
) -> VariantTable:
    """A simple CSV: ``sample, gene, variant`` (protein change or class), optional ``vaf``.

    A VAF that is not a fraction 0-1 is listed in ``problems`` and read as unknown (NaN);
    the variant is kept. ``samples``: read only these samples.
    """
    df, first = _load(path, ",")
    missing = [c for c in ("sample", "gene", "variant") if c not in df.columns]
    if missing:
        raise MtorsimError(
            f"{path}: missing column(s) {', '.join(missing)}; expected sample,gene,variant[,vaf]"
        )
    classes = set(VARIANT_CLASSES)
    chosen = _selected(samples)
    rows, problems = [], []
    for i, r in df.iterrows():
        line = first + int(i)
        if chosen is not None and r["sample"].strip() not in chosen:
            continue
        if why := _short(df, int(i), ["sample", "gene", "variant"]):
            problems.append((line, why))
            continue
        if not r["sample"].strip() or not r["gene"].strip():
            problems.append((line, "missing sample or gene"))
            continue
        variant = r["variant"].strip()
        if variant.lower() in classes:
            change, kind = None, variant.lower().replace("loss", "deletion")
        else:
            try:
                change = parse_change(variant)
            except (MtorsimError, ValueError) as exc:  # ValueError: a 5,000-digit position
                problems.append((line, _change_problem(exc, variant)))
                continue
            kind = "truncating" if change.truncating else "missense"
        vaf, why = _vaf(r["vaf"]) if "vaf" in df.columns else (np.nan, None)
        if why:
            problems.append((line, why, "row kept, vaf unknown"))
        sample, gene = r["sample"].strip(), r["gene"].strip().upper()
        rows.append((sample, gene, change.short if change else "", kind, vaf, line))
    variants = pd.DataFrame(rows, columns=COLUMNS)
    seen = tuple(dict.fromkeys(variants["sample"]))
    return VariantTable(variants, _problems(problems), str(path), samples=seen)


#: Columns of GISTIC/cBioPortal copy-number tables that are not samples.
_CNA_ANNOTATION = ("Entrez_Gene_Id", "Cytoband", "Locus ID")


def _cna_value(sample: str, text: str) -> tuple[float | None, str | None]:
    """One copy-number cell: (value, None), or (None, why) when it is left out."""
    if not text.strip():
        return None, f"{sample}: empty cell, no copy number"
    if text.strip().lower() in _MISSING:
        return None, f"{sample}: {text.strip()!r} is a missing value, no copy number"
    try:
        v = float(text)
    except ValueError:
        return None, f"{sample}: {text!r} is not a number"
    if not -2.0 <= v <= 2.0:  # inf too
        return None, f"{sample}: {text!r} is outside -2..2"
    return v, None


def read_copy_number(
    path: str | os.PathLike[str], *, samples: Sequence[str] | None = None
) -> VariantTable:
    """Gene-level copy number (GISTIC-like): a ``gene`` column, one column per sample,
    values -2..2; -2 is a deletion, +2 an amplification (others are not events).

    A cell that is blank, NA or not a value -2..2 is left out (listed in ``problems``; the
    row's other cells are read). A gene given twice (any case) with different values is
    an error: which row holds the sample's copy number is not knowable.
    """
    df, first = _load(path, "\t" if str(path).endswith((".tsv", ".txt")) else ",")
    gene_col = next((c for c in ("gene", "Hugo_Symbol", "Gene Symbol") if c in df.columns), None)
    if gene_col is None:
        raise MtorsimError(f"{path}: no gene column (gene, Hugo_Symbol or 'Gene Symbol')")
    chosen = _selected(samples)
    columns = [
        c
        for c in df.columns
        if c != gene_col and c not in _CNA_ANNOTATION and (chosen is None or c.strip() in chosen)
    ]
    rows, problems, read = [], [], set()
    genes: dict[str, tuple[int, list[float | None]]] = {}
    for i, r in df.iterrows():
        line, gene = first + int(i), r[gene_col].strip().upper()
        if not gene:
            problems.append((line, f"no gene name in column {gene_col!r}"))
            continue
        cells = [_cna_value(sample, r[sample]) for sample in columns]
        values = [v for v, _ in cells]
        if gene in genes:
            was, before = genes[gene]
            if before != values:
                raise MtorsimError(
                    f"{path}: line {line}: gene {gene} is given again (first on line {was}) "
                    "with different values; give one row per gene"
                )
            continue  # the same row twice: its events once
        genes[gene] = (line, values)
        problems += [(line, why, "cell skipped") for _, why in cells if why]
        read |= {sample for sample, v in zip(columns, values, strict=True) if v is not None}
        for sample, v in zip(columns, values, strict=True):
            if v is not None and v <= -2:
                rows.append((sample, gene, "", "deletion", np.nan, line))
            elif v is not None and v >= 2:
                rows.append((sample, gene, "", "amplification", np.nan, line))
    seen = tuple(c for c in columns if c in read)  # a column with no value read is not seen
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS), _problems(problems), str(path), samples=seen
    )


#: A matched-normal column by name (NORMAL, PATIENT1_NORMAL, normal-blood) when the header
#: has no ``##normal_sample=`` line (Mutect2 writes one).
_NORMAL_NAME = re.compile(r"(?:^|[_.\-])normal(?:[_.\-]|$)", re.IGNORECASE)


def _normals(header: str, names: list[str]) -> set[str]:
    """The matched normal column(s): the header's ``##normal_sample=``, else by name."""
    given = {
        ln.split("=", 1)[1].strip()
        for ln in header.splitlines()
        if ln.startswith("##normal_sample=")
    }
    if given & set(names):
        return given & set(names)
    return {n for n in names if _NORMAL_NAME.search(n)}


def _tumour_columns(
    p: Path, names: list[str], header: str, wanted: Sequence[str] | None
) -> list[int]:
    """The sample columns to read: ``wanted`` (any column, a normal too), else every column
    but the matched normal, which is the germline reference and is not predicted."""
    if wanted:
        unknown = [w for w in wanted if w not in names]
        if unknown:
            listed = ", ".join(names) or "none: a sites-only VCF"
            raise MtorsimError(f"{p}: sample {unknown[0]!r} not in the VCF ({listed})")
        return [names.index(w) for w in dict.fromkeys(wanted)]
    normals = _normals(header, names)
    cols = [i for i, n in enumerate(names) if n not in normals]
    if names and not cols:
        raise MtorsimError(
            f"{p}: the only sample column(s), {', '.join(names)}, are the matched normal "
            "(germline), which is not predicted; give the tumour's VCF, or pick the column "
            f"to predict it anyway (Python: samples=[{names[0]!r}]; command line: --sample "
            f"{names[0]})"
        )
    return cols


def _format(rec, key: str):
    """A FORMAT field as cyvcf2's array, or None where the record has none (or htslib
    cannot read it)."""
    if key not in (rec.FORMAT or ()):
        return None
    try:
        return rec.genotypes if key == "GT" else rec.format(key)
    except Exception:  # cyvcf2 raises plain exceptions on a malformed field
        return None


def _vcf_call(a: Annotation) -> tuple[str, ProteinChange | None] | str:
    """(kind, protein change) for a chosen annotation, or the reason it cannot be used.

    The class comes from the SO term, not from substrings of it, so an intron variant is
    not a missense and a ``splice_region_variant`` is not a truncation (no false PTEN loss).
    """
    cls = a.variant_class
    change = None
    if a.protein and a.protein != ".":
        try:
            change = parse_change(a.protein)
        except (MtorsimError, ValueError) as exc:  # ValueError: a 5,000-digit position
            # a truncating call stands on its class (stop_lost's p.Ter404Trpext*? etc.)
            if cls not in ("truncating", "amplification"):
                return f"{a.gene}: {_change_problem(exc, a.protein)}"
    if cls == "other" and change is None:
        return f"{a.gene} {a.consequence}: consequence not interpretable without a protein change"
    if cls == "truncating" or (change is not None and change.truncating):
        return "truncating", change
    if cls in ("amplification", "missense", "inframe"):
        return cls, change
    return a.term, change  # "other" with a protein change: looked up by that change


def vcf_samples(path: str | os.PathLike[str]) -> list[str]:
    """The sample columns a VCF/BCF names (to route a sample selection between files)."""
    vcf, _, names, _ = _open_vcf(Path(path))
    vcf.close()
    return names


def _open_vcf(p: Path):
    """(cyvcf2 reader, raw header, sample names, header lines), after the file's own checks."""
    try:
        from cyvcf2 import VCF
    except ImportError:  # an optional extra: mtorsim[vcf]
        raise MtorsimError(NEEDS_CYVCF2) from None
    quiet_htslib()
    if not p.exists():
        raise MtorsimError(f"{p}: file not found")
    if p.is_dir():
        raise MtorsimError(f"{p}: is a folder, not a VCF file")
    name = p.name.lower()
    if not name.endswith((".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")):
        raise MtorsimError(f"{p}: give a .vcf, .vcf.gz or .bcf file")
    if name.endswith((".gz", ".bgz")):
        with p.open("rb") as fh:
            if fh.read(2) != b"\x1f\x8b":
                raise MtorsimError(f"{p}: named {p.suffix} but not compressed; rename it to .vcf")
    header_lines = check_header(p)
    try:
        vcf = VCF(str(p))
    except Exception as exc:  # cyvcf2 raises plain exceptions on bad files
        raise MtorsimError(gzip_damage(p) or f"{p}: not a readable VCF/BCF ({exc})") from None
    try:
        header, names = vcf.raw_header, list(vcf.samples)
    except UnicodeDecodeError as exc:
        raise MtorsimError(f"{p}: the header {not_utf8(exc, p)}") from None
    if "##fileformat=VCF" not in header:
        raise MtorsimError(f"{p}: no ##fileformat=VCF header line")
    return vcf, header, names, header_lines or header.count("\n")  # BCF: the header's lines


def read_vcf(
    path: str | os.PathLike[str],
    *,
    samples: Sequence[str] | None = None,
    sample: str | None = None,
    keep_filtered: bool = False,
) -> VariantTable:
    """VCF/BCF with VEP ``CSQ`` or snpEff ``ANN`` annotation (read with cyvcf2).

    Each sample column is its own sample, except the matched normal (``##normal_sample=``
    or a column named like NORMAL), which is germline and not predicted; ``samples`` (or
    one ``sample``) picks columns instead. A record's call is kept for a column only where
    its GT has a non-reference allele (with GT missing, alt ``AD`` > 0); a record no chosen
    column carries is skipped as ``not_carried``. ``AD`` gives the VAF. Per record the
    MANE/canonical transcript (VEP flags) or else the most severe consequence is used
    (:mod:`.consequences`). Records whose FILTER is not PASS are skipped unless
    ``keep_filtered``; they and silent or non-coding calls go to ``skipped``; unusable
    protein changes go to ``problems``.
    """
    p = Path(path)
    vcf, header, names, header_lines = _open_vcf(p)
    refs = [ln.split("=", 1)[1] for ln in header.splitlines() if ln.startswith("##reference=")]
    check_build(refs, str(p), "##reference")
    source, fields = annotation_header(p, header)
    wanted = [sample] if sample is not None and not samples else samples
    cols = _tumour_columns(p, names, header, wanted)
    if not wanted and len(cols) == 2 and not _normals(header, names):
        warnings.warn(  # a tumour/normal pair under other names (S1_T, S1_B)?
            f"{p}: two sample columns ({names[cols[0]]}, {names[cols[1]]}) and no matched "
            "normal named: both are predicted; if one is the germline normal, name it "
            "(##normal_sample=) or pick the tumour (--sample / samples=)",
            UserWarning,
            stacklevel=2,
        )
    normals = [i for i, n in enumerate(names) if n in _normals(header, names) and i not in cols]
    site_name = re.sub(r"\.(vcf(\.b?gz)?|bcf)$", "", p.name, flags=re.IGNORECASE)
    rows, problems, skipped = [], [], []
    raw_lines = data_lines(p, header_lines if not str(p).lower().endswith(".bcf") else 0)
    for n_rec, rec in enumerate(records(vcf, p, header_lines)):
        line = header_lines + n_rec + 1
        if why := record_problem(next(raw_lines), len(names)):
            problems.append((line, why))
            continue
        if rec.FILTER is not None and not keep_filtered:  # cyvcf2: None means PASS or '.'
            skipped.append((line, "filtered", f"FILTER {rec.FILTER} is not PASS"))
            continue
        gt, ad = _format(rec, "GT"), _format(rec, "AD")
        alts = [str(a) for a in rec.ALT]
        groups = by_allele(rec.INFO.get(source), fields, source, str(rec.REF), alts)
        if isinstance(groups, str):
            problems.append((line, groups))
            continue
        for k, value in groups.items():
            allele = k if len(alts) > 1 else None
            carried = carriers(gt, ad, cols, allele)
            if cols and not any(c is not False for c in carried):
                in_normal = any(carriers(gt, ad, normals, allele))
                where = "; only the matched normal does (germline)" if in_normal else ""
                reason = f"no chosen sample carries the ALT allele (GT/AD){where}"
                skipped.append((line, "not_carried", reason))
                continue
            call = _record_call(value, fields, source)
            if isinstance(call, tuple) and len(call) == 2:
                skipped.append((line, *call))
                continue
            if isinstance(call, str):
                problems.append((line, call))
                continue
            gene, kind, change = call
            protein = change.short if change else ""
            if not cols:  # a sites-only VCF: one sample, named by the file
                rows.append((site_name, gene, protein, kind, np.nan, line))
            for c, has in zip(cols, carried, strict=True):
                if has is not False:
                    vaf = vaf_from_ad(ad, c, k)
                    rows.append((names[c], gene, protein, kind, vaf, line))
    # a file whose records say nothing of its samples is not a wild-type call (as a MAF
    # with a header only is not): no record, or every one unannotated or filtered
    evidence = {"silent", "non_coding", "not_carried"}
    no_call = not rows and not any(c in evidence for _, c, _ in skipped)
    if no_call and not problems:
        if not skipped:
            raise MtorsimError(f"{p}: has a header but no variant records")
        kinds = sorted({c for _, c, _ in skipped})
        hint = (
            "annotate it (VEP CSQ or snpEff ANN)"
            if "unannotated" in kinds
            else "give --keep-filtered (keep_filtered=True) to read non-PASS records"
        )
        raise MtorsimError(
            f"{p}: no usable record ({len(skipped)} left out: {', '.join(kinds)}), so no "
            f"sample can be called wild type; {hint}"
        )
    # every chosen column is a sample, unless no record calls one (the unreadable rows are
    # then the file's whole story: the caller reports them, no sample is wild type)
    seen = () if no_call else tuple(names[c] for c in cols) or (site_name,)
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        _problems(problems),
        str(path),
        _skipped(skipped),
        seen,
    )


def _record_call(value, fields: list[str], source: str):
    """One record's annotation -> ``(gene, kind, change)``; ``(category, reason)`` for a
    record left out on purpose; a string for a problem."""
    if value and (why := entry_problem(str(value), fields, source)):
        return why
    chosen = pick(parse_annotations(value, fields, source), source) if value else None
    if chosen is None:
        return "unannotated", f"no {source} annotation"
    if chosen.variant_class in ("silent", "non_coding"):
        what = f"{chosen.gene or 'no gene'} {chosen.consequence}"
        return chosen.variant_class, f"{what}: not protein-altering ({chosen.variant_class})"
    if not chosen.gene:
        return f"{chosen.consequence}: no gene symbol in the {source} entry"
    call = _vcf_call(chosen)
    if isinstance(call, str):
        return call
    return (chosen.gene, *call)
