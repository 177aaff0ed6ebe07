"""The command line: outputs written atomically; bad input -> one line, exit 2, no files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from cli_helpers import run_cli as run


def test_simulate_writes_table_and_figure(tmp_path: Path, capsys, monkeypatch) -> None:
    table, fig = tmp_path / "run.parquet", tmp_path / "run.png"
    code, out, _ = run(
        [
            "simulate",
            "--inhibit",
            "mTORC1=0.9",
            "--hours",
            "6",
            "--points",
            "25",
            "--out",
            str(table),
            "--plot",
            str(fig),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    df = pd.read_parquet(table)
    assert len(df) == 25 and df["S6K1"].iloc[-1] < 0.5 * df["S6K1"].iloc[0]
    assert df["time"].iloc[-1] == 6.0  # the API's column: time, in the unit of --hours
    img = mpimg.imread(fig)
    assert img.shape[0] > 200 and img.shape[1] > 300 and img.std() > 0.01
    assert "AKT_S473" in out


def test_steady_state_and_network_show(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, _ = run(
        ["steady-state", "--growth-factor", "0", "--out", str(tmp_path / "ss.csv")],
        capsys,
        monkeypatch,
    )
    assert code == 0
    ss = pd.read_csv(tmp_path / "ss.csv").set_index("readout")
    assert ss.loc["S6K1", "fold_vs_rest"] < 0.5
    code, _, _ = run(
        ["network", "show", "--what", "parameters", "--out", str(tmp_path / "p.csv")],
        capsys,
        monkeypatch,
    )
    assert code == 0
    params = pd.read_csv(tmp_path / "p.csv")
    assert params["source"].notna().all()


def test_export_sbml(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, _ = run(["export-sbml", str(tmp_path / "m.xml")], capsys, monkeypatch)
    assert code == 0 and (tmp_path / "m.xml").stat().st_size > 10_000


def test_validate_prints_scorecard(capsys, monkeypatch) -> None:
    code, out, _ = run(
        ["validate", "--claim", "C1", "--claim", "C8", "--claim", "C20"], capsys, monkeypatch
    )
    assert code == 0
    assert "C8" in out and "pass" in out and "not implemented" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate", "--inhibit", "mTORX=0.9"], "unknown node 'mTORX'"),
        (["simulate", "--hours", "-5"], "hours is -5"),
        (["simulate", "--inhibit", "mTORC1"], "NAME=VALUE"),
        (["simulate", "--set", "GF=nan"], "nan"),
        (["simulate", "--inhibit", "mTORC1=2"], "between 0 and 1"),
        (["simulate", "--readout", "S6K"], "unknown read-out"),
        (["steady-state", "--set", "k_nonexistent=1"], "unknown parameter"),
        (["export-sbml", "model.txt"], "should end in .xml"),
        (["validate", "--claim", "C99"], "unknown claim"),
        (["validate", "--trials", "--trial-patients", "5"], "--trial-patients is 5"),
        (["validate", "--trial-patients", "400"], "add --trials"),
        (["validate", "--no-claims"], "nothing to do"),
        (["validate", "--no-claims", "--trials", "--claim", "C1"], "scorecard's"),
        (["validate", "--trials-out", "t.csv"], "add --trials"),
    ],
)
def test_bad_input_one_line_no_output(argv, message, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(
        [*argv, *(["--out", "out.csv"] if argv[0] == "simulate" else [])], capsys, monkeypatch
    )
    assert code == 2
    assert message in err
    assert err.strip().startswith("error:") and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written, not even a temp file


def test_validate_trials_alone_exits_on_its_own_tables(tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "trials.csv"
    argv = ["validate", "--trials", "--no-claims", "--trial-patients", "20", "--trials-out"]
    code, stdout, err = run([*argv, str(out)], capsys, monkeypatch)
    assert code == 0, err
    assert "claim scorecard" not in stdout and "leave-one-trial-out" in stdout
    table = pd.read_csv(out)
    assert set(table["fit"]) == {"in-sample", "leave-one-trial-out"}
    assert len(table) == 2 * table.query("fit == 'in-sample'").shape[0] > 0


def test_bad_output_suffix_fails_before_running(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run(["simulate", "--out", str(tmp_path / "x.xlsx")], capsys, monkeypatch)
    assert code == 2 and ".csv" in err and not list(tmp_path.iterdir())


def test_real_process_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mtorsim", "simulate", "--inhibit", "nope=0.5"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "unknown node" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_version_and_fast_help() -> None:
    import time

    from mtorsim import __version__

    proc = subprocess.run(
        [sys.executable, "-m", "mtorsim", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"mtorsim {__version__}"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mtorsim", "--help"], capture_output=True, text=True, timeout=60
    )
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 0 and "simulate" in proc.stdout
    # the help loads no numerical library (checked directly, not by a flaky timing)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['mtorsim','--help']\n"
            "import mtorsim.cli as c\n"
            "heavy=[m for m in ('numpy','pandas','sympy','numba','scipy') if m in sys.modules]\n"
            "print(','.join(heavy))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.strip() == "", probe.stdout
    assert elapsed < 5.0  # generous: loaded CI machines; BENCHMARKS.md records ~0.25 s


def test_reading_a_design_loads_neither_survival_analysis_nor_the_engine() -> None:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from mtorsim.trials import load_design\n"
            "from mtorsim.trials.design_model import design_schema\n"
            "load_design('RECORD-1'); design_schema()\n"
            "print(','.join(m for m in ('lifelines', 'numba', 'sympy') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0 and probe.stdout.strip() == "", probe.stdout + probe.stderr
