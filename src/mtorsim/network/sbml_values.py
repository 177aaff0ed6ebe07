"""What an SBML file says, or fails to say, about its values: ids left without a value,
compartments of size 0, and the provenance mtorsim's own export writes (so a round trip
keeps each value's unit and source)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping

import libsbml
import sympy as sp

from mtorsim.errors import SBMLError
from mtorsim.network.components import Observable

__all__ = [
    "SBMLValueWarning",
    "check_compartment_sizes",
    "check_finite_law",
    "described",
    "observable",
    "provenance",
    "traced_source",
    "warn_unset",
]


class SBMLValueWarning(UserWarning):
    """An SBML id has no value, initial assignment or rule, so it starts at 0."""


def warn_unset(model: libsbml.Model, given: Iterable[str], path: str) -> None:
    """Warn about species and parameters with no value that no formula sets either."""
    given = set(given)
    unset = [
        f"species {s.getId()!r}"
        for s in model.getListOfSpecies()
        if not (s.isSetInitialConcentration() or s.isSetInitialAmount()) and s.getId() not in given
    ] + [
        f"parameter {p.getId()!r}"
        for p in model.getListOfParameters()
        if not p.isSetValue() and p.getId() not in given
    ]
    if unset:
        warnings.warn(
            f"{path}: {', '.join(unset[:5])}{' and more' if len(unset) > 5 else ''} "
            "has no value, initial assignment or rule: taken as 0 (give it a value)",
            SBMLValueWarning,
            stacklevel=4,
        )


def check_compartment_sizes(
    values: Mapping[str, float], concentrations: Mapping[str, list[str]], path: str
) -> None:
    """A compartment of size 0 leaves its species' concentrations undefined: refuse it."""
    for cid, held in concentrations.items():
        if values.get(cid) == 0.0 and held:
            raise SBMLError(
                f"{path}: compartment {cid!r} has size 0, so the concentrations of its "
                f"species ({', '.join(held[:3])}) are undefined; give it a size"
            )


def check_finite_law(law: sp.Basic, reaction: libsbml.Reaction, path: str) -> None:
    """A kinetic law that simplifies to infinity (``k/0``) names its reaction, not sympy's
    ``zoo``."""
    if law.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        math = libsbml.formulaToL3String(reaction.getKineticLaw().getMath())
        raise SBMLError(
            f"{path}: the kinetic law of reaction {reaction.getId()!r} divides by zero or is "
            f"infinite ({math}); fix its math"
        )


def provenance(sbase: libsbml.SBase) -> dict[str, str]:
    """The ``mtorsim:provenance`` annotation an export wrote (unit, source, description);
    empty for other files."""
    from mtorsim.network.sbml_export import MTORSIM_NS

    if not sbase.isSetAnnotation():
        return {}
    ann = sbase.getAnnotation()
    for i in range(ann.getNumChildren()):
        node = ann.getChild(i)
        if node.getURI() == MTORSIM_NS and node.getName() == "provenance":
            attrs = node.getAttributes()
            return {attrs.getName(k): attrs.getValue(k) for k in range(attrs.getLength())}
    return {}


def described(
    sbase: libsbml.SBase, value: float, unit: str, description: str, source: str, path: str
) -> dict[str, str]:
    """``unit``, ``description`` and ``source`` of an SBML id: an mtorsim export's own where
    it wrote them (a file mtorsim wrote keeps its sources), else the file's."""
    own = provenance(sbase)
    return {
        "unit": own.get("unit", unit),
        "description": own.get("description", description),
        "source": traced_source(own, value, source, path),
    }


def traced_source(own: Mapping[str, str], value: float, default: str, path: str) -> str:
    """The exported source while the value is the one exported with it; a value another
    tool changed since says so, and where it came from."""
    if "source" not in own:
        return default
    if "value" in own and not math.isclose(float(own["value"]), float(value), rel_tol=1e-12):
        return f"SBML ({path}): changed from {own['value']} ({own['source']})"
    return own["source"]


def observable(model: libsbml.Model, name: str, expression: str) -> Observable:
    """An assignment rule's target as an observable, with its export's own description."""
    target = model.getElementBySId(name)
    own = provenance(target) if target is not None else {}
    return Observable(
        name, expression, own.get("unit", "1"), own.get("description", "SBML assignment rule")
    )
