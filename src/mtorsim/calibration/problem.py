"""A calibration problem: a model, its conditions, measurements, observables and parameters.

The tables follow PEtab v1 and are checked on the way in (:mod:`.petab_io`), so this module
only maps them to numbers: which parameters are free and on what scale, what each
condition sets, and which free parameters move the dynamics (need a new simulation when
perturbed) and which only move the read-out (scalings, noise): finite differences of the
latter reuse the base simulation.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError

if TYPE_CHECKING:
    import sympy as sp

    from mtorsim.model import Model

__all__ = ["CalibrationProblem", "parse_formula", "split_overrides"]

#: names PEtab formulas may use as functions (everything else is a symbol)
_FUNCTIONS = frozenset(
    {"exp", "log", "log10", "log2", "sqrt", "abs", "sin", "cos", "tan", "min", "max", "pow"}
)
_IDENT = re.compile(r"[A-Za-z_]\w*")


def parse_formula(text: str) -> sp.Expr:
    """A PEtab math string as a sympy expression whose every name is a plain symbol.

    ``sympify`` alone would read ``S``, ``E``, ``I`` or ``beta`` as sympy objects, and
    fail on ids that are Python keywords (``lambda``).
    """
    import sympy as sp

    from mtorsim.network.expressions import bind_names

    names = {n for n in _IDENT.findall(text) if n not in _FUNCTIONS}
    text, symbols = bind_names(text.replace("^", "**"), names)
    local: dict[str, Any] = dict(symbols)
    local.update({"log": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs, "pow": sp.Pow})
    local["log10"] = lambda x: sp.log(x, 10)
    local["log2"] = lambda x: sp.log(x, 2)
    local.update({"min": sp.Min, "max": sp.Max, "sin": sp.sin, "cos": sp.cos, "tan": sp.tan})
    return sp.sympify(text, locals=local)


def split_overrides(value: Any) -> list[float | str]:
    """A PEtab ``observableParameters``/``noiseParameters`` cell: numbers or parameter ids."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value).strip()
    if not text or text.lower() == "nan":
        return []
    out: list[float | str] = []
    for part in text.split(";"):
        part = part.strip()
        try:
            out.append(float(part))
        except ValueError:
            out.append(part)
    return out


def to_scale(x: np.ndarray | float, scale: np.ndarray | str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    scale = np.broadcast_to(np.asarray(scale, dtype=object), x.shape)
    out = x.copy()
    with np.errstate(divide="ignore"):
        out = np.where(scale == "log10", np.log10(np.maximum(x, 1e-300)), out)
        out = np.where(scale == "log", np.log(np.maximum(x, 1e-300)), out)
    return out


def from_scale(x: np.ndarray | float, scale: np.ndarray | str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    scale = np.broadcast_to(np.asarray(scale, dtype=object), x.shape)
    out = np.where(scale == "log10", 10.0**x, x)
    return np.where(scale == "log", np.exp(x), out)


@dataclass
class CalibrationProblem:
    """Checked PEtab tables plus the model they refer to.

    ``conditions`` is indexed by ``conditionId`` (values are numbers or parameter ids),
    ``observables`` by ``observableId``, ``parameters`` by ``parameterId`` (bounds and
    nominal values linear, ``estimate`` 0/1); ``measurements`` has numeric ``time`` and
    ``measurement``. ``initial_assignments`` maps species to formulas of parameters, which
    are re-evaluated for every parameter set (the importer evaluates them once).
    """

    model: Model
    sbml_path: Path
    conditions: pd.DataFrame
    measurements: pd.DataFrame
    observables: pd.DataFrame
    parameters: pd.DataFrame
    name: str = "problem"
    source: str = ""
    initial_assignments: dict[str, str] = field(default_factory=dict)
    #: solver tolerances of the objective (tight, so that finite differences are accurate)
    rtol: float = 1e-8
    atol: float = 1e-14

    def __repr__(self) -> str:  # the tables are for .measurements etc., not a screenful
        return (
            f"CalibrationProblem({self.name!r}: {len(self.measurements)} measurements of "
            f"{len(self.observables)} observable(s) in {len(self.conditions)} condition(s), "
            f"{int((self.parameters['estimate'] == 1).sum())} of {len(self.parameters)} "
            f"parameters free; model {self.sbml_path.name})"
        )

    def __getstate__(self) -> dict[str, Any]:  # worker processes rebuild the compiled parts
        state = dict(self.__dict__)
        for key in ("objective", "_symbols"):
            state.pop(key, None)
        return state

    # ------------------------------------------------------------------ free parameters
    @cached_property
    def free(self) -> pd.DataFrame:
        """The estimated parameters: scale and bounds (linear and scaled), nominal value."""
        df = self.parameters[self.parameters["estimate"] == 1].copy()
        scale = df["parameterScale"].to_numpy(dtype=object)
        df["lower_scaled"] = to_scale(df["lowerBound"].to_numpy(dtype=float), scale)
        df["upper_scaled"] = to_scale(df["upperBound"].to_numpy(dtype=float), scale)
        df["nominal_scaled"] = to_scale(df["nominalValue"].to_numpy(dtype=float), scale)
        return df

    @property
    def free_ids(self) -> list[str]:
        return list(self.free.index)

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds on the optimiser's (scaled) parameters."""
        return self.free["lower_scaled"].to_numpy(), self.free["upper_scaled"].to_numpy()

    @property
    def nominal(self) -> np.ndarray:
        """Nominal values of the free parameters on their scale, inside the bounds."""
        lo, hi = self.bounds
        return np.clip(self.free["nominal_scaled"].to_numpy(), lo, hi)

    def linear(self, theta: np.ndarray) -> dict[str, float]:
        """Every parameter-table id -> linear value (free ones from ``theta``)."""
        values = {k: float(v) for k, v in self.parameters["nominalValue"].items()}
        lin = from_scale(np.asarray(theta, dtype=float), self.free["parameterScale"].to_numpy())
        values.update(zip(self.free_ids, map(float, lin), strict=True))
        return values

    # ------------------------------------------------------------------ structure
    @cached_property
    def model_parameter_names(self) -> frozenset[str]:
        return frozenset(self.model.network.parameter_names)

    @cached_property
    def species_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.model.network.species)

    @cached_property
    def condition_ids(self) -> list[str]:
        """Simulated conditions, in order of first appearance in the measurements."""
        return list(dict.fromkeys(self.measurements["simulationConditionId"]))

    @cached_property
    def dynamic_ids(self) -> frozenset[str]:
        """Free parameters that change a simulation (model parameters, condition values,
        initial assignments); the others act only on observables and noise."""
        used: set[str] = set(self.model_parameter_names & set(self.parameters.index))
        for col in self.condition_columns:
            used.update(v for v in self.conditions[col] if isinstance(v, str))
        for formula in self.initial_assignments.values():
            used.update(_IDENT.findall(formula))
        return frozenset(used & set(self.free_ids))

    @cached_property
    def condition_columns(self) -> list[str]:
        return [c for c in self.conditions.columns if c != "conditionName"]

    def condition_values(
        self, condition: str, values: dict[str, float]
    ) -> tuple[dict[str, float], dict[str, float]]:
        """(model parameter values, species initial values) a condition sets."""
        params = {k: v for k, v in values.items() if k in self.model_parameter_names}
        species: dict[str, float] = {}
        row = self.conditions.loc[condition]
        for col in self.condition_columns:
            cell = row[col]
            if isinstance(cell, float) and np.isnan(cell):
                continue
            value = values[cell] if isinstance(cell, str) else float(cell)
            (species if col in self.species_names else params)[col] = value
        return params, species

    def fingerprint(self) -> str:
        """A hash of the tables and the model file, so a checkpoint belongs to one problem."""
        h = hashlib.sha256()
        for df in (self.conditions, self.measurements, self.observables, self.parameters):
            h.update(df.to_csv().encode())
        h.update(Path(self.sbml_path).read_bytes())
        return h.hexdigest()[:16]

    def with_measurements(
        self, measurements: pd.DataFrame, name: str | None = None, table: str = "measurement"
    ) -> Any:
        """The same model and parameters on other data (e.g. held-out test conditions);
        ``table`` names the data in error messages."""
        from mtorsim.calibration.petab_io import check_measurements

        checked = check_measurements(
            measurements, self.conditions, self.observables, self.parameters, table
        )
        return dataclasses.replace(self, measurements=checked, name=name or self.name)

    def with_nominal(self, theta: np.ndarray) -> CalibrationProblem:
        """The same problem with the free parameters' nominal values set to ``theta``."""
        params = self.parameters.copy()
        lin = self.linear(theta)
        for pid in self.free_ids:
            params.loc[pid, "nominalValue"] = lin[pid]
        return dataclasses.replace(self, parameters=params)

    def with_tolerances(self, rtol: float, atol: float) -> CalibrationProblem:
        """The same problem solved at other tolerances (looser is faster, FD noisier)."""
        if not (0 < rtol < 1 and atol > 0):
            raise MtorsimError(f"tolerances rtol={rtol}, atol={atol}: give 0 < rtol < 1, atol > 0")
        return dataclasses.replace(self, rtol=float(rtol), atol=float(atol))

    @cached_property
    def objective(self) -> Any:
        """The compiled objective (simulations, residuals, finite differences)."""
        from mtorsim.calibration.objective import Objective

        return Objective(self, rtol=self.rtol, atol=self.atol)

    def check_theta(self, theta: Any) -> np.ndarray:
        arr = np.asarray(theta, dtype=float).reshape(-1)
        if arr.size != len(self.free_ids):
            raise MtorsimError(
                f"{arr.size} parameter values given; the problem estimates {len(self.free_ids)}"
                f" ({', '.join(self.free_ids)})"
            )
        if not np.all(np.isfinite(arr)):
            raise MtorsimError("parameter values contain NaN or infinity")
        return arr
