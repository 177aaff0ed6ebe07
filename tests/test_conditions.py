"""Conditions translate bench language into parameters and reject bad values."""

from __future__ import annotations

import pytest

from mtorsim import Conditions, MtorsimError, UnknownNameError
from mtorsim.conditions import parse_assignment
from mtorsim.experiment import run_experiment


def test_to_parameters(compiled) -> None:
    c = Conditions(growth_factor=0.0, inhibit={"mTORC1": 0.9}, parameters={"PTEN_level": 0})
    assert c.to_parameters(compiled) == {
        "GF": 0.0,
        "AA": 1.0,
        "ENERGY_STRESS": 0.0,
        "inhibit_mTORC1": 0.9,
        "PTEN_level": 0.0,
    }


@pytest.mark.parametrize(
    "kwargs",
    [
        {"growth_factor": -1},
        {"inhibit": {"mTORC1": 1.5}},
        {"energy_stress": float("nan")},
        {"parameters": {"GF": "x"}},
    ],
)
def test_bad_values(kwargs) -> None:
    with pytest.raises(MtorsimError):
        Conditions(**kwargs)


def test_unknown_node(compiled) -> None:
    with pytest.raises(UnknownNameError, match="mTORC1"):
        Conditions(inhibit={"mTOR1": 0.5}).to_parameters(compiled)


def test_parse_assignment() -> None:
    assert parse_assignment("mTORC1=0.9") == ("mTORC1", 0.9)
    with pytest.raises(MtorsimError, match="NAME=VALUE"):
        parse_assignment("mTORC1")
    with pytest.raises(MtorsimError, match="not a number"):
        parse_assignment("mTORC1=high")


def test_experiment_starts_from_baseline_steady_state(compiled) -> None:
    df = run_experiment(
        Conditions(growth_factor=1.0),
        hours=1.0,
        points=5,
        baseline=Conditions(growth_factor=0.0),
        network=compiled,
    )
    assert df["RTK"].iloc[0] < 1e-6 < df["RTK"].iloc[-1]
