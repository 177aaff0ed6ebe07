"""The typed boundary of trial designs: one error per problem, the JSON Schema from the
same model, and (property tests) no input that makes validation raise anything else."""

from __future__ import annotations

import contextlib
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_helpers import run_cli
from mtorsim.errors import MtorsimError
from mtorsim.trials import TrialDesign, load_design, trial_designs
from mtorsim.trials.design_model import (
    MAX_DEPTH,
    DesignError,
    design_schema,
    parse_design_text,
    validate_design,
)

BASE = {
    "name": "t",
    "cancer_type": "RCC",
    "n_patients": 40,
    "arms": [
        {"name": "everolimus", "drugs": {"everolimus": 10}},
        {"name": "placebo", "drugs": {}},
    ],
}


def _with(**changes) -> dict:
    return {**BASE, **changes}


def _arm(**fields) -> dict:
    return {**_with(), "arms": [fields, {"name": "placebo", "drugs": {}}]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_with(arms=["everolimus"]), "arms[0] = 'everolimus': must be a mapping"),
        (_arm(name="a", dose={"everolimus": 10}), "unknown arm field 'dose' (did you mean 'drugs'"),
        (
            _arm(name="a", drugs={"everolimus": 10}, schedule="daily"),
            "unknown arm field 'schedule'",
        ),
        (_arm(drugs={"everolimus": 10}), "arms[0].name: required field missing"),
        (_arm(name="a", drugs=["everolimus"]), "arms[0].drugs = ['everolimus']: must be a mapping"),
        (_arm(name="a", drugs=None), "arms[0].drugs = None: must be a mapping"),
        (_with(cancer_type=7), "cancer_type = 7: must be a text string"),
        (_with(allocation=2), "allocation = 2: must be a list"),
        (_with(allocation=[2, "one"]), "allocation[1] = 'one': must be a number"),
        (_with(name=None), "name = None: must be a text string"),
        (_with(name="  "), "name = '  ': must not be blank"),
        (_with(n_patients=True), "n_patients = True: must be a whole number"),
        (_with(n_patients=12.5), "n_patients = 12.5: must be a whole number"),
        (_with(n_patients=0), "n_patients = 0: must be >= 1"),
        (_arm(name="a", drugs={"torin1": 1}), "torin1 has no clinical PK"),
        (_arm(name="a", drugs={"everolimus": True}), "must be a number, not true/false"),
        (_with(follow_up_months=float("nan")), "follow_up_months = nan: must be a finite number"),
        (_with(follow_up_months=1e9), "follow_up_months = 1000000000.0: must be <= 1200"),
        (_with(dose=10), "unknown design fields: 'dose'"),
        (_with(primary_endpoint="QoL"), "not a primary endpoint"),
        (_with(cancer_type="RCX"), "unknown cancer type 'RCX'. Did you mean 'RCC'"),
        (_with(modifiers={"cell_loss": 1}), "per-design modifiers are gone"),
        (_with(crossover_fraction=1.5), "crossover_fraction = 1.5: must be <= 1"),
        (_with(select_genes=["NOTAGENE"]), "unknown gene 'NOTAGENE'"),
        ({k: v for k, v in BASE.items() if k != "name"}, "name: required field missing"),
    ],
)
def test_each_problem_is_named_with_field_value_and_what_is_allowed(data, expected) -> None:
    with pytest.raises(DesignError) as info:
        TrialDesign.from_dict(data)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_every_problem_at_once() -> None:
    bad = _with(name=None, n_patients=True, cancer_type=3, dose=1)
    with pytest.raises(DesignError) as info:
        validate_design(bad, "d.json")
    assert len(info.value.problems) == 4
    assert str(info.value).startswith("d.json: 4 problems in the trial design: ")


def test_codes_and_endpoints_are_case_insensitive() -> None:
    d = TrialDesign.from_dict(_with(cancer_type="rcc", primary_endpoint="pfs"))
    assert (d.cancer_type, d.primary_endpoint) == ("RCC", "PFS")


def test_builtin_designs_load_and_follow_the_schema() -> None:
    schema = design_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["ArmSpec"]["additionalProperties"] is False
    for d in trial_designs().values():
        jsonschema.validate(d.to_dict(), schema)
        assert TrialDesign.from_dict(d.to_dict()) == d
    assert load_design("record-1").name == "RECORD-1"
    # the bounds are JSON Schema keywords, so a standard validator refuses what mtorsim does
    record = load_design("RECORD-1").to_dict()
    for field, value in (("follow_up_months", 0), ("crossover_fraction", 1.5)):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**record, field: value}, schema)
    negative = {**record, "arms": [{**record["arms"][0], "drugs": {"everolimus": -10}}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(negative, schema)


def test_schema_command(tmp_path, capsys, monkeypatch) -> None:
    code, out, _ = run_cli(["trial", "schema"], capsys, monkeypatch)
    assert code == 0 and json.loads(out) == design_schema()
    target = tmp_path / "design.schema.json"
    code, _, _ = run_cli(["trial", "schema", "--out", str(target)], capsys, monkeypatch)
    assert code == 0 and json.loads(target.read_text()) == design_schema()
    code, _, err = run_cli(
        ["trial", "schema", "--out", str(tmp_path / "s.txt")], capsys, monkeypatch
    )
    assert code == 2 and ".json" in err


def test_yaml_designs_and_file_problems(tmp_path) -> None:
    y = tmp_path / "d.yaml"
    y.write_text("name: y\ncancer_type: PNET\nn_patients: 20\narms:\n  - name: a\n")
    assert load_design(str(y)).cancer_type == "PNET"
    j = tmp_path / "d.json"
    j.write_text('{"name": "a", "name": "b"}')
    with pytest.raises(MtorsimError, match="given twice"):
        load_design(str(j))
    j.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(MtorsimError, match="not UTF-8"):
        load_design(str(j))
    j.write_bytes(b"\x00\x01binary")
    with pytest.raises(MtorsimError, match="binary"):
        load_design(str(j))
    with pytest.raises(MtorsimError, match="not found"):
        load_design(str(tmp_path / "none.json"))


@pytest.mark.parametrize(
    "text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]
)
def test_deep_nesting_is_refused_before_parsing(text) -> None:
    with pytest.raises(DesignError, match=f"deeper than {MAX_DEPTH}"):
        parse_design_text(text, "deep.json")
    with pytest.raises(DesignError, match=f"deeper than {MAX_DEPTH}"):
        parse_design_text(text, "deep.yaml", yaml_text=True)


def test_brackets_inside_strings_do_not_count() -> None:
    data = parse_design_text(json.dumps(_with(note="[" * 100)), "d.json")
    assert validate_design(data).note == "[" * 100


# ----------------------------------------------------------------- properties

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    *BASE,
    "allocation",
    "follow_up_months",
    "crossover",
    "crossover_fraction",
    "prior_therapy",
    "select_genes",
]


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_value_of_any_field_is_accepted_or_named(field, value) -> None:
    """Whatever a field holds, the result is a design or one MtorsimError naming it."""
    try:
        TrialDesign.from_dict(_with(**{field: value}))
    except MtorsimError as exc:
        assert "\n" not in str(exc)
        assert field in str(exc) or "arm" in str(exc) or "accrual" in str(exc)


@settings(max_examples=40, deadline=None, database=None)
@given(data=JSON)
def test_any_json_document_is_a_design_or_an_error(data) -> None:
    with contextlib.suppress(MtorsimError):
        TrialDesign.from_dict(data)


@settings(max_examples=25, deadline=None, database=None)
@given(
    n=st.integers(1, 10_000),
    alloc=st.lists(st.floats(0.1, 10), min_size=2, max_size=2),
    months=st.floats(13, 120),
)
def test_valid_designs_round_trip(n, alloc, months) -> None:
    d = TrialDesign.from_dict(_with(n_patients=n, allocation=alloc, follow_up_months=months))
    assert TrialDesign.from_dict(d.to_dict()) == d
    assert d.n_patients == n
