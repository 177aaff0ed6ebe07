# ruff: noqa: F821
"""Numerical kernels, appended as text to each generated model module.

This file is never imported: :mod:`mtorsim.engine.codegen` writes a model's ``_rhs``,
``_jac`` and ``_obs`` functions to a module file and appends this text (a specialised
solver per network structure), and :mod:`mtorsim.engine.kernels` appends it to the model
interpreter (the generic solver, compiled once). Every function takes the model data ``md``
last: the interpreter's tape and LU plan, or a dummy that specialised modules ignore.

Solver: RODAS4 (Hairer & Wanner, Solving ODEs II, 2nd ed., Springer 1996, Sect. IV.7), a
stiffly accurate, L-stable Rosenbrock method of order 4 with an embedded order-3 error
estimate and an analytic Jacobian. Output between steps by cubic Hermite interpolation.
Steady states by damped Newton iteration with conservation laws as extra equations.
"""

import math

import numpy as np
from numba import njit, prange

_A21 = 1.544
_A31 = 0.9466785280815826
_A32 = 0.2557011698983284
_A41 = 3.314825187068521
_A42 = 2.896124015972201
_A43 = 0.9986419139977817
_A51 = 1.221224509226641
_A52 = 6.019134481288629
_A53 = 12.53708332932087
_A54 = -0.687886036105895
_C21 = -5.6688
_C31 = -2.430093356833875
_C32 = -0.2063599157091915
_C41 = -0.1073529058151375
_C42 = -9.594562251023355
_C43 = -20.47028614809616
_C51 = 7.496443313967647
_C52 = -10.24680431464352
_C53 = -33.99990352819905
_C54 = 11.70890893206160
_C61 = 8.083246795921522
_C62 = -7.981132988064893
_C63 = -31.52159432874371
_C64 = 16.31930543123136
_C65 = -6.058818238834054
_GAMMA = 0.25
# stage times c_i and the ∂f/∂t weights d_i (gamma_i), from Hairer's rodas.f (METH=1)
_CT2 = 0.386
_CT3 = 0.21
_CT4 = 0.63
_D1 = 0.25
_D2 = -0.1043
_D3 = 0.1035
_D4 = -0.03620000000000023

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_TOO_SMALL = 2
STATUS_SINGULAR = 3
STATUS_NOT_FINITE = 4


@njit(cache=True, error_model="numpy")
def _lu_factor(a, piv, cols):
    n = a.shape[0]
    for k in range(n):
        p = k
        big = abs(a[k, k])
        for i in range(k + 1, n):
            v = abs(a[i, k])
            if v > big:
                big = v
                p = i
        piv[k] = p
        if big == 0.0:
            return False
        if p != k:
            for j in range(n):
                tmp = a[k, j]
                a[k, j] = a[p, j]
                a[p, j] = tmp
        inv = 1.0 / a[k, k]
        # signalling Jacobians are sparse: update only the pivot row's non-zero columns
        nnz = 0
        for j in range(k + 1, n):
            if a[k, j] != 0.0:
                cols[nnz] = j
                nnz += 1
        for i in range(k + 1, n):
            m = a[i, k] * inv
            if m != 0.0:
                a[i, k] = m
                for jj in range(nnz):
                    j = cols[jj]
                    a[i, j] -= m * a[k, j]
            else:
                a[i, k] = 0.0
    return True


@njit(cache=True, error_model="numpy")
def _lu_solve(a, piv, b):
    n = a.shape[0]
    for k in range(n):
        p = piv[k]
        if p != k:
            tmp = b[k]
            b[k] = b[p]
            b[p] = tmp
    for i in range(1, n):
        s = b[i]
        for j in range(i):
            s -= a[i, j] * b[j]
        b[i] = s
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= a[i, j] * b[j]
        b[i] = s / a[i, i]


@njit(cache=True, error_model="numpy")
def _solve(a, piv, vals, b, sparse, md):
    """Solve with the sparse plan's gathered factors, or the dense pivoted ones."""
    if sparse:
        _solve_sparse(vals, b, md)
    else:
        _lu_solve(a, piv, b)


@njit(cache=True, error_model="numpy")
def _add_scaled(v, c, w):
    for i in range(v.shape[0]):
        v[i] += c * w[i]


@njit(cache=True, error_model="numpy")
def _err_norm(y, ynew, err, rtol, atol):
    n = y.shape[0]
    acc = 0.0
    for i in range(n):
        sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
        e = err[i] / sc
        acc += e * e
    return math.sqrt(acc / max(n, 1))


@njit(cache=True, error_model="numpy")
def _initial_step(y, f0, rtol, atol, span):
    """Hairer's first-step guess from the scaled sizes of y and f(y)."""
    n = y.size
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (f0[i] / sc) ** 2
    d0 = math.sqrt(d0 / max(n, 1))
    d1 = math.sqrt(d1 / max(n, 1))
    h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    # zero-valued species with tight atol can make the estimate absurdly small; a step that
    # is too large is simply rejected and shrunk
    return max(h, 1e-8 * span)


@njit(cache=True, error_model="numpy")
def _integrate_segment(
    t0,
    t1,
    include_end,
    y,
    p,
    rtol,
    atol,
    h,
    t_out,
    iout,
    y_out,
    obs_out,
    max_steps,
    work,
    jac_m,
    piv,
    cols,
    vals,
    scratch,
    steps,
    md,
):
    """Integrate from t0 to t1 in place, writing outputs in (t0, t1) and, if ``include_end``,
    at t1 too. Returns (status, h, iout).

    ``work``/``jac_m`` (n x n), ``piv``/``cols`` (dense LU), ``vals`` (sparse factors) and
    ``scratch`` (11 x n stage vectors) are the caller's buffers, reused across segments.
    Models whose rates use time add h d_i ∂f/∂t to each stage (skipped, and compiled
    away in specialised modules, for autonomous models).
    """
    n = y.shape[0]
    n_out = t_out.shape[0]
    f0 = scratch[0]
    f1 = scratch[1]
    ynew = scratch[2]
    k1 = scratch[3]
    k2 = scratch[4]
    k3 = scratch[5]
    k4 = scratch[6]
    k5 = scratch[7]
    k6 = scratch[8]
    tmp = scratch[9]
    fx = scratch[10]
    ut = _uses_time(md)
    t = t0
    _rhs(t, y, p, f0, md)
    if h <= 0.0:
        h = _initial_step(y, f0, rtol, atol, t1 - t0)
    span = t1 - t0
    h = min(h, span)
    have_jac = False
    rejected = False
    h_acc = 0.0
    err_acc = 1.0
    while t < t1:
        if steps[0] >= max_steps:
            return STATUS_MAX_STEPS, h, iout
        last = False
        if t + h >= t1 - 1e-12 * max(1.0, abs(t1)):
            h = t1 - t
            last = True
        if h < 1e-14 * max(1.0, abs(t)):
            return STATUS_STEP_TOO_SMALL, h, iout
        if not have_jac:  # a rejected step retries at the same (t, y): keep J
            _jac(t, y, p, jac_m, md)
            if ut:
                for i in range(n):
                    fx[i] = 0.0  # _dfdt writes only the entries that can be non-zero
                _dfdt(t, y, p, fx, md)
            have_jac = True
        inv_hg = 1.0 / (h * _GAMMA)
        sparse = _lu_sparse(jac_m, inv_hg, vals, work, md)
        if not sparse:
            for i in range(n):
                for j in range(n):
                    work[i, j] = -jac_m[i, j]
                work[i, i] += inv_hg
            if not _lu_factor(work, piv, cols):
                h *= 0.25
                steps[0] += 1
                continue
        inv_h = 1.0 / h
        # stage 1
        for i in range(n):
            k1[i] = f0[i]
        if ut:
            _add_scaled(k1, h * _D1, fx)
        _solve(work, piv, vals, k1, sparse, md)
        # stage 2
        for i in range(n):
            tmp[i] = y[i] + _A21 * k1[i]
        _rhs(t + _CT2 * h, tmp, p, k2, md)
        for i in range(n):
            k2[i] += _C21 * inv_h * k1[i]
        if ut:
            _add_scaled(k2, h * _D2, fx)
        _solve(work, piv, vals, k2, sparse, md)
        # stage 3
        for i in range(n):
            tmp[i] = y[i] + _A31 * k1[i] + _A32 * k2[i]
        _rhs(t + _CT3 * h, tmp, p, k3, md)
        for i in range(n):
            k3[i] += inv_h * (_C31 * k1[i] + _C32 * k2[i])
        if ut:
            _add_scaled(k3, h * _D3, fx)
        _solve(work, piv, vals, k3, sparse, md)
        # stage 4
        for i in range(n):
            tmp[i] = y[i] + _A41 * k1[i] + _A42 * k2[i] + _A43 * k3[i]
        _rhs(t + _CT4 * h, tmp, p, k4, md)
        for i in range(n):
            k4[i] += inv_h * (_C41 * k1[i] + _C42 * k2[i] + _C43 * k3[i])
        if ut:
            _add_scaled(k4, h * _D4, fx)
        _solve(work, piv, vals, k4, sparse, md)
        # stage 5
        for i in range(n):
            tmp[i] = y[i] + _A51 * k1[i] + _A52 * k2[i] + _A53 * k3[i] + _A54 * k4[i]
        _rhs(t + h, tmp, p, k5, md)
        for i in range(n):
            k5[i] += inv_h * (_C51 * k1[i] + _C52 * k2[i] + _C53 * k3[i] + _C54 * k4[i])
        _solve(work, piv, vals, k5, sparse, md)
        # stage 6 (embedded solution + k5, error = k6)
        for i in range(n):
            tmp[i] += k5[i]
        _rhs(t + h, tmp, p, k6, md)
        for i in range(n):
            k6[i] += inv_h * (
                _C61 * k1[i] + _C62 * k2[i] + _C63 * k3[i] + _C64 * k4[i] + _C65 * k5[i]
            )
        _solve(work, piv, vals, k6, sparse, md)
        finite = True
        for i in range(n):
            ynew[i] = tmp[i] + k6[i]
            if not math.isfinite(ynew[i]):
                finite = False
        steps[0] += 1
        err = _err_norm(y, ynew, k6, rtol, atol) if finite else 1e10
        if err <= 1.0:
            t_new = t1 if last else t + h
            _rhs(t_new, ynew, p, f1, md)
            while iout < n_out and t_out[iout] <= t_new + 1e-12 * max(1.0, abs(t_new)):
                if last and not include_end and t_out[iout] >= t1 - 1e-12 * max(1.0, abs(t1)):
                    break
                if t_out[iout] > t - 1e-12 * max(1.0, abs(t)):
                    theta = (t_out[iout] - t) / h
                    theta = min(max(theta, 0.0), 1.0)
                    h00 = (1.0 + 2.0 * theta) * (1.0 - theta) ** 2
                    h10 = theta * (1.0 - theta) ** 2
                    h01 = theta * theta * (3.0 - 2.0 * theta)
                    h11 = theta * theta * (theta - 1.0)
                    for i in range(n):
                        y_out[iout, i] = (
                            h00 * y[i] + h10 * h * f0[i] + h01 * ynew[i] + h11 * h * f1[i]
                        )
                    _obs(t_out[iout], y_out[iout], p, obs_out[iout], md)
                iout += 1
            t = t_new
            have_jac = False
            for i in range(n):
                y[i] = ynew[i]
                f0[i] = f1[i]
            err = max(err, 1e-10)
            fac = 0.9 * err**-0.25
            if h_acc > 0.0:  # Gustafsson's predictive controller, as in Hairer's RODAS
                fac = min(fac, 0.9 * (h / h_acc) * (err_acc / (err * err)) ** 0.25)
            fac = min(5.0, max(0.2, fac))
            if rejected:  # no growth straight after a rejection
                fac = min(fac, 1.0)
            h_acc = h
            err_acc = max(err, 1e-2)
            rejected = False
            if not last:
                h *= fac
            else:
                h = max(h * fac, h)
        else:
            rejected = True
            fac = 0.9 * (err**-0.25) if finite else 0.1
            h *= min(0.5, max(0.1, fac))
    return STATUS_OK, h, iout


@njit(cache=True, error_model="numpy")
def simulate_one(y0, p_seg, seg_t, seg_jump, t_out, rtol, atol, max_steps, y_out, obs_out, md):
    """Integrate over piecewise-constant parameter segments with additive state jumps.

    Segment k runs from ``seg_t[k]`` to ``seg_t[k+1]`` with parameters ``p_seg[k]``; before
    it starts, ``seg_jump[k]`` is added to the state (a bolus dose, say). Outputs at the
    start time of a segment report the state after its jump. Returns (status, steps).
    """
    n = y0.shape[0]
    n_out = t_out.shape[0]
    y = y0.copy()
    work = np.empty((n, n))
    jac_m = np.zeros((n, n))
    piv = np.empty(n, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    vals = np.empty(_sp_nvals(md))
    scratch = np.empty((11, n))
    steps = np.zeros(1, dtype=np.int64)
    iout = 0
    h = 0.0
    n_seg = p_seg.shape[0]
    for k in range(n_seg):
        for i in range(n):
            y[i] += seg_jump[k, i]
        t0 = seg_t[k]
        t1 = seg_t[k + 1]
        while (
            iout < n_out
            and t_out[iout] <= t0 + 1e-12 * max(1.0, abs(t0))
            and (t1 > t0 or k == n_seg - 1)
        ):
            for i in range(n):
                y_out[iout, i] = y[i]
            _obs(t_out[iout], y_out[iout], p_seg[k], obs_out[iout], md)
            iout += 1
        if t1 <= t0:
            continue
        status, h, iout = _integrate_segment(
            t0,
            t1,
            k == n_seg - 1,
            y,
            p_seg[k],
            rtol,
            atol,
            0.0 if k == 0 else min(h, t1 - t0),
            t_out,
            iout,
            y_out,
            obs_out,
            max_steps,
            work,
            jac_m,
            piv,
            cols,
            vals,
            scratch,
            steps,
            md,
        )
        if status != STATUS_OK:
            return status, steps[0]
    return STATUS_OK, steps[0]


@njit(cache=True, error_model="numpy", parallel=True)
def simulate_batch(
    y0, p_seg, seg_t, seg_jump, t_out, rtol, atol, max_steps, y_out, obs_out, status, steps, md
):
    """``simulate_one`` for each of B rows, in parallel (adaptive steps per row)."""
    for b in prange(y0.shape[0]):
        st, ns = simulate_one(
            y0[b],
            p_seg[b],
            seg_t[b],
            seg_jump[b],
            t_out,
            rtol,
            atol,
            max_steps,
            y_out[b],
            obs_out[b],
            md,
        )
        status[b] = st
        steps[b] = ns


@njit(cache=True, error_model="numpy")
def _augmented_residual(y, p, cons, dep_rows, totals, out, md):
    """dy/dt with the rows ``dep_rows`` replaced by the conservation laws cons @ y - totals."""
    _rhs(0.0, y, p, out, md)
    for c in range(cons.shape[0]):
        s = -totals[c]
        for j in range(y.shape[0]):
            s += cons[c, j] * y[j]
        out[dep_rows[c]] = s


@njit(cache=True, error_model="numpy")
def newton_steady(y, p, cons, dep_rows, totals, tol, max_iter, md):
    """Damped Newton on f(y) = 0, with rows ``dep_rows`` replaced by cons @ y = totals.

    ``y`` is updated in place. Returns (status, iterations, residual max-norm).
    """
    n = y.shape[0]
    nc = cons.shape[0]
    f = np.empty(n)
    g = np.empty(n)
    jm = np.zeros((n, n))
    work = np.empty((n, n))
    piv = np.empty(n, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    ytry = np.empty(n)
    ftry = np.empty(n)
    _augmented_residual(y, p, cons, dep_rows, totals, f, md)
    res = 0.0
    for i in range(n):
        res = max(res, abs(f[i]))
    for it in range(max_iter):
        if res < tol:
            return STATUS_OK, it, res
        _jac(0.0, y, p, jm, md)
        for i in range(n):
            for j in range(n):
                work[i, j] = jm[i, j]
        for c in range(nc):
            for j in range(n):
                work[dep_rows[c], j] = cons[c, j]
        if not _lu_factor(work, piv, cols):
            return STATUS_SINGULAR, it, res
        for i in range(n):
            g[i] = -f[i]
        _lu_solve(work, piv, g)
        lam = 1.0
        accepted = False
        while lam > 1e-4:
            for i in range(n):
                ytry[i] = y[i] + lam * g[i]
            _augmented_residual(ytry, p, cons, dep_rows, totals, ftry, md)
            rtry = 0.0
            ok = True
            for i in range(n):
                if not math.isfinite(ftry[i]):
                    ok = False
                rtry = max(rtry, abs(ftry[i]))
            if ok and rtry < (1.0 - 1e-4 * lam) * res:
                accepted = True
                break
            lam *= 0.5
        if not accepted:
            return STATUS_STEP_TOO_SMALL, it, res
        for i in range(n):
            y[i] = ytry[i]
            f[i] = ftry[i]
        res = rtry
    return (STATUS_OK if res < tol else STATUS_MAX_STEPS), max_iter, res


@njit(cache=True, error_model="numpy", parallel=True)
def newton_steady_batch(y, p, cons, dep_rows, totals, tol, max_iter, status, residual, md):
    for b in prange(y.shape[0]):
        st, _, res = newton_steady(y[b], p[b], cons, dep_rows, totals[b], tol, max_iter, md)
        status[b] = st
        residual[b] = res
