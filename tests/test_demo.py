"""The demo writes its figure and tables, and the figure shows data."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd

from mtorsim.demo import run_demo


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
