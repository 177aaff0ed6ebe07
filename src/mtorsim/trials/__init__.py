"""Virtual patients and virtual clinical trials.

>>> from mtorsim.trials import run_trial, trial_designs
>>> "RECORD-1" in trial_designs()
True
"""

from mtorsim.trials.analysis import arm_summary, hazard_ratio, hazard_ratios, subgroups
from mtorsim.trials.design import Arm, TrialDesign, load_design, trial_designs
from mtorsim.trials.population import cancer_type, cancer_types, sample_patients
from mtorsim.trials.run import TrialResult, run_replicates, run_trial

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
