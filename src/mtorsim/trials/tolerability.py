"""Tolerability: how often an arm's drugs force a dose reduction or stop treatment.

Each drug has the fraction of patients stopping for adverse events and needing a dose
reduction at its usual dose (``data/trials/toxicity.csv``, with sources; many assumed).
Fractions become hazards that scale with dose relative to the usual dose and add across
drugs; pairs with overlapping toxicity (``toxicity_interactions.csv``, e.g. MEK + mTOR
inhibitors, review [96]) multiply the total.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import StringIO

import numpy as np
import pandas as pd

from mtorsim.pharmacology.catalogue import get_drug

__all__ = ["arm_tolerability", "toxicity_table"]


@lru_cache(maxsize=1)
def toxicity_table() -> tuple[pd.DataFrame, pd.DataFrame]:
    files = resources.files("mtorsim.data")
    single = pd.read_csv(StringIO(files.joinpath("trials/toxicity.csv").read_text()))
    pairs = pd.read_csv(StringIO(files.joinpath("trials/toxicity_interactions.csv").read_text()))
    return single.set_index("drug"), pairs


def arm_tolerability(drugs: dict[str, float]) -> tuple[float, float]:
    """(P(stop for adverse events), P(dose reduction)) for drugs at mg/day doses."""
    single, pairs = toxicity_table()
    stop = reduce = 0.0
    for name, dose in drugs.items():
        d = get_drug(name)
        usual = d.dose_range_mg[1] if d.dose_range_mg else dose
        x = dose / usual if usual > 0 else 1.0
        if d.name in single.index:
            row = single.loc[d.name]
            stop += -np.log1p(-row.ae_discontinuation) * x
            reduce += -np.log1p(-row.dose_reduction) * x
    factor = 1.0
    for r in pairs.itertuples(index=False):
        if r.drug_a in drugs and r.drug_b in drugs:
            factor *= r.factor
    return float(1 - np.exp(-stop * factor)), float(1 - np.exp(-reduce * factor))
