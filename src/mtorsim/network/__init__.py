"""The model as data: species, parameters, observables, reactions; the default network."""

from mtorsim.network.components import Observable, Parameter, Reaction, Species
from mtorsim.network.default import GENOTYPE_PARAMETERS, INPUTS, default_network
from mtorsim.network.hooks import hook_parameter, inhibitable_nodes, with_inhibition_hooks
from mtorsim.network.model import Network
from mtorsim.network.motifs import activation, deactivation, degradation, synthesis

__all__ = [
    "GENOTYPE_PARAMETERS",
    "INPUTS",
    "Network",
    "Observable",
    "Parameter",
    "Reaction",
    "Species",
    "activation",
    "deactivation",
    "default_network",
    "degradation",
    "hook_parameter",
    "inhibitable_nodes",
    "synthesis",
    "with_inhibition_hooks",
]
