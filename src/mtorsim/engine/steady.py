"""Steady states: Newton first, time integration as the fallback, failure reported.

Newton's method is fast but can wander to a negative or unstable root from a poor start;
integrating the ODE always heads for a stable state but may take long. So: Newton from the
start point; if that fails or leaves the non-negative orthant, integrate in growing windows
until the right-hand side is small, then polish with Newton.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.kernels import NEWTON_STEP_EQUIVALENT
from mtorsim.engine.schedule import validate_values
from mtorsim.engine.simulate import as_compiled, simulate_batch
from mtorsim.errors import MtorsimError, SteadyStateError
from mtorsim.network.model import Network

__all__ = ["SteadyState", "steady_state", "steady_state_batch", "steady_state_vector"]


@dataclass(frozen=True)
class SteadyState:
    """A steady state with how it was found.

    Attributes
    ----------
    values : pandas.Series
        Species then observables.
    method : str
        ``"newton"`` or ``"integration+newton"``.
    residual : float
        Max-norm of dy/dt at the returned state.
    """

    values: pd.Series
    method: str
    residual: float


def _newton(
    compiled: CompiledNetwork, y: np.ndarray, p: np.ndarray, tol: float, max_iter: int = 50
) -> tuple[bool, np.ndarray, float]:
    y = y.copy()
    totals = compiled.conservation @ y if compiled.conservation.size else np.zeros(0)
    cons = (
        compiled.conservation if compiled.conservation.size else np.zeros((0, compiled.n_species))
    )
    module, md = compiled.kernel("newton_steady")
    status, _, res = module.newton_steady(
        y, p, cons, compiled.dependent_rows, totals, tol, max_iter, md
    )
    scale = max(1.0, float(np.max(np.abs(y))))
    ok = status == 0 and bool(np.all(np.isfinite(y))) and bool(np.all(y >= -1e-9 * scale))
    return ok, y, float(res)


def _find(
    compiled: CompiledNetwork, p: np.ndarray, y0: np.ndarray, tol: float, max_time: float
) -> tuple[np.ndarray, str, float]:
    ok, y, res = _newton(compiled, y0, p, tol)
    if ok:
        return y, "newton", res
    y = y0.copy()
    window = 10.0
    elapsed = 0.0
    n = compiled.n_species
    while elapsed < max_time:
        t_out = np.array([window])
        y_out = np.empty((1, n))
        obs_out = np.empty((1, len(compiled.observables)))
        module, md = compiled.kernel("simulate_one")
        status, steps = module.simulate_one(
            y,
            p[None, :],
            np.array([0.0, window]),
            np.zeros((1, n)),
            t_out,
            1e-8,
            1e-12,
            500_000,
            y_out,
            obs_out,
            md,
        )
        compiled.kernels.note_steps(module, steps)
        if status != 0:
            break
        y = y_out[0]
        elapsed += window
        ok, y_newton, res = _newton(compiled, y, p, tol)
        if ok:
            return y_newton, "integration+newton", res
        window *= 2.0
    res = float(np.max(np.abs(compiled.rhs(y, p))))
    raise SteadyStateError(
        f"no steady state found for model {compiled.network.name!r}: |dy/dt| = {res:.3g} "
        f"after {elapsed:g} time units of integration; the system may oscillate or grow "
        "without bound (check inputs), or raise max_time"
    )


def steady_state_vector(
    compiled: CompiledNetwork,
    p: np.ndarray,
    *,
    tol: float = 1e-10,
    max_time: float = 1e5,
    y0: np.ndarray | None = None,
) -> np.ndarray:
    y, _, _ = _find(compiled, p, compiled.y0 if y0 is None else y0, tol, max_time)
    return y


def steady_state(
    model: Network | CompiledNetwork,
    parameters: Mapping[str, float] | None = None,
    *,
    tol: float = 1e-10,
    max_time: float = 1e5,
) -> SteadyState:
    """Steady state of ``model`` under ``parameters`` (raises :class:`SteadyStateError`).

    Examples
    --------
    >>> from mtorsim.engine import steady_state
    >>> from mtorsim.network import default_network
    >>> ss = steady_state(default_network(), {"GF": 0.0})
    >>> bool(ss.values["S6K1"] < 0.5)
    True
    """
    compiled = as_compiled(model)
    p = compiled.parameter_vector(validate_values("parameter", parameters or {}))
    y, method, res = _find(compiled, p, compiled.y0, tol, max_time)
    obs = compiled.observe(y, p)
    values = pd.Series(np.concatenate([y, obs]), index=[*compiled.species, *compiled.observables])
    return SteadyState(values=values, method=method, residual=res)


def steady_state_batch(
    model: Network | CompiledNetwork,
    parameter_sets: pd.DataFrame,
    *,
    tol: float = 1e-10,
    max_time: float = 1e5,
    initial: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Steady states for B parameter sets: parallel Newton, integration fallback per failure.

    ``initial`` (B, S) starts Newton from known states (e.g. the untreated steady state
    when solving the treated one) and sets the conserved totals; default: the model's y0.

    Returns
    -------
    values : (B, S + O) array (NaN rows where no steady state was found)
    converged : (B,) bool array
    """
    compiled = as_compiled(model)
    b = len(parameter_sets)
    idx = [compiled.parameter_index(c) for c in parameter_sets.columns]
    p = np.repeat(compiled.p0[None, :], b, axis=0)
    p[:, idx] = parameter_sets.to_numpy(dtype=float)
    if initial is None:
        y = np.repeat(compiled.y0[None, :], b, axis=0)
    else:
        y = np.array(initial, dtype=float)[:, : compiled.n_species].copy()
        if y.shape != (b, compiled.n_species):
            raise MtorsimError(f"initial has shape {y.shape}; need ({b}, {compiled.n_species})")
    start = y.copy()
    cons = (
        compiled.conservation if compiled.conservation.size else np.zeros((0, compiled.n_species))
    )
    totals = y @ cons.T if cons.size else np.zeros((b, 0))
    status = np.zeros(b, dtype=np.int64)
    residual = np.zeros(b)
    module, md = compiled.kernel("newton_steady_batch", b)
    module.newton_steady_batch(
        y, p, cons, compiled.dependent_rows, totals, tol, 50, status, residual, md
    )
    compiled.kernels.note_steps(module, NEWTON_STEP_EQUIVALENT * b)
    ok = (status == 0) & np.all(np.isfinite(y), axis=1) & np.all(y >= -1e-9, axis=1)
    # failures: integrate them together (parallel) for growing windows, then Newton again
    window = 10.0
    while (~ok).any() and window <= min(max_time, 1e4):
        bad = np.flatnonzero(~ok)
        frame = pd.DataFrame(p[bad], columns=list(compiled.parameters))
        _, values, sim_status = simulate_batch(
            compiled, window, frame, t_out=[window], initial=start[bad]
        )
        y_try = values[:, -1, : compiled.n_species].copy()
        st = np.zeros(bad.size, dtype=np.int64)
        res = np.zeros(bad.size)
        module, md = compiled.kernel("newton_steady_batch", bad.size)
        module.newton_steady_batch(
            y_try, p[bad], cons, compiled.dependent_rows, totals[bad], tol, 50, st, res, md
        )
        good = (
            (sim_status == 0)
            & (st == 0)
            & np.all(np.isfinite(y_try), axis=1)
            & np.all(y_try >= -1e-9, axis=1)
        )
        y[bad[good]] = y_try[good]
        ok[bad[good]] = True
        window *= 10.0
    for i in np.flatnonzero(~ok):
        try:
            y[i], _, _ = _find(compiled, p[i], start[i], tol, max_time)
            ok[i] = True
        except SteadyStateError:
            y[i] = np.nan
    obs = np.array(
        [
            compiled.observe(y[i], p[i]) if ok[i] else np.full(len(compiled.observables), np.nan)
            for i in range(b)
        ]
    )
    return np.hstack([y, obs.reshape(b, -1)]), ok
