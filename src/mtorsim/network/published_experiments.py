"""Natural experiments of the five published SBML models kept in ``shared/models``.

Horizon (model time units) and the condition (parameter values) under which each model
is run in ``shared/models/SOURCES.md``: the import agreement tests and the SBML benchmark
use these, so the two always run the same experiment. Sources are in SOURCES.md (curation
SED-ML, PEtab conditions, the papers' figures).
"""

from __future__ import annotations

__all__ = ["PUBLISHED_EXPERIMENTS"]

PUBLISHED_EXPERIMENTS: dict[str, tuple[float, dict[str, float]]] = {
    # PEtab condition condition_step_30_0: a 30 ng/mL EGF step, 0-3600 s
    "Fujita2010": (3600.0, {"EGF_0": 30.0, "EGF_rate": 0.0, "EGF_end": 3600.0}),
    # insulin 10 nM (SBML default) from the stored basal state, 30 min (insysbio tspan)
    "Brannmark2013": (30.0, {}),
    # insulin and amino acids 100 (SBML defaults); 120 min is assumed (SOURCES.md)
    "DallePezze2012": (120.0, {}),
    "Varusai2018": (3600.0, {}),  # SBML defaults; BioModels curation SED-ML: 0-3600
    # PEtab condition figure3C__0_0__0_0, to its latest measurement time (960 min)
    "Smith2013": (
        960.0,
        {
            "Ins": 5000.0,
            "extracellular_ROS": 0.0,
            "t_ins": 960.0,
            "indicator_jnk": 1.0,
            "indicator_foxo": 1.0,
            "k4": 3.33e-4,
            "kminus4": 3e-3,
            "k_irs1_basal_syn": 130.0,
            "E2F1": 150.0,
        },
    ),
}
