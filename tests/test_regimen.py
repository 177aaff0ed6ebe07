"""Regimens turn doses and schedules into dose times; bad regimens fail, odd doses warn."""

from __future__ import annotations

import warnings

import pytest

from mtorsim import MtorsimError, UnknownNameError
from mtorsim.pharmacology.regimen import DoseRangeWarning, Regimen, dosing_table, parse_dose


def test_parse_dose() -> None:
    assert parse_dose("10mg") == 10.0
    assert parse_dose("10 mg") == 10.0
    assert parse_dose("0.5 g") == 500.0
    for bad in ("10", "-5mg", "0mg", "ten mg", 10):
        with pytest.raises(MtorsimError):
            parse_dose(bad)


def test_daily_and_bid_counts() -> None:
    assert len(Regimen("everolimus", 10.0).dose_times(28 * 24)) == 28
    times = Regimen("azd8055", 40.0, "bid").dose_times(48)
    assert [t for t, _ in times] == [0, 12, 24, 36]


def test_weekly_and_intermittent() -> None:
    weekly = Regimen("temsirolimus", 25.0).dose_times(28 * 24)
    assert [t / 24 for t, _ in weekly] == [0, 7, 14, 21]
    five_two = Regimen("ridaforolimus", 40.0, "5on2off").dose_times(14 * 24)
    assert [t / 24 for t, _ in five_two] == [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]


def test_holidays_missed_doses_and_changes() -> None:
    reg = Regimen(
        "everolimus", 10.0, holidays=((3.0, 5.0),), missed_doses=(0,), dose_changes=((6.0, 5.0),)
    )
    doses = reg.dose_times(8 * 24)
    assert [t / 24 for t, _ in doses] == [1, 2, 5, 6, 7]
    assert [a for _, a in doses] == [10, 10, 10, 5, 5]


def test_stop_day_and_table() -> None:
    regs = [Regimen("everolimus", 10.0, stop_day=3.0), Regimen("trametinib", 2.0)]
    table = dosing_table(regs, 5 * 24)
    assert list(table.columns) == ["time_h", "drug", "amount_mg", "route"]
    assert (table.drug == "everolimus").sum() == 3 and (table.drug == "trametinib").sum() == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(dose_mg=-1.0),
        dict(dose_mg=float("nan")),
        dict(dose_mg=10.0, stop_day=0.0),
        dict(dose_mg=10.0, holidays=((5.0, 2.0),)),
        dict(dose_mg=10.0, start_day=-1.0),
    ],
)
def test_impossible_regimens(kwargs) -> None:
    with pytest.raises(MtorsimError):
        Regimen("everolimus", **kwargs)


def test_unknown_schedule_and_tool_compound() -> None:
    with pytest.raises(UnknownNameError, match="schedule"):
        Regimen("everolimus", 10.0, "fortnightly")
    with pytest.raises(MtorsimError, match="no clinical pharmacokinetics"):
        Regimen("torin1", 1.0)


def test_dose_range_warning_uses_daily_average() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Regimen("everolimus", 70.0, "weekly")  # 10 mg/day on average: no warning
    with pytest.warns(DoseRangeWarning, match="clinical range 2.5-10 mg/day"):
        Regimen("everolimus", 70.0, "daily")


def test_a_dose_given_as_text_is_read_with_its_unit() -> None:
    from mtorsim.pharmacology.regimen import parse_dose

    assert Regimen("everolimus", "10mg").dose_mg == Regimen("everolimus", 10.0).dose_mg
    assert parse_dose("10 MG") == 10.0 and parse_dose("500 mcg") == pytest.approx(0.5)
    with pytest.raises(MtorsimError, match=r"cannot read dose '10'.*or a number of mg"):
        Regimen("everolimus", "10")
