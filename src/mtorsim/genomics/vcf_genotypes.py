"""Who carries a VCF record's ALT allele, at what VAF, and which annotation describes it.

Kept apart from the readers: the per-sample GT/AD rules (a no-call is not a carrier) and
the per-ALT split of multi-allelic records (each sample gets the annotation of the allele
its GT holds, never another ALT's).
"""

from __future__ import annotations

import numpy as np

from mtorsim.genomics.consequences import parse_annotations

__all__ = ["by_allele", "carriers", "vaf_from_ad"]


def carriers(gt, ad, cols: list[int], allele: int | None = None) -> list[bool | None]:
    """Per column: whether the sample carries the ALT allele (``allele``, 1-based; None: any).

    True where its GT has it; False where its GT is fully called without it, or is a
    no-call (``./.``, as ``bcftools merge`` writes for a sample without the site) whose AD
    shows no alt reads either; for a no-call or half call (``0/.``), alt reads in AD
    decide. None only where the record has neither GT nor AD for the sample (the call is
    kept, as a sites-only VCF's is).
    """
    out: list[bool | None] = []
    for c in cols:
        alleles = [int(a) for a in gt[c][:-1]] if gt is not None and c < len(gt) else []
        called = [a for a in alleles if a >= 0]
        depths = [int(d) for d in ad[c]] if ad is not None and c < len(ad) else []
        if any(a == allele if allele else a > 0 for a in called):
            out.append(True)
        elif called and len(called) == len(alleles):  # fully called, without it
            out.append(False)
        elif any(d >= 0 for d in depths):  # a no-call or half call (0/.): the reads decide
            alt = depths[allele : allele + 1] if allele else depths[1:]
            out.append(sum(d for d in alt if d > 0) > 0)
        elif alleles:  # a no-call with nothing else to go on: not carried
            out.append(False)
        else:
            out.append(None)
    return out


def vaf_from_ad(ad, c: int, allele: int = 1) -> float:
    """Reads of ``allele`` / all reads of column ``c`` (NaN without depths; missing < 0)."""
    if ad is None or c >= len(ad):
        return np.nan
    depths = [float(d) for d in ad[c]]
    total = sum(d for d in depths if d >= 0)
    if total <= 0 or allele >= len(depths) or depths[allele] < 0:
        return np.nan
    return depths[allele] / total


def _allele_index(allele: str, ref: str, alts: list[str]) -> int | None:
    """The 1-based ALT an annotation's ``Allele`` names: the ALT itself, or VEP's form with
    the first base REF and ALT share removed ('-' where nothing is left)."""
    if allele in alts:
        return alts.index(allele) + 1
    trimmed = [(a[1:] if len(a) > 1 and ref[:1] == a[:1] else a) or "-" for a in alts]
    hits = [k for k, t in enumerate(trimmed, 1) if t == allele]
    return hits[0] if len(hits) == 1 else None


def by_allele(value, fields: list[str], source: str, ref: str, alts: list[str]):
    """A record's annotation entries per ALT (1-based) -> INFO text; a string where a
    multi-allelic record's entries cannot be told apart. One ALT: all entries are its."""
    if len(alts) <= 1 or not value:
        return {1: value}
    groups: dict[int, list[str]] = {}
    for entry in str(value).split(","):
        parsed = parse_annotations(entry, fields, source)
        if not parsed:
            continue
        k = _allele_index(parsed[0].allele, ref, alts)
        if k is None:
            return (
                f"multi-allelic record (ALT {','.join(alts)}): the {source} allele "
                f"{parsed[0].allele!r} names none of them; split it first "
                "(bcftools norm -m -any)"
            )
        groups.setdefault(k, []).append(entry)
    return {k: ",".join(v) for k, v in sorted(groups.items())}
