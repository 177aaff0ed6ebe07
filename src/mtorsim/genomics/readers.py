"""Mutation files in (MAF, VCF, a simple CSV, gene-level copy number) -> one variant table.

Valid rows are kept; rows that cannot be read are listed with their line number and the
problem, never silently dropped; rows left out on purpose (silent or non-coding calls,
VCF records whose FILTER is not PASS) are listed too, with the reason. Output columns:
``sample, gene, protein_change, kind, vaf, line``.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.genomics.consequences import Annotation, annotation_fields, parse_annotations, pick
from mtorsim.genomics.knowledge import TRUNCATING_CLASSES, ProteinChange, parse_protein_change

__all__ = ["VariantTable", "read_copy_number", "read_maf", "read_variant_csv", "read_vcf"]

_PROTEIN_COLUMNS = ("HGVSp_Short", "Protein_Change", "HGVSp", "amino_acid_change")
KNOWN_BUILDS = {"GRCh37", "GRCh38", "37", "38", "hg19", "hg38", "GRCh37-lite"}
COLUMNS = ["sample", "gene", "protein_change", "kind", "vaf", "line"]


SKIPPED_COLUMNS = ["line", "category", "reason"]
NEEDS_CYVCF2 = 'reading VCF needs cyvcf2: pip install "mtorsim[vcf]"'


def _skipped(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=SKIPPED_COLUMNS)


@dataclass(frozen=True)
class VariantTable:
    """Variants read from a file, the rows that could not be read (``problems``) and the
    rows left out on purpose (``skipped``: ``line, category, reason``; categories
    ``silent``, ``non_coding``, ``filtered``, ``unannotated``), so nothing goes unreported."""

    variants: pd.DataFrame
    problems: pd.DataFrame
    path: str
    skipped: pd.DataFrame = field(default_factory=lambda: _skipped([]))

    def skipped_summary(self) -> str:
        """One line for a log (``""`` when nothing was left out): counts by category."""
        if self.skipped.empty:
            return ""
        counts = self.skipped["category"].value_counts()
        parts = ", ".join(f"{n} {cat}" for cat, n in counts.items())
        return f"{len(self.skipped)} record(s) left out: {parts}"


#: Longest field a mutation table can need (a protein change, an annotation list).
MAX_FIELD = 100_000


def _decode(p: Path, raw: bytes) -> str:
    """UTF-8 text, or a one-line error that names the line and the encoding problem."""
    if b"\x00" in raw[:65536]:
        raise MtorsimError(f"{p}: a binary file (NUL bytes), not a text table")
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


def _parse_change(text: str) -> ProteinChange:
    """:func:`parse_protein_change`, and a position no protein has is a ValueError."""
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
    rows, problems, skipped = [], [], []
    needed = ["Hugo_Symbol", "Tumor_Sample_Barcode", protein]
    for i, r in df.iterrows():
        line = first + int(i)
        sample, gene = r["Tumor_Sample_Barcode"].strip(), r["Hugo_Symbol"].strip().upper()
        if samples and sample not in samples:
            continue
        if why := _short(df, int(i), needed):
            problems.append((line, why))
            continue
        if not sample or not gene:
            problems.append((line, "missing sample or gene"))
            continue
        vc = r.get("Variant_Classification", "")
        text = r[protein].strip()
        if not vc.strip() and text in ("", ".", "NA"):
            problems.append((line, f"{gene}: no {protein} and no Variant_Classification"))
            continue
        change = None
        if text and text not in (".", "NA"):
            try:
                change = _parse_change(text.split(",")[0])
            except (MtorsimError, ValueError) as exc:  # ValueError: a 5,000-digit position
                if vc.strip().lower() not in TRUNCATING_CLASSES:
                    problems.append((line, _change_problem(exc, text)))
                    continue
        kind = _kind(vc, change)
        if kind == "silent":
            skipped.append((line, "silent", f"{gene} {vc or text}: not protein-altering"))
            continue
        vaf = np.nan
        alt, ref = r.get("t_alt_count", "").strip(), r.get("t_ref_count", "").strip()
        if alt and ref and alt not in (".", "NA") and ref not in (".", "NA"):
            a, b = _count(alt), _count(ref)
            if a is None or b is None:
                problems.append(
                    (line, f"t_alt_count/t_ref_count {alt!r}, {ref!r}: give read counts >= 0")
                )
                continue
            vaf = a / (a + b) if a + b > 0 else np.nan
        rows.append((sample, gene, change.short if change else "", kind, vaf, line))
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        pd.DataFrame(problems, columns=["line", "problem"]),
        str(path),
        _skipped(skipped),
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
                change = _parse_change(variant)
            except (MtorsimError, ValueError) as exc:  # ValueError: a 5,000-digit position
                problems.append((line, _change_problem(exc, variant)))
                continue
            kind = "truncating" if change.truncating else "missense"
        try:
            vaf = float(r["vaf"]) if "vaf" in df.columns and r["vaf"].strip() else np.nan
        except ValueError:
            problems.append((line, f"vaf {r['vaf']!r} is not a number"))
            continue
        if "vaf" in df.columns and r["vaf"].strip() and not 0.0 <= vaf <= 1.0:
            problems.append((line, f"vaf {r['vaf']!r} is not a fraction 0-1"))
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
            if not -2.0 <= v <= 2.0:  # NaN too
                problems.append((line, f"{sample}: {r[sample]!r} is outside -2..2"))
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


_DESCRIPTION = re.compile(r'Description="((?:[^"\\]|\\.)*)"')
_CONSEQUENCE_FIELD = {"CSQ": "Consequence", "ANN": "Annotation"}


def _annotation_header(p: Path, header: str) -> tuple[str, list[str]]:
    """Which annotation the VCF carries (VEP ``CSQ`` first, then snpEff ``ANN``) and its
    field names, read from the header so a reordered ``Format:`` still reads right."""
    for tag in ("CSQ", "ANN"):
        for line in header.splitlines():
            if not line.startswith(f"##INFO=<ID={tag},"):
                continue
            m = _DESCRIPTION.search(line)
            fields = annotation_fields(m.group(1)) if m else []
            if _CONSEQUENCE_FIELD[tag] not in fields:
                raise MtorsimError(
                    f"{p}: the {tag} header does not list its fields "
                    f"(no {_CONSEQUENCE_FIELD[tag]!r} in the Description)"
                )
            return tag, fields
    raise MtorsimError(f"{p}: no VEP CSQ or snpEff ANN annotation; annotate the VCF first")


#: Structured meta lines (``##KEY=<...>``) and the keys each must carry (VCF 4.3 §1.4).
_META_KEYS = {"INFO": ("ID", "Number", "Type"), "FORMAT": ("ID", "Number", "Type")}
_META_TYPES = {
    "INFO": {"Integer", "Float", "Flag", "Character", "String"},
    "FORMAT": {"Integer", "Float", "Character", "String"},
}
_META_NUMBER = re.compile(r"\d+|[ARG.]")
_META_PAIR = re.compile(r'\s*([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^,"]*)\s*(?:,|$)')


def _meta_problem(line: str) -> str | None:
    """Why a ``##`` header line is malformed (htslib only warns and reads on), else None:
    an unclosed ``<...>`` or quote, a pair that is not ``key=value``, an INFO/FORMAT
    definition without ID/Number/Type or with a Type or Number the spec does not have."""
    body = line[2:]
    key, eq, value = body.partition("=")
    if not eq or not key.strip() or " " in key.strip():
        return "a meta line is ##key=value"
    if not value.startswith("<"):
        if key in _META_KEYS or key in ("FILTER", "ALT", "contig"):
            return f"##{key}= takes a <ID=...,...> definition"
        return None
    if not value.endswith(">"):
        return f"##{key}=<...> does not end with '>'"
    inner, pos, pairs = value[1:-1], 0, {}
    while pos < len(inner):
        m = _META_PAIR.match(inner, pos)
        if m is None or m.end() == pos:
            bad = inner[pos : pos + 30]
            return f"##{key}=<...>: {bad!r} is not key=value (or a quote is unclosed)"
        pairs[m.group(1)] = m.group(2).strip('"')
        pos = m.end()
    structured = key in _META_KEYS or key in ("FILTER", "ALT", "contig")
    if structured and not pairs.get("ID"):
        return f"##{key}=<...> has no ID"
    for name in _META_KEYS.get(key, ()):
        if name not in pairs:
            return f"##{key}=<ID={pairs.get('ID')},...> has no {name}"
    if key in _META_TYPES and pairs["Type"] not in _META_TYPES[key]:
        allowed = ", ".join(sorted(_META_TYPES[key]))
        return f"##{key}=<ID={pairs['ID']},...>: Type={pairs['Type']!r}; give one of {allowed}"
    if key in _META_KEYS and not _META_NUMBER.fullmatch(pairs["Number"]):
        return (
            f"##{key}=<ID={pairs['ID']},...>: Number={pairs['Number']!r}; "
            "give a count, A, R, G or ."
        )
    return None


def _check_header(p: Path) -> int:
    """Check the file's own ``##`` lines and its ``#CHROM`` line; the number of header lines
    (so record line numbers match the file: htslib's header adds lines such as
    ``##FILTER=<ID=PASS>``). BCF is binary: 0 (htslib has checked it)."""
    import gzip

    with p.open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    n = 0
    with gzip.open(p, "rb") if gz else p.open("rb") as fh:
        try:
            if fh.read(3) == b"BCF":
                return 0
            fh.seek(0)
            for n, raw in enumerate(fh, start=1):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if "\x00" in line or not line.startswith("#"):
                    why = "binary content" if "\x00" in line else "a record before #CHROM"
                    raise MtorsimError(
                        f"{p}: line {n}: not a readable VCF/BCF ({why}); a VCF starts with "
                        "##fileformat=VCFv4.x, ## header lines and the #CHROM line"
                    )
                if line.startswith("##"):
                    why = _meta_problem(line)
                    if why:
                        raise MtorsimError(
                            f"{p}: line {n}: malformed header line ({why}); "
                            'e.g. ##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">'
                        )
                    continue
                fixed = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
                if line.split("\t")[:8] != fixed:
                    raise MtorsimError(
                        f"{p}: line {n}: the column header is not "
                        "#CHROM POS ID REF ALT QUAL FILTER INFO (tab-separated)"
                    )
                return n
        except (OSError, EOFError, zlib.error) as exc:  # a damaged gzip stream
            raise MtorsimError(f"{p}: line {n + 1}: not a readable VCF ({exc})") from None
    if n == 0:
        raise MtorsimError(f"{p}: not a readable VCF/BCF (an empty file)")
    raise MtorsimError(f"{p}: line {n}: not a readable VCF/BCF (no #CHROM column header line)")


def _data_lines(p: Path, header_lines: int):
    """The file's own record lines (text VCF, plain or bgzip), read beside cyvcf2's records
    to check what htslib lets pass (a QUAL that is not a number reads as missing, extra or
    missing sample columns); nothing for BCF (``header_lines`` 0)."""
    import gzip

    if not header_lines:
        while True:
            yield None
    with p.open("rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    n = 0
    try:
        with gzip.open(p, "rb") if gz else p.open("rb") as fh:
            for n, raw in enumerate(fh, start=1):
                if n > header_lines:
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as exc:  # htslib passes such bytes on
                        raise MtorsimError(
                            f"{p}: line {n}: the record {_not_utf8(exc, p)}"
                        ) from None
                    yield text.rstrip("\r\n")
    except (OSError, EOFError, zlib.error) as exc:  # damaged past the header
        raise MtorsimError(f"{p}: line {n + 1}: not a readable VCF ({exc})") from None
    while True:
        yield None


def _record_problem(raw: str | None, n_samples: int) -> str | None:
    """What htslib read past in one record line, else None."""
    if raw is None:
        return None
    fields = raw.split("\t")
    qual = fields[5] if len(fields) > 5 else "."
    if qual != ".":
        try:
            ok = float(qual) >= 0 and np.isfinite(float(qual))
        except ValueError:
            ok = False
        if not ok:
            return f"QUAL {qual[:30]!r} is not a number >= 0 (or '.')"
    if n_samples and len(fields) != 9 + n_samples:
        return (
            f"{max(len(fields) - 9, 0)} sample column(s) where the header names {n_samples}; "
            "every record has FORMAT and one column per sample"
        )
    return None


def _tumour_column(p: Path, samples: list[str], sample: str | None) -> int:
    if sample is None:
        return next(
            (i for i, s in enumerate(samples) if s.upper() in ("TUMOR", "TUMOUR")), len(samples) - 1
        )
    if sample in samples:
        return samples.index(sample)
    raise MtorsimError(f"{p}: sample {sample!r} not in the VCF ({', '.join(samples)})")


#: Fields a CSQ/ANN entry must reach: without them the entry is cut short, not sparse.
_NEEDED = {"CSQ": ("Consequence", "SYMBOL"), "ANN": ("Annotation", "Gene_Name")}


def _entry_problem(value: str, fields: list[str], source: str) -> str | None:
    """Why one record's CSQ/ANN value does not match the header's Format, else None.

    VEP and snpEff write every field of every entry, empty ones as ``||``; tools that
    re-write a VCF (Perl's ``split``) may drop trailing empty fields, so a shorter entry is
    read as long as it reaches the fields the call stands on (Consequence and the gene).
    An entry cut before them, or one with non-empty fields beyond the Format, is not
    described by the header: its fields would be read under the wrong names.
    """
    needed = [fields.index(f) for f in _NEEDED[source] if f in fields]
    for k, entry in enumerate(value.split(","), start=1):
        if not entry.strip():
            continue
        parts = entry.split("|")
        if needed and len(parts) <= max(needed):
            missing = [f for f in _NEEDED[source] if f in fields and fields.index(f) >= len(parts)]
            return (
                f"{source} entry {k} has {len(parts)} of the header's {len(fields)} fields, "
                f"none for {'/'.join(missing)}; VEP and snpEff write every field "
                "(empty ones as ||): re-annotate or fix the entry"
            )
        if len(parts) > len(fields) and any(x.strip() for x in parts[len(fields) :]):
            return (
                f"{source} entry {k} has {len(parts)} fields but the header's Format lists "
                f"{len(fields)}; fix the ##INFO=<ID={source}> Description or the entry"
            )
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
            change = _parse_change(a.protein)
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


def _not_utf8(exc: UnicodeDecodeError, p: Path) -> str:
    return (
        f"is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}, e.g. Latin-1); convert the "
        f"file to UTF-8, e.g. iconv -f latin1 -t utf-8 {p.name} > {p.stem}.utf8{p.suffix}"
    )


def _records(vcf, p: Path, header_lines: int):
    """cyvcf2's records, its plain exceptions (htslib's bcf_read) as one-line errors with
    the record's line (the record after the last one read)."""
    it = iter(vcf)
    n = 0
    while True:
        try:
            rec = next(it)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            line = header_lines + n + 1
            raise MtorsimError(f"{p}: line {line}: the record {_not_utf8(exc, p)}") from None
        except Exception as exc:  # htslib: "error parsing variant with htslib::bcf_read"
            line = header_lines + n + 1
            detail = str(exc).split(" with ")[0] or type(exc).__name__
            raise MtorsimError(
                f"{p}: line {line}: malformed VCF record ({detail}); a record has 8+ "
                "tab-separated columns (CHROM POS ID REF ALT QUAL FILTER INFO) and a numeric POS"
            ) from None
        n += 1
        yield rec


def _quiet_htslib() -> None:
    """htslib logs its own ``[E::...]`` lines to stderr; our one ``error:`` line says it."""
    try:
        from cyvcf2.cyvcf2 import set_htslib_log_level
    except ImportError:  # older cyvcf2: htslib's lines stay
        return
    set_htslib_log_level(0)  # HTS_LOG_OFF


def read_vcf(
    path: str | os.PathLike[str], *, sample: str | None = None, keep_filtered: bool = False
) -> VariantTable:
    """VCF/BCF with VEP ``CSQ`` or snpEff ``ANN`` annotation (read with cyvcf2).

    ``sample`` picks the tumour column (default: a column named TUMOR/TUMOUR, else the last);
    its allele depths (``AD``) give the VAF. Per record the MANE/canonical transcript (VEP
    flags) or else the most severe consequence is used (:mod:`.consequences`). Records
    whose FILTER is not PASS are skipped unless ``keep_filtered``; they and silent or
    non-coding calls go to ``skipped``; unusable protein changes go to ``problems``.
    """
    try:
        from cyvcf2 import VCF
    except ImportError:  # an optional extra: mtorsim[vcf]
        raise MtorsimError(NEEDS_CYVCF2) from None
    _quiet_htslib()
    p = Path(path)
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
    header_lines = _check_header(p)
    try:
        vcf = VCF(str(p))
    except Exception as exc:  # cyvcf2 raises plain exceptions on bad files
        raise MtorsimError(f"{p}: not a readable VCF/BCF ({exc})") from None
    try:
        header, samples = vcf.raw_header, list(vcf.samples)
    except UnicodeDecodeError as exc:
        raise MtorsimError(f"{p}: the header {_not_utf8(exc, p)}") from None
    if "##fileformat=VCF" not in header:
        raise MtorsimError(f"{p}: no ##fileformat=VCF header line")
    refs = [ln.split("=", 1)[1] for ln in header.splitlines() if ln.startswith("##reference=")]
    human = [b.lower() for b in KNOWN_BUILDS if not b.isdigit()]
    ref = next((r for r in refs if not any(b in r.lower() for b in human)), None)
    if ref is not None:
        raise MtorsimError(
            f"{p}: ##reference={ref} is not a known human build "
            f"({', '.join(sorted(b for b in KNOWN_BUILDS if not b.isdigit()))})"
        )
    source, fields = _annotation_header(p, header)
    col = _tumour_column(p, samples, sample)
    name = samples[col] if samples else p.stem
    rows, problems, skipped = [], [], []
    header_lines = header_lines or header.count("\n")  # BCF: the header's own lines
    has_ad = "##FORMAT=<ID=AD," in header
    raw_lines = _data_lines(p, header_lines if not str(p).lower().endswith(".bcf") else 0)
    for n_rec, rec in enumerate(_records(vcf, p, header_lines)):
        line = header_lines + n_rec + 1
        if why := _record_problem(next(raw_lines), len(samples)):
            problems.append((line, why))
            continue
        if rec.FILTER is not None and not keep_filtered:  # cyvcf2: None means PASS or '.'
            skipped.append((line, "filtered", f"FILTER {rec.FILTER} is not PASS"))
            continue
        value = rec.INFO.get(source)
        if value and (why := _entry_problem(str(value), fields, source)):
            problems.append((line, why))
            continue
        chosen = pick(parse_annotations(value, fields, source), source) if value else None
        if chosen is None:
            skipped.append((line, "unannotated", f"no {source} annotation"))
            continue
        if chosen.variant_class in ("silent", "non_coding"):
            what = f"{chosen.gene or 'no gene'} {chosen.consequence}"
            reason = f"{what}: not protein-altering ({chosen.variant_class})"
            skipped.append((line, chosen.variant_class, reason))
            continue
        if not chosen.gene:
            problems.append((line, f"{chosen.consequence}: no gene symbol in the {source} entry"))
            continue
        call = _vcf_call(chosen)
        if isinstance(call, str):
            problems.append((line, call))
            continue
        kind, change = call
        vaf = np.nan
        ad = rec.format("AD") if has_ad else None  # AD is optional: without it VAF is NaN
        if ad is not None and col < len(ad) and ad[col].sum() > 0:
            vaf = float(ad[col][1:].sum() / ad[col].sum())
        rows.append((name, chosen.gene, change.short if change else "", kind, vaf, line))
    return VariantTable(
        pd.DataFrame(rows, columns=COLUMNS),
        pd.DataFrame(problems, columns=["line", "problem"]),
        str(path),
        _skipped(skipped),
    )
