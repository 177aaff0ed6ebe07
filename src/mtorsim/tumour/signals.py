"""What a clone's tumour growth needs from signalling, at a given drug exposure.

Each row is one clone in one patient under one treatment: its genotype parameters, its
pathway variability and its free drug concentrations (nM). The pathway is solved to steady
state untreated and treated (one batched Newton solve each) and the read-outs the growth
law uses are returned relative to untreated: growth drive, VEGF and autophagic flux, plus
the partner drugs' absolute blockade (ER, VEGFR, cytotoxic exposure, 0-1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mtorsim.engine.steady import steady_state_batch
from mtorsim.errors import MtorsimError
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.mechanism import drug_id
from mtorsim.pharmacology.treatment import compiled_with_drugs

__all__ = ["SIGNALS", "clone_signals", "untreated_signals"]

SIGNALS = ["drive", "vegf", "autophagy", "ER_block", "VEGFR_block", "cytotoxic_exposure"]
_RELATIVE = {"drive": "GROWTH_DRIVE", "vegf": "VEGF", "autophagy": "autophagic_flux"}


def untreated_signals(n: int) -> pd.DataFrame:
    """Signals of ``n`` untreated clones (relative read-outs 1, no blockade)."""
    return pd.DataFrame({s: np.ones(n) if s in _RELATIVE else np.zeros(n) for s in SIGNALS})


def clone_signals(
    drugs: Sequence[str],
    exposures_nM: Mapping[str, np.ndarray],
    parameters: pd.DataFrame,
) -> pd.DataFrame:
    """Steady-state signals of each row of ``parameters`` under ``drugs``.

    Parameters
    ----------
    drugs : list of str
        Drugs given together (pathway drugs and partners); empty means untreated.
    exposures_nM : dict
        Drug -> free concentration (nM) per row.
    parameters : DataFrame
        Network parameters per row (genotype and variability); unknown columns are an error.

    Returns
    -------
    DataFrame with the columns of :data:`SIGNALS`, one row per input row.
    """
    n = len(parameters)
    if not drugs or n == 0:
        return untreated_signals(n)
    names = [get_drug(d).name for d in drugs]
    compiled = compiled_with_drugs(names, pk=False)
    unknown = [c for c in parameters.columns if c not in compiled.parameters]
    if unknown:
        raise MtorsimError(f"unknown network parameters for clones: {', '.join(unknown)}")
    sets = parameters.reset_index(drop=True).copy()
    for col in sets.columns:  # a clone without a value keeps the network's default
        sets[col] = sets[col].fillna(compiled.p0[compiled.parameter_index(col)])
    media = {f"{drug_id(d)}__medium_nM": d for d in names}
    for medium in media:
        sets[medium] = 0.0
    base, ok0 = steady_state_batch(compiled, sets)
    for medium, drug in media.items():
        conc = np.broadcast_to(np.asarray(exposures_nM[drug], dtype=float), (n,))
        if not np.all(np.isfinite(conc)) or (conc < 0).any():
            raise MtorsimError(f"{drug}: exposures must be finite and >= 0 nM")
        sets[medium] = conc
    treated, ok1 = steady_state_batch(compiled, sets, initial=base[:, : compiled.n_species])
    if not ok0.all():  # before any drug: the clones' own parameters
        raise MtorsimError(f"{int((~ok0).sum())} of {n} clones found no untreated steady state")
    if not ok1.all():
        top = {d: float(np.max(exposures_nM[d])) for d in names}
        levels = ", ".join(f"{d} up to {c:.3g} nM free" for d, c in top.items())
        raise MtorsimError(
            f"{int((~ok1).sum())} of {n} clones found no signalling steady state under "
            f"{levels}; a dose far above the label range can take the network there (lower it)"
        )
    readouts = [*compiled.species, *compiled.observables]
    out = {}
    for name, readout in _RELATIVE.items():
        j = readouts.index(readout)
        out[name] = treated[:, j] / np.maximum(base[:, j], 1e-12)
    for name in SIGNALS[3:]:
        out[name] = treated[:, readouts.index(name)] if name in readouts else np.zeros(n)
    return pd.DataFrame(out)[SIGNALS]
