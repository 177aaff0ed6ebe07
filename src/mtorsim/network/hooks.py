"""The generic inhibition hook: any node can be inhibited by a fraction without a new model.

For every species or observable that acts on something (a modifier of a reaction, or a term
of an observable), the hooked network gains a parameter ``inhibit_<node>`` (0 = none, 1 =
full) and every use of the node as an actor is replaced by ``node*(1 - inhibit_<node>)``.
The node's own level is untouched: a kinase inhibitor stops the kinase acting, it does not
dephosphorylate the kinase. Drug and genotype layers set these parameters (or add explicit
inhibitor species); the engine sees only parameter changes, so nothing is recompiled.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mtorsim.network.components import Parameter
from mtorsim.network.expressions import identifiers
from mtorsim.network.model import Network

__all__ = [
    "HOOK_PREFIX",
    "hook_parameter",
    "inhibitable_nodes",
    "substitute_nodes",
    "with_inhibition_hooks",
]

HOOK_PREFIX = "inhibit_"


def hook_parameter(node: str) -> str:
    """Name of the parameter that inhibits ``node``."""
    return f"{HOOK_PREFIX}{node}"


def inhibitable_nodes(network: Network) -> list[str]:
    """Species and observables that act on a reaction or an observable, in network order."""
    nodes = set(network.species_names) | set(network.observable_names)
    acting: set[str] = set()
    for r in network.reactions:
        acting |= network.modifiers(r)
    for o in network.observables:
        acting |= identifiers(o.expression, nodes) & nodes
    # names with a double underscore are internal to a layer (drug PK, occupancies)
    return [n for n in network.readout_names if n in acting and "__" not in n]


def substitute_nodes(expression: str, replacements: dict[str, str]) -> str:
    """Replace whole-word names in ``expression`` by ``(replacement)`` (not where called:
    a node named ``exp`` leaves ``exp(x)`` alone)."""
    if not replacements:
        return expression
    names = sorted(replacements, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![A-Za-z0-9_.])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_]|\s*\()"
    )
    return pattern.sub(lambda m: f"({replacements[m.group(1)]})", expression)


def _hook(names: set[str]) -> dict[str, str]:
    return {n: f"{n}*(1 - {hook_parameter(n)})" for n in names}


def with_inhibition_hooks(network: Network) -> Network:
    """Return ``network`` with an ``inhibit_<node>`` parameter for every acting node."""
    if any(p.name.startswith(HOOK_PREFIX) for p in network.parameters):
        return network  # already hooked
    nodes = inhibitable_nodes(network)
    node_set = set(nodes)
    params = [
        Parameter(
            hook_parameter(n),
            0.0,
            "1",
            source="input (0 = no inhibition)",
            description=f"fraction of {n} activity inhibited",
        )
        for n in nodes
    ]
    reactions = [
        replace(r, rate=substitute_nodes(r.rate, _hook(network.modifiers(r) & node_set)))
        for r in network.reactions
    ]
    observables = [
        replace(
            o,
            expression=substitute_nodes(
                o.expression, _hook(identifiers(o.expression, node_set) & node_set)
            ),
        )
        for o in network.observables
    ]
    return replace(
        network,
        parameters=(*network.parameters, *params),
        reactions=reactions,
        observables=observables,
    )
