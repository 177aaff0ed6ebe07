"""Effect sizes shrunk toward the prior (inner-CV prior SD) and joint GDSC + CTRP fits.

Fast: a response table without simulation (fall linear in the genotype's parameters), a
few lines and two drugs. Skill figures are benchmarks (BENCHMARKS.md), never asserted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtorsim.genomics.calibration import (
    MIN_LINES,
    ResponseCache,
    fit_from_rows,
    fit_mechanistic,
    parameter_rows,
    predict_mechanistic,
)
from mtorsim.genomics.folds import cell_line_folds
from mtorsim.genomics.shrinkage import (
    PRIOR_SD_GRID,
    choose_prior_sd,
    fit_shrunk,
    joint_profiles,
    joint_table,
)
from mtorsim.genomics.validation import (
    ctrp_response_table,
    gdsc_profiles,
    gdsc_response_table,
    load_gdsc,
)

DRUGS = ["Temsirolimus", "Trametinib"]


class _LinearCache(ResponseCache):
    """Fall = 0.2 + 0.3 [PTEN lost] + 0.2 [TSC lost] - 0.1 [KRAS] + 0.05 [LKB1 lost]."""

    def get(self, genotypes):
        out = []
        for g in genotypes:
            r = (
                0.2
                + 0.3 * (1 - g.get("PTEN_level", 1.0))
                + 0.2 * (1 - g.get("TSC_level", 1.0))
                - 0.1 * g.get("KRAS_gain", 0.0)
                + 0.05 * (1 - g.get("LKB1_level", 1.0))
            )
            out.append([r] * len(self.drugs))
        return np.array(out, dtype=float).reshape(len(genotypes), len(self.drugs))


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    table = gdsc_response_table(DRUGS)
    keep = sorted(table["cell_line"].unique())[:80]
    return table[table["cell_line"].isin(keep)].reset_index(drop=True)


@pytest.fixture(scope="module")
def profiles() -> dict:
    return gdsc_profiles(load_gdsc()[0])


def test_prior_pulls_each_effect_toward_its_assumed_size(small, profiles) -> None:
    """A tighter prior (smaller SD = larger penalty) leaves every log multiplier nearer 0."""
    cache = _LinearCache(DRUGS)
    kw = {"tissue": True, "min_lines": 1, "max_nfev": 30}
    fits = {s: fit_mechanistic(small, profiles, cache, prior_sd=s, **kw) for s in (0.01, 0.3, 3)}
    norms = [np.linalg.norm(list(f.log_scales.values())) for f in fits.values()]
    assert norms[0] < 0.01 and norms[0] < norms[1] < norms[2]
    for p in fits[3.0].log_scales:  # each effect, not only the norm
        assert abs(fits[0.01].log_scales[p]) <= abs(fits[3.0].log_scales[p]) + 1e-9
    assert fits[0.3].prior_sd == 0.3


def test_inner_cv_chooses_on_training_rows_and_breaks_ties_to_the_tighter_prior(
    small, profiles
) -> None:
    cache = _LinearCache(DRUGS)
    kw = {"tissue": True, "min_lines": 1, "max_nfev": 5}
    tau, err = choose_prior_sd(small, profiles, cache, **kw)
    assert tau in PRIOR_SD_GRID and set(err) == set(PRIOR_SD_GRID)
    assert err[tau] == min(err.values())
    # rows of lines blanked (NaN) are rows never seen: the same choice and errors
    lines = sorted(small["cell_line"].unique())
    drop = small["cell_line"].isin(lines[::4])
    blank = small.assign(observed=small["observed"].where(~drop))
    assert choose_prior_sd(blank, profiles, cache, **kw) == choose_prior_sd(
        small[~drop], profiles, cache, **kw
    )
    # no effect fitted: every prior predicts alike, and the tie goes to the smallest SD
    tau, err = choose_prior_sd(small, profiles, cache, tissue=True, fit_effects=False)
    assert len(set(err.values())) == 1 and tau == min(PRIOR_SD_GRID)


def test_shrunk_fit_frees_effects_of_few_carriers(small, profiles) -> None:
    cache = _LinearCache(DRUGS)
    carriers = pd.Series(
        [p for cl in small["cell_line"].unique() for p in profiles[cl]]
    ).value_counts()
    few = set(carriers.index[carriers < MIN_LINES])
    assert few  # the subset has effects a hard cut-off leaves unfitted
    fit = fit_shrunk(small, profiles, cache, tissue=True, max_nfev=5)
    assert set(fit.log_scales) == set(carriers.index)
    assert fit.prior_sd in PRIOR_SD_GRID and fit.inner_errors[fit.prior_sd] == min(
        fit.inner_errors.values()
    )
    cut = fit_mechanistic(small, profiles, cache, tissue=True, max_nfev=5)
    assert not few & set(cut.log_scales)


def test_joint_folds_never_put_a_line_in_train_and_test() -> None:
    gdsc = gdsc_response_table(DRUGS)
    ctrp, _ = ctrp_response_table(DRUGS)
    folds = cell_line_folds(gdsc["cell_line"], k=5, seed=0)
    both = set(gdsc["cell_line"]) & set(ctrp["cell_line"])
    for f in range(5):
        test_lines = set(folds.index[folds == f])
        train = gdsc[~gdsc["cell_line"].isin(test_lines)]
        joint = joint_table(train, ctrp, exclude=test_lines)
        assert not set(joint["cell_line"]) & test_lines
        from_ctrp = joint[joint["drug"].str.startswith("ctrp:")]
        assert set(from_ctrp["drug"]) <= {f"ctrp:{d}" for d in DRUGS}
        # every training line's CTRP rows are kept, and only those
        want = ctrp[~ctrp["cell_line"].isin(test_lines)]
        assert len(from_ctrp) == len(want) and (both - test_lines) <= set(from_ctrp["cell_line"])
        # a line held out once stays out when the joint table is built again from it
        again = joint_table(joint[~joint["drug"].str.contains(":")], ctrp)
        assert not set(again["cell_line"]) & test_lines


def test_joint_fit_has_a_link_per_screen_and_round_trips(small, profiles) -> None:
    ctrp, ctrp_lines = ctrp_response_table(DRUGS)
    prof = joint_profiles(profiles, gdsc_profiles(ctrp_lines))
    assert all(prof[cl] == profiles[cl] for cl in set(ctrp["cell_line"]) & set(profiles))
    joint = joint_table(small, ctrp)
    cache = _LinearCache(DRUGS)
    fit = fit_mechanistic(joint, prof, cache, tissue=True, max_nfev=5)
    assert set(fit.links) == {*DRUGS, *(f"ctrp:{d}" for d in DRUGS)}
    assert all(slope <= 0 for _, slope in fit.links.values())
    # each screen has offsets of its own; a tissue it did not screen stays at 0
    screened = set(joint.loc[joint["drug"] == "ctrp:Trametinib", "tissue"])
    off = fit.offsets["ctrp:Trametinib"]
    assert all(abs(v) < 1e-9 for t, v in off.items() if t not in screened)
    assert off != fit.offsets["Trametinib"]
    rows = parameter_rows(fit, "test")
    unit = rows.set_index("parameter")["unit"]
    assert unit["link:ctrp:Trametinib:intercept"] == "CTRP AUC"
    assert unit["link:Trametinib:intercept"] == "ln uM"
    back = fit_from_rows(rows)
    assert set(back.links) == set(fit.links) and set(back.offsets) == set(fit.offsets)
    pred = predict_mechanistic(fit, small, prof, cache)
    assert np.isfinite(pred).all()


def test_cv_runs_the_extra_variants_on_request_without_test_lines(monkeypatch) -> None:
    import mtorsim.genomics.gdsc_cv as cv

    seen = []

    def spy(gdsc, ctrp, exclude=()):
        out = joint_table(gdsc, ctrp, exclude)
        seen.append((set(out["cell_line"]), set(exclude)))
        return out

    monkeypatch.setattr(cv, "joint_table", spy)
    name = "mechanistic (genotype + tissue), joint with CTRP, monotone link"
    scores, fits = cv.gdsc_cross_validation(
        ["Trametinib"], k=3, n_cells=2, max_nfev=1, max_lines=30, models=[name, "tissue mean"]
    )
    assert set(scores["model"]) == {name, "tissue mean"} and len(fits[name]) == 3
    assert len(seen) == 3 and all(used.isdisjoint(test) and test for used, test in seen)
    assert all("ctrp:Trametinib" in f.links for f in fits[name])
    summary = cv.summarise_cv(scores)
    assert list(dict.fromkeys(summary["model"])) == ["tissue mean", name]
    assert name not in cv.MODELS  # not in the default table
    with pytest.raises(ValueError, match="borrow CTRP"):
        cv.gdsc_cross_validation(["Rapamycin"], k=3, screen="ctrp", models=[name])
