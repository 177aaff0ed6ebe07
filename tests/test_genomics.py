"""Genotype layer: parsing, knowledge base, readers, profiles, predictions, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run_cli
from mtorsim import MtorsimError
from mtorsim.genomics.knowledge import knowledge_base, match, parse_protein_change
from mtorsim.genomics.predict import clinical_free_nM, predict_response
from mtorsim.genomics.profile import annotate, profiles
from mtorsim.genomics.readers import read_copy_number, read_maf, read_variant_csv

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("p.H1047R", "H1047R"),
        ("p.His1047Arg", "H1047R"),
        ("H1047R", "H1047R"),
        ("p.R130*", "R130*"),
        ("p.Arg130Ter", "R130*"),
        ("p.E17fs*5", "E17fs"),
        ("p.(G12D)", "G12D"),
    ],
)
def test_parse_protein_change(text: str, short: str) -> None:
    assert parse_protein_change(text).short == short


@pytest.mark.parametrize("bad", ["", "p.Xyz12Abc", "1047R", "p.Q546X?"])
def test_unparsable_protein_change(bad: str) -> None:
    with pytest.raises(MtorsimError, match="cannot parse"):
        parse_protein_change(bad)


def test_knowledge_base_has_evidence_and_required_genes() -> None:
    kb = knowledge_base()
    assert kb["evidence"].str.len().min() > 0
    required = {
        "TSC1",
        "TSC2",
        "MTOR",
        "PIK3CA",
        "PIK3R1",
        "PTEN",
        "AKT1",
        "STK11",
        "KRAS",
        "NRAS",
        "HRAS",
        "BRAF",
        "NF1",
        "RICTOR",
        "RPTOR",
        "PPP2R2B",
        "FKBP1A",
    }
    assert required <= set(kb["gene"])


def test_matching_rules() -> None:
    assert match("KRAS", parse_protein_change("G12C"), None).parameter == "KRAS_gain"
    assert match("PTEN", parse_protein_change("W111*"), None).alteration == "truncating"
    assert match("MTOR", parse_protein_change("F2108L"), None).value == 1000.0
    assert match("MTOR", parse_protein_change("A1B"), None) is None
    assert match("TP53", parse_protein_change("R175H"), None) is None
    assert match("RICTOR", None, "amplification").operation == "scale"


def test_read_maf_keeps_valid_rows_and_lists_bad_ones() -> None:
    t = read_maf(DATA / "small.maf")
    assert list(t.variants["sample"]) == ["S1", "S1", "S2", "S3", "S4", "S5", "S6"]
    assert t.variants.loc[0, "vaf"] == pytest.approx(0.3)
    assert list(t.problems["line"]) == [10] and "Q546X" in t.problems.loc[0, "problem"]
    assert "S7" not in set(t.variants["sample"])  # silent variants are not events


def test_read_maf_sample_selection() -> None:
    assert set(read_maf(DATA / "small.maf", samples=["S2"]).variants["sample"]) == {"S2"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("Hugo_Symbol\tVariant_Classification\nPTEN\tMissense\n", "missing column"),
        (b"Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\n\xff\xfe\n", "not UTF-8"),
        ("Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\n", "no variants"),
    ],
)
def test_malformed_maf(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "bad.maf"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(MtorsimError, match=message):
        read_maf(path)


def test_csv_and_copy_number_readers() -> None:
    t = read_variant_csv(DATA / "small_variants.csv")
    assert len(t.variants) == 5 and list(t.problems["line"]) == [7]
    cna = read_copy_number(DATA / "small_cna.csv")
    assert set(
        zip(cna.variants["sample"], cna.variants["gene"], cna.variants["kind"], strict=True)
    ) == {("S1", "PTEN", "deletion"), ("S1", "RICTOR", "amplification")}


def test_profiles_combine_and_report_uncertain() -> None:
    a = annotate(read_variant_csv(DATA / "small_variants.csv").variants)
    assert a.loc[a.gene == "XYZ1", "status"].item() == "uncertain"
    pr = profiles(a)
    assert pr["A"] == {"PTEN_level": 0.0, "PIK3CA_gain": 0.5}
    assert pr["C"] == {"TSC_level": 0.0}
    cna = annotate(read_copy_number(DATA / "small_cna.csv").variants)
    assert profiles(cna)["S1"]["k_mtorc2_on"] == pytest.approx(2 * 15.0)


def test_clinical_exposure() -> None:
    # everolimus 10 mg/day, CL/F 17.4 L/h, fu 0.05, MW 958.2 -> ~1.25 nM free
    assert clinical_free_nM("everolimus") == pytest.approx(10 / 24 / 17.4 * 0.05 * 1e6 / 958.2)
    assert clinical_free_nM("torin1") == 10.0


def test_predictions_are_seeded_and_genotype_driven() -> None:
    pr = {"WT": {}, "TSC": {"TSC_level": 0.0}, "FRB": {"FRB_resistance": 1000.0}}
    a = predict_response(pr, ["everolimus", "azd8055"], n=8, seed=3)
    b = predict_response(pr, ["everolimus", "azd8055"], n=8, seed=3)
    pd.testing.assert_frame_equal(a, b)
    eve = a[a.drug == "everolimus"].set_index("sample")["response_mean"]
    assert eve["TSC"] > eve["WT"] > eve["FRB"]
    frb = a[a["sample"] == "FRB"]
    assert frb.iloc[0]["drug"] == "azd8055"  # ranked: the TORKi overcomes the FRB mutant
    assert ((a.response_p10 <= a.response_mean) & (a.response_mean <= a.response_p90)).all()
    assert np.isfinite(a.probability_response).all()


def test_cli_predict(tmp_path: Path, capsys, monkeypatch) -> None:
    def run(argv):
        return run_cli(argv, capsys, monkeypatch)

    out, why = tmp_path / "pred.csv", tmp_path / "why.csv"
    code, _text, err = run(
        [
            "predict",
            "--maf",
            str(DATA / "small.maf"),
            "--drug",
            "everolimus",
            "--drug",
            "azd8055",
            "--n",
            "8",
            "--out",
            str(out),
            "--explain",
            str(why),
        ]
    )
    assert code == 0
    assert "line 10" in err and "warning" in err
    pred = pd.read_csv(out)
    # S7's only call is silent: it is predicted as wild type, not dropped
    assert set(pred["sample"]) == {"S1", "S2", "S3", "S4", "S5", "S6", "S7"}
    assert "wild-type" in pd.read_csv(why).set_index("sample").loc["S7", "explanation"]
    assert "TP53 R175H" in pd.read_csv(why).set_index("sample").loc["S6", "explanation"]
    code, _, err = run(
        ["predict", "--maf", str(tmp_path / "nope.maf"), "--out", str(tmp_path / "x.csv")]
    )
    assert code == 2 and "file not found" in err and not (tmp_path / "x.csv").exists()
    code, _, err = run(["predict"])
    assert code == 2 and "--maf" in err


def test_gdsc_validation_runs_on_shipped_data() -> None:
    from mtorsim.genomics.validation import gdsc_profiles, gdsc_validation, load_gdsc

    lines, response = load_gdsc()
    assert len(lines) > 400 and set(response["drug"]) >= {"Rapamycin", "Temsirolimus"}
    prof = gdsc_profiles(lines)
    assert prof["22RV1"] == {"PIK3CA_gain": 0.4}
    rho, genes = gdsc_validation(drugs=["Rapamycin"], n=4)
    assert list(rho["drug"]) == ["Rapamycin"] and -1 <= rho["spearman_rho"].item() <= 1
    assert {"observed_ln_ic50_diff", "predicted_response_diff"} <= set(genes.columns)


def test_read_vcf_with_vep_annotation() -> None:
    from mtorsim.genomics.readers import read_vcf

    t = read_vcf(DATA / "small.vcf")
    assert list(zip(t.variants.gene, t.variants.protein_change, strict=True)) == [
        ("PIK3CA", "H1047R"),
        ("PTEN", "R130*"),
    ]
    assert t.variants.vaf.tolist() == pytest.approx([0.4, 0.5])
    assert set(t.variants["sample"]) == {"TUMOR"}
    with pytest.raises(MtorsimError, match="not in the VCF"):
        read_vcf(DATA / "small.vcf", sample="NOPE")


def test_vcf_without_annotation_is_rejected(tmp_path: Path) -> None:
    from mtorsim.genomics.readers import read_vcf

    text = (DATA / "small.vcf").read_text().splitlines()
    plain = [ln for ln in text if not ln.startswith("##INFO")]
    (tmp_path / "plain.vcf").write_text("\n".join(plain) + "\n")
    with pytest.raises(MtorsimError, match="no VEP CSQ or snpEff ANN"):
        read_vcf(tmp_path / "plain.vcf")
    (tmp_path / "junk.vcf").write_text("hello\n")
    with pytest.raises(MtorsimError):
        read_vcf(tmp_path / "junk.vcf")


def test_cohort_summary_and_oncoprint(tmp_path: Path, capsys, monkeypatch) -> None:
    import matplotlib.image as mpimg

    from mtorsim.genomics.cohort import cohort_summary

    annotated = annotate(read_maf(DATA / "small.maf").variants)
    pred = predict_response(profiles(annotated), ["everolimus"], n=8)
    by_type, by_gene = cohort_summary(annotated, pred, "everolimus", {"S1": "BRCA", "S2": "LUAD"})
    assert set(by_type.cancer_type) == {"BRCA", "LUAD", "unknown"}  # untyped: not "all"
    assert by_type.samples.sum() == 6
    assert "TP53" not in set(by_gene.gene)  # uncertain variants are not counted as hits
    code, out, _ = run_cli(
        [
            "cohort",
            "--maf",
            str(DATA / "small.maf"),
            "--drug",
            "RAD001",
            "--types",
            str(DATA / "small_types.csv"),
            "--n",
            "8",
            "--out",
            str(tmp_path / "genes.csv"),
            "--plot",
            str(tmp_path / "onco.png"),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert mpimg.imread(tmp_path / "onco.png").std() > 0.01
    assert "TSC2" in set(pd.read_csv(tmp_path / "genes.csv").gene)
    assert "LUAD" in out


def test_wrong_build_is_rejected(tmp_path: Path) -> None:
    from mtorsim.genomics.readers import read_vcf

    maf = tmp_path / "b.maf"
    maf.write_text(
        "Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\tNCBI_Build\nPTEN\tS1\tp.R130*\tGRCm39\n"
    )
    with pytest.raises(MtorsimError, match="unknown genome build"):
        read_maf(maf)
    vcf = tmp_path / "b.vcf"
    vcf.write_text((DATA / "small.vcf").read_text().replace("GRCh38", "mm10"))
    with pytest.raises(MtorsimError, match="not a known human build"):
        read_vcf(vcf)


def test_problems_report(tmp_path: Path, monkeypatch, capsys) -> None:
    report = tmp_path / "problems.csv"
    code, _, _ = run_cli(
        [
            "predict",
            "--variants",
            str(DATA / "small_variants.csv"),
            "--drug",
            "everolimus",
            "--n",
            "4",
            "--problems",
            str(report),
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    rep = pd.read_csv(report)
    assert rep.line.tolist() == [7] and "garbage" in rep.problem.item()
