"""Drug commands of the CLI."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from cli_helpers import run_cli as run


def test_drugs_list_and_show(capsys, monkeypatch) -> None:
    code, out, _ = run(["drugs", "list"], capsys, monkeypatch)
    assert code == 0 and "everolimus" in out and "rapalink-1" in out
    code, out, _ = run(["drugs", "show", "RAD001"], capsys, monkeypatch)
    assert code == 0 and "Kd/IC50 FRB" in out and "2-cmt" in out


def test_patient_simulation(tmp_path: Path, capsys, monkeypatch) -> None:
    out_file, fig = tmp_path / "pt.parquet", tmp_path / "pt.png"
    code, _out, err = run(
        [
            "simulate",
            "--drug",
            "everolimus",
            "--dose",
            "10mg",
            "--drug",
            "trametinib",
            "--dose",
            "1mg",
            "--days",
            "3",
            "--out",
            str(out_file),
            "--plot",
            str(fig),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    df = pd.read_parquet(out_file)
    assert {"everolimus_blood_ng_mL", "trametinib_blood_ng_mL"} <= set(df.columns)
    assert mpimg.imread(fig).std() > 0.01


def test_patient_cohort_streams_to_parquet(tmp_path: Path, capsys, monkeypatch) -> None:
    out_file, fig = tmp_path / "cohort.parquet", tmp_path / "cohort.png"
    argv = ["simulate", "--drug", "everolimus", "--dose", "10mg", "--days", "4", "--patients"]
    argv += ["7", "--chunk-size", "3", "--out", str(out_file), "--plot", str(fig)]
    code, out, _ = run(argv, capsys, monkeypatch)
    assert code == 0, out
    df = pd.read_parquet(out_file)
    assert sorted(df.patient.unique()) == list(range(7))  # 3 chunks, no patient lost or doubled
    assert len(df) == 7 * 5 and (df.status == 0).all()
    assert {"everolimus_blood_ng_mL", "SITE__FRB", "S6K1"} <= set(df.columns)
    assert df.groupby("patient")["everolimus__CL"].nunique().eq(1).all()
    assert df["everolimus__CL"].nunique() == 7  # each patient has their own clearance
    assert "7 patients" in out and "S6K1" in out
    assert mpimg.imread(fig).std() > 0.01


def test_cell_treatment(capsys, monkeypatch) -> None:
    code, out, _ = run(["simulate", "--treat", "azd8055=100", "--hours", "6"], capsys, monkeypatch)
    assert code == 0 and "AKT_S473" in out


def test_pk_and_dose_response(tmp_path: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(
        [
            "pk",
            "--drug",
            "temsirolimus",
            "--dose",
            "25mg",
            "--days",
            "8",
            "--plot",
            str(tmp_path / "pk.svg"),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "sirolimus" in out and (tmp_path / "pk.svg").exists()
    code, out, _ = run(
        ["dose-response", "--drug", "azd8055", "--out", str(tmp_path / "dr.csv")],
        capsys,
        monkeypatch,
    )
    assert code == 0 and "IC50" in out
    assert len(pd.read_csv(tmp_path / "dr.csv")) >= 10


def test_dose_warning_is_one_line_and_run_continues(capsys, monkeypatch) -> None:
    code, _, err = run(
        ["simulate", "--drug", "everolimus", "--dose", "100mg", "--days", "1"], capsys, monkeypatch
    )
    assert code == 0
    assert err.strip().startswith("warning:") and "clinical range" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "--drug", "everolimu", "--dose", "10mg"], "Did you mean 'everolimus'"),
        (["simulate", "--drug", "everolimus", "--dose", "10"], "no unit|with a unit"),
        (["simulate", "--drug", "everolimus", "--dose", "-5mg"], "positive amount"),
        (["simulate", "--drug", "everolimus"], "one --dose per --drug"),
        (
            ["simulate", "--drug", "everolimus", "--dose", "10mg", "--schedule", "hourly"],
            "unknown schedule",
        ),
        (["simulate", "--drug", "torin1", "--dose", "1mg"], "no clinical pharmacokinetics"),
        (["simulate", "--drug", "everolimus", "--dose", "10mg", "--days", "-1"], "days"),
        (["simulate", "--treat", "azd8055=-3"], ">= 0"),
        (["pk", "--drug", "everolimus", "--dose", "10mg", "--out", "x.xlsx"], ".csv"),
        (["dose-response", "--drug", "azd8055", "--readout", "pS6"], "unknown read-out"),
        (["drugs", "show", "aspirin"], "unknown drug"),
        (["simulate", "--patients", "10"], "add --drug"),
        (["simulate", "--drug", "everolimus", "--dose", "10mg", "--patients", "0"], "at least 1"),
        (
            [
                "simulate",
                "--drug",
                "everolimus",
                "--dose",
                "10mg",
                "--patients",
                "3",
                "--readout",
                "pS6",
                "--out",
                "c.parquet",
            ],
            "pS6",
        ),
    ],
)
def test_bad_drug_input(argv, message, tmp_path: Path, capsys, monkeypatch) -> None:
    import re

    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys, monkeypatch)
    assert code == 2
    assert re.search(message, err), err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


def test_users_drug_file_and_dosing_table(tmp_path: Path, capsys, monkeypatch) -> None:
    from mtorsim.pharmacology.registry import example_drug_file, unregister_drug

    example = example_drug_file()
    code, out, _ = run(["drugs", "check", str(example)], capsys, monkeypatch)
    assert code == 0 and "valid drug record" in out
    argv = ["dose-response", "--drug-file", str(example), "--drug", "example-torki"]
    code, out, err = run([*argv, "--readout", "AKT_S473"], capsys, monkeypatch)
    unregister_drug("example-torki")
    assert code == 0 and "IC50" in out and "registered drug" in err
    table = Path(__file__).parent / "data" / "nonmem_everolimus.csv"
    out_file = tmp_path / "subjects.csv"
    argv = ["simulate", "--drug", "everolimus", "--dosing-table", str(table), "--days", "3"]
    code, out, _ = run([*argv, "--out", str(out_file)], capsys, monkeypatch)
    assert code == 0, out
    df = pd.read_csv(out_file)
    assert df.columns[:2].tolist() == ["ID", "time"] and df["ID"].nunique() >= 2
    assert df.groupby("ID")["everolimus_blood_ng_mL"].max().gt(1.0).all()


def test_dose_response_without_effect_self_combination_and_undefined_loewe(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    code, out, _ = run(["dose-response", "--drug", "interferon-alpha"], capsys, monkeypatch)
    assert code == 0 and "no effect on S6K1; IC50 undefined" in out and "IC50 0" not in out
    argv = ["dose-response", "--drug", "everolimus", "--combine", "everolimus"]
    code, _, err = run([*argv, "--out", str(tmp_path / "self.csv")], capsys, monkeypatch)
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert "different drug" in err and not (tmp_path / "self.csv").exists()
    argv = ["dose-response", "--drug", "everolimus", "--readout", "S6K1", "--combine"]
    code, out, err = run([*argv, "trametinib"], capsys, monkeypatch)
    out = " ".join(out.split())  # rich wraps long lines
    assert code == 0 and "Loewe CI undefined" in out and "nan" not in out
    assert "Warning" not in err and "at 0 nM" not in out
