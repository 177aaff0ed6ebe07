"""Drugs as reactions: structure, substrate selectivity, resistance, SBML with dosing."""

from __future__ import annotations

import numpy as np
import pytest

import mtorsim
import mtorsim.engine
import mtorsim.network
import mtorsim.network.sbml_export
from mtorsim import MtorsimError
from mtorsim.pharmacology.mechanism import with_drugs
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.treatment import compiled_with_drugs, dosing_events


def cells(concentrations: dict[str, float], **kwargs):
    return mtorsim.load().simulate(exposure=concentrations, **{"hours": 24.0, **kwargs})


def test_structure(network) -> None:
    net = with_drugs(network, ["everolimus", "trametinib"])
    for name in (
        "everolimus__depot",
        "everolimus__central",
        "everolimus__periph",
        "everolimus__FKBP12",
        "everolimus__FRB",
        "trametinib__MEK",
    ):
        assert name in net.species_names
    rate = net.reaction("S6K1_activation").rate
    assert "everolimus__FRB" in rate and "rapalog_residual" not in rate
    assert "rapalog_residual_4ebp1" in net.reaction("EIF4EBP1_activation").rate
    assert "SITE__MEK" in net.reaction("ERK_activation").rate
    hooked = mtorsim.network.with_inhibition_hooks(net)
    assert not [p for p in hooked.parameter_names if p.startswith("inhibit_") and "__" in p]


def test_network_without_targets_is_rejected(toy) -> None:
    with pytest.raises(MtorsimError, match="lacks node"):
        with_drugs(toy, ["everolimus"])


def test_rapalog_is_substrate_selective() -> None:
    df = cells({"everolimus": 10.0})
    s6k, bp1 = (df[k].iloc[-1] / df[k].iloc[0] for k in ("S6K1", "EIF4EBP1"))
    assert s6k < 0.1 < 0.5 < bp1


def test_frb_mutation_blocks_rapalog_not_torki() -> None:
    frb = {"FRB_resistance": 1000.0}
    rapa = cells({"everolimus": 10.0}, genotype=frb)
    torki = cells({"azd8055": 100.0}, genotype=frb)
    assert rapa["S6K1"].iloc[-1] / rapa["S6K1"].iloc[0] > 0.8
    assert torki["S6K1"].iloc[-1] / torki["S6K1"].iloc[0] < 0.1


def test_zero_concentration_changes_nothing() -> None:
    df = cells({"azd8055": 0.0}, hours=4.0, points=5)
    assert np.allclose(df["S6K1"], df["S6K1"].iloc[0], rtol=1e-8)


def test_negative_concentration_rejected() -> None:
    with pytest.raises(MtorsimError, match=">= 0"):
        cells({"azd8055": -1.0})


def test_treatment_table_columns() -> None:
    df = mtorsim.load().simulate(days=2.0, points=9, exposure=Regimen("everolimus", 10.0))
    assert df.time_unit == "d" and df["time"].iloc[-1] == 2.0
    assert {
        "time",
        "everolimus_blood_ng_mL",
        "everolimus_free_nM",
        "everolimus__FRB",
    } <= set(df.columns)
    assert len(df) == 9


def test_sbml_export_with_dosing_matches_roadrunner() -> None:
    roadrunner = pytest.importorskip("roadrunner")
    regs = [Regimen("everolimus", 10.0), Regimen("temsirolimus", 25.0)]
    compiled = compiled_with_drugs([r.drug for r in regs])
    ss = mtorsim.engine.steady_state(compiled).values
    net = compiled.network.with_initials({s: float(ss[s]) for s in compiled.species})
    events = dosing_events(regs, 7 * 24.0)
    rr = roadrunner.RoadRunner(mtorsim.network.sbml_export.to_sbml(net, events=events))
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    cols = [*compiled.species, *compiled.observables]
    res = np.asarray(rr.simulate(0, 168, 169, selections=["time", *cols]))[:, 1:]
    ours = mtorsim.engine.simulate(
        mtorsim.engine.compile_network(net),
        168.0,
        points=169,
        events=events,
        rtol=1e-10,
        atol=1e-13,
    )[cols].to_numpy()
    assert (np.abs(ours - res) / np.maximum(np.abs(res), 1e-6)).max() <= 1e-4
