"""Compile a network once, then simulate, find steady states and batch many parameter sets."""

from mtorsim.engine.codegen import CompiledNetwork, compile_network
from mtorsim.engine.cohort import simulate_cohort
from mtorsim.engine.reference import simulate_reference
from mtorsim.engine.schedule import Event
from mtorsim.engine.sensitivity import (
    Sensitivities,
    SteadySensitivities,
    sensitivities,
    sensitivities_batch,
    steady_state_sensitivities,
    steady_state_sensitivities_batch,
)
from mtorsim.engine.simulate import SolverStatus, simulate, simulate_batch
from mtorsim.engine.steady import SteadyState, steady_state, steady_state_batch

__all__ = [
    "CompiledNetwork",
    "Event",
    "Sensitivities",
    "SolverStatus",
    "SteadySensitivities",
    "SteadyState",
    "compile_network",
    "sensitivities",
    "sensitivities_batch",
    "simulate",
    "simulate_batch",
    "simulate_cohort",
    "simulate_reference",
    "steady_state",
    "steady_state_batch",
    "steady_state_sensitivities",
    "steady_state_sensitivities_batch",
]
