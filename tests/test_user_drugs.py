"""Users' drugs from YAML/JSON files: they load, validate, and run like built-in drugs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml

from mtorsim.errors import MtorsimError
from mtorsim.pharmacology.catalogue import DRUGS, drug_names, get_drug
from mtorsim.pharmacology.doseresponse import dose_response
from mtorsim.pharmacology.pk import average_free_nM, pk_profile
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.registry import (
    DrugFileError,
    drug_from_dict,
    drug_schema,
    drug_to_dict,
    example_drug_file,
    load_drug_file,
    register_drug,
    registered_drugs,
    save_drug_file,
    unregister_drug,
)


def cells_on(concentrations: dict[str, float], *, hours: float, points: int):
    import mtorsim

    return mtorsim.load().simulate(hours=hours, points=points, exposure=concentrations)


def patient_on(regimens: list[Regimen], *, days: float, points_per_day: int):
    import mtorsim

    n = round(days * points_per_day) + 1
    return mtorsim.load().simulate(days=days, points=n, exposure=regimens)


@pytest.fixture()
def clean_registry() -> Iterator[None]:
    """Every test leaves the registry as it found it (empty)."""
    yield
    for name in list(registered_drugs()):
        unregister_drug(name)


@pytest.fixture()
def example(clean_registry: None) -> str:
    return register_drug(example_drug_file()).name


def _record(**changes: object) -> dict:
    rec = drug_to_dict("everolimus")
    rec["name"] = "my-rapalog"
    rec["aliases"] = []
    rec.update(changes)
    return rec


def _problems(data: object, label: str = "my.yaml") -> list[str]:
    with pytest.raises(DrugFileError) as info:
        drug_from_dict(data, label=label)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{label}: ")
    return info.value.problems


# ----------------------------------------------------------------- the example file


def test_example_file_loads_and_marks_every_value_assumed() -> None:
    drug = load_drug_file(example_drug_file())
    assert drug.name == "example-torki" and drug.drug_class == "TORKi"
    assert drug.sites == ("MTOR_KINASE",) and drug.pk is not None
    assert all("assumed" in p.source for p in drug.potencies)
    assert "assumed" in drug.pk.source and "assumed" in drug.source
    assert 6 < drug.pk.half_life_h < 8
    assert "example-torki" not in drug_names()  # loading does not register


def test_example_drug_runs_everywhere_a_builtin_does(example: str) -> None:
    assert get_drug("EX-torki-1").name == example and example in drug_names()
    cells = cells_on({example: 100.0}, hours=6.0, points=4)
    assert cells["S6K1"].iloc[-1] < 0.2 * cells["S6K1"].iloc[0]
    assert cells["AKT_S473"].iloc[-1] < 0.5 * cells["AKT_S473"].iloc[0]  # mTORC2 too
    patient = patient_on([Regimen(example, 40.0)], days=1.0, points_per_day=4)
    assert patient["example_torki_free_nM"].max() > 0
    assert patient["S6K1"].iloc[-1] < patient["S6K1"].iloc[0]
    fit = dose_response(example, concentrations_nM=[0.1, 1.0, 10.0, 100.0, 1000.0], hours=6.0)
    assert 0.1 < fit.ic50_nM < 1000.0
    avg = average_free_nM(example, 40.0)
    assert avg == pytest.approx(0.05 * 40.0 / 24.0 / 25.0 * 1e6 / 450.0)
    pk = pk_profile([Regimen(example, 40.0)], days=1.0, points_per_day=4)
    assert pk["example_torki_blood_ng_mL"].max() > 0


def test_schema_is_published_and_accepts_the_example() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = drug_schema()
    assert schema["additionalProperties"] is False
    assert {"name", "potencies", "pk", "mtd", "source"} <= set(schema["properties"])
    jsonschema.validate(yaml.safe_load(example_drug_file().read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**_record(), "colour": "red"}, schema)


# ----------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", sorted(DRUGS))
def test_every_builtin_record_round_trips(name: str) -> None:
    assert drug_from_dict(drug_to_dict(name)) == DRUGS[name]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_files_round_trip(tmp_path: Path, suffix: str) -> None:
    path = save_drug_file("temsirolimus", tmp_path / f"tem{suffix}")
    assert load_drug_file(path) == DRUGS["temsirolimus"]


def test_everolimus_from_yaml_under_another_name_matches_the_builtin(
    tmp_path: Path, clean_registry: None
) -> None:
    rec = drug_to_dict("everolimus")
    rec.update(name="everolimus-copy", aliases=["evero-copy"])
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(rec, sort_keys=False))
    register_drug(path)
    kw = {"days": 2.0, "points_per_day": 4}
    a = patient_on([Regimen("everolimus", 10.0, "daily")], **kw)
    b = patient_on([Regimen("evero-copy", 10.0, "daily")], **kw)
    b.columns = [c.replace("everolimus_copy", "everolimus") for c in b.columns]
    assert sorted(a.columns) == sorted(b.columns)
    np.testing.assert_allclose(b[a.columns].to_numpy(), a.to_numpy(), rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------- registration


def test_name_clash_with_builtin_needs_replace(clean_registry: None) -> None:
    rec = _record(name="everolimus")
    with pytest.raises(MtorsimError, match="built-in drug; choose another name, or pass replace"):
        register_drug(rec)
    before = cells_on({"everolimus": 1.0}, hours=2.0, points=2)["S6K1"].iloc[-1]
    weak = _record(name="everolimus", aliases=["rad001"])
    weak["potencies"][1]["kd_nM"] = 12000.0  # 1000x weaker at FRB
    register_drug(weak, replace=True)
    assert get_drug("RAD001").potency("FRB").kd_nM == 12000.0
    after = cells_on({"everolimus": 1.0}, hours=2.0, points=2)["S6K1"].iloc[-1]
    assert after > before  # the compiled network was rebuilt from the new record
    unregister_drug("everolimus")
    assert get_drug("everolimus") is DRUGS["everolimus"]
    again = cells_on({"everolimus": 1.0}, hours=2.0, points=2)["S6K1"].iloc[-1]
    assert again == before


def test_alias_and_identifier_clashes_are_errors(clean_registry: None) -> None:
    with pytest.raises(MtorsimError, match="'Rapamycin' already names 'sirolimus'"):
        register_drug(_record(aliases=["Rapamycin"]), replace=True)
    with pytest.raises(MtorsimError, match="same identifier as 'pf-04691502'"):
        register_drug(_record(name="pf_04691502"))
    register_drug(_record())
    register_drug(_record())  # the same record again: no-op
    with pytest.raises(MtorsimError, match="is a registered drug"):
        register_drug(_record(mtd="other"))
    register_drug(_record(mtd="other"), replace=True)
    assert get_drug("my-rapalog").mtd == "other"


# ----------------------------------------------------------------- validation


def test_unknown_keys_suggest_the_right_one() -> None:
    rec = _record(alias=["x"])
    rec["pk"]["clearence"] = 3.0
    rec["potencies"][0]["kd"] = 1.0
    problems = _problems(rec)
    assert any(p.startswith("alias: unknown key (did you mean 'aliases'?)") for p in problems)
    assert any("pk.clearence: unknown key" in p for p in problems)
    assert any("potencies[0].kd: unknown key (did you mean 'kd_nM'?)" in p for p in problems)


def test_choices_name_what_is_allowed() -> None:
    rec = _record(drug_class="rapaloge", default_schedule="dayly")
    rec["potencies"][0]["site"] = "FKBP"
    rec["pk"]["route"] = "orl"
    text = "; ".join(_problems(rec))
    assert "drug_class = 'rapaloge': not allowed (did you mean 'rapalog'?)" in text
    assert "default_schedule = 'dayly'" in text and "'daily'" in text
    assert "potencies[0].site = 'FKBP': not allowed (did you mean 'FKBP12'?)" in text
    assert "pk.route = 'orl'" in text and "use one of oral, iv, im" in text


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("pk", "cl_L_h"), -1.0, "pk.cl_L_h = -1.0: must be > 0"),
        (("pk", "F"), 1.5, "pk.F = 1.5: must be <= 1"),
        (("pk", "v1_L"), float("inf"), "pk.v1_L = inf: must be a finite number"),
        (("potencies", 1, "kd_nM"), float("nan"), "potencies[1].kd_nM = nan: must be a finite"),
        (("mw_g_mol",), True, "mw_g_mol = True: must be a number"),
        (("mw_g_mol",), "heavy", "mw_g_mol = 'heavy': must be a number"),
        (("pk", "cv_cl"), -0.1, "pk.cv_cl = -0.1: must be >= 0"),
        (("dose_range_mg",), [10.0, 2.0], "dose_range_mg = [10.0, 2.0]: needs 0 < low <= high"),
        (("name",), "My Drug", "name = 'My Drug': must be lower-case"),
        (("mtd",), "", "mtd = '': must not be empty"),
        (("mtd",), " ", "mtd = ' ': must not be blank"),
    ],
)
def test_numbers_and_text_are_checked(path: tuple, value: object, expected: str) -> None:
    rec = _record()
    target = rec
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = _problems(rec)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_every_number_needs_a_source() -> None:
    rec = _record()
    del rec["potencies"][0]["source"]
    rec["potencies"][1]["source"] = "  "
    del rec["pk"]["source"]
    rec["pk"]["sources"] = {"cl_L_h": "Kovarik 2001", "cl_l_h": "typo"}
    text = "; ".join(_problems(rec))
    assert "potencies[0].source: required field missing" in text
    assert "potencies[1].source = '  ': must not be blank" in text
    assert "pk.sources key = 'cl_l_h': not allowed (did you mean 'cl_L_h'?)" in text
    rec["pk"]["sources"] = {"cl_L_h": "Kovarik 2001"}
    rec["potencies"][0]["source"] = rec["potencies"][1]["source"] = "assumed"
    (problem,) = _problems(rec)
    assert problem.startswith("pk: F, ka_per_h, v1_L") and "have no source" in problem
    rec["pk"]["source"] = "assumed"
    drug = drug_from_dict(rec)
    assert drug.pk is not None and drug.pk.source == "assumed; cl_L_h: Kovarik 2001"


def test_cross_checks() -> None:
    rec = _record()
    rec["pk"]["v2_L"] = 0.0
    rec["pk"]["fraction_to_metabolite"] = 0.3
    rec["potencies"] = [rec["potencies"][1]]  # FRB without its FKBP12 carrier
    text = "; ".join(_problems(rec))
    assert "pk: q_L_h = 51.1 and v2_L = 0: a 2-compartment model needs both > 0" in text
    assert "fraction_to_metabolite = 0.3 needs prodrug_of" in text
    assert "potencies: an FRB binder needs an FKBP12 potency" in text
    rec = _record()
    rec["pk"]["prodrug_of"] = "sirolimu"
    (problem,) = _problems(rec)
    assert problem.startswith("pk.prodrug_of: unknown drug 'sirolimu'. Did you mean 'sirolimus'")


def test_defaulted_pk_values_are_named_in_the_source() -> None:
    rec = _record()
    for key in ("fu_blood", "cv_cl", "cv_v", "infusion_h"):
        del rec["pk"][key]
    drug = drug_from_dict(rec)
    assert drug.pk is not None and drug.pk.fu_blood == 0.05
    assert drug.pk.source.endswith("library defaults (assumed): fu_blood 0.05, cv_cl 0.3, cv_v 0.3")


def test_file_problems_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(MtorsimError, match="drug file not found"):
        load_drug_file(tmp_path / "none.yaml")
    txt = tmp_path / "drug.txt"
    txt.write_text("name: x")
    with pytest.raises(MtorsimError, match=r"unknown drug file type '\.txt'"):
        load_drug_file(txt)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(MtorsimError, match=r"bad.yaml: not valid YAML \(line"):
        load_drug_file(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("name: a\nname: b\n")
    with pytest.raises(MtorsimError, match=r"key 'name' given twice \(line 2\)"):
        load_drug_file(twice)
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps([1, 2]))
    with pytest.raises(DrugFileError, match=r"list\.json: 1 problem .*must be a mapping, not list"):
        load_drug_file(listed)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(MtorsimError, match=r"broken.json: not valid JSON \(line 1"):
        load_drug_file(broken)
    rec = _record(mw_g_mol=-5.0)
    bad_value = tmp_path / "neg.yaml"
    bad_value.write_text(yaml.safe_dump(rec))
    with pytest.raises(DrugFileError, match=r"neg.yaml: 1 problem in .*mw_g_mol = -5.0: must be >"):
        register_drug(bad_value)


def test_a_registered_drug_runs_in_a_trial_and_re_registering_renews_its_profile(
    clean_registry: None,
) -> None:
    from dataclasses import replace

    import numpy as np

    from mtorsim.pharmacology.catalogue import get_drug
    from mtorsim.pharmacology.exposure import effective_free_nM
    from mtorsim.trials import cancer_type, sample_patients
    from mtorsim.trials.simulate import _exposures

    base = get_drug("vistusertib")
    register_drug(replace(base, name="my-torki", aliases=()))
    short = effective_free_nM("my-torki", 100, "daily")
    pts = sample_patients(cancer_type("RCC"), 20, 3)
    exp = _exposures(pts, {"my-torki": 100}, 1.0, 3)["my-torki"]  # was: not in the catalogue
    assert exp.shape == (60,) and np.isfinite(exp).all() and np.std(exp) > 0
    longer = replace(base.pk, v1_L=10 * base.pk.v1_L)  # ten times the half-life: flatter
    register_drug(replace(base, name="my-torki", aliases=(), pk=longer), replace=True)
    assert effective_free_nM("my-torki", 100, "daily") > 1.5 * short  # not a stale shape
