"""Virtual patients and virtual clinical trials.

>>> from mtorsim.trials import run_trial, trial_designs
>>> "RECORD-1" in trial_designs()
True

Names load lazily (as in :mod:`mtorsim`), so reading a design or printing its schema does not
import the survival analysis (lifelines) and the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mtorsim._lazy import lazy_attributes

_EXPORTS = {
    "arm_summary": "mtorsim.trials.analysis",
    "hazard_ratio": "mtorsim.trials.analysis",
    "hazard_ratios": "mtorsim.trials.analysis",
    "subgroups": "mtorsim.trials.analysis",
    "Arm": "mtorsim.trials.design",
    "TrialDesign": "mtorsim.trials.design",
    "load_design": "mtorsim.trials.design",
    "trial_designs": "mtorsim.trials.design",
    "cancer_type": "mtorsim.trials.population",
    "cancer_types": "mtorsim.trials.population",
    "sample_patients": "mtorsim.trials.population",
    "TrialResult": "mtorsim.trials.run",
    "run_replicates": "mtorsim.trials.run",
    "run_trial": "mtorsim.trials.run",
}

__all__ = [
    "Arm",
    "TrialDesign",
    "TrialResult",
    "arm_summary",
    "cancer_type",
    "cancer_types",
    "hazard_ratio",
    "hazard_ratios",
    "load_design",
    "run_replicates",
    "run_trial",
    "sample_patients",
    "subgroups",
    "trial_designs",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time names load lazily
    from mtorsim.trials.analysis import arm_summary, hazard_ratio, hazard_ratios, subgroups
    from mtorsim.trials.design import Arm, TrialDesign, load_design, trial_designs
    from mtorsim.trials.population import cancer_type, cancer_types, sample_patients
    from mtorsim.trials.run import TrialResult, run_replicates, run_trial


__getattr__, __dir__ = lazy_attributes("mtorsim.trials", _EXPORTS, globals())
