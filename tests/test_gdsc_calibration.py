"""GDSC calibration: grouped seeded folds, no test line in a fit, baselines, parameter sets.

Fast: a few lines and drugs, few optimiser steps. Skill targets are benchmark figures
(BENCHMARKS.md), never asserted here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mtorsim.genomics.baselines import BASELINES
from mtorsim.genomics.calibration import (
    ResponseCache,
    fit_from_rows,
    fit_mechanistic,
    predict_mechanistic,
)
from mtorsim.genomics.folds import cell_line_folds, skill, within_tissue_skill
from mtorsim.genomics.parameter_sets import (
    DEFAULT_SET,
    PARAMETER_SETS,
    effect_scales,
    link_ensemble,
    load_parameter_set,
    scale_effects,
)
from mtorsim.genomics.validation import gdsc_profiles, gdsc_response_table, load_gdsc


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """Two drugs, 60 lines: enough for folds and fits, small enough to run in seconds."""
    table = gdsc_response_table(["Temsirolimus", "Trametinib"])
    keep = sorted(table["cell_line"].unique())[:60]
    return table[table["cell_line"].isin(keep)].reset_index(drop=True)


def test_folds_are_grouped_and_reproducible(small: pd.DataFrame) -> None:
    folds = cell_line_folds(small["cell_line"], k=5, seed=3)
    assert folds.equals(cell_line_folds(list(reversed(small["cell_line"])), k=5, seed=3))
    assert not folds.equals(cell_line_folds(small["cell_line"], k=5, seed=4))
    assert folds.index.is_unique and set(folds) == set(range(5))
    assert folds.value_counts().max() - folds.value_counts().min() <= 1
    # a line screened with both drugs sits in one fold only
    per_line = small.assign(fold=small["cell_line"].map(folds)).groupby("cell_line")["fold"]
    assert (per_line.nunique() == 1).all()
    with pytest.raises(ValueError):
        cell_line_folds(["a", "b"], k=5)


def test_skill_measures() -> None:
    obs = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    tissue = pd.Series(list("aaabbb"))
    assert skill(obs * 2, obs) == pytest.approx(1.0)
    assert skill(np.ones(6), obs) == 0.0 and np.isnan(skill(obs, np.ones(6)))
    # a prediction constant within tissue ranks nothing within tissue
    assert within_tissue_skill(np.array([0, 0, 0, 9, 9, 9.0]), obs, tissue) == 0.0
    assert within_tissue_skill(obs.to_numpy(), obs, tissue) == pytest.approx(1.0)


def test_baselines_return_per_drug_predictions(small: pd.DataFrame) -> None:
    folds = cell_line_folds(small["cell_line"], k=5, seed=0)
    test_lines = folds.index[folds == 0]
    for drug, g in small.groupby("drug"):
        train, test = g[~g.cell_line.isin(test_lines)], g[g.cell_line.isin(test_lines)]
        for name, fn in BASELINES.items():
            pred = fn(train, test, 0)
            assert pred.shape == (len(test),) and np.isfinite(pred).all(), (name, drug)
            assert -1 <= skill(pred, test["observed"]) <= 1


def test_no_test_line_enters_a_fit(small: pd.DataFrame) -> None:
    """Fitting with the test lines' responses blanked equals fitting without those lines."""
    lines, _ = load_gdsc()
    profiles = gdsc_profiles(lines)
    folds = cell_line_folds(small["cell_line"], k=3, seed=0)
    is_test = small["cell_line"].map(folds).eq(0)
    cache = ResponseCache(sorted(small["drug"].unique()), n_cells=2)
    kw = {"tissue": True, "max_nfev": 3}
    a = fit_mechanistic(small[~is_test], profiles, cache, **kw)
    b = fit_mechanistic(
        small.assign(observed=small["observed"].where(~is_test)), profiles, cache, **kw
    )
    assert a.log_scales == b.log_scales and a.links == b.links and a.offsets == b.offsets
    pred = predict_mechanistic(a, small[is_test], profiles, cache)
    assert np.isfinite(pred).all()
    assert all(slope <= 0 for _, slope in a.links.values())


def test_parameter_sets_load_with_sources() -> None:
    assert DEFAULT_SET in PARAMETER_SETS
    for name in PARAMETER_SETS:
        t = load_parameter_set(name)
        assert {"parameter", "value", "unit", "source"} <= set(t.columns)
        assert t["source"].str.len().gt(0).all() and t["value"].notna().all()
    assert set(effect_scales("prior").values()) == {1.0}
    fitted = load_parameter_set("gdsc_v1")
    assert fitted["source"].str.contains("GDSC1 developers' half").any()
    assert scale_effects({"PTEN_level": 0.0, "KRAS_gain": 1.0}, {"PTEN_level": 0.5}) == {
        "PTEN_level": 0.5,
        "KRAS_gain": 1.0,
    }


def test_cross_validation_scores_every_model_on_shared_folds() -> None:
    from mtorsim.genomics.gdsc_cv import MODELS, gdsc_cross_validation, summarise_cv

    scores, fits = gdsc_cross_validation(["Trametinib"], k=3, n_cells=2, max_nfev=2, max_lines=45)
    assert set(scores["model"]) == set(MODELS) and set(scores["split"]) == {"fit", "test"}
    # every model is scored on the same test lines of each fold
    n = scores[scores.split == "test"].groupby(["fold", "model"])["n_lines"].first().unstack()
    assert (n.nunique(axis=1) == 1).all()
    assert len(fits["mechanistic (genotype)"]) == 3
    summary = summarise_cv(scores)
    assert {"fit", "test", "within_test"} <= set(summary.columns)
    assert set(summary["drug"]) == {"Trametinib", "median", "rapalogs"}


def test_ctrp_table_uses_the_same_models() -> None:
    from mtorsim.genomics.gdsc_cv import gdsc_cross_validation
    from mtorsim.genomics.validation import ctrp_response_table

    table, lines = ctrp_response_table(["Rapamycin"])
    assert table.attrs["endpoint"] == "CTRP AUC" and (table["observed"] == table["ctrp_auc"]).all()
    assert table["cell_line"].is_unique and set(table["cell_line"]) <= set(lines["cell_line"])
    scores, _ = gdsc_cross_validation(
        ["Rapamycin"], k=3, n_cells=2, max_nfev=1, screen="ctrp", models=["tissue mean"]
    )
    assert set(scores["model"]) == {"tissue mean"} and len(scores) == 6
    with pytest.raises(ValueError, match="screen"):
        gdsc_cross_validation(screen="ccle")


def test_validate_gdsc_prints_both_screens(capsys, monkeypatch) -> None:
    """The CLI only prints what the library computes (here a tiny, fast CV)."""
    import functools

    import mtorsim.genomics.gdsc_cv as cv
    from cli_helpers import run_cli

    small_cv = functools.partial(
        cv.gdsc_cross_validation, ["Trametinib"], k=3, n_cells=2, max_nfev=1, max_lines=30
    )
    monkeypatch.setattr(cv, "gdsc_cross_validation", small_cv)
    code, out, _ = run_cli(["validate", "--claim", "C1", "--gdsc"], capsys, monkeypatch)
    assert code == 0
    assert "GDSC1 ln IC50" in out and "CTRP AUC" in out and "within-tissue" in out
    assert "Trametinib" in out and "median" in out


class _FakeCache(ResponseCache):
    """A response table without simulation: fall = 0.2 + 0.3 [PTEN lost] - 0.1 [KRAS] + GF/10."""

    def get(self, genotypes):
        out = []
        for g in genotypes:
            r = 0.2 + 0.3 * (1 - g.get("PTEN_level", 1.0)) - 0.1 * g.get("KRAS_gain", 0.0)
            out.append([r + 0.1 * g.get("GF", 1.0)] * len(self.drugs))
        return np.array(out, dtype=float).reshape(len(genotypes), len(self.drugs))


def test_isotonic_link_is_monotone_and_fit_on_training_rows(small: pd.DataFrame) -> None:
    profiles = gdsc_profiles(load_gdsc()[0])
    cache = _FakeCache(sorted(small["drug"].unique()))
    fit = fit_mechanistic(small, profiles, cache, tissue=True, fit_effects=False, link="isotonic")
    for x, y in fit.isotonic.values():
        assert np.all(np.diff(x) >= 0) and np.all(np.diff(y) <= 1e-12)  # never increasing
    pred = predict_mechanistic(fit, small, profiles, cache)
    assert np.isfinite(pred).all()
    blank = small.assign(observed=small["observed"].where(small.index % 2 == 0))
    a = fit_mechanistic(blank, profiles, cache, tissue=True, fit_effects=False, link="isotonic")
    b = fit_mechanistic(
        small[small.index % 2 == 0],
        profiles,
        cache,
        tissue=True,
        fit_effects=False,
        link="isotonic",
    )
    for d in a.isotonic:
        assert np.allclose(a.isotonic[d][1], b.isotonic[d][1])
    with pytest.raises(ValueError, match="link"):
        fit_mechanistic(small, profiles, cache, fit_effects=False, link="cubic")


def test_tissue_context_is_chosen_on_training_lines(small: pd.DataFrame) -> None:
    from mtorsim.genomics.calibration import fit_context, with_context

    profiles = gdsc_profiles(load_gdsc()[0])
    lines = small.drop_duplicates("cell_line").set_index("cell_line")["tissue"]
    cache = _FakeCache(sorted(small["drug"].unique()))
    fit, ctx = fit_context(
        small, profiles, cache, {"GF": (0.5, 2.0)}, tissue=True, fit_effects=False
    )
    assert set(ctx) <= set(small["tissue"]) and all(v["GF"] in (0.5, 2.0) for v in ctx.values())
    ctxed = with_context(profiles, lines, {lines.iloc[0]: {"GF": 2.0}})
    assert ctxed[lines.index[0]]["GF"] == 2.0 and "GF" not in profiles[lines.index[0]]
    # a context joins the genotype as a second variant would: the deeper loss, larger gain
    two = pd.Series({"null": "t", "wt": "t"})
    joined = with_context(
        {"null": {"PTEN_level": 0.0, "KRAS_gain": 1.0}, "wt": {}},
        two,
        {"t": {"PTEN_level": 0.5, "KRAS_gain": 0.3}},
    )
    assert joined["null"] == {"PTEN_level": 0.0, "KRAS_gain": 1.0}
    assert joined["wt"] == {"PTEN_level": 0.5, "KRAS_gain": 0.3}
    pred = predict_mechanistic(fit, small, profiles, cache, context=ctx)
    assert np.isfinite(pred).all()


def test_multistart_keeps_the_best_start(small: pd.DataFrame) -> None:
    profiles = gdsc_profiles(load_gdsc()[0])
    cache = _FakeCache(sorted(small["drug"].unique()))
    one = fit_mechanistic(small, profiles, cache, max_nfev=3)
    three = fit_mechanistic(small, profiles, cache, max_nfev=3, n_starts=3, start_seed=1)
    assert three.nfev >= one.nfev
    assert set(three.log_scales) == set(one.log_scales)


def test_predictions_carry_the_fit_ensemble_interval() -> None:
    from mtorsim.genomics.parameter_sets import ENSEMBLES, ensemble_scales
    from mtorsim.genomics.predict import predict_response

    members = ensemble_scales("gdsc_v2")
    assert "gdsc_v2" in ENSEMBLES and len(members) >= 5
    assert ensemble_scales(DEFAULT_SET) == members  # the default set reports the fit's range
    assert all(m.keys() == members[0].keys() for m in members)
    profiles = {"wt": {}, "pten": {"PTEN_level": 0.0}, "kras": {"KRAS_gain": 1.0}}
    pred = predict_response(profiles, ["everolimus"], n=8, parameter_set="gdsc_v2")
    assert pred[["response_fit_p05", "response_fit_p95"]].notna().all().all()
    assert (pred["response_fit_p05"] <= pred["response_fit_p95"] + 1e-12).all()
    wt = pred.set_index("sample").loc["wt"]
    assert wt.response_fit_p05 == pytest.approx(wt.response_mean)  # no variant, no spread
    plain = predict_response(
        profiles, ["everolimus"], n=8, parameter_set="gdsc_v2", intervals=False
    )
    assert plain["response_fit_p05"].isna().all()
    cols = ["response_mean", "response_p10", "response_p90", "probability_response"]
    pd.testing.assert_frame_equal(pred[cols], plain[cols])


def test_explain_names_the_fit_interval() -> None:
    from mtorsim.genomics.explain import explain

    cols = "sample gene protein_change kind parameter value effect evidence status"
    annotated = pd.DataFrame(columns=cols.split())
    pred = pd.DataFrame(
        {
            "sample": ["s1", "s2"],
            "drug": ["everolimus"] * 2,
            "response_mean": [0.5, 0.4],
            "response_fit_p05": [0.42, np.nan],
            "response_fit_p95": [0.61, np.nan],
            "probability_response": [0.8, 0.6],
            "S6K1_fold": [0.1, 0.1],
            "AKT_S473_fold": [1.0, 1.0],
            "ERK_fold": [1.0, 1.0],
        }
    )
    text = explain(annotated, pred).set_index("sample")["explanation"]
    assert "fit interval 0.42-0.61" in text["s1"] and "fit interval" not in text["s2"]


def test_emulator_matches_the_cache_it_interpolates(small: pd.DataFrame) -> None:
    from mtorsim.genomics.calibration import LOG_BOUNDS, ResponseEmulator, _genotypes

    profiles = gdsc_profiles(load_gdsc()[0])
    cache = _FakeCache(sorted(small["drug"].unique()))
    base, _ = _genotypes(profiles, small["cell_line"])
    free = ["KRAS_gain", "PTEN_level"]
    emu = ResponseEmulator(cache)
    emu.prepare(base, free)
    rng = np.random.default_rng(0)
    for _ in range(5):
        theta = {
            p: rng.uniform(*LOG_BOUNDS["gain" if p.endswith("gain") else "level"]) for p in free
        }
        scaled = [scale_effects(g, {p: np.exp(v) for p, v in theta.items()}) for g in base]
        assert np.allclose(emu.get(base, theta), cache.get(scaled), atol=1e-3)
    a = fit_mechanistic(small, profiles, cache, max_nfev=5, emulator=emu)
    b = fit_mechanistic(small, profiles, cache, max_nfev=5)
    assert a.log_scales.keys() == b.log_scales.keys()
    for p in a.log_scales:
        assert a.log_scales[p] == pytest.approx(b.log_scales[p], abs=0.05)


def test_bootstrap_members_refit_the_same_parameters(small: pd.DataFrame) -> None:
    from mtorsim.genomics.gdsc_cv import bootstrap_ensemble

    cache = _FakeCache(sorted(small["drug"].unique()))
    kw = {"max_nfev": 2, "cache": cache, "table": small}
    a = bootstrap_ensemble("mechanistic (genotype + tissue)", 2, **kw)
    b = bootstrap_ensemble("mechanistic (genotype + tissue)", 2, **kw)
    pd.testing.assert_frame_equal(a, b)  # seeded
    assert list(a.columns) == ["member", "parameter", "value", "unit", "source"]
    per = a.groupby("member")["parameter"].apply(frozenset)
    assert per.nunique() == 1 and a["source"].str.contains("drawn with replacement").all()
    # links=True: each member is a whole cell-line model (what predict_ln_ic50 reads)
    whole = bootstrap_ensemble("mechanistic + tissue, assumed effects", 2, links=True, **kw)
    for _, rows in whole.groupby("member"):
        fit = fit_from_rows(rows.drop(columns="member"))
        assert set(fit.links) == set(small["drug"]) and fit.tissue and not fit.scales


def _screen_folder(tmp_path, lines: list[str], drug: str = "Trametinib"):
    """A GDSC1 screen folder in the shared data's layout holding ``lines`` (from the shipped
    half: their genotype rows and their ``drug`` ln IC50 rows)."""
    from mtorsim.genomics.validation import SCREEN_FILES

    genotypes, response = load_gdsc()
    genotypes[genotypes["cell_line"].isin(lines)].to_csv(tmp_path / SCREEN_FILES[0], index=False)
    rows = response[response["cell_line"].isin(lines) & (response["drug"] == drug)]
    rows.to_csv(tmp_path / SCREEN_FILES[1], index=False)
    return tmp_path


def test_external_screen_is_scored_by_models_fitted_only_on_other_lines(tmp_path) -> None:
    from mtorsim.genomics.gdsc_cv import external_validation

    table = gdsc_response_table(["Trametinib"])
    names = sorted(table["cell_line"].unique())
    train = table[table["cell_line"].isin(names[:40])].reset_index(drop=True)
    folder = _screen_folder(tmp_path, names[35:60])  # 5 lines overlap the training lines
    models = ["mechanistic + tissue, assumed effects", "tissue mean", "ridge flags"]
    scores, test = external_validation(folder, train=train, n_cells=2, max_nfev=1, models=models)
    assert test.attrs["overlap"] == names[35:40] and test.attrs["n_train_lines"] == 40
    assert set(test["cell_line"]) == set(names[40:60])  # never a line that was fitted on
    assert set(scores["model"]) == set(models) and set(scores["split"]) == {"fit", "test"}
    assert (scores.query("split == 'test'")["n_lines"] == 20).all()
    assert np.isfinite(scores.query("split == 'test'")["skill"]).all()
    # the test lines' ln IC50 never enters a fit: scrambling them changes no fit figure
    from mtorsim.genomics.validation import SCREEN_FILES

    resp = pd.read_csv(folder / SCREEN_FILES[1])
    resp["ln_ic50"] = resp["ln_ic50"].sample(frac=1.0, random_state=1).to_numpy()
    resp.to_csv(folder / SCREEN_FILES[1], index=False)
    again, _ = external_validation(folder, train=train, n_cells=2, max_nfev=1, models=models)
    fit_a = scores.query("split == 'fit'").reset_index(drop=True)
    fit_b = again.query("split == 'fit'").reset_index(drop=True)
    pd.testing.assert_frame_equal(fit_a, fit_b)


def test_external_screen_errors_name_file_row_and_column(tmp_path) -> None:
    from mtorsim.errors import MtorsimError
    from mtorsim.genomics.gdsc_cv import external_validation
    from mtorsim.genomics.validation import SCREEN_FILES, read_gdsc_screen

    with pytest.raises(MtorsimError, match="not a folder"):
        read_gdsc_screen(tmp_path / "absent")
    names = sorted(gdsc_response_table(["Trametinib"])["cell_line"].unique())
    folder = _screen_folder(tmp_path, names[:5])
    with pytest.raises(MtorsimError, match="every GDSC cell line is in the shipped table"):
        external_validation(folder, models=["tissue mean"])
    lines = pd.read_csv(folder / SCREEN_FILES[0])
    lines.loc[2, "KRAS_mut"] = 2
    lines.to_csv(folder / SCREEN_FILES[0], index=False)
    with pytest.raises(MtorsimError, match=r"row 4, column 'KRAS_mut' is '2'; give 0, 1 or empty"):
        read_gdsc_screen(folder)
    lines.loc[2, "KRAS_mut"] = 0
    pd.concat([lines, lines.iloc[[0]]]).to_csv(folder / SCREEN_FILES[0], index=False)
    with pytest.raises(MtorsimError, match="more than one row"):
        read_gdsc_screen(folder)
    lines.to_csv(folder / SCREEN_FILES[0], index=False)
    resp = pd.read_csv(folder / SCREEN_FILES[1]).astype({"ln_ic50": object})
    resp.loc[1, "ln_ic50"] = "nan"
    resp.to_csv(folder / SCREEN_FILES[1], index=False)
    with pytest.raises(MtorsimError, match=r"row 3, column 'ln_ic50' .*finite number"):
        read_gdsc_screen(folder)
    (folder / SCREEN_FILES[1]).unlink()
    with pytest.raises(MtorsimError, match="file not found"):
        read_gdsc_screen(folder)


def test_validate_gdsc_test_fails_on_a_bad_folder_before_any_work(tmp_path, capsys, monkeypatch):
    from cli_helpers import run_cli

    code, out, err = run_cli(
        ["validate", "--claim", "C1", "--gdsc-test", str(tmp_path / "x")], capsys, monkeypatch
    )
    assert code != 0 and "not a folder" in out + err and "Traceback" not in out + err
    assert "claim scorecard" not in out


def test_cell_line_model_applies_the_fitted_set_to_new_lines() -> None:
    from mtorsim.genomics.cell_lines import CELL_LINE_SET, fitted_model, predict_ln_ic50

    lines = load_gdsc()[0].head(40).copy()
    lines.loc[lines.index[0], "tissue"] = "tissue_never_fitted"
    pred = predict_ln_ic50(lines, ["Trametinib"], n_cells=2)
    assert (
        len(pred) == 40 and not pred["tissue_seen"].iloc[0] and pred["tissue_seen"].iloc[1:].all()
    )
    # the assumed effect sizes with fitted links, the alternative to the default
    assert CELL_LINE_SET == "gdsc_v2"
    assert set(fitted_model("gdsc_v2_prior").scales.values()) == {1.0}
    # by hand: intercept + slope x simulated fall + the tissue's shift (none if unseen)
    cache = ResponseCache(["Trametinib"], n_cells=2, seed=0)
    profiles = gdsc_profiles(lines)
    assumed = predict_ln_ic50(lines, ["Trametinib"], n_cells=2, parameter_set="gdsc_v2_prior")
    for name, table in (("gdsc_v2", pred), ("gdsc_v2_prior", assumed)):
        fit = fitted_model(name)
        a, b = fit.links["Trametinib"]
        for i in (0, 1):
            cl, tissue = lines["cell_line"].iloc[i], lines["tissue"].iloc[i]
            r = cache.get([scale_effects(profiles[cl], fit.scales)])[0, 0]
            shift = fit.offsets["Trametinib"].get(tissue, 0.0)
            assert table["predicted_ln_ic50"].iloc[i] == pytest.approx(a + b * r + shift, abs=1e-9)
    # fitted on these lines, it ranks them (in-sample, so only a sanity check)
    obs = gdsc_response_table(["Trametinib"]).merge(pred, on=["cell_line", "drug"])
    assert skill(obs["predicted_ln_ic50"], obs["observed"]) > 0.3
    # the fit's uncertainty: 5-95 % over its bootstrap members (the whole fit redone)
    for table in (pred, assumed):
        low, high = table["ln_ic50_fit_p05"], table["ln_ic50_fit_p95"]
        assert (low < high).all() and low.notna().all()
        inside = (low <= table["predicted_ln_ic50"]) & (table["predicted_ln_ic50"] <= high)
        assert inside.mean() > 0.8  # the point is the fit on all lines: mostly inside
    for name in ("gdsc_v2", "gdsc_v2_prior"):
        members = link_ensemble(name)
        assert len(members) >= 10 and all(
            m["source"].str.contains("bootstrap").all() for m in members
        )
    assert link_ensemble("gdsc_v1") == ()
    bare = predict_ln_ic50(lines.head(2), ["Trametinib"], n_cells=2, intervals=False)
    assert bare["ln_ic50_fit_p05"].isna().all()
    assert np.array_equal(bare["predicted_ln_ic50"], pred["predicted_ln_ic50"].iloc[:2])


def test_cell_line_model_errors_name_the_problem(tmp_path, capsys, monkeypatch) -> None:
    from cli_helpers import run_cli
    from mtorsim.errors import MtorsimError, UnknownNameError
    from mtorsim.genomics.cell_lines import predict_ln_ic50

    lines = load_gdsc()[0].head(3).copy()
    with pytest.raises(MtorsimError, match="'prior' has no fitted link"):
        predict_ln_ic50(lines, parameter_set="prior")
    with pytest.raises(UnknownNameError, match="everolimus"):
        predict_ln_ic50(lines, ["everolimus"])
    with pytest.raises(MtorsimError, match="missing tissue"):
        predict_ln_ic50(lines.drop(columns="tissue"))
    bad = lines.astype({"KRAS_mut": object})
    bad.loc[bad.index[1], "KRAS_mut"] = "yes"
    with pytest.raises(MtorsimError, match=r"table: index 1, column 'KRAS_mut' is 'yes'"):
        predict_ln_ic50(bad)
    bad.to_csv(tmp_path / "bad.csv", index=False)  # the CLI counts rows as the file's lines
    code, out, err = run_cli(
        ["predict", "--cell-lines", str(tmp_path / "bad.csv")], capsys, monkeypatch
    )
    assert code != 0 and "bad.csv: row 3, column 'KRAS_mut' is 'yes'" in out + err
    # parts of the combined flags count: PTEN_mut alone is a PTEN loss
    parts = pd.DataFrame(
        {
            "cell_line": ["a", "b"],
            "tissue": ["skin", "skin"],
            "PTEN_mut": [1, 0],
            "TSC2_mut": [1, 0],
        }
    )
    pred = predict_ln_ic50(parts, ["Rapamycin"], n_cells=2).set_index("cell_line")
    assert pred.loc["a", "predicted_ln_ic50"] != pred.loc["b", "predicted_ln_ic50"]
    lines = lines.astype({"KRAS_mut": object})
    lines.loc[lines.index[0], "KRAS_mut"] = ""  # empty = unknown = not mutated, as in the fit
    lines.to_csv(tmp_path / "lines.csv", index=False)
    code, out, err = run_cli(
        ["predict", "--cell-lines", str(tmp_path / "lines.csv"), "--maf", "x.maf"],
        capsys,
        monkeypatch,
    )
    assert code != 0 and "--cell-lines" in out + err and "Traceback" not in out + err
    out_file = tmp_path / "pred.csv"
    code, out, err = run_cli(
        ["predict", "--cell-lines", str(tmp_path / "lines.csv"), "--drug", "Trametinib",
         "--n", "2", "--out", str(out_file)],
        capsys,
        monkeypatch,
    )  # fmt: skip
    assert code == 0 and "predicted ln IC50" in out
    written = pd.read_csv(out_file)
    assert set(written["cell_line"]) == set(lines["cell_line"])
    # without --n the CLI simulates the fit's population, as the Python API does
    code, out, err = run_cli(
        ["predict", "--cell-lines", str(tmp_path / "lines.csv"), "--drug", "Trametinib",
         "--out", str(out_file)],
        capsys,
        monkeypatch,
    )  # fmt: skip
    api = predict_ln_ic50(pd.read_csv(tmp_path / "lines.csv"), ["Trametinib"])
    np.testing.assert_allclose(
        pd.read_csv(out_file)["predicted_ln_ic50"], api["predicted_ln_ic50"], rtol=1e-12
    )
    code, out, err = run_cli(
        ["predict", "--maf", "x.maf", "--parameter-set", "gdsc_v2"], capsys, monkeypatch
    )
    assert code != 0 and "give it with --cell-lines" in out + err


def test_external_ctrp_screen_is_scored_on_its_new_lines(tmp_path) -> None:
    from mtorsim.errors import MtorsimError
    from mtorsim.genomics.gdsc_cv import external_validation, screens_in
    from mtorsim.genomics.validation import CTRP_FILE, ctrp_response_table, load_ctrp

    table, _ = ctrp_response_table(["Trametinib"])
    names = sorted(table["cell_line"].unique())
    train = table[table["cell_line"].isin(names[:25])].reset_index(drop=True)
    raw = load_ctrp()
    rows = raw[raw["cell_line"].isin(names[20:]) & (raw["drug"] == "Trametinib")]
    rows.assign(is_combination=0).to_csv(tmp_path / CTRP_FILE, index=False)
    assert screens_in(tmp_path) == ["ctrp"]
    scores, test = external_validation(
        tmp_path, screen="ctrp", train=train, n_cells=2, max_nfev=1, models=["tissue mean"]
    )
    assert test.attrs["overlap"] == names[20:25]
    assert set(test["cell_line"]) == set(names[25:])
    assert (scores.query("split == 'test'")["n_lines"] == len(names) - 25).all()
    bad = rows.astype({"ctrp_auc": object})
    bad.loc[bad.index[0], "ctrp_auc"] = "high"
    bad.to_csv(tmp_path / CTRP_FILE, index=False)
    with pytest.raises(MtorsimError, match=r"row 2, column 'ctrp_auc' is 'high'"):
        external_validation(tmp_path, screen="ctrp", train=train, models=["tissue mean"])
    (tmp_path / CTRP_FILE).unlink()
    with pytest.raises(MtorsimError, match="holds neither"):
        screens_in(tmp_path)


def test_validate_gdsc_test_prints_the_held_out_tables(tmp_path, capsys, monkeypatch) -> None:
    """The CLI prints what external_validation computes (here fitted on 40 shipped lines,
    scored on 20 others written as a screen folder)."""
    import functools

    import mtorsim.genomics.gdsc_cv as cv
    from cli_helpers import run_cli

    table = gdsc_response_table(["Trametinib"])
    names = sorted(table["cell_line"].unique())
    train = table[table["cell_line"].isin(names[:40])].reset_index(drop=True)
    folder = _screen_folder(tmp_path, names[40:60])
    monkeypatch.setattr(cv, "new_lines", functools.partial(cv.new_lines, train=train))
    small = functools.partial(
        cv.external_validation, train=train, n_cells=2, max_nfev=1, models=["tissue mean"]
    )
    monkeypatch.setattr(cv, "external_validation", small)
    code, out, _ = run_cli(
        ["validate", "--claim", "C1", "--gdsc-test", str(folder)], capsys, monkeypatch
    )
    assert code == 0
    text = " ".join(out.split())  # rich wraps titles to the table's width
    assert "skill on the 20 new lines" in text and "Trametinib" in text and "median" in text
    assert "fitted on the 40 shipped lines, scored on 20 lines of" in text
