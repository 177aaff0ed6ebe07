"""Drug networks and dosing as the engine sees them: compiled drug networks, dose events
and the tidy names of drug read-outs.

The model object (:meth:`mtorsim.Model.simulate`) runs patients and cells on these; patients
and cells start at the steady state of the untreated network, drugs at t = 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork, compile_network
from mtorsim.engine.schedule import Event
from mtorsim.errors import MtorsimError
from mtorsim.network.default import default_network
from mtorsim.pharmacology.catalogue import get_drug
from mtorsim.pharmacology.mechanism import drug_id, with_drugs
from mtorsim.pharmacology.regimen import Regimen

__all__ = [
    "Dose",
    "compiled_with_drugs",
    "dose_events",
    "dosing_events",
    "tidy_drug_columns",
    "tidy_drug_name",
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
