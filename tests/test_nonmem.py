"""NONMEM-style dosing tables: read, expanded, validated, and simulated like regimens."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mtorsim
from mtorsim.errors import MtorsimError
from mtorsim.pharmacology.nonmem import read_dosing_table
from mtorsim.pharmacology.regimen import Regimen
from mtorsim.pharmacology.treatment import Dose, dose_events, dosing_events

DATA = Path(__file__).parent / "data" / "nonmem_everolimus.csv"
HEADER = "ID,TIME,AMT,CMT,EVID,II,ADDL\n"


def _table(rows: list[str], tmp_path: Path, header: str = HEADER) -> Path:
    path = tmp_path / "doses.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    return path


def _error(path: Path | pd.DataFrame, drug: str = "everolimus") -> str:
    with pytest.raises(MtorsimError) as info:
        read_dosing_table(path, drug=drug)
    msg = str(info.value)
    assert "\n" not in msg
    if isinstance(path, Path):
        assert msg.startswith(f"{path}: ")
    return msg


def test_addl_table_gives_the_regimen_time_course_exactly() -> None:
    doses = read_dosing_table(DATA, drug="everolimus")[1]
    assert [d.time_h for d in doses] == [24.0 * k for k in range(7)]
    assert {d.amount_mg for d in doses} == {10.0}
    regimen = Regimen("everolimus", 10.0, "daily")
    assert dose_events(doses, 7 * 24.0) == dosing_events([regimen], 7 * 24.0)
    model = mtorsim.load()
    a = model.simulate(days=7.0, points=29, exposure=regimen)
    b = model.simulate(days=7.0, points=29, exposure=list(doses))
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_observations_are_skipped_and_ids_kept_apart() -> None:
    records = read_dosing_table(DATA, drug="RAD001")
    assert list(records) == [1, 2]
    second = records[2]
    assert [(d.time_h, d.amount_mg) for d in second] == [
        (0.0, 5.0),
        (24.0, 5.0),
        (48.0, 5.0),
        (72.0, 10.0),
        (96.0, 10.0),
        (120.0, 10.0),
        (144.0, 10.0),
    ]
    assert all(d.compartment == "depot" and d.drug == "everolimus" for d in second)


def test_dataframe_input_and_expanded_rows_agree(tmp_path: Path) -> None:
    listed = pd.DataFrame(
        {
            "id": [7] * 3,
            "time": [0.0, 24.0, 48.0],
            "amt": [10.0] * 3,
            "cmt": [1] * 3,
            "evid": [1] * 3,
            "ii": [None] * 3,
            "addl": [None] * 3,
        }
    )
    addl = _table(["7,0,10,1,1,24,2"], tmp_path)
    assert read_dosing_table(listed, drug="everolimus") == read_dosing_table(
        addl, drug="everolimus"
    )


def test_simulate_dosing_table_stacks_subjects() -> None:
    model = mtorsim.load()
    df = model.simulate_dosing_table(DATA, drug="everolimus", days=1.0, points=3)
    assert list(df["ID"].unique()) == [1, 2] and len(df) == 6
    assert df.columns[:2].tolist() == ["ID", "time"] and "everolimus_blood_ng_mL" in df
    with pytest.raises(MtorsimError, match=r"ID\(s\) \[3\] have no doses"):
        model.simulate_dosing_table(DATA, drug="everolimus", days=1.0, ids=[3])


def test_iv_rates_and_central_doses(tmp_path: Path) -> None:
    # RATE -2: the library's infusion duration, as a weekly temsirolimus regimen gives it
    path = _table(["1,0,25,1,1,168,3,-2"], tmp_path, "ID,TIME,AMT,CMT,EVID,II,ADDL,RATE\n")
    doses = read_dosing_table(path, drug="temsirolimus")[1]
    weekly = dosing_events([Regimen("temsirolimus", 25.0, "weekly")], 600.0)
    assert dose_events(doses, 600.0) == weekly
    # RATE > 0: that rate (mg/h) for AMT/RATE hours; overlapping infusions add up
    overlap = [
        Dose("temsirolimus", 0.0, 20.0, rate_mg_h=10.0),
        Dose("temsirolimus", 1.0, 10.0, rate_mg_h=5.0),
    ]
    rates = [(e.time, e.parameters["temsirolimus__infusion"]) for e in dose_events(overlap, 10.0)]
    assert rates == [(0.0, 10.0), (1.0, 15.0), (2.0, 5.0), (3.0, 0.0)]
    # an oral drug with apparent CL/F, V/F: a true IV bolus enters as amount / F
    bolus = dose_events([Dose("everolimus", 0.0, 1.6, compartment="central")], 10.0)
    assert bolus[0].add == {"everolimus__central": pytest.approx(1.6 / 0.16)}


def test_cmt_map_can_be_overridden(tmp_path: Path) -> None:
    path = _table(["1,0,10,3,1,0,0"], tmp_path)
    (dose,) = read_dosing_table(path, drug="everolimus", cmt={3: "central"})[1]
    assert dose.compartment == "central"
    with pytest.raises(MtorsimError, match="cmt map"):
        read_dosing_table(path, drug="temsirolimus", cmt={1: "depot"})


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["1,0,10,1,1,24,6", "1,x,10,1,1,0,0"], "row 2, column TIME: 'x' is not a number"),
        (["1,0,ten,1,1,0,0"], "row 1, column AMT: 'ten' is not a number"),
        (["1,0,-10,1,1,0,0"], "row 1, column AMT: -10; a dose row (EVID 1) needs AMT > 0"),
        (["1,-1,10,1,1,0,0"], "row 1, column TIME: -1 is negative"),
        (["1,24,10,1,1,0,0", "1,12,10,1,1,0,0"], "row 2, column TIME: 12 h is before"),
        (["1,0,10,1,1,0,6"], "row 1, column II: II is 0 with ADDL 6; additional doses need II"),
        (["1,0,10,1,1,24,1.5"], "row 1, column ADDL: 1.5; give a whole number"),
        (["1,0,10,1,1,-24,0"], "row 1, column II: -24 is negative"),
        (["1,0,10,1,9,0,0"], "row 1, column EVID: 9; use 0 (observation), 1 (dose)"),
        (["1,0,10,1,4,0,0"], "row 1, column EVID: 4 (reset and dose) is not supported"),
        (["1,0,10,5,1,0,0"], "row 1, column CMT: 5; for this drug use 1 (depot), 2 (central)"),
        (["1,0,10,1,1,0,0", "2,0,10,1,1,0,0", "1,5,10,1,1,0,0"], "row 3, column ID: 1 appears"),
        (["1,0,10,1,1,0,0", "", "1,inf,10,1,1,0,0"], "row 3, column TIME: 'inf' is not a finite"),
    ],
)
def test_bad_tables_name_row_and_column(rows: list[str], expected: str, tmp_path: Path) -> None:
    assert expected in _error(_table(rows, tmp_path))


def test_rate_and_steady_state_limits(tmp_path: Path) -> None:
    header = "ID,TIME,AMT,CMT,EVID,II,ADDL,RATE,SS\n"
    msg = _error(_table(["1,0,10,1,1,0,0,5,0"], tmp_path, header))
    assert "row 1, column RATE: zero-order input into the depot is not supported" in msg
    msg = _error(_table(["1,0,10,1,1,0,0,-1,0"], tmp_path, header), drug="temsirolimus")
    assert "row 1, column RATE: -1 (rate from the model) is not supported" in msg
    msg = _error(_table(["1,0,10,1,1,24,0,0,1"], tmp_path, header))
    assert "row 1, column SS: steady-state doses are not supported" in msg


def test_missing_columns_and_files(tmp_path: Path) -> None:
    msg = _error(_table(["1,0,10"], tmp_path, "ID,TIME,AMT\n"))
    assert "missing column(s) CMT, EVID, II, ADDL" in msg
    with pytest.raises(MtorsimError, match="dosing table not found"):
        read_dosing_table(tmp_path / "none.csv", drug="everolimus")
    frame = pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [-1.0], "CMT": [1], "EVID": [1]})
    frame["II"], frame["ADDL"] = 0.0, 0
    assert _error(frame).startswith("dosing table: row 1, column AMT")
    with pytest.raises(MtorsimError, match="torin1 has no clinical pharmacokinetics"):
        read_dosing_table(DATA, drug="torin1")


def test_many_problems_stay_on_one_line(tmp_path: Path) -> None:
    rows = [f"1,{t},-1,1,1,0,0" for t in range(6)]
    msg = _error(_table(rows, tmp_path))
    assert msg.count("column AMT") == 3 and msg.endswith("(and 3 more)")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"amount_mg": 0.0}, "amount_mg is 0.0; give a finite number > 0"),
        ({"time_h": -1.0}, "time_h is -1.0"),
        ({"compartment": "gut"}, "compartment 'gut'; use 'depot' or 'central'"),
        ({"compartment": "depot", "rate_mg_h": 2.0}, "a rate into the depot"),
    ],
)
def test_dose_records_are_checked(kwargs: dict, expected: str) -> None:
    with pytest.raises(MtorsimError, match=expected.replace("(", r"\(")):
        Dose(**{"drug": "everolimus", "time_h": 0.0, "amount_mg": 10.0, **kwargs})
    with pytest.raises(MtorsimError, match="has no depot"):
        Dose("temsirolimus", 0.0, 25.0, compartment="depot")
