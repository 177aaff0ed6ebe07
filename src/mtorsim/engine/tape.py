"""Model code as data: a register-machine tape for the generic (compiled once) kernel.

The tape is built from the very assignments that :mod:`mtorsim.engine.codegen` prints for
the specialised module (``_cse3 = v_A*v_k1/(v_K + v_A)``), parsed back with :mod:`ast`, so
the generic interpreter performs the same floating-point operations in the same order as
the code numba compiles for one network: constants folded as CPython folds them, integer
powers unrolled as numba's ``static_power`` unrolls them. Anything this module does not
know raises :class:`UnsupportedExpression`, and the caller keeps the specialised kernel.

Each instruction is ``(op, a, b, c, dst)`` over a register file of float64 values laid
out as ``[y | p | t | temporaries | constants]``, so state, parameters and constants need
no load instructions (the caller copies them in); booleans are 0.0/1.0. Stores are kept
apart as (output index, register) rows.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence

import numpy as np

__all__ = ["OPCODES", "Tape", "UnsupportedExpression", "build_tape"]

OPCODES = {
    name: i
    for i, name in enumerate(
        [
            "ADD",
            "SUB",
            "MUL",
            "DIV",
            "POW",
            "POWI",
            "NEG",
            "EXP",
            "LOG",
            "SQRT",
            "ABS",
            "MIN",
            "MAX",
            "SIN",
            "COS",
            "TAN",
            "TANH",
            "FLOOR",
            "CEIL",
            "LT",
            "LE",
            "GT",
            "GE",
            "EQ",
            "NE",
            "AND",
            "OR",
            "NOT",
            "SELECT",
            "ASIN",
            "ACOS",
            "ATAN",
            "SINH",
            "COSH",
            "LOG10",
        ]
    )
}

_BINOPS = {ast.Add: "ADD", ast.Sub: "SUB", ast.Mult: "MUL", ast.Div: "DIV"}
_COMPARE = {ast.Lt: "LT", ast.LtE: "LE", ast.Gt: "GT", ast.GtE: "GE", ast.Eq: "EQ", ast.NotEq: "NE"}
_MATH = {
    "exp": "EXP",
    "log": "LOG",
    "sqrt": "SQRT",
    "sin": "SIN",
    "cos": "COS",
    "tan": "TAN",
    "tanh": "TANH",
    "floor": "FLOOR",
    "ceil": "CEIL",
    "fabs": "ABS",
    "asin": "ASIN",
    "acos": "ACOS",
    "atan": "ATAN",
    "sinh": "SINH",
    "cosh": "COSH",
    "log10": "LOG10",
}
_MATH_CONST = {"pi": math.pi, "e": math.e, "inf": math.inf}
_OUT = re.compile(r"^out\[(\d+)(?:, (\d+))?\]$")


class UnsupportedExpression(ValueError):
    """The printed model code uses a construct the generic interpreter does not run."""


class Tape:
    """Instructions, constants and stores of one printed function (``_rhs``, ``_jac``...)."""

    def __init__(self, species: Sequence[str], parameters: Sequence[str], consts: list[float]):
        n, m = len(species), len(parameters)
        # registers: y, then p, then t, then temporaries; constants are coded as -(i + 1)
        # (an index into ``consts``, shared by all tapes) until :func:`build_tape` places
        # them after the largest tape's temporaries
        self._names = {f"v_{s}": i for i, s in enumerate(species)}
        self._names.update({f"v_{s}": n + i for i, s in enumerate(parameters)})
        self._names["v_time"] = n + m
        self.first_temp = n + m + 1
        self.code: list[tuple[int, int, int, int, int]] = []
        self.consts = consts
        self._const_index = {float(v).hex(): i for i, v in enumerate(consts)}
        self.stores: list[tuple[int, ...]] = []  # (index[, column], register)
        self.n_reg = self.first_temp

    def _emit(self, op: str, a: int = 0, b: int = 0, c: int = 0) -> int:
        dst = self.n_reg
        self.n_reg += 1
        self.code.append((OPCODES[op], a, b, c, dst))
        return dst

    def _const(self, value: float) -> int:
        key = float(value).hex()
        if key not in self._const_index:
            self._const_index[key] = len(self.consts)
            self.consts.append(float(value))
        return -(self._const_index[key] + 1)

    def _name(self, name: str) -> int:
        if name not in self._names:
            raise UnsupportedExpression(f"unknown name {name!r} in model code")
        return self._names[name]

    def assign(self, target: str, source: str) -> None:
        """Add one printed assignment ``target = source``."""
        try:
            tree = ast.parse(source, mode="eval").body
        except SyntaxError as exc:
            raise UnsupportedExpression(f"cannot parse {source!r}: {exc}") from None
        reg = self._node(_fold(tree))
        m = _OUT.match(target)
        if m:
            idx = tuple(int(g) for g in m.groups() if g is not None)
            self.stores.append((*idx, reg))
        elif target.startswith("_cse"):
            self._names[target] = reg
        else:
            raise UnsupportedExpression(f"unexpected assignment target {target!r}")

    def _node(self, node: ast.expr) -> int:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | float):
                return self._const(float(node.value))
            raise UnsupportedExpression(f"constant {node.value!r}")
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return self._pow(node)
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise UnsupportedExpression(f"operator {type(node.op).__name__}")
            return self._emit(op, self._node(node.left), self._node(node.right))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return self._emit("NEG", self._node(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self._node(node.operand)
            if isinstance(node.op, ast.Not):
                return self._emit("NOT", self._node(node.operand))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            op = _COMPARE.get(type(node.ops[0]))
            if op is not None:
                return self._emit(op, self._node(node.left), self._node(node.comparators[0]))
        if isinstance(node, ast.BoolOp):
            op = "AND" if isinstance(node.op, ast.And) else "OR"
            acc = self._node(node.values[0])
            for v in node.values[1:]:
                acc = self._emit(op, acc, self._node(v))
            return acc
        if isinstance(node, ast.IfExp):
            test = self._node(node.test)
            return self._emit("SELECT", test, self._node(node.body), self._node(node.orelse))
        if isinstance(node, ast.Attribute) and _is_math(node.value) and node.attr in _MATH_CONST:
            return self._const(_MATH_CONST[node.attr])
        if isinstance(node, ast.Call) and not node.keywords:
            return self._call(node)
        raise UnsupportedExpression(f"construct {ast.dump(node)[:80]}")

    def _call(self, node: ast.Call) -> int:
        func = node.func
        args = [self._node(a) for a in node.args]
        if isinstance(func, ast.Name) and func.id in ("min", "max") and len(args) >= 2:
            acc = args[0]  # numba folds min(a, b, c) left to right
            for a in args[1:]:
                acc = self._emit(func.id.upper(), acc, a)
            return acc
        if isinstance(func, ast.Name) and func.id == "abs" and len(args) == 1:
            return self._emit("ABS", args[0])
        if (
            isinstance(func, ast.Attribute)
            and _is_math(func.value)
            and func.attr in _MATH
            and len(args) == 1
        ):
            return self._emit(_MATH[func.attr], args[0])
        raise UnsupportedExpression(f"function call {ast.unparse(node)[:60]}")

    def _pow(self, node: ast.BinOp) -> int:
        exp = node.right
        base = self._node(node.left)
        if isinstance(exp, ast.Constant) and type(exp.value) is int and abs(exp.value) <= 0x10000:
            return self._emit("POWI", base, exp.value)  # numba's static_power
        return self._emit("POW", base, self._node(exp))


def _is_math(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "math"


def _fold(node: ast.expr) -> ast.expr:
    """Fold constant operations as CPython's compiler does before numba sees the bytecode."""
    for field, value in ast.iter_fields(node):
        if isinstance(value, ast.expr):
            setattr(node, field, _fold(value))
        elif isinstance(value, list):
            setattr(node, field, [_fold(v) if isinstance(v, ast.expr) else v for v in value])
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and type(node.operand.value) in (int, float)
    ):
        v = node.operand.value
        return ast.Constant(-v if isinstance(node.op, ast.USub) else +v)
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.right, ast.Constant)
        and type(node.left.value) in (int, float)
        and type(node.right.value) in (int, float)
        and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow)
    ):
        try:
            # folded children are new nodes without positions, which compile() needs
            code = compile(ast.fix_missing_locations(ast.Expression(node)), "<fold>", "eval")
            value = eval(code, {"__builtins__": {}})  # two numeric literals only
        except (ArithmeticError, ValueError):
            return node
        if type(value) in (int, float) and not (type(value) is int and abs(value) > 2**62):
            return ast.Constant(value)
    return node


_THREE = {OPCODES["SELECT"]}
_ONE = {OPCODES[n] for n in ("NEG", "NOT", "POWI", *_MATH.values())}


def _schedule(code: list[tuple[int, int, int, int, int]]) -> list[tuple[int, int, int, int, int]]:
    """Group instructions by dependency level, then opcode.

    Within a level no instruction reads another's result, so each computes exactly the
    same value in any order; runs of one opcode make the interpreter's dispatch branch
    predictable, which is most of its cost.
    """
    level: dict[int, int] = {}
    keyed = []
    for i, ins in enumerate(code):
        op, a, b, c, d = ins
        reads = [a] if op in _ONE else [a, b, c] if op in _THREE else [a, b]
        lv = 1 + max((level.get(r, 0) for r in reads), default=0)
        level[d] = lv
        keyed.append((lv, op, i, ins))
    return [ins for *_, ins in sorted(keyed)]


def build_tape(
    functions: dict[str, list[tuple[str, str]]],
    species: Sequence[str],
    parameters: Sequence[str],
) -> dict[str, np.ndarray]:
    """Arrays for ``_rhs``, ``_jac``, ``_obs`` (and any further functions given, such as
    ``dfdt`` or ``dfdp``) from their printed assignments.

    Returns ``code`` (instructions of all, back to back), ``consts``, ``meta`` (register
    count, the first three functions' instruction ranges, where p and the constants start
    in the register file), ``xranges`` (the further functions' ranges, in the order given)
    and one store table per function (``rhs_store``, ...).
    """
    consts: list[float] = []
    tapes = {}
    names = ["rhs", "jac", "obs", *(k for k in functions if k not in ("rhs", "jac", "obs"))]
    for name in names:
        tape = Tape(species, parameters, consts)
        for target, source in functions[name]:
            tape.assign(target, source)
        tapes[name] = tape
    first_const = max(t.n_reg for t in tapes.values()) if tapes else 0

    def reg(r: int) -> int:
        return first_const + (-r - 1) if r < 0 else r

    code: list[tuple[int, int, int, int, int]] = []
    meta = [first_const + len(consts)]
    xranges: list[int] = []
    out: dict[str, np.ndarray] = {}
    for name in names:
        width = 2 if name in ("rhs", "obs", "dfdt") else 3
        tape = tapes[name]
        lo = len(code)
        for op, a, b, c, d in _schedule(tape.code):  # POWI: b is the exponent
            code.append((op, reg(a), b if op == OPCODES["POWI"] else reg(b), reg(c), d))
        (meta if name in ("rhs", "jac", "obs") else xranges).extend([lo, len(code)])
        rows = [(*row[:-1], reg(row[-1])) for row in tape.stores]
        out[f"{name}_store"] = np.array(rows, dtype=np.int64).reshape(-1, width)
    meta += [len(species), len(species) + len(parameters), first_const]
    out["xranges"] = np.array(xranges, dtype=np.int64)
    out["code"] = np.array(code, dtype=np.int64).reshape(-1, 5)
    out["consts"] = np.array(consts, dtype=np.float64)
    out["meta"] = np.array(meta, dtype=np.int64)
    return out
