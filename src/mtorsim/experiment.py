"""Cell experiments on a network: equilibrate under a baseline, change conditions at t = 0.

This is the shape of most signalling experiments (starve, stimulate; or grow, treat), and
what ``mtorsim simulate`` and ``mtorsim steady-state`` run.
"""

from __future__ import annotations

import pandas as pd

from mtorsim.conditions import Conditions
from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.simulate import as_compiled, simulate
from mtorsim.engine.steady import SteadyState, steady_state
from mtorsim.network.default import default_network
from mtorsim.network.model import Network

__all__ = ["run_experiment", "run_steady_state"]


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
