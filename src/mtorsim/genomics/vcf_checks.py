"""Checks of a VCF's own text that htslib reads past, and cyvcf2's records as one-line errors.

htslib only warns on a malformed ``##`` line, reads a QUAL that is not a number as missing,
and passes extra or missing sample columns; these checks name the file's line instead. The
annotation header (VEP ``CSQ``, snpEff ``ANN``) gives the field names of every entry.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np

from mtorsim.errors import MtorsimError
from mtorsim.genomics.consequences import annotation_fields

_DESCRIPTION = re.compile(r'Description="((?:[^"\\]|\\.)*)"')
_CONSEQUENCE_FIELD = {"CSQ": "Consequence", "ANN": "Annotation"}


def annotation_header(p: Path, header: str) -> tuple[str, list[str]]:
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


def meta_problem(line: str) -> str | None:
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


def _damaged(exc: Exception) -> str:
    return (
        f"(the gzip file is truncated or corrupt: {exc}); copy or download it again, or "
        "re-compress the plain VCF with bgzip"
    )


def gzip_damage(p: Path) -> str | None:
    """Why a gzip file does not decompress to its end (a truncated copy), else None: htslib
    says only that it "cannot parse VCF header" when the stream ends early."""
    import gzip

    with p.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return None
    try:
        with gzip.open(p, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        return f"{p}: not a readable VCF {_damaged(exc)}"
    return None


def check_header(p: Path) -> int:
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
                    why = meta_problem(line)
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
            raise MtorsimError(f"{p}: line {n + 1}: not a readable VCF {_damaged(exc)}") from None
    if n == 0:
        raise MtorsimError(f"{p}: not a readable VCF/BCF (an empty file)")
    raise MtorsimError(f"{p}: line {n}: not a readable VCF/BCF (no #CHROM column header line)")


def data_lines(p: Path, header_lines: int):
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
                            f"{p}: line {n}: the record {not_utf8(exc, p)}"
                        ) from None
                    yield text.rstrip("\r\n")
    except (OSError, EOFError, zlib.error) as exc:  # damaged past the header
        raise MtorsimError(f"{p}: line {n + 1}: not a readable VCF {_damaged(exc)}") from None
    while True:
        yield None


def record_problem(raw: str | None, n_samples: int) -> str | None:
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


#: Fields a CSQ/ANN entry must reach: without them the entry is cut short, not sparse.
_NEEDED = {"CSQ": ("Consequence", "SYMBOL"), "ANN": ("Annotation", "Gene_Name")}


def entry_problem(value: str, fields: list[str], source: str) -> str | None:
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


def not_utf8(exc: UnicodeDecodeError, p: Path) -> str:
    return (
        f"is not UTF-8 text (byte 0x{exc.object[exc.start]:02x}, e.g. Latin-1); convert the "
        f"file to UTF-8, e.g. iconv -f latin1 -t utf-8 {p.name} > {p.stem}.utf8{p.suffix}"
    )


def records(vcf, p: Path, header_lines: int):
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
            raise MtorsimError(f"{p}: line {line}: the record {not_utf8(exc, p)}") from None
        except Exception as exc:  # htslib: "error parsing variant with htslib::bcf_read"
            line = header_lines + n + 1
            detail = str(exc).split(" with ")[0] or type(exc).__name__
            raise MtorsimError(
                f"{p}: line {line}: malformed VCF record ({detail}); a record has 8+ "
                "tab-separated columns (CHROM POS ID REF ALT QUAL FILTER INFO) and a numeric POS"
            ) from None
        n += 1
        yield rec


def quiet_htslib() -> None:
    """htslib logs its own ``[E::...]`` lines to stderr; our one ``error:`` line says it."""
    try:
        from cyvcf2.cyvcf2 import set_htslib_log_level
    except ImportError:  # older cyvcf2: htslib's lines stay
        return
    set_htslib_log_level(0)  # HTS_LOG_OFF
