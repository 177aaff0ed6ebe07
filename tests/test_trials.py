"""Trial layer: designs, virtual patients, RECIST, statistics, reproducibility, validation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mtorsim.errors import MtorsimError, UnknownNameError
from mtorsim.trials import (
    Arm,
    TrialDesign,
    cancer_type,
    hazard_ratio,
    load_design,
    run_trial,
    sample_patients,
    trial_designs,
)
from mtorsim.trials.recist import CATEGORIES, recist
from mtorsim.trials.simulate import simulate_patients
from mtorsim.trials.tolerability import arm_tolerability


def _design(**changes) -> TrialDesign:
    base = {
        "name": "t",
        "cancer_type": "RCC",
        "n_patients": 40,
        "arms": [
            {"name": "everolimus", "drugs": {"everolimus": 10}},
            {"name": "placebo", "drugs": {}},
        ],
    }
    base.update(changes)
    return TrialDesign.from_dict(base)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_patients": 0}, "n_patients"),
        ({"follow_up_months": -3}, "follow_up_months"),
        ({"assessment_weeks": 30, "follow_up_months": 6, "accrual_months": 1}, "assessments every"),
        ({"arms": [{"name": "a", "drugs": {"everolimuss": 10}}]}, "unknown drug"),
        ({"arms": [{"name": "a", "drugs": {"everolimus": -1}}]}, ">"),
        ({"arms": []}, "no arms"),
        ({"primary_endpoint": "QoL"}, "primary endpoint"),
        ({"cancer_type": "XYZ"}, "unknown cancer type"),
        ({"select_genes": ["NOTAGENE"]}, "unknown gene"),
        ({"allocation": [1]}, "one ratio per arm"),
        ({"crossover": {"nope": {"everolimus": 10}}}, "unknown arm"),
        ({"modifiers": {"vegf_dependence": 0.3}}, "modifiers are gone"),
        ({"prior_therapy": ["chemotherapy"]}, "prior_therapy"),
        ({"accrual_months": 30}, "accrual"),
        (
            {
                "arms": [
                    {"name": "a", "drugs": {"everolimus": 10}, "schedules": {"everolimus": "x"}}
                ]
            },
            "schedule",
        ),
        (
            {
                "arms": [
                    {"name": "a", "drugs": {"everolimus": 10}, "schedules": {"sorafenib": "bid"}}
                ]
            },
            "does not give",
        ),
    ],
)
def test_impossible_designs_are_rejected(changes, message) -> None:
    with pytest.raises(MtorsimError, match=message):
        _design(**changes)


def test_unknown_trial_lists_known_ones(tmp_path) -> None:
    with pytest.raises(UnknownNameError, match="RECORD-1"):
        load_design("RECORD-2")
    bad = tmp_path / "d.json"
    bad.write_text("{not json")
    with pytest.raises(MtorsimError, match="not valid JSON"):
        load_design(str(bad))
    bad.write_text(json.dumps({"name": "x", "cancer_type": "RCC", "arms": [], "extra": 1}))
    with pytest.raises(MtorsimError, match="unknown design fields"):
        load_design(str(bad))


def test_builtin_designs_cover_the_evidence() -> None:
    designs = trial_designs()
    for name in (
        "RECORD-1",
        "RADIANT-3",
        "BOLERO-2",
        "GRANITE-1",
        "EXIST-1",
        "Ng-2013",
        "TAMRAD",
        "INTORSECT",
        "MANTA",
        "Study-205",
        "PTEN-mCRPC",
        "PIK3CA-breast",
    ):
        assert name in designs
    d = designs["RECORD-1"]
    assert d.to_dict()["arms"][0]["drugs"] == {"everolimus": 10.0}
    assert TrialDesign.from_dict(d.to_dict()) == d


def test_same_seed_same_trial_any_chunking() -> None:
    a = run_trial("RECORD-1", n_patients=90, seed=7, chunk_size=90)
    b = run_trial("RECORD-1", n_patients=90, seed=7, chunk_size=25)
    pd.testing.assert_frame_equal(a.patients, b.patients)
    c = run_trial("RECORD-1", n_patients=90, seed=8)
    assert not a.patients["pfs_months"].equals(c.patients["pfs_months"])


def test_patients_do_not_depend_on_their_neighbours() -> None:
    design = load_design("RECORD-1")
    whole = simulate_patients(design, 30, 3).patients
    part = simulate_patients(design, 10, 3, first=20).patients
    cols = ["patient", "arm", "genotype", "pfs_months", "os_months", "best_change_pct"]
    pd.testing.assert_frame_equal(
        whole.iloc[20:][cols].reset_index(drop=True), part[cols].reset_index(drop=True)
    )


def test_genotypes_follow_tcga_frequencies() -> None:
    ct = cancer_type("BRCA_HR")
    pts = sample_patients(ct, 1500, 1)
    pik3ca = np.mean([any(g == "PIK3CA" for g, _ in t) for t in pts.truncal])
    expected = ct.frequencies[("PIK3CA", "H1047R")]
    assert abs(pik3ca - expected) < 4 * np.sqrt(expected * (1 - expected) / 1500)


def test_biomarker_selection_enrols_only_carriers() -> None:
    r = run_trial("PTEN-mCRPC", n_patients=40, seed=1)
    assert r.patients["PTEN_mut"].all()


def test_recist_categories() -> None:
    baseline = np.array([100.0, 100.0, 100.0, 100.0, 20.0])
    sums = np.array(
        [
            [60.0, 60.0, 60.0],  # PR confirmed
            [60.0, 71.0, 71.0],  # PR unconfirmed -> SD
            [100.0, 125.0, 125.0],  # PD at second scan
            [0.0, 0.0, 0.0],  # CR
            [22.0, 24.0, 26.0],  # +20 % needs +5 mm too: PD only at the third scan
        ]
    )
    gone = sums == 0
    new = np.zeros_like(sums, bool)
    r = recist(baseline, sums, gone, new, np.ones_like(sums, bool))
    assert list(CATEGORIES[r["best"]]) == ["PR", "SD", "SD", "CR", "SD"]
    assert list(r["pd_index"]) == [-1, -1, 1, -1, 2]
    # the change held at the confirming scan: <= -30 % exactly where a response is confirmed
    held = r["best_confirmed_change"]  # nan: no scan before progression was confirmed
    assert np.allclose(held, [-40.0, -29.0, np.nan, -100.0, 20.0], equal_nan=True)
    new[1, 1] = True  # a new lesion is progression whatever the sum
    assert recist(baseline, sums, gone, new, np.ones_like(sums, bool))["pd_index"][1] == 1


def test_confirmed_change_agrees_with_the_confirmed_response_rate() -> None:
    # the calibration fits the smooth count of best_confirmed_change_pct <= -30 to the
    # published ORR, which counts RECIST-confirmed responses: the two must agree
    from mtorsim.trials import biology

    with biology.override({"BRCA_HR.cytotoxic_fraction": 1.5}):  # many responses
        res = simulate_patients(load_design("BOLERO-2"), 400, 3).patients
    confirmed = res["best_confirmed_change_pct"].fillna(0.0) <= -30.0
    assert (confirmed == res["best_response"].isin(["CR", "PR"])).all()
    assert res["best_response"].isin(["CR", "PR"]).sum() >= 20  # not vacuous
    # and on random scans: unassessed ones, new lesions, longer confirmation intervals
    rng = np.random.default_rng(7)
    for steps in (1, 2, 3):
        baseline = rng.uniform(20, 120, 3000)
        sums = baseline[:, None] * np.exp(rng.normal(-0.3, 0.4, (3000, 8)).cumsum(axis=1) / 3)
        sums = np.round(sums, 1) + 0.01  # off the exact 70 % boundary
        new = rng.random((3000, 8)) < 0.03
        assessed = rng.random((3000, 8)) > 0.1
        r = recist(baseline, sums, sums < 0.5, new, assessed, confirm_steps=steps)
        held = np.nan_to_num(r["best_confirmed_change"], nan=0.0) <= -30.0
        assert (held == np.isin(r["best"], (0, 1))).all(), steps


def test_hazard_ratio_of_identical_arms_is_one() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    df = pd.DataFrame(
        {
            "arm": np.repeat(["a", "b"], n),
            "pfs_months": rng.exponential(5, 2 * n),
            "pfs_event": True,
        }
    )
    hr = hazard_ratio(df, "a", "b")
    assert hr["HR_ci_low"] < 1 < hr["HR_ci_high"]
    df.loc[df.arm == "a", "pfs_months"] *= 2  # twice as long: HR about 0.5
    assert hazard_ratio(df, "a", "b")["HR"] == pytest.approx(0.5, rel=0.1)


def test_tolerability_scales_with_dose_and_interactions() -> None:
    stop10, _red10 = arm_tolerability({"everolimus": 10})
    stop5, _ = arm_tolerability({"everolimus": 5})
    combo, _ = arm_tolerability({"everolimus": 10, "trametinib": 2})
    assert stop5 < stop10 < combo
    assert combo > 2 * stop10  # overlapping toxicity (review [96])


def test_trial_outputs_are_consistent() -> None:
    r = run_trial("RECORD-1", n_patients=120, seed=2)
    p = r.patients
    assert (p["pfs_months"] <= p["os_months"] + 1e-9).all()
    assert set(p["best_response"]) <= set(CATEGORIES)
    assert (p.loc[p.arm == "placebo", "stopped_for_toxicity"] == False).all()  # noqa: E712
    s = r.summary.set_index("arm")
    assert s.loc["everolimus", "median_PFS"] > s.loc["placebo", "median_PFS"]
    assert r.primary()["endpoint"] == "PFS"
    assert not r.subgroups().empty
    assert {"patient", "week", "change_pct", "response"} <= set(r.assessments.columns)


def test_validation_table_separates_fit_and_test() -> None:
    """In-sample rows are all fitted (issue #15 fits every trial); the test of the model is
    the leave-one-trial-out table, which uses the stored folds (never the trial itself)."""
    from mtorsim.trials.validation import trial_validation

    table, results = trial_validation(n_scale=0.25)
    assert set(table["role"]) == {"fitted"}
    assert ("RECORD-1", "HR") in set(zip(table.trial, table.quantity, strict=True))
    assert len(results) == 7
    assert table["simulated"].notna().all()
    held, _ = trial_validation(n_scale=0.25, values={}, role="held out")
    assert set(held["role"]) == {"held out"}
    # a fixed size for every trial (the model's expected outcome when large)
    _, fixed = trial_validation(patients=60)
    assert {len(r.patients) for r in fixed.values()} == {60}


def test_arm_labels() -> None:
    assert Arm("x", {}).label == "placebo"
    assert Arm("x", {"RAD001": 10}).drugs == {"everolimus": 10.0}


def test_more_scans_than_held_draws_run_and_keep_the_early_scans() -> None:
    # 2-weekly scans over five years: 130 scans, beyond the 64 errors each patient holds
    long = _design(follow_up_months=60, assessment_weeks=2, n_patients=30)
    res = simulate_patients(long, 30, 5)  # raised a broadcasting error before
    assert len(res.patients) == 30 and res.assessments["week"].max() > 24
    # the first scans' readings do not depend on how many scans follow
    short = _design(follow_up_months=24, assessment_weeks=2, n_patients=30)
    cols = ["patient", "week", "sum_mm", "change_pct"]
    early = simulate_patients(short, 30, 5).assessments[cols]
    late = res.assessments[cols].merge(early[["patient", "week"]], on=["patient", "week"])
    pd.testing.assert_frame_equal(early.reset_index(drop=True), late, check_dtype=False)


def test_drugs_of_an_arm_draw_their_own_clearances() -> None:
    from mtorsim.trials.simulate import N_CLONES, _exposures

    pts = sample_patients(cancer_type("BRCA_HR"), 400, 4)
    # alpelisib and fulvestrant once shared a draw, trametinib shared the lethal-burden one
    exp = _exposures(pts, {"alpelisib": 300, "fulvestrant": 16.7, "trametinib": 2}, 1.0, 4)
    log = {d: np.log(c[::N_CLONES]) for d, c in exp.items()}
    lethal = np.stack(pts["pk_z"].to_numpy())[:, -1]
    assert abs(np.corrcoef(log["alpelisib"], log["fulvestrant"])[0, 1]) < 0.2
    assert abs(np.corrcoef(log["trametinib"], lethal)[0, 1]) < 0.2
    assert np.std(log["fulvestrant"]) > 0.05  # each still varies between patients
    again = _exposures(pts, {"fulvestrant": 16.7}, 1.0, 4)["fulvestrant"]
    np.testing.assert_array_equal(again, exp["fulvestrant"])  # and is reproducible


def test_an_arm_schedule_shapes_the_exposure_and_the_result() -> None:
    arms = [
        {"name": "intermittent", "drugs": {"vistusertib": 250 * 2 / 7}},
        {"name": "fulvestrant", "drugs": {"fulvestrant": 16.7}},
    ]
    continuous = _design(cancer_type="BRCA_HR", arms=arms, n_patients=200)
    arms[0] = {**arms[0], "schedules": {"vistusertib": "BID2on5off"}}
    intermittent = _design(cancer_type="BRCA_HR", arms=arms, n_patients=200)
    arm = intermittent.arms[0]
    assert arm.schedule("vistusertib") == "bid2on5off" and "(bid2on5off)" in arm.label
    again = TrialDesign.from_dict(intermittent.to_dict())
    assert again.arms[0].schedules == {"vistusertib": "bid2on5off"}
    assert continuous.arms[0].schedules == {}  # the usual schedule is not stored
    a = run_trial(continuous, seed=1).hazard_ratios
    b = run_trial(intermittent, seed=1).hazard_ratios
    hr = {k: r[r.endpoint == "PFS"].HR.iloc[0] for k, r in (("c", a), ("i", b))}
    assert hr["c"] < hr["i"]  # the same mg/day, the target held for less of the week


def test_with_changes_names_an_unknown_field() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'n_patients'"):
        load_design("RECORD-1").with_changes(n_patint=10)
    with pytest.raises(MtorsimError, match="accrual lasts 12 months"):
        load_design("RECORD-1").with_changes(follow_up_months=12)


def test_cross_field_problems_in_a_file_read_like_field_problems(tmp_path) -> None:
    bad = {
        "name": "t",
        "cancer_type": "rcc",
        "n_patients": 40,
        "arms": [{"name": "e", "drugs": {"everolimus": 10}}, {"name": "e", "drugs": {}}],
    }
    path = tmp_path / "d.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(MtorsimError, match=r"d\.json: 1 problem in the trial design: .*repeat"):
        load_design(str(path))
    with pytest.raises(MtorsimError) as info:
        TrialDesign.from_dict({**bad, "arms": bad["arms"][:1], "modifiers": {}})
    assert "did you mean" not in str(info.value) and "modifiers are gone" in str(info.value)


def test_usual_schedules_run_at_the_average_exposure_the_biology_was_fitted_with() -> None:
    from mtorsim.pharmacology.pk import average_free_nM
    from mtorsim.trials.simulate import N_CLONES, _exposures

    pts = sample_patients(cancer_type("RCC"), 50, 1)
    exp = _exposures(pts, {"everolimus": 10.0}, 1.0, 1)["everolimus"][::N_CLONES]
    from mtorsim.pharmacology.catalogue import get_drug

    z = np.stack(pts["pk_z"].to_numpy())[:, 0]  # everolimus: the first catalogue drug
    cv = get_drug("everolimus").pk.cv_cl
    cl = np.exp(np.sqrt(np.log(1 + cv**2)) * z)
    expected = [average_free_nM("everolimus", 10.0, cl_multiplier=c) for c in cl]
    np.testing.assert_allclose(exp, expected, rtol=1e-12)
    less = _exposures(pts, {"everolimus": 10.0}, 1.0, 1, schedules={"everolimus": "weekly"})
    assert (less["everolimus"][::N_CLONES] < exp).all()


def test_scans_past_the_held_draws_do_not_depend_on_follow_up_or_chunking() -> None:
    from mtorsim.trials.simulate import HELD_SCAN_DRAWS, _scan_errors

    pts = sample_patients(cancer_type("PNET"), 30, 9)
    long, longer = _scan_errors(pts, 100, 9), _scan_errors(pts, 150, 9)
    assert long.shape == (30, 100) and HELD_SCAN_DRAWS < 100
    np.testing.assert_array_equal(long, longer[:, :100])  # more scans leave earlier ones
    part = _scan_errors(pts.iloc[10:], 100, 9)  # a chunk of the same patients
    np.testing.assert_array_equal(part, long[10:])
    assert not np.array_equal(_scan_errors(pts, 100, 10)[:, 64:], long[:, 64:])  # seeded
    assert 0.03 < np.log(long[:, 64:]).std() < 0.07  # the 5 % measurement error


def test_allocation_ratios_near_the_float_limit_do_not_overflow() -> None:
    from mtorsim.trials import TrialDesign, load_design, run_trial

    record = load_design("RECORD-1").to_dict()
    huge = TrialDesign.from_dict({**record, "allocation": [1e308, 1e308], "n_patients": 200})
    assert huge.allocation_shares == (0.5, 0.5)
    plain = TrialDesign.from_dict({**record, "allocation": [1, 1], "n_patients": 200})
    counts = run_trial(huge, seed=0).summary["n"].tolist()
    assert counts == run_trial(plain, seed=0).summary["n"].tolist() and min(counts) > 50
