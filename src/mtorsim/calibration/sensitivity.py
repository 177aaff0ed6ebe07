"""Residual Jacobian from the engine's forward sensitivities (``jacobian="sensitivities"``).

One batched sensitivity run (every condition a row) replaces the 1 + n_dynamic perturbed
simulations of finite differences. The map from the optimiser's θ to each condition's
model parameters and start state (scales, condition overrides, initial assignments) and
the read-out layer (observable and noise formulas) are cheap and stay generic: they are
differenced around a *linearised* simulation, sim(θ + h e_j) ≈ sim + h ∂sim/∂θ_j, so no
ODE is solved for them. Starts from a pre-equilibration carry the steady state's own
sensitivity (implicit function theorem). The columns of ∂sim/∂θ are the model-parameter
sensitivities times ∂p/∂θ plus, for a θ-dependent start, homogeneous columns (no forcing,
S(0) = ∂y(0)/∂θ_j).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mtorsim.calibration.problem import CalibrationProblem

__all__ = [
    "JACOBIANS",
    "SensitivityFallbackWarning",
    "jacobian_sensitivities",
    "resolve_jacobian",
]

#: names ``jacobian=`` (and ``mtorsim calibrate --jacobian``) accepts
JACOBIANS = ("finite-differences", "sensitivities")


class SensitivityFallbackWarning(UserWarning):
    """Said where a sensitivity run failed: the fit goes on with finite differences there,
    which are less exact, so a user who asked for sensitivities should know."""


def _fallback(obj, theta: np.ndarray, why: str) -> np.ndarray:
    import warnings

    warnings.warn(
        f"forward sensitivities failed ({why}); this Jacobian used finite differences",
        SensitivityFallbackWarning,
        stacklevel=3,
    )
    return obj.jacobian_fd(theta)


_H = 1e-6  # central steps on θ for the cheap maps (parameters, starts, read-outs)


def _condition_state(obj, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per condition: model parameters, pre-equilibration parameters (NaN rows without),
    start state with the species overrides (pre-equilibrated: the overrides only, NaN
    elsewhere) and the pre-equilibration's own start (NaN rows without)."""
    compiled = obj.compiled
    values = obj.problem.linear(theta)
    n = compiled.n_species
    ps, pres, y0s, starts = [], [], [], []
    for cond in obj.conditions:
        params, species = obj.problem.condition_values(cond, values)
        ps.append(compiled.parameter_vector(params))
        if cond in obj.preeq:
            pre, pre_species = obj.problem.condition_values(obj.preeq[cond], values)
            pres.append(compiled.parameter_vector(pre))
            starts.append(obj._y0(pre, pre_species))
            y = np.full(n, np.nan)
            for name, v in species.items():
                y[obj.columns[name]] = v
        else:
            pres.append(np.full(compiled.p0.size, np.nan))
            starts.append(np.full(n, np.nan))
            y = obj._y0(params, species)
        y0s.append(y)
    return np.array(ps), np.array(pres), np.array(y0s), np.array(starts)


def _forcing_columns(compiled, p: np.ndarray) -> np.ndarray:
    """Parameters whose ∂f/∂p column is non-zero at two random positive states (a zero
    there is, almost surely, a structural zero)."""
    from mtorsim.engine.sensitivity import parameter_jacobian

    rng = np.random.default_rng(0)
    out = np.zeros(compiled.p0.size, dtype=bool)
    for _ in range(2):
        y = rng.uniform(0.5, 2.0, compiled.n_species) * np.maximum(np.abs(compiled.y0), 1.0)
        q = np.where(p != 0, p, 1.0) * rng.uniform(0.5, 2.0, p.size)
        out |= np.any(parameter_jacobian(compiled, y, q) != 0, axis=0)
    return out


def jacobian_sensitivities(problem: CalibrationProblem, theta: np.ndarray) -> np.ndarray:
    """(n_residuals, n_free) Jacobian of ``problem.objective.residuals`` at ``theta``.

    Where a sensitivity run or a pre-equilibration fails it falls back to finite
    differences, with a :class:`SensitivityFallbackWarning`; where no free parameter
    enters a rate (read-out scales, noise only) differences are exact and cheaper.
    """
    from mtorsim.engine import steady_state_batch
    from mtorsim.engine.schedule import plan_segments
    from mtorsim.engine.sensitivity import run_sensitivity_kernel, steady_sensitivity_matrix

    obj = problem.objective
    compiled = obj.compiled
    theta = np.asarray(theta, dtype=float)
    nf, n = theta.size, compiled.n_species
    base_p, pres, base_y, starts = _condition_state(obj, theta)
    diffs = []
    for j in range(nf):
        up, dn = theta.copy(), theta.copy()
        up[j] += _H
        dn[j] -= _H
        a, b = _condition_state(obj, up), _condition_state(obj, dn)
        diffs.append([np.nan_to_num((u - d) / (2 * _H)) for u, d in zip(a, b, strict=True)])
    # (C, P, nf), (C, P, nf), (C, S, nf), (C, S, nf)
    dp, dpre, dy0, dstart = (np.stack([d[k] for d in diffs], axis=-1) for k in range(4))
    used = np.flatnonzero(np.any(dp != 0, axis=(0, 2)) | np.any(dpre != 0, axis=(0, 2)))
    if used.size == 0:
        return obj.jacobian_fd(theta)
    forced = _forcing_columns(compiled, base_p[0])
    # pre-equilibrated starts: y* and dy*/dθ (rows set by the condition keep their override)
    y0 = base_y.copy()
    pre_rows = [c for c in range(len(obj.conditions)) if np.isfinite(pres[c, 0])]
    if pre_rows:
        import pandas as pd

        from mtorsim.engine.sensitivity import parameter_jacobian

        frame = pd.DataFrame(pres[pre_rows], columns=list(compiled.parameters))
        ss, ok = steady_state_batch(compiled, frame, initial=starts[pre_rows])
        if not ok.all():
            return _fallback(obj, theta, "a pre-equilibration found no steady state")
        for k, c in enumerate(pre_rows):
            y_ss, fixed = ss[k, :n], np.isfinite(base_y[c])
            forcing = parameter_jacobian(compiled, y_ss, pres[c]) @ dpre[c]
            dtot = compiled.conservation @ dstart[c] if compiled.conservation.size else None
            s_ss = steady_sensitivity_matrix(compiled, y_ss, pres[c], used, forcing, dtot)
            y0[c] = np.where(fixed, base_y[c], y_ss)
            dy0[c] = np.where(fixed[:, None], dy0[c], s_ss)
    # columns: model parameters `used` that appear in a rate (forced, S(0) = 0; the others,
    # such as initial amounts, act through the start only), then homogeneous columns for
    # the θ_j that move a start (S(0) = ∂y(0)/∂θ_j, no forcing)
    used = used[forced[used]]
    m = used.size
    moving = np.flatnonzero(np.any(dy0 != 0, axis=(0, 1)))
    nh = moving.size
    sel = np.concatenate([used, np.zeros(nh, dtype=np.int64)])
    plan = plan_segments(
        obj.events, obj.t_end, compiled.parameter_index, compiled.species_index,
        compiled.p0.size, n,
    )  # fmt: skip
    b = len(obj.conditions)
    p_seg = np.where(plan.mask[None], plan.values[None], base_p[:, None, :])
    act = np.concatenate(
        [(~plan.mask[:, used]).astype(float), np.zeros((plan.mask.shape[0], nh))], axis=1
    )
    s0 = np.zeros((b, m + nh, n))
    s0[:, m:, :] = dy0[:, :, moving].transpose(0, 2, 1)
    _, sens, status, _ = run_sensitivity_kernel(
        compiled, y0, s0, p_seg, np.repeat(plan.seg_t[None], b, axis=0),
        np.repeat(plan.jumps[None], b, axis=0), np.repeat(act[None], b, axis=0), sel,
        obj.times, obj.rtol, obj.atol, 200_000,
    )  # fmt: skip
    if np.any(status != 0):
        return _fallback(obj, theta, "the solver stopped in a sensitivity run")
    # ∂sim/∂θ: (C, T, R, nf)
    dsim = np.einsum("ctrm,cmj->ctrj", sens[..., :m], dp[:, used, :])
    dsim[..., moving] += sens[..., m:]
    base = obj._base(theta)
    r0 = obj.residuals_from(theta, base)
    jac = np.empty((r0.size, nf))
    for j in range(nf):  # forward steps: the read-out layer is cheap but not free
        up = theta.copy()
        up[j] += _H
        jac[:, j] = (obj.residuals_from(up, base + _H * dsim[..., j]) - r0) / _H
    return jac


def resolve_jacobian(jacobian: Callable | str | None) -> Callable | None:
    """``"sensitivities"`` -> :func:`jacobian_sensitivities`, ``"finite-differences"`` (or
    None) -> None (the objective's batched differences); functions pass."""
    if isinstance(jacobian, str):
        key = jacobian.strip().lower()
        if key not in JACOBIANS:
            from mtorsim.errors import MtorsimError

            raise MtorsimError(
                f"jacobian {jacobian!r} is unknown; use one of {', '.join(JACOBIANS)}"
            )
        return jacobian_sensitivities if key == "sensitivities" else None
    return jacobian
