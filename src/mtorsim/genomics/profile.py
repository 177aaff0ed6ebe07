"""Variants -> annotated effects -> per-sample network parameters.

Several hits on one parameter combine as biology would: a level (``PTEN_level``) takes the
lowest value (the worst loss), a gain or resistance factor the highest, a scaled rate
constant the product of its factors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mtorsim.genomics.knowledge import VARIANT_CLASSES, match, parse_protein_change
from mtorsim.network.default import default_network

__all__ = ["annotate", "combine", "genotype_parameters", "profile_parameters", "profiles"]


def combine(params: dict[str, float], name: str, value: float) -> None:
    """Add a ``set`` effect: a level keeps the worst loss (min), a gain the largest (max)."""
    if name.endswith("_level"):
        params[name] = min(params.get(name, np.inf), value)
    else:
        params[name] = max(params.get(name, -np.inf), value)


def annotate(variants: pd.DataFrame) -> pd.DataFrame:
    """Add ``parameter, operation, value, effect, evidence, status`` to each variant.

    ``status`` is ``"known"`` when a knowledge-base rule applies, ``"uncertain"`` otherwise
    (the variant is kept and reported, and changes nothing).
    """
    out = []
    for r in variants.itertuples(index=False):
        change = parse_protein_change(r.protein_change) if r.protein_change else None
        kind = (
            r.kind if r.kind in ("truncating", "deletion", "amplification", "silencing") else None
        )
        eff = match(r.gene, change, kind)
        row = r._asdict()
        if eff is None:
            row.update(
                parameter="", operation="", value=np.nan, effect="", evidence="", status="uncertain"
            )
        else:
            row.update(
                parameter=eff.parameter,
                operation=eff.operation,
                value=eff.value,
                effect=eff.effect,
                evidence=eff.evidence,
                status="known",
            )
        out.append(row)
    cols = [*variants.columns, "parameter", "operation", "value", "effect", "evidence", "status"]
    return pd.DataFrame(out, columns=cols)


def profile_parameters(annotated: pd.DataFrame, sample: str) -> dict[str, float]:
    """Network parameter values implied by one sample's known variants."""
    rows = annotated[(annotated["sample"] == sample) & (annotated["status"] == "known")]
    params: dict[str, float] = {}
    defaults = default_network().parameter_values()
    for r in rows.itertuples(index=False):
        if r.operation == "scale":
            base = params.get(r.parameter, defaults.get(r.parameter, 1.0))
            params[r.parameter] = base * r.value
        else:
            combine(params, r.parameter, r.value)
    return params


def profiles(
    annotated: pd.DataFrame, samples: list[str] | None = None
) -> dict[str, dict[str, float]]:
    """Parameters per sample (samples with no variant get an empty profile = wild type).

    ``samples``: the samples to profile, e.g. a reader's ``VariantTable.all_samples()``, so
    a sample whose calls were all silent or left out is predicted as wild type instead of
    vanishing (default: the samples of ``annotated``, i.e. those with a kept variant)."""
    names = samples if samples is not None else list(dict.fromkeys(annotated["sample"]))
    return {s: profile_parameters(annotated, s) for s in names}


def genotype_parameters(variants: list[str]) -> dict[str, float]:
    """Parameters of one genotype written as ``"GENE CHANGE"`` strings.

    ``["PIK3CA H1047R", "PTEN truncating", "TSC2 deletion"]``: a protein change (HGVS p.,
    one- or three-letter) or a class (truncating, deletion, amplification, silencing). A
    variant no knowledge-base rule covers is an error here, not silently wild type: its
    effect is unknown, so the caller should give parameter values instead. A gene the
    knowledge base does not know is named before its change is parsed; protein changes
    are read in any case (``pik3ca h1047r``), as gene symbols are.
    """
    from mtorsim.errors import MtorsimError
    from mtorsim.genomics.knowledge import knowledge_base
    from mtorsim.genomics.readers import COLUMNS, parse_change

    classes = set(VARIANT_CLASSES)
    genes = sorted(set(knowledge_base().gene))
    advice = (
        "give parameter values instead (Python: genotype={'PTEN_level': 0}; command "
        "line: --set PTEN_level=0)"
    )
    rows = []
    for text in variants:
        gene, _, change_text = str(text).strip().partition(" ")
        change_text, gene = change_text.strip(), gene.upper()
        if not gene or not change_text:
            raise MtorsimError(
                f"genotype {text!r} must look like 'GENE CHANGE', e.g. 'PIK3CA H1047R' or "
                "'PTEN truncating'"
            )
        if gene not in genes:  # named first: no change in it could have a known effect
            raise MtorsimError(
                f"genotype {gene} {change_text} is in a gene the knowledge base does not know "
                f"(known: {', '.join(genes)}), so its effect is unknown; {advice}"
            )
        if change_text.lower() in classes:
            change, kind = None, change_text.lower().replace("loss", "deletion")
        else:
            try:
                change = parse_change(change_text)
            except ValueError:  # a position no protein has
                raise MtorsimError(
                    f"genotype {text!r}: {change_text!r} is not a plausible protein change"
                ) from None
            kind = "truncating" if change.truncating else "missense"
        rows.append(("genotype", gene, change.short if change else "", kind, np.nan, 0))
    annotated = annotate(pd.DataFrame(rows, columns=COLUMNS))
    unknown = annotated[annotated["status"] != "known"]
    if not unknown.empty:
        r = unknown.iloc[0]
        raise MtorsimError(
            f"genotype {r.gene} {r.protein_change or r.kind} matches no rule of the knowledge "
            f"base (variant_effects.csv), so its effect is unknown; {advice}"
        )
    return profile_parameters(annotated, "genotype")
