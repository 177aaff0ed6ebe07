"""The variant-effect knowledge base and protein-change (HGVS p.) parsing.

The table (``mtorsim/data/variant_effects.csv``) maps a gene and an alteration (a hotspot,
``G12*`` for any change at a codon, or a class: truncating, deletion, amplification,
silencing) to a parameter of the network, with the evidence for each row. A variant that
matches no row is kept and reported as of *uncertain* effect; it never changes the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import pandas as pd

from mtorsim.errors import MtorsimError

__all__ = [
    "AA3",
    "VARIANT_CLASSES",
    "Effect",
    "ProteinChange",
    "knowledge_base",
    "match",
    "parse_protein_change",
]

AA3 = {
    "Ala": "A",
    "Arg": "R",
    "Asn": "N",
    "Asp": "D",
    "Cys": "C",
    "Gln": "Q",
    "Glu": "E",
    "Gly": "G",
    "His": "H",
    "Ile": "I",
    "Leu": "L",
    "Lys": "K",
    "Met": "M",
    "Phe": "F",
    "Pro": "P",
    "Ser": "S",
    "Thr": "T",
    "Trp": "W",
    "Tyr": "Y",
    "Val": "V",
    "Ter": "*",
}
_P1 = re.compile(r"^(?:p\.)?\(?([A-Z*])(\d+)([A-Z*=]|fs.*|del.*|ins.*|dup.*|_.*|\?)?\)?$")
_P3 = re.compile(
    r"^(?:p\.)?\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|\*|=|fs.*|del.*|ins.*|dup.*|"
    r"_.*|\?)?\)?$"
)
TRUNCATING_CLASSES = {
    "nonsense_mutation",
    "frame_shift_del",
    "frame_shift_ins",
    "splice_site",
    "nonstop_mutation",
    "translation_start_site",
    "stop_gained",
    "frameshift_variant",
    "splice_donor_variant",
    "splice_acceptor_variant",
    "start_lost",
    "stop_lost",
}


@dataclass(frozen=True)
class ProteinChange:
    """A parsed protein change: reference residue, position, alternative or consequence."""

    ref: str
    position: int
    alt: str  # one-letter residue, '*' (stop), 'fs', 'del', 'ins', 'dup', '=' or '?'

    @property
    def truncating(self) -> bool:
        return self.alt in ("*", "fs")

    @property
    def short(self) -> str:
        return f"{self.ref}{self.position}{self.alt}"


#: variant classes written instead of a protein change ("PTEN truncating", "KRAS loss")
VARIANT_CLASSES = ("truncating", "deletion", "amplification", "silencing", "loss")


def parse_protein_change(text: str) -> ProteinChange:
    """Parse ``p.H1047R``, ``p.His1047Arg``, ``H1047R``, ``p.R130*``, ``p.E17fs`` ... in any
    case (``p.h1047r``, ``P.R130*``, ``p.HIS1047ARG``), as gene symbols are read."""
    t = str(text).strip()
    change = _parse_exact(t)
    if change is None and (fixed := _in_parser_case(t)) != t:
        change = _parse_exact(fixed)
    if change is None:
        import difflib

        close = difflib.get_close_matches(t.lower(), VARIANT_CLASSES, n=1, cutoff=0.75)
        hint = f" (did you mean the class {close[0]!r}?)" if close else ""
        raise MtorsimError(
            f"cannot parse protein change {text!r}{hint}; use HGVS like p.H1047R or "
            "p.His1047Arg, or a class such as 'truncating'"
        )
    return change


def _parse_exact(t: str) -> ProteinChange | None:
    """HGVS p. in the case HGVS writes it, or None."""
    for pattern, three in ((_P1, False), (_P3, True)):
        m = pattern.match(t)
        if not m:
            continue
        ref, pos, alt = m.group(1), int(m.group(2)), m.group(3) or "?"
        if three:
            ref = AA3.get(ref, "")
            if not ref:
                break
            alt = AA3.get(alt, alt)
        for key in ("fs", "del", "ins", "dup"):
            if alt.startswith(key):
                alt = key
        if alt.startswith("_"):
            alt = "del"
        return ProteinChange(ref, pos, alt)
    return None


_ANY_CASE = re.compile(r"^(p\.)?(\(?)([a-z]{3}|[a-z*])(\d+)(.*?)(\)?)$", re.IGNORECASE)
_AA3_UPPER = {k.upper(): k for k in AA3}
_KEYWORDS = ("fs", "del", "ins", "dup")


def _in_parser_case(text: str) -> str:
    """HGVS p. in another case (``P.R130*``, ``p.h1047r``, ``p.HIS1047ARG``, ``E17FS``) in
    the case the parser reads; unambiguous because digits follow the reference residue, so
    a one-letter code is never read as part of a three-letter one."""
    m = _ANY_CASE.match(text)
    if m is None:
        return text
    _, opened, ref, pos, rest, closed = m.groups()
    ref = _AA3_UPPER.get(ref.upper(), ref) if len(ref) == 3 else ref.upper()
    if rest.lower().startswith(_KEYWORDS):
        rest = rest.lower()
    elif rest[:3].upper() in _AA3_UPPER and len(ref) == 3:
        rest = _AA3_UPPER[rest[:3].upper()] + rest[3:]
    elif len(rest) == 1:
        rest = rest.upper()
    return f"p.{opened}{ref}{pos}{rest}{closed}"


@dataclass(frozen=True)
class Effect:
    """One knowledge-base row applied to one variant."""

    gene: str
    alteration: str
    parameter: str
    operation: str
    value: float
    effect: str
    evidence: str


@lru_cache(maxsize=1)
def knowledge_base() -> pd.DataFrame:
    """The variant-effect table shipped with mtorsim (one row per rule, with evidence)."""
    path = files("mtorsim.data").joinpath("variant_effects.csv")
    with path.open() as fh:
        return pd.read_csv(fh)


def match(gene: str, change: ProteinChange | None, kind: str | None) -> Effect | None:
    """The knowledge-base rule for a variant: exact hotspot, codon (``G12*``), or class."""
    kb = knowledge_base()
    rows = kb[kb.gene == gene.upper()]
    if rows.empty:
        return None
    candidates = []
    if change is not None:
        candidates += [change.short, f"{change.ref}{change.position}*"]
        if change.truncating:
            candidates.append("truncating")
    if kind:
        candidates.append(kind)
    for cand in candidates:
        hit = rows[rows.alteration == cand]
        if not hit.empty:
            r = hit.iloc[0]
            return Effect(
                r.gene, r.alteration, r.parameter, r.operation, float(r.value), r.effect, r.evidence
            )
    return None
