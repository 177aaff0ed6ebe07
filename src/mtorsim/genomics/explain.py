"""Plain-language explanations of predictions: which variants changed which nodes, which
feedback limited a drug, which drug overcomes it, and (where the parameter set has a
bootstrap ensemble) the 5-95 % interval the fit leaves on the best drug's response."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["TARGET_NOT_INHIBITED_FOLD", "explain"]

#: A drug's target counts as not inhibited when the read-out of that target
#: (:data:`mtorsim.genomics.predict.SITE_READOUTS`) keeps more than this fraction of its
#: untreated level (assumed: a fall under 20 % is within the cell-to-cell spread; until
#: session 8 the cut was 0.5 on pS6K1 for every drug, which flagged MEK inhibitors, whose
#: pERK sits at ~0.5, either side of it).
TARGET_NOT_INHIBITED_FOLD = 0.8


def explain(annotated: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """One explanation per sample: ``sample, variants, best_drug, explanation``."""
    rows = []
    for sample, pred in predictions.groupby("sample", sort=False):
        own = annotated[annotated["sample"] == sample]
        known = [
            f"{r.gene} {r.protein_change or r.kind} -> {r.parameter} = {r.value:g} "
            f"({r.effect}; {r.evidence})"
            for r in own.itertuples()
            if r.status == "known"
        ]
        unknown = [
            f"{r.gene} {r.protein_change or r.kind}"
            for r in own.itertuples()
            if r.status != "known"
        ]
        best = pred.iloc[0]
        notes = []
        for r in pred.itertuples():
            if r.AKT_S473_fold > 1.2:
                notes.append(
                    f"{r.drug}: S6K1->IRS1 feedback raises pAKT-S473 x{r.AKT_S473_fold:.2f}"
                )
            if r.ERK_fold > 1.2:
                notes.append(f"{r.drug}: MAPK feedback raises pERK x{r.ERK_fold:.2f}")
            # judged on the read-out of the drug's own target (pERK for a MEK inhibitor,
            # pPRAS40 for an AKT inhibitor, ...), never on pS6K1 for every drug
            fold = getattr(r, "target_fold", np.nan)
            if (
                r.response_mean < 0.25 * max(best.response_mean, 1e-9)
                and np.isfinite(fold)
                and fold > TARGET_NOT_INHIBITED_FOLD
            ):
                notes.append(
                    f"{r.drug}: target not inhibited in this genotype "
                    f"({r.target_readout} x{fold:.2f})"
                )
        text = "; ".join(known) if known else "no variant of known effect (wild-type model)"
        if unknown:
            text += f". Uncertain effect, not modelled: {', '.join(unknown)}"
        text += f". Best: {best.drug} (growth-drive fall {best.response_mean:.2f}"
        low, high = best.get("response_fit_p05", np.nan), best.get("response_fit_p95", np.nan)
        if np.isfinite(low) and np.isfinite(high):
            text += f", fit interval {low:.2f}-{high:.2f}"
        text += f", P(response) {best.probability_response:.2f})"
        if notes:
            text += ". " + "; ".join(notes[:4])
        rows.append(
            {"sample": sample, "variants": len(own), "best_drug": best.drug, "explanation": text}
        )
    return pd.DataFrame(rows)
