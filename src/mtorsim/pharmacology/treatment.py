"""Treat patients (clinical PK, regimens) or cells (medium concentrations) and simulate.

Patients and cells start at the steady state of the untreated network under the given
parameters (genotype, inputs); drugs start at t = 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    "Dose",
    "compiled_with_drugs",
    "dose_events",
    "dosing_events",
    "simulate_doses",
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


@dataclass(frozen=True)
class Dose:
    """One administration, as dosing records give it (a NONMEM event table, say).

    Regimens cover schedules; records list what was given when, which is what observed
    patients and study protocols have. ``compartment`` ``None`` gives the dose the way a
    :class:`Regimen` does (oral/IM into the depot, IV infused over the library's
    ``infusion_h``); ``"depot"`` or ``"central"`` place it explicitly, and ``rate_mg_h > 0``
    infuses it into the central compartment at that rate (zero-order input).

    A central dose of a drug with apparent oral parameters (CL/F, V/F) enters as
    ``amount / F``: the model's amounts are scaled by 1/F, so that the concentration of a
    true intravenous dose comes out right.
    """

    drug: str
    time_h: float
    amount_mg: float
    compartment: str | None = None
    rate_mg_h: float = 0.0

    def __post_init__(self) -> None:
        drug = get_drug(self.drug)
        object.__setattr__(self, "drug", drug.name)
        if drug.pk is None:
            raise MtorsimError(f"{drug.name} has no clinical pharmacokinetics ({drug.notes})")
        for label, v, strict in (
            ("time_h", self.time_h, False),
            ("amount_mg", self.amount_mg, True),
            ("rate_mg_h", self.rate_mg_h, False),
        ):
            f = float(v)
            if not math.isfinite(f) or f < 0 or (strict and f == 0):
                raise MtorsimError(
                    f"{drug.name} dose: {label} is {v!r}; give a finite number "
                    f"{'> 0' if strict else '>= 0'}"
                )
            object.__setattr__(self, label, f)
        if self.compartment not in (None, "depot", "central"):
            raise MtorsimError(
                f"{drug.name} dose: compartment {self.compartment!r}; use 'depot' or 'central'"
            )
        if self.compartment == "depot" and drug.pk.route == "iv":
            raise MtorsimError(f"{drug.name} is given IV and has no depot; dose it centrally")
        if self.rate_mg_h > 0 and self.compartment == "depot":
            raise MtorsimError(
                f"{drug.name} dose: a rate into the depot (zero-order absorption) is not "
                "supported; infuse into the central compartment or give a bolus"
            )


def dose_events(doses: Sequence[Dose], horizon_h: float) -> list[Event]:
    """Dose records as engine events (doses at or after ``horizon_h`` are dropped).

    Bolus doses add to the depot or the central amount; infusions set the drug's infusion
    rate piecewise, overlapping ones summed. Doses given as a :class:`Regimen` would give
    them yield the same events as :func:`dosing_events`.
    """
    events: list[Event] = []
    infusions: dict[str, list[tuple[float, float, float]]] = {}  # id -> (start, end, rate)
    for dose in doses:
        if dose.time_h >= horizon_h - 1e-9:
            continue
        pk = get_drug(dose.drug).pk
        assert pk is not None
        d = drug_id(dose.drug)
        central = 1.0 / pk.F if (pk.apparent and pk.route != "iv") else 1.0
        if dose.rate_mg_h > 0 or (dose.compartment is None and pk.route == "iv"):
            if dose.rate_mg_h > 0:
                rate, hours = dose.rate_mg_h, dose.amount_mg / dose.rate_mg_h
            else:  # as a regimen gives it: over the library's infusion time
                rate, hours = dose.amount_mg / pk.infusion_h, pk.infusion_h
            spans = infusions.setdefault(d, [])
            spans.append((dose.time_h, dose.time_h + hours, rate * central))
        elif dose.compartment == "central":
            events.append(Event(dose.time_h, add={f"{d}__central": dose.amount_mg * central}))
        else:
            amount = dose.amount_mg * pk.absorbed_fraction
            events.append(Event(dose.time_h, add={f"{d}__depot": amount}))
    for d, spans in infusions.items():
        cuts = sorted({t for a, b, _ in spans for t in (a, b) if t < horizon_h})
        for t in cuts:
            rate = math.fsum(r for a, b, r in spans if a <= t < b)
            events.append(Event(t, parameters={f"{d}__infusion": rate}))
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


def simulate_doses(
    doses: Sequence[Dose],
    days: float = 28.0,
    *,
    parameters: Mapping[str, float] | None = None,
    points_per_day: int = 24,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> pd.DataFrame:
    """:func:`simulate_treatment` for dose records (:class:`Dose`) instead of regimens.

    Same network, start (untreated steady state), output and tolerances, so doses matching
    a regimen give the same time course.
    """
    if not doses:
        raise MtorsimError("give at least one dose")
    days = check_time("days", days, positive=True)
    if points_per_day < 1:
        raise MtorsimError("points_per_day must be >= 1")
    compiled = compiled_with_drugs([d.drug for d in doses], pk=True)
    horizon = days * 24.0
    params = validate_values("parameter", parameters or {})
    t_out = np.linspace(0.0, horizon, round(days * points_per_day) + 1)
    df = simulate(
        compiled,
        horizon,
        t_out=t_out,
        parameters=params,
        equilibrate=params,
        events=dose_events(doses, horizon),
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
