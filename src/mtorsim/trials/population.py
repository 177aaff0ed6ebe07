"""Virtual patients: cancer type -> genotype, tumour kinetics, lesions, PK, all seeded.

Every patient draws from their own random stream (``seed``, patient number), so a patient
is the same whichever worker, chunk or cohort size simulates them. Genotypes are sampled
gene by gene from TCGA mutation frequencies (``tcga_mutation_frequencies.csv``, Broad
Firehose) plus literature copy-number/silencing events per cancer type; each mutated gene
takes its canonical alteration in the knowledge base (an approximation: every non-silent
mutation of an oncogene counts as its hotspot, of a tumour suppressor as loss of function).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from mtorsim.errors import UnknownNameError
from mtorsim.genomics.profile import annotate, profile_parameters
from mtorsim.trials.biology import biology
from mtorsim.tumour.growth import TumourParameters

__all__ = [
    "CANONICAL",
    "CancerType",
    "cancer_type",
    "cancer_types",
    "genotype_parameters",
    "sample_patients",
    "tumour_parameters",
]

#: Canonical alteration per gene (protein change or class) used for sampled mutations.
CANONICAL = {
    "PIK3CA": "H1047R",
    "PTEN": "truncating",
    "TSC1": "truncating",
    "TSC2": "truncating",
    "MTOR": "S2215Y",
    "STK11": "truncating",
    "KRAS": "G12D",
    "NRAS": "Q61K",
    "BRAF": "V600E",
    "NF1": "truncating",
    "AKT1": "E17K",
    "PIK3R1": "truncating",
    "PPP2R2B": "truncating",
    "FKBP1A": "truncating",
}
FRB_MUTATION = ("MTOR", "F2108L")  # acquired rapalog resistance (review [84])
MAX_TARGET_LESIONS = 5  # RECIST 1.1


def _data(name: str) -> str:
    return resources.files("mtorsim.data").joinpath(f"trials/{name}").read_text()


@dataclass(frozen=True)
class CancerType:
    """Population parameters of one cancer type (``data/trials/cancer_types.csv``)."""

    key: str
    name: str
    tumour: TumourParameters
    doubling_cv: float
    frequencies: dict[tuple[str, str], float]
    lesions_mean: float
    diameter_median_mm: float
    lethal_fold: float
    background_death_per_year: float
    new_lesion_per_year: float
    dropout_per_year: float
    subclone_probability: float
    resistant_fraction: float
    source: str


def _frequencies(tcga: str, extra: str) -> dict[tuple[str, str], float]:
    freq: dict[tuple[str, str], float] = {}
    if tcga:
        table = pd.read_csv(
            resources.files("mtorsim.data").joinpath("trials/tcga_mutation_frequencies.csv")
        )
        rows = table[table.cancer_type.isin(tcga.split("+"))]
        grouped = rows.groupby("gene")[["n_mutated", "n_samples"]].sum()
        for gene, r in grouped.iterrows():
            if gene in CANONICAL and r.n_mutated > 0:
                freq[(gene, CANONICAL[gene])] = r.n_mutated / r.n_samples
    for item in filter(None, (extra or "").split(";")):
        gene, alteration, value = item.split(":")
        freq = {k: v for k, v in freq.items() if k[0] != gene}
        freq[(gene, alteration)] = float(value)
    return freq


@lru_cache(maxsize=1)
def cancer_types() -> dict[str, CancerType]:
    """The cancer types the trial layer knows, keyed by short name."""
    from io import StringIO

    table = pd.read_csv(StringIO(_data("cancer_types.csv")), keep_default_na=False)
    out = {}
    for r in table.itertuples(index=False):
        tumour = tumour_parameters(r.cancer_type, float(r.cell_loss))
        out[r.cancer_type] = CancerType(
            r.cancer_type,
            r.name,
            tumour,
            float(r.doubling_cv),
            _frequencies(r.tcga, r.extra_alterations),
            float(r.lesions_mean),
            float(r.diameter_median_mm),
            float(r.lethal_fold),
            float(r.background_death_per_year),
            float(r.new_lesion_per_year),
            float(r.dropout_per_year),
            float(r.subclone_probability),
            float(r.resistant_fraction),
            r.source,
        )
    return out


def tumour_parameters(
    key: str, cell_loss: float | None = None, prior_therapy: tuple[str, ...] = ()
) -> TumourParameters:
    """Growth-law parameters of a cancer type in a setting (:mod:`.biology`, sourced)."""
    bio = biology(key, prior_therapy)
    loss = cancer_types()[key].tumour.cell_loss if cell_loss is None else cell_loss
    return TumourParameters(
        doubling_time_d=bio["doubling_time_d"],
        cell_loss=loss,
        drive_exponent=1.0,
        er_dependence=bio["er_dependence"],
        vegf_dependence=bio["vegf_dependence"],
        pathway_share=bio["pathway_share"],
        cytotoxic_fraction=bio["cytotoxic_fraction"],
        er_cytotoxic_fraction=bio["er_cytotoxic_fraction"],
        vegf_cytotoxic_fraction=bio["vegf_cytotoxic_fraction"],
    )


def cancer_type(key: str) -> CancerType:
    types = cancer_types()
    if key not in types:
        by_lower = {k.lower(): k for k in types}
        if key.lower() in by_lower:
            return types[by_lower[key.lower()]]
        raise UnknownNameError("cancer type", key, list(types))
    return types[key]


@lru_cache(maxsize=4096)
def genotype_parameters(alterations: tuple[tuple[str, str], ...]) -> tuple[tuple[str, float], ...]:
    """Network parameters of a set of (gene, alteration) pairs, via the knowledge base."""
    if not alterations:
        return ()
    rows = []
    for gene, alt in alterations:
        classes = ("truncating", "deletion", "amplification", "silencing")
        rows.append(
            {
                "sample": "x",
                "gene": gene,
                "protein_change": "" if alt in classes else alt,
                "kind": alt if alt in classes else "missense",
                "vaf": np.nan,
                "line": 0,
            }
        )
    params = profile_parameters(annotate(pd.DataFrame(rows)), "x")
    return tuple(sorted(params.items()))


def _genotype(ct: CancerType, rng: np.random.Generator) -> tuple[tuple[str, str], ...]:
    keys = list(ct.frequencies)
    hits = rng.random(len(keys)) < np.array([ct.frequencies[k] for k in keys])
    return tuple(k for k, h in zip(keys, hits, strict=True) if h)


def sample_patients(
    ct: CancerType,
    n: int,
    seed: int,
    *,
    first: int = 0,
    select_genes: tuple[str, ...] = (),
) -> pd.DataFrame:
    """``n`` eligible virtual patients (numbers ``first`` ... ``first + n - 1``).

    Each row holds the truncal genotype, a subclonal driver (gene, alteration, lesion mask,
    fraction), lesion diameters (mm), the pre-existing FRB-mutant fraction, the doubling
    time and uniform draws the trial uses for toxicity, dropout, death and accrual. With
    ``select_genes`` a patient is redrawn (same stream) until eligible; a cancer type where
    that is too rare raises an error.
    """
    rows = []
    for i in range(first, first + n):
        rng = np.random.default_rng([seed, i])
        for _ in range(2000):
            truncal = _genotype(ct, rng)
            genes = {g for g, _ in truncal}
            if not select_genes or genes & set(select_genes):
                break
        else:
            from mtorsim.errors import MtorsimError

            raise MtorsimError(
                f"{ct.key}: patients carrying {', '.join(select_genes)} are too rare to sample"
            )
        n_lesions = int(min(MAX_TARGET_LESIONS, 1 + rng.poisson(max(ct.lesions_mean - 1, 0))))
        diam = np.maximum(10.0, ct.diameter_median_mm * np.exp(rng.normal(0, 0.4, n_lesions)))
        sub = None
        if rng.random() < ct.subclone_probability and ct.frequencies:
            keys = list(ct.frequencies)
            w = np.array([ct.frequencies[k] for k in keys])
            sub = keys[rng.choice(len(keys), p=w / w.sum())]
        mask = rng.random(n_lesions) < 0.5
        sigma = np.sqrt(np.log(1 + ct.doubling_cv**2))
        rows.append(
            {
                "patient": i,
                "truncal": truncal,
                "subclone": sub,
                "subclone_lesions": mask if sub else np.zeros(n_lesions, bool),
                "subclone_fraction": float(rng.uniform(0.05, 0.5)) if sub else 0.0,
                "diameters_mm": diam,
                "doubling_z": (dz := float(rng.standard_normal())),
                "doubling_time_d": float(ct.tumour.doubling_time_d * np.exp(sigma * dz)),
                "pathway_z": rng.standard_normal(256),
                "pk_z": rng.standard_normal(8),
                "u": rng.random(8),
            }
        )
    return pd.DataFrame(rows)
