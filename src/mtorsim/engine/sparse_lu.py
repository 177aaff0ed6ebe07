"""A sparse LU plan for the Rosenbrock matrix ``I/(h*gamma) - J``, fixed per network.

The Jacobian's sparsity pattern is known when a network is compiled, so the elimination
can be planned once (as KPP does for atmospheric chemistry): pivots on the diagonal in a
minimum-fill (Markowitz) order, with the fill-in computed symbolically. The kernel then
runs only the multiply-adds the pattern needs, from index arrays, instead of a dense
O(n^3) factorisation. Diagonal pivots without row exchanges are safe for small steps
(the 1/(h*gamma) term dominates); if a pivot is zero or not finite the kernel falls back
to the dense, row-pivoted LU for that step.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LUPlan", "plan_lu"]


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

    def source(self) -> str:
        """Module-level constants for the generated kernel module."""

        def arr(name: str, a: np.ndarray) -> str:
            body = ", ".join(str(int(x)) for x in a) or ""
            return f"{name} = np.array([{body}], dtype=np.int64)"

        return "\n".join(
            [
                "import numpy as np",
                arr("_SP_ORDER", self.order),
                arr("_SP_ROW_PTR", self.row_ptr),
                arr("_SP_ROWS", self.rows),
                arr("_SP_COL_PTR", self.col_ptr),
                arr("_SP_COLS", self.cols),
            ]
        )


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
