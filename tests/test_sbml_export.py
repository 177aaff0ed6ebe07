"""SBML export: valid L3, provenance kept, and libRoadRunner simulates it as mtorsim does."""

from __future__ import annotations

import libsbml
import numpy as np
import pytest

import mtorsim
import mtorsim.engine
import mtorsim.network.sbml_export
from mtorsim.network.sbml_export import MTORSIM_NS

roadrunner = pytest.importorskip("roadrunner")

CONDITIONS = [
    {},
    {"GF": 0.0},
    {"AA": 0.0, "ENERGY_STRESS": 0.5},
    {"inhibit_mTORC1": 0.9, "PTEN_level": 0.0},
    {"TSC_level": 0.0, "KRAS_gain": 1.0, "inhibit_MEK": 0.7},
]


@pytest.fixture(scope="module")
def sbml(network) -> str:
    return mtorsim.network.sbml_export.to_sbml(network)


def test_document_is_valid_level3(sbml: str) -> None:
    doc = libsbml.readSBMLFromString(sbml)
    assert doc.getLevel() == 3
    doc.checkConsistency()
    errors = [
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    assert not errors


def test_units_and_sources_are_kept(sbml: str, network) -> None:
    model = libsbml.readSBMLFromString(sbml).getModel()
    par = model.getParameter("k_irs_ser")
    assert par.getUnits() == "u_1_per_h"
    ud = model.getUnitDefinition("u_1_per_h")
    assert ud.getUnit(0).getMultiplier() == 3600.0 and ud.getUnit(0).getExponent() == -1
    ann = par.getAnnotationString()
    assert MTORSIM_NS in ann and "Harrington 2004" in ann
    assert model.getNumParameters() >= len(network.parameters) + len(network.observables)
    assert model.getAssignmentRuleByVariable("GROWTH_DRIVE") is not None


@pytest.mark.parametrize("params", CONDITIONS)
def test_roadrunner_agrees_with_engine(sbml: str, compiled, params) -> None:
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    for k, v in params.items():
        rr[k] = v
    readouts = [*compiled.species, *compiled.observables]
    res = np.asarray(rr.simulate(0, 48, 97, selections=["time", *readouts]))
    ours = mtorsim.engine.simulate(
        compiled, 48.0, points=97, parameters=params, rtol=1e-10, atol=1e-13
    )
    a, b = ours[readouts].to_numpy(), res[:, 1:]
    floor = 1e-6  # absolute floor: active fractions below 1e-6 are compared absolutely
    rel = np.abs(a - b) / np.maximum(np.abs(b), floor)
    assert rel.max() <= 1e-4, readouts[int(np.argmax(rel.max(axis=0)))]


def test_write_sbml_is_atomic_and_readable(tmp_path, network) -> None:
    path = tmp_path / "model.xml"
    mtorsim.network.sbml_export.write_sbml(network, path)
    assert libsbml.readSBMLFromFile(str(path)).getModel().getNumSpecies() == len(network.species)
    assert [p.name for p in tmp_path.iterdir()] == ["model.xml"]
