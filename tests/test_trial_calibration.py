"""Trial calibration (issue #15): sourced biology, leave-one-trial-out by construction,
seeded replicates, crossover adjustment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mtorsim.trials import biology as bio
from mtorsim.trials import calibration as cal
from mtorsim.trials.crossover import rpsft
from mtorsim.trials.run import replicate_seeds, run_replicates


def test_every_biology_value_has_a_source() -> None:
    table = bio.biology_table()
    assert (table.source.str.strip() != "").all()
    assert table.value.notna().all()
    for ct in table.cancer_type.unique():
        for p in bio.PARAMETERS:
            assert not math.isnan(bio.biology(ct)[p])
    # a value said to be fitted names the trials, and they are in the fitted set's record
    fit = bio.fitted_set()
    for r in table[table.source.str.startswith("fitted")].itertuples():
        assert any(t.split(" ")[0] in r.source for t in fit.get("fitted_to", [])), r


def test_biology_sheet_shows_the_values_trials_run_with(tmp_path, capsys, monkeypatch) -> None:
    from cli_helpers import run_cli

    sheet = bio.biology_sheet()
    assert len(sheet) == len(bio.biology_table())
    # a row said to be fitted, pooled or tied runs with the fitted set's value, and only those
    kind = sheet.source.str.split(":").str[0]
    assert (sheet.from_fit == kind.isin(["fitted", "pooled", "tied"])).all()
    assert set(bio.fitted_set()["values"]) <= {
        f"{r.cancer_type}.{r.parameter}" + (f"@{r.prior_therapy}" if r.prior_therapy else "")
        for r in sheet.itertuples()
    }
    for r in sheet[sheet.prior_therapy == ""].itertuples():
        assert bio.biology(r.cancer_type)[r.parameter] == pytest.approx(r.value)
    for r in sheet[sheet.prior_therapy != ""].itertuples():
        ran = bio.biology(r.cancer_type, (r.prior_therapy,))[r.parameter]
        assert ran == pytest.approx(r.value)
    assert (sheet.value != sheet.table_value).any()  # the starts are not the estimates
    with bio.override({"RCC.pathway_share": 0.123}):
        row = bio.biology_sheet().query("cancer_type == 'RCC' and parameter == 'pathway_share'")
        assert row["value"].item() == 0.123 == bio.biology("RCC")["pathway_share"]

    out = tmp_path / "biology.csv"
    rc, stdout, _ = run_cli(["trial", "biology", "--out", str(out)], capsys, monkeypatch)
    assert rc == 0 and "pathway_share" in stdout
    pd.testing.assert_frame_equal(pd.read_csv(out, keep_default_na=False), sheet)
    bad = tmp_path / "b.txt"
    rc, _, err = run_cli(["trial", "biology", "--out", str(bad)], capsys, monkeypatch)
    assert rc != 0 and "b.txt" in err and not bad.exists()


def test_new_cancer_types_and_settings_are_data() -> None:
    from mtorsim.trials import cancer_type, load_design

    assert cancer_type("net_lung_gi").key == "NET_LUNG_GI"
    assert cancer_type("SARC").frequencies  # TCGA SARC genotype mix
    record = load_design("RECORD-1")
    assert record.prior_therapy == ("VEGFR-TKI",)
    # the setting's own row applies (fitted to Study-205: little cross-resistance left)
    fitted = bio.fitted_set()["values"]["RCC.vegf_dependence@VEGFR-TKI"]
    assert bio.biology("RCC", ("VEGFR-TKI",))["vegf_dependence"] == pytest.approx(fitted)
    with bio.override({"RCC.vegf_dependence@VEGFR-TKI": 0.1}):
        assert bio.biology("RCC", ("VEGFR-TKI",))["vegf_dependence"] == 0.1
        assert bio.biology("RCC")["vegf_dependence"] == bio.biology_default(
            "RCC", "vegf_dependence"
        )


def test_loto_never_sees_the_held_out_trial(monkeypatch) -> None:
    seen: list[set[str]] = []

    def spy(ct, rows, base, settings):
        seen.append(set(rows.trial))
        return {f"{ct}.{p}": base[f"{ct}.{p}"] + 0.01 * len(rows) for p in cal.FREE[ct]}

    monkeypatch.setattr(cal, "_fit_type_uncached", spy)
    monkeypatch.setattr(cal, "_FITS", {})
    targets = cal._targets()
    for trial in targets.trial.unique():
        seen.clear()
        fold = cal.fit_targets(targets[targets.trial != trial])
        assert all(trial not in s for s in seen)
        # the held-out trial's outcome can be anything: its prediction does not change
        changed = targets.copy()
        mask = changed.trial == trial
        changed.loc[mask, "median_experimental"] *= 3
        changed.loc[mask, "hazard_ratio"] = 0.01
        assert cal.fit_targets(changed[changed.trial != trial]) == fold
    # the folds on file say what they were fitted to, never the trial they predict
    for trial, fold in bio.fitted_set().get("leave_one_trial_out", {}).items():
        assert trial not in fold["fitted_to"]


def test_second_pass_holds_the_first_pass_pooled_values(monkeypatch) -> None:
    calls: list[tuple[str, dict, dict]] = []
    table = cal.table_values()

    def spy(ct, rows, base, settings):  # a fit whose answer depends on the values it runs with
        pull = 0.05 * base["STAD.cytotoxic_fraction"]
        out = {f"{ct}.{p}": table[f"{ct}.{p}"] + 0.01 * len(rows) + pull for p in cal.FREE[ct]}
        calls.append((ct, dict(base), out))
        return out

    monkeypatch.setattr(cal, "_fit_type_uncached", spy)
    monkeypatch.setattr(cal, "_FITS", {})
    out = cal.fit_targets(cal._targets())
    donors = [
        ct for ct in cal.FREE if "cytotoxic_fraction" in cal.FREE[ct] and ct not in cal.POOL_EXCLUDE
    ]
    pooled = np.mean([out[f"{ct}.cytotoxic_fraction"] for ct in donors])
    assert "TSC" not in donors and out["STAD.cytotoxic_fraction"] == pytest.approx(pooled)
    # STAD's second fit ran with the cytotoxic fraction pooled from the first pass's fits
    n_first = [ct for ct, _, _ in calls].index(calls[0][0], 1)  # where pass 2 starts
    first = {k: v for ct, _, o in calls[:n_first] for k, v in o.items()}
    first_pool = np.mean([first[f"{ct}.cytotoxic_fraction"] for ct in donors])
    stad = [base for ct, base, _ in calls if ct == "STAD"]
    assert len(stad) == 2 and stad[1]["STAD.cytotoxic_fraction"] == pytest.approx(first_pool)
    # refractory colorectal cancer: Ng-2013 beside an external placebo control
    assert {"Ng-2013 phase II", "CORRECT-placebo", "REGARD-placebo"} <= set(cal._targets().trial)
    # a route kill fitted in one type only is pooled to the others (TSC too, which gives none)
    for route, donor in (("vegf_cytotoxic_fraction", "RCC"), ("er_cytotoxic_fraction", "BRCA_HR")):
        assert out[f"STAD.{route}"] == out[f"TSC.{route}"] == pytest.approx(out[f"{donor}.{route}"])


def test_a_fold_frees_only_what_its_rows_identify() -> None:
    targets = cal._targets()
    regard = targets[targets.trial == "REGARD-placebo"]  # placebo only: PFS and OS
    assert cal.identified("STAD", regard) == ("doubling_time_d", "post_progression_growth")
    stad = targets[targets.trial.isin(["GRANITE-1", "REGARD-placebo"])]
    assert cal.identified("STAD", stad) == cal.FREE["STAD"]
    breast = targets[targets.trial.isin(["TAMRAD", "PrE0102"])]  # no response rate left
    kept = set(cal.identified("BRCA_HR", breast))
    assert "pathway_share" in kept
    # no kill, and no spread of the share (shown by responders beside the hazard ratios)
    assert not {"cytotoxic_fraction", "er_cytotoxic_fraction", "pathway_share_spread"} & kept


def test_a_landmark_rate_is_kaplan_meier_at_that_month() -> None:
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(3)
    times = np.ceil(rng.exponential(3.0, 300) / 1.38) * 1.38  # seen at 6-weekly scans
    events = rng.random(300) < 0.8
    km = KaplanMeierFitter().fit(times, events)
    for month in (1.0, 3.0, 7.5):
        expected = 100 * float(km.survival_function_at_times(month).iloc[0])
        assert cal.survival_at(times, events, month) == pytest.approx(expected)
    assert cal.survival_at(times, events, 0.1) == 100.0  # nothing seen yet
    assert cal._landmark("PFS at 3 months") == ("pfs", 3.0)
    assert cal._landmark("OS at 12 months") == ("os", 12.0)
    assert cal._landmark("PFS") is None and cal._landmark("ORR") is None


def test_nsclc_share_is_identified_by_the_landmark_not_the_medians() -> None:
    """Besse-2014's medians (2.9 vs 2.0 months) sit on the 6-weekly scan grid, where the
    everolimus arm's median barely moves for shares 0.1-0.4; its 3-month landmark (disease
    control, 39.4 vs 28.4 %) moves with every share."""
    targets = cal._targets()
    rows = targets[targets.trial.isin(["BR21-placebo", "Besse-2014"])]
    assert set(rows.endpoint) == {"PFS", "OS", "PFS at 3 months"}
    assert cal.identified("LUAD", rows) == cal.FREE["LUAD"]
    # a landmark is not a response rate: no kill or spread would be freed by it
    kept = set(cal.identified("BRCA_HR", rows.assign(trial="PrE0102")))
    assert "pathway_share" in kept
    assert not {"cytotoxic_fraction", "er_cytotoxic_fraction", "pathway_share_spread"} & kept
    besse = rows[rows.trial == "Besse-2014"]
    design = cal._design("Besse-2014")
    landmark, median = [], []
    for share in (0.1, 0.25, 0.4):
        with bio.override({"LUAD.pathway_share": share, "LUAD.doubling_time_d": 70.0}):
            res = cal._residuals(besse, cal._simulate(design, 400), design, "fixed")
        median.append(res[0])  # everolimus arm's median, then the control's
        landmark.append(res[2])  # everolimus arm's 3-month rate
    assert landmark[0] < landmark[1] < landmark[2]
    assert landmark[2] - landmark[0] > 2.0  # > 10 points of the rate (5-point scale)
    assert abs(median[2] - median[0]) < 0.1 * (landmark[2] - landmark[0])


def test_pathway_share_varies_between_tumours_around_the_type() -> None:
    from mtorsim.trials.population import cancer_type, sample_patients, tumour_parameters
    from mtorsim.trials.simulate import N_CLONES, _tumour_table

    ct = cancer_type("BRCA_HR")
    pts = sample_patients(ct, 400, 2)
    params = tumour_parameters("BRCA_HR")
    flat = _tumour_table(params, ct, pts, 0.0).pathway_share.to_numpy()
    assert np.allclose(flat, params.pathway_share)
    share = _tumour_table(params, ct, pts, 1.5).pathway_share.to_numpy()[::N_CLONES]
    logit = np.log(share / (1 - share))
    centre = np.log(params.pathway_share / (1 - params.pathway_share))
    assert abs(logit.mean() - centre) < 0.3 and 1.3 < logit.std() < 1.7  # 4 SE
    assert share.min() < 0.1 and share.max() > 0.9  # some driven elsewhere, some addicted


def test_replicates_are_reproducible_from_the_seed() -> None:
    assert replicate_seeds(7, 3) == replicate_seeds(7, 3)
    assert len(set(replicate_seeds(7, 3))) == 3
    a, sa = run_replicates("RECORD-1", 2, seed=7, n_patients=60)
    b, sb = run_replicates("RECORD-1", 2, seed=7, n_patients=60)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(sa, sb)
    assert set(sa.columns) >= {"median_HR", "HR_2_5", "HR_97_5"}


def _full_crossover_trial(n: int, psi: float, seed: int = 1) -> pd.DataFrame:
    """Untreated survival U; the drug stretches time on it by exp(-psi); every control
    patient crosses over at progression (RPSFT's own model)."""
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "exp", "ctl")
    u = rng.exponential(12.0, n)
    pd_t = np.minimum(rng.exponential(3.0, n), u)
    t = np.where(arm == "exp", u / math.exp(psi), pd_t + (u - pd_t) / math.exp(psi))
    c = np.full(n, 60.0)
    obs = np.minimum(t, c)
    on = np.where(arm == "exp", obs, np.clip(obs - pd_t, 0, None))
    return pd.DataFrame(
        {"arm": arm, "os_months": obs, "os_event": t <= c, "censor_months": c, "treated_months": on}
    )


def test_rpsft_recovers_a_known_effect_under_full_crossover() -> None:
    psi = math.log(0.6)
    df = _full_crossover_trial(20000, psi)
    out = rpsft(df, "exp", "ctl")
    assert out["psi"] == pytest.approx(psi, abs=0.05)
    itt = cal.quick_hr(
        df.os_months.to_numpy(), df.os_event.to_numpy(), (df.arm == "exp").to_numpy()
    )
    assert itt > out["HR_adjusted"]  # crossover dilutes the randomised comparison
    assert out["HR_adjusted"] == pytest.approx(0.6, abs=0.06)


def test_quick_statistics_agree_with_lifelines() -> None:
    from mtorsim.trials import run_trial
    from mtorsim.trials.analysis import hazard_ratio

    res = run_trial("RECORD-1", n_patients=120, seed=4)
    p = res.patients
    hr = hazard_ratio(p, "everolimus", "placebo")["HR"]
    quick = cal.quick_hr(
        p.pfs_months.to_numpy(), p.pfs_event.to_numpy(), (p.arm == "everolimus").to_numpy()
    )
    assert quick == pytest.approx(hr, rel=0.02)
    m = cal.smooth_median(np.array([1.0, 2, 3, 4]), np.array([1, 1, 1, 1]))
    assert 1.0 <= m <= 3.0


def test_crossover_lasts_until_progression_on_it() -> None:
    from mtorsim.trials import run_trial

    p = run_trial("RECORD-1", n_patients=150, seed=2).patients
    crossed = p[p.crossed_over]
    assert len(crossed) > 0
    assert (crossed.arm == "placebo").all()
    assert (crossed.crossover_stop_months >= crossed.crossover_months).all()
    assert (crossed.crossover_stop_months <= crossed.os_months + 1e-9).all()
    share = p.loc[p.arm == "placebo", "crossed_over"].mean()
    assert 0.5 < share <= 0.8 + 1e-9  # crossover_fraction 0.8 of those who progress


def test_apoptotic_sensitivity_varies_between_patients() -> None:
    from mtorsim.trials.population import cancer_type, sample_patients, tumour_parameters
    from mtorsim.trials.simulate import N_CLONES, _tumour_table

    ct = cancer_type("BRCA_HR")
    pts = sample_patients(ct, 200, 1)
    table = _tumour_table(tumour_parameters("BRCA_HR"), ct, pts)
    cyto = table.cytotoxic_fraction.to_numpy()[::N_CLONES]
    mean = tumour_parameters("BRCA_HR").cytotoxic_fraction
    assert cyto.std() > 0.5 * mean
    assert cyto.max() <= 4.0
    # one apoptotic sensitivity per patient scales the kill on every route alike
    params = tumour_parameters("BRCA_HR")
    for route in ("er_cytotoxic_fraction", "vegf_cytotoxic_fraction"):
        kill = table[route].to_numpy()[::N_CLONES]
        ratio = getattr(params, route) / params.cytotoxic_fraction
        uncapped = (kill < 4.0) & (cyto < 4.0)
        assert np.allclose(kill[uncapped], ratio * cyto[uncapped])


def test_logrank_z_agrees_with_lifelines_on_tied_times() -> None:
    from lifelines.statistics import logrank_test

    from mtorsim.trials.crossover import logrank_z

    rng = np.random.default_rng(3)
    t = np.round(rng.exponential(6.0, 400))  # heavy ties, as at scan dates
    e = rng.random(400) < 0.8
    g = rng.random(400) < 0.5
    z = logrank_z(t, e, g)
    chi2 = logrank_test(t[g], t[~g], e[g], e[~g]).test_statistic
    # same sign convention; lifelines uses the exact tie variance (ours: per event)
    assert z**2 == pytest.approx(chi2, rel=0.05)


def _random_crossover_trial(n: int, fraction: float, seed: int = 5) -> pd.DataFrame:
    """Exponential progression and post-progression survival; the drug halves the hazard
    of both while taken; control patients cross over at progression at random."""
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "exp", "ctl")
    exp = arm == "exp"
    pd_t = rng.exponential(np.where(exp, 6.0, 3.0))
    cross = ~exp & (rng.random(n) < fraction)
    post = rng.exponential(np.where(cross, 12.0, 6.0))  # crossover: on the drug after PD
    t = pd_t + post
    c = rng.uniform(12.0, 36.0, n)
    return pd.DataFrame(
        {
            "arm": arm,
            "os_months": np.minimum(t, c),
            "os_event": t <= c,
            "ttp_months": np.minimum(pd_t, c),
            "ttp_event": pd_t <= np.minimum(c, t),
            "crossed_over": cross & (pd_t <= c),
            "baseline_sum_mm": rng.uniform(30, 120, n),
            "lesions": rng.integers(1, 6, n),
        }
    )


def test_ipcw_recovers_the_no_crossover_hazard_ratio() -> None:
    from mtorsim.trials.crossover import ipcw

    crossed = _random_crossover_trial(6000, 0.8)
    truth = _random_crossover_trial(6000, 0.0)  # the same patients, nobody crosses over
    itt = cal.quick_hr(
        crossed.os_months.to_numpy(), crossed.os_event.to_numpy(), (crossed.arm == "exp").to_numpy()
    )
    true_hr = cal.quick_hr(
        truth.os_months.to_numpy(), truth.os_event.to_numpy(), (truth.arm == "exp").to_numpy()
    )
    out = ipcw(crossed, "exp", "ctl")
    assert itt > true_hr + 0.1  # crossover dilutes the randomised comparison
    assert out["HR_IPCW"] == pytest.approx(true_hr, abs=0.05)
    assert out["HR_IPCW_ci_low"] < out["HR_IPCW"] < out["HR_IPCW_ci_high"]


def test_rpsft_reports_its_roots_and_a_test_based_interval() -> None:
    df = _full_crossover_trial(4000, math.log(0.6))
    out = rpsft(df, "exp", "ctl")
    assert out["psi_roots"] >= 1
    assert out["psi_ci_low"] <= out["psi"] <= out["psi_ci_high"]
    assert out["HR_adjusted_ci_low"] <= out["HR_adjusted"] <= out["HR_adjusted_ci_high"]


def test_supplementary_record_ties_and_post_progression_are_sourced() -> None:
    targets = cal._targets()
    supp = targets[targets.record == "supplementary"]
    assert {"RADIANT-4", "PrE0102", "Study-205", "GRANITE-1"} <= set(supp.trial)
    assert supp.reference.str.strip().ne("").all()
    # the leave-one-trial-out folds are the calibration trials only
    assert set(bio.fitted_set()["leave_one_trial_out"]) == set(
        targets[targets.record == "calibration"].trial
    )
    # lung/GI NETs run with the NET biology fitted to RADIANT-3 and RADIANT-4
    for p in cal.FREE["PNET"]:
        assert bio.biology("NET_LUNG_GI")[p] == pytest.approx(bio.biology("PNET")[p])
    # RCC's post-progression growth is no longer hand-set to RECORD-1's OS
    rows = bio.biology_table()
    rcc = rows[(rows.cancer_type == "RCC") & (rows.parameter == "post_progression_growth")]
    assert rcc.source.iloc[0].startswith("pooled")


def test_crossover_progression_counts_new_lesions() -> None:
    from mtorsim.trials import run_trial
    from mtorsim.trials.crossover import treated_months

    p = run_trial("RECORD-1", n_patients=300, seed=3).patients
    on = treated_months(p, "everolimus")
    crossed = p.crossed_over.to_numpy()
    first = np.median(on[(p.arm == "everolimus").to_numpy()])
    assert np.median(on[crossed]) <= 1.25 * first


def test_aromatase_inhibitors_do_not_block_esr1_mutant_disease() -> None:
    from mtorsim.trials.population import cancer_type, sample_patients
    from mtorsim.trials.simulate import N_CLONES, _ai_resistant, _exposures

    pts = sample_patients(cancer_type("BRCA_HR"), 400, 2)
    share = bio.biology("BRCA_HR", ("aromatase inhibitor",))["ai_resistant_fraction"]
    assert share == pytest.approx(0.36)  # Schiavon et al. 2015
    assert bio.biology("BRCA_HR")["ai_resistant_fraction"] == 0
    off = _ai_resistant(pts, 2, share)
    assert 0.25 < off.mean() < 0.47
    exp = _exposures(pts, {"exemestane": 25, "tamoxifen": 20}, 1.0, 2, off)
    rows = np.repeat(off, N_CLONES)
    assert (exp["exemestane"][rows] == 0).all() and (exp["exemestane"][~rows] > 0).all()
    assert (exp["tamoxifen"] > 0).all()  # the receptor is still there to bind


def test_loto_table_says_which_types_had_other_trials() -> None:
    from mtorsim.trials.validation import other_trials_of_type

    others = other_trials_of_type()
    assert others["RECORD-1"] >= 1 and others["RADIANT-3"] >= 1 and others["BOLERO-2"] >= 1
    assert others["EXIST-1"] == 0
    # refractory colorectal and pretreated gastric cancer keep an external placebo arm
    # (CORRECT's, REGARD's: growth and, for gastric cancer, survival after progression)
    assert others["Ng-2013 phase II"] == 1 and others["GRANITE-1"] == 1


def test_folds_in_worker_processes_match_the_serial_folds(monkeypatch) -> None:
    def spy(ct, rows, base, settings):  # depends on rows, own pools and cohort size, and
        # simulates as the real fit does (a forked child starting numba's OpenMP pool
        # aborts: the parent simulates every cohort before forking)
        design = cal._design(rows.trial.iloc[0])
        n = len(cal._simulate(design, settings.patients))
        pull = 0.05 * base[f"{ct}.cytotoxic_fraction"] + 1e-7 * n
        return {f"{ct}.{p}": base[f"{ct}.{p}"] + 0.01 * len(rows) + pull for p in cal.FREE[ct]}

    monkeypatch.setattr(cal, "_fit_type_uncached", spy)
    monkeypatch.setattr(cal, "_FITS", {})
    small = cal.FitSettings(120)
    serial = cal.leave_one_trial_out(settings=small)
    # the cohort size is in the memo key: with the serial fits still memoised, another
    # size gives other folds
    assert cal.leave_one_trial_out(settings=cal.FitSettings(140)) != serial
    monkeypatch.setattr(cal, "_FITS", {})
    from mtorsim.trials.simulate import _CACHE

    _CACHE.clear()  # children would need the pathway solves: the parent must do them
    parallel = cal.leave_one_trial_out(settings=small, workers=2)
    assert list(parallel) == list(serial) and parallel == serial


def test_record_weighting_scales_residuals_by_the_record_sd() -> None:
    from mtorsim.trials.design import load_design

    design = load_design("RECORD-1")
    rows = cal._targets().query("trial == 'RECORD-1'")
    sim = cal._simulate(design, 400)
    fixed = np.array(cal._residuals(rows, sim, design, "fixed"))
    record = np.array(cal._residuals(rows, sim, design, "record"))
    sizes = cal.arm_sizes(design)
    # medians, HR, then the two rates: the same errors, each over its own SD
    sds = [
        cal.record_sd("log_median", sizes["everolimus"]),
        cal.record_sd("log_median", sizes["placebo"]),
    ]
    sds.append(cal.record_sd("log_hr", 416, share=2 / 3))
    sds += [
        cal.record_sd("rate", sizes["everolimus"], rate_pct=1.8),
        cal.record_sd("rate", sizes["placebo"], rate_pct=0.0),
    ]
    fixed_sd = [0.15, 0.15, 0.1, 5.0, 5.0]
    np.testing.assert_allclose(record * sds, fixed * fixed_sd, rtol=1e-12)
    with pytest.raises(ValueError, match="weighting"):
        cal.FitSettings(weighting="likelihood")


def test_record_sd_follows_the_published_trial_size() -> None:
    from mtorsim.trials.design import load_design

    sizes = cal.arm_sizes(load_design("RECORD-1"))  # 416 patients, 2:1
    assert sizes == pytest.approx({"everolimus": 416 * 2 / 3, "placebo": 416 / 3})
    floor = cal.MODEL_SD["log_hr"]
    # Schoenfeld: 1 / sqrt(n a (1 - a)), beside the model's own error
    assert cal.record_sd("log_hr", 416, share=2 / 3) == pytest.approx(
        math.hypot(1 / math.sqrt(416 * 2 / 9), floor)
    )
    # larger trials weigh more, but never past the model's error
    for kind in ("log_median", "log_hr", "rate"):
        sds = [cal.record_sd(kind, n, rate_pct=10.0) for n in (20, 100, 1000, 10**7)]
        assert sds == sorted(sds, reverse=True)
        assert sds[-1] == pytest.approx(cal.MODEL_SD[kind], rel=1e-3)
    # a rate of 0 % still has sampling error; a binomial one otherwise
    assert cal.record_sd("rate", 100, rate_pct=0.0) > cal.MODEL_SD["rate"]
    p = (0.2 * 100 + 0.5) / 101
    assert cal.record_sd("rate", 100, rate_pct=20.0) == pytest.approx(
        math.hypot(100 * math.sqrt(p * (1 - p) / 100), cal.MODEL_SD["rate"])
    )
