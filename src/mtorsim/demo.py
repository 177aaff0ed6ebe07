"""``mtorsim demo``: the main job on built-in defaults, written to a folder.

Growth-factor stimulation of starved cells, and mTORC1 inhibition in full medium (which
shows the S6K1 -> IRS1 and MAPK feedbacks), plus steady-state fold changes across
conditions and the claim scorecard.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mtorsim.errors import MtorsimError
from mtorsim.evidence.claims import scorecard
from mtorsim.exposure import Inhibition, Medium
from mtorsim.io import write_table
from mtorsim.model import Model, load
from mtorsim.report.plots import plot_fold_changes, plot_timecourse, save_figure
from mtorsim.result import DEFAULT_READOUTS

__all__ = ["PERTURBATIONS", "run_demo"]

#: Steady-state perturbations shown in the demo: label -> keywords of ``Model.steady_state``.
PERTURBATIONS: dict[str, dict] = {
    "growth factor withdrawn": {"exposure": Medium(growth_factor=0.0)},
    "amino acids withdrawn": {"exposure": Medium(amino_acids=0.0)},
    "energy stress": {"exposure": Medium(energy_stress=1.0)},
    "mTORC1 inhibited 90%": {"exposure": Inhibition(mTORC1=0.9)},
    "MEK inhibited 90%": {"exposure": Inhibition(MEK=0.9)},
    "PTEN loss": {"genotype": {"PTEN_level": 0.0}},
    "TSC loss": {"genotype": {"TSC_level": 0.0}},
}
READOUTS = list(DEFAULT_READOUTS)

#: Cell treatments compared in the demo (24 h, constant nM): label -> {drug: nM}.
DRUG_COMPARISON: dict[str, dict[str, float]] = {
    "everolimus 10 nM": {"everolimus": 10.0},
    "AZD8055 100 nM": {"azd8055": 100.0},
    "dactolisib 200 nM": {"dactolisib": 200.0},
    "everolimus + trametinib 10 nM": {"everolimus": 10.0, "trametinib": 10.0},
}


def _drug_comparison(model: Model) -> pd.DataFrame:
    rows = {}
    for label, conc in DRUG_COMPARISON.items():
        df = model.simulate(hours=24.0, points=2, exposure=conc)
        rows[label] = df[READOUTS].iloc[-1] / df[READOUTS].iloc[0]
    return pd.DataFrame(rows).T


def run_demo(
    out_dir: str | Path = "mtorsim-demo", progress: Callable[[str], None] | None = None
) -> dict[str, Path]:
    """Run the demo and write its figure and tables into ``out_dir``; returns the paths."""
    say = progress or (lambda _msg: None)
    out = Path(out_dir)
    blocked = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
    if blocked is not None:  # before ~20 s of work, not after
        raise MtorsimError(f"demo output {out}: {blocked} is a file; give a folder name")
    model = load()
    say("growth-factor stimulation of starved cells")
    stim = _hours(
        model.simulate(
            hours=2.0,
            points=121,
            exposure=Medium(growth_factor=1.0),
            baseline=Medium(growth_factor=0.0),
        )
    )
    say("mTORC1 inhibition in full medium")
    inh = _hours(model.simulate(hours=24.0, points=97, exposure=Inhibition(mTORC1=0.9)))
    say("steady states across conditions")
    base = model.steady_state().iloc[0]
    folds = pd.DataFrame(
        {label: model.steady_state(**kw).iloc[0] / base for label, kw in PERTURBATIONS.items()}
    ).T
    say("drugs in cells: rapalog, TORKi, dual PI3K/mTOR, rapalog + MEKi")
    drugs = _drug_comparison(model)
    say("a patient on everolimus 10 mg daily (14 days)")
    from mtorsim.pharmacology.regimen import Regimen

    patient = model.simulate(days=14.0, exposure=Regimen("everolimus", 10.0))
    patient = pd.DataFrame(patient).assign(time_h=patient["time"] * 24.0)
    patient.insert(1, "time_d", patient.pop("time"))
    patient.insert(0, "time_h", patient.pop("time_h"))
    say("claim scorecard")
    card = scorecard()

    timecourses = pd.concat(
        [
            stim.assign(experiment="GF stimulation of starved cells"),
            inh.assign(experiment="mTORC1 inhibited 90% (full medium)"),
        ]
    )
    paths = {
        "timecourses": write_table(timecourses, out / "timecourses.parquet"),
        "timecourses_csv": write_table(timecourses, out / "timecourses.csv"),
        "fold_changes": write_table(
            folds[[*READOUTS, "mTORC1", "PIP3", "rpS6"]].reset_index(names="condition"),
            out / "fold_changes.csv",
        ),
        "scorecard": write_table(card, out / "scorecard.csv"),
        "drug_comparison": write_table(
            drugs.reset_index(names="treatment"), out / "drug_comparison.csv"
        ),
        "patient_everolimus": write_table(patient, out / "patient_everolimus.parquet"),
    }
    fig = _demo_figure(stim, inh, folds, drugs, patient)
    paths["figure"] = Path(save_figure(fig, out / "demo.png"))
    say("a small virtual trial: RECORD-1, 200 patients")
    from mtorsim.report.html import trial_report
    from mtorsim.trials import run_trial

    trial = run_trial("RECORD-1", n_patients=200, seed=0)
    paths["trial_patients"] = write_table(trial.patients, out / "trial_RECORD-1.parquet")
    paths["trial_summary"] = write_table(trial.summary, out / "trial_RECORD-1_summary.csv")
    paths["trial_report"] = Path(trial_report(trial, out / "trial_RECORD-1.html"))
    return paths


def _hours(result: pd.DataFrame) -> pd.DataFrame:
    """A result in hours with the figure's column name (``time_h``)."""
    return pd.DataFrame(result).rename(columns={"time": "time_h"})


def _demo_figure(
    stim: pd.DataFrame,
    inh: pd.DataFrame,
    folds: pd.DataFrame,
    drugs: pd.DataFrame,
    patient: pd.DataFrame,
) -> Figure:
    """The six-panel demo figure from the demo's tables (plotting only, no simulation)."""
    from mtorsim.report.plots import plot_concentrations

    fig, axes = plt.subplots(2, 3, figsize=(18, 9.5), layout="constrained")
    axes = axes.ravel()
    plot_timecourse(stim, READOUTS[:5], ax=axes[0], title="Growth factor added to starved cells")
    plot_timecourse(
        inh,
        READOUTS,
        ax=axes[1],
        relative_to_start=True,
        title="mTORC1 inhibited 90% at t = 0: feedback",
    )
    plot_fold_changes(
        folds.loc["mTORC1 inhibited 90%", READOUTS],
        ax=axes[2],
        title="Steady state, mTORC1 inhibited 90%",
    )
    _plot_drug_bars(drugs, axes[3])
    plot_concentrations(patient, ax=axes[4], dose_times_h=[24.0 * d for d in range(14)])
    axes[4].set_title("Everolimus 10 mg daily: blood concentration")
    plot_timecourse(
        patient,
        ["S6K1", "EIF4EBP1", "AKT_S473", "ERK"],
        ax=axes[5],
        relative_to_start=True,
        title="Everolimus 10 mg daily: pathway (fold vs untreated)",
        time_col="time_d",  # days, like the PK panel beside it
    )
    axes[5].set_xlim(axes[4].get_xlim())
    axes[5].set_ylabel("fold change vs untreated (day 0)")
    for ax in axes:
        _legend_outside(ax)
    return fig


def _legend_outside(ax: Axes) -> None:
    """Move a panel's legend to the right of its plot area, where it cannot hide a trace."""
    if ax.get_legend() is None:
        return
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def _plot_drug_bars(drugs: pd.DataFrame, ax: Axes) -> None:
    import numpy as np

    keys = ["S6K1", "EIF4EBP1", "AKT_S473", "ERK", "GROWTH_DRIVE"]
    width = 0.8 / len(drugs)
    x = np.arange(len(keys))
    for i, (label, row) in enumerate(drugs.iterrows()):
        ax.bar(x + i * width, np.log2(row[keys].clip(lower=1e-3)), width, label=label)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x + 0.4 - width / 2, keys, rotation=20)
    ax.set_ylabel("log2 fold change (24 h)")
    ax.set_title("Drugs in cells: mechanism decides the feedback")
    ax.legend(fontsize=7, frameon=False)
