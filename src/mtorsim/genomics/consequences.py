"""Sequence Ontology consequences -> one annotation per VCF record -> a variant class.

A VEP ``CSQ`` or snpEff ``ANN`` INFO value lists one annotation per transcript (and per
regulatory feature). Taking the first one loses variants annotated on a later transcript,
so :func:`pick` takes the MANE Select / canonical transcript when VEP flags one and
otherwise the most severe consequence by the Ensembl ranking below. :func:`classify` then
maps the chosen SO term(s) to the classes the knowledge base uses, so that a low-impact
``splice_region_variant`` or an intron variant never reads as a truncation or a missense.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "CLASSES",
    "IMPACT_ORDER",
    "PROTEIN_ALTERING",
    "SO_CONSEQUENCES",
    "Annotation",
    "annotation_fields",
    "classify",
    "most_severe",
    "parse_annotations",
    "pick",
    "so_rank",
]

# The Ensembl VEP consequence table, most severe first, as VEP itself ranks terms for
# --pick and "most severe consequence": (SO term, VEP IMPACT, mtorsim class).
# Source: Ensembl Variation, "Calculated variant consequences",
# https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html#consequences
# (order and IMPACT as listed there; cross-checked against ensembl-variation's
# Bio/EnsEMBL/Variation/Utils/Constants.pm ranks). The class column is mtorsim's:
#   truncating     loss of function; matches the knowledge base's "truncating" rows
#   amplification  whole-transcript gain; matches its "amplification" rows
#   missense       a residue change: looked up by protein change (hotspot / codon)
#   inframe        in-frame indel or complex change: looked up by protein change
#   silent         in the coding region or splice region but no protein change predicted
#   non_coding     outside the protein (intron, UTR, flanks, intergenic, non-coding RNA)
#   other          not interpretable without more data (kept only with a protein change)
SO_CONSEQUENCES: tuple[tuple[str, str, str], ...] = (
    ("transcript_ablation", "HIGH", "truncating"),
    ("splice_acceptor_variant", "HIGH", "truncating"),
    ("splice_donor_variant", "HIGH", "truncating"),
    ("stop_gained", "HIGH", "truncating"),
    ("frameshift_variant", "HIGH", "truncating"),
    ("stop_lost", "HIGH", "truncating"),
    ("start_lost", "HIGH", "truncating"),
    ("transcript_amplification", "HIGH", "amplification"),
    ("feature_elongation", "HIGH", "other"),
    ("feature_truncation", "HIGH", "other"),
    ("inframe_insertion", "MODERATE", "inframe"),
    ("inframe_deletion", "MODERATE", "inframe"),
    ("missense_variant", "MODERATE", "missense"),
    ("protein_altering_variant", "MODERATE", "inframe"),
    ("splice_donor_5th_base_variant", "LOW", "silent"),
    ("splice_region_variant", "LOW", "silent"),
    ("splice_donor_region_variant", "LOW", "silent"),
    ("splice_polypyrimidine_tract_variant", "LOW", "silent"),
    ("incomplete_terminal_codon_variant", "LOW", "silent"),
    ("start_retained_variant", "LOW", "silent"),
    ("stop_retained_variant", "LOW", "silent"),
    ("synonymous_variant", "LOW", "silent"),
    ("coding_sequence_variant", "MODIFIER", "other"),
    ("mature_miRNA_variant", "MODIFIER", "non_coding"),
    ("5_prime_UTR_variant", "MODIFIER", "non_coding"),
    ("3_prime_UTR_variant", "MODIFIER", "non_coding"),
    ("non_coding_transcript_exon_variant", "MODIFIER", "non_coding"),
    ("intron_variant", "MODIFIER", "non_coding"),
    ("NMD_transcript_variant", "MODIFIER", "non_coding"),
    ("non_coding_transcript_variant", "MODIFIER", "non_coding"),
    ("coding_transcript_variant", "MODIFIER", "non_coding"),
    ("upstream_gene_variant", "MODIFIER", "non_coding"),
    ("downstream_gene_variant", "MODIFIER", "non_coding"),
    ("TFBS_ablation", "MODIFIER", "non_coding"),
    ("TFBS_amplification", "MODIFIER", "non_coding"),
    ("TF_binding_site_variant", "MODIFIER", "non_coding"),
    ("regulatory_region_ablation", "MODERATE", "non_coding"),
    ("regulatory_region_amplification", "MODIFIER", "non_coding"),
    ("regulatory_region_variant", "MODIFIER", "non_coding"),
    ("intergenic_variant", "MODIFIER", "non_coding"),
    ("sequence_variant", "MODIFIER", "non_coding"),
)

# snpEff terms that are not in the VEP table, mapped to the VEP term of the same meaning
# (snpEff manual, "Effect prediction details": its SO names next to the classic ones).
# initiator_codon_variant is snpEff's SYNONYMOUS_START (LOW) but an old VEP name for a
# lost start: "other" keeps it out unless a protein change says what happened.
_ALIASES = {
    "exon_loss_variant": "transcript_ablation",
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "rare_amino_acid_variant": "missense_variant",
    "initiator_codon_variant": "coding_sequence_variant",
    "non_canonical_start_codon": "start_retained_variant",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "5_prime_UTR_truncation": "5_prime_UTR_variant",
    "3_prime_UTR_truncation": "3_prime_UTR_variant",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "nc_transcript_variant": "non_coding_transcript_variant",
    "exon_variant": "non_coding_transcript_exon_variant",
    "intragenic_variant": "non_coding_transcript_variant",
    "intergenic_region": "intergenic_variant",
    "conserved_intron_variant": "intron_variant",
    "conserved_intergenic_variant": "intergenic_variant",
    "splice_branch_variant": "splice_polypyrimidine_tract_variant",
}

_RANK = {term: i for i, (term, _, _) in enumerate(SO_CONSEQUENCES)}
_CLASS = {term: cls for term, _, cls in SO_CONSEQUENCES}
_UNKNOWN_RANK = len(SO_CONSEQUENCES)  # a term we do not know ranks after all known ones
IMPACT_ORDER = {"HIGH": 0, "MODERATE": 1, "LOW": 2, "MODIFIER": 3}
CLASSES = ("truncating", "amplification", "missense", "inframe", "silent", "non_coding", "other")
PROTEIN_ALTERING = frozenset({"truncating", "amplification", "missense", "inframe"})


def _canonical_term(term: str) -> str:
    t = term.strip()
    return _ALIASES.get(t, t)


def so_rank(term: str) -> int:
    """Severity rank of one SO term (0 = most severe); unknown terms rank last."""
    return _RANK.get(_canonical_term(term), _UNKNOWN_RANK)


def most_severe(consequence: str) -> str:
    """The most severe term of an ``&``-joined consequence, by the Ensembl ranking.

    ``splice_region_variant&intron_variant`` -> ``splice_region_variant``.
    """
    terms = [t for t in (s.strip() for s in consequence.split("&")) if t]
    if not terms:
        return ""
    return _canonical_term(min(terms, key=so_rank))


def classify(consequence: str) -> str:
    """The mtorsim class of a consequence: the class of its most severe known term."""
    return _CLASS.get(most_severe(consequence), "other")


@dataclass(frozen=True)
class Annotation:
    """One transcript's annotation of a record, reduced to what the reader needs."""

    gene: str
    consequence: str
    impact: str
    protein: str
    feature: str = ""
    mane: bool = False
    canonical: bool = False
    allele: str = ""  # the ALT allele it describes (VEP trims a base REF and ALT share)

    @property
    def term(self) -> str:
        return most_severe(self.consequence)

    @property
    def variant_class(self) -> str:
        return classify(self.consequence)


def annotation_fields(description: str) -> list[str]:
    """Field names from a ``CSQ``/``ANN`` header Description.

    VEP writes ``... Format: Allele|Consequence|...``; snpEff writes
    ``Functional annotations: 'Allele | Annotation | ...'`` (with spaces and quotes).
    """
    text = description.split("Format:", 1)[1] if "Format:" in description else description
    if "Format:" not in description and ":" in text:
        text = text.split(":", 1)[1]
    text = text.strip().strip("'\"").strip()
    return [f.strip().strip("'\"").strip() for f in text.split("|")]


_VEP_KEYS = {"gene": "SYMBOL", "consequence": "Consequence", "impact": "IMPACT", "protein": "HGVSp"}
_ANN_KEYS = {
    "gene": "Gene_Name",
    "consequence": "Annotation",
    "impact": "Annotation_Impact",
    "protein": "HGVS.p",
}


def parse_annotations(value: str, fields: Sequence[str], source: str) -> list[Annotation]:
    """Split one INFO value (``CSQ`` or ``ANN``) into its per-transcript annotations."""
    from urllib.parse import unquote

    keys = _VEP_KEYS if source == "CSQ" else _ANN_KEYS
    out = []
    for entry in value.split(","):
        if not entry.strip():
            continue
        d: Mapping[str, str] = dict(zip(fields, entry.split("|"), strict=False))
        mane_select = d.get("MANE_SELECT", "").strip()
        mane = d.get("MANE", "").strip()
        out.append(
            Annotation(
                gene=d.get(keys["gene"], "").strip().upper(),
                consequence=d.get(keys["consequence"], "").strip(),
                impact=d.get(keys["impact"], "").strip().upper(),
                # VEP URI-escapes '=' (p.Gly12%3D); keep only the p. part of ENSP...:p.X
                protein=unquote(d.get(keys["protein"], "")).strip().split(":")[-1],
                feature=d.get("Feature", d.get("Feature_ID", "")).strip(),
                mane=bool(mane_select) or (bool(mane) and "plus" not in mane.lower()),
                canonical=d.get("CANONICAL", "").strip().upper() == "YES",
                allele=d.get("Allele", "").strip(),
            )
        )
    return out


def _severity(a: Annotation, source: str) -> tuple[int, int]:
    so = min((so_rank(t) for t in a.consequence.split("&") if t.strip()), default=_UNKNOWN_RANK)
    impact = IMPACT_ORDER.get(a.impact, len(IMPACT_ORDER))
    # snpEff: its own impact first (it also rates terms VEP does not know), then SO rank
    return (impact, so) if source == "ANN" else (so, impact)


def pick(annotations: Iterable[Annotation], source: str = "CSQ") -> Annotation | None:
    """The annotation to report for a record.

    VEP: the MANE Select transcript, else the canonical one, when flagged (the most severe
    among several flagged, e.g. canonical transcripts of two overlapping genes); otherwise
    the most severe consequence. snpEff has no such flags: the most severe by
    ``Annotation_Impact`` then SO rank, not trusting its own most-severe-first order alone.
    Ties keep file order.
    """
    pool = list(annotations)
    if not pool:
        return None
    if source == "CSQ":
        pool = [a for a in pool if a.mane] or [a for a in pool if a.canonical] or pool
    return min(pool, key=lambda a: _severity(a, source))
