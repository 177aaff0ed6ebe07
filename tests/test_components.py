"""Network components and the Network container reject bad definitions with clear errors."""

from __future__ import annotations

import math

import pytest

from mtorsim import Network, NetworkError, Parameter, Reaction, Species, UnknownNameError


def test_bad_identifier_is_rejected() -> None:
    with pytest.raises(NetworkError, match="not a valid identifier"):
        Species("1abc", 0.0)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1.0])
def test_bad_parameter_values_are_rejected(value: float) -> None:
    with pytest.raises(NetworkError, match=r"[Pp]arameter"):
        Parameter("k", value, "1/h")


def test_parameter_needs_a_source() -> None:
    with pytest.raises(NetworkError, match="no source"):
        Parameter("k", 1.0, "1/h", source="")


def test_reaction_without_species_is_rejected() -> None:
    with pytest.raises(NetworkError, match="changes no species"):
        Reaction("r", "1")


def test_stoichiometry_counts_repeats() -> None:
    r = Reaction("dimerise", "k*A^2", reactants=("A", "A"), products=("D",))
    assert r.stoichiometry == {"A": -2, "D": 1}


def test_unknown_name_in_rate(toy: Network) -> None:
    with pytest.raises(NetworkError, match="unknown name"):
        toy.replace_reaction(Reaction("rev", "kx*B", reactants=("B",), products=("A",)))


def test_reaction_naming_undefined_species(toy: Network) -> None:
    with pytest.raises(NetworkError, match="not defined"):
        toy.add(Reaction("leak", "kr*B", reactants=("B",), products=("C",)))


def test_dangling_species(toy: Network) -> None:
    with pytest.raises(NetworkError, match="changed by no reaction"):
        toy.add(Species("C", 1.0, "nM"))


def test_unit_mismatch_is_caught(toy: Network) -> None:
    # Km in 1/h makes Km + A add hours^-1 to nM
    bad = [Parameter("Km", 5.0, "1/h") if p.name == "Km" else p for p in toy.parameters]
    with pytest.raises(NetworkError, match=r"adds quantities|unit mismatch"):
        Network("toy", toy.species, bad, toy.reactions)


def test_rate_unit_must_match_species(toy: Network) -> None:
    bad = [Parameter("kr", 1.0, "1/(nM*h)") if p.name == "kr" else p for p in toy.parameters]
    with pytest.raises(NetworkError, match="unit mismatch in reaction 'rev'"):
        Network("toy", toy.species, bad, toy.reactions)


def test_duplicate_names(toy: Network) -> None:
    with pytest.raises(NetworkError, match="defined twice"):
        toy.add(Parameter("A", 1.0, "1"))


def test_unknown_parameter_suggests_close_names(toy: Network) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'kf'"):
        toy.with_parameters(kff=1.0)


def test_nan_parameter_update_rejected(toy: Network) -> None:
    with pytest.raises(NetworkError, match="NaN"):
        toy.with_parameters(kf=math.nan)


def test_editing_returns_new_networks(toy: Network) -> None:
    edited = toy.with_parameters(kf=3.0)
    assert edited.parameter("kf").value == 3.0
    assert toy.parameter("kf").value == 2.0
    assert edited.parameter("kf").source == "assumed"
    removed = toy.remove_reaction("rev")
    assert [r.name for r in removed.reactions] == ["fwd"]
    replaced = toy.replace_reaction(Reaction("rev", "2*kr*B", reactants=("B",), products=("A",)))
    assert replaced.reaction("rev").rate == "2*kr*B"


def test_stoichiometry_matrix(toy: Network) -> None:
    n = toy.stoichiometry_matrix()
    assert n.loc["A", "fwd"] == -1 and n.loc["B", "fwd"] == 1 and n.loc["A", "rev"] == 1
