"""Audit of the genotype predict/cohort path: explanations judge each drug on its own
target's read-out, untyped cohort samples are ``unknown`` (with a warning), and the
cell-line model takes drug names in any case."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run_cli
from mtorsim.genomics.cohort import cohort_summary
from mtorsim.genomics.explain import explain
from mtorsim.genomics.predict import predict_response, target_readouts
from mtorsim.genomics.profile import annotate, profiles
from mtorsim.genomics.readers import read_maf

DATA = Path(__file__).parent / "data"
MAF_HEADER = "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tHGVSp_Short\n"


def _maf(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "tum.maf"
    lines = [f"{gene}\t{sample}\tMissense_Mutation\t{change}\n" for gene, sample, change in rows]
    path.write_text(MAF_HEADER + "".join(lines))
    return path


@pytest.mark.parametrize(
    ("drug", "readouts"),
    [
        ("trametinib", ("ERK",)),
        ("selumetinib", ("ERK",)),
        ("mk-2206", ("PRAS40_p",)),
        ("everolimus", ("S6K1",)),
        ("azd8055", ("S6K1", "AKT_S473")),
        ("dactolisib", ("AKT_T308", "S6K1", "AKT_S473")),
        ("rapalink-1", ("S6K1", "AKT_S473")),
        ("alpelisib", ("AKT_T308",)),
        ("interferon-alpha", ()),  # acts in the tumour layer: no cell read-out
    ],
)
def test_each_drug_is_read_out_at_its_own_target(drug: str, readouts: tuple) -> None:
    assert target_readouts(drug) == readouts


def _row(drug: str, response: float, readout: str, fold: float, s6k1: float = 0.97) -> dict:
    return {
        "sample": "s1",
        "drug": drug,
        "response_mean": response,
        "probability_response": 0.5,
        "S6K1_fold": s6k1,
        "AKT_S473_fold": 1.0,
        "ERK_fold": fold if readout == "pERK" else 1.0,
        "target_readout": readout,
        "target_fold": fold,
    }


def test_explain_does_not_judge_a_mek_inhibitor_on_ps6k1() -> None:
    cols = "sample gene protein_change kind parameter value effect evidence status"
    annotated = pd.DataFrame(columns=cols.split())
    pred = pd.DataFrame(
        [
            _row("dactolisib", 0.6, "pS6K1", 0.05, s6k1=0.05),
            _row("trametinib", 0.05, "pERK", 0.53),  # ERK inhibited, pS6K1 untouched
            _row("selumetinib", 0.05, "pERK", 0.97),  # ERK not inhibited
            _row("interferon-alpha", 0.0, "", np.nan, s6k1=1.0),  # no read-out in the cell
        ]
    )
    text = explain(annotated, pred)["explanation"].item()
    assert "trametinib" not in text and "pS6K1 x0.97" not in text
    assert "selumetinib: target not inhibited in this genotype (pERK x0.97)" in text
    assert "interferon-alpha" not in text


def test_predict_explanation_names_the_targets_readout(tmp_path: Path, capsys, monkeypatch):
    maf = _maf(tmp_path, [("MTOR", "RES", "p.F2108L"), ("KRAS", "RAS", "p.G12D")])
    out, why = tmp_path / "pred.csv", tmp_path / "why.csv"
    argv = ["predict", "--maf", str(maf), "--n", "4", "--out", str(out), "--explain", str(why)]
    for drug in ("dactolisib", "everolimus", "trametinib", "selumetinib"):
        argv += ["--drug", drug]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 0, err
    pred = pd.read_csv(out)
    mek = pred[pred["drug"].isin(["trametinib", "selumetinib"])]
    assert (mek["target_readout"] == "pERK").all()
    np.testing.assert_allclose(mek["target_fold"], mek["ERK_fold"])
    assert (mek["ERK_fold"] < 0.8).all() and (mek["S6K1_fold"] > 0.8).all()
    text = pd.read_csv(why).set_index("sample")["explanation"]
    for sample in ("RES", "RAS"):
        assert "trametinib: target not inhibited" not in text[sample]
        assert "selumetinib: target not inhibited" not in text[sample]
    # the rapalog-resistant FRB mutant: everolimus really leaves mTORC1 (pS6K1) active
    assert "everolimus: target not inhibited in this genotype (pS6K1 x0.9" in text["RES"]
    assert "everolimus: target not inhibited" not in text["RAS"]


def test_untyped_cohort_samples_are_unknown_not_all() -> None:
    annotated = annotate(read_maf(DATA / "small.maf").variants)
    pred = predict_response(profiles(annotated), ["everolimus"], n=4, intervals=False)
    typed, _ = cohort_summary(annotated, pred, "everolimus", {"S1": "BRCA"})
    assert typed.set_index("cancer_type")["samples"].to_dict() == {"BRCA": 1, "unknown": 5}
    # the overall row of an untyped cohort is every sample, as before
    whole, _ = cohort_summary(annotated, pred, "everolimus")
    assert whole.set_index("cancer_type")["samples"].to_dict() == {"all": 6}
    everolimus = pred.set_index("sample")
    assert whole["mean_response"].item() == pytest.approx(everolimus["response_mean"].mean())
    blank, _ = cohort_summary(annotated, pred, "everolimus", {"S1": "BRCA", "S2": " "})
    assert blank.set_index("cancer_type")["samples"].to_dict() == {"BRCA": 1, "unknown": 5}


def test_cohort_warns_about_untyped_samples(tmp_path: Path, capsys, monkeypatch) -> None:
    types = tmp_path / "types.csv"
    types.write_text("sample,cancer_type\nS1,BRCA\n")
    argv = ["cohort", "--maf", str(DATA / "small.maf"), "--n", "4", "--types", str(types)]
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code == 0, err
    # S7 has only a silent BRAF call: a wild-type sample, counted like the others
    assert "no cancer type for 6 of 7 samples (S2, S3, S4, S5, S6 and 1 more)" in err
    assert "'unknown'" in err and "types.csv" in err
    assert re.search(r"│\s*unknown\s*│\s*6\s*│", out) and not re.search(r"│\s*all\s*│", out)
    # every sample typed: no warning
    code, _, err = run_cli([*argv[:-1], str(DATA / "small_types.csv")], capsys, monkeypatch)
    assert code == 0 and "no cancer type" not in err


def test_cell_line_drugs_take_any_case(tmp_path: Path, capsys, monkeypatch) -> None:
    from mtorsim.errors import UnknownNameError
    from mtorsim.genomics.cell_lines import gdsc_drug_name, predict_ln_ic50
    from mtorsim.genomics.validation import load_gdsc

    assert gdsc_drug_name("temsirolimus") == "Temsirolimus"
    assert gdsc_drug_name(" RAPAMYCIN ") == "Rapamycin"
    assert gdsc_drug_name("sirolimus") == "Rapamycin"  # the library's name of the drug
    assert gdsc_drug_name("GSK1120212") == "Trametinib"  # and its aliases
    with pytest.raises(UnknownNameError, match="everolimus"):
        gdsc_drug_name("everolimus")  # not screened by GDSC
    lines = load_gdsc()[0].head(3)
    exact = predict_ln_ic50(lines, ["Temsirolimus"], n_cells=2)
    lower = predict_ln_ic50(lines, ["temsirolimus", "TEMSIROLIMUS"], n_cells=2)
    pd.testing.assert_frame_equal(exact, lower)
    lines.to_csv(tmp_path / "lines.csv", index=False)
    code, out, err = run_cli(
        ["predict", "--cell-lines", str(tmp_path / "lines.csv"), "--drug", "temsirolimus",
         "--n", "2"],
        capsys,
        monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    assert "Temsirolimus" in out and "did you mean" not in (out + err).lower()


def test_default_predictions_cover_drugs_that_bind_the_network() -> None:
    from mtorsim.genomics.predict import PATHWAY_DRUGS

    assert "interferon-alpha" not in PATHWAY_DRUGS  # its only site is VEGFR (tumour layer)
    assert {"everolimus", "azd8055", "trametinib", "mk-2206"} <= set(PATHWAY_DRUGS)


def test_an_unknown_gene_is_named_as_such_with_both_ways_to_give_parameters() -> None:
    from mtorsim.errors import MtorsimError
    from mtorsim.genomics.profile import genotype_parameters

    with pytest.raises(MtorsimError, match="gene the knowledge base does not know") as info:
        genotype_parameters(["FOO X1Y"])
    assert "--set PTEN_level=0" in str(info.value)
