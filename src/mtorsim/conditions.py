"""Experimental conditions in the words of a bench biologist, translated to parameters.

``Conditions(growth_factor=0, inhibit={"mTORC1": 0.9})`` becomes ``{"GF": 0.0,
"inhibit_mTORC1": 0.9}`` for the default network; the engine only ever sees parameters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from mtorsim.engine.codegen import CompiledNetwork
from mtorsim.engine.schedule import validate_values
from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.network.hooks import hook_parameter, inhibitable_nodes

__all__ = ["Conditions", "parse_assignment"]


def _fraction(label: str, value: float) -> float:
    v = float(value)
    if math.isnan(v) or not 0.0 <= v <= 1.0:
        raise MtorsimError(f"{label} is {value}; give a fraction between 0 and 1")
    return v


def _non_negative(label: str, value: float) -> float:
    v = float(value)
    if math.isnan(v) or math.isinf(v) or v < 0:
        raise MtorsimError(f"{label} is {value}; give a finite value >= 0")
    return v


@dataclass(frozen=True)
class Conditions:
    """Inputs and inhibitions for one simulated experiment (default network).

    Parameters
    ----------
    growth_factor : float
        Growth-factor/insulin stimulus (1 = full serum, 0 = starved); parameter ``GF``.
    amino_acids : float
        Amino-acid supply (1 = replete, 0 = withdrawn); parameter ``AA``.
    energy_stress : float
        Energy stress 0-1 (AMPK activation via LKB1); parameter ``ENERGY_STRESS``.
    inhibit : dict
        Node -> fraction of its activity blocked (0-1), through the inhibition hooks.
    parameters : dict
        Any other parameter values (genotype levels, rate constants).
    """

    growth_factor: float = 1.0
    amino_acids: float = 1.0
    energy_stress: float = 0.0
    inhibit: Mapping[str, float] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "growth_factor", _non_negative("growth factor", self.growth_factor)
        )
        object.__setattr__(self, "amino_acids", _non_negative("amino acids", self.amino_acids))
        object.__setattr__(self, "energy_stress", _fraction("energy stress", self.energy_stress))
        object.__setattr__(
            self,
            "inhibit",
            {k: _fraction(f"inhibition of {k}", v) for k, v in dict(self.inhibit).items()},
        )
        params = validate_values("parameter", dict(self.parameters))
        object.__setattr__(self, "parameters", params)

    def to_parameters(self, compiled: CompiledNetwork) -> dict[str, float]:
        """Parameter values for ``compiled`` (checks every name against it)."""
        out: dict[str, float] = {}
        names = set(compiled.parameters)
        for pname, value, default in (
            ("GF", self.growth_factor, 1.0),
            ("AA", self.amino_acids, 1.0),
            ("ENERGY_STRESS", self.energy_stress, 0.0),
        ):
            if pname in names:
                out[pname] = value
            elif value != default:
                raise MtorsimError(
                    f"this network has no input {pname!r}; set it through "
                    "parameters or use the default network"
                )
        nodes = inhibitable_nodes(compiled.network)
        for node, frac in self.inhibit.items():
            if hook_parameter(node) not in names:
                raise UnknownNameError("node", node, nodes)
            out[hook_parameter(node)] = frac
        for k, v in self.parameters.items():
            compiled.parameter_index(k)
            out[k] = v
        return out


def parse_assignment(text: str, what: str = "assignment") -> tuple[str, float]:
    """Parse ``NAME=VALUE`` from the command line."""
    if "=" not in text:
        raise MtorsimError(f"{what} {text!r} must look like NAME=VALUE (e.g. mTORC1=0.9)")
    name, _, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise MtorsimError(f"{what} {text!r}: {value!r} is not a number") from None
