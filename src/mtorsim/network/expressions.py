"""Parsing rate expressions and checking their units.

Expressions are SBML L3 infix strings. They are parsed with sympy, with every network name
bound to a plain symbol, so names such as ``E``, ``I``, ``S``, ``pi``, ``beta`` or ``lambda``
never collide with sympy's constants and functions or Python's keywords: a name the network
defines is always that name (``E`` is Euler's number, ``pi`` the constant, only where no
species, parameter or observable has that name; ``exp(1)`` is e whatever the names).
Units are products of powers of a small vocabulary of base symbols; the checker walks the
expression tree and demands that sums add like units and functions see dimensionless
arguments. sympy is imported by the functions that need it, not with this
module, so importing a network (and a warm process that never parses) stays fast.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mtorsim.errors import NetworkError

if TYPE_CHECKING:
    import sympy as sp

__all__ = [
    "FUNCTIONS",  # noqa: F822 - built on first access by __getattr__
    "FUNCTION_NAMES",
    "dimension_of",
    "identifiers",
    "parse_expression",
    "parse_unit",
    "to_l3",
]

#: Names of the functions allowed in expressions (the sympy objects: :data:`FUNCTIONS`).
FUNCTION_NAMES = frozenset(
    [
        "exp",
        "log",
        "ln",
        "sqrt",
        "pow",
        "abs",
        "min",
        "max",
        "sin",
        "cos",
        "tan",
        "tanh",
        "asin",
        "acos",
        "atan",
        "floor",
        "ceiling",
        "log10",
        "Piecewise",
        "And",
        "Or",
        "Not",
        "Xor",
        "Eq",
        "Ne",
        "Lt",
        "Le",
        "Gt",
        "Ge",
        "True",
        "False",
        "E",
        "pi",
    ]
)


@lru_cache(maxsize=1)
def _functions() -> dict[str, object]:
    """Functions allowed in expressions, mapped to their sympy implementations."""
    import sympy as sp

    return {
        "exp": sp.exp,
        "log": sp.log,
        "ln": sp.log,
        "sqrt": sp.sqrt,
        "pow": lambda a, b: a**b,
        "abs": sp.Abs,
        "min": sp.Min,
        "max": sp.Max,
        "sin": sp.sin,
        "cos": sp.cos,
        "tan": sp.tan,
        "tanh": sp.tanh,
        "asin": sp.asin,
        "acos": sp.acos,
        "atan": sp.atan,
        "floor": sp.floor,
        "ceiling": sp.ceiling,
        "log10": lambda x: sp.log(x, 10),
        # produced by sympy's printer for imported SBML (piecewise, logic, relations)
        "Piecewise": sp.Piecewise,
        "And": sp.And,
        "Or": sp.Or,
        "Not": sp.Not,
        "Xor": sp.Xor,
        "Eq": sp.Eq,
        "Ne": sp.Ne,
        "Lt": sp.Lt,
        "Le": sp.Le,
        "Gt": sp.Gt,
        "Ge": sp.Ge,
        "True": sp.true,
        "False": sp.false,
        "E": sp.E,
        "pi": sp.pi,
    }


def __getattr__(name: str) -> Any:
    # FUNCTIONS stays importable by name, built (with sympy) on first use
    if name == "FUNCTIONS":
        return _functions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_EXP = re.compile(r"(?<![A-Za-z0-9_])(\d+\.?\d*|\.\d+)[eE][+-]?\d+")

#: Base unit symbols understood by the unit checker (and by the SBML exporter).
BASE_UNITS = ("h", "min", "s", "nM", "uM", "mg", "ng", "L", "mL", "day")


@lru_cache(maxsize=1)
def _unit_symbols() -> dict[str, sp.Symbol]:
    import sympy as sp

    return {name: sp.Symbol(f"unit_{name}", positive=True) for name in BASE_UNITS}


# a name (not inside a number such as 1e5), and whether it is called: ``exp(`` is a call
_NAME_USE = re.compile(r"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")


def _uses(expression: str) -> list[tuple[str, bool]]:
    """(name, called) for every name in ``expression``, numbers left out."""
    text = _NUMBER_EXP.sub("0", expression)
    return [(m.group(1), bool(m.group(2))) for m in _NAME_USE.finditer(text)]


def identifiers(expression: str, names: Iterable[str] = ()) -> set[str]:
    """Names used in an expression (functions and numbers excluded).

    A name in ``names`` (the network's species, parameters and observables) counts
    wherever it is not called, even if it is also a function or constant name (``E``,
    ``pi``, ``min``): a model's ids are never read as sympy's constants or functions.
    """
    known = set(names)
    return {
        t
        for t, called in _uses(expression)
        if t not in FUNCTION_NAMES or (t in known and not called)
    }


def parse_expression(expression: str, names: Iterable[str]) -> sp.Expr:
    """Parse ``expression`` with every name in ``names`` bound to a real symbol."""
    known = set(names) | {"time"}
    unknown = identifiers(expression, known) - known
    if unknown:
        raise NetworkError(
            f"expression {expression!r} uses unknown name(s) {sorted(unknown)}; "
            "add them as species, parameters or observables"
        )
    return _parse(expression, tuple(sorted(identifiers(expression, known) & known)))


def _is_reserved(name: str) -> bool:
    """A name sympy's parser cannot take as a plain symbol through ``locals``: a Python
    keyword (``lambda``, ``in``), or a function or constant of :data:`FUNCTION_NAMES`."""
    return keyword.iskeyword(name) or name in FUNCTION_NAMES


def bind_names(expression: str, bound: Iterable[str]) -> tuple[str, dict[str, sp.Symbol]]:
    """Text and ``locals`` for :func:`sympy.sympify` in which every name in ``bound`` is a
    real symbol of that name: reserved names (keywords, function and constant names) are
    written as placeholders, where they are not called, that ``locals`` maps back."""
    import sympy as sp

    names = set(bound)
    local = {n: sp.Symbol(n, real=True) for n in names if not _is_reserved(n)}
    reserved = sorted(n for n in names if _is_reserved(n))
    if not reserved:
        return expression, local
    placeholder: dict[str, str] = {}
    for i, n in enumerate(reserved):
        ph = f"_mtorsim_name_{i}"
        while ph in names:
            ph = f"_{ph}"
        placeholder[n] = ph
        local[ph] = sp.Symbol(n, real=True)

    def swap(m: re.Match[str]) -> str:
        name, called = m.group(1), m.group(2)
        return placeholder[name] if name in placeholder and not called else m.group(0)

    # numbers first out of the way: the 'e5' of 1e5 is no name
    parts = re.split(f"({_NUMBER_EXP.pattern})", expression)
    out = []
    for i, part in enumerate(parts):
        if i % 3 == 0:  # re.split keeps the number (group 1) and its mantissa (group 2)
            out.append(_NAME_USE.sub(swap, part))
        elif i % 3 == 1:
            out.append(part)
    return "".join(out), local


@lru_cache(maxsize=16384)
def _parse(expression: str, bound: tuple[str, ...]) -> sp.Expr:
    """Parse with only the names the text uses bound (cached: networks derived from one
    another share most rate laws, and sympy expressions are immutable)."""
    import sympy as sp

    text, names = bind_names(expression.replace("^", "**"), bound)
    local: dict[str, object] = dict(_functions())
    local.update(names)
    try:
        return sp.sympify(text, locals=local, rational=False)
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise NetworkError(f"cannot parse expression {expression!r}: {exc}") from exc


def parse_unit(unit: str) -> sp.Expr:
    """Turn a unit string such as ``"1/(nM*h)"`` into a product of base-unit symbols."""
    import sympy as sp

    if unit.strip() in ("", "1", "dimensionless"):
        return sp.Integer(1)
    bad = set(_TOKEN.findall(unit)) - set(BASE_UNITS)
    if bad:
        raise NetworkError(
            f"unit {unit!r} uses unknown unit name(s) {sorted(bad)}; "
            f"use products and powers of {', '.join(BASE_UNITS)} or '1'"
        )
    try:
        return sp.sympify(unit.replace("^", "**"), locals=dict(_unit_symbols()))
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise NetworkError(f"cannot parse unit {unit!r}: {exc}") from exc


def dimension_of(expr: sp.Expr, units: Mapping[str, sp.Expr]) -> sp.Expr:
    """Unit of ``expr`` given the unit of each symbol; raises on inconsistent sums."""
    import sympy as sp

    if expr.is_Number:
        return sp.Integer(1)
    if expr.is_Symbol:
        return units.get(expr.name, sp.Integer(1))
    if isinstance(expr, sp.Add):
        dims = [dimension_of(a, units) for a in expr.args]
        numeric = [a.is_Number for a in expr.args]
        ref = next((d for d, n in zip(dims, numeric, strict=True) if not n), dims[0])
        for d, n in zip(dims, numeric, strict=True):
            if n and ref != 1:
                raise NetworkError(f"'{expr}' adds a plain number to a quantity in units {ref}")
            if not n and sp.simplify(d / ref) != 1:
                raise NetworkError(f"'{expr}' adds quantities in units {ref} and {d}")
        return ref
    if isinstance(expr, sp.Mul):
        out = sp.Integer(1)
        for a in expr.args:
            out *= dimension_of(a, units)
        return sp.simplify(out)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.args
        base_dim = dimension_of(base, units)
        if exponent.is_Number:
            return sp.simplify(base_dim**exponent)
        if base_dim != 1 or dimension_of(exponent, units) != 1:
            raise NetworkError(f"'{expr}': a symbolic exponent needs dimensionless operands")
        return sp.Integer(1)
    if isinstance(expr, sp.Min | sp.Max):
        return dimension_of(sp.Add(*expr.args), units)
    if isinstance(expr, sp.Abs):
        return dimension_of(expr.args[0], units)
    for a in expr.args:
        if dimension_of(a, units) != 1:
            raise NetworkError(f"'{expr}': function arguments must be dimensionless")
    return sp.Integer(1)


@lru_cache(maxsize=1)
def _l3_printer() -> Any:
    import sympy as sp

    class _L3Printer(sp.printing.str.StrPrinter):
        """sympy -> SBML L3 infix (what libsbml.parseL3Formula reads)."""

        def _print_Pow(self, expr, rational=False):
            return f"({self._print(expr.base)})^({self._print(expr.exp)})"

        def _print_Piecewise(self, expr):
            parts = []
            for value, cond in expr.args:
                if cond is sp.true:
                    parts.append(self._print(value))
                else:
                    parts += [self._print(value), self._print(cond)]
            return f"piecewise({', '.join(parts)})"

        def _print_And(self, expr):
            return " && ".join(f"({self._print(a)})" for a in expr.args)

        def _print_Or(self, expr):
            return " || ".join(f"({self._print(a)})" for a in expr.args)

        def _print_Not(self, expr):
            return f"!({self._print(expr.args[0])})"

        def _print_BooleanTrue(self, expr):
            return "true"

        def _print_BooleanFalse(self, expr):
            return "false"

        def _print_Exp1(self, expr):
            return "exponentiale"

        def _print_Pi(self, expr):
            # the constant, even where a model id named pi shadows L3's ``pi``
            return "acos(-1)"

        def _print_log(self, expr):
            return f"ln({self._print(expr.args[0])})"

    return _L3Printer()


def to_l3(expr: sp.Basic) -> str:
    """Infix text that libsbml's L3 parser reads back to the same MathML."""
    return _l3_printer().doprint(expr)
