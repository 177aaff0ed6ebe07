"""mtorsim: an in-silico laboratory for mTOR-pathway drugs in cancer.

>>> import mtorsim
>>> m = mtorsim.load()                       # the default network (or mtorsim.load("x.xml"))
>>> r = m.simulate(hours=2, points=3, exposure=mtorsim.Inhibition(mTORC1=0.9))
>>> r.attrs["time_unit"], bool(r["S6K1"].iloc[-1] < r["S6K1"].iloc[0])
('h', True)

Names are imported on first use, so ``import mtorsim`` (and ``mtorsim --help``) stays fast:
numpy, pandas, sympy and numba load only when a model is built or run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mtorsim._lazy import lazy_attributes

__version__ = "0.2.0"

#: public name -> module that defines it
_EXPORTS = {
    "load": "mtorsim.model",
    "Model": "mtorsim.model",
    "Result": "mtorsim.result",
    "Medium": "mtorsim.exposure",
    "Inhibition": "mtorsim.exposure",
    "Regimen": "mtorsim.pharmacology.regimen",
    "Dose": "mtorsim.pharmacology.treatment",
    "register_drug": "mtorsim.pharmacology.registry",
    "run_trial": "mtorsim.trials",
    "load_design": "mtorsim.trials",
    "Network": "mtorsim.network.model",
    "Species": "mtorsim.network.components",
    "Parameter": "mtorsim.network.components",
    "Observable": "mtorsim.network.components",
    "Reaction": "mtorsim.network.components",
    "Calibrator": "mtorsim.calibration.calibrator",
    "MtorsimError": "mtorsim.errors",
    "NetworkError": "mtorsim.errors",
    "SBMLError": "mtorsim.errors",
    "SolverError": "mtorsim.errors",
    "SteadyStateError": "mtorsim.errors",
    "UnknownNameError": "mtorsim.errors",
}

#: subpackages and modules reachable as attributes (``mtorsim.trials.run_trial``), loaded lazily
_SUBMODULES = frozenset(
    {
        "engine",
        "evidence",
        "exposure",
        "genomics",
        "io",
        "model",
        "network",
        "pharmacology",
        "report",
        "result",
        "scale",
        "trials",
        "tumour",
    }
)

__all__ = [
    "Calibrator",
    "Dose",
    "Inhibition",
    "Medium",
    "Model",
    "MtorsimError",
    "Network",
    "NetworkError",
    "Observable",
    "Parameter",
    "Reaction",
    "Regimen",
    "Result",
    "SBMLError",
    "SolverError",
    "Species",
    "SteadyStateError",
    "UnknownNameError",
    "__version__",
    "load",
    "load_design",
    "register_drug",
    "run_trial",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load lazily
    from mtorsim.calibration.calibrator import Calibrator
    from mtorsim.errors import (
        MtorsimError,
        NetworkError,
        SBMLError,
        SolverError,
        SteadyStateError,
        UnknownNameError,
    )
    from mtorsim.exposure import Inhibition, Medium
    from mtorsim.model import Model, load
    from mtorsim.network.components import Observable, Parameter, Reaction, Species
    from mtorsim.network.model import Network
    from mtorsim.pharmacology.regimen import Regimen
    from mtorsim.pharmacology.registry import register_drug
    from mtorsim.pharmacology.treatment import Dose
    from mtorsim.result import Result
    from mtorsim.trials import load_design, run_trial


__getattr__, __dir__ = lazy_attributes("mtorsim", _EXPORTS, globals(), _SUBMODULES)
