"""Calibration of SBML models to data, PEtab in and out.

``read_petab(yaml)`` checks and lints a PEtab v1 problem into a :class:`CalibrationProblem`;
:class:`Calibrator` fits it (seeded multistart trust-region least squares on the residual
vector, batched finite-difference Jacobians), gives intervals (profile likelihood or Wald),
a tidy summary and figures; ``write_petab`` writes a problem (or a fit) back as PEtab.
Names load on first use, so importing the package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["CalibrationProblem", "Calibrator", "PEtabError", "read_petab", "write_petab"]

_EXPORTS = {
    "Calibrator": "mtorsim.calibration.calibrator",
    "CalibrationProblem": "mtorsim.calibration.problem",
    "PEtabError": "mtorsim.calibration.petab_io",
    "read_petab": "mtorsim.calibration.petab_io",
    "write_petab": "mtorsim.calibration.petab_io",
}

if TYPE_CHECKING:
    from mtorsim.calibration.calibrator import Calibrator
    from mtorsim.calibration.petab_io import PEtabError, read_petab, write_petab
    from mtorsim.calibration.problem import CalibrationProblem


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mtorsim.calibration' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
