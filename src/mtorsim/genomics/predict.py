"""Genotype -> predicted response to each drug, as a probability over biological variability.

For each sample the genotype sets network parameters; a population of cells around it
(every kinetic parameter x exp(N(0, cv)), seeded) is equilibrated untreated, then exposed
for 24 h to the drug's clinical free concentration (steady-state average of its usual daily
dose, from the library's PK). The response is the fractional fall of the growth drive; the
prediction reports its mean, 10-90 % range and the probability that it exceeds a threshold
(C28: probabilities over a population, never a yes/no per gene).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from mtorsim.engine.simulate import simulate_batch
from mtorsim.engine.steady import steady_state_batch
from mtorsim.errors import MtorsimError
from mtorsim.genomics.parameter_sets import (
    DEFAULT_SET,
    effect_scales,
    ensemble_scales,
    scale_effects,
)
from mtorsim.pharmacology.catalogue import DRUGS, get_drug
from mtorsim.pharmacology.mechanism import drug_id
from mtorsim.pharmacology.pk import average_free_nM as clinical_free_nM
from mtorsim.pharmacology.treatment import compiled_with_drugs

__all__ = [
    "PATHWAY_DRUGS",
    "READOUT_LABELS",
    "SITE_READOUTS",
    "clinical_free_nM",
    "kinetic_variability",
    "predict_response",
    "target_readouts",
]

#: Sites of the signalling pathway whose read-outs a prediction ranks; the others act on
#: tumours (VEGFR, ER, DNA), only bind (FKBP12 alone) or act on autophagy (LYSOSOME).
NETWORK_SITES = frozenset({"FRB", "MTOR_KINASE", "PI3K", "AKT", "MEK"})
#: Drugs predicted by default: those binding a network site (partners act on tumours;
#: interferon-alpha's only site is VEGFR, hydroxychloroquine's the lysosome).
PATHWAY_DRUGS = [name for name, d in DRUGS.items() if NETWORK_SITES & set(d.sites)]
RESPONSE_THRESHOLD = 0.35  # assumed: growth-drive fall counted as a response
#: The network read-out that shows whether each binding site's target is inhibited (the
#: pharmacodynamic marker of the drug class): mTORC1 (FRB, and the kinase site) -> pS6K1,
#: mTORC2 (kinase site) -> pAKT-S473, PI3K -> pAKT-T308 (PIP3-PDK1), AKT -> pPRAS40 (its
#: substrate; the model's allosteric AKT block acts on AKT's substrates, not on its own
#: phosphorylation), MEK -> pERK, lysosome -> autophagic flux. FKBP12 is a carrier and the
#: partner sites (ER, VEGFR, DNA) act in the tumour layer: no read-out in the cell.
SITE_READOUTS: dict[str, tuple[str, ...]] = {
    "FRB": ("S6K1",),
    "MTOR_KINASE": ("S6K1", "AKT_S473"),
    "PI3K": ("AKT_T308",),
    "AKT": ("PRAS40_p",),
    "MEK": ("ERK",),
    "LYSOSOME": ("autophagic_flux",),
}
#: How explanations name each read-out.
READOUT_LABELS = {
    "S6K1": "pS6K1",
    "AKT_S473": "pAKT-S473",
    "AKT_T308": "pAKT-T308",
    "PRAS40_p": "pPRAS40",
    "ERK": "pERK",
    "autophagic_flux": "autophagic flux",
}
#: An ensemble member's response is the point estimate plus the change the member's effect
#: sizes make in the *nominal* cell (every kinetic constant at its value, no variability):
#: one extra cell per member and distinct genotype instead of a population of n, so the
#: interval adds about B / n to the cost of a prediction.


def kinetic_variability(compiled, n: int, cv: float, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` sets of every kinetic constant (``k_*``, ``K_*``) x exp(N(0, sigma)), CV ``cv``."""
    kinetic = [
        p
        for p in compiled.network.parameters
        if p.name.startswith(("k_", "K_")) and "__" not in p.name
    ]
    base = np.array([p.value for p in kinetic])
    sigma = np.sqrt(np.log(1 + cv * cv))
    return pd.DataFrame(
        base * np.exp(rng.normal(0.0, sigma, (n, len(kinetic)))), columns=[p.name for p in kinetic]
    )


def target_readouts(drug: str) -> tuple[str, ...]:
    """Network read-outs of ``drug``'s own targets (:data:`SITE_READOUTS` of the sites of
    its potencies, in order); empty for a drug acting only outside the cell network."""
    sites = [p.site for p in get_drug(drug).potencies]
    return tuple(dict.fromkeys(r for site in sites for r in SITE_READOUTS.get(site, ())))


def predict_response(
    profiles: Mapping[str, Mapping[str, float]],
    drugs: Sequence[str] | None = None,
    *,
    n: int = 32,
    cv: float = 0.25,
    seed: int = 0,
    hours: float = 24.0,
    progress: Callable[[str], None] | None = None,
    parameter_set: str = DEFAULT_SET,
    intervals: bool = True,
) -> pd.DataFrame:
    """Predicted response of each sample to each drug.

    Parameters
    ----------
    profiles : dict
        Sample -> network parameters from its genotype (:func:`profiles`).
    drugs : list of str
        Default: every pathway drug of the library.
    n, cv, seed :
        Size, log-normal CV and seed of the cell population (shared by all samples).
    progress : callable
        Called with each drug's name as it starts (for progress bars).
    parameter_set : str
        Effect sizes of the variants (:mod:`mtorsim.genomics.parameter_sets`): ``"prior"``
        (as written in the knowledge base) or a fitted set; default :data:`DEFAULT_SET`.
    intervals : bool
        Add ``response_fit_p05, response_fit_p95``: the 5-95 % range of the mean response
        over the bootstrap ensemble of fitted effect sizes the set carries or borrows
        (:data:`~mtorsim.genomics.parameter_sets.ENSEMBLES`, ``ENSEMBLE_OF``; the default
        ``prior`` reports the ``gdsc_v2`` ensemble), i.e. the uncertainty the GDSC fit leaves
        on this prediction (NaN with ``intervals=False`` or a set without one).

    Returns
    -------
    DataFrame
        ``sample, drug, drug_class, exposure_nM, response_mean, response_p10,
        response_p90, response_fit_p05, response_fit_p95, probability_response, S6K1_fold,
        AKT_S473_fold, ERK_fold, target_readout, target_fold`` (folds are population means
        of treated over untreated; ``target_readout`` is the read-out of the drug's own
        target (:func:`target_readouts`) that fell most, ``target_fold`` its fold; empty and
        NaN for a drug with no target in the cell network), sorted by sample then response.
    """
    if n < 2:
        raise MtorsimError(f"n is {n}; use at least 2 cells per sample")
    names = [get_drug(d).name for d in (drugs or PATHWAY_DRUGS)]
    scales = effect_scales(parameter_set)
    members = ensemble_scales(parameter_set) if intervals else ()
    raw = profiles
    profiles = {s: scale_effects(p, scales) for s, p in raw.items()}
    # samples sharing a genotype share a prediction: simulate each genotype once
    genotypes: dict[tuple, list[str]] = {}
    for sample, params in profiles.items():
        genotypes.setdefault(tuple(sorted(params.items())), []).append(sample)
    keys = list(genotypes)
    # each member's genotype of each sample; every point and member genotype also gets
    # one nominal cell (only when there are members)
    member_keys = {
        s: [tuple(sorted(scale_effects(p, ms).items())) for ms in members] for s, p in raw.items()
    }
    nominal = list(dict.fromkeys([*keys, *(k for ks in member_keys.values() for k in ks)]))
    blocks = [("cells", k, n) for k in keys] + [("nominal", k, 1) for k in nominal if members]
    starts = np.cumsum([0] + [size for *_, size in blocks])
    where = {(tag, k): int(starts[i]) for i, (tag, k, _) in enumerate(blocks)}
    rows = []
    for drug in names:
        if progress is not None:
            progress(drug)
        compiled = compiled_with_drugs([drug], pk=False)
        medium = f"{drug_id(drug)}__medium_nM"
        exposure = clinical_free_nM(drug)
        readouts = [*compiled.species, *compiled.observables]
        own = target_readouts(drug)
        idx = {
            k: readouts.index(k)
            for k in dict.fromkeys(("GROWTH_DRIVE", "S6K1", "AKT_S473", "ERK", *own))
        }
        # the same cell population for every sample and drug (common random numbers), so
        # differences between samples come from their genotypes alone
        population = kinetic_variability(compiled, n, cv, np.random.default_rng(seed))
        typical = kinetic_variability(compiled, 1, 0.0, np.random.default_rng(seed))
        sets = pd.concat(
            [population if tag == "cells" else typical for tag, *_ in blocks], ignore_index=True
        )
        # each block's genotype parameters, one column at a time (not a pandas write per
        # block: with an ensemble there are hundreds of one-cell blocks)
        sizes = [size for *_, size in blocks]
        names_set = dict.fromkeys(k for _, key, _ in blocks for k, _ in key)
        for k in (k for k in names_set if k in compiled.parameters):
            per_block = np.repeat([dict(key).get(k, np.nan) for _, key, _ in blocks], sizes)
            default = (
                sets[k].to_numpy()
                if k in sets.columns
                else np.full(len(sets), compiled.p0[compiled.parameter_index(k)])
            )
            sets[k] = np.where(np.isnan(per_block), default, per_block)
        sets[medium] = 0.0
        base, ok = steady_state_batch(compiled, sets)
        if not ok.all():
            raise MtorsimError(f"{int((~ok).sum())} cells found no steady state")
        _, values, status = simulate_batch(
            compiled,
            hours,
            sets.assign(**{medium: exposure}),
            t_out=[hours],
            initial=base[:, : compiled.n_species],
        )
        if (status != 0).any():
            raise MtorsimError(f"{drug}: {int((status != 0).sum())} integrations failed")
        end = values[:, -1, :]
        fall = 1.0 - end[:, idx["GROWTH_DRIVE"]] / base[:, idx["GROWTH_DRIVE"]]

        def nominal_fall(key: tuple, fall: np.ndarray = fall) -> float:
            return float(fall[where[("nominal", key)]])

        for key in keys:
            first = where[("cells", key)]
            block = slice(first, first + n)
            fold = {k: end[block, j] / base[block, j] for k, j in idx.items()}
            response = 1.0 - fold["GROWTH_DRIVE"]
            target = min(own, key=lambda k: fold[k].mean()) if own else None
            summary = {
                "drug": drug,
                "drug_class": get_drug(drug).drug_class,
                "exposure_nM": exposure,
                "response_mean": float(response.mean()),
                "response_p10": float(np.quantile(response, 0.1)),
                "response_p90": float(np.quantile(response, 0.9)),
                "response_fit_p05": np.nan,
                "response_fit_p95": np.nan,
                "probability_response": float((response >= RESPONSE_THRESHOLD).mean()),
                "S6K1_fold": float(fold["S6K1"].mean()),
                "AKT_S473_fold": float(fold["AKT_S473"].mean()),
                "ERK_fold": float(fold["ERK"].mean()),
                "target_readout": READOUT_LABELS[target] if target else "",
                "target_fold": float(fold[target].mean()) if target else np.nan,
            }
            for sample in genotypes[key]:
                row = {"sample": sample, **summary}
                if members:
                    ref = nominal_fall(key)
                    ens = [
                        row["response_mean"] + nominal_fall(k) - ref for k in member_keys[sample]
                    ]
                    row["response_fit_p05"] = float(np.quantile(ens, 0.05))
                    row["response_fit_p95"] = float(np.quantile(ens, 0.95))
                rows.append(row)
    df = pd.DataFrame(rows)
    return df.sort_values(
        ["sample", "response_mean"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)
