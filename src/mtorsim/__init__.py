"""mtorsim: an in-silico laboratory for mTOR-pathway drugs in cancer.

The public API. Data flows one way: network (model as data) -> engine (compile, simulate,
steady state, batches) -> evidence (claims scorecard) -> report (figures) -> CLI.

>>> import mtorsim
>>> df = mtorsim.simulate(mtorsim.default_network(), 2.0, points=3)
>>> list(df.columns[:3])
['time_h', 'RTK', 'IRS1']
"""

from mtorsim.conditions import Conditions
from mtorsim.engine import (
    CompiledNetwork,
    Event,
    SolverStatus,
    SteadyState,
    compile_network,
    simulate,
    simulate_batch,
    simulate_cohort,
    simulate_reference,
    steady_state,
    steady_state_batch,
)
from mtorsim.errors import (
    MtorsimError,
    NetworkError,
    SBMLError,
    SolverError,
    SteadyStateError,
    UnknownNameError,
)
from mtorsim.network import (
    Network,
    Observable,
    Parameter,
    Reaction,
    Species,
    default_network,
    inhibitable_nodes,
    with_inhibition_hooks,
)
from mtorsim.network.sbml_export import to_sbml, write_sbml
from mtorsim.network.sbml_import import SBMLModel, read_sbml

__version__ = "0.1.0"

__all__ = [
    "CompiledNetwork",
    "Conditions",
    "Event",
    "MtorsimError",
    "Network",
    "NetworkError",
    "Observable",
    "Parameter",
    "Reaction",
    "SBMLError",
    "SBMLModel",
    "SolverError",
    "SolverStatus",
    "Species",
    "SteadyState",
    "SteadyStateError",
    "UnknownNameError",
    "__version__",
    "compile_network",
    "default_network",
    "inhibitable_nodes",
    "read_sbml",
    "simulate",
    "simulate_batch",
    "simulate_cohort",
    "simulate_reference",
    "steady_state",
    "steady_state_batch",
    "to_sbml",
    "with_inhibition_hooks",
    "write_sbml",
]
