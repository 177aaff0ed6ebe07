"""The growth law as reactions: tumour burden as one more species of the ODE model.

:func:`with_tumour` adds ``tumour_burden`` (relative to baseline) whose growth and death
follow :mod:`mtorsim.tumour.growth` from the network's own observables, so one compiled
model carries PK, signalling and tumour together (exportable to SBML, checkable against
libRoadRunner, and the reference for the trial layer's steady-state shortcut). It carries
the law's untreated balance and its drive, ER, VEGF, autophagy and cytotoxic-exposure terms,
not ``pathway_share`` or the route kills (it stands for a tumour the drive fully controls
and that drugs only hold: the defaults of :class:`TumourParameters`). Rates are
per hour inside the engine. The untreated read-outs the law divides by are parameters
(``tumour__drive0`` ...) set from the untreated steady state by :func:`baseline_parameters`.
"""

from __future__ import annotations

import math

from mtorsim.network.components import Observable, Parameter, Reaction, Species
from mtorsim.network.model import Network
from mtorsim.tumour.growth import TumourParameters

__all__ = ["BURDEN", "baseline_parameters", "tumour_parameter_values", "with_tumour"]

BURDEN = "tumour_burden"
_BASELINES = {
    "tumour__drive0": "GROWTH_DRIVE",
    "tumour__vegf0": "VEGF",
    "tumour__flux0": "autophagic_flux",
}


def tumour_parameter_values(params: TumourParameters) -> dict[str, float]:
    """Network parameter values (per hour) for a cancer type's kinetics."""
    p = math.log(2) / params.doubling_time_d / (1.0 - params.cell_loss) / 24.0
    return {
        "tumour__proliferation": p,
        "tumour__cell_loss": params.cell_loss,
        "tumour__drive_exponent": params.drive_exponent,
        "tumour__er_dependence": params.er_dependence,
        "tumour__vegf_dependence": params.vegf_dependence,
        "tumour__autophagy_survival": params.autophagy_survival,
        "tumour__chemo_kill": params.chemo_kill_per_day / 24.0,
    }


def baseline_parameters(untreated_steady_state: dict[str, float]) -> dict[str, float]:
    """``tumour__drive0`` etc. from an untreated steady state (read-out -> value)."""
    return {p: float(untreated_steady_state[r]) for p, r in _BASELINES.items()}


def with_tumour(network: Network, params: TumourParameters | None = None) -> Network:
    """``network`` plus a tumour-burden species driven by its growth drive."""
    values = tumour_parameter_values(params or TumourParameters())
    units = {"tumour__proliferation": "1/h", "tumour__chemo_kill": "1/h"}
    comps: list = [
        Parameter(k, v, units.get(k, "1"), source="tumour kinetics (see TumourParameters)")
        for k, v in values.items()
    ]
    comps += [
        Parameter(k, 1.0, "1", source="set from the untreated steady state") for k in _BASELINES
    ]
    comps.append(Species(BURDEN, 1.0, description="tumour burden relative to baseline"))
    have = {o.name for o in network.observables}
    block = {
        n: (n if n in have else "0") for n in ("ER_block", "VEGFR_block", "cytotoxic_exposure")
    }
    comps += [
        Observable(
            "tumour_proliferation_factor",
            "(GROWTH_DRIVE/tumour__drive0)^tumour__drive_exponent"
            f"*(1 - tumour__er_dependence*{block['ER_block']})"
            f"*(1 - tumour__vegf_dependence*(1 - VEGF/tumour__vegf0*(1 - {block['VEGFR_block']})))",
            description="proliferation relative to untreated",
        ),
        Reaction(
            "tumour_growth",
            f"tumour__proliferation*tumour_proliferation_factor*{BURDEN}",
            products=(BURDEN,),
            description="proliferation follows the growth drive (C19)",
        ),
        Reaction(
            "tumour_death",
            "(tumour__proliferation*tumour__cell_loss"
            "*(max(autophagic_flux/tumour__flux0, 0.05))^(-tumour__autophagy_survival)"
            f" + tumour__chemo_kill*{block['cytotoxic_exposure']})*{BURDEN}",
            reactants=(BURDEN,),
            description="cell loss, protected by autophagy; cytotoxic kill",
        ),
    ]
    return network.add(*comps)
