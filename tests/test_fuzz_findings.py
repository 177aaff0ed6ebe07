"""Issue #16, fuzz campaign findings: each bad input fails fast with one ``error:`` line."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run_cli
from mtorsim.calibration.petab_io import _formula_problem
from mtorsim.errors import MtorsimError
from mtorsim.io import parse_yaml, read_yaml
from mtorsim.pharmacology.nonmem import read_dosing_table

DATA = Path(__file__).parent / "data"
BOMB = "a: &a [1, 1, 1]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


# ----------------------------------------------------------------- hangs


def test_addl_huge_is_refused_before_expanding() -> None:
    df = pd.DataFrame(
        {"ID": [1], "TIME": [0], "AMT": [10], "CMT": [1], "EVID": [1], "II": [24]}
        | {"ADDL": [10**9]}
    )
    t0 = time.perf_counter()
    with pytest.raises(MtorsimError, match=r"row 1, column ADDL: .*at most 99,999"):
        read_dosing_table(df, drug="everolimus")
    assert time.perf_counter() - t0 < 2.0


def test_yaml_aliases_are_refused() -> None:
    with pytest.raises(MtorsimError, match="aliases"):
        parse_yaml(BOMB, "d.yaml")


def test_design_alias_bomb_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "d.yaml").write_text(BOMB)
    code, _, err = run_cli(["trial", str(tmp_path / "d.yaml")], capsys, monkeypatch)
    assert code == 2 and "aliases" in one_error_line(err)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"\xe1\x00\x01binary", "binary"),
        ("name: caf\xe9\n".encode("latin-1"), "not UTF-8"),
        (b"a:\n" + b"".join(b" " * (i + 1) + b"- \n" for i in range(20_000)), "deeper|deeply"),
        (b"[" * 20_000 + b"]" * 20_000, "deeper|deeply"),
    ],
)
def test_read_yaml_refuses_bad_files(tmp_path: Path, content: bytes, match: str) -> None:
    p = tmp_path / "x.yaml"
    p.write_bytes(content)
    with pytest.raises(MtorsimError, match=match):
        read_yaml(p)


def test_drug_file_yaml_bad_bytes_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "b.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    code, _, err = run_cli(["drugs", "check", str(tmp_path / "b.yaml")], capsys, monkeypatch)
    assert code == 2 and "not UTF-8" in one_error_line(err)


@pytest.mark.parametrize("formula", ["pS6**(10**10**10)", "pS6^100000", "x" * 5000])
def test_huge_formulas_are_refused_before_sympy(formula: str) -> None:
    assert _formula_problem(formula)


@pytest.mark.parametrize("formula", ["scaling * (pS6 + pAkt)", "pS6**2", "10**-3 * x"])
def test_ordinary_formulas_pass(formula: str) -> None:
    assert _formula_problem(formula) is None


def test_combine_unknown_drug_is_checked_first(capsys, monkeypatch) -> None:
    t0 = time.perf_counter()
    argv = ["dose-response", "--hours", "1", "--drug", "everolimus", "--combine", "foo"]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and "'foo'" in one_error_line(err)
    assert time.perf_counter() - t0 < 5.0


# ----------------------------------------------------------------- tracebacks, zero exits


def test_ragged_variant_rows_name_the_line(tmp_path: Path) -> None:
    from mtorsim.genomics.readers import read_copy_number, read_variant_csv

    (tmp_path / "v.csv").write_text("sample,gene,variant\nS1,PIK3CA,E545K,x,y,z\n")
    with pytest.raises(MtorsimError, match=r"line 2: 6 fields but the header has 3"):
        read_variant_csv(tmp_path / "v.csv")
    (tmp_path / "cn.csv").write_text("gene,S1\nPTEN,-2,9,9\n")
    with pytest.raises(MtorsimError, match=r"line 2: 4 fields"):
        read_copy_number(tmp_path / "cn.csv")


@pytest.mark.parametrize("vaf", ["1.5", "-1"])
def test_vaf_outside_0_1_is_a_problem_but_keeps_the_variant(tmp_path: Path, vaf: str) -> None:
    from mtorsim.genomics.readers import read_variant_csv

    (tmp_path / "v.csv").write_text(f"sample,gene,variant,vaf\nS1,PIK3CA,E545K,{vaf}\n")
    t = read_variant_csv(tmp_path / "v.csv")  # the prediction does not read the VAF
    assert t.variants.gene.tolist() == ["PIK3CA"] and t.variants.vaf.isna().all()
    assert "0-1" in t.problems.iloc[0]["problem"]


def test_copy_number_outside_range_is_a_problem_row(tmp_path: Path) -> None:
    from mtorsim.genomics.readers import read_copy_number

    (tmp_path / "cn.csv").write_text("gene,S1\nPTEN,5\n")
    t = read_copy_number(tmp_path / "cn.csv")
    assert t.variants.empty and "-2..2" in t.problems.iloc[0]["problem"]


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"starts": 10**9}, "--starts"),
        ({"seed": -1}, "--seed"),
        ({"seed": 2**63}, "--seed"),
        ({"max_nfev": 0}, "--max-nfev"),
        ({"scheduler": "garbage"}, "--scheduler"),
        ({"checkpoint": Path("ck.txt")}, "--checkpoint .*json"),
        ({"atol": float("inf")}, "--atol"),
        ({"workers": 100_000}, "--workers"),
    ],
)
def test_calibrate_options_checked_first(kw: dict, match: str) -> None:
    from mtorsim.cli.calibrate import _check_options

    args = dict(starts=1, seed=0, workers=1, scheduler=None, checkpoint=None, max_nfev=1)
    args |= dict(rtol=1e-8, atol=1e-14) | kw
    with pytest.raises(MtorsimError, match=match):
        _check_options(**args)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["simulate", "--until", "10"], "--until is for SBML"),
        (["simulate", "--hours", "1", "--chunk-size", "0"], "--chunk-size applies to cohorts"),
        (["simulate", "--hours", "1", "--seed", "3"], "--seed applies to cohorts"),
        (["simulate", "--days", "2", "--dose", "10mg"], "--dose .* add --drug"),
        (["simulate", "--days", "2", "--schedule", "daily"], "--schedule .* add --drug"),
        (["simulate", "--drug", "everolimus", "--dosing-table", "t.xlsx"], "save the sheet"),
    ],
)
def test_flags_outside_their_mode_are_errors(argv, match, capsys, monkeypatch) -> None:
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2
    assert re.search(match, one_error_line(err))


def test_drug_file_shadowing_a_builtin_needs_replace_drug(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from mtorsim.pharmacology.registry import example_drug_file

    text = example_drug_file().read_text().replace("name: example-torki", "name: everolimus")
    assert "name: everolimus" in text
    (tmp_path / "e.yaml").write_text(text)
    code, _, err = run_cli(["drugs", "check", str(tmp_path / "e.yaml")], capsys, monkeypatch)
    assert code == 2 and "--replace-drug" in one_error_line(err)
    argv = ["pk", "--drug-file", str(tmp_path / "e.yaml"), "--drug", "everolimus"]
    code, _, err = run_cli([*argv, "--dose", "10mg", "--days", "1"], capsys, monkeypatch)
    assert code == 2 and "--replace-drug" in one_error_line(err)


# ----------------------------------------------------------------- one line


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["simulate", "--hours", "x"], r"'--hours'.*\(see 'mtorsim simulate --help'\)"),
        (["simulate", "--hour", "3"], r"No such option: --hour.*mtorsim simulate --help"),
        (["simulat"], r"No such command 'simulat'"),
        (["pk", "--days"], r"'--days' requires an argument.*mtorsim pk --help"),
        (["drugs", "show"], r"Missing argument.*mtorsim drugs show --help"),
    ],
)
def test_usage_errors_are_one_line(argv, match, capsys, monkeypatch) -> None:
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and re.search(match, one_error_line(err))


def test_help_and_version_still_work(capsys, monkeypatch) -> None:
    code, out, _ = run_cli(["--version"], capsys, monkeypatch)
    assert code == 0 and out.startswith("mtorsim ")
    code, out, _ = run_cli(["simulate", "--help"], capsys, monkeypatch)
    assert code == 0 and "--hours" in out


def test_htslib_logging_is_silenced(tmp_path: Path, capfd) -> None:
    pytest.importorskip("cyvcf2")
    from mtorsim.genomics.readers import read_vcf

    (tmp_path / "t.vcf").write_bytes(b"\x00\x01junk" * 10)
    with pytest.raises(MtorsimError, match="not a readable VCF"):
        read_vcf(tmp_path / "t.vcf")
    assert "[E::" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("t.maf.gz", b"Hugo_Symbol\tTumor_Sample_Barcode\n", "not gzip-compressed"),
        ("t.maf", b"\x1f\x8b\x08\x00rest", "gunzip it first"),
        ("t.xlsx", b"Hugo_Symbol\tTumor_Sample_Barcode\n", "spreadsheet"),
    ],
)
def test_compressed_or_spreadsheet_tables_say_so(
    tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    from mtorsim.genomics.readers import read_maf

    (tmp_path / name).write_bytes(content)
    with pytest.raises(MtorsimError, match=match):
        read_maf(tmp_path / name)


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["drugs", "schema", "--out", "s.txt"], r"give a \.json file"),
        (["simulate", "--sbml", "m.txt", "--until", "10"], r"--sbml m\.txt: give an SBML"),
        (["simulate", "--sbml", "m.xml", "--until", "1e300"], r"--until is 1e\+300"),
    ],
)
def test_output_and_sbml_checks(argv, match, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and re.search(match, one_error_line(err))
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["pk", "--drug", "everolimus", "--days", "1"], "--dose is required"),
        (["pk", "--drug", "foo", "--days", "1"], "unknown drug 'foo'"),
        (["simulate", "--hours", "1", "--set", "PTEN_level=-1"], "PTEN_level=-1: .*>= 0"),
    ],
)
def test_clear_messages(argv, match, capsys, monkeypatch) -> None:
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and re.search(match, one_error_line(err))


# ----------------------------------------------------------------- signals

_SWALLOWED = """
import ctypes, os, signal, sys, time
from mtorsim import cli

cli._set_handlers(cli._interrupt)
sys.unraisablehook = cli._unraisable

@ctypes.CFUNCTYPE(None)
def callback():  # like llvmlite's: the handler raises here and ctypes drops it
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.5)

try:
    callback()
    t0 = time.time()
    while time.time() - t0 < 10:
        pass
    sys.exit(1)
except cli._Interrupted as exc:
    sys.exit(128 + exc.signum)
"""


def test_signal_swallowed_in_a_ctypes_callback_still_ends_the_run() -> None:
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-c", _SWALLOWED], capture_output=True, timeout=60)
    assert p.returncode == 143, p.stderr.decode()
    assert b"Exception ignored" not in p.stderr


def test_cli_messages_use_flag_names() -> None:
    from mtorsim.cli import _flag_names

    assert _flag_names("give until= in the model's unit") == "give --until in the model's unit"
    assert _flag_names("map them with node_map (e.g. x)") == "map them with --map (e.g. x)"
    assert _flag_names("--set PTEN_level=-1") == "--set PTEN_level=-1"


def test_folders_and_unwritable_targets_are_named(tmp_path: Path, capsys, monkeypatch) -> None:
    from mtorsim.io import write_text

    (tmp_path / "d").mkdir()
    (tmp_path / "f").write_text("")
    code, _, err = run_cli(["drugs", "check", str(tmp_path / "d")], capsys, monkeypatch)
    assert code == 2 and "is a folder" in one_error_line(err)
    with pytest.raises(MtorsimError, match=r"cannot write .*f/x\.csv: .*f is a file"):
        write_text(tmp_path / "f" / "x.csv", "x")


def test_last_campaign_zero_exits_are_errors(tmp_path: Path) -> None:
    """A 20,000-character drug note and a design with 50 arms were accepted with exit 0 by
    the independent campaign."""
    import json

    import yaml

    import mtorsim.trials.design as design_module
    from mtorsim.pharmacology.registry import example_drug_file, load_drug_file
    from mtorsim.trials import load_design

    rec = yaml.safe_load(example_drug_file().read_text())
    rec["notes"] = "x" * 20_000
    (tmp_path / "big.yaml").write_text(yaml.safe_dump(rec))
    with pytest.raises(MtorsimError, match="notes") as info:
        load_drug_file(tmp_path / "big.yaml")
    assert len(str(info.value)) < 400  # the value is cut in the message
    designs = Path(design_module.__file__).parents[1] / "data" / "trials" / "designs.json"
    raw = json.loads(designs.read_text())
    design = dict(raw[0] if isinstance(raw, list) else next(iter(raw.values())))
    design["arms"] = [design["arms"][0]] * 50
    (tmp_path / "many.json").write_text(json.dumps(design))
    with pytest.raises(MtorsimError, match="at most 20"):
        load_design(tmp_path / "many.json")


# ------------------------------------------------- second independent campaign (#16)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"n_patients": 10**12}, r"memory.*lower n_patients="),
        ({"n_patients": True}, r"n_patients= is True"),
        ({"n_patients": 0}, r"n_patients= is 0"),
        ({"n_patients": 5, "seed": -1}, r"seed= is -1"),
        ({"n_patients": 5, "chunk_size": 0}, r"chunk_size= is 0"),
    ],
)
def test_run_trial_api_has_the_clis_resource_guard(kw: dict, match: str) -> None:
    from mtorsim import run_trial
    from mtorsim.guard import ResourceError

    t0 = time.perf_counter()
    with pytest.raises(ResourceError, match=match):
        run_trial("RECORD-1", **kw)
    assert time.perf_counter() - t0 < 5.0


def test_cohort_chunks_run_in_short_kernel_calls(monkeypatch) -> None:
    """A signal is handled only between kernel calls: a chunk runs in slices of about
    SLICE_SECONDS each (so Ctrl-C stops a 2,500-member chunk in ~1 s, not a minute), and
    slicing changes no number."""
    import numpy as np

    from mtorsim.engine import cohort
    from mtorsim.engine.simulate import as_compiled
    from mtorsim.network.default import default_network

    c = as_compiled(default_network())
    rng = np.random.default_rng(0)
    ps = pd.DataFrame({"GF": rng.uniform(0.5, 1.5, 12)})
    t = np.linspace(0, 24, 5)
    whole = cohort.simulate_cohort(c, 24, ps, t, chunk_size=12)
    sizes = []
    real = cohort.run_kernel

    def spy(compiled, y0, *args):
        sizes.append(y0.shape[0])
        return real(compiled, y0, *args)

    monkeypatch.setattr(cohort, "run_kernel", spy)
    monkeypatch.setattr(cohort, "SLICE_SECONDS", 1e-9)  # one row per call after the first
    sliced = cohort.simulate_cohort(c, 24, ps, t, chunk_size=12)
    assert sizes == [8, 1, 1, 1, 1]
    pd.testing.assert_frame_equal(sliced, whole)


def test_warnings_come_first_and_the_error_line_stands_alone(tmp_path, capsys, monkeypatch):
    """Unreadable rows are warnings (one line each); with no row left, the last stderr line
    is the one error, and it names the count and the first problem on its own."""
    p = tmp_path / "v.csv"
    p.write_text("sample,gene,variant,vaf\nA,PTEN,p.!!,\nB,KRAS,p.??,\n")
    code, _, err = run_cli(["predict", "--variants", str(p), "--n", "2"], capsys, monkeypatch)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and "Traceback" not in err
    assert [ln.split(":")[0] for ln in lines] == ["warning", "warning", "error"]
    assert lines[-1].startswith("error: no readable variants in the given file(s): 2 unreadable")
    assert f"the first {p}: line 2: " in lines[-1]


MAF_HEAD = "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tHGVSp_Short\tt_alt_count"
MAF_HEAD += "\tt_ref_count\n"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("PTEN\tS1\n", "2 field(s) where the header has 6: no HGVSp_Short"),
        ("PTEN\tS1\t\t\t1\t2\n", "PTEN: no HGVSp_Short and no Variant_Classification"),
        ("PTEN\tS1\tMissense_Mutation\tp.R130Q\t-5\t-3\n", "give read counts >= 0"),
        ("PTEN\tS1\tMissense_Mutation\tp.R130Q\tnan\tinf\n", "give read counts >= 0"),
        ("PTEN\tS1\tMissense_Mutation\tp.R130Q\t1.5\t3\n", "give read counts >= 0"),
    ],
)
def test_maf_rows_pandas_filled_in_are_problems(tmp_path: Path, row: str, problem: str):
    from mtorsim.genomics.readers import read_maf

    p = tmp_path / "x.maf"
    p.write_text(MAF_HEAD + "AKT1\tS2\tMissense_Mutation\tp.E17K\t3\t7\n" + row)
    t = read_maf(p)
    assert t.problems.line.tolist() == [3] and problem in t.problems.problem[0]
    if "read counts" in problem:  # bad counts cost only the VAF, as in a variant CSV
        assert t.variants.gene.tolist() == ["AKT1", "PTEN"] and t.variants.vaf.isna().tolist() == [
            False,
            True,
        ]
        assert t.problems.action[0] == "row kept, vaf unknown"
    else:  # the good row is kept, the bad one is not, and its sample is not wild type
        assert t.variants.gene.tolist() == ["AKT1"] and t.unread == ("S1",)


def test_a_column_given_twice_is_an_error(tmp_path: Path) -> None:
    from mtorsim.genomics.readers import read_maf

    p = tmp_path / "x.maf"
    p.write_text(MAF_HEAD.rstrip("\n") + "\tHugo_Symbol\nPTEN\tS1\tNonsense\tp.R130*\t1\t2\tAKT1\n")
    with pytest.raises(MtorsimError, match=r"line 1: column.* Hugo_Symbol appear more than once"):
        read_maf(p)


@pytest.mark.parametrize("row", ["A,,truncating", ",PTEN,truncating", "A,PTEN"])
def test_variant_csv_rows_without_sample_gene_or_variant_are_problems(tmp_path, row):
    from mtorsim.genomics.readers import read_variant_csv

    p = tmp_path / "v.csv"
    p.write_text(f"sample,gene,variant\nB,AKT1,p.E17K\n{row}\n")
    t = read_variant_csv(p)
    assert t.variants.gene.tolist() == ["AKT1"] and t.problems.line.tolist() == [3]


def test_variant_csv_may_leave_off_an_optional_trailing_vaf(tmp_path) -> None:
    from mtorsim.genomics.readers import read_variant_csv

    p = tmp_path / "v.csv"
    p.write_text("sample,gene,variant,vaf\nB,AKT1,p.E17K\nA,PTEN,deletion,0.5\n")
    t = read_variant_csv(p)
    assert t.problems.empty and t.variants.gene.tolist() == ["AKT1", "PTEN"]


@pytest.mark.parametrize(
    ("types", "match"),
    [
        ("sample,cancer_type\n", "has a header but no rows"),
        ("sample,cancer_type\nS1,BRCA\nS1,LUAD\n", "line 3: sample 'S1' is 'LUAD' here but 'BRCA'"),
    ],
)
def test_types_file_without_rows_or_with_two_types_is_an_error(
    tmp_path, types, match, capsys, monkeypatch
):
    (tmp_path / "t.csv").write_text(types)
    argv = ["cohort", "--maf", str(DATA / "small.maf"), "--types", str(tmp_path / "t.csv")]
    code, _, err = run_cli([*argv, "--n", "2"], capsys, monkeypatch)
    assert code == 2 and match in err.splitlines()[-1] and "Traceback" not in err


@pytest.mark.parametrize("dose", ["1e308mg", "2000g"])
def test_a_dose_over_a_kilogram_is_refused(dose, capsys, monkeypatch) -> None:
    code, _, err = run_cli(["pk", "--drug", "everolimus", "--dose", dose], capsys, monkeypatch)
    assert code == 2
    assert "give at most 1,000,000 mg (1 kg)" in one_error_line(err)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ("1,0,10,1,1,24,6,0,.,1,9,9,9\n", "line 2: 13 fields but the header has 10"),
        ("1,1e300,10,1,1,24,6,0,.,1\n", "row 1, column TIME: 1e+300 h is after a century"),
        ("1,0,10,1,1,1e300,6,0,.,1\n", "row 1, column II: 6 doses every 1e+300 h run past"),
    ],
)
def test_dosing_table_ragged_rows_and_far_times(tmp_path: Path, rows: str, match: str) -> None:
    p = tmp_path / "dose.csv"
    p.write_text("ID,TIME,AMT,CMT,EVID,II,ADDL,RATE,DV,MDV\n" + rows)
    with pytest.raises(MtorsimError, match=re.escape(match)):
        read_dosing_table(p, drug="everolimus")


def test_a_reader_recursing_too_deep_is_one_error_line(tmp_path, capsys, monkeypatch) -> None:
    """MathML nested 3,000 levels made the SBML reader hit RecursionError: the CLI says so
    in one line naming the file (any reader, not only SBML's)."""
    import mtorsim

    def deep(*args, **kwargs):
        def down(n):
            return down(n + 1)

        return down(0)

    p = tmp_path / "m.xml"
    p.write_text("<sbml/>")
    monkeypatch.setattr(mtorsim, "load", deep)
    code, _, err = run_cli(["simulate", "--sbml", str(p)], capsys, monkeypatch)
    assert code == 2 and f"{p}: nested too deeply to read" in one_error_line(err)


def test_a_dataset_never_replaces_a_folder_of_other_files(tmp_path, capsys, monkeypatch):
    """``trial --out FOLDER`` replaces the folder whole: a folder holding the user's own
    files was deleted (keep.csv gone); now it is refused before the trial runs."""
    from mtorsim.io import write_partitioned

    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "keep.csv").write_text("mine\n")
    argv = ["trial", "RECORD-1", "--patients", "5", "--out", str(folder)]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and "holds other files (keep.csv)" in one_error_line(err)
    with pytest.raises(MtorsimError, match="holds other files"):
        write_partitioned({"patients": pd.DataFrame({"arm": ["a"]})}, folder, partition_by="arm")
    assert (folder / "keep.csv").read_text() == "mine\n"
    # a dataset written before is replaced
    ds = tmp_path / "ds"
    for _ in range(2):
        write_partitioned({"patients": pd.DataFrame({"arm": ["a"]})}, ds, partition_by="arm")
    assert [p.name for p in ds.iterdir()] == ["patients"]


@pytest.mark.parametrize(
    ("env", "value"),
    [("MTORSIM_TIME_LIMIT", "nan"), ("MTORSIM_TIME_LIMIT", "-1"), ("MTORSIM_MEMORY_LIMIT", "-5G")],
)
def test_budgets_from_the_environment_must_be_positive(monkeypatch, env, value) -> None:
    """MTORSIM_TIME_LIMIT=nan compared False with every estimate: no limit at all."""
    from mtorsim import guard

    monkeypatch.setenv(env, value)
    with pytest.raises(MtorsimError, match=env):
        guard.check_trial(1000, 2000, 0)


@pytest.mark.parametrize(
    "content", ["[1, 2, 3]", '{"starts": [{"x": 1}]}', '{"starts": {"start": 1}}', "\x00"]
)
def test_a_malformed_checkpoint_is_one_error(tmp_path, content, capsys, monkeypatch) -> None:
    ck = tmp_path / "ck.json"
    ck.write_text(content)
    problem = Path(__file__).parents[1] / "src/mtorsim/data/petab/fujita2010/fujita2010.yaml"
    argv = ["calibrate", str(problem), "--starts", "1", "--checkpoint", str(ck)]
    code, _, err = run_cli([*argv, "--out", str(tmp_path / "cal")], capsys, monkeypatch)
    assert code == 2 and str(ck) in one_error_line(err)
    assert not (tmp_path / "cal").exists()


def test_counts_past_int64_are_refused_before_any_estimate(tmp_path, capsys, monkeypatch):
    """A 401-digit n_patients overflowed the float memory estimate (OverflowError)."""
    import json

    from mtorsim import guard

    with pytest.raises(guard.ResourceError, match="a 401-digit number; give at most"):
        guard.check_trial(10**400, 2000, 0)
    designs = Path(__file__).parents[1] / "src/mtorsim/data/trials/designs.json"
    design = json.loads(designs.read_text())[0]
    design["n_patients"] = 10**400
    (tmp_path / "d.json").write_text(json.dumps(design))
    code, _, err = run_cli(["trial", str(tmp_path / "d.json")], capsys, monkeypatch)
    assert code == 2 and "n_patients = " in one_error_line(err)


def test_a_latin1_byte_in_any_vcf_record_is_named(tmp_path) -> None:
    """htslib passed a Latin-1 byte in ID or INFO on (a gene 'PIK3CA\\xe9' was read)."""
    from mtorsim.genomics.readers import read_vcf

    text = (
        (DATA / "small.vcf")
        .read_text()
        .replace("\tPIK3CA|", "\tPIK3CA\xe9|")
        .replace("|PIK3CA|", "|PIK3CA\xe9|")
    )
    p = tmp_path / "x.vcf"
    p.write_bytes(text.encode("latin-1"))
    with pytest.raises(MtorsimError, match=r"line 10: the record is not UTF-8 text \(byte 0xe9"):
        read_vcf(p)


def test_a_very_wide_header_is_read_in_linear_time(tmp_path: Path) -> None:
    """The duplicate-column check counted each name in the whole header: 200,000 columns
    hung for minutes."""
    from mtorsim.genomics.readers import read_maf

    n = 50_000
    p = tmp_path / "wide.maf"
    p.write_text("\t".join(f"c{i}" for i in range(n)) + "\n" + "\t".join("x" * n) + "\n")
    t0 = time.perf_counter()
    with pytest.raises(MtorsimError, match="not a MAF"):
        read_maf(p)
    assert time.perf_counter() - t0 < 10.0


@pytest.mark.parametrize(
    ("main_file", "hard"),
    [
        ("/usr/bin/mtorsim", True),
        ("/x/src/mtorsim/__main__.py", True),
        ("/x/site-packages/pytest/__main__.py", False),
        (None, False),
    ],
)
def test_an_interrupted_command_exits_without_interpreter_shutdown(monkeypatch, main_file, hard):
    """One SIGTERM in ~50 crashed the finalisation (SIGSEGV, exit -11): the command leaves
    with os._exit once its temporaries are gone; main() called in-process raises SystemExit."""
    import os
    import sys
    import types

    from mtorsim import cli

    fake = types.ModuleType("__main__")
    if main_file:
        fake.__file__ = main_file
    monkeypatch.setitem(sys.modules, "__main__", fake)
    exits: list[int] = []

    class HardExit(BaseException):
        pass

    def fake_exit(code: int) -> None:
        exits.append(code)
        raise HardExit

    monkeypatch.setattr(os, "_exit", fake_exit)
    if hard:
        with pytest.raises(HardExit):
            cli._leave(143)
        assert exits == [143]
    else:
        with pytest.raises(SystemExit) as info:
            cli._leave(143)
        assert info.value.code == 143 and exits == []
