"""Pharmacokinetics alone: concentration-time profiles, closed forms, variability.

``pk_profile`` integrates the same PK reactions the drug layer adds to the pathway (so what
is checked here is what drives the signalling); ``analytic_concentration`` is the
independent closed-form (superposition) solution used to cross-check it.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import compile_network
from mtorsim.engine.schedule import check_time
from mtorsim.engine.simulate import simulate
from mtorsim.errors import MtorsimError
from mtorsim.network.components import Observable
from mtorsim.network.model import Network
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.drug import PKModel
from mtorsim.pharmacology.mechanism import _exposure, drug_id
from mtorsim.pharmacology.regimen import Regimen

__all__ = [
    "TOOL_EXPOSURE_nM",
    "analytic_concentration",
    "average_free_nM",
    "patient_rng",
    "pk_network",
    "pk_profile",
    "sample_pk_parameters",
    "terminal_half_life",
]

TOOL_EXPOSURE_nM = 10.0  # assumed exposure for compounds without clinical PK


def average_free_nM(
    drug: str, mg_per_day: float | None = None, *, cl_multiplier: float = 1.0
) -> float:
    """Free concentration (nM) at steady state, averaged over the dosing interval.

    ``C_avg = daily dose x absorbed fraction / CL`` (mg/L), times ``fu`` and ``1e6/MW``.
    The average does not depend on the schedule (10 mg daily and 70 mg weekly give the
    same), which is why tumour-scale models can use it: signalling follows exposure within
    hours, tumours change over weeks. ``mg_per_day`` defaults to the top of the library's
    clinical range; ``cl_multiplier`` is a patient's clearance relative to the typical
    value. Compounds without PK get :data:`TOOL_EXPOSURE_nM` (assumed) whatever the dose.
    """
    d = get_drug(drug)
    if d.pk is None or d.dose_range_mg is None:
        return TOOL_EXPOSURE_nM
    dose = d.dose_range_mg[1] if mg_per_day is None else float(mg_per_day)
    if not (math.isfinite(dose) and dose >= 0):
        raise MtorsimError(f"{d.name}: dose {mg_per_day!r} mg/day must be a number >= 0")
    if not (math.isfinite(cl_multiplier) and cl_multiplier > 0):
        raise MtorsimError(f"clearance multiplier {cl_multiplier!r} must be > 0")
    c_avg = dose / 24.0 * d.pk.absorbed_fraction / (d.pk.cl_L_h * cl_multiplier)
    return float(d.pk.fu_blood * c_avg * 1e6 / d.mw_g_mol)


def pk_network(drugs: Sequence[str]) -> Network:
    """A network holding only the PK of ``drugs`` (and prodrug metabolites)."""
    names: list[str] = []
    for n in drugs:
        drug = get_drug(n)
        if drug.pk is None:
            raise MtorsimError(f"{drug.name} has no clinical pharmacokinetics ({drug.notes})")
        names.append(drug.name)
        if drug.pk.prodrug_of:
            names.append(get_drug(drug.pk.prodrug_of).name)
    comps: list = []
    for name in dict.fromkeys(names):
        exposure, free = _exposure(get_drug(name), pk=True)
        comps += [*exposure, Observable(f"{drug_id(name)}__free_nM", free, "nM")]
    from mtorsim.network.components import Parameter, Reaction, Species

    sp = [c for c in comps if isinstance(c, Species)]
    return Network(
        name="pk_" + "_".join(drug_id(n) for n in dict.fromkeys(names)),
        species=sp,
        parameters=[c for c in comps if isinstance(c, Parameter)],
        reactions=[c for c in comps if isinstance(c, Reaction)],
        observables=[c for c in comps if isinstance(c, Observable)],
        source="mtorsim drug library",
    )


def pk_profile(
    regimens: Sequence[Regimen],
    days: float = 14.0,
    *,
    points_per_day: int = 48,
    parameters: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Blood and free concentrations over time: ``time_h, time_d, <drug>_blood_ng_mL, ...``."""
    from mtorsim.pharmacology.treatment import dosing_events, tidy_drug_columns

    days = check_time("days", days, positive=True)
    net = pk_network([r.drug for r in regimens])
    compiled = compile_network(net, hooks=False)
    horizon = days * 24.0
    t_out = np.linspace(0.0, horizon, round(days * points_per_day) + 1)
    df = simulate(
        compiled,
        horizon,
        t_out=t_out,
        parameters=parameters or {},
        events=dosing_events(regimens, horizon),
        rtol=1e-8,
        atol=1e-12,
    )
    df.insert(1, "time_d", df["time_h"] / 24.0)
    keep = ["time_h", "time_d"] + [
        c for c in df.columns if c.endswith(("__blood_mg_L", "__free_nM"))
    ]
    return tidy_drug_columns(df[keep])


def analytic_concentration(
    pk: PKModel, doses: Sequence[tuple[float, float]], t: np.ndarray
) -> np.ndarray:
    """Closed-form central concentration (mg/L) by superposition of single doses.

    Oral/IM: first-order absorption into a 1- or 2-compartment model. IV: zero-order
    infusion of ``pk.infusion_h`` into a 1-compartment model.
    """
    t = np.asarray(t, dtype=float)
    k10, v1 = pk.cl_L_h / pk.v1_L, pk.v1_L
    out = np.zeros_like(t)
    for t0, dose in doses:
        on = t > t0
        tau = np.clip(t - t0, 0.0, None)
        amount = dose * pk.absorbed_fraction
        if pk.route == "iv":
            if pk.compartments != 1:
                raise MtorsimError("closed form implemented for 1-compartment IV only")
            rate, dur = amount / pk.infusion_h, pk.infusion_h
            during = rate / (k10 * v1) * (1 - np.exp(-k10 * np.minimum(tau, dur)))
            after = np.exp(-k10 * np.clip(tau - dur, 0, None))
            out += np.where(on, during * after, 0.0)
            continue
        ka = pk.ka_per_h
        if pk.compartments == 1:
            c = amount * ka / (v1 * (ka - k10)) * (np.exp(-k10 * tau) - np.exp(-ka * tau))
        else:
            k12, k21 = pk.q_L_h / pk.v1_L, pk.q_L_h / pk.v2_L
            s = k10 + k12 + k21
            alpha = (s + math.sqrt(s * s - 4 * k10 * k21)) / 2
            beta = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
            c = (
                amount
                * ka
                / v1
                * (
                    (k21 - alpha) / ((ka - alpha) * (beta - alpha)) * np.exp(-alpha * tau)
                    + (k21 - beta) / ((ka - beta) * (alpha - beta)) * np.exp(-beta * tau)
                    + (k21 - ka) / ((alpha - ka) * (beta - ka)) * np.exp(-ka * tau)
                )
            )
        out += np.where(on, c, 0.0)
    return out


def terminal_half_life(time_h: np.ndarray, conc: np.ndarray, *, window_h: float = 48.0) -> float:
    """Half-life (h) from the log-linear slope over the last ``window_h`` of a washout."""
    time_h, conc = np.asarray(time_h, float), np.asarray(conc, float)
    mask = (time_h >= time_h[-1] - window_h) & (conc > 0)
    if mask.sum() < 3:
        raise MtorsimError("too few positive concentrations to estimate a half-life")
    slope = np.polyfit(time_h[mask], np.log(conc[mask]), 1)[0]
    if slope >= 0:
        raise MtorsimError("concentrations do not decline in the window; no half-life")
    return float(-math.log(2) / slope)


def patient_rng(seed: int, patient: int, drug: str) -> np.random.Generator:
    """The random stream of one patient's draws for one drug, keyed by (seed, patient, drug).

    The key holds nothing about the cohort size, the chunking or the other drugs given, so
    patient ``i`` gets the same draws whatever they are.
    """
    return _stream(seed, patient, _drug_key(drug))


def _stream(seed: int, patient: int, key: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(patient), key])


def _drug_key(drug: str) -> int:
    """A stable integer for a drug (its canonical id), the same in every Python run."""
    return zlib.crc32(drug_id(get_drug(drug).name).encode())


def sample_pk_parameters(
    drug: str, n: int, seed: int | np.random.Generator | None = None, *, start: int = 0
) -> pd.DataFrame:
    """Log-normal inter-individual variability on CL and V1 (CVs from the library).

    Returns a DataFrame with columns ``<drug>__CL`` and ``<drug>__V1``, one row for each of
    patients ``start, ..., start + n - 1``. Each patient's values come from its own stream
    (:func:`patient_rng`), so they do not depend on ``n`` or ``start``. A ``Generator`` seed
    is consumed for one integer seed; ``None`` takes fresh entropy.
    """
    d = get_drug(drug)
    if d.pk is None:
        raise MtorsimError(f"{d.name} has no clinical pharmacokinetics")
    if n < 1:
        raise MtorsimError(f"n is {n}; sample at least one patient")
    if start < 0:
        raise MtorsimError(f"start is {start}; patient indices start at 0")
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**63))
    elif seed is None:
        seed = int(np.random.SeedSequence().entropy) % 2**63
    key = _drug_key(d.name)
    z = np.array([_stream(seed, start + i, key).standard_normal(2) for i in range(n)])
    out = {}
    for k, (col, typical, cv) in enumerate(
        (
            (f"{drug_id(d.name)}__CL", d.pk.cl_L_h, d.pk.cv_cl),
            (f"{drug_id(d.name)}__V1", d.pk.v1_L, d.pk.cv_v),
        )
    ):
        omega = math.sqrt(math.log(1 + cv * cv))
        out[col] = typical * np.exp(omega * z[:, k])
    return pd.DataFrame(out)
