"""Fuzzing the command line with bad values (issue #16).

Every run here gets an input that must be refused: a size flag out of range, a seed
outside 0..2**63-1, a malformed NAME=VALUE, a file that is not what it claims to be. Each
must end with a non-zero exit and a message (no traceback: the CLI runs in-process, so any
other exception fails the test), write no output and leave no temporary file. Validation
rejects these before anything is simulated, so the suite stays fast (no integration, no
numba compile).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli_helpers import run_cli

DATA = Path(__file__).parent / "data"
FUZZ = settings(
    max_examples=20,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _refused(argv: list[str], folder: Path, capsys, monkeypatch) -> str:
    """Run ``mtorsim ARGV``; it must fail cleanly and leave ``folder`` as it was."""
    before = sorted(folder.rglob("*"))
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code != 0, (argv, err)
    assert "Traceback" not in err
    assert err.strip(), argv  # a message, not a silent failure
    after = sorted(folder.rglob("*"))
    assert after == before, f"{argv} left {set(after) - set(before)}"
    return err


def _text(value: object) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def bad_count(minimum: int) -> st.SearchStrategy[int]:
    """Below the minimum, or so large no machine holds the run."""
    return st.integers(max_value=minimum - 1, min_value=-(10**30)) | st.integers(
        min_value=10**13, max_value=10**60
    )


TOO_FEW = st.integers(max_value=0, min_value=-(10**30))  # a big chunk is fine (min with N)
BAD_SEED = st.integers(max_value=-1, min_value=-(10**30)) | st.integers(
    min_value=2**63, max_value=10**80
)
BAD_SPAN = (
    st.floats(max_value=0.0, allow_nan=False)
    | st.floats(min_value=1e7, allow_nan=False)
    | st.just(math.nan)
)
PATIENTS = ["simulate", "--drug", "everolimus", "--dose", "10mg"]
SIZE_FLAGS = [
    (["simulate", "--hours", "24"], "--points", bad_count(2)),
    ([*PATIENTS, "--days", "28"], "--patients", bad_count(1)),
    ([*PATIENTS, "--patients", "20"], "--chunk-size", TOO_FEW),
    (["trial", "RECORD-1"], "--patients", bad_count(1)),
    (["trial", "RECORD-1"], "--chunk-size", TOO_FEW),
    (["predict", "--variants", str(DATA / "small_variants.csv")], "--n", bad_count(2)),
    (["cohort", "--variants", str(DATA / "small_variants.csv")], "--n", bad_count(2)),
]
SPAN_FLAGS = [
    (["simulate"], "--hours"),
    (["simulate"], "--days"),
    (["simulate"], "--until"),
    (PATIENTS, "--days"),
    (["pk", "--drug", "everolimus", "--dose", "10mg"], "--days"),
    (["dose-response", "--drug", "everolimus"], "--hours"),
    (["trial", "RECORD-1"], "--months"),
]
SEED_COMMANDS = [
    [*PATIENTS, "--patients", "10"],
    ["trial", "RECORD-1"],
    ["predict", "--variants", str(DATA / "small_variants.csv")],
    ["cohort", "--variants", str(DATA / "small_variants.csv")],
]


@FUZZ
@given(case=st.sampled_from(SIZE_FLAGS), data=st.data())
def test_size_flags(case, data, tmp_path, capsys, monkeypatch) -> None:
    argv, flag, values = case
    value = data.draw(values)
    out = tmp_path / "out.csv"
    err = _refused([*argv, f"{flag}={value}", "--out", str(out)], tmp_path, capsys, monkeypatch)
    assert flag in err


@FUZZ
@given(case=st.sampled_from(SPAN_FLAGS), value=BAD_SPAN)
def test_durations(case, value, tmp_path, capsys, monkeypatch) -> None:
    argv, flag = case
    out = tmp_path / "out.csv"
    argv = [*argv, f"{flag}={_text(value)}", "--out", str(out)]
    err = _refused(argv, tmp_path, capsys, monkeypatch)
    assert flag in err


@FUZZ
@given(argv=st.sampled_from(SEED_COMMANDS), seed=BAD_SEED)
def test_seeds(argv, seed, tmp_path, capsys, monkeypatch) -> None:
    err = _refused(
        [*argv, f"--seed={seed}", "--out", str(tmp_path / "o.csv")], tmp_path, capsys, monkeypatch
    )
    assert "2**63" in err


NOT_A_NUMBER = st.text(min_size=1, max_size=8).filter(lambda s: not _is_number(s))


def _is_number(text: str) -> bool:
    try:
        return not math.isnan(float(text))
    except ValueError:
        return False


ASSIGNMENT = st.text(max_size=12).filter(lambda s: "=" not in s) | st.builds(
    lambda n, v: f"{n}={v}", st.sampled_from(["mTORC1", "PTEN_level", "x"]), NOT_A_NUMBER
)


@FUZZ
@given(option=st.sampled_from(["--inhibit", "--set", "--treat"]), value=ASSIGNMENT)
def test_name_value_options(option, value, tmp_path, capsys, monkeypatch) -> None:
    argv = ["simulate", "--hours", "1", f"{option}={value}", "--out", str(tmp_path / "o.csv")]
    err = _refused(argv, tmp_path, capsys, monkeypatch)
    assert "NAME=VALUE" in err or "not a number" in err or "NaN" in err


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
BASE = {
    "name": "fuzz",
    "cancer_type": "RCC",
    "n_patients": 40,
    "arms": [{"name": "a", "drugs": {"everolimus": 10}}, {"name": "b", "drugs": {}}],
}


@FUZZ
@given(doc=JSON | st.binary(max_size=64).map(lambda b: b.decode("latin-1")))
def test_design_files(doc, tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "design.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    _refused(["trial", str(path), "--out", str(tmp_path / "o.csv")], tmp_path, capsys, monkeypatch)


@FUZZ
@given(field=st.sampled_from([*BASE, "allocation", "modifiers", "crossover"]), value=JSON)
def test_design_fields(field, value, tmp_path, capsys, monkeypatch) -> None:
    """A design with one field replaced: refused for the field, or (when the value happens
    to be valid) for --patients 0, which is checked after the design, before simulating."""
    path = tmp_path / "design.json"
    path.write_text(json.dumps({**BASE, field: value}))
    argv = ["trial", str(path), "--patients", "0", "--out", str(tmp_path / "o.csv")]
    _refused(argv, tmp_path, capsys, monkeypatch)


FILE_FLAGS = [("--maf", "x.maf"), ("--variants", "x.csv"), ("--cna", "x.csv"), ("--vcf", "x.vcf")]


@FUZZ
@given(case=st.sampled_from(FILE_FLAGS), content=st.binary(max_size=200))
def test_mutation_files(case, content, tmp_path, capsys, monkeypatch) -> None:
    flag, name = case
    path = tmp_path / name
    path.write_bytes(content)
    argv = ["predict", flag, str(path), "--drug", "everolimus", "--out", str(tmp_path / "o.csv")]
    _refused(argv, tmp_path, capsys, monkeypatch)


@FUZZ
@given(content=st.binary(max_size=120) | st.text(max_size=60).map(str.encode))
def test_types_files(content, tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "types.csv"
    path.write_bytes(content)
    argv = ["cohort", "--variants", str(DATA / "small_variants.csv"), "--types", str(path)]
    _refused([*argv, "--out", str(tmp_path / "o.csv")], tmp_path, capsys, monkeypatch)
