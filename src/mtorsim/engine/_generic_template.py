"""Model interpreter, the head of the generic kernel module (never imported itself).

:mod:`mtorsim.engine.kernels` writes this text, the index-array sparse LU and the solver
template (``_kernel_template.py``) into one module that numba compiles once per machine.
The model arrives as data, ``md``, built by :mod:`mtorsim.engine.tape`::

    md = (code, consts, meta, rhs_store, jac_store, obs_store,
          sp_order, sp_row_ptr, sp_rows, sp_col_ptr, sp_cols, dfdt_store
          [, dfdp_store, obsy_store, obsp_store])   # the last three: sensitivity runs

``meta`` = (registers, rhs lo, rhs hi, jac lo, jac hi, obs lo, obs hi, first p register,
t register, first constant register, sparse LU values, dfdt lo, dfdt hi[, dfdp lo, dfdp
hi, obsy lo, obsy hi, obsp lo, obsp hi]).
The opcode numbers below must match ``tape.OPCODES`` (a test checks them).
"""

import math

import numpy as np
from numba import njit

ADD = 0
SUB = 1
MUL = 2
DIV = 3
POW = 4
POWI = 5
NEG = 6
EXP = 7
LOG = 8
SQRT = 9
ABS = 10
MIN = 11
MAX = 12
SIN = 13
COS = 14
TAN = 15
TANH = 16
FLOOR = 17
CEIL = 18
LT = 19
LE = 20
GT = 21
GE = 22
EQ = 23
NE = 24
AND = 25
OR = 26
NOT = 27
SELECT = 28
ASIN = 29
ACOS = 30
ATAN = 31
SINH = 32
COSH = 33
LOG10 = 34


@njit(cache=True, error_model="numpy")
def _powi(x, n):
    """x**n for a literal integer n, unrolled as numba's static_power does."""
    invert = n < 0
    e = -n if invert else n
    res = 1.0
    v = x
    while e != 0:
        if e & 1:
            res = res * v
        e >>= 1
        if e != 0:
            v = v * v
    return 1.0 / res if invert else res


@njit(cache=True, error_model="numpy")
def _run_tape(code, lo, hi, regs):
    """Execute instructions lo..hi; common arithmetic first in the dispatch chain."""
    for k in range(lo, hi):
        op = code[k, 0]
        a = code[k, 1]
        b = code[k, 2]
        d = code[k, 4]
        if op == MUL:
            regs[d] = regs[a] * regs[b]
        elif op == ADD:
            regs[d] = regs[a] + regs[b]
        elif op == SUB:
            regs[d] = regs[a] - regs[b]
        elif op == DIV:
            regs[d] = regs[a] / regs[b]
        elif op == NEG:
            regs[d] = -regs[a]
        elif op == POWI:
            regs[d] = _powi(regs[a], b)
        elif op == POW:
            regs[d] = regs[a] ** regs[b]
        elif op == EXP:
            regs[d] = math.exp(regs[a])
        elif op == LOG:
            regs[d] = math.log(regs[a])
        elif op == SQRT:
            regs[d] = math.sqrt(regs[a])
        elif op == ABS:
            regs[d] = abs(regs[a])
        elif op == MIN:
            regs[d] = min(regs[a], regs[b])
        elif op == MAX:
            regs[d] = max(regs[a], regs[b])
        elif op == SELECT:
            regs[d] = regs[b] if regs[a] != 0.0 else regs[code[k, 3]]
        elif op == LT:
            regs[d] = 1.0 if regs[a] < regs[b] else 0.0
        elif op == LE:
            regs[d] = 1.0 if regs[a] <= regs[b] else 0.0
        elif op == GT:
            regs[d] = 1.0 if regs[a] > regs[b] else 0.0
        elif op == GE:
            regs[d] = 1.0 if regs[a] >= regs[b] else 0.0
        elif op == EQ:
            regs[d] = 1.0 if regs[a] == regs[b] else 0.0
        elif op == NE:
            regs[d] = 1.0 if regs[a] != regs[b] else 0.0
        elif op == AND:
            regs[d] = 1.0 if (regs[a] != 0.0 and regs[b] != 0.0) else 0.0
        elif op == OR:
            regs[d] = 1.0 if (regs[a] != 0.0 or regs[b] != 0.0) else 0.0
        elif op == NOT:
            regs[d] = 1.0 if regs[a] == 0.0 else 0.0
        elif op == SIN:
            regs[d] = math.sin(regs[a])
        elif op == COS:
            regs[d] = math.cos(regs[a])
        elif op == TAN:
            regs[d] = math.tan(regs[a])
        elif op == TANH:
            regs[d] = math.tanh(regs[a])
        elif op == FLOOR:
            regs[d] = float(math.floor(regs[a]))
        elif op == CEIL:
            regs[d] = float(math.ceil(regs[a]))
        elif op == ASIN:
            regs[d] = math.asin(regs[a])
        elif op == ACOS:
            regs[d] = math.acos(regs[a])
        elif op == ATAN:
            regs[d] = math.atan(regs[a])
        elif op == SINH:
            regs[d] = math.sinh(regs[a])
        elif op == COSH:
            regs[d] = math.cosh(regs[a])
        elif op == LOG10:
            regs[d] = math.log10(regs[a])


@njit(cache=True, error_model="numpy")
def _registers(t, y, p, md):
    """A register file with y, p, t and the constants in place."""
    meta = md[2]
    consts = md[1]
    regs = np.empty(meta[0])
    n = y.shape[0]
    for i in range(n):
        regs[i] = y[i]
    for i in range(p.shape[0]):
        regs[n + i] = p[i]
    regs[meta[8]] = t
    c0 = meta[9]
    for i in range(consts.shape[0]):
        regs[c0 + i] = consts[i]
    return regs


@njit(cache=True, error_model="numpy")
def _rhs(t, y, p, out, md):
    regs = _registers(t, y, p, md)
    _run_tape(md[0], md[2][1], md[2][2], regs)
    st = md[3]
    for k in range(st.shape[0]):
        out[st[k, 0]] = regs[st[k, 1]]


@njit(cache=True, error_model="numpy")
def _jac(t, y, p, out, md):
    regs = _registers(t, y, p, md)
    _run_tape(md[0], md[2][3], md[2][4], regs)
    st = md[4]
    for k in range(st.shape[0]):
        out[st[k, 0], st[k, 1]] = regs[st[k, 2]]


@njit(cache=True, error_model="numpy")
def _obs(t, y, p, out, md):
    regs = _registers(t, y, p, md)
    _run_tape(md[0], md[2][5], md[2][6], regs)
    st = md[5]
    for k in range(st.shape[0]):
        out[st[k, 0]] = regs[st[k, 1]]


@njit(cache=True, error_model="numpy")
def _sp_nvals(md):
    return md[2][10]


@njit(cache=True, error_model="numpy")
def _uses_time(md):
    return md[11].shape[0] > 0


@njit(cache=True, error_model="numpy")
def _dfdt(t, y, p, out, md):
    regs = _registers(t, y, p, md)
    _run_tape(md[0], md[2][11], md[2][12], regs)
    st = md[11]
    for k in range(st.shape[0]):
        out[st[k, 0]] = regs[st[k, 1]]


@njit(cache=True, error_model="numpy")
def _store_matrix(t, y, p, out, md, lo, hi, st):
    regs = _registers(t, y, p, md)
    _run_tape(md[0], lo, hi, regs)
    for k in range(st.shape[0]):
        out[st[k, 0], st[k, 1]] = regs[st[k, 2]]


@njit(cache=True, error_model="numpy")
def _dfdp(t, y, p, out, md):
    _store_matrix(t, y, p, out, md, md[2][13], md[2][14], md[12])


@njit(cache=True, error_model="numpy")
def _obsy(t, y, p, out, md):
    _store_matrix(t, y, p, out, md, md[2][15], md[2][16], md[13])


@njit(cache=True, error_model="numpy")
def _obsp(t, y, p, out, md):
    _store_matrix(t, y, p, out, md, md[2][17], md[2][18], md[14])
