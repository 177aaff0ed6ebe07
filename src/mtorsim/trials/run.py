"""Run a trial in chunks of patients and analyse it: :func:`run_trial` -> :class:`TrialResult`.

Chunks bound memory by chunk size, not cohort size (each chunk keeps only endpoints and
the per-assessment sums); patients are seeded one by one, so the chunk size never changes
the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mtorsim.errors import MtorsimError
from mtorsim.trials.analysis import arm_summary, hazard_ratios, hr_estimable, subgroups
from mtorsim.trials.design import TrialDesign, load_design
from mtorsim.trials.simulate import simulate_patients

__all__ = ["TrialResult", "assemble", "replicate_seeds", "run_replicates", "run_trial"]


@dataclass
class TrialResult:
    """A simulated trial: the design, the seed, patients, assessments and the analysis."""

    design: TrialDesign
    seed: int
    patients: pd.DataFrame
    assessments: pd.DataFrame
    summary: pd.DataFrame = field(init=False)
    hazard_ratios: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        arms = [a.name for a in self.design.arms]
        self.summary = arm_summary(self.patients, arms)
        self.hazard_ratios = hazard_ratios(self.patients, arms)

    @property
    def arms(self) -> list[str]:
        return [a.name for a in self.design.arms]

    def subgroups(self, endpoint: str | None = None) -> pd.DataFrame:
        ep = endpoint or (
            self.design.primary_endpoint
            if self.design.primary_endpoint in ("PFS", "OS", "TTP")
            else "PFS"
        )
        return subgroups(self.patients, self.arms, ep)

    def primary(self) -> dict:
        """The primary endpoint: HR (time-to-event) or response rates per arm."""
        ep = self.design.primary_endpoint
        if ep in ("PFS", "OS", "TTP") and not self.hazard_ratios.empty:
            row = self.hazard_ratios[self.hazard_ratios.endpoint == ep].iloc[0]
            return row.to_dict()
        col = {"ORR": "ORR_pct", "volume_response": "volume_response_pct"}.get(ep, "ORR_pct")
        return dict(zip(self.summary["arm"], self.summary[col], strict=True))


def run_trial(
    design: TrialDesign | str,
    *,
    n_patients: int | None = None,
    seed: int = 0,
    chunk_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> TrialResult:
    """Simulate a trial (a built-in name, a JSON design file or a :class:`TrialDesign`).

    Examples
    --------
    >>> from mtorsim.trials import run_trial
    >>> result = run_trial("RECORD-1", n_patients=60, seed=1)
    >>> list(result.summary["arm"])
    ['everolimus', 'placebo']
    """
    d = load_design(design) if isinstance(design, str) else design
    n = d.n_patients if n_patients is None else n_patients
    from mtorsim import guard  # the CLI's resource guard: a huge n_patients fails at once

    scans = d.follow_up_months * 4.345 / d.assessment_weeks
    guard.check_trial(n, chunk_size, seed, assessments=scans, cli=False, key="n_patients")
    parts = [
        simulate_patients(d, min(chunk_size, n - start), seed, first=start, progress=progress)
        for start in range(0, n, chunk_size)
    ]
    return assemble(d, seed, [p.patients for p in parts], [p.assessments for p in parts])


def assemble(
    design: TrialDesign, seed: int, patients: list[pd.DataFrame], assessments: list[pd.DataFrame]
) -> TrialResult:
    """Join chunk tables (in patient order) into one analysed :class:`TrialResult`."""
    table = pd.concat(patients, ignore_index=True)
    mut = sorted(c for c in table.columns if c.endswith("_mut"))
    table[mut] = table[mut].astype("boolean").fillna(False).astype(bool)
    table = table[[c for c in table.columns if c not in mut] + mut]
    return TrialResult(design, seed, table, pd.concat(assessments, ignore_index=True))


def replicate_seeds(seed: int, k: int) -> list[int]:
    """K independent trial seeds derived from one (the same seed, the same replicates)."""
    return [int(x) for x in np.random.SeedSequence(seed).generate_state(k, dtype=np.uint32)]


def run_replicates(
    design: TrialDesign | str,
    k: int,
    *,
    seed: int = 0,
    n_patients: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """K seeded trials of the design's real size: what a trial of this size can show.

    Returns one row per replicate and endpoint (seed, arm, HR, CI, p, ``estimable``) and
    the spread per arm and endpoint: median HR and 2.5-97.5 % range over the replicates
    whose HR is estimable (finite, with a finite CI: enough events in both arms), how many
    those are, and the share of all replicates with p < 0.05.
    """
    d = load_design(design) if isinstance(design, str) else design
    if not isinstance(k, int) or k < 1:
        raise MtorsimError(f"replicates is {k!r}; give a whole number >= 1")
    rows = []
    for i, s in enumerate(replicate_seeds(seed, k)):
        res = run_trial(d, n_patients=n_patients, seed=s)
        if not res.hazard_ratios.empty:
            rows.append(res.hazard_ratios.assign(replicate=i, seed=s))
        if progress is not None:
            progress(1)
    if not rows:
        raise MtorsimError(f"{d.name} has one arm: replicates report hazard ratios between arms")
    table = pd.concat(rows, ignore_index=True)
    table["estimable"] = hr_estimable(table["HR"], table["HR_ci_low"], table["HR_ci_high"])
    hr = table["HR"].where(table["estimable"])
    spread = (
        table.assign(HR_estimable=hr)
        .groupby(["arm", "endpoint"], sort=False)
        .agg(
            median_HR=("HR_estimable", "median"),
            HR_2_5=("HR_estimable", lambda x: _percentile(x, 2.5)),
            HR_97_5=("HR_estimable", lambda x: _percentile(x, 97.5)),
            significant_pct=("p_logrank", lambda p: 100.0 * float(np.mean(p < 0.05))),
            estimable=("estimable", "sum"),
        )
        .reset_index()
        .assign(replicates=k)
    )
    return table, spread


def _percentile(x: pd.Series, q: float) -> float:
    x = x.dropna()
    return float(np.percentile(x, q)) if len(x) else float("nan")
