"""The planned sparse LU solves what a dense solver solves, with far fewer operations."""

from __future__ import annotations

import numpy as np
import pytest

from mtorsim.engine.codegen import compile_network
from mtorsim.engine.sparse_lu import plan_lu
from mtorsim.network.default import default_network


def _factor_solve(a: np.ndarray, plan, b: np.ndarray) -> np.ndarray:
    """The kernel's algorithm in plain Python (the kernel itself is checked end to end)."""
    a, b = a.copy(), b.copy()
    for k, q in enumerate(plan.order):
        for i in plan.rows[plan.row_ptr[k] : plan.row_ptr[k + 1]]:
            a[i, q] /= a[q, q]
            for j in plan.cols[plan.col_ptr[k] : plan.col_ptr[k + 1]]:
                a[i, j] -= a[i, q] * a[q, j]
    for k, q in enumerate(plan.order):
        for i in plan.rows[plan.row_ptr[k] : plan.row_ptr[k + 1]]:
            b[i] -= a[i, q] * b[q]
    for k in range(len(plan.order) - 1, -1, -1):
        q = plan.order[k]
        cols = plan.cols[plan.col_ptr[k] : plan.col_ptr[k + 1]]
        b[q] = (b[q] - a[q, cols] @ b[cols]) / a[q, q]
    return b


@pytest.mark.parametrize("n", [1, 7, 40])
def test_plan_solves_random_sparse_systems(n: int) -> None:
    rng = np.random.default_rng(n)
    pattern = rng.random((n, n)) < 0.15
    a = np.where(pattern, rng.normal(size=(n, n)), 0.0) + 5.0 * np.eye(n)
    b = rng.normal(size=n)
    x = _factor_solve(a, plan_lu(pattern), b)
    np.testing.assert_allclose(a @ x, b, atol=1e-12)


def test_plan_of_the_default_network_is_cheap() -> None:
    compiled = compile_network(default_network())
    jac = compiled.jac(compiled.y0, compiled.p0)
    plan = plan_lu(jac != 0)
    n = compiled.n_species
    assert sorted(plan.order) == list(range(n))
    assert plan.flops < n**3 / 3 / 5  # at least 5x fewer multiply-adds than dense LU


@pytest.mark.parametrize("kind", ["specialized", "generic"])
def test_kernel_sparse_solve_matches_dense(kind: str) -> None:
    """The network's own pattern: straight-line code (specialised) and index-array loops
    over the plan in the model data (generic) factor and solve what numpy solves."""
    from mtorsim.engine import kernels

    compiled = compile_network(default_network())
    if kind == "specialized":
        mod, md = compiled.module, kernels.SPECIALIZED_MD
    else:
        mod, md = kernels.generic_module(), compiled.kernels.generic_md
    n = compiled.n_species
    rng = np.random.default_rng(3)
    jac = compiled.jac(compiled.y0, compiled.p0)
    jac = np.where(jac != 0, rng.normal(size=(n, n)), 0.0)
    inv_hg = 10.0
    vals = np.empty(mod._sp_nvals(md))
    assert mod._lu_sparse(jac, inv_hg, vals, np.full((n, n), np.nan), md)
    b = rng.normal(size=n)
    x = b.copy()
    mod._solve(np.empty((n, n)), np.zeros(n, dtype=np.int64), vals, x, True, md)
    np.testing.assert_allclose(x, np.linalg.solve(inv_hg * np.eye(n) - jac, b), rtol=1e-10)


@pytest.mark.parametrize("straight_line", [True, False])
def test_generated_code_solves_random_sparse_systems(straight_line: bool) -> None:
    """Both code shapes the planner emits factor and solve what numpy solves."""
    import math

    from numba import njit

    n = 12
    rng = np.random.default_rng(7)
    pattern = rng.random((n, n)) < 0.2
    jac = np.where(pattern, rng.normal(size=(n, n)), 0.0)
    plan = plan_lu(pattern)
    namespace = {"math": math, "njit": njit, "np": np}
    exec(plan.source(straight_line).replace("cache=True", "cache=False"), namespace)
    vals, inv_hg, md = np.empty(plan.n_values), 4.0, (np.zeros(0, dtype=np.int64),)
    assert namespace["_sp_nvals"](md) == plan.n_values
    assert namespace["_lu_sparse"](jac, inv_hg, vals, np.full((n, n), np.nan), md)
    b = rng.normal(size=n)
    x = b.copy()
    namespace["_solve_sparse"](vals, x, md)
    np.testing.assert_allclose(x, np.linalg.solve(inv_hg * np.eye(n) - jac, b), rtol=1e-10)
    # a zero pivot is reported, not divided by
    assert not namespace["_lu_sparse"](inv_hg * np.eye(n), inv_hg, vals, np.zeros((n, n)), md)
