"""The demo writes its figure and tables, and the figure shows data."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mtorsim.demo import READOUTS, _demo_figure, run_demo


def test_demo_outputs(tmp_path: Path) -> None:
    paths = run_demo(tmp_path / "demo")
    img = mpimg.imread(paths["figure"])
    assert img.shape[1] > 1000 and img.std() > 0.05
    tc = pd.read_parquet(paths["timecourses"])
    assert set(tc["experiment"]) == {
        "GF stimulation of starved cells",
        "mTORC1 inhibited 90% (full medium)",
    }
    card = pd.read_csv(paths["scorecard"])
    assert len(card) == 33
    assert (card.loc[card.claim.isin([f"C{i}" for i in range(1, 11)]), "status"] != "").all()
    folds = pd.read_csv(paths["fold_changes"]).set_index("condition")
    assert folds.loc["mTORC1 inhibited 90%", "AKT_S473"] > 1.0


def test_demo_ends_with_a_small_trial(tmp_path: Path) -> None:
    paths = run_demo(tmp_path / "demo")
    patients = pd.read_parquet(paths["trial_patients"])
    assert len(patients) == 200 and set(patients["arm"]) == {"everolimus", "placebo"}
    text = Path(paths["trial_report"]).read_text()
    assert "data:image/svg+xml" in text and "RECORD-1" in text


def _tables() -> dict[str, pd.DataFrame]:
    """Small stand-ins for the demo's simulation tables, so the figure test runs in seconds."""
    t = np.linspace(0.0, 2.0, 11)
    cells = pd.DataFrame(
        {"time_h": t, **{r: 0.2 + 0.1 * t * (i + 1) for i, r in enumerate(READOUTS)}}
    )
    hours = np.linspace(0.0, 14 * 24.0, 57)
    patient = pd.DataFrame(
        {
            "time_h": hours,
            "time_d": hours / 24.0,
            "everolimus_blood_ng_mL": 10.0 + 50.0 * np.exp(-(hours % 24.0) / 6.0),
            **{r: 1.0 + 0.01 * hours for r in READOUTS},
        }
    )
    folds = pd.DataFrame(
        [[0.5, 1.5, 0.2, 0.3, 1.2, 0.6]], columns=READOUTS, index=["mTORC1 inhibited 90%"]
    )
    drugs = pd.DataFrame(
        [[0.1, 0.5, 1.5, 1.2, 0.6]] * 4,
        columns=["S6K1", "EIF4EBP1", "AKT_S473", "ERK", "GROWTH_DRIVE"],
        index=["a", "b", "c", "d"],
    )
    return {"stim": cells, "inh": cells, "folds": folds, "drugs": drugs, "patient": patient}


def test_demo_figure_panels_in_days_and_legends_clear_of_traces() -> None:
    fig = _demo_figure(**_tables())
    axes = fig.axes
    # the patient's pathway panel shares the PK panel's x axis: days, same range
    assert axes[4].get_xlabel() == axes[5].get_xlabel() == "time (days)"
    assert axes[5].get_xlim() == axes[4].get_xlim()
    fig.canvas.draw()
    legends = 0
    for ax in axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        legends += 1
        box, plot_area = legend.get_window_extent(), ax.get_window_extent()
        assert box.x0 >= plot_area.x1, f"legend of {ax.get_title()!r} overlaps its plot area"
        assert box.x1 <= fig.bbox.x1 + 1, f"legend of {ax.get_title()!r} is cut off"
    assert legends == 5  # every panel but the fold-change bars has one
    plt.close(fig)


def test_demo_refuses_a_file_for_its_folder_before_any_work(tmp_path: Path) -> None:
    import time

    import pytest

    from mtorsim.errors import MtorsimError

    blocker = tmp_path / "taken"
    blocker.write_text("mine")
    t0 = time.perf_counter()
    for out in (blocker, blocker / "sub"):
        with pytest.raises(MtorsimError, match="is a file"):
            run_demo(out)
    assert time.perf_counter() - t0 < 5 and blocker.read_text() == "mine"
