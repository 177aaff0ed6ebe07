"""Virtual patient cohorts on a regimen: the full ODE model (PK + signalling) per patient.

Every patient shares the regimens and the network parameters and has its own clearance
and central volume for each drug (log-normal, CVs from the drug library), drawn from its
own stream keyed by (seed, patient, drug), so a cohort is reproducible and a patient's
draws do not depend on the cohort size, the chunking or the other drugs given.
All patients start at the untreated steady state and run through the batched cohort
kernel (:func:`mtorsim.engine.cohort.simulate_cohort`), chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.cohort import simulate_cohort
from mtorsim.engine.schedule import check_time, validate_values
from mtorsim.engine.steady import steady_state_vector
from mtorsim.errors import MtorsimError
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.pk import sample_pk_parameters
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events, tidy_drug_columns
from mtorsim.result import DEFAULT_READOUTS

__all__ = [
    "default_readouts",
    "sample_cohort_pk",
    "simulate_treatment_cohort",
]


def default_readouts(compiled: CompiledNetwork) -> list[str]:
    """Each drug's blood and free concentrations and occupancies, then ``DEFAULT_READOUTS``."""
    drug = [
        o
        for o in compiled.observables
        if o.endswith(("__blood_mg_L", "__free_nM")) or o.startswith("SITE__")
    ]
    return [*drug, *(r for r in DEFAULT_READOUTS if r not in drug)]


def sample_cohort_pk(regimens: Sequence[Regimen], n_patients: int, seed: int = 0) -> pd.DataFrame:
    """Per-patient PK parameters (``<drug>__CL``, ``<drug>__V1``) for every drug given.

    Patient ``i``'s draws for a drug come from its own stream keyed by (seed, i, drug), so
    they do not depend on the cohort size, the chunking or the other drugs in the regimen.
    """
    if n_patients < 1:
        raise MtorsimError(f"n_patients is {n_patients}; give at least 1")
    drugs = sorted({get_drug(r.drug).name for r in regimens})
    parts = [sample_pk_parameters(d, n_patients, seed=int(seed)) for d in drugs]
    return pd.concat(parts, axis=1)


def simulate_treatment_cohort(
    regimens: Sequence[Regimen],
    n_patients: int,
    days: float = 28.0,
    *,
    seed: int = 0,
    parameters: Mapping[str, float] | None = None,
    readouts: Sequence[str] | None = None,
    points_per_day: float = 1.0,
    chunk_size: int = 250,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    on_chunk: Callable[[pd.DataFrame], None] | None = None,
) -> pd.DataFrame:
    """Simulate ``n_patients`` on ``regimens`` with PK variability, in batched chunks.

    Parameters
    ----------
    regimens : list of Regimen
        Drugs, doses and schedules, the same for every patient.
    parameters : dict
        Network or genotype values shared by the cohort (e.g. ``{"PTEN_level": 0}``).
    readouts : species or observables to keep (default: ``DEFAULT_READOUTS`` and each
        drug's blood and free concentrations and target occupancies).
    points_per_day : output times per day (a time course of 1,000 patients × a year at the
        default 1 a day is 366,000 rows per read-out).
    on_chunk : called with each finished chunk's table (for streaming to disk); the function
        then returns an empty table.

    Returns
    -------
    Tidy DataFrame ``patient, time_h, time_d, <PK parameters>, <read-outs>, status``.
    """
    if not regimens:
        raise MtorsimError("give at least one regimen")
    days = check_time("days", days, positive=True)
    if not points_per_day > 0:
        raise MtorsimError(f"points_per_day is {points_per_day}; give a positive number")
    compiled = compiled_with_drugs([r.drug for r in regimens], pk=True)
    params = validate_values("parameter", parameters or {})
    pk = sample_cohort_pk(regimens, n_patients, seed)
    shared = pd.DataFrame({k: np.full(n_patients, v) for k, v in params.items()})
    sets = pd.concat([shared, pk], axis=1)
    horizon = days * 24.0
    t_out = np.linspace(0.0, horizon, round(days * points_per_day) + 1)
    # PK parameters do not move the untreated steady state: one solve serves the cohort
    y0 = steady_state_vector(compiled, compiled.parameter_vector(params))
    events = dosing_events(regimens, horizon)

    def tidy(chunk: pd.DataFrame) -> pd.DataFrame:
        chunk = chunk.rename(columns={"member": "patient", "time": "time_h"})
        chunk.insert(2, "time_d", chunk["time_h"] / 24.0)
        covariates = pk.iloc[chunk["patient"].to_numpy()].reset_index(drop=True)
        for i, col in enumerate(covariates.columns):
            chunk.insert(3 + i, col, covariates[col].to_numpy())
        return tidy_drug_columns(chunk)

    table = simulate_cohort(
        compiled,
        horizon,
        sets,
        t_out,
        events=[events] * n_patients,
        initial=y0,
        readouts=list(readouts) if readouts is not None else default_readouts(compiled),
        chunk_size=chunk_size,
        rtol=rtol,
        atol=atol,
        on_chunk=None if on_chunk is None else (lambda c: on_chunk(tidy(c))),
    )
    return table if on_chunk is not None else tidy(table)
