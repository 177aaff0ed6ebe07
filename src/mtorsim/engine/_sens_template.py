# ruff: noqa: F821
"""Forward sensitivities, appended after ``_kernel_template.py`` (never imported itself).

The generic module always carries this text; a structure's *sensitivity* module (printed
on first use, with ``_dfdp``, ``_obsy`` and ``_obsp`` beside ``_rhs`` and ``_jac``) too.

Method: RODAS4 on the augmented system z = (y, S_1..S_m), S_j = ∂y/∂θ_j, whose equations
are S_j' = g_j = J(t, y) S_j + a_j ∂f/∂p_j (a_j = 0 in segments where an event has fixed
p_j). The augmented Jacobian is block lower triangular, [[J, 0], [M, J]] with
M = ∂g/∂y, so every stage reuses the state's LU of (I/(hγ) − J) for each S_j and only
needs the action M u_i (plus h d_i ∂g/∂t) on the state's stage vector u_i: one directional
finite difference of g per stage, shared by all parameters (its O(√eps) error perturbs
only the iteration matrix, which leaves the solution's accuracy to the error control).
The error control covers y and S; S_j's absolute tolerance is the state's, atol + rtol |y|,
over |p_j| (as CVODES scales by p̄): a sensitivity needs the accuracy that a relative change
of p_j can show in the state, not an absolute 1e-14 on values that stay near 0.
"""

_RA = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [_A21, 0.0, 0.0, 0.0, 0.0],
        [_A31, _A32, 0.0, 0.0, 0.0],
        [_A41, _A42, _A43, 0.0, 0.0],
        [_A51, _A52, _A53, _A54, 0.0],
        [_A51, _A52, _A53, _A54, 1.0],
    ]
)
_RC = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [_C21, 0.0, 0.0, 0.0, 0.0],
        [_C31, _C32, 0.0, 0.0, 0.0],
        [_C41, _C42, _C43, 0.0, 0.0],
        [_C51, _C52, _C53, _C54, 0.0],
        [_C61, _C62, _C63, _C64, _C65],
    ]
)
_RT = np.array([0.0, _CT2, _CT3, _CT4, 1.0, 1.0])
_RD = np.array([_D1, _D2, _D3, _D4, 0.0, 0.0])


@njit(cache=True, error_model="numpy")
def _sens_rhs(t, y, p, s, sel, act, jm, dp, jr, jc, out, md):
    """out[j] = J(t, y) s[j] + act[j] ∂f/∂p_sel[j]; ``jr``/``jc`` is J's sparsity pattern."""
    _jac(t, y, p, jm, md)
    _dfdp(t, y, p, dp, md)
    n = y.shape[0]
    m = s.shape[0]
    for j in range(m):
        c = sel[j]
        a = act[j]
        for i in range(n):
            out[j, i] = a * dp[i, c]
    for e in range(jr.shape[0]):  # each Jacobian entry read once, applied to every column
        r = jr[e]
        k = jc[e]
        v = jm[r, k]
        for j in range(m):
            out[j, r] += v * s[j, k]


@njit(cache=True, error_model="numpy")
def _sens_obs(t, y, p, s, sel, act, oy, op, out_o, out_so, md):
    """Observables and their sensitivities ∂obs/∂y · S + act ∂obs/∂p at one output time."""
    _obs(t, y, p, out_o, md)
    _obsy(t, y, p, oy, md)
    _obsp(t, y, p, op, md)
    n = y.shape[0]
    for j in range(s.shape[0]):
        for o in range(oy.shape[0]):
            acc = act[j] * op[o, sel[j]]
            for i in range(n):
                acc += oy[o, i] * s[j, i]
            out_so[j, o] = acc


@njit(cache=True, error_model="numpy")
def _sens_segment(
    t0, t1, include_end, y, s, p, sel, act, jr, jc, rtol, atol, h, t_out, iout, outs, bufs, md
):
    """One segment of the augmented integration; returns (status, h, iout).

    ``outs`` = (y_out, obs_out, s_out, so_out); ``bufs`` = the caller's work arrays.
    """
    y_out, obs_out, s_out, so_out = outs
    work, jac_m, piv, cols, vals, ky, ks, jm, dp, oy, op, fs0, fs1, gs, steps, max_steps = bufs
    n = y.shape[0]
    m = s.shape[0]
    n_out = t_out.shape[0]
    f0 = ky[6]
    f1 = ky[7]
    yt = ky[8]
    fx = ky[9]
    yp = ky[10]
    ynew = ky[11]
    st = ks[6]
    snew = ks[7]
    ut = _uses_time(md)
    inv_pb = np.empty(m)  # 1/|p_j| (1 where p_j = 0): S_j's error is weighed as p_j S_j
    for j in range(m):
        pj = abs(p[sel[j]])
        inv_pb[j] = 1.0 / pj if pj > 0.0 else 1.0
    t = t0
    _rhs(t, y, p, f0, md)
    _sens_rhs(t, y, p, s, sel, act, jm, dp, jr, jc, fs0, md)
    if h <= 0.0:
        h = _initial_step(y, f0, rtol, atol, t1 - t0)
    h = min(h, t1 - t0)
    have_jac = False
    rejected = False
    h_acc = 0.0
    err_acc = 1.0
    ynorm = 0.0
    while t < t1:
        if steps[0] >= max_steps:
            return STATUS_MAX_STEPS, h, iout
        last = False
        if t + h >= t1 - 1e-12 * max(1.0, abs(t1)):
            h = t1 - t
            last = True
        if h < 1e-14 * max(1.0, abs(t)):
            return STATUS_STEP_TOO_SMALL, h, iout
        if not have_jac:
            _jac(t, y, p, jac_m, md)
            for i in range(n):
                fx[i] = 0.0
            if ut:
                _dfdt(t, y, p, fx, md)
            have_jac = True
            ynorm = 0.0
            for i in range(n):
                ynorm = max(ynorm, abs(y[i]))
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
        for r in range(6):
            tr = t + _RT[r] * h
            if r == 0:  # the stage point is (t, y, S): f and g are known
                for i in range(n):
                    yt[i] = y[i]
                    ky[0, i] = f0[i]
                for j in range(m):
                    for i in range(n):
                        st[j, i] = s[j, i]
                        ks[0, j, i] = fs0[j, i]
            else:
                for i in range(n):
                    yt[i] = y[i]
                for j in range(m):
                    for i in range(n):
                        st[j, i] = s[j, i]
                for q in range(r):
                    a = _RA[r, q]
                    if a != 0.0:
                        for i in range(n):
                            yt[i] += a * ky[q, i]
                        for j in range(m):
                            for i in range(n):
                                st[j, i] += a * ks[q, j, i]
                _rhs(tr, yt, p, ky[r], md)
                _sens_rhs(tr, yt, p, st, sel, act, jm, dp, jr, jc, ks[r], md)
            for q in range(r):
                c = inv_h * _RC[r, q]
                for i in range(n):
                    ky[r, i] += c * ky[q, i]
                for j in range(m):
                    for i in range(n):
                        ks[r, j, i] += c * ks[q, j, i]
            hd = h * _RD[r]
            if ut and hd != 0.0:
                for i in range(n):
                    ky[r, i] += hd * fx[i]
            _solve(work, piv, vals, ky[r], sparse, md)
            # M u_r + h d_r ∂g/∂t by a directional difference of g at (t, y, S)
            un = 0.0
            for i in range(n):
                un = max(un, abs(ky[r, i]))
            dt = hd if ut else 0.0
            if un > 0.0 or dt != 0.0:
                eps = 1.5e-8 * (1.0 + ynorm) / max(un, abs(dt), 1e-300)
                inv_eps = 1.0 / eps
                for i in range(n):
                    yp[i] = y[i] + eps * ky[r, i]
                _sens_rhs(t + eps * dt, yp, p, s, sel, act, jm, dp, jr, jc, gs, md)
                for j in range(m):
                    for i in range(n):
                        ks[r, j, i] += (gs[j, i] - fs0[j, i]) * inv_eps
            for j in range(m):
                _solve(work, piv, vals, ks[r, j], sparse, md)
        finite = True
        acc = 0.0
        for i in range(n):
            ynew[i] = yt[i] + ky[5, i]
            if not math.isfinite(ynew[i]):
                finite = False
            e = ky[5, i] / (atol + rtol * max(abs(y[i]), abs(ynew[i])))
            acc += e * e
        for j in range(m):
            for i in range(n):
                snew[j, i] = st[j, i] + ks[5, j, i]
                if not math.isfinite(snew[j, i]):
                    finite = False
                sc = (atol + rtol * max(abs(y[i]), abs(ynew[i]))) * inv_pb[j]
                e = ks[5, j, i] / (sc + rtol * max(abs(s[j, i]), abs(snew[j, i])))
                acc += e * e
        steps[0] += 1
        err = math.sqrt(acc / max(n * (m + 1), 1)) if finite else 1e10
        if err <= 1.0:
            t_new = t1 if last else t + h
            _rhs(t_new, ynew, p, f1, md)
            _sens_rhs(t_new, ynew, p, snew, sel, act, jm, dp, jr, jc, fs1, md)
            while iout < n_out and t_out[iout] <= t_new + 1e-12 * max(1.0, abs(t_new)):
                if last and not include_end and t_out[iout] >= t1 - 1e-12 * max(1.0, abs(t1)):
                    break
                if t_out[iout] > t - 1e-12 * max(1.0, abs(t)):
                    th = min(max((t_out[iout] - t) / h, 0.0), 1.0)
                    h00 = (1.0 + 2.0 * th) * (1.0 - th) ** 2
                    h10 = th * (1.0 - th) ** 2
                    h01 = th * th * (3.0 - 2.0 * th)
                    h11 = th * th * (th - 1.0)
                    for i in range(n):
                        y_out[iout, i] = (
                            h00 * y[i] + h10 * h * f0[i] + h01 * ynew[i] + h11 * h * f1[i]
                        )
                    for j in range(m):
                        for i in range(n):
                            s_out[iout, j, i] = (
                                h00 * s[j, i]
                                + h10 * h * fs0[j, i]
                                + h01 * snew[j, i]
                                + h11 * h * fs1[j, i]
                            )
                    _sens_obs(
                        t_out[iout],
                        y_out[iout],
                        p,
                        s_out[iout],
                        sel,
                        act,
                        oy,
                        op,
                        obs_out[iout],
                        so_out[iout],
                        md,
                    )
                iout += 1
            t = t_new
            have_jac = False
            for i in range(n):
                y[i] = ynew[i]
                f0[i] = f1[i]
            for j in range(m):
                for i in range(n):
                    s[j, i] = snew[j, i]
                    fs0[j, i] = fs1[j, i]
            err = max(err, 1e-10)
            fac = 0.9 * err**-0.25
            if h_acc > 0.0:
                fac = min(fac, 0.9 * (h / h_acc) * (err_acc / (err * err)) ** 0.25)
            fac = min(5.0, max(0.2, fac))
            if rejected:
                fac = min(fac, 1.0)
            h_acc = h
            err_acc = max(err, 1e-2)
            rejected = False
            h = h * fac if not last else max(h * fac, h)
        else:
            rejected = True
            fac = 0.9 * (err**-0.25) if finite else 0.1
            h *= min(0.5, max(0.1, fac))
    return STATUS_OK, h, iout


@njit(cache=True, error_model="numpy")
def sens_one(
    y0,
    s0,
    p_seg,
    seg_t,
    seg_jump,
    seg_act,
    sel,
    jr,
    jc,
    t_out,
    rtol,
    atol,
    max_steps,
    y_out,
    obs_out,
    s_out,
    so_out,
    md,
):
    """``simulate_one`` with forward sensitivities of the parameters ``sel``.

    ``s0`` (m, n) is ∂y(0)/∂θ; jumps leave S unchanged (added amounts do not depend on θ);
    ``seg_act[k, j]`` is 0 where an event has fixed parameter ``sel[j]`` in segment k.
    Writes s_out (T, m, n) and so_out (T, m, O). Returns (status, steps).
    """
    n = y0.shape[0]
    m = sel.shape[0]
    n_obs = obs_out.shape[1]
    n_p = p_seg.shape[1]
    y = y0.copy()
    s = s0.copy()
    steps = np.zeros(1, dtype=np.int64)
    bufs = (
        np.empty((n, n)),
        np.zeros((n, n)),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.empty(_sp_nvals(md)),
        np.zeros((12, n)),
        np.zeros((8, m, n)),
        np.zeros((n, n)),
        np.zeros((n, n_p)),
        np.zeros((n_obs, n)),
        np.zeros((n_obs, n_p)),
        np.zeros((m, n)),
        np.zeros((m, n)),
        np.zeros((m, n)),
        steps,
        max_steps,
    )
    outs = (y_out, obs_out, s_out, so_out)
    iout = 0
    h = 0.0
    n_seg = p_seg.shape[0]
    n_out = t_out.shape[0]
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
            for j in range(m):
                for i in range(n):
                    s_out[iout, j, i] = s[j, i]
            _sens_obs(
                t_out[iout],
                y_out[iout],
                p_seg[k],
                s_out[iout],
                sel,
                seg_act[k],
                bufs[9],
                bufs[10],
                obs_out[iout],
                so_out[iout],
                md,
            )
            iout += 1
        if t1 <= t0:
            continue
        status, h, iout = _sens_segment(
            t0,
            t1,
            k == n_seg - 1,
            y,
            s,
            p_seg[k],
            sel,
            seg_act[k],
            jr,
            jc,
            rtol,
            atol,
            0.0 if k == 0 else min(h, t1 - t0),
            t_out,
            iout,
            outs,
            bufs,
            md,
        )
        if status != STATUS_OK:
            return status, steps[0]
    return STATUS_OK, steps[0]


@njit(cache=True, error_model="numpy", parallel=True)
def sens_batch(
    y0,
    s0,
    p_seg,
    seg_t,
    seg_jump,
    seg_act,
    sel,
    jr,
    jc,
    t_out,
    rtol,
    atol,
    max_steps,
    y_out,
    obs_out,
    s_out,
    so_out,
    status,
    steps,
    md,
):
    """``sens_one`` for each of B rows, in parallel."""
    for b in prange(y0.shape[0]):
        st, ns = sens_one(
            y0[b],
            s0[b],
            p_seg[b],
            seg_t[b],
            seg_jump[b],
            seg_act[b],
            sel,
            jr,
            jc,
            t_out,
            rtol,
            atol,
            max_steps,
            y_out[b],
            obs_out[b],
            s_out[b],
            so_out[b],
            md,
        )
        status[b] = st
        steps[b] = ns
