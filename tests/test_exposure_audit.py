"""PK summaries, NONMEM tables, inhibitions of imported models and relative plots, as a
new user meets them (a second audit)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import mtorsim
from cli_helpers import run_cli
from mtorsim.errors import MtorsimError

matplotlib.use("Agg")


def test_pk_trough_is_each_drugs_own(tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "pk.csv"
    argv = ["pk", "--drug", "everolimus", "--dose", "50mg", "--schedule", "weekly"]
    argv += ["--drug", "trametinib", "--dose", "2mg", "--schedule", "daily", "--days", "10"]
    code, text, err = run_cli([*argv, "--out", str(out)], capsys, monkeypatch)
    assert code == 0, err
    df = pd.read_csv(out)
    before = df.loc[df.time_h == 168.0, "everolimus_blood_ng_mL"].iloc[0]  # its last dose
    row = next(ln for ln in text.splitlines() if "everolimus" in ln)
    assert f"{before:.3g}" in row  # not its level before trametinib's last dose (16 ng/mL)
    code, text, _ = run_cli(
        ["pk", "--drug", "everolimus", "--dose", "10mg", "--days", "1"], capsys, monkeypatch
    )
    row = next(ln for ln in text.splitlines() if "everolimus" in ln)
    assert code == 0 and "│ -" in row  # one dose: no trough yet (was 0)


def _table(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doses.csv"
    path.write_text(text)
    return path


def test_a_blank_line_in_a_dosing_table_hides_nothing(tmp_path) -> None:
    path = _table(
        tmp_path, "ID,TIME,AMT,CMT,EVID,II,ADDL,RATE\n1,0,10,1,1,0,0,0\n\n1,-5,10,1,1,0,0,0\n"
    )
    with pytest.raises(MtorsimError, match=r"row 3, column TIME: -5 is negative") as info:
        mtorsim.load().simulate_dosing_table(path, drug="everolimus", days=1)
    assert "None" not in str(info.value)


def test_subjects_without_doses_in_the_run_are_named(tmp_path) -> None:
    m = mtorsim.load()
    path = _table(tmp_path, "ID,TIME,AMT,CMT,EVID,II,ADDL\n1,0,10,1,1,24,2\n3,0,.,.,0,.,.\n")
    with pytest.warns(UserWarning, match=r"ID\(s\) 3 have no dose rows"):
        assert set(m.simulate_dosing_table(path, drug="everolimus", days=1).ID) == {1}
    path = _table(tmp_path, "ID,TIME,AMT,CMT,EVID,II,ADDL\n1,0,10,1,1,0,0\n2,200,10,1,1,0,0\n")
    with pytest.warns(UserWarning, match=r"ID\(s\) 2 get their first dose at or after the end"):
        m.simulate_dosing_table(path, drug="everolimus", days=7)


def test_inhibiting_a_zero_parameter_of_an_imported_model_is_an_error(tmp_path) -> None:
    path = tmp_path / "mtor.xml"
    mtorsim.load().to_sbml(path)
    imported = mtorsim.load(str(path))
    with pytest.raises(
        MtorsimError, match="inhibit_mTORC1, whose value is 0, has no effect; it is"
    ):
        imported.simulate(hours=1, exposure=mtorsim.Inhibition(inhibit_mTORC1=0.9))
    inhibited = imported.simulate(hours=24, exposure=mtorsim.Inhibition(mTORC1=0.9))
    assert inhibited["S6K1"].iloc[-1] < 0.5 * inhibited["S6K1"].iloc[0]


def test_relative_plots_refuse_a_start_at_zero_and_label_units() -> None:
    m = mtorsim.load()
    r = m.simulate(
        hours=2, exposure=mtorsim.Medium(growth_factor=1), baseline=mtorsim.Medium(growth_factor=0)
    )
    with pytest.raises(MtorsimError, match=r"ERK, RTK start at .nearly. 0"):
        r.plot(["ERK", "RTK"], relative=True)
    assert r.plot(["S6K1"]).get_ylabel() == "active fraction"
    shared = Path(__file__).resolve().parents[2] / "shared" / "models" / "Varusai2018.xml"
    if shared.is_file():
        v = mtorsim.load(str(shared)).simulate(until=60)
        assert v.plot([v.readouts[0]]).get_ylabel() == "value (the model's units)"


def test_a_drug_given_twice_is_refused_not_silently_dropped(tmp_path, capsys, monkeypatch):
    m = mtorsim.load()
    for twice in ({"everolimus": 0.01, "afinitor": 0.01}, {"everolimus": 1, "EVEROLIMUS": 2}):
        with pytest.raises(MtorsimError, match="give each drug once"):
            m.simulate(hours=1, exposure=twice)
    with pytest.raises(MtorsimError, match="give each drug once"):
        m.simulate(hours=1, exposure=[{"everolimus": 0.01}, {"Everolimus": 0.02}])
    for flag in ("--treat", "--set"):
        value = "everolimus" if flag == "--treat" else "PTEN_level"
        argv = ["simulate", "--hours", "1", flag, f"{value}=0.01", flag, f"{value}=0.02"]
        rc, _, err = run_cli(argv, capsys, monkeypatch)
        assert rc == 2 and f"{flag} gives {value} twice" in err
    from mtorsim.trials import TrialDesign, load_design

    record = load_design("RECORD-1").to_dict()
    record["arms"][0]["drugs"] = {"everolimus": 10, "Afinitor": 5}
    with pytest.raises(MtorsimError, match="'Afinitor' is everolimus, which the arm already"):
        TrialDesign.from_dict(record)
    from mtorsim.trials.design import Arm  # built in Python, past the file boundary too

    with pytest.raises(MtorsimError, match="arm 'x': 'afinitor' is everolimus"):
        Arm("x", drugs={"everolimus": 10, "afinitor": 5})


def test_readouts_add_to_a_cohort_and_are_refused_for_a_single_run() -> None:
    m = mtorsim.load()
    regimen = mtorsim.Regimen("everolimus", 10.0)
    cohort = m.simulate(days=1, exposure=regimen, patients=2, seed=0, readouts=["PIP3"])
    assert {"PIP3", "S6K1"} <= set(cohort.columns)  # added to the defaults
    with pytest.raises(MtorsimError, match="adds columns to a cohort"):
        m.simulate(days=1, exposure=regimen, readouts=["S6K1"])
