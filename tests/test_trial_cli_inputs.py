"""``mtorsim trial`` on designs and options a user gets wrong: absurd doses, tiny trials,
``--replicates`` beside outputs it does not write (issue #15, a new-user audit)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run_cli as run
from mtorsim.pharmacology.regimen import DoseRangeWarning
from mtorsim.trials import load_design, run_replicates


def _design(tmp_path: Path, dose: float = 10.0, n: int = 40) -> Path:
    path = tmp_path / "design.json"
    arms = [{"name": "everolimus", "drugs": {"everolimus": dose}}, {"name": "placebo"}]
    path.write_text(
        json.dumps({"name": "mine", "cancer_type": "rcc", "n_patients": n, "arms": arms})
    )
    return path


def test_a_dose_far_outside_the_label_warns_as_simulate_does(tmp_path, capsys, monkeypatch) -> None:
    path = _design(tmp_path, dose=1000)
    with pytest.warns(DoseRangeWarning, match="arm 'everolimus': everolimus 1000 mg/day"):
        load_design(str(path))
    code, _, err = run(["trial", str(path)], capsys, monkeypatch)
    assert code == 0 and "warning: arm 'everolimus'" in err and "2.5-10 mg/day" in err
    with warnings.catch_warnings():  # the label dose, and every built-in design, are quiet
        warnings.simplefilter("error", DoseRangeWarning)
        load_design(str(_design(tmp_path)))
        for name in ("RECORD-1", "Study-205", "MANTA", "BEZ235-PNET", "LY3023414-phase1"):
            load_design(name)


def test_replicates_refuse_outputs_they_do_not_write(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = _design(tmp_path)
    for extra in (["--plot", "km.png"], ["--report", "r.html"], ["--subgroups"]):
        code, _, err = run(["trial", str(path), "--replicates", "2", *extra], capsys, monkeypatch)
        assert code == 2 and "--replicates" in err and extra[0] in err
    assert not any(tmp_path.glob("km.png")) and not any(tmp_path.glob("r.html"))
    # --out FILE writes the spread
    code, _, _ = run(
        ["trial", str(path), "--replicates", "2", "--out", "spread.csv"], capsys, monkeypatch
    )
    spread = pd.read_csv(tmp_path / "spread.csv")
    assert code == 0 and {"median_HR", "estimable", "replicates"} <= set(spread.columns)


def test_tiny_trials_say_what_they_cannot_estimate(tmp_path, capsys, monkeypatch) -> None:
    path = _design(tmp_path, n=3)
    code, out, err = run(["trial", str(path), "--patients", "1"], capsys, monkeypatch)
    assert code == 0 and "few patients in arm(s)" in err
    assert "not estimable" in out and "nan" not in out
    # replicates: a hazard ratio with no finite interval is left out of the spread
    table, spread = run_replicates(load_design(str(path)), 3, n_patients=3)
    assert not table.loc[~table.estimable, "HR_ci_high"].pipe(lambda x: x.between(0, 1e9)).any()
    pfs = spread[spread.endpoint == "PFS"].iloc[0]
    assert pfs.estimable == table[(table.endpoint == "PFS") & table.estimable].shape[0]
    if pfs.estimable == 0:
        assert pd.isna(pfs.median_HR)
    # a real size: every replicate estimable, the spread as before
    _, spread = run_replicates("RECORD-1", 2, n_patients=200)
    assert (spread.estimable == 2).all() and spread.median_HR.between(0.1, 1).all()


def test_endpoint_names_any_case(tmp_path, capsys, monkeypatch) -> None:
    path = _design(tmp_path)
    code, _, err = run(
        ["trial", str(path), "--plot", str(tmp_path / "os.png"), "--endpoint", "os"],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert (tmp_path / "os.png").stat().st_size > 0
