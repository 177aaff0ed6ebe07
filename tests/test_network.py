"""The default network covers the review's Figure 1, mTORC2 and MAPK, with provenance."""

from __future__ import annotations

import pytest

from mtorsim import Network
from mtorsim.network import inhibitable_nodes, with_inhibition_hooks

REQUIRED_NODES = [
    "RTK",
    "IRS1",
    "IRS1_pS",
    "PI3K",
    "PIP3",
    "PDK1",
    "AKT_T308",
    "AKT_S473",
    "TSC2_p",
    "TSC",
    "RHEB",
    "PRAS40_p",
    "RAG",
    "AMPK",
    "RAPTOR_p",
    "mTORC1",
    "mTORC2",
    "S6K1",
    "rpS6",
    "EIF4EBP1",
    "eIF4F",
    "HIF1A",
    "VEGF",
    "SREBP1",
    "ULK1",
    "AUTOPHAGY",
    "STAT3",
    "GRB10",
    "SGK1",
    "PKC",
    "RAS",
    "RAF",
    "MEK",
    "ERK",
    "RSK",
    "MYC",
    "GROWTH_DRIVE",
]
REQUIRED_INPUTS = [
    "GF",
    "AA",
    "ENERGY_STRESS",
    "PTEN_level",
    "TSC_level",
    "LKB1_level",
    "PPP2R2B_level",
    "PIK3CA_gain",
    "KRAS_gain",
    "BRAF_gain",
    "MTOR_gain",
]


def test_required_nodes_present(network: Network) -> None:
    missing = [n for n in REQUIRED_NODES if n not in network.readout_names]
    assert not missing


def test_required_inputs_present(network: Network) -> None:
    assert not [p for p in REQUIRED_INPUTS if p not in network.parameter_names]


def test_every_parameter_has_unit_and_source(network: Network) -> None:
    for p in network.parameters:
        assert p.unit, p.name
        assert p.source, p.name
        assert p.description, p.name


def test_initial_state_is_the_full_medium_steady_state(compiled) -> None:
    import numpy as np

    from mtorsim.engine import steady_state

    ss = steady_state(compiled).values[list(compiled.species)].to_numpy()
    assert np.max(np.abs(compiled.y0 - ss)) < 1e-4  # stored to 4 digits


def test_tables(network: Network) -> None:
    assert set(network.table("parameters").columns) >= {"name", "value", "unit", "source"}
    assert len(network.table("reactions")) == len(network.reactions)


def test_hooks_cover_every_acting_node(network: Network) -> None:
    nodes = inhibitable_nodes(network)
    assert {"mTORC1", "mTORC2", "AKT", "MEK", "PI3K", "PDK1", "S6K1", "ERK"} <= set(nodes)
    hooked = with_inhibition_hooks(network)
    assert {f"inhibit_{n}" for n in nodes} <= set(hooked.parameter_names)
    assert "inhibit_mTORC1" in hooked.reaction("S6K1_activation").rate
    # the node's own level is not touched by its hook
    assert "inhibit_S6K1" not in hooked.reaction("S6K1_activation").rate
    assert with_inhibition_hooks(hooked) is hooked


@pytest.mark.parametrize("node", ["mTORC1", "AKT", "MEK"])
def test_hook_lowers_targets_without_recompiling(compiled, node: str) -> None:
    from mtorsim.engine import steady_state

    target = {"mTORC1": "S6K1", "AKT": "PRAS40_p", "MEK": "ERK"}[node]
    base = steady_state(compiled).values[target]
    inhibited = steady_state(compiled, {f"inhibit_{node}": 0.9}).values[target]
    assert inhibited < 0.8 * base


def test_names_with_digits_before_an_exponent_are_names() -> None:
    """'Xb26114e7' is one identifier, not 'Xb2' followed by the number 6114e7."""
    from mtorsim.network.expressions import identifiers

    assert identifiers("k_Xb26114e7*Xb26114e7 + 1.5e-3*x + 2e5") == {
        "Xb26114e7",
        "k_Xb26114e7",
        "x",
    }
