"""What cells or patients are exposed to, in one vocabulary for every run.

``exposure=`` of :meth:`mtorsim.Model.simulate` takes any of these, or a list of them:

* :class:`Medium` — growth factor, amino acids, energy stress (bench conditions);
* :class:`Inhibition` — a fraction of a node's activity blocked (``Inhibition(mTORC1=0.9)``);
* a mapping ``{"everolimus": 10.0}`` — drugs at a constant concentration (nM) in cells;
* :class:`~mtorsim.pharmacology.regimen.Regimen` — a drug dosed to a patient with clinical PK;
* :class:`~mtorsim.pharmacology.treatment.Dose` — one recorded dose (a NONMEM event table row).

The engine only ever sees parameters; :func:`plan_exposure` sorts a user's exposure into the
parts that become parameters, medium concentrations or dosing events.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mtorsim.errors import MtorsimError

if TYPE_CHECKING:
    from mtorsim.pharmacology.regimen import Regimen

__all__ = ["ExposurePlan", "Inhibition", "Medium", "parse_assignment", "plan_exposure"]


def _number(label: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise MtorsimError(f"{label} is {value!r}; give a number") from None
    if math.isnan(v) or math.isinf(v):
        raise MtorsimError(f"{label} is {value}; give a finite number")
    return v


def _fraction(label: str, value: Any) -> float:
    v = _number(label, value)
    if not 0.0 <= v <= 1.0:
        raise MtorsimError(f"{label} is {value}; give a fraction between 0 and 1")
    return v


def _non_negative(label: str, value: Any) -> float:
    v = _number(label, value)
    if v < 0:
        raise MtorsimError(f"{label} is {value}; give a value >= 0")
    return v


@dataclass(frozen=True)
class Medium:
    """Bench conditions of the default network (1 = full serum, replete amino acids).

    ``growth_factor`` sets ``GF``, ``amino_acids`` sets ``AA`` and ``energy_stress`` (0-1,
    AMPK activation through LKB1) sets ``ENERGY_STRESS``.
    """

    growth_factor: float = 1.0
    amino_acids: float = 1.0
    energy_stress: float = 0.0

    def __post_init__(self) -> None:
        gf = _non_negative("growth factor", self.growth_factor)
        object.__setattr__(self, "growth_factor", gf)
        object.__setattr__(self, "amino_acids", _non_negative("amino acids", self.amino_acids))
        object.__setattr__(self, "energy_stress", _fraction("energy stress", self.energy_stress))

    def parameters(self) -> dict[str, float]:
        return {
            "GF": self.growth_factor,
            "AA": self.amino_acids,
            "ENERGY_STRESS": self.energy_stress,
        }


@dataclass(frozen=True, init=False)
class Inhibition:
    """Fractions of nodes' activity blocked, e.g. ``Inhibition(mTORC1=0.9, MEK=0.5)``.

    The node's own level is untouched; its action on every substrate is scaled by
    ``1 - fraction`` through the network's ``inhibit_<node>`` hooks (no recompilation).
    """

    fractions: Mapping[str, float] = field(default_factory=dict)

    def __init__(self, fractions: Mapping[str, float] | None = None, /, **nodes: float) -> None:
        merged = {**dict(fractions or {}), **nodes}
        checked = {str(k): _fraction(f"inhibition of {k}", v) for k, v in merged.items()}
        object.__setattr__(self, "fractions", checked)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.fractions.items())))


@dataclass
class ExposurePlan:
    """An exposure sorted by how it reaches the network."""

    medium: Medium | None = None
    inhibition: dict[str, float] = field(default_factory=dict)
    concentrations_nM: dict[str, float] = field(default_factory=dict)
    regimens: list[Regimen] = field(default_factory=list)
    doses: list[Any] = field(default_factory=list)

    @property
    def drugs(self) -> list[str]:
        return [*self.concentrations_nM, *(r.drug for r in [*self.regimens, *self.doses])]

    @property
    def dosed(self) -> bool:
        """Whether this is a patient (regimens or dose records), not cells."""
        return bool(self.regimens or self.doses)


def _drug_name(name: str) -> str:
    """The library's name of a drug (aliases and case folded); an unknown name is kept for
    the caller's own error, which suggests close names."""
    from mtorsim.pharmacology.catalogue import get_drug

    try:
        return get_drug(name).name
    except MtorsimError:
        return name


def plan_exposure(exposure: Any) -> ExposurePlan:
    """Sort ``exposure`` (one item or a list) into medium, inhibition, drugs and regimens."""
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.treatment import Dose

    plan = ExposurePlan()
    items = (
        list(exposure)
        if isinstance(exposure, list | tuple)
        else ([] if exposure is None else [exposure])
    )
    for item in items:
        if isinstance(item, Medium):
            if plan.medium is not None:
                raise MtorsimError("give at most one Medium in an exposure")
            plan.medium = item
        elif isinstance(item, Inhibition):
            plan.inhibition.update(item.fractions)
        elif isinstance(item, Regimen):
            plan.regimens.append(item)
        elif isinstance(item, Dose):
            plan.doses.append(item)
        elif isinstance(item, Mapping):
            for drug, conc in item.items():
                c = _non_negative(f"concentration of {drug}", conc)
                name = _drug_name(str(drug))
                if name in plan.concentrations_nM:
                    raise MtorsimError(
                        f"{drug!r} is {name}, which the exposure already gives "
                        f"({plan.concentrations_nM[name]:g} nM); give each drug once"
                    )
                plan.concentrations_nM[name] = c
        else:
            raise MtorsimError(
                f"exposure {item!r} is not understood; give Medium(...), Inhibition(...), "
                "Regimen(...), Dose(...) or {drug: nM}, or a list of these"
            )
    if plan.dosed and plan.concentrations_nM:
        raise MtorsimError(
            "an exposure is either cells at constant concentrations ({drug: nM}) or a "
            "patient on regimens (Regimen), not both"
        )
    return plan


def parse_assignment(text: str, what: str = "assignment") -> tuple[str, float]:
    """Parse ``NAME=VALUE`` (command-line style)."""
    if "=" not in text:
        raise MtorsimError(f"{what} {text!r} must look like NAME=VALUE (e.g. mTORC1=0.9)")
    name, _, value = text.partition("=")
    try:
        v = float(value)
    except ValueError:
        raise MtorsimError(f"{what} {text!r}: {value!r} is not a number") from None
    if math.isnan(v):
        raise MtorsimError(f"{what} {text!r}: the value is NaN; give a number")
    return name.strip(), v
