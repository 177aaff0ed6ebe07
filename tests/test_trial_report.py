"""Trial figures and the HTML report: rendered to PNG and checked, not only written."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cli_helpers import run_cli
from mtorsim.errors import MtorsimError
from mtorsim.report.html import trial_report
from mtorsim.report.plots import save_figure
from mtorsim.report.trial_plots import plot_forest, plot_km, plot_spider, plot_waterfall
from mtorsim.trials import run_trial


@pytest.fixture(scope="module")
def result():
    return run_trial("BOLERO-2", n_patients=240, seed=4)


def _render(draw, path: Path):
    fig, ax = plt.subplots(figsize=(6, 4))
    draw(ax)
    labels = (ax.get_xlabel(), ax.get_ylabel())
    save_figure(fig, path)
    img = mpimg.imread(path)
    assert img.shape[0] > 200 and img.std() > 0.02  # something was drawn
    return labels, ax


def test_km_plot_has_arms_and_numbers_at_risk(result, tmp_path: Path) -> None:
    (x, y), ax = _render(lambda ax: plot_km(result, "PFS", ax=ax), tmp_path / "km.png")
    assert x == "months from randomisation" and y == "PFS probability"
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= set(result.arms)
    with pytest.raises(MtorsimError, match="endpoint"):
        plot_km(result, "DFS")


def test_waterfall_spider_forest(result, tmp_path: Path) -> None:
    (_, y), ax = _render(lambda ax: plot_waterfall(result, ax=ax), tmp_path / "w.png")
    assert "best change" in y
    assert len(ax.patches) >= len(result.patients.dropna(subset=["best_change_pct"]))
    (x, _), ax = _render(lambda ax: plot_spider(result, ax=ax, max_patients=20), tmp_path / "s.png")
    assert x == "weeks" and len(ax.lines) >= 20
    sub = result.subgroups()
    (x, _), ax = _render(lambda ax: plot_forest(sub, ax=ax), tmp_path / "f.png")
    assert x.startswith("hazard ratio") and ax.get_xscale() == "log"
    with pytest.raises(MtorsimError, match="forest"):
        plot_forest(pd.DataFrame())


def test_html_report_is_self_contained(result, tmp_path: Path) -> None:
    path = trial_report(result, tmp_path / "r.html")
    text = Path(path).read_text()
    assert text.count("<svg") >= 5  # KM PFS, KM OS, waterfall, spider, forest
    assert "http" not in text.split("<body>")[1].split("<svg")[0]  # no external assets
    assert '"seed": 4' in text and "everolimus + exemestane" in text


def test_cli_trial_run_and_outputs(tmp_path: Path, capsys, monkeypatch) -> None:
    out, rep, fig = tmp_path / "p.csv", tmp_path / "r.html", tmp_path / "km.svg"
    code, stdout, _ = run_cli(
        [
            "trial",
            "RECORD-1",
            "--patients",
            "60",
            "--seed",
            "1",
            "--out",
            str(out),
            "--report",
            str(rep),
            "--plot",
            str(fig),
            "--subgroups",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, stdout
    assert "everolimus vs placebo" in stdout
    assert len(pd.read_csv(out)) == 60 and rep.exists() and fig.read_text().startswith("<?xml")
    code, stdout, _ = run_cli(["trial", "list"], capsys, monkeypatch)
    assert code == 0 and "MANTA" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trial", "RECORD-2"], "unknown trial"),
        (["trial", "RECORD-1", "--patients", "0"], "--patients"),
        (["trial", "RECORD-1", "--months", "1"], "assessments every"),
        (["trial", "RECORD-1", "--report", "x.pdf"], ".html"),
        (["trial", "RECORD-1", "--out", "x.xlsx"], "xlsx"),
        (["trial", "RECORD-1", "--select", "NOPE"], "unknown gene"),
    ],
)
def test_cli_trial_bad_input(args, message, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(
        [*args, "--out", "p.csv"] if "--out" not in args else args, capsys, monkeypatch
    )
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "p.csv").exists()


def test_cli_trial_on_a_local_dask_cluster(tmp_path: Path, capsys, monkeypatch) -> None:
    folder = tmp_path / "ds"
    code, _stdout, err = run_cli(
        [
            "trial",
            "RECORD-1",
            "--patients",
            "40",
            "--seed",
            "2",
            "--workers",
            "1",
            "--chunk-size",
            "20",
            "--out",
            str(folder),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    dask_rows = pd.read_parquet(folder / "patients").sort_values("patient")
    single = run_trial("RECORD-1", n_patients=40, seed=2).patients
    assert dask_rows["pfs_months"].to_numpy() == pytest.approx(single["pfs_months"].to_numpy())
