"""Shared fixtures: the default network compiled once per test session."""

from __future__ import annotations

import pytest

import mtorsim
import mtorsim.engine


@pytest.fixture(scope="session")
def network() -> mtorsim.Network:
    return mtorsim.load().network


@pytest.fixture(scope="session")
def compiled(network: mtorsim.Network) -> mtorsim.engine.CompiledNetwork:
    return mtorsim.engine.compile_network(network)


@pytest.fixture()
def toy() -> mtorsim.Network:
    """A two-state switch A <-> B with a conservation law (A + B constant), in nM and h."""
    return mtorsim.Network(
        name="toy",
        species=[mtorsim.Species("A", 10.0, "nM"), mtorsim.Species("B", 0.0, "nM")],
        parameters=[
            mtorsim.Parameter("kf", 2.0, "1/h", "assumed"),
            mtorsim.Parameter("kr", 1.0, "1/h", "assumed"),
            mtorsim.Parameter("Km", 5.0, "nM", "assumed"),
        ],
        reactions=[
            mtorsim.Reaction("fwd", "kf*A*Km/(Km + A)", reactants=("A",), products=("B",)),
            mtorsim.Reaction("rev", "kr*B", reactants=("B",), products=("A",)),
        ],
    )
