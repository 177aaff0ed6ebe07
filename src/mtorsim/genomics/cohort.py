"""Cohort view: how many samples are predicted to respond, by cancer type and by gene."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["SENSITIVE_PROBABILITY", "cohort_summary"]

SENSITIVE_PROBABILITY = 0.5  # a sample counts as predicted sensitive at P(response) >= 0.5


def cohort_summary(
    annotated: pd.DataFrame,
    predictions: pd.DataFrame,
    drug: str,
    cancer_types: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(by cancer type, by gene) fractions of samples predicted sensitive to ``drug``.

    Gene rows compare samples with a known-effect variant in the gene against the rest.
    """
    pred = predictions[predictions["drug"] == drug].set_index("sample")
    sensitive = pred["probability_response"] >= SENSITIVE_PROBABILITY
    types = pd.Series({s: (cancer_types or {}).get(s, "all") for s in pred.index})
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
