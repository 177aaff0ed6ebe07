"""A new user's inputs (audit 9): multi-sample VCFs, wild-type samples, genome-build names,
outputs that would overwrite inputs, leftover problem reports, cell-line columns, VAF and
copy-number cells, protein changes in any case, repeated drugs, misformatted files."""

from __future__ import annotations

import gzip
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import run_cli
from mtorsim import MtorsimError
from mtorsim.genomics.builds import GenomeBuildWarning, classify_build
from mtorsim.genomics.readers import (
    parse_change,
    read_copy_number,
    read_maf,
    read_variant_csv,
    read_vcf,
)

DATA = Path(__file__).parent / "data"
SMALL = (DATA / "small.vcf").read_text()
HEAD = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR"


def _vcf(tmp_path: Path, text: str, name: str = "x.vcf") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _three_tumours(tmp_path: Path) -> Path:
    """PIK3CA in T1 only, PTEN in T2 only, KRAS in none (T3 has nothing)."""
    lines = SMALL.replace(HEAD, HEAD.replace("NORMAL\tTUMOR", "T1\tT2\tT3")).splitlines()
    gts = ["0/1:30,20\t0/0:40,0\t0/0:40,0", "0/0:40,0\t0/1:25,25\t0/0:40,0"]
    gts.append("0/0:40,0\t0/0:40,0\t0/0:40,0")
    body = [ln.rsplit("\t", 2)[0] + "\t" + gt for ln, gt in zip(lines[-3:], gts, strict=True)]
    return _vcf(tmp_path, "\n".join(lines[:-3] + body) + "\n")


# ------------------------------------------------------------ 1. VCF sample columns


def test_each_vcf_tumour_column_is_its_own_sample_with_its_own_calls(tmp_path) -> None:
    t = read_vcf(_three_tumours(tmp_path))
    got = list(zip(t.variants["sample"], t.variants.gene, t.variants.vaf, strict=True))
    assert got == [("T1", "PIK3CA", pytest.approx(0.4)), ("T2", "PTEN", pytest.approx(0.5))]
    assert t.samples == ("T1", "T2", "T3")  # T3 carries nothing: wild type, not absent
    assert t.skipped.category.tolist() == ["not_carried"] and t.skipped.line.tolist() == [12]
    only = read_vcf(_three_tumours(tmp_path), samples=["T2"])
    assert only.variants["sample"].tolist() == ["T2"] and only.variants.gene.tolist() == ["PTEN"]
    assert only.samples == ("T2",)


def test_a_call_only_the_normal_carries_is_not_the_tumours(tmp_path) -> None:
    germ = SMALL.replace("0/0:40,0\t0/1:30,20", "0/1:20,20\t0/0:50,0")
    t = read_vcf(_vcf(tmp_path, germ))
    assert t.variants.gene.tolist() == ["PTEN"]  # PIK3CA is in NORMAL only
    assert set(t.variants["sample"]) == {"TUMOR"} and t.samples == ("TUMOR",)
    assert "only the matched normal" in t.skipped.reason[0]
    # the normal can be asked for by name
    normal = read_vcf(_vcf(tmp_path, germ), samples=["NORMAL"])
    assert normal.variants.gene.tolist() == ["PIK3CA"]
    assert normal.variants.vaf.tolist() == pytest.approx([0.5])


def test_normal_sample_header_names_the_normal(tmp_path) -> None:
    text = SMALL.replace(HEAD, HEAD.replace("NORMAL\tTUMOR", "blood\tbiopsy"))
    text = text.replace("##reference=GRCh38", "##reference=GRCh38\n##normal_sample=blood")
    t = read_vcf(_vcf(tmp_path, text))
    assert t.samples == ("biopsy",) and set(t.variants["sample"]) == {"biopsy"}


def test_a_vcf_of_only_the_normal_is_an_error_naming_the_fix(tmp_path) -> None:
    lines = SMALL.replace("\tNORMAL\tTUMOR", "\tNORMAL").splitlines()
    lines = lines[:-3] + [ln.rsplit("\t", 1)[0] for ln in lines[-3:]]
    with pytest.raises(MtorsimError, match=r"matched normal .*--sample NORMAL"):
        read_vcf(_vcf(tmp_path, "\n".join(lines) + "\n"))


def test_without_gt_the_allele_depths_decide(tmp_path) -> None:
    text = SMALL.replace("GT:AD\t0/0:40,0\t0/1:30,20", "AD\t40,0\t30,0")  # PIK3CA: no alt read
    text = text.replace("GT:AD\t0/0:50,0\t0/1:25,25", "AD\t.\t25,25")  # PTEN: alt reads
    t = read_vcf(_vcf(tmp_path, text))
    assert t.variants.gene.tolist() == ["PTEN"]
    assert t.variants.vaf.tolist() == pytest.approx([0.5])


def test_cli_sample_option_picks_columns_and_names_an_unknown_one(
    tmp_path, capsys, monkeypatch
) -> None:
    path, out = _three_tumours(tmp_path), tmp_path / "p.csv"
    argv = ["predict", "--vcf", str(path), "--drug", "everolimus", "--n", "2", "--out", str(out)]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 0, err
    assert pd.read_csv(out)["sample"].tolist() == ["T1", "T2", "T3"]
    code, _, err = run_cli([*argv, "--sample", "T3"], capsys, monkeypatch)
    assert code == 0 and pd.read_csv(out)["sample"].tolist() == ["T3"]
    code, _, err = run_cli([*argv, "--sample", "T9"], capsys, monkeypatch)
    assert code == 2 and "--sample T9" in err and "T1, T2, T3" in err


# ------------------------------------------------- 2. samples with no kept variant


def test_samples_with_only_silent_rows_are_kept_as_wild_type() -> None:
    t = read_maf(DATA / "small.maf")
    assert t.samples[-1] == "S7" and "S7" not in set(t.variants["sample"])


def test_cohort_counts_every_sample_in_its_denominators(tmp_path, capsys, monkeypatch) -> None:
    maf = tmp_path / "c.maf"
    maf.write_text(
        "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tHGVSp_Short\n"
        "PTEN\tA\tNonsense_Mutation\tp.R130*\nBRAF\tB\tSilent\tp.V600=\nTP53\tC\tIntron\t\n"
    )
    types = tmp_path / "t.csv"
    types.write_text("sample,cancer_type\nA,BRCA\nB,BRCA\nC,BRCA\nD,BRCA\n")
    argv = ["cohort", "--maf", str(maf), "--types", str(types), "--n", "2"]
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code == 0, err
    assert re.search(r"│\s*BRCA\s*│\s*4\s*│", out)  # A, B, C and D (no row): 4, not 1
    assert "1 sample(s) with no row in the mutation file(s) (D)" in err


# ------------------------------------------------------------------ 3. genome builds


@pytest.mark.parametrize(
    "ref",
    [
        "file:///ref/Homo_sapiens_assembly38.fasta",
        "hs37d5",
        "human_g1k_v37.fasta",
        "GRCh38.p13",
        "b37",
        "/data/ucsc.hg19.fasta.gz",
    ],
)
def test_ordinary_human_references_are_accepted(tmp_path, ref) -> None:
    p = _vcf(tmp_path, SMALL.replace("##reference=GRCh38", f"##reference={ref}"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_vcf(p).variants.gene.tolist() == ["PIK3CA", "PTEN"]


@pytest.mark.parametrize(("build", "warns"), [("NA", False), ("GRCh38.p13", False), ("b37", False)])
def test_maf_build_aliases_and_na(tmp_path, build, warns) -> None:
    p = tmp_path / "b.maf"
    p.write_text(
        f"Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\tNCBI_Build\nPTEN\tS1\tp.R130*\t{build}\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_maf(p).variants.gene.tolist() == ["PTEN"]


def test_an_unrecognised_reference_warns_and_a_mouse_build_fails(tmp_path) -> None:
    p = _vcf(tmp_path, SMALL.replace("##reference=GRCh38", "##reference=file:///data/genome.fa"))
    with pytest.warns(GenomeBuildWarning, match="genome.fa"):
        assert len(read_vcf(p).variants) == 2
    for mouse in ("GRCm39", "mm10", "Mus_musculus.GRCm38.dna.fa"):
        assert classify_build(mouse) == "non-human"
    assert classify_build("NA") is None and classify_build("hg38") == "GRCh38"


# ------------------------------------------------------------ 4. outputs and inputs


def test_an_output_that_is_an_input_or_another_output_is_refused(
    tmp_path, capsys, monkeypatch
) -> None:
    variants = tmp_path / "v.csv"
    variants.write_bytes((DATA / "small_variants.csv").read_bytes())
    before = variants.read_bytes()
    base = ["predict", "--variants", str(variants), "--drug", "everolimus", "--n", "2"]
    code, _, err = run_cli([*base, "--out", str(tmp_path / "." / "v.csv")], capsys, monkeypatch)
    assert code == 2 and "also an input file" in err and variants.read_bytes() == before
    twice = str(tmp_path / "vv.csv")
    code, _, err = run_cli([*base, "--out", twice, "--explain", twice], capsys, monkeypatch)
    assert code == 2 and "same file" in err and not Path(twice).exists()


# ----------------------------------------------- 5. no problems report from a failed run


def test_a_failed_run_leaves_no_problems_report(tmp_path, capsys, monkeypatch) -> None:
    report = tmp_path / "pf.csv"
    argv = ["predict", "--maf", str(DATA / "small.maf"), "--drug", "foo", "--problems", str(report)]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and "unknown drug 'foo'" in err and not report.exists()
    assert "warning" not in err  # the drug is checked before the file is read
    bad = tmp_path / "bad.csv"
    bad.write_text("sample,gene,variant\nA,PTEN,p.!!\n")
    argv = ["predict", "--variants", str(bad), "--n", "2", "--problems", str(report)]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and "no readable variants" in err and not report.exists()


# --------------------------------------------------------------- 6. cell-line columns


def test_unknown_cell_line_columns_are_named_with_the_flag_meant(
    tmp_path, capsys, monkeypatch
) -> None:
    from mtorsim.genomics.cell_lines import CellLineColumnWarning, check_columns

    lines = pd.DataFrame({"cell_line": ["A"], "tissue": ["lung_NSCLC"], "KRAS": ["1"]})
    with pytest.warns(CellLineColumnWarning, match=r"KRAS -> KRAS_mut.*flags read are"):
        assert check_columns(lines.assign(BRAF="0"), "t.csv") == ["KRAS", "BRAF"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the shipped table's own columns pass
        from mtorsim.genomics.validation import load_gdsc

        assert check_columns(load_gdsc()[0], "shipped") == []
    path = tmp_path / "cl.csv"
    path.write_text("cell_line,tissue,KRAS,BRAF\nA,lung_NSCLC,1,0\n")
    argv = ["predict", "--cell-lines", str(path), "--drug", "Trametinib", "--n", "2"]
    code, _, err = run_cli(argv, capsys, monkeypatch)
    assert code == 0 and "warning:" in err and "BRAF -> BRAF_mut" in err


# --------------------------------------------------------------------------- 7. VAF


@pytest.mark.parametrize(("vaf", "problem"), [("1.5", "0-1"), ("-1", "0-1"), ("x", "not a number")])
def test_a_bad_vaf_costs_only_the_vaf(tmp_path, vaf, problem) -> None:
    p = tmp_path / "v.csv"
    p.write_text(f"sample,gene,variant,vaf\nS1,PIK3CA,E545K,{vaf}\nS1,PTEN,truncating,NA\n")
    t = read_variant_csv(p)
    assert t.variants.gene.tolist() == ["PIK3CA", "PTEN"] and t.variants.vaf.isna().all()
    assert t.problems.line.tolist() == [2] and problem in t.problems.problem[0]
    assert t.problems.action[0] == "row kept, vaf unknown"


# ------------------------------------------------------------------ 8. copy number


def test_copy_number_cells_and_duplicate_genes(tmp_path, capsys, monkeypatch) -> None:
    p = tmp_path / "cn.csv"
    p.write_text("gene,S1,S2,S3\npten,-2,0,-1\nPIK3CA,1.5,NaN,2\nMTOR,,1,0\n")
    t = read_copy_number(p)
    assert set(zip(t.variants["sample"], t.variants.gene, strict=True)) == {
        ("S1", "PTEN"),
        ("S3", "PIK3CA"),
    }
    assert t.problems.problem.tolist() == [
        "S2: 'NaN' is a missing value, no copy number",
        "S1: empty cell, no copy number",
    ]
    assert set(t.problems.action) == {"cell skipped"}
    code, _, err = run_cli(
        ["predict", "--cna", str(p), "--n", "2", "--drug", "everolimus"], capsys, monkeypatch
    )
    assert code == 0 and "(cell skipped)" in err and "row skipped" not in err
    p.write_text(p.read_text() + "PTEN,0,0,0\n")
    with pytest.raises(MtorsimError, match=r"line 5: gene PTEN is given again \(first on line 2\)"):
        read_copy_number(p)
    p.write_text("gene,S1\nPTEN,-2\nPten,-2\n")  # the same values twice: one event
    assert len(read_copy_number(p).variants) == 1


# ------------------------------------------------------- 9. protein changes in any case


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("p.h1047r", "H1047R"),
        ("P.R130*", "R130*"),
        ("p.HIS1047ARG", "H1047R"),
        ("e17FS*5", "E17fs"),
    ],
)
def test_protein_changes_are_read_in_any_case(text, short) -> None:
    assert parse_change(text).short == short


def test_q546x_stays_unreadable() -> None:
    with pytest.raises(MtorsimError, match="cannot parse"):
        parse_change("p.q546x?")


def test_genotypes_in_any_case_and_an_unknown_gene_first() -> None:
    from mtorsim.genomics.profile import genotype_parameters

    assert genotype_parameters(["pik3ca h1047r"]) == genotype_parameters(["PIK3CA H1047R"])
    with pytest.raises(MtorsimError, match="FOO bar is in a gene the knowledge base does not"):
        genotype_parameters(["FOO bar"])


def test_a_lower_case_maf_change_is_read(tmp_path) -> None:
    p = tmp_path / "l.maf"
    p.write_text("Hugo_Symbol\tTumor_Sample_Barcode\tHGVSp_Short\npik3ca\tS1\tp.h1047r\n")
    t = read_maf(p)
    assert t.problems.empty and t.variants.protein_change.tolist() == ["H1047R"]


# ---------------------------------------------------------------------- 10. cosmetic


def test_a_repeated_drug_is_predicted_once(tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "o.csv"
    argv = [
        "predict",
        "--variants",
        str(DATA / "small_variants.csv"),
        "--n",
        "2",
        "--out",
        str(out),
    ]
    code, _, _ = run_cli(
        [*argv, "--drug", "trametinib", "--drug", "Trametinib"], capsys, monkeypatch
    )
    pred = pd.read_csv(out)
    assert code == 0 and len(pred) == pred["sample"].nunique()


def test_a_comma_separated_maf_is_named_as_such(tmp_path) -> None:
    p = tmp_path / "c.maf"
    p.write_text((DATA / "small.maf").read_text().replace("\t", ","))
    with pytest.raises(MtorsimError, match="looks comma-separated, but a MAF is tab-separated"):
        read_maf(p)


def test_a_truncated_vcf_gz_is_named_as_such(tmp_path) -> None:
    body = SMALL + "".join(SMALL.splitlines(keepends=True)[-3:]) * 300
    data = gzip.compress(body.encode())
    p = tmp_path / "t.vcf.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(MtorsimError, match="gzip file is truncated or corrupt"):
        read_vcf(p)


def test_a_misspelt_variant_class_is_named() -> None:
    from mtorsim.genomics.knowledge import parse_protein_change

    with pytest.raises(MtorsimError, match="did you mean the class 'truncating'"):
        parse_protein_change("truncatin")
    with pytest.raises(MtorsimError, match="use HGVS") as info:
        parse_protein_change("notachange")
    assert "did you mean" not in str(info.value)


def test_a_byte_order_mark_is_not_text_and_does_not_shift_errors(tmp_path) -> None:
    from mtorsim.genomics.readers import read_maf

    maf = (Path(__file__).parent / "data" / "small.maf").read_bytes()
    marked = tmp_path / "bom.maf"
    marked.write_bytes(b"\xef\xbb\xbf#version 2.4\n" + maf)
    assert len(read_maf(marked).variants) == len(
        read_maf(Path(__file__).parent / "data" / "small.maf").variants
    )
    lines = maf.split(b"\n")
    lines[2] = lines[2].replace(b"PTEN", b"PT\xffEN", 1)
    latin = tmp_path / "latin.maf"
    latin.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines))
    with pytest.raises(MtorsimError, match=r"line 3: not UTF-8 text \(byte 0xff\)"):
        read_maf(latin)
