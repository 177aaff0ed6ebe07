"""Forward sensitivities ∂y/∂θ of time courses and steady states, for gradients.

Time courses integrate S = ∂y/∂θ with the state (RODAS4 on the augmented system, see
``_sens_template.py``): every extra parameter costs a few RHS-sized products and solves
per stage with the state's LU, no new factorisation. Observables follow by the chain rule,
∂obs/∂y · S + ∂obs/∂θ, with the symbolic derivatives printed like the Jacobian.

Events: amounts added by an event do not depend on θ, so S is continuous across them; a
parameter *set* by an event no longer depends on θ afterwards, so its forcing term
∂f/∂θ is switched off from that event on (S itself stays continuous: the state carries
what happened before). Steady states: dy*/dθ = −J⁻¹ ∂f/∂θ by the implicit function
theorem, with the conservation rows that Newton uses (the totals do not depend on θ).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.schedule import Event, check_time, plan_segments, validate_values
from mtorsim.engine.simulate import SolverStatus, as_compiled, output_times, parameter_matrix
from mtorsim.errors import MtorsimError, SolverError
from mtorsim.network.model import Network

__all__ = [
    "Sensitivities",
    "SteadySensitivities",
    "parameter_jacobian",
    "sensitivities",
    "sensitivities_batch",
    "steady_sensitivity_matrix",
    "steady_state_sensitivities",
    "steady_state_sensitivities_batch",
]


@dataclass(frozen=True)
class Sensitivities:
    """A time course with its forward sensitivities.

    Attributes
    ----------
    times : (T,) array
    values : (T, R) array of species then observables (``readouts``)
    sensitivities : (T, R, P) array, ∂ readout / ∂ parameter
    readouts, parameters : tuple of str
    steps : int
        Integration steps taken.
    """

    times: np.ndarray
    values: np.ndarray
    sensitivities: np.ndarray
    readouts: tuple[str, ...]
    parameters: tuple[str, ...]
    steps: int

    def of(self, readout: str, parameter: str) -> np.ndarray:
        """∂ readout / ∂ parameter over time."""
        return self.sensitivities[:, self.readouts.index(readout), self.parameters.index(parameter)]


@dataclass(frozen=True)
class SteadySensitivities:
    """A steady state (species then observables) and d(readout)/d(parameter) there."""

    values: pd.Series
    sensitivities: pd.DataFrame


def _selection(compiled: CompiledNetwork, parameters: Sequence[str] | None) -> np.ndarray:
    names = compiled.parameters if parameters is None else list(parameters)
    if len(names) == 0:
        raise MtorsimError("parameters is empty; name at least one parameter")
    return np.array([compiled.parameter_index(n) for n in names], dtype=np.int64)


def _point(compiled: CompiledNetwork, name: str, y: np.ndarray, p: np.ndarray, shape):
    module, md, _ = compiled.kernels.sensitivity()
    out = np.zeros(shape)
    getattr(module, name)(0.0, np.array(y, dtype=float), np.array(p, dtype=float), out, md)
    return out


def parameter_jacobian(compiled: CompiledNetwork, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """∂f/∂p (S × P) at (y, p), t = 0."""
    return _point(compiled, "_dfdp", y, p, (compiled.n_species, compiled.p0.size))


def steady_sensitivity_matrix(
    compiled: CompiledNetwork,
    y: np.ndarray,
    p: np.ndarray,
    sel: np.ndarray,
    forcing: np.ndarray | None = None,
    dtotals: np.ndarray | None = None,
) -> np.ndarray:
    """dy*/dθ at the steady state ``y`` of parameters ``p``: J S = −∂f/∂θ with each
    conservation law replacing its dependent row, where d(total)/dθ is 0 (or ``dtotals``,
    laws × k). Default θ = the parameters ``sel`` (S × m); ``forcing`` (S × k) gives
    ∂f/∂θ for any other θ instead."""
    a = compiled.jac(y, p)
    b = -(parameter_jacobian(compiled, y, p)[:, sel] if forcing is None else forcing)
    for c, r in enumerate(compiled.dependent_rows):
        a[r, :] = compiled.conservation[c]
        b[r, :] = 0.0 if dtotals is None else dtotals[c]
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise SolverError(
            "the Jacobian at the steady state is singular: the steady state is not isolated "
            "(a conservation law missing?) or not hyperbolic",
            3,
        ) from None


def _readout_sensitivity(
    compiled: CompiledNetwork, y: np.ndarray, p: np.ndarray, sel: np.ndarray, s: np.ndarray
) -> np.ndarray:
    """(S + O) × m: the species' S stacked on ∂obs/∂y · S + ∂obs/∂θ."""
    n_o, n_p = len(compiled.observables), compiled.p0.size
    oy = _point(compiled, "_obsy", y, p, (n_o, compiled.n_species))
    op = _point(compiled, "_obsp", y, p, (n_o, n_p))
    return np.vstack([s, oy @ s + op[:, sel]])


def steady_state_sensitivities(
    model: Network | CompiledNetwork,
    parameters: Sequence[str] | None = None,
    *,
    values: Mapping[str, float] | None = None,
    tol: float = 1e-12,
) -> SteadySensitivities:
    """Steady state under ``values`` and its sensitivities to ``parameters`` (default:
    all), by the implicit function theorem; readouts are species and observables."""
    from mtorsim.engine.steady import steady_state_vector

    compiled = as_compiled(model)
    sel = _selection(compiled, parameters)
    p = compiled.parameter_vector(validate_values("parameter", values or {}))
    y = steady_state_vector(compiled, p, tol=tol)
    s = _readout_sensitivity(compiled, y, p, sel, steady_sensitivity_matrix(compiled, y, p, sel))
    readouts = [*compiled.species, *compiled.observables]
    names = [compiled.parameters[i] for i in sel]
    state = pd.Series(np.concatenate([y, compiled.observe(y, p)]), index=readouts)
    return SteadySensitivities(state, pd.DataFrame(s, index=readouts, columns=names))


def steady_state_sensitivities_batch(
    model: Network | CompiledNetwork,
    parameter_sets: pd.DataFrame | Sequence[Mapping[str, float]],
    parameters: Sequence[str] | None = None,
    *,
    tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~mtorsim.engine.steady_state_batch` with each steady state's sensitivities
    to ``parameters`` (default: all), by the implicit function theorem.

    Returns values (B, S + O), sensitivities (B, S + O, m) and converged (B,): a set
    without a steady state, or with a singular Jacobian there, has NaN rows and False.
    """
    from mtorsim.engine.steady import steady_state_batch

    compiled = as_compiled(model)
    sel = _selection(compiled, parameters)
    p = parameter_matrix(compiled, parameter_sets)
    values, ok = steady_state_batch(
        compiled, pd.DataFrame(p, columns=list(compiled.parameters)), tol=tol
    )
    sens = np.full((len(p), values.shape[1], sel.size), np.nan)
    for b in np.flatnonzero(ok):
        y = values[b, : compiled.n_species]
        try:
            s = steady_sensitivity_matrix(compiled, y, p[b], sel)
        except SolverError:
            ok[b], values[b] = False, np.nan
            continue
        sens[b] = _readout_sensitivity(compiled, y, p[b], sel, s)
    return values, sens, ok


def run_sensitivity_kernel(
    compiled: CompiledNetwork,
    y0: np.ndarray,
    s0: np.ndarray,
    p_seg: np.ndarray,
    seg_t: np.ndarray,
    jumps: np.ndarray,
    act: np.ndarray,
    sel: np.ndarray,
    times: np.ndarray,
    rtol: float,
    atol: float,
    max_steps: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The batched kernel: values (B, T, R), sensitivities (B, T, R, m), status, steps.

    ``s0`` is (B, m, S): ∂y(0)/∂θ_j in row j.
    """
    module, md, pattern = compiled.kernels.sensitivity()
    b, n, m, n_o = y0.shape[0], compiled.n_species, sel.size, len(compiled.observables)
    t = times.size
    y_out = np.full((b, t, n), np.nan)
    obs_out = np.full((b, t, n_o), np.nan)
    s_out = np.full((b, t, m, n), np.nan)
    so_out = np.full((b, t, m, n_o), np.nan)
    status = np.zeros(b, dtype=np.int64)
    steps = np.zeros(b, dtype=np.int64)
    c = np.ascontiguousarray
    shared = (
        c(sel, dtype=np.int64),
        c(pattern[:, 0]),
        c(pattern[:, 1]),
        c(times, dtype=float),
        float(rtol),
        float(atol),
        int(max_steps),
    )
    rows = [c(a, dtype=float) for a in (y0, s0, p_seg, seg_t, jumps, act)]
    if b == 1:  # a parallel launch costs more than a small run
        status[0], steps[0] = module.sens_one(
            *(r[0] for r in rows), *shared, y_out[0], obs_out[0], s_out[0], so_out[0], md
        )
    else:
        module.sens_batch(*rows, *shared, y_out, obs_out, s_out, so_out, status, steps, md)
    values = np.concatenate([y_out, obs_out], axis=2)
    sens = np.concatenate([s_out, so_out], axis=3).transpose(0, 1, 3, 2)
    return values, sens, status, steps


def sensitivities_batch(
    model: Network | CompiledNetwork,
    t_end: float,
    parameter_sets: pd.DataFrame | Sequence[Mapping[str, float]],
    parameters: Sequence[str] | None = None,
    *,
    points: int | None = None,
    t_out: Sequence[float] | None = None,
    initial: np.ndarray | None = None,
    initial_sensitivity: np.ndarray | None = None,
    events: Sequence[Event] = (),
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 200_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~mtorsim.engine.simulate_batch` with sensitivities to ``parameters``.

    ``initial_sensitivity`` (B, S, m): ∂y(0)/∂θ (default 0). Events set parameters as in
    ``simulate_batch``. Returns times (T,), values (B, T, R), sensitivities
    (B, T, R, m) and status (B,) (failures reported, not raised).
    """
    times, values, sens, status, _ = _batch(
        model, t_end, parameter_sets, parameters, points, t_out, initial,
        initial_sensitivity, events, rtol, atol, max_steps,
    )  # fmt: skip
    return times, values, sens, status


def _batch(
    model: Network | CompiledNetwork,
    t_end: float,
    parameter_sets: pd.DataFrame | Sequence[Mapping[str, float]],
    parameters: Sequence[str] | None,
    points: int | None,
    t_out: Sequence[float] | None,
    initial: np.ndarray | None,
    initial_sensitivity: np.ndarray | None,
    events: Sequence[Event],
    rtol: float,
    atol: float,
    max_steps: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`sensitivities_batch`, with the steps of each row too."""
    compiled = as_compiled(model)
    t_end = check_time("duration (t_end)", t_end, positive=True)
    times = output_times(t_end, points, t_out)
    sel = _selection(compiled, parameters)
    p = parameter_matrix(compiled, parameter_sets)
    b = len(p)
    plan = plan_segments(
        events,
        t_end,
        compiled.parameter_index,
        compiled.species_index,
        compiled.p0.size,
        compiled.n_species,
    )
    p_seg = np.where(plan.mask[None], plan.values[None], p[:, None, :])
    act = np.repeat((~plan.mask[:, sel]).astype(float)[None], b, axis=0)
    y0 = (
        np.repeat(compiled.y0[None, :], b, axis=0)
        if initial is None
        else np.asarray(initial, dtype=float).reshape(b, -1)[:, : compiled.n_species]
    )
    s0 = (
        np.zeros((b, sel.size, compiled.n_species))
        if initial_sensitivity is None
        else np.asarray(initial_sensitivity, dtype=float)
        .reshape(b, compiled.n_species, sel.size)
        .transpose(0, 2, 1)
    )
    values, sens, status, steps = run_sensitivity_kernel(
        compiled,
        y0,
        s0,
        p_seg,
        np.repeat(plan.seg_t[None], b, axis=0),
        np.repeat(plan.jumps[None], b, axis=0),
        act,
        sel,
        times,
        rtol,
        atol,
        max_steps,
    )
    return times, values, sens, status, steps


def sensitivities(
    model: Network | CompiledNetwork,
    t_end: float,
    parameters: Sequence[str] | None = None,
    *,
    points: int | None = None,
    t_out: Sequence[float] | None = None,
    values: Mapping[str, float] | None = None,
    initial: Mapping[str, float] | np.ndarray | str | None = None,
    equilibrate: Mapping[str, float] | None = None,
    events: Sequence[Event] = (),
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 200_000,
) -> Sensitivities:
    """Time course from 0 to ``t_end`` with its sensitivities to ``parameters``.

    Arguments as for :func:`~mtorsim.engine.simulate` (``values`` are the parameter
    values, ``parameters`` the names to differentiate by; default all). A start from
    ``"steady_state"`` carries the steady state's own sensitivity (implicit function
    theorem), zero for parameters that ``equilibrate`` fixes; other starts are constants.
    Raises :class:`~mtorsim.errors.SolverError` if the integration fails.
    """
    from mtorsim.engine.simulate import _initial_state

    compiled = as_compiled(model)
    sel = _selection(compiled, parameters)
    vals = validate_values("parameter", values or {})
    p = compiled.parameter_vector(vals)
    s0 = np.zeros((compiled.n_species, sel.size))
    if (isinstance(initial, str) and initial == "steady_state") or (
        initial is None and equilibrate is not None
    ):
        eq = validate_values("parameter", equilibrate or {})
        p_eq = compiled.parameter_vector({**vals, **eq})
        y0 = _initial_state(compiled, p_eq, "steady_state")
        s0 = steady_sensitivity_matrix(compiled, y0, p_eq, sel)
        fixed = [j for j, i in enumerate(sel) if compiled.parameters[i] in eq]
        s0[:, fixed] = 0.0
    else:
        y0 = _initial_state(compiled, p, initial)
    frame = pd.DataFrame([p], columns=list(compiled.parameters))
    names = [compiled.parameters[i] for i in sel]
    times, v, s, status, steps = _batch(
        compiled, t_end, frame, names, points, t_out, y0[None], s0[None], events, rtol,
        atol, max_steps,
    )  # fmt: skip
    if status[0] != 0:
        st = SolverStatus(int(status[0]))
        raise SolverError(f"integration failed ({st.name}): {st.message}", int(status[0]))
    return Sensitivities(
        times,
        v[0],
        s[0],
        (*compiled.species, *compiled.observables),
        tuple(names),
        int(steps[0]),
    )
