"""Treat patients (clinical PK, regimens) or cells (medium concentrations) and simulate.

Patients and cells start at the steady state of the untreated network under the given
parameters (genotype, inputs); drugs start at t = 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork, compile_network
from mtorsim.engine.schedule import Event, check_time, validate_values
from mtorsim.engine.simulate import simulate
from mtorsim.errors import MtorsimError
from mtorsim.network.default import default_network
from mtorsim.network.model import Network
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.mechanism import drug_id, with_drugs
from mtorsim.pharmacology.regimen import Regimen

__all__ = [
    "compiled_with_drugs",
    "dosing_events",
    "simulate_treatment",
    "tidy_drug_columns",
    "tidy_drug_name",
    "treat_cells",
]


@lru_cache(maxsize=64)
def _compiled(drugs: tuple[str, ...], pk: bool) -> CompiledNetwork:
    return compile_network(with_drugs(default_network(), list(drugs), pk=pk))


def compiled_with_drugs(drugs: Sequence[str], *, pk: bool = True) -> CompiledNetwork:
    """The default network with ``drugs`` attached, compiled (memoised by drug set)."""
    names = tuple(sorted({get_drug(d).name for d in drugs}))
    return _compiled(names, pk)


def dosing_events(regimens: Sequence[Regimen], horizon_h: float) -> list[Event]:
    """Regimens as engine events: oral/IM doses into the depot, IV as timed infusions."""
    events: list[Event] = []
    for reg in regimens:
        drug = get_drug(reg.drug)
        pk = drug.pk
        assert pk is not None
        d = drug_id(drug.name)
        for t, amount in reg.dose_times(horizon_h):
            if pk.route == "iv":
                rate = amount / pk.infusion_h
                events.append(Event(t, parameters={f"{d}__infusion": rate}))
                if t + pk.infusion_h < horizon_h:
                    events.append(Event(t + pk.infusion_h, parameters={f"{d}__infusion": 0.0}))
            else:
                events.append(Event(t, add={f"{d}__depot": amount * pk.absorbed_fraction}))
    return _merge(events)


def _merge(events: list[Event]) -> list[Event]:
    """One event per time (parameters and additions of simultaneous events combined)."""
    by_time: dict[float, tuple[dict, dict]] = {}
    for e in events:
        params, add = by_time.setdefault(e.time, ({}, {}))
        params.update(e.parameters)
        for k, v in e.add.items():
            add[k] = add.get(k, 0.0) + v
    return [Event(t, p, a) for t, (p, a) in sorted(by_time.items())]


def tidy_drug_name(col: str) -> str:
    """The user-facing name of an internal drug column (other names are returned as given)."""
    if col.endswith("__blood_mg_L"):
        return col.replace("__blood_mg_L", "_blood_ng_mL")
    if col.endswith("__free_nM"):
        return col.replace("__free_nM", "_free_nM")
    return col


def tidy_drug_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Rename internal drug columns: ``everolimus__blood_mg_L`` -> ``everolimus_blood_ng_mL``
    (x1000), ``everolimus__free_nM`` -> ``everolimus_free_nM``, occupancies kept."""
    out = df.copy()
    for col in list(out.columns):
        name = tidy_drug_name(col)
        if name != col:
            out[name] = out.pop(col) * (1000.0 if col.endswith("__blood_mg_L") else 1.0)
    return out


def simulate_treatment(
    regimens: Sequence[Regimen],
    days: float = 28.0,
    *,
    parameters: Mapping[str, float] | None = None,
    points_per_day: int = 24,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> pd.DataFrame:
    """Simulate a patient's pathway under one or more dosing regimens.

    Parameters
    ----------
    regimens : list of Regimen
        Drugs, doses and schedules (combinations allowed).
    days : float
        Duration (days).
    parameters : dict
        Network, genotype or PK parameter values (e.g. ``{"PTEN_level": 0}``).
    points_per_day : int
        Output resolution.

    Returns
    -------
    pandas.DataFrame
        ``time_h``, ``time_d``, every species and observable, ``<drug>_blood_ng_mL`` and
        ``<drug>_free_nM`` per drug, site occupancies (``<drug>__<SITE>``).

    Examples
    --------
    >>> df = simulate_treatment([Regimen("everolimus", 10.0)], days=2, points_per_day=4)
    >>> bool(df["S6K1"].iloc[-1] < 0.1 * df["S6K1"].iloc[0])
    True
    """
    if not regimens:
        raise MtorsimError("give at least one regimen")
    days = check_time("days", days, positive=True)
    if points_per_day < 1:
        raise MtorsimError("points_per_day must be >= 1")
    compiled = compiled_with_drugs([r.drug for r in regimens], pk=True)
    horizon = days * 24.0
    params = validate_values("parameter", parameters or {})
    t_out = np.linspace(0.0, horizon, round(days * points_per_day) + 1)
    df = simulate(
        compiled,
        horizon,
        t_out=t_out,
        parameters=params,
        equilibrate=params,
        events=dosing_events(regimens, horizon),
        rtol=rtol,
        atol=atol,
    )
    df.insert(1, "time_d", df["time_h"] / 24.0)
    return tidy_drug_columns(df)


def treat_cells(
    concentrations_nM: Mapping[str, float],
    hours: float = 24.0,
    *,
    parameters: Mapping[str, float] | None = None,
    points: int = 97,
    network: Network | None = None,
    node_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Cells at steady state exposed to constant drug concentrations (nM) from t = 0.

    ``network`` and ``node_map`` treat another model (an imported SBML model, with its
    names for the drugs' target nodes); by default the mtorsim network.
    """
    if not concentrations_nM:
        raise MtorsimError("give at least one drug concentration")
    conc = validate_values("concentration", concentrations_nM)
    for name, c in conc.items():
        if c < 0:
            raise MtorsimError(f"concentration of {name} is {c} nM; give a value >= 0")
    if network is None:
        compiled = compiled_with_drugs(list(conc), pk=False)
    else:
        compiled = compile_network(with_drugs(network, list(conc), pk=False, node_map=node_map))
    params = validate_values("parameter", parameters or {})
    medium = {f"{drug_id(n)}__medium_nM": c for n, c in conc.items()}
    df = simulate(
        compiled,
        check_time("hours", hours, positive=True),
        points=points,
        parameters={**params, **medium},
        equilibrate={**params, **dict.fromkeys(medium, 0.0)},
    )
    return tidy_drug_columns(df)
