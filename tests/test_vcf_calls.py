"""VCF variant calls: which transcript's annotation is used, how SO terms map to classes,
FILTER handling, and the optional cyvcf2 / Dask extras (issue #14 item 4)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mtorsim import MtorsimError
from mtorsim.genomics.consequences import (
    SO_CONSEQUENCES,
    Annotation,
    annotation_fields,
    classify,
    most_severe,
    pick,
)
from mtorsim.genomics.readers import read_maf, read_variant_csv, read_vcf

DATA = Path(__file__).parent / "data"


def calls(name: str, **kw) -> list[tuple[str, str, str]]:
    t = read_vcf(DATA / name, **kw)
    return list(zip(t.variants.gene, t.variants.protein_change, t.variants.kind, strict=True))


def test_h1047r_on_the_second_transcript_is_found() -> None:
    t = read_vcf(DATA / "vep_second_transcript.vcf")
    assert calls("vep_second_transcript.vcf") == [("PIK3CA", "H1047R", "missense")]
    assert t.variants.vaf.tolist() == pytest.approx([0.4])
    text = (DATA / "vep_second_transcript.vcf").read_text().splitlines()
    assert text[t.variants.line[0] - 1].startswith("chr3\t179234297")  # file line numbers


def test_most_severe_is_taken_when_no_transcript_is_flagged() -> None:
    # no CANONICAL/MANE fields: downstream < missense; intron < splice_region < splice_donor
    assert calls("vep_no_flags.vcf") == [
        ("PIK3CA", "H1047R", "missense"),
        ("PTEN", "", "truncating"),
    ]
    # CANONICAL field present but empty on every entry of the record
    assert calls("vep_canonical.vcf")[1] == ("PTEN", "R130*", "truncating")


def test_canonical_is_chosen_over_a_more_severe_non_canonical_call() -> None:
    # stop_gained on a non-canonical isoform, R130Q missense on the canonical (MANE) one
    assert calls("vep_canonical.vcf")[0] == ("PTEN", "R130Q", "missense")
    # a canonical 3'UTR call outranks a missense on another isoform: nothing is reported
    t = read_vcf(DATA / "vep_intron.vcf")
    assert t.skipped.reason.tolist()[1].startswith("PIK3CA 3_prime_UTR_variant")


def test_intron_variant_is_not_missense() -> None:
    t = read_vcf(DATA / "vep_intron.vcf")
    assert t.variants.empty and t.problems.empty
    assert t.skipped.category.tolist() == ["non_coding", "non_coding"]
    assert "intron_variant" in t.skipped.reason[0]
    assert t.skipped_summary() == "2 record(s) left out: 2 non_coding"


def test_splice_region_is_not_a_truncation_so_no_false_pten_loss() -> None:
    from mtorsim.genomics.profile import annotate, profiles

    t = read_vcf(DATA / "vep_splice_region.vcf")
    assert t.variants.empty
    assert t.skipped.category.tolist() == ["silent", "silent"]
    prof = profiles(annotate(t.variants), ["TUMOR"])
    assert "PTEN_level" not in prof["TUMOR"]
    # a true splice-site call still is one
    assert classify("splice_donor_variant&intron_variant") == "truncating"


def test_non_pass_records_are_skipped_unless_kept() -> None:
    t = read_vcf(DATA / "vcf_filtered.vcf")
    assert list(t.variants.gene) == ["PIK3CA", "AKT1"]  # PASS and '.'
    assert t.skipped.category.tolist() == ["filtered", "filtered"]
    assert "LowQual;germline" in t.skipped.reason[1]
    assert t.skipped_summary() == "2 record(s) left out: 2 filtered"
    kept = read_vcf(DATA / "vcf_filtered.vcf", keep_filtered=True)
    assert list(kept.variants.gene) == ["PIK3CA", "PTEN", "AKT1", "KRAS"]
    assert kept.skipped.empty


def test_snpeff_annotations_are_ranked_not_taken_first() -> None:
    t = read_vcf(DATA / "snpeff_multi.vcf")
    assert calls("snpeff_multi.vcf") == [
        ("PIK3CA", "H1047R", "missense"),  # listed after a downstream_gene_variant
        ("PTEN", "R130*", "truncating"),  # stop_gained&splice_region_variant, listed second
        ("MTOR", "E2215del", "inframe"),  # conservative_inframe_deletion
    ]
    assert t.skipped.category.tolist() == ["silent", "non_coding"]  # splice_region; intergenic
    assert t.problems.empty


def test_snpeff_header_fields_are_read() -> None:
    desc = "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name' "
    assert annotation_fields(desc) == ["Allele", "Annotation", "Annotation_Impact", "Gene_Name"]
    assert annotation_fields("Ensembl VEP. Format: Allele|Consequence|SYMBOL") == [
        "Allele",
        "Consequence",
        "SYMBOL",
    ]


@pytest.mark.parametrize(
    ("consequence", "cls"),
    [
        ("frameshift_variant", "truncating"),
        ("stop_gained", "truncating"),
        ("splice_acceptor_variant", "truncating"),
        ("start_lost", "truncating"),
        ("stop_lost", "truncating"),
        ("missense_variant", "missense"),
        ("missense_variant&splice_region_variant", "missense"),
        ("inframe_deletion", "inframe"),
        ("disruptive_inframe_insertion", "inframe"),
        ("protein_altering_variant", "inframe"),
        ("splice_region_variant", "silent"),
        ("splice_region_variant&intron_variant", "silent"),
        ("synonymous_variant", "silent"),
        ("intron_variant", "non_coding"),
        ("5_prime_UTR_variant", "non_coding"),
        ("upstream_gene_variant", "non_coding"),
        ("intergenic_region", "non_coding"),
        ("non_coding_transcript_exon_variant", "non_coding"),
        ("no_such_term", "other"),
    ],
)
def test_so_terms_map_to_knowledge_base_classes(consequence: str, cls: str) -> None:
    assert classify(consequence) == cls


def test_ranking_table_follows_ensembl_order() -> None:
    terms = [t for t, _, _ in SO_CONSEQUENCES]
    assert len(terms) == len(set(terms))
    assert terms.index("stop_gained") < terms.index("missense_variant")
    assert terms.index("missense_variant") < terms.index("splice_region_variant")
    assert terms.index("splice_region_variant") < terms.index("synonymous_variant")
    assert terms.index("synonymous_variant") < terms.index("intron_variant")
    assert most_severe("intron_variant&splice_donor_variant") == "splice_donor_variant"


def test_pick_prefers_mane_then_canonical_then_severity() -> None:
    def ann(cons: str, impact: str = "", **kw) -> Annotation:
        return Annotation("PTEN", cons, impact, "", **kw)

    mane = ann("intron_variant", mane=True)
    canonical = ann("missense_variant", canonical=True)
    severe = ann("stop_gained")
    assert pick([severe, canonical, mane]) is mane
    assert pick([severe, canonical]) is canonical
    assert pick([ann("intron_variant"), severe]) is severe
    assert pick([]) is None
    # snpEff: Annotation_Impact first, then SO rank; flags are not a snpEff notion
    hi, mod = ann("gene_fusion", "HIGH"), ann("missense_variant", "MODERATE", canonical=True)
    assert pick([mod, hi], "ANN") is hi
    # ties keep file order
    a, b = ann("missense_variant"), ann("missense_variant")
    assert pick([a, b]) is a


def test_maf_silent_rows_are_reported_as_skipped() -> None:
    t = read_maf(DATA / "small.maf")
    assert t.skipped.category.tolist() == ["silent"] and "BRAF" in t.skipped.reason[0]


def test_missing_cyvcf2_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "cyvcf2", None)  # import cyvcf2 -> ImportError
    with pytest.raises(MtorsimError, match=r'pip install "mtorsim\[vcf\]"'):
        read_vcf(DATA / "small.vcf")


def test_missing_dask_names_the_extra(monkeypatch) -> None:
    from mtorsim import scale

    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(MtorsimError, match=r'pip install "mtorsim\[dask\]"'):
        scale.local_client(1)
    with pytest.raises(MtorsimError, match=r'pip install "mtorsim\[dask\]"'):
        scale.run_trial_distributed(None)  # type: ignore[arg-type]


# ------------------------------------------- CSQ entries and header lines (issue #16)

SMALL = (DATA / "small.vcf").read_text()
H1047R = (
    "G|missense_variant|MODERATE|PIK3CA|ENSG00000121879|Transcript|ENST00000263967|"
    "protein_coding|21/21||ENST00000263967.4:c.3140A>G|ENSP00000263967.3:p.His1047Arg"
)


def _with_entry(tmp_path: Path, entry: str) -> Path:
    assert H1047R in SMALL
    p = tmp_path / "x.vcf"
    p.write_text(SMALL.replace(H1047R, entry))
    return p


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("G|missense_variant", "2 of the header's 12 fields, none for SYMBOL"),
        ("G", "1 of the header's 12 fields, none for Consequence/SYMBOL"),
        (H1047R + "|extra|fields", "14 fields but the header's Format lists 12"),
    ],
)
def test_csq_entries_the_header_does_not_describe_are_problems(tmp_path, entry, message):
    t = read_vcf(_with_entry(tmp_path, entry))
    assert "PIK3CA" not in t.variants.gene.tolist()
    assert len(t.problems) == 1 and message in t.problems.problem[0]
    assert t.problems.line[0] == 10  # the record's line in the file


@pytest.mark.parametrize(
    "entry",
    [
        # VEP run without --hgvs output, re-written by a tool that drops trailing empties
        "G|missense_variant|MODERATE|PIK3CA|ENSG00000121879|Transcript|ENST00000263967",
        H1047R + "||",  # trailing empty fields beyond the Format are harmless
    ],
)
def test_sparse_csq_entries_still_read(tmp_path, entry):
    t = read_vcf(_with_entry(tmp_path, entry))
    assert t.problems.empty
    assert "PIK3CA" in t.variants.gene.tolist()


CSQ_LINE = next(ln for ln in SMALL.splitlines() if ln.startswith("##INFO=<ID=CSQ"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (CSQ_LINE.removesuffix(">"), "does not end with '>'"),
        ("##INFO=<ID=DP,Number=1>", "has no Type"),
        ('##INFO=<ID=DP,Number=1,Type=Banana,Description="d">', "Type='Banana'"),
        ('##INFO=<ID=DP,Number=many,Type=Integer,Description="d">', "Number='many'"),
        ("##INFO=garbage", "takes a <ID=...,...> definition"),
        ('##FORMAT=<Number=1,Type=Integer,Description="d">', "has no ID"),
        ('##INFO=<ID=DP,Number=1,Type=Integer,Description="unclosed>', "not key=value"),
        ("#junk", "the column header is not #CHROM"),
    ],
)
def test_malformed_header_lines_are_errors(tmp_path, line, message):
    p = tmp_path / "x.vcf"
    p.write_text(SMALL.replace(CSQ_LINE, f"{line}\n{CSQ_LINE}"))
    n = SMALL.splitlines().index(CSQ_LINE) + 1
    with pytest.raises(MtorsimError, match=rf"line {n}: .*{re.escape(message)}"):
        read_vcf(p)


def test_well_formed_extra_header_lines_still_read(tmp_path):
    extra = (
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth, \\"total\\"",Source="x">\n'
        "##contig=<ID=chr3,length=198295559>\n##source=hand written\n"
    )
    p = tmp_path / "x.vcf"
    p.write_text(SMALL.replace(CSQ_LINE, extra + CSQ_LINE))
    assert calls("small.vcf") == list(
        zip(*(read_vcf(p).variants[c] for c in ("gene", "protein_change", "kind")), strict=True)
    )


def _record(**cols: str) -> str:
    fields = SMALL.splitlines()[9].split("\t")
    for i, v in cols.items():
        fields[int(i[1:]) :] = [v, *fields[int(i[1:]) + 1 :]]
    return "\t".join(fields)


@pytest.mark.parametrize(
    ("cols", "message"),
    [
        ({"c5": "high"}, "QUAL 'high' is not a number"),
        ({"c5": "-3"}, "QUAL '-3' is not a number"),
        ({"c11": "0/1:1,1"}, "3 sample column(s) where the header names 2"),
    ],
)
def test_records_htslib_reads_past_are_problems(tmp_path, cols, message):
    p = tmp_path / "x.vcf"
    p.write_text(SMALL.replace(SMALL.splitlines()[9], _record(**cols)))
    t = read_vcf(p)
    assert t.problems.line.tolist() == [10] and message in t.problems.problem[0]
    assert "PIK3CA" not in t.variants.gene.tolist()


def test_damaged_bgzip_is_one_error(tmp_path):
    import gzip

    p = tmp_path / "x.vcf.gz"
    good = gzip.compress(SMALL.encode())
    p.write_bytes(good[:20] + b"\x00" * 40 + good[60:])
    with pytest.raises(MtorsimError, match="not a readable VCF"):
        read_vcf(p)


def test_every_reference_line_is_checked(tmp_path):
    p = tmp_path / "x.vcf"
    p.write_text(SMALL.replace(CSQ_LINE, f"##reference=mm10.fa\n{CSQ_LINE}"))
    with pytest.raises(MtorsimError, match=r"mm10\.fa is not a known human build"):
        read_vcf(p)


@pytest.mark.parametrize("position", ["40001", "9" * 4000])
def test_a_position_no_protein_has_is_a_problem(tmp_path, position):
    """Titin has 34,350 residues: a 4,000-digit position (under Python's int-parsing limit)
    was read as a PIK3CA missense."""
    t = read_vcf(_with_entry(tmp_path, H1047R.replace("His1047Arg", f"His{position}Arg")))
    assert "PIK3CA" not in t.variants.gene.tolist()
    assert "not a plausible residue number" in t.problems.problem[0]
    csv = tmp_path / "v.csv"
    csv.write_text(f"sample,gene,variant\nA,PIK3CA,p.H{position}R\nA,AKT1,p.E17K\n")
    assert read_variant_csv(csv).problems.line.tolist() == [2]


def test_a_vcf_with_no_usable_record_is_not_a_wild_type_call(tmp_path) -> None:
    text = (DATA / "small.vcf").read_text()
    header = tmp_path / "header.vcf"
    header.write_text("".join(ln + "\n" for ln in text.splitlines() if ln.startswith("#")))
    with pytest.raises(MtorsimError, match="has a header but no variant records"):
        read_vcf(header)
    bare = tmp_path / "unannotated.vcf"
    bare.write_text(re.sub(r"CSQ=[^\t]*", ".", text))
    with pytest.raises(MtorsimError, match=r"no usable record \(\d+ left out: unannotated\)"):
        read_vcf(bare)
    assert len(read_vcf(DATA / "small.vcf").variants)  # annotated records still read
    # unannotated records beside an unreadable one: still no call, so no sample
    mixed = tmp_path / "mixed.vcf"
    lines = re.sub(r"CSQ=[^\t]*", ".", text).splitlines()
    body = [i for i, ln in enumerate(lines) if not ln.startswith("#")]
    first = text.splitlines()[body[0]].split("\t")
    first[7] = re.sub(r"CSQ=([^|]*\|[^|]*)\|.*", r"CSQ=\1", first[7])  # an entry cut short
    lines[body[0]] = "\t".join(first)
    mixed.write_text("\n".join(lines) + "\n")
    table = read_vcf(mixed)
    assert len(table.problems) == 1 and len(table.variants) == 0 and table.samples == ()
