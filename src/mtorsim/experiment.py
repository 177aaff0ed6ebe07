"""Cell experiments on a network: equilibrate under a baseline, change conditions at t = 0.

This is the shape of most signalling experiments (starve, stimulate; or grow, treat), and
what ``mtorsim simulate`` and ``mtorsim steady-state`` run.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from mtorsim.conditions import Conditions
from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.schedule import validate_values
from mtorsim.engine.simulate import as_compiled, simulate
from mtorsim.engine.steady import SteadyState, steady_state
from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.network.default import default_network
from mtorsim.network.hooks import hook_parameter, inhibitable_nodes
from mtorsim.network.model import Network
from mtorsim.network.sbml_import import SBMLModel

__all__ = ["run_experiment", "run_steady_state", "sbml_parameters", "simulate_sbml"]


def run_experiment(
    conditions: Conditions | None = None,
    *,
    hours: float = 24.0,
    points: int = 97,
    baseline: Conditions | None = None,
    network: Network | CompiledNetwork | None = None,
) -> pd.DataFrame:
    """Time course after switching from ``baseline`` (steady state) to ``conditions``.

    Parameters
    ----------
    conditions : Conditions
        What holds from t = 0 (default: full medium, nothing inhibited).
    hours : float
        Duration in hours.
    points : int
        Number of output times.
    baseline : Conditions
        Conditions of the pre-equilibration (default: full medium).
    network : Network
        Default: :func:`mtorsim.default_network`.

    Returns
    -------
    pandas.DataFrame
        ``time_h`` then every species and observable.

    Examples
    --------
    >>> from mtorsim import Conditions
    >>> df = run_experiment(Conditions(inhibit={"mTORC1": 0.9}), hours=2, points=3)
    >>> bool(df["S6K1"].iloc[-1] < df["S6K1"].iloc[0])
    True
    """
    compiled = as_compiled(network or default_network())
    after = (conditions or Conditions()).to_parameters(compiled)
    before = (baseline or Conditions()).to_parameters(compiled)
    equilibrate = {**{k: compiled.p0[compiled.parameter_index(k)] for k in after}, **before}
    return simulate(compiled, hours, points=points, parameters=after, equilibrate=equilibrate)


def run_steady_state(
    conditions: Conditions | None = None, *, network: Network | CompiledNetwork | None = None
) -> SteadyState:
    """Steady state under ``conditions``."""
    compiled = as_compiled(network or default_network())
    return steady_state(compiled, (conditions or Conditions()).to_parameters(compiled))


def sbml_parameters(
    model: SBMLModel,
    compiled: CompiledNetwork,
    parameters: Mapping[str, float] | None = None,
    inhibit: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Run parameters for an imported model: values, and ``inhibit`` on any species
    (through its hook) or parameter (scaled by 1 - fraction)."""
    out = validate_values("parameter", dict(parameters or {}))
    for name, frac in (inhibit or {}).items():
        if not 0.0 <= frac <= 1.0:
            raise MtorsimError(f"inhibition of {name} is {frac}; give a fraction 0-1")
        hook = hook_parameter(name)
        if hook in compiled.parameters:
            out[hook] = frac
        elif name in compiled.parameters:
            base = out.get(name, compiled.p0[compiled.parameter_index(name)])
            out[name] = base * (1.0 - frac)
        else:
            raise UnknownNameError(
                "species or parameter",
                name,
                [*inhibitable_nodes(compiled.network), *model.network.parameter_names],
            )
    return out


def simulate_sbml(
    model: SBMLModel,
    until: float,
    *,
    points: int = 101,
    parameters: Mapping[str, float] | None = None,
    inhibit: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Simulate an imported SBML model from its initial state.

    Returns
    -------
    pandas.DataFrame
        ``time`` then one column per SBML species id (in the model's own units), then the
        other assignment-rule variables.
    """
    compiled = as_compiled(model.network)
    run = sbml_parameters(model, compiled, parameters, inhibit)
    df = simulate(compiled, until, points=points, parameters=run, events=model.events(run))
    cols = {"time": df["time"]}
    for sid in model.species_ids:
        if sid in df.columns:
            cols[sid] = df[sid]
        else:  # held constant (boundary species): its parameter value
            cols[sid] = run.get(sid, compiled.p0[compiled.parameter_index(sid)])
    for obs in compiled.observables:
        cols.setdefault(obs, df[obs])
    return pd.DataFrame(cols)
