"""Trial figures and the HTML report: rendered to PNG and checked, not only written."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cli_helpers import run_cli
from mtorsim.errors import MtorsimError
from mtorsim.report.caveats import KNOWN_LIMITATIONS, caveats
from mtorsim.report.html import trial_report
from mtorsim.report.plots import save_figure
from mtorsim.report.trial_plots import plot_forest, plot_km, plot_spider, plot_waterfall
from mtorsim.trials import load_design, run_trial


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
    # KM PFS, KM OS, waterfall, spider, forest, all embedded
    assert text.count('src="data:image/svg+xml;base64,') >= 5
    assert "http" not in text.split("<body>")[1].split("data:image")[0]  # no external assets
    assert "<link" not in text and "<script" not in text
    assert '"seed": 4' in text and "everolimus + exemestane" in text


class _Structure(HTMLParser):
    """Tags, attributes and nesting of a report, for checks that need no browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.tables_outside_wrap = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "table" and not any(
            t == "div" and "table-wrap" in (x.get("class") or "") for t, x in self.stack
        ):
            self.tables_outside_wrap += 1
        if tag not in {"img", "meta", "br", "hr", "input", "link"}:
            self.stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def test_html_report_structure_without_a_browser(result, tmp_path: Path) -> None:
    text = Path(trial_report(result, tmp_path / "r.html")).read_text()
    page = _Structure()
    page.feed(text)
    assert page.named("html")[0].get("lang") == "en"
    for landmark in ("header", "main", "footer"):
        assert len(page.named(landmark)) == 1, landmark
    sections = page.named("section")
    assert len(sections) >= 6
    assert all(s.get("aria-labelledby") in page.ids for s in sections)
    imgs = page.named("img")
    assert len(imgs) >= 5 and all((i.get("alt") or "").strip() for i in imgs)
    alts = " ".join(str(i["alt"]) for i in imgs)
    assert "Kaplan–Meier curves of progression-free survival by arm" in alts
    assert "overall survival" in alts and "Waterfall" in alts and "Forest" in alts
    # wide tables scroll in their own box on screen and shrink to the page in print
    assert len(page.named("table")) >= 4 and page.tables_outside_wrap == 0
    style = text.split("<style>")[1].split("</style>")[0]
    assert ".table-wrap{overflow-x:auto" in style and "@media print" in style
    printed = style.split("@media print")[1]
    assert "break-inside:avoid" in printed and "max-width:100%" in printed


def test_report_shows_the_size_that_was_run(result, tmp_path: Path) -> None:
    assert result.design.n_patients == 724 and len(result.patients) == 240
    text = Path(trial_report(result, tmp_path / "r.html")).read_text()
    assert "240 patients simulated (published design: 724)" in text
    assert '"n_patients": 240' in text and '"n_patients": 724' not in text


def test_caveats_are_data_and_follow_the_design() -> None:
    assert {c.where for c in KNOWN_LIMITATIONS} >= {"OS", "summary"}
    record = caveats(load_design("RECORD-1"))  # crossover from placebo to everolimus
    bolero = caveats(load_design("BOLERO-2"))  # no crossover
    assert [c.where for c in record] == ["OS", "summary"]
    assert [c.where for c in bolero] == ["summary"]
    assert caveats(load_design("RECORD-1"), "OS")[0].needs_crossover


def test_report_carries_caveat_boxes(result, tmp_path: Path) -> None:
    text = Path(trial_report(result, tmp_path / "r.html")).read_text()
    assert text.count('class="caveat"') == 1 and "Objective response rates" in text
    crossover = run_trial("RECORD-1", n_patients=40, seed=3)
    text = Path(trial_report(crossover, tmp_path / "x.html")).read_text()
    assert "Overall survival with crossover is a prediction, not a fit" in text
    assert "IPCW" in text and "RPSFT" in text and "crossed over" in text  # as the console
    assert "40 patients simulated (published design: 416)" in text
    # beside the OS hazard ratios and the OS curves, and once for response rates
    assert text.count('class="caveat"') == 3


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
    assert "60 patients simulated (published design: 416)" in rep.read_text()
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


def test_a_median_never_reached_reads_nr(tmp_path: Path) -> None:
    import math

    # a short follow-up of a slow tumour: the OS curve never falls to one half
    design = load_design("RADIANT-3").with_changes(follow_up_months=9, accrual_months=3)
    short = run_trial(design, n_patients=80)
    assert not math.isfinite(short.summary["median_OS"].iloc[0])
    trial_report(short, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text()
    assert ">NR<" in text and ">inf<" not in text


def test_cli_subgroups_are_a_table(capsys, monkeypatch) -> None:
    code, out, _ = run_cli(
        ["trial", "RECORD-1", "--patients", "60", "--subgroups"], capsys, monkeypatch
    )
    assert code == 0 and "hazard ratio by genotype" in out and "all patients" in out
    assert "p_cox" not in out  # not a raw DataFrame dump
