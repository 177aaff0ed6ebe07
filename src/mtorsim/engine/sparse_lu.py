"""A sparse LU plan for the Rosenbrock matrix ``I/(h*gamma) - J``, fixed per network.

The Jacobian's sparsity pattern is known when a network is compiled, so the elimination
can be planned once (as KPP does for atmospheric chemistry): pivots on the diagonal in a
minimum-fill (Markowitz) order, with the fill-in computed symbolically. The kernel then
runs only the multiply-adds the pattern needs (straight-line code for small plans, loops
over index arrays for large ones) instead of a dense O(n^3) factorisation. Diagonal pivots
without row exchanges are safe for small steps (the 1/(h*gamma) term dominates); if a
pivot is zero or not finite the kernel falls back to the dense, row-pivoted LU for that
step.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GENERIC_LU_SOURCE", "STRAIGHT_LINE_LIMIT", "LUPlan", "plan_lu"]

#: Largest plan (multiply-adds of the factorisation + stored factors) emitted as
#: straight-line code. Smith 2013 (93 species, 3,092 multiply-adds) compiled in 62 s
#: straight-line and 18 s with loops, running 2.5 and 4.5 ms: the loops are the better trade.
STRAIGHT_LINE_LIMIT = 2000

_LOOP_KERNELS = """

@njit(cache=True, error_model="numpy")
def _lu_sparse(jac_m, inv_hg, vals, work, md):
{prologue}
    n_l = _SP_ROWS.shape[0]
    n_u = _SP_COLS.shape[0]
    for k in range(_SP_ORDER.shape[0]):  # work = I/(h*gamma) - J on the filled pattern
        q = _SP_ORDER[k]
        work[q, q] = inv_hg - jac_m[q, q]
        for rr in range(_SP_ROW_PTR[k], _SP_ROW_PTR[k + 1]):
            work[_SP_ROWS[rr], q] = -jac_m[_SP_ROWS[rr], q]
        for cc in range(_SP_COL_PTR[k], _SP_COL_PTR[k + 1]):
            work[q, _SP_COLS[cc]] = -jac_m[q, _SP_COLS[cc]]
    for k in range(_SP_ORDER.shape[0]):
        q = _SP_ORDER[k]
        d = work[q, q]
        if d == 0.0 or not math.isfinite(d):
            return False
        inv = 1.0 / d
        vals[n_l + n_u + k] = inv
        c0 = _SP_COL_PTR[k]
        c1 = _SP_COL_PTR[k + 1]
        for cc in range(c0, c1):  # row q is final once q is the pivot
            vals[n_l + cc] = work[q, _SP_COLS[cc]]
        for rr in range(_SP_ROW_PTR[k], _SP_ROW_PTR[k + 1]):
            i = _SP_ROWS[rr]
            m = work[i, q] * inv
            vals[rr] = m
            if m != 0.0:
                for cc in range(c0, c1):
                    work[i, _SP_COLS[cc]] -= m * vals[n_l + cc]
    return True


@njit(cache=True, error_model="numpy")
def _solve_sparse(vals, b, md):
{prologue}
    n_l = _SP_ROWS.shape[0]
    n_u = _SP_COLS.shape[0]
    n_k = _SP_ORDER.shape[0]
    for k in range(n_k):
        bq = b[_SP_ORDER[k]]
        if bq != 0.0:
            for rr in range(_SP_ROW_PTR[k], _SP_ROW_PTR[k + 1]):
                b[_SP_ROWS[rr]] -= vals[rr] * bq
    for k in range(n_k - 1, -1, -1):
        q = _SP_ORDER[k]
        s = b[q]
        for cc in range(_SP_COL_PTR[k], _SP_COL_PTR[k + 1]):
            s -= vals[n_l + cc] * b[_SP_COLS[cc]]
        b[q] = s * vals[n_l + n_u + k]
"""


_SP_NVALS_FN = """

@njit(cache=True, error_model="numpy")
def _sp_nvals(md):
    return _SP_NVALS
"""

#: The loop kernels of the generic module: the plan's index arrays come from the model
#: data ``md`` (items 6-10) instead of module constants; the loops are the same text.
GENERIC_LU_SOURCE = _LOOP_KERNELS.format(
    prologue="\n".join(
        f"    {name} = md[{i}]"
        for i, name in enumerate(
            ["_SP_ORDER", "_SP_ROW_PTR", "_SP_ROWS", "_SP_COL_PTR", "_SP_COLS"], start=6
        )
    )
)


class LUPlan:
    """Pivot order and, per step, the rows below / columns right of the pivot (CSR-like)."""

    def __init__(self, order, row_ptr, rows, col_ptr, cols) -> None:
        self.order = np.asarray(order, dtype=np.int64)
        self.row_ptr = np.asarray(row_ptr, dtype=np.int64)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.col_ptr = np.asarray(col_ptr, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)

    @property
    def flops(self) -> int:
        """Multiply-adds of one factorisation."""
        r = np.diff(self.row_ptr)
        c = np.diff(self.col_ptr)
        return int(np.sum(r * c))

    @property
    def n_values(self) -> int:
        """Length of the gathered factors: L multipliers, U rows, reciprocal pivots."""
        return int(self.rows.size + self.cols.size + self.order.size)

    def source(self, straight_line: bool | None = None) -> str:
        """Numba code for ``_lu_sparse(jac_m, inv_hg, vals, work)`` and ``_solve_sparse``.

        Straight-line code (literal indices, every entry a local) is fastest but numba's
        compile time grows with it, so by default it is used only up to
        ``STRAIGHT_LINE_LIMIT`` operations; larger patterns get loops over index arrays.
        """
        if straight_line is None:
            straight_line = self.flops + self.n_values <= STRAIGHT_LINE_LIMIT
        return self._straight_line_source() if straight_line else self._loop_source()

    def _loop_source(self) -> str:
        def arr(name: str, a: np.ndarray) -> str:
            body = ", ".join(str(int(x)) for x in a)
            return f"{name} = np.array([{body}], dtype=np.int64)"

        return "\n".join(
            [
                "import numpy as np",
                f"_SP_NVALS = {self.n_values}",
                arr("_SP_ORDER", self.order),
                arr("_SP_ROW_PTR", self.row_ptr),
                arr("_SP_ROWS", self.rows),
                arr("_SP_COL_PTR", self.col_ptr),
                arr("_SP_COLS", self.cols),
                _SP_NVALS_FN,
                _LOOP_KERNELS.format(prologue="    pass"),
            ]
        )

    def _straight_line_source(self) -> str:
        """Straight-line code for this pattern (as KPP generates its ``KppDecomp``).

        ``_lu_sparse(jac_m, inv_hg, vals, work)`` factors ``I/(h*gamma) - J`` on the filled pattern,
        keeping every entry in a local, and gathers the factors into ``vals`` in the order
        ``_solve_sparse(vals, b)`` streams through them; it returns False on a zero or
        non-finite pivot (the kernel then uses the dense pivoted LU). Literal indices leave
        no index arrays to load and no bounds arithmetic.
        """
        n_l, n_u = self.rows.size, self.cols.size
        cur: dict[tuple[int, int], str] = {}  # the local holding each updated entry

        def entry(i: int, j: int) -> str:
            """Current value of entry (i, j) of I/(h*gamma) - J."""
            if (i, j) in cur:
                return cur[(i, j)]
            return f"inv_hg - jac_m[{i}, {j}]" if i == j else f"-jac_m[{i}, {j}]"

        decomp = [
            "",
            "",
            '@njit(cache=True, error_model="numpy")',
            "def _lu_sparse(jac_m, inv_hg, vals, work, md):",
        ]
        n_e = 0
        for k, q in enumerate(self.order):
            q = int(q)
            rows = [int(i) for i in self.rows[self.row_ptr[k] : self.row_ptr[k + 1]]]
            cols = [int(j) for j in self.cols[self.col_ptr[k] : self.col_ptr[k + 1]]]
            decomp += [
                f"    d{k} = {entry(q, q)}",
                f"    if d{k} == 0.0 or not math.isfinite(d{k}):",
                "        return False",
                f"    r{k} = 1.0 / d{k}",
                f"    vals[{n_l + n_u + k}] = r{k}",
            ]
            for c, j in zip(range(self.col_ptr[k], self.col_ptr[k + 1]), cols, strict=True):
                decomp += [f"    u{c} = {entry(q, j)}"]
                decomp += [f"    vals[{n_l + c}] = u{c}"]
            for r, i in zip(range(self.row_ptr[k], self.row_ptr[k + 1]), rows, strict=True):
                decomp += [f"    m{r} = ({entry(i, q)}) * r{k}", f"    vals[{r}] = m{r}"]
                for c, j in zip(range(self.col_ptr[k], self.col_ptr[k + 1]), cols, strict=True):
                    decomp += [f"    e{n_e} = {entry(i, j)} - m{r} * u{c}"]
                    cur[(i, j)] = f"e{n_e}"
                    n_e += 1
        decomp += ["    return True"]
        n = self.order.size
        solve = [
            "",
            "",
            '@njit(cache=True, error_model="numpy")',
            "def _solve_sparse(vals, b, md):",
        ]
        solve += [f"    x{i} = b[{i}]" for i in range(n)]
        for k, q in enumerate(self.order):
            for r in range(self.row_ptr[k], self.row_ptr[k + 1]):
                solve += [f"    x{self.rows[r]} -= vals[{r}] * x{q}"]
        for k in range(n - 1, -1, -1):
            q = self.order[k]
            terms = "".join(
                f" - vals[{n_l + c}] * x{self.cols[c]}"
                for c in range(self.col_ptr[k], self.col_ptr[k + 1])
            )
            solve += [f"    x{q} = (x{q}{terms}) * vals[{n_l + n_u + k}]"]
        solve += [f"    b[{i}] = x{i}" for i in range(n)]
        if n == 0:
            solve += ["    pass"]
        return "\n".join([f"_SP_NVALS = {self.n_values}", *decomp, *solve, _SP_NVALS_FN])


def plan_lu(pattern: np.ndarray) -> LUPlan:
    """Plan the elimination of an n x n boolean pattern (the diagonal is always added)."""
    n = pattern.shape[0]
    filled = np.array(pattern, dtype=bool) | np.eye(n, dtype=bool)
    remaining = np.ones(n, dtype=bool)
    order: list[int] = []
    row_ptr, rows, col_ptr, cols = [0], [], [0], []
    for _ in range(n):
        idx = np.flatnonzero(remaining)
        sub = filled[np.ix_(idx, idx)]
        r_count = sub.sum(axis=1) - 1  # off-diagonal entries in the pivot's column/row
        c_count = sub.sum(axis=0) - 1
        score = c_count * r_count  # Markowitz count: fill this pivot can create
        q = int(idx[np.lexsort((idx, score))[0]])
        remaining[q] = False
        below = [int(i) for i in np.flatnonzero(remaining & filled[:, q])]
        right = [int(j) for j in np.flatnonzero(remaining & filled[q, :])]
        for i in below:
            filled[i, right] = True
        order.append(q)
        rows += below
        cols += right
        row_ptr.append(len(rows))
        col_ptr.append(len(cols))
    return LUPlan(order, row_ptr, rows, col_ptr, cols)
