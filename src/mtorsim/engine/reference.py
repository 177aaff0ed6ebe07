"""The slow reference path: scipy ``solve_ivp`` (BDF) on sympy-lambdified functions.

It shares only the symbolic equations with the fast path (no generated code, no numba, no
Rosenbrock kernel), so agreement between the two checks the code generation and the solver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork, symbolic_system
from mtorsim.engine.schedule import Event, build_segments
from mtorsim.engine.simulate import as_compiled, output_times, time_column
from mtorsim.errors import SolverError
from mtorsim.network.model import Network

__all__ = ["simulate_reference"]


def _lambdified(compiled: CompiledNetwork):
    import sympy as sp  # imported here: ``import mtorsim.engine`` stays free of sympy

    ys, ps, dydt, obs = symbolic_system(compiled.network)
    t = sp.Symbol("time", real=True)
    f = sp.lambdify((t, ys, ps), dydt, modules="numpy")
    j = sp.lambdify((t, ys, ps), sp.Matrix(dydt).jacobian(sp.Matrix(ys)), modules="numpy")
    o = sp.lambdify((t, ys, ps), obs, modules="numpy")
    return f, j, o


def simulate_reference(
    model: Network | CompiledNetwork,
    t_end: float,
    *,
    points: int | None = None,
    t_out: Sequence[float] | None = None,
    parameters: Mapping[str, float] | None = None,
    initial: np.ndarray | None = None,
    events: Sequence[Event] = (),
    rtol: float = 1e-8,
    atol: float = 1e-11,
) -> pd.DataFrame:
    """Same contract as :func:`mtorsim.engine.simulate`, solved with scipy's BDF."""
    from scipy.integrate import solve_ivp

    compiled = as_compiled(model)
    f, j, o = _lambdified(compiled)
    times = output_times(t_end, points, t_out)
    p = compiled.parameter_vector(parameters or {})
    y = compiled.y0.copy() if initial is None else np.asarray(initial, float).copy()
    seg_t, p_seg, jumps = build_segments(
        p, events, t_end, compiled.parameter_index, compiled.species_index, compiled.n_species
    )
    rows = np.full((times.size, compiled.n_species + len(compiled.observables)), np.nan)
    for k in range(p_seg.shape[0]):
        y = y + jumps[k]
        pk = p_seg[k]
        t0, t1 = seg_t[k], seg_t[k + 1]
        last = k == p_seg.shape[0] - 1
        mask = (times >= t0) & ((times < t1) | (last & (times <= t1)))
        if t1 <= t0:
            continue
        sol = solve_ivp(
            lambda t, yy, pk=pk: np.asarray(f(t, yy, pk), float),
            (t0, t1),
            y,
            method="BDF",
            jac=lambda t, yy, pk=pk: np.asarray(j(t, yy, pk), float),
            rtol=rtol,
            atol=atol,
            dense_output=True,
        )
        if not sol.success:
            raise SolverError(f"reference solver failed: {sol.message}")
        for i in np.flatnonzero(mask):
            yi = sol.sol(times[i])
            rows[i] = np.concatenate([yi, np.asarray(o(times[i], yi, pk), float).ravel()])
        y = sol.y[:, -1]
    return pd.DataFrame(
        np.hstack([times[:, None], rows]),
        columns=[time_column(compiled), *compiled.species, *compiled.observables],
    )
