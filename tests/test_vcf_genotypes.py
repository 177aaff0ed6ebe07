"""Who carries a VCF call: no-calls, half calls, phased and haploid GTs, AD alone, and the
ALT of a multi-allelic record (a review of the per-sample reader)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mtorsim.genomics.readers import read_vcf

HDR = """##fileformat=VCFv4.2
##reference=GRCh38
##contig=<ID=chr3,length=198295559>
##contig=<ID=chr10,length=133797422>
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. \
Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
"""
TX = "ENSG00000121879|Transcript|ENST00000263967|protein_coding|21/21||c.3140A>"
MIS = f"G|missense_variant|MODERATE|PIK3CA|{TX}G|ENSP00000263967.3:p.His1047Arg"
SYN = f"T|synonymous_variant|LOW|PIK3CA|{TX}T|ENSP00000263967.3:p.His1047="
PTEN = "T|stop_gained|HIGH|PTEN|ENSG00000171862|Transcript|ENST00000371953|protein_coding|5/9||"
PTEN += "c.388C>T|ENSP00000361021.3:p.Arg130Ter"


def _write(path: Path, samples: list[str], records: list[tuple]) -> Path:
    head = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples)
    lines = [HDR + head]
    for chrom, pos, ref, alt, csq, fmt, cells in records:
        lines.append(
            f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\tCSQ={csq}\t{fmt}\t" + "\t".join(cells)
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _calls(table) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in table.variants.itertuples(index=False):
        out.setdefault(r.sample, []).append(f"{r.gene} {r.protein_change}")
    return out


def test_a_no_call_is_not_a_carrier(tmp_path) -> None:
    # bcftools merge writes ./.:. for a sample without the site
    path = _write(
        tmp_path / "merged.vcf",
        ["S1", "S2"],
        [
            ("chr3", 179234297, "A", "G", MIS, "GT:AD", ["0/1:30,20", "./.:."]),
            ("chr10", 87933147, "C", "T", PTEN, "GT:AD", ["./.:.", "0/1:20,20"]),
        ],
    )
    with pytest.warns(UserWarning, match="two sample columns .S1, S2. and no matched normal"):
        table = read_vcf(path)  # a pair of columns may be tumour and normal under other names
    assert _calls(table) == {"S1": ["PIK3CA H1047R"], "S2": ["PTEN R130*"]}


def test_genotype_forms(tmp_path) -> None:
    cells = ["./.:30,0", "1|0:10,10", "1:0,12", "0:20,0", "./.:.", "0/.:20,5", "0/0:30,3"]
    names = ["nocall", "phased", "haploid_alt", "haploid_ref", "nothing", "half", "ref_reads"]
    path = _write(tmp_path / "gts.vcf", names, [("chr3", 179234297, "A", "G", MIS, "GT:AD", cells)])
    table = read_vcf(path)
    # a called GT decides; a no-call or half call is decided by its alt reads
    assert sorted(_calls(table)) == ["half", "haploid_alt", "phased"]
    vaf = table.variants.set_index("sample").vaf
    assert np.allclose([vaf["phased"], vaf["haploid_alt"], vaf["half"]], [0.5, 1.0, 0.2])


def test_each_sample_gets_the_annotation_of_its_own_alt(tmp_path) -> None:
    # ALT G is the missense, ALT T is synonymous: S2 carries only T
    path = _write(
        tmp_path / "multi.vcf",
        ["S1", "S2", "S3"],
        [("chr3", 179234297, "A", "G,T", f"{MIS},{SYN}", "GT:AD",
          ["0/1:30,20,0", "0/2:30,0,20", "1/2:10,10,30"])],
    )  # fmt: skip
    table = read_vcf(path)
    assert _calls(table) == {"S1": ["PIK3CA H1047R"], "S3": ["PIK3CA H1047R"]}
    vaf = table.variants.set_index("sample").vaf  # that allele's reads, not all alt reads
    assert vaf["S1"] == 0.4 and vaf["S3"] == 0.2
    assert "silent" in set(table.skipped.category)
    # entries naming no ALT of the record cannot be told apart: a problem, no call
    bad = _write(
        tmp_path / "bad.vcf",
        ["S1"],
        [("chr3", 179234297, "A", "G,C", f"{MIS},{SYN}", "GT:AD", ["0/1:30,20,0"])],
    )
    table = read_vcf(bad)
    assert table.variants.empty and "bcftools norm -m -any" in table.problems.iloc[0]["problem"]


def test_a_sample_with_only_unreadable_rows_is_not_counted_wild_type(
    tmp_path, capsys, monkeypatch
) -> None:
    from cli_helpers import run_cli

    maf = tmp_path / "bad.maf"
    maf.write_text(
        "Hugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\tHGVSp_Short\n"
        "PIK3CA\tS1\tMissense_Mutation\tp.H1047R\n"
        "PIK3CA\tS3\tMissense_Mutation\tp.Q999999999Z\n"
    )
    types = tmp_path / "types.csv"
    types.write_text("sample,cancer_type\nS1,BRCA\nS2,BRCA\nS3,BRCA\n")
    argv = ["cohort", "--maf", str(maf), "--types", str(types), "--drug", "everolimus", "--n", "4"]
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code == 0, err
    assert "only unreadable rows (S3): left out" in err
    assert "counted as wild type" in err and "(S2)" in err  # S2 has no row at all
    assert "│ BRCA        │ 2 " in out
