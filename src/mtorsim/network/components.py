"""The building blocks of a network: species, parameters, observables and reactions.

They are immutable records checked when built, so a bad value fails where it is written,
not deep inside a solver. Rate expressions are plain strings in species, parameter and
observable names (SBML L3 infix syntax: ``*``, ``/``, ``^``, functions such as ``exp``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from mtorsim.errors import NetworkError

__all__ = ["Observable", "Parameter", "Reaction", "Species"]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_id(kind: str, name: str) -> None:
    if not isinstance(name, str) or not _ID.match(name):
        raise NetworkError(
            f"{kind} name {name!r} is not a valid identifier; use letters, digits and '_', "
            "not starting with a digit"
        )


#: the source of a parameter that an imported SBML model had as a species held constant
#: (boundary or constant, no rule): exported again as such a species
HELD_SPECIES = "SBML species held constant"


def _check_value(kind: str, name: str, value: float, *, allow_negative: bool = False) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise NetworkError(f"{kind} {name!r}: value must be a number, got {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise NetworkError(f"{kind} {name!r}: value is {value}; give a finite number")
    if value < 0 and not allow_negative:
        raise NetworkError(f"{kind} {name!r}: value {value} is negative; give a value >= 0")


@dataclass(frozen=True)
class Species:
    """A dynamic quantity of the network.

    Parameters
    ----------
    name : str
        Identifier used in rate expressions and result columns.
    initial : float
        Initial amount in ``unit`` (default network: fraction of the total protein, 0-1).
    unit : str
        Unit of the amount, e.g. ``"1"`` (dimensionless fraction) or ``"nM"``.
    description : str
        What the species stands for (state, phospho-site).
    source : str
        Citation or data set for the initial value, or ``"assumed"``.
    """

    name: str
    initial: float
    unit: str = "1"
    description: str = ""
    source: str = "assumed"

    def __post_init__(self) -> None:
        _check_id("species", self.name)
        _check_value("species", self.name, self.initial)


@dataclass(frozen=True)
class Parameter:
    """A constant of the network with its unit and provenance.

    ``source`` is a citation (paper, data set) or the word ``"assumed"``; a calibrated
    parameter says what it was fitted to.
    """

    name: str
    value: float
    unit: str
    source: str = "assumed"
    description: str = ""
    allow_negative: bool = False  # imported SBML models may carry signed constants

    def __post_init__(self) -> None:
        _check_id("parameter", self.name)
        _check_value("parameter", self.name, self.value, allow_negative=self.allow_negative)
        if not self.source:
            raise NetworkError(
                f"parameter {self.name!r} has no source; give a citation or 'assumed'"
            )


@dataclass(frozen=True)
class Observable:
    """A named expression of species and parameters (a read-out or a derived activity).

    Observables may be used inside rate expressions; they are exported to SBML as
    assignment rules.
    """

    name: str
    expression: str
    unit: str = "1"
    description: str = ""

    def __post_init__(self) -> None:
        _check_id("observable", self.name)
        if not self.expression.strip():
            raise NetworkError(f"observable {self.name!r} has an empty expression")


@dataclass(frozen=True)
class Reaction:
    """A reaction with a rate law.

    Parameters
    ----------
    name : str
        Identifier.
    rate : str
        Rate expression in units of the species' unit per hour.
    reactants, products : tuple of str
        Species consumed and produced, one entry per stoichiometric unit. Activation of a
        fractional species is written as a product with an implicit inactive pool
        (``rate`` contains ``(1 - X)``).
    description : str
        What the reaction represents, with the mechanism.
    """

    name: str
    rate: str
    reactants: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    description: str = ""
    source: str = "assumed"
    stoichiometry: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_id("reaction", self.name)
        if not self.rate.strip():
            raise NetworkError(f"reaction {self.name!r} has an empty rate expression")
        if not self.reactants and not self.products:
            raise NetworkError(f"reaction {self.name!r} changes no species; add a product")
        object.__setattr__(self, "reactants", tuple(self.reactants))
        object.__setattr__(self, "products", tuple(self.products))
        stoich: dict[str, int] = {}
        for s in self.reactants:
            stoich[s] = stoich.get(s, 0) - 1
        for s in self.products:
            stoich[s] = stoich.get(s, 0) + 1
        object.__setattr__(self, "stoichiometry", {k: v for k, v in stoich.items() if v})
