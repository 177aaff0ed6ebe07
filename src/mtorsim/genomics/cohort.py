"""Cohort view: how many samples are predicted to respond, by cancer type and by gene."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["ALL_SAMPLES", "SENSITIVE_PROBABILITY", "UNTYPED", "cohort_summary", "untyped_samples"]

SENSITIVE_PROBABILITY = 0.5  # a sample counts as predicted sensitive at P(response) >= 0.5
ALL_SAMPLES = "all"  # the one row of a cohort given no cancer types: every sample
UNTYPED = "unknown"  # the row of samples the given cancer types leave out


def untyped_samples(samples: Iterable[str], cancer_types: Mapping[str, str]) -> list[str]:
    """The samples, in order, that ``cancer_types`` gives no (non-blank) type."""
    return [s for s in dict.fromkeys(samples) if not str(cancer_types.get(s, "")).strip()]


def cohort_summary(
    annotated: pd.DataFrame,
    predictions: pd.DataFrame,
    drug: str,
    cancer_types: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by cancer type, by gene) fractions of samples predicted sensitive to ``drug``.

    Without ``cancer_types`` the type table has one row, ``all``, of every sample. With
    them, samples they leave out (or give a blank type) are grouped as ``unknown``, never
    as ``all``: that row would read as the whole cohort. Gene rows compare samples with a
    known-effect variant in the gene against the rest.
    """
    pred = predictions[predictions["drug"] == drug].set_index("sample")
    sensitive = pred["probability_response"] >= SENSITIVE_PROBABILITY
    if cancer_types is None:
        types = pd.Series(ALL_SAMPLES, index=pred.index)
    else:
        untyped = set(untyped_samples(pred.index, cancer_types))
        types = pd.Series(
            {s: UNTYPED if s in untyped else str(cancer_types[s]).strip() for s in pred.index}
        )
    by_type = (
        pd.DataFrame(
            {"cancer_type": types, "sensitive": sensitive, "response": pred["response_mean"]}
        )
        .groupby("cancer_type")
        .agg(
            samples=("sensitive", "size"),
            fraction_sensitive=("sensitive", "mean"),
            mean_response=("response", "mean"),
        )
        .reset_index()
    )
    known = annotated[annotated["status"] == "known"]
    rows = []
    for gene, grp in known.groupby("gene"):
        mutated = set(grp["sample"]) & set(pred.index)
        rest = [s for s in pred.index if s not in mutated]
        rows.append(
            {
                "gene": gene,
                "mutated_samples": len(mutated),
                "fraction_sensitive_mutated": float(sensitive[list(mutated)].mean())
                if mutated
                else float("nan"),
                "fraction_sensitive_other": float(sensitive[rest].mean()) if rest else float("nan"),
            }
        )
    by_gene = pd.DataFrame(
        rows,
        columns=[
            "gene",
            "mutated_samples",
            "fraction_sensitive_mutated",
            "fraction_sensitive_other",
        ],
    )
    return by_type, by_gene.sort_values("mutated_samples", ascending=False)
