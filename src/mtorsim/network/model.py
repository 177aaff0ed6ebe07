"""The :class:`Network`: an immutable, validated collection of network components.

Editing returns a new network (``add``, ``remove_reaction``, ``replace_reaction``,
``with_parameters``), so a network object that passed validation stays valid and can be
shared between simulations and threads.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from mtorsim.errors import NetworkError, UnknownNameError
from mtorsim.network.components import Observable, Parameter, Reaction, Species
from mtorsim.network.expressions import dimension_of, identifiers, parse_expression, parse_unit

if TYPE_CHECKING:
    import pandas as pd
    import sympy as sp

__all__ = ["Network"]

Component = Species | Parameter | Observable | Reaction

_VALIDATED: set[str] = set()  # validation keys passed in this process
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNITS_OK: set[tuple] = set()  # (expression, its names' units, ...) whose units checked out


@lru_cache(maxsize=1)
def _validator_source() -> str:
    """The code that decides validity: a record is void once any of it changes."""
    here = Path(__file__).parent
    return "".join((here / n).read_text() for n in ("model.py", "expressions.py"))


def _record_dir() -> Path:
    root = os.environ.get("MTORSIM_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "mtorsim") / "validated"


@dataclass(frozen=True)
class Network:
    """A reaction network whose model is data: species, parameters, observables, reactions.

    Parameters
    ----------
    name : str
        Name of the model (SBML model id).
    species, parameters, observables, reactions : tuple
        The components. Names are unique across species, parameters and observables.
    time_unit : str
        Unit of time of the rate laws (``"h"`` for mtorsim's own networks).
    source : str
        Where the model comes from.
    check_units : bool
        Check that every rate has the unit ``species unit / time unit``.

    Examples
    --------
    >>> from mtorsim.network import default_network
    >>> net = default_network().with_parameters(GF=0.0)
    >>> net.parameter("GF").value
    0.0
    """

    name: str
    species: tuple[Species, ...]
    parameters: tuple[Parameter, ...]
    reactions: tuple[Reaction, ...]
    observables: tuple[Observable, ...] = ()
    time_unit: str = "h"
    source: str = ""
    check_units: bool = True
    _index: dict[str, Component] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for attr in ("species", "parameters", "reactions", "observables"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        index: dict[str, Component] = {}
        for comp in (*self.species, *self.parameters, *self.observables):
            if comp.name in index:
                raise NetworkError(f"name {comp.name!r} is defined twice; names must be unique")
            index[comp.name] = comp
        reaction_names = [r.name for r in self.reactions]
        dup = {n for n in reaction_names if reaction_names.count(n) > 1}
        if dup:
            raise NetworkError(f"reaction name(s) {sorted(dup)} defined twice")
        object.__setattr__(self, "_index", index)
        self.validate()

    # ---------------------------------------------------------------- look-up
    @property
    def species_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.species)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def observable_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.observables)

    @property
    def readout_names(self) -> tuple[str, ...]:
        """Species and observables: every quantity a simulation reports."""
        return self.species_names + self.observable_names

    def _get(self, kind: type, name: str, label: str):
        comp = self._index.get(name)
        if not isinstance(comp, kind):
            known = [c.name for c in self._index.values() if isinstance(c, kind)]
            raise UnknownNameError(label, name, known)
        return comp

    def species_(self, name: str) -> Species:
        return self._get(Species, name, "species")

    def parameter(self, name: str) -> Parameter:
        return self._get(Parameter, name, "parameter")

    def observable(self, name: str) -> Observable:
        return self._get(Observable, name, "observable")

    def reaction(self, name: str) -> Reaction:
        for r in self.reactions:
            if r.name == name:
                return r
        raise UnknownNameError("reaction", name, [r.name for r in self.reactions])

    def __contains__(self, name: str) -> bool:
        return name in self._index or any(r.name == name for r in self.reactions)

    # ---------------------------------------------------------------- validation
    @cached_property
    def _symbols(self) -> dict[str, sp.Symbol]:
        import sympy as sp

        return {n: sp.Symbol(n, real=True) for n in self._index}

    def parsed_observables(self) -> dict[str, sp.Expr]:
        """Observable expressions, in definition order (later ones may use earlier ones)."""
        out: dict[str, sp.Expr] = {}
        allowed = set(self.species_names) | set(self.parameter_names)
        for obs in self.observables:
            try:
                out[obs.name] = parse_expression(obs.expression, allowed | set(out))
            except NetworkError as exc:
                raise NetworkError(f"observable {obs.name!r}: {exc}") from None
        return out

    def parsed_rates(self) -> dict[str, sp.Expr]:
        names = self._index.keys()
        out = {}
        for r in self.reactions:
            try:
                out[r.name] = parse_expression(r.rate, names)
            except NetworkError as exc:
                raise NetworkError(f"reaction {r.name!r}: {exc}") from None
        return out

    def _validation_key(self) -> str:
        """Hash of everything :meth:`validate` reads (not values) and of the validator."""
        structure = repr(
            (
                [(s.name, s.unit) for s in self.species],
                [(p.name, p.unit) for p in self.parameters],
                [(o.name, o.expression, o.unit) for o in self.observables],
                [(r.name, r.rate, sorted(r.stoichiometry.items())) for r in self.reactions],
                self.time_unit,
                self.check_units,
            )
        )
        return hashlib.sha256((structure + _validator_source()).encode()).hexdigest()[:24]

    def _validated_before(self, key: str) -> bool:
        if key in _VALIDATED:
            return True
        try:
            return (_record_dir() / key).exists()
        except OSError:
            return False

    @staticmethod
    def _record_valid(key: str) -> None:
        _VALIDATED.add(key)
        try:
            folder = _record_dir()
            folder.mkdir(parents=True, exist_ok=True)
            (folder / key).touch()  # an empty file: creating it is atomic
        except OSError:
            pass  # no cache folder: validate again next time

    def validate(self) -> None:
        """Check names, stoichiometry, dangling species and (optionally) units.

        Parsing and unit checks need sympy and take most of a second for the default
        network, so a structure that passed them before with the same validator source
        is not checked again: a record (an empty file named by the hash of the structure,
        units and validator source) in ``$MTORSIM_CACHE_DIR/validated`` (or
        ``~/.cache/mtorsim/validated``) says so. Name checks, dangling species and
        unknown species in reactions are always checked (they are cheap).
        """
        species = set(self.species_names)
        for r in self.reactions:
            for s in (*r.reactants, *r.products):
                if s not in species:
                    raise NetworkError(
                        f"reaction {r.name!r} names species {s!r}, which is not defined; "
                        "add it with Network.add(Species(...))"
                    )
        key = self._validation_key()
        known = self._validated_before(key)
        if not known:
            observables = self.parsed_observables()
            rates = self.parsed_rates()
        changed = {s for r in self.reactions for s in r.stoichiometry}
        dangling = species - changed
        if dangling:
            raise NetworkError(
                f"species {sorted(dangling)} are changed by no reaction; make them parameters "
                "or add a reaction"
            )
        if known:
            return
        if self.check_units:
            self._check_units(observables, rates)
        self._record_valid(key)

    def _check_units(self, observables: Mapping[str, sp.Expr], rates: Mapping[str, sp.Expr]):
        import sympy as sp

        def same(a: sp.Expr, b: sp.Expr) -> bool:
            ratio = a / b  # monomials in positive unit symbols cancel on their own
            return ratio == 1 or sp.simplify(ratio) == 1

        def key(expression: str, *extra: str) -> tuple:
            # what the check of one expression depends on: its text and its names' units
            names = sorted(set(_NAME.findall(expression)) & declared.keys())
            return (expression, tuple((n, declared[n]) for n in names), self.time_unit, *extra)

        declared = {c.name: c.unit for c in (*self.species, *self.parameters, *self.observables)}
        units: dict[str, sp.Expr] = {"time": parse_unit(self.time_unit)}
        for comp in (*self.species, *self.parameters):
            units[comp.name] = parse_unit(comp.unit)
        for obs in self.observables:
            unit = parse_unit(obs.unit)
            units[obs.name] = unit
            k = key(obs.expression, obs.unit)
            if k in _UNITS_OK:
                continue
            try:
                actual = dimension_of(observables[obs.name], units)
            except NetworkError as exc:
                raise NetworkError(f"observable {obs.name!r}: {exc}") from None
            if not same(actual, unit):
                raise NetworkError(
                    f"observable {obs.name!r} is declared in {obs.unit!r} but its expression "
                    f"has units {actual}; fix the expression or the unit"
                )
            _UNITS_OK.add(k)
        per_time = 1 / parse_unit(self.time_unit)
        for r in self.reactions:
            k = key(r.rate, *sorted({self.species_(s).unit for s in r.stoichiometry}))
            if k in _UNITS_OK:
                continue
            try:
                actual = dimension_of(rates[r.name], units)
            except NetworkError as exc:
                raise NetworkError(f"reaction {r.name!r}: {exc}") from None
            for s in r.stoichiometry:
                expected = parse_unit(self.species_(s).unit) * per_time
                if not same(actual, expected):
                    raise NetworkError(
                        f"unit mismatch in reaction {r.name!r}: rate has units {actual}, "
                        f"species {s!r} needs {expected}; fix the rate constants' units"
                    )
            _UNITS_OK.add(k)

    # ---------------------------------------------------------------- editing
    def add(self, *components: Component) -> Network:
        """Return a new network with the components added."""
        sp_, pa, ob, re = (
            list(self.species),
            list(self.parameters),
            list(self.observables),
            list(self.reactions),
        )
        for c in components:
            {Species: sp_, Parameter: pa, Observable: ob, Reaction: re}[type(c)].append(c)
        return replace(self, species=sp_, parameters=pa, observables=ob, reactions=re)

    def remove_reaction(self, name: str) -> Network:
        self.reaction(name)
        return replace(self, reactions=[r for r in self.reactions if r.name != name])

    def replace_reaction(self, reaction: Reaction) -> Network:
        self.reaction(reaction.name)
        return replace(
            self, reactions=[reaction if r.name == reaction.name else r for r in self.reactions]
        )

    def with_parameters(self, values: Mapping[str, float] | None = None, **kw: float) -> Network:
        """Return a new network with parameter values replaced (sources kept)."""
        updates = {**(values or {}), **kw}
        for name, value in updates.items():
            self.parameter(name)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                raise NetworkError(f"parameter {name!r}: value is NaN; give a finite number")
        params = [
            replace(p, value=float(updates[p.name])) if p.name in updates else p
            for p in self.parameters
        ]
        return replace(self, parameters=params)

    def with_initials(self, values: Mapping[str, float], source: str | None = None) -> Network:
        """A copy with these initial amounts (and ``source`` as theirs, where given)."""
        for name in values:
            self.species_(name)
        sps = [
            replace(s, initial=float(values[s.name]), source=source or s.source)
            if s.name in values
            else s
            for s in self.species
        ]
        return replace(self, species=sps)

    # ---------------------------------------------------------------- tables
    def parameter_values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.parameters}

    def initial_values(self) -> dict[str, float]:
        return {s.name: s.initial for s in self.species}

    def table(self, kind: str) -> pd.DataFrame:
        """Species, parameters, observables or reactions as a DataFrame (for ``network show``)."""
        import pandas as pd

        if kind == "species":
            rows = [(s.name, s.initial, s.unit, s.description, s.source) for s in self.species]
            return pd.DataFrame(rows, columns=["name", "initial", "unit", "description", "source"])
        if kind == "parameters":
            rows = [(p.name, p.value, p.unit, p.description, p.source) for p in self.parameters]
            return pd.DataFrame(rows, columns=["name", "value", "unit", "description", "source"])
        if kind == "observables":
            rows = [(o.name, o.expression, o.unit, o.description) for o in self.observables]
            return pd.DataFrame(rows, columns=["name", "expression", "unit", "description"])
        if kind == "reactions":
            rows = [
                (
                    r.name,
                    " + ".join(r.reactants) or "∅",
                    " + ".join(r.products) or "∅",
                    r.rate,
                    r.description,
                )
                for r in self.reactions
            ]
            return pd.DataFrame(
                rows, columns=["name", "reactants", "products", "rate", "description"]
            )
        raise UnknownNameError("table", kind, ["species", "parameters", "observables", "reactions"])

    def stoichiometry_matrix(self) -> pd.DataFrame:
        """Species × reactions stoichiometry."""
        import pandas as pd

        df = pd.DataFrame(
            0, index=list(self.species_names), columns=[r.name for r in self.reactions], dtype=float
        )
        for r in self.reactions:
            for s, v in r.stoichiometry.items():
                df.loc[s, r.name] = v
        return df

    def modifiers(self, reaction: Reaction) -> set[str]:
        """Species and observables that act on ``reaction`` without being changed by it."""
        nodes = set(self.species_names) | set(self.observable_names)
        used = identifiers(reaction.rate, nodes)
        return (used & nodes) - set(reaction.stoichiometry)
