"""MathML (libsbml's AST) to sympy, for the SBML importer.

One translation for every place SBML holds math (rate laws, rules, initial assignments,
event triggers, delays, priorities and assignments): functions, relations, logic,
piecewise, ``rateOf`` and ``delay`` (kept as calls, resolved by the importer). Functions
the network's expressions lack are written in the ones they have (sinh, sec, arcsinh, ...
through exp, log, sin, cos, asin, acos, atan, sqrt); unknown elements are refused by name.
"""

from __future__ import annotations

import re

import libsbml
import sympy as sp

from mtorsim.errors import SBMLError

__all__ = ["DELAY", "RATE_OF", "math_of", "scalar_ci_type", "text_of", "translate"]


_FUNC = {
    libsbml.AST_FUNCTION_EXP: sp.exp,
    libsbml.AST_FUNCTION_LN: sp.log,
    libsbml.AST_FUNCTION_ABS: sp.Abs,
    libsbml.AST_FUNCTION_FLOOR: sp.floor,
    libsbml.AST_FUNCTION_CEILING: sp.ceiling,
    libsbml.AST_FUNCTION_SIN: sp.sin,
    libsbml.AST_FUNCTION_COS: sp.cos,
    libsbml.AST_FUNCTION_TAN: sp.tan,
    libsbml.AST_FUNCTION_TANH: sp.tanh,
    libsbml.AST_FUNCTION_ARCSIN: sp.asin,
    libsbml.AST_FUNCTION_ARCCOS: sp.acos,
    libsbml.AST_FUNCTION_ARCTAN: sp.atan,
    libsbml.AST_FUNCTION_ARCSEC: lambda x: sp.acos(1 / x),
    libsbml.AST_FUNCTION_ARCCSC: lambda x: sp.asin(1 / x),
    libsbml.AST_FUNCTION_ARCCOT: lambda x: sp.atan(1 / x),
    # in the functions network expressions have (exp, log, sin, cos, sqrt)
    libsbml.AST_FUNCTION_SINH: lambda x: (sp.exp(x) - sp.exp(-x)) / 2,
    libsbml.AST_FUNCTION_COSH: lambda x: (sp.exp(x) + sp.exp(-x)) / 2,
    libsbml.AST_FUNCTION_SECH: lambda x: 2 / (sp.exp(x) + sp.exp(-x)),
    libsbml.AST_FUNCTION_CSCH: lambda x: 2 / (sp.exp(x) - sp.exp(-x)),
    libsbml.AST_FUNCTION_COTH: lambda x: (sp.exp(x) + sp.exp(-x)) / (sp.exp(x) - sp.exp(-x)),
    libsbml.AST_FUNCTION_SEC: lambda x: 1 / sp.cos(x),
    libsbml.AST_FUNCTION_CSC: lambda x: 1 / sp.sin(x),
    libsbml.AST_FUNCTION_COT: lambda x: sp.cos(x) / sp.sin(x),
    # odd, written so that neither branch cancels to log(0) for large |x|
    libsbml.AST_FUNCTION_ARCSINH: lambda x: sp.Piecewise(
        (sp.log(x + sp.sqrt(x**2 + 1)), x >= 0), (-sp.log(-x + sp.sqrt(x**2 + 1)), True)
    ),
    libsbml.AST_FUNCTION_ARCCOSH: lambda x: sp.log(x + sp.sqrt(x**2 - 1)),
    libsbml.AST_FUNCTION_ARCTANH: lambda x: sp.log((1 + x) / (1 - x)) / 2,
    libsbml.AST_FUNCTION_ARCSECH: lambda x: sp.log((1 + sp.sqrt(1 - x**2)) / x),
    libsbml.AST_FUNCTION_ARCCSCH: lambda x: sp.log(1 / x + sp.sqrt(1 / x**2 + 1)),
    libsbml.AST_FUNCTION_ARCCOTH: lambda x: sp.log((x + 1) / (x - 1)) / 2,
}
_REL = {
    libsbml.AST_RELATIONAL_LT: sp.Lt,
    libsbml.AST_RELATIONAL_LEQ: sp.Le,
    libsbml.AST_RELATIONAL_GT: sp.Gt,
    libsbml.AST_RELATIONAL_GEQ: sp.Ge,
    libsbml.AST_RELATIONAL_EQ: sp.Eq,
    libsbml.AST_RELATIONAL_NEQ: sp.Ne,
}
_LOGIC = {
    libsbml.AST_LOGICAL_AND: sp.And,
    libsbml.AST_LOGICAL_OR: sp.Or,
    libsbml.AST_LOGICAL_XOR: sp.Xor,
}


def translate(node: libsbml.ASTNode, where: str) -> sp.Basic:
    t = node.getType()
    kids = [translate(node.getChild(i), where) for i in range(node.getNumChildren())]
    if node.isInteger():
        return sp.Integer(node.getInteger())
    if node.isReal() or t in (libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
        return sp.Float(node.getReal())
    if t == libsbml.AST_NAME_TIME:
        return sp.Symbol("time", real=True)
    if t == libsbml.AST_NAME_AVOGADRO:
        return sp.Float(6.02214076e23)
    if t == libsbml.AST_NAME:
        return sp.Symbol(node.getName(), real=True)
    if t == libsbml.AST_CONSTANT_E:
        return sp.E
    if t == libsbml.AST_CONSTANT_PI:
        return sp.pi
    if t == libsbml.AST_CONSTANT_TRUE:
        return sp.true
    if t == libsbml.AST_CONSTANT_FALSE:
        return sp.false
    if t == libsbml.AST_PLUS:
        return sp.Add(*kids) if kids else sp.Integer(0)
    if t == libsbml.AST_MINUS:
        return -kids[0] if len(kids) == 1 else kids[0] - kids[1]
    if t == libsbml.AST_TIMES:
        return sp.Mul(*kids) if kids else sp.Integer(1)
    if t == libsbml.AST_DIVIDE:
        return kids[0] / kids[1]
    if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
        return kids[0] ** kids[1]
    if t == libsbml.AST_FUNCTION_ROOT:
        return kids[-1] ** (1 / kids[0]) if len(kids) == 2 else sp.sqrt(kids[0])
    if t == libsbml.AST_FUNCTION_LOG:
        return sp.log(kids[-1], kids[0]) if len(kids) == 2 else sp.log(kids[0], 10)
    if t in _FUNC:
        return _FUNC[t](*kids)
    if t in _REL:
        return _REL[t](*kids)
    if t in _LOGIC:
        return _LOGIC[t](*kids)
    if t == libsbml.AST_LOGICAL_NOT:
        return sp.Not(kids[0])
    if t == libsbml.AST_LOGICAL_IMPLIES:
        return sp.Or(sp.Not(kids[0]), kids[1])
    if t == libsbml.AST_FUNCTION_FACTORIAL:
        n = kids[0]
        if not (n.is_number and float(n) >= 0 and float(n) == int(float(n))):
            raise SBMLError(
                f"{where}: factorial({n}) of a value that is not a constant whole number; "
                "not supported"
            )
        return sp.factorial(sp.Integer(int(float(n))))
    if t == libsbml.AST_FUNCTION_PIECEWISE:
        pieces = [(kids[i], kids[i + 1]) for i in range(0, len(kids) - 1, 2)]
        otherwise = kids[-1] if len(kids) % 2 else sp.nan
        return sp.Piecewise(*pieces, (otherwise, True))
    if t == libsbml.AST_FUNCTION_DELAY:
        return DELAY(*kids)  # the importer takes it where it can (assignment rules only)
    if t == getattr(libsbml, "AST_FUNCTION_MAX", None):
        return sp.Max(*kids)
    if t == getattr(libsbml, "AST_FUNCTION_MIN", None):
        return sp.Min(*kids)
    if t == getattr(libsbml, "AST_FUNCTION_RATE_OF", None):
        return RATE_OF(*kids)  # resolved to the target's rate once the reactions are known
    raise SBMLError(f"{where}: unsupported MathML element {node.getName() or t!r}")


def math_of(node: libsbml.ASTNode | None, where: str) -> sp.Basic:
    if node is None:
        raise SBMLError(f"{where}: missing math")
    return translate(node, where)


#: ``rateOf(x)`` as read; :mod:`mtorsim.network.sbml_import` replaces it by x's rate of change.
RATE_OF = sp.Function("rateOf")
#: ``delay(x, d)`` as read: x's value d time units ago (an output-only assignment rule can
#: hold it; :mod:`mtorsim.network.sbml_import` refuses it anywhere else)
DELAY = sp.Function("delay")


class _TextPrinter(sp.printing.str.StrPrinter):
    """sympy's text, but constants as calls (``exp(1)``, ``acos(-1)``), never as names a
    model id may hold (``E``, ``pi``, ``I``), and abs/min/max as the network's functions."""

    def _print_Exp1(self, expr: sp.Basic) -> str:
        return "exp(1)"

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "acos(-1)"

    def _print_ImaginaryUnit(self, expr: sp.Basic) -> str:
        return "sqrt(-1)"

    def _print_Abs(self, expr: sp.Basic) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Min(self, expr: sp.Basic) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr: sp.Basic) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"


_TEXT = _TextPrinter()


def text_of(expr: sp.Basic) -> str:
    """Expression text for a Network (sympy syntax; the network parser reads it, with the
    model's ids as names: a species ``E`` and Euler's number print differently)."""
    if expr.has(DELAY):
        raise SBMLError(
            "delay() in a rate law, rate rule or a rule they use: a delay differential "
            "equation; not supported (only assignment rules read by nothing else may delay)"
        )
    return _TEXT.doprint(expr)


def math_owners(model: libsbml.Model) -> list[tuple[str, libsbml.SBase]]:
    """Every element of the model that holds math (rules, initial assignments, kinetic
    laws, event triggers, delays, priorities and assignments), with how an error names it."""
    owners: list[tuple[str, libsbml.SBase]] = []
    for r in model.getListOfRules():
        owners.append((f"rule for {r.getVariable()!r}" if r.getVariable() else "algebraic rule", r))
    for ia in model.getListOfInitialAssignments():
        owners.append((f"initial assignment of {ia.getSymbol()!r}", ia))
    for rx in model.getListOfReactions():
        if rx.isSetKineticLaw():
            owners.append((f"kinetic law of {rx.getId()!r}", rx.getKineticLaw()))
    for e in model.getListOfEvents():
        for part in (e.getTrigger(), e.getDelay(), e.getPriority(), *e.getListOfEventAssignments()):
            owners.append((f"event {e.getId() or '(unnamed)'!r}", part))
    return [(what, o) for what, o in owners if o is not None and o.isSetMath()]


def names_in(node: libsbml.ASTNode, *, delays: bool = False) -> set[str]:
    """The names ``node``'s math reads (and ``"delay"`` if it calls delay(), with ``delays``)."""
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.getType() == libsbml.AST_NAME:
            out.add(n.getName())
        elif delays and n.getType() == libsbml.AST_FUNCTION_DELAY:
            out.add("delay")
        stack.extend(n.getChild(i) for i in range(n.getNumChildren()))
    return out


_TYPE_ON = re.compile(rb"""<(?:\w+:)?(\w+)\b[^>]*?\btype\s*=\s*["']([^"']*)["']""")


def scalar_ci_type(error: libsbml.SBMLError, text: bytes) -> bool:
    """Whether libsbml's error is only a ``type`` attribute on ``<ci>`` naming a scalar
    kind (``<ci type="integer"> k </ci>``, written by d2d/arFramework exports): MathML 2
    allows it, SBML's subset does not, and it changes nothing (a ci's value is the named
    object's), so such a file is read as if it were absent. ``type`` anywhere else (or
    another kind, such as a vector) stays an error."""
    if error.getErrorId() != libsbml.DisallowedMathTypeAttributeUse or "'type'" not in (
        error.getMessage()
    ):
        return False
    lines = text.splitlines()
    if not 1 <= error.getLine() <= len(lines):
        return False
    found = [
        (tag, kind) for tag, kind in _TYPE_ON.findall(lines[error.getLine() - 1]) if tag != b"cn"
    ]
    return bool(found) and all(
        tag == b"ci" and kind.strip() in (b"integer", b"real") for tag, kind in found
    )


def nullary_calls_as_names(model: libsbml.Model) -> None:
    """Read ``<apply><ci> k </ci></apply>`` (k applied to nothing) as ``<ci> k </ci>``
    when k names a model value, not a function: outside SBML (a ci first in an apply must
    name a function definition), but written by d2d/arFramework exports (PEtab's
    Beer_MolBioSystems2014), and libRoadRunner reads it so. Applied to arguments, or
    naming nothing, it stays the error libsbml reports."""
    functions = {f.getId() for f in model.getListOfFunctionDefinitions()}
    for _, owner in math_owners(model):
        math = owner.getMath().deepCopy()
        stack, changed = [math], False
        while stack:
            n = stack.pop()
            name = n.getName() if n.getType() == libsbml.AST_FUNCTION else None
            nullary = name and not n.getNumChildren() and name not in functions
            if nullary and model.getElementBySId(name) is not None:
                n.setType(libsbml.AST_NAME)
                changed = True
            stack.extend(n.getChild(i) for i in range(n.getNumChildren()))
        if changed:
            owner.setMath(math)
