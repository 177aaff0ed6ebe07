"""Genome builds named in mutation files (MAF ``NCBI_Build``, VCF ``##reference=``).

Prediction reads only the protein annotation (gene and HGVS p.), so the build matters only
to catch a file from another species: a mouse or rat build is an error (mtorsim's variant
effects are for human genes); a human build under any common name (GRCh37, hg19, b37,
hs37d5, human_g1k_v37.fasta, GRCh38.p13, Homo_sapiens_assembly38.fasta, ...) is accepted;
a value that names no build (``NA``, blank) counts as missing; anything else
(``file:///data/genome.fa``) is read on with a :class:`GenomeBuildWarning`.
"""

from __future__ import annotations

import re
import warnings

from mtorsim.errors import MtorsimError

__all__ = ["HUMAN_BUILDS", "GenomeBuildWarning", "check_build", "classify_build"]

#: Human builds as files and tools name them, lower case, patch suffix (.p13) removed.
HUMAN_BUILDS = {
    "GRCh37": (
        "grch37",
        "grch37-lite",
        "grch37lite",
        "hg19",
        "b37",
        "hs37",
        "hs37d5",
        "v37",
        "g1k_v37",
        "human_g1k_v37",
        "ncbi37",
        "37",
        "ucsc.hg19",
        "homo_sapiens_assembly19",
        "assembly19",
    ),
    "GRCh38": (
        "grch38",
        "hg38",
        "b38",
        "hs38",
        "hs38dh",
        "hs38d1",
        "38",
        "assembly38",
        "homo_sapiens_assembly38",
        "grch38_full_analysis_set_plus_decoy_hla",
        "grch38_no_alt_analysis_set",
        "gca_000001405.15_grch38_no_alt_analysis_set",
    ),
    "T2T-CHM13": ("chm13", "t2t-chm13", "chm13v2.0", "hs1"),
}
_HUMAN_TOKENS = {t for names in HUMAN_BUILDS.values() for t in names} | {"homo", "human"}
#: Builds of other species, by the prefixes UCSC and the GRC give them (mm10, GRCm39, rn6 ...).
_NON_HUMAN = re.compile(
    r"^(?:mm\d+|grcm\d+|mgscv?\d+|ncbim\d+|rn\d+|rnor_?\d.*|mratbn.*|grcr\d+|danrer\d+|grcz\d+|"
    r"dm\d+|ce\d+|saccer\d+|galgal\d+|canfam\d+|bostau\d+|susscr\d+|pantro\d+|rhemac\d+|"
    r"mus|musculus|mouse|rattus|norvegicus|rat|danio|drosophila|elegans|cerevisiae)$"
)
_SPECIES = {"mm": "mouse", "grcm": "mouse", "mgsc": "mouse", "ncbim": "mouse", "mus": "mouse"}
_MISSING = {"", "na", "n/a", "nan", "none", "null", ".", "-", "unknown"}
_EXTENSIONS = (".gz", ".bgz", ".fa", ".fasta", ".fna", ".2bit", ".dict", ".fai", ".txt")


class GenomeBuildWarning(UserWarning):
    """A genome build mtorsim does not recognise: read on (only protein changes are used)."""


def _name(value: str) -> str:
    """The build's own name: a path or URL by its file name, without extensions or a
    patch suffix (``file:///ref/GRCh38.p13.fa.gz`` -> ``grch38``)."""
    text = value.strip().strip("<>\"'").strip()
    text = re.sub(r"^[a-z]+://", "", text, flags=re.I)
    text = text.rstrip("/").rsplit("/", 1)[-1].lower()
    changed = True
    while changed:
        changed = False
        for ext in _EXTENSIONS:
            if text.endswith(ext) and len(text) > len(ext):
                text, changed = text[: -len(ext)], True
    return re.sub(r"\.p\d+$", "", text)


def classify_build(value: str) -> str | None:
    """``GRCh37``/``GRCh38``/``T2T-CHM13``, ``human`` (a human reference of unstated
    build), ``non-human``, ``unknown``, or None when the value names no build (NA, blank)."""
    if value.strip().lower() in _MISSING:
        return None
    name = _name(value)
    if name in _MISSING:
        return None
    tokens = [t for t in re.split(r"[_\-.\s]+", name) if t]
    for build, names in HUMAN_BUILDS.items():
        if name in names or any(t in names and not t.isdigit() for t in tokens):
            return build
    if any(_NON_HUMAN.match(t) for t in [name, *tokens]):
        return "non-human"
    if any(t in _HUMAN_TOKENS for t in tokens):
        return "human"
    return "unknown"


def _species(value: str) -> str:
    name = _name(value)
    for prefix, species in _SPECIES.items():
        if name.startswith(prefix):
            return f"a {species} build"
    return "not a human build"


def check_build(values: list[str], where: str, field: str) -> None:
    """Fail on a non-human build (naming it), warn once on unrecognised values, accept
    human builds and missing values. ``field`` is how the file names it (``NCBI_Build``,
    ``##reference``); the error keeps the words "unknown genome build" for a MAF and
    "not a known human build" for a VCF, as before."""
    kinds = {v: classify_build(v) for v in dict.fromkeys(values)}
    bad = [v for v, k in kinds.items() if k == "non-human"]
    human = "mtorsim's variant effects are for human genes: use a GRCh37/hg19 or GRCh38/hg38 file"
    if bad:
        what = _species(bad[0])
        if field == "NCBI_Build":
            raise MtorsimError(
                f"{where}: unknown genome build(s) {', '.join(bad)} in NCBI_Build ({what}); {human}"
            )
        raise MtorsimError(
            f"{where}: {field}={bad[0]} is not a known human build ({what}); {human}"
        )
    odd = [v for v, k in kinds.items() if k == "unknown"]
    if odd:
        shown = ", ".join(repr(v) for v in odd[:3]) + (" ..." if len(odd) > 3 else "")
        warnings.warn(
            f"{where}: {field} {shown} names no genome build mtorsim recognises "
            "(GRCh37/hg19/b37/hs37d5, GRCh38/hg38); read on, since prediction uses only "
            "the protein annotation",
            GenomeBuildWarning,
            stacklevel=3,
        )
